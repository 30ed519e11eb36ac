-- The establishment's file space (modules/files): what every module's files take, by table
-- and type, kept up to date by statement triggers on each table of files, so that an upload's
-- quota check and the direction's « Espace de stockage » read a few rows instead of adding
-- up every file (100,000 files: a scan of tens of milliseconds). The counts move in the
-- changing transaction: a rolled-back upload moves nothing. Restoring an export loads the
-- rows as they were, with the triggers off (tenant.Registry.Import).
--
-- A module with a new table of files (columns content_type and size) calls, in its own
-- migration, file_space_track('its_table') below, and registers the table (files.Table).
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

-- file_space_track(table) makes a table of files count: its four triggers, an index on size
-- (the page's largest files) and its rows already there. Each module's migration calls it for
-- its own table.
CREATE FUNCTION file_space_track(tbl text) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %1$I AFTER INSERT ON %2$I REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION file_space_added()', tbl || '_added', tbl);
    EXECUTE format('CREATE TRIGGER %1$I AFTER DELETE ON %2$I REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION file_space_removed()', tbl || '_removed', tbl);
    EXECUTE format('CREATE TRIGGER %1$I AFTER UPDATE ON %2$I REFERENCING OLD TABLE AS removed NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION file_space_changed()', tbl || '_changed', tbl);
    EXECUTE format('CREATE TRIGGER %1$I AFTER TRUNCATE ON %2$I
        FOR EACH STATEMENT EXECUTE FUNCTION file_space_emptied()', tbl || '_emptied', tbl);
    EXECUTE format('CREATE INDEX %1$I ON %2$I (size)', tbl || '_size', tbl);
    EXECUTE format('INSERT INTO file_space (table_name, content_type, files, bytes)
        SELECT %1$L, content_type, count(*), sum(size) FROM %2$I GROUP BY content_type
        ON CONFLICT (table_name, content_type) DO UPDATE SET files = excluded.files, bytes = excluded.bytes', tbl, tbl);
END $$;

SELECT file_space_track('attendance_files');
SELECT file_space_track('news_files');
SELECT file_space_track('message_files');
