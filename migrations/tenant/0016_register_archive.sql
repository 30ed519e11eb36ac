-- The registre d'appel is kept 10 years (DOMAIN.md, Rules): each school year, once ended,
-- is archived into tables that hold no reference to people (names are copied), so that
-- the purge of a pupil or teacher who left three months ago cannot take the register with
-- them, and that become read-only once the year is closed. The rows of a pupil purged
-- before the year's end are archived by triggers at the moment they are deleted.

-- Who took a register, by name: kept when that person's row is purged (taken_by is then
-- cleared by the directory's purge).
ALTER TABLE registers ADD COLUMN taken_by_name text NOT NULL DEFAULT '';

CREATE FUNCTION registers_taken_by_name() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.taken_by IS NOT DISTINCT FROM OLD.taken_by THEN
            RETURN NEW;
        END IF;
    END IF;
    IF NEW.taken_by IS NOT NULL THEN
        NEW.taken_by_name := coalesce((SELECT concat_ws(' ', first_name, last_name) FROM people WHERE id = NEW.taken_by), '');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER registers_taken_by_name BEFORE UPDATE OF taken_by ON registers
    FOR EACH ROW EXECUTE FUNCTION registers_taken_by_name();
CREATE TRIGGER registers_taken_by_name_insert BEFORE INSERT ON registers
    FOR EACH ROW WHEN (NEW.taken_by IS NOT NULL) EXECUTE FUNCTION registers_taken_by_name();
UPDATE registers r SET taken_by_name = concat_ws(' ', p.first_name, p.last_name) FROM people p WHERE p.id = r.taken_by;

-- The school years closed: from then on their archived rows are read-only, and they are
-- deleted after keep_until (ten years after the year's end).
CREATE TABLE register_archives (
    school_year  text PRIMARY KEY CHECK (school_year ~ '^[0-9]{4}-[0-9]{4}$'),
    starts_on    date NOT NULL,
    ends_on      date NOT NULL,
    archived_at  timestamptz NOT NULL,
    keep_until   date NOT NULL,
    registers    integer NOT NULL,
    entries      integer NOT NULL
);

-- A taken register as it was: its lesson and who took it.
CREATE TABLE archived_registers (
    id             uuid PRIMARY KEY,        -- the register's
    school_year    text NOT NULL,
    on_date        date NOT NULL,
    starts_at      time NOT NULL,
    ends_at        time NOT NULL,
    class_label    text NOT NULL,
    subject_label  text NOT NULL,
    teachers       text NOT NULL,
    kind           text NOT NULL,
    label          text NOT NULL,
    taken_at       timestamptz NOT NULL,
    taken_by       text NOT NULL,
    pupils         integer NOT NULL         -- pupils on the roll
);
CREATE INDEX archived_registers_year ON archived_registers (school_year, on_date, starts_at);

-- A pupil not present at a taken register: absent, late (minutes) or left early, with the
-- motif and state of their absence when archived.
CREATE TABLE archived_register_entries (
    register_id  uuid NOT NULL REFERENCES archived_registers (id),
    pupil_id     uuid NOT NULL,             -- no foreign key: the pupil may be purged
    school_year  text NOT NULL,
    pupil        text NOT NULL,             -- "MARTIN Alice"
    birth_date   date,
    status       text NOT NULL,
    minutes      integer NOT NULL,
    motif        text NOT NULL,
    state        text NOT NULL,
    PRIMARY KEY (register_id, pupil_id)
);
CREATE INDEX archived_register_entries_year ON archived_register_entries (school_year, pupil);

-- school_year_of is the school year of a date: the establishment's own when it has one
-- covering it, else September to August.
CREATE FUNCTION school_year_of(d date) RETURNS text LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT coalesce(
        (SELECT code FROM school_years WHERE d BETWEEN starts_on AND ends_on ORDER BY starts_on DESC LIMIT 1),
        CASE WHEN extract(month FROM d) >= 9
            THEN to_char(d, 'YYYY') || '-' || (extract(year FROM d)::int + 1)
            ELSE (extract(year FROM d)::int - 1) || '-' || to_char(d, 'YYYY') END)
$$;

-- archive_register_rows copies the taken registers ids (all of them when null) and their
-- entries not present (of the pupils pupils, or all when null) into the archive; rows
-- already there are brought up to date while their year is open.
CREATE FUNCTION archive_register_rows(ids uuid[], pupils uuid[]) RETURNS integer LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE n integer;
BEGIN
    INSERT INTO archived_registers AS a (id, school_year, on_date, starts_at, ends_at, class_label, subject_label, teachers, kind, label, taken_at, taken_by, pupils)
    SELECT r.id, school_year_of(r.on_date), r.on_date, r.starts_at, r.ends_at, r.class_label, r.subject_label, r.teachers, r.kind, r.label,
           r.taken_at, r.taken_by_name, (SELECT count(*) FROM register_entries e WHERE e.register_id = r.id)
    FROM registers r WHERE r.id = ANY(ids) AND r.taken_at IS NOT NULL
    ON CONFLICT (id) DO UPDATE SET on_date = excluded.on_date, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
        teachers = excluded.teachers, taken_at = excluded.taken_at, taken_by = excluded.taken_by,
        pupils = greatest(a.pupils, excluded.pupils)
        WHERE NOT EXISTS (SELECT 1 FROM register_archives y WHERE y.school_year = a.school_year);
    INSERT INTO archived_register_entries AS a (register_id, pupil_id, school_year, pupil, birth_date, status, minutes, motif, state)
    SELECT e.register_id, e.pupil_id, school_year_of(r.on_date), upper(p.last_name) || ' ' || p.first_name, p.birth_date,
           e.status, e.minutes, coalesce(m.label, ''), coalesce(ab.state, '')
    FROM register_entries e
    JOIN registers r ON r.id = e.register_id AND r.taken_at IS NOT NULL
    JOIN people p ON p.id = e.pupil_id
    LEFT JOIN absences ab ON ab.id = e.absence_id
    LEFT JOIN absence_motifs m ON m.id = ab.motif_id
    WHERE e.register_id = ANY(ids) AND e.status <> 'present' AND (pupils IS NULL OR e.pupil_id = ANY(pupils))
    -- A line archived with its absence keeps the absence's motif and state when archived
    -- again without it (the purge deletes the absence before the line).
    ON CONFLICT (register_id, pupil_id) DO UPDATE SET status = excluded.status, minutes = excluded.minutes,
        motif = CASE WHEN excluded.state = '' THEN a.motif ELSE excluded.motif END,
        state = CASE WHEN excluded.state = '' THEN a.state ELSE excluded.state END
        WHERE NOT EXISTS (SELECT 1 FROM register_archives y WHERE y.school_year = a.school_year);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- Before a pupil's absence or register line goes (the purge of a leaver deletes them, the
-- absence first), what it says is archived, with the register it belongs to.
CREATE FUNCTION archive_before_delete() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE d date;
BEGIN
    -- A closed year is archived whole already: nothing to copy (the purge of last year's
    -- leavers deletes many such rows).
    IF TG_TABLE_NAME = 'absences' THEN
        d := OLD.on_date;
    ELSE
        SELECT on_date INTO d FROM registers WHERE id = OLD.register_id;
    END IF;
    IF d IS NULL OR EXISTS (SELECT 1 FROM register_archives WHERE d BETWEEN starts_on AND ends_on) THEN
        RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'absences' THEN
        PERFORM archive_register_rows(ARRAY(SELECT register_id FROM register_entries WHERE absence_id = OLD.id), ARRAY[OLD.pupil_id]);
    ELSE  -- a present pupil's line too: the register then counts them on its roll
        PERFORM archive_register_rows(ARRAY[OLD.register_id], ARRAY[OLD.pupil_id]);
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER absences_archive BEFORE DELETE ON absences FOR EACH ROW EXECUTE FUNCTION archive_before_delete();
CREATE TRIGGER register_entries_archive BEFORE DELETE ON register_entries FOR EACH ROW EXECUTE FUNCTION archive_before_delete();

