-- The establishment's file space (modules/files): what every module's files take, by table
-- and type, kept up to date by statement triggers on each table of files, so that an upload's
-- quota check and the direction's « Espace de stockage » read a few rows instead of adding
-- up every file (100,000 files: a scan of tens of milliseconds). The counts move in the
-- changing transaction: a rolled-back upload moves nothing. Restoring an export loads the
-- rows as they were, with the triggers off (tenant.Registry.Import).
--
-- A module with a new table of files (columns content_type and size) adds, in its own
-- migration, the three triggers below and an index on size (the page's largest files), and
-- registers the table (files.Table).
CREATE TABLE file_space (
    table_name    text NOT NULL,
    content_type  text NOT NULL,
    files         bigint NOT NULL CHECK (files >= 0),
    bytes         bigint NOT NULL CHECK (bytes >= 0),
    PRIMARY KEY (table_name, content_type)
);

CREATE FUNCTION file_space_added() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO file_space (table_name, content_type, files, bytes)
    SELECT TG_TABLE_NAME, content_type, count(*), sum(size) FROM added GROUP BY content_type
    ON CONFLICT (table_name, content_type) DO UPDATE
        SET files = file_space.files + excluded.files, bytes = file_space.bytes + excluded.bytes;
    RETURN NULL;
END $$;

CREATE FUNCTION file_space_removed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE file_space s SET files = s.files - g.files, bytes = s.bytes - g.bytes
    FROM (SELECT content_type, count(*) AS files, sum(size) AS bytes FROM removed GROUP BY content_type) g
    WHERE s.table_name = TG_TABLE_NAME AND s.content_type = g.content_type;
    RETURN NULL;
END $$;

-- A row's type or size changed (nothing does today): out with the old, in with the new.
CREATE FUNCTION file_space_changed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE file_space s SET files = s.files - g.files, bytes = s.bytes - g.bytes
    FROM (SELECT content_type, count(*) AS files, sum(size) AS bytes FROM removed GROUP BY content_type) g
    WHERE s.table_name = TG_TABLE_NAME AND s.content_type = g.content_type;
    INSERT INTO file_space (table_name, content_type, files, bytes)
    SELECT TG_TABLE_NAME, content_type, count(*), sum(size) FROM added GROUP BY content_type
    ON CONFLICT (table_name, content_type) DO UPDATE
        SET files = file_space.files + excluded.files, bytes = file_space.bytes + excluded.bytes;
    RETURN NULL;
END $$;

CREATE FUNCTION file_space_emptied() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM file_space WHERE table_name = TG_TABLE_NAME;
    RETURN NULL;
END $$;

CREATE TRIGGER attendance_files_added AFTER INSERT ON attendance_files REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_added();
CREATE TRIGGER attendance_files_removed AFTER DELETE ON attendance_files REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_removed();
CREATE TRIGGER attendance_files_changed AFTER UPDATE ON attendance_files REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_changed();
CREATE TRIGGER attendance_files_emptied AFTER TRUNCATE ON attendance_files
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_emptied();
CREATE INDEX attendance_files_size ON attendance_files (size);

CREATE TRIGGER news_files_added AFTER INSERT ON news_files REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_added();
CREATE TRIGGER news_files_removed AFTER DELETE ON news_files REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_removed();
CREATE TRIGGER news_files_changed AFTER UPDATE ON news_files REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_changed();
CREATE TRIGGER news_files_emptied AFTER TRUNCATE ON news_files
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_emptied();
CREATE INDEX news_files_size ON news_files (size);

CREATE TRIGGER message_files_added AFTER INSERT ON message_files REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_added();
CREATE TRIGGER message_files_removed AFTER DELETE ON message_files REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_removed();
CREATE TRIGGER message_files_changed AFTER UPDATE ON message_files REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_changed();
CREATE TRIGGER message_files_emptied AFTER TRUNCATE ON message_files
    FOR EACH STATEMENT EXECUTE FUNCTION file_space_emptied();
CREATE INDEX message_files_size ON message_files (size);

INSERT INTO file_space (table_name, content_type, files, bytes)
SELECT 'attendance_files', content_type, count(*), sum(size) FROM attendance_files GROUP BY content_type
UNION ALL SELECT 'news_files', content_type, count(*), sum(size) FROM news_files GROUP BY content_type
UNION ALL SELECT 'message_files', content_type, count(*), sum(size) FROM message_files GROUP BY content_type;
