-- The establishment's directory: people, classes and groups, subjects, who teaches what,
-- family links. Fed by the AAF import, the CSV import, or by hand.

CREATE TABLE school_years (
    code       text PRIMARY KEY CHECK (code ~ '^[0-9]{4}-[0-9]{4}$'),   -- '2026-2027'
    starts_on  date NOT NULL,
    ends_on    date NOT NULL,
    current    boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX school_years_one_current ON school_years (current) WHERE current;

CREATE TABLE people (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    identity_id     uuid UNIQUE,                 -- Kratos identity (platform.accounts)
    aaf_id          text UNIQUE,                 -- ENTPersonJointure
    category        text NOT NULL CHECK (category IN ('eleve', 'responsable', 'personnel')),
    roles           text[] NOT NULL DEFAULT '{}',
    title           text NOT NULL DEFAULT '',
    last_name       text NOT NULL,
    first_name      text NOT NULL,
    birth_date      date,
    login           text NOT NULL DEFAULT '',
    email           text,
    mef             text,
    functions       jsonb NOT NULL DEFAULT '[]',   -- ENTPersonFonctions labels
    active          boolean NOT NULL DEFAULT true,
    deactivated_at  timestamptz,
    purge_after     timestamptz,                 -- RGPD: data kept until then after leaving
    source          text NOT NULL DEFAULT 'manual' CHECK (source IN ('aaf', 'csv', 'manual')),
    source_attrs    jsonb,                       -- the AAF/CSV attributes last imported (for deltas)
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_name ON people (lower(last_name), lower(first_name));

CREATE TABLE subjects (
    code   text PRIMARY KEY,
    label  text NOT NULL
);

-- Classes (divisions) and groups share one table: teaching and membership work alike.
CREATE TABLE classes (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind         text NOT NULL CHECK (kind IN ('classe', 'groupe')),
    code         text NOT NULL,
    label        text NOT NULL,
    school_year  text NOT NULL REFERENCES school_years (code),
    UNIQUE (school_year, kind, code)
);

CREATE TABLE class_members (
    class_id   uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (class_id, person_id)
);
CREATE INDEX class_members_person ON class_members (person_id);

CREATE TABLE teachings (
    teacher_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    class_id      uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    subject_code  text NOT NULL REFERENCES subjects (code),
    PRIMARY KEY (teacher_id, class_id, subject_code)
);
CREATE INDEX teachings_class ON teachings (class_id);

CREATE TABLE principal_teachers (
    teacher_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    class_id    uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    PRIMARY KEY (teacher_id, class_id)
);

-- Family links; only legal guardians see grades and absences and justify absences.
CREATE TABLE guardianships (
    pupil_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    guardian_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    legal        boolean NOT NULL,
    quality      integer,
    PRIMARY KEY (pupil_id, guardian_id)
);
CREATE INDEX guardianships_guardian ON guardianships (guardian_id);

-- Each import: who, what, the report, and the first-login credentials of the accounts it
-- created (kept for 30 days for the administrator to print, then erased).
CREATE TABLE import_runs (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    at                     timestamptz NOT NULL DEFAULT now(),
    actor                  text NOT NULL,
    source                 text NOT NULL,
    files                  jsonb NOT NULL DEFAULT '[]',
    report                 jsonb NOT NULL,
    credentials            jsonb,
    credentials_expire_at  timestamptz
);