-- A closed year's archive is read-only; only its deletion after keep_until, which names
-- the year in cartable.archive_purge, may remove it.
CREATE FUNCTION archive_read_only() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM register_archives y WHERE y.school_year = OLD.school_year)
       AND current_setting('cartable.archive_purge', true) IS DISTINCT FROM OLD.school_year THEN
        RAISE EXCEPTION 'le registre d''appel de l''année % est archivé : il ne peut plus être modifié', OLD.school_year
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER archived_registers_read_only BEFORE UPDATE OR DELETE ON archived_registers
    FOR EACH ROW EXECUTE FUNCTION archive_read_only();
CREATE TRIGGER archived_register_entries_read_only BEFORE UPDATE OR DELETE ON archived_register_entries
    FOR EACH ROW EXECUTE FUNCTION archive_read_only();
CREATE TRIGGER register_archives_read_only BEFORE UPDATE OR DELETE ON register_archives
    FOR EACH ROW EXECUTE FUNCTION archive_read_only();

-- Once its year is closed, what a register and an absence say no longer changes (the
-- archive holds it): a roll, a decision or a justification of that year is refused. The
-- purge of a leaver, which only clears references and deletes rows, still works.
CREATE FUNCTION closed_year_unchanged() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE d date; y text;
BEGIN
    IF TG_TABLE_NAME = 'absences' THEN
        d := OLD.on_date;
    ELSE
        SELECT on_date INTO d FROM registers WHERE id = OLD.register_id;
    END IF;
    SELECT school_year INTO y FROM register_archives WHERE d BETWEEN starts_on AND ends_on;
    IF y IS NOT NULL THEN
        RAISE EXCEPTION 'l''année scolaire % est archivée : son registre d''appel ne peut plus être modifié', y
            USING ERRCODE = 'CA001';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER absences_closed_year BEFORE UPDATE ON absences FOR EACH ROW
    WHEN ((OLD.state, OLD.motif_id, OLD.comment, OLD.starts_at, OLD.ends_at) IS DISTINCT FROM (NEW.state, NEW.motif_id, NEW.comment, NEW.starts_at, NEW.ends_at))
    EXECUTE FUNCTION closed_year_unchanged();
CREATE TRIGGER register_entries_closed_year BEFORE UPDATE ON register_entries FOR EACH ROW
    WHEN ((OLD.status, OLD.minutes) IS DISTINCT FROM (NEW.status, NEW.minutes))
    EXECUTE FUNCTION closed_year_unchanged();
