-- The cahier de textes' attachments count in the establishment's file space (0025): its
-- table of files gets the same triggers and size index as the others.
CREATE TRIGGER cahier_files_added AFTER INSERT ON cahier_files REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_added();
CREATE TRIGGER cahier_files_removed AFTER DELETE ON cahier_files REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_removed();
CREATE TRIGGER cahier_files_changed AFTER UPDATE ON cahier_files REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_changed();
CREATE TRIGGER cahier_files_emptied AFTER TRUNCATE ON cahier_files
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_emptied();
CREATE INDEX cahier_files_size ON cahier_files (size);

-- Files stored before this migration (none outside development) are counted once.
INSERT INTO file_space (table_name, content_type, files, bytes)
SELECT 'cahier_files', content_type, count(*), sum(size) FROM cahier_files GROUP BY content_type
ON CONFLICT (table_name, content_type) DO UPDATE SET files = excluded.files, bytes = excluded.bytes;
