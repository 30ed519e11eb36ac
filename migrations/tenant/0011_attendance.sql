-- Attendance (vie scolaire): the establishment's absence motifs and counting rules, the
-- registers of the roll call (registre d'appel: one per lesson occurrence, with every pupil
-- of the roster and what the teacher marked), the history of later corrections, and the
-- absences, lateness and early departures they give, with their motif and state. A register
-- is kept 10 years (Code de l'éducation): nothing here cascades from the timetable.

-- How absences are counted: gross (any absence in a half-day counts one) or calculated (pro
-- rata of the half-day's lessons); the monthly threshold of unjustified half-days (L131-8).
CREATE TABLE attendance_settings (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    method     text NOT NULL DEFAULT 'brut' CHECK (method IN ('brut', 'calcule')),
    threshold  integer NOT NULL DEFAULT 4 CHECK (threshold BETWEEN 1 AND 40)
);   -- no row: gross, 4 (the defaults, read as such; saving the settings writes the row)

-- The motifs (reasons) of absences, per establishment, with their flags (DOMAIN.md).
CREATE TABLE absence_motifs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    label       text NOT NULL UNIQUE CHECK (length(label) BETWEEN 1 AND 80),
    justifies   boolean NOT NULL,          -- the absence is justified with it
    on_report   boolean NOT NULL,          -- counts on the report card
    online      boolean NOT NULL,          -- legal guardians may choose it online
    shown       boolean NOT NULL,          -- legal guardians see it (else "motif confidentiel")
    position    integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true
);
-- The default motifs come with the establishment's first school year, whoever creates it (a
-- migration inserting rows would collide with the rows an export restores into a new schema:
-- restoring disables user triggers while it loads, tenant/archive.go).
CREATE FUNCTION insert_default_absence_motifs() RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM absence_motifs) THEN
        INSERT INTO absence_motifs (label, justifies, on_report, online, shown, position) VALUES
            ('Maladie', true, true, true, true, 1),
            ('Rendez-vous médical', true, true, true, true, 2),
            ('Raison familiale', true, true, true, true, 3),
            ('Problème de transport', true, true, true, true, 4),
            ('Convocation officielle (examen, JDC, tribunal)', true, false, true, true, 5),
            ('Activité scolaire (sortie, voyage, UNSS)', true, false, false, true, 6),
            ('Raison confidentielle', true, true, false, false, 7),
            ('Exclusion', false, true, false, true, 8),
            ('Panne de réveil', false, true, false, true, 9),
            ('Motif non recevable', false, true, false, true, 10);
    END IF;
END $$;

CREATE FUNCTION default_absence_motifs() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM insert_default_absence_motifs();
    RETURN NULL;
END $$;

CREATE TRIGGER school_years_default_absence_motifs AFTER INSERT ON school_years
    FOR EACH STATEMENT EXECUTE FUNCTION default_absence_motifs();

-- Establishments that have a school year already get them now.
SELECT insert_default_absence_motifs() WHERE EXISTS (SELECT 1 FROM school_years);

-- A register: one lesson occurrence (slot_id + lesson_date from the timetable) or an ad hoc
-- lesson (replacement, outing) without a slot. Its class, subject, time and teachers are
-- copied in: the record stays as it was taken when the timetable changes.
CREATE TABLE registers (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slot_id       uuid,                   -- no foreign key: the register outlives the slot
    lesson_date   date NOT NULL,          -- the slot's date (the occurrence's identity)
    on_date       date NOT NULL,          -- the date it takes place
    starts_at     time NOT NULL,
    ends_at       time NOT NULL CHECK (ends_at > starts_at),
    afternoon     boolean NOT NULL,       -- its half-day, by the day profile when it was created
    class_id      uuid NOT NULL REFERENCES classes (id),
    class_label   text NOT NULL,
    subject_label text NOT NULL DEFAULT '',
    teacher_ids   uuid[] NOT NULL DEFAULT '{}',
    teachers      text NOT NULL DEFAULT '',
    kind          text NOT NULL DEFAULT 'cours' CHECK (kind IN ('cours', 'ponctuel')),
    label         text NOT NULL DEFAULT '' CHECK (length(label) <= 120),
    taken_at      timestamptz,
    taken_by      uuid REFERENCES people (id),
    created_by    uuid REFERENCES people (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'ponctuel' OR slot_id IS NOT NULL)
);
CREATE UNIQUE INDEX registers_occurrence ON registers (slot_id, lesson_date) WHERE slot_id IS NOT NULL;
CREATE INDEX registers_day ON registers (on_date, starts_at);
CREATE INDEX registers_teachers ON registers USING gin (teacher_ids);

