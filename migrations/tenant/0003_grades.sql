-- Grades and report cards. Marks are numeric(6,2): exact, never floats.

-- Trimestres or semestres of a school year, with their dates.
CREATE TABLE periods (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_year  text NOT NULL REFERENCES school_years (code),
    kind         text NOT NULL CHECK (kind IN ('trimestre', 'semestre')),
    number       integer NOT NULL CHECK (number BETWEEN 1 AND 3),
    starts_on    date NOT NULL,
    ends_on      date NOT NULL,
    CHECK (ends_on >= starts_on),
    UNIQUE (school_year, kind, number)
);

CREATE TABLE evaluations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    class_id      uuid NOT NULL REFERENCES classes (id),
    subject_code  text NOT NULL REFERENCES subjects (code),
    teacher_id    uuid REFERENCES people (id),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    on_date       date NOT NULL,
    scale         numeric(6,2) NOT NULL DEFAULT 20 CHECK (scale > 0),
    coefficient   numeric(6,2) NOT NULL DEFAULT 1 CHECK (coefficient >= 0),
    bonus         boolean NOT NULL DEFAULT false,
    published     boolean NOT NULL DEFAULT false,
    published_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evaluations_class ON evaluations (class_id, subject_code, on_date);

-- A mark is a value in [0, scale] or a code: Abs (absent), Disp (dispensé), NN (non noté).
CREATE TABLE marks (
    evaluation_id  uuid NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    pupil_id       uuid NOT NULL REFERENCES people (id),
    value          numeric(6,2) CHECK (value >= 0),
    code           text CHECK (code IN ('Abs', 'Disp', 'NN')),
    comment        text NOT NULL DEFAULT '',
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (evaluation_id, pupil_id),
    CHECK ((value IS NULL) <> (code IS NULL))
);
CREATE INDEX marks_pupil ON marks (pupil_id);

-- Subject coefficients of a class for the general average (default 1), set by direction.
CREATE TABLE subject_coefficients (
    class_id      uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    subject_code  text NOT NULL REFERENCES subjects (code),
    coefficient   numeric(6,2) NOT NULL CHECK (coefficient >= 0),
    PRIMARY KEY (class_id, subject_code)
);

-- Report cards: the teacher's appréciation per subject, the conseil de classe's comment,
-- and the publication of a class's report cards for a period.
CREATE TABLE appreciations (
    period_id     uuid NOT NULL REFERENCES periods (id) ON DELETE CASCADE,
    pupil_id      uuid NOT NULL REFERENCES people (id),
    subject_code  text NOT NULL REFERENCES subjects (code),
    author_id     uuid REFERENCES people (id),
    text          text NOT NULL CHECK (length(text) <= 1000),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period_id, pupil_id, subject_code)
);

CREATE TABLE council_comments (
    period_id   uuid NOT NULL REFERENCES periods (id) ON DELETE CASCADE,
    pupil_id    uuid NOT NULL REFERENCES people (id),
    author_id   uuid REFERENCES people (id),
    text        text NOT NULL CHECK (length(text) <= 2000),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period_id, pupil_id)
);

CREATE TABLE report_publications (
    period_id     uuid NOT NULL REFERENCES periods (id) ON DELETE CASCADE,
    class_id      uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    published_at  timestamptz NOT NULL DEFAULT now(),
    published_by  uuid REFERENCES people (id),
    PRIMARY KEY (period_id, class_id)
);

-- When a viewer last looked at a pupil's marks (new marks are highlighted).
CREATE TABLE mark_views (
    viewer_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    pupil_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    seen_at    timestamptz NOT NULL,
    PRIMARY KEY (viewer_id, pupil_id)
);
