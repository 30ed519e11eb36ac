-- Directory: foreign keys that lacked an index (a class's professeur principal is looked up by
-- class on every report card).
CREATE INDEX principal_teachers_class ON principal_teachers (class_id);
