-- Directory: foreign keys that lacked an index (a class's professeur principal is looked up by
-- class on every report card), and import records whose file list was written as JSON null
-- (a person created by hand), which an export could not restore.
CREATE INDEX principal_teachers_class ON principal_teachers (class_id);
UPDATE import_runs SET files = '[]' WHERE files = 'null'::jsonb;
