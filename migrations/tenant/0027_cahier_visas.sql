-- The direction's visas on the cahier de textes and its year-end archive (modules/cahier).
--
-- A visa: a person holding cahier.visa (direction, inspection) signed the cahier of a class or
-- group, of one subject or all (subject_code NULL), at signed_at, with a comment. It covers
-- what was entered up to then: sessions and works are how many published séances and pieces
-- of work of that scope existed when it was signed. Séances stay editable by their teacher
-- afterwards; what was entered after a visa is what no visa covers yet (created_at later).
CREATE TABLE cahier_visas (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    class_id      uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    subject_code  text REFERENCES subjects (code),
    signed_by     uuid REFERENCES people (id) ON DELETE SET NULL,
    signer        text NOT NULL,                 -- the name as signed
    signed_at     timestamptz NOT NULL,
    sessions      integer NOT NULL CHECK (sessions >= 0),
    works         integer NOT NULL CHECK (works >= 0),
    comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000)
);
CREATE INDEX cahier_visas_class ON cahier_visas (class_id, signed_at DESC);

-- The year-end archive: one PDF per class or group and school year, once (the UNIQUE makes
-- the job and the direction's action idempotent), its bytes in the blob store under
-- "cahier/archives/<random>", counted in the establishment's file space.
CREATE TABLE cahier_archives (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    class_id      uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    school_year   text NOT NULL REFERENCES school_years (code),
    blob_key      text NOT NULL UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    content_type  text NOT NULL DEFAULT 'application/pdf',
    size          bigint NOT NULL CHECK (size > 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    sessions      integer NOT NULL CHECK (sessions >= 0),
    created_by    uuid REFERENCES people (id) ON DELETE SET NULL, -- NULL: the year-end job
    created_at    timestamptz NOT NULL,
    UNIQUE (class_id, school_year)
);
SELECT file_space_track('cahier_archives');

-- An archived class's séances, work and attachments are read-only for everyone: a change is
-- refused with SQLSTATE CAH01 (the service turns it into a French message). What the
-- database does by itself stays possible: a teacher's or slot's removal (ON DELETE SET NULL)
-- and the class's own deletion (its rows go with it). Restoring an export loads rows with
-- user triggers off (tenant.Registry.Import).
CREATE FUNCTION cahier_archived_refuse() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    r record;
    classes_of uuid[];
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'teacher_id' - 'slot_id' - 'notified_at')
                          = (to_jsonb(OLD) - 'teacher_id' - 'slot_id' - 'notified_at') THEN
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'cahier_files' THEN
        classes_of := ARRAY[coalesce((SELECT s.class_id FROM cahier_sessions s WHERE s.id = r.session_id),
                                     (SELECT w.class_id FROM cahier_work w WHERE w.id = r.work_id))];
    ELSIF TG_OP = 'UPDATE' THEN
        classes_of := ARRAY[OLD.class_id, NEW.class_id];
    ELSE
        classes_of := ARRAY[r.class_id];
    END IF;
    IF EXISTS (SELECT 1 FROM cahier_archives a JOIN classes c ON c.id = a.class_id AND c.school_year = a.school_year
               WHERE a.class_id = ANY (classes_of)) THEN
        RAISE EXCEPTION 'cahier de textes archived' USING ERRCODE = 'CAH01';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cahier_sessions_archived BEFORE INSERT OR UPDATE OR DELETE ON cahier_sessions
    FOR EACH ROW EXECUTE FUNCTION cahier_archived_refuse();
CREATE TRIGGER cahier_work_archived BEFORE INSERT OR UPDATE OR DELETE ON cahier_work
    FOR EACH ROW EXECUTE FUNCTION cahier_archived_refuse();
CREATE TRIGGER cahier_files_archived BEFORE INSERT OR UPDATE OR DELETE ON cahier_files
    FOR EACH ROW EXECUTE FUNCTION cahier_archived_refuse();