-- An absence (one or several consecutive lessons), a lateness (retard) or an early departure
-- (depart) of a pupil, with its motif and state.
CREATE TABLE absences (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pupil_id    uuid NOT NULL REFERENCES people (id),
    kind        text NOT NULL CHECK (kind IN ('absence', 'retard', 'depart')),
    on_date     date NOT NULL,
    starts_at   time NOT NULL,
    ends_at     time NOT NULL,
    minutes     integer NOT NULL DEFAULT 0,   -- a lateness's minutes
    motif_id    uuid REFERENCES absence_motifs (id),
    state       text NOT NULL DEFAULT 'en_attente' CHECK (state IN ('en_attente', 'justifiee', 'refusee', 'non_justifiee')),
    comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    decided_by  uuid REFERENCES people (id),
    decided_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX absences_pupil ON absences (pupil_id, on_date);
CREATE INDEX absences_day ON absences (on_date, state);

-- Every pupil of a register's roster and what was marked: present, absent, late (minutes)
-- or left early; the absence it belongs to.
CREATE TABLE register_entries (
    register_id  uuid NOT NULL REFERENCES registers (id) ON DELETE CASCADE,
    pupil_id     uuid NOT NULL REFERENCES people (id),
    status       text NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'absent', 'retard', 'depart')),
    minutes      integer NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 600),
    absence_id   uuid REFERENCES absences (id) ON DELETE SET NULL,
    PRIMARY KEY (register_id, pupil_id)
);
CREATE INDEX register_entries_pupil ON register_entries (pupil_id);
CREATE INDEX register_entries_absence ON register_entries (absence_id) WHERE absence_id IS NOT NULL;

-- Corrections of a register after it was first taken: who changed which pupil, when, from
-- what to what.
CREATE TABLE register_changes (
    id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    register_id  uuid NOT NULL REFERENCES registers (id) ON DELETE CASCADE,
    pupil_id     uuid NOT NULL REFERENCES people (id),
    old_status   text NOT NULL,
    old_minutes  integer NOT NULL,
    new_status   text NOT NULL,
    new_minutes  integer NOT NULL,
    changed_by   uuid REFERENCES people (id),
    changed_at   timestamptz NOT NULL
);
CREATE INDEX register_changes_register ON register_changes (register_id, changed_at);

-- A legal guardian's justification of an event: a motif among those usable online and a
-- comment; the vie scolaire accepts it (the event takes its motif) or refuses it, with a
-- comment. Every one is kept: the guardian sees the history.
CREATE TABLE justifications (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    absence_id   uuid NOT NULL REFERENCES absences (id) ON DELETE CASCADE,
    guardian_id  uuid NOT NULL REFERENCES people (id),
    motif_id     uuid NOT NULL REFERENCES absence_motifs (id),
    comment      text NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    state        text NOT NULL DEFAULT 'en_attente' CHECK (state IN ('en_attente', 'acceptee', 'refusee')),
    answer       text NOT NULL DEFAULT '' CHECK (length(answer) <= 500),
    answered_by  uuid REFERENCES people (id),
    answered_at  timestamptz,
    created_at   timestamptz NOT NULL
);
CREATE INDEX justifications_absence ON justifications (absence_id, created_at);
CREATE INDEX justifications_pending ON justifications (created_at) WHERE state = 'en_attente';
