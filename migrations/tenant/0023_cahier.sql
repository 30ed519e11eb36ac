-- The cahier de textes (modules/cahier): what was done in each lesson of a class or group
-- (séances) and the work to do (travail à faire), with the establishment's list of work
-- types, its workload threshold, and the pupils' own « fait » ticks. A séance is visible to
-- the class's pupils and their legal guardians once published and its publish_at has come
-- (by default the end of its lesson); a piece of work once its publish_at has come. The
-- direction's visas and the year-end archive are other tables (not here).

-- The establishment's settings: the daily workload above which a teacher setting work is
-- warned (the class's estimated minutes for that day, all subjects).
CREATE TABLE cahier_settings (
    id                boolean PRIMARY KEY DEFAULT true CHECK (id),
    workload_minutes  integer NOT NULL DEFAULT 90 CHECK (workload_minutes BETWEEN 10 AND 600)
);
INSERT INTO cahier_settings DEFAULT VALUES;

-- The types of work the form offers, in order; the direction edits the list. A work keeps
-- the label it was given (a type renamed or removed later does not change past work).
CREATE TABLE cahier_work_types (
    label     text PRIMARY KEY CHECK (length(label) BETWEEN 1 AND 40),
    position  integer NOT NULL
);
INSERT INTO cahier_work_types (label, position) VALUES
    ('Exercices', 1), ('Leçon', 2), ('Devoir maison', 3), ('Exposé', 4), ('Contrôle à préparer', 5);

-- A séance: one per lesson of the timetable (slot_id and on_date, the occurrence's date as
-- the slot gives it) or an exceptional one (no slot). Content is Markdown; body_html its
-- rendering, sanitised when saved. links are {"title","url"} objects, http(s) only.
CREATE TABLE cahier_sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    class_id      uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    subject_code  text NOT NULL REFERENCES subjects (code),
    teacher_id    uuid REFERENCES people (id) ON DELETE SET NULL,
    slot_id       uuid REFERENCES lesson_slots (id) ON DELETE SET NULL,
    on_date       date NOT NULL,
    starts_at     time NOT NULL,
    ends_at       time NOT NULL CHECK (ends_at > starts_at),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    body          text NOT NULL DEFAULT '' CHECK (length(body) <= 20000),
    body_html     text NOT NULL DEFAULT '',
    links         jsonb NOT NULL DEFAULT '[]',
    state         text NOT NULL CHECK (state IN ('brouillon', 'publie')),
    publish_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX cahier_sessions_lesson ON cahier_sessions (slot_id, on_date, class_id) WHERE slot_id IS NOT NULL;
CREATE INDEX cahier_sessions_class ON cahier_sessions (class_id, on_date);
CREATE INDEX cahier_sessions_teacher ON cahier_sessions (teacher_id, on_date);

-- Work to do for a class or group, linked to a séance or standalone, due on due_on (for
-- « la prochaine séance », the date of the next lesson of that class and subject, resolved
-- when saved: next_lesson records that it was asked so). Visible from publish_at; notified_at
-- is when the class's pupils were told (once).
CREATE TABLE cahier_work (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id        uuid REFERENCES cahier_sessions (id) ON DELETE CASCADE,
    class_id          uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    subject_code      text NOT NULL REFERENCES subjects (code),
    teacher_id        uuid REFERENCES people (id) ON DELETE SET NULL,
    kind              text NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    description       text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
    description_html  text NOT NULL,
    due_on            date NOT NULL,
    next_lesson       boolean NOT NULL DEFAULT false,
    minutes           integer NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 600),
    publish_at        timestamptz NOT NULL,
    notified_at       timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX cahier_work_class ON cahier_work (class_id, due_on);
CREATE INDEX cahier_work_session ON cahier_work (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX cahier_work_to_tell ON cahier_work (publish_at) WHERE notified_at IS NULL;

-- A pupil's « fait » tick: theirs alone (no tracking of minors). Only the pupil's own
-- requests read it; no teacher, guardian, direction page, statistic or API reads this table.
CREATE TABLE cahier_done (
    pupil_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    work_id   uuid NOT NULL REFERENCES cahier_work (id) ON DELETE CASCADE,
    done_at   timestamptz NOT NULL,
    PRIMARY KEY (pupil_id, work_id)
);

-- A document attached to a séance or a piece of work, its bytes in the blob store under the
-- establishment's prefix ("cahier/<random>"), type known by content, checked when served.
CREATE TABLE cahier_files (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id    uuid REFERENCES cahier_sessions (id) ON DELETE CASCADE,
    work_id       uuid REFERENCES cahier_work (id) ON DELETE CASCADE,
    blob_key      text NOT NULL UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    content_type  text NOT NULL,
    size          bigint NOT NULL CHECK (size > 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at    timestamptz NOT NULL,
    CHECK ((session_id IS NULL) <> (work_id IS NULL))
);
CREATE INDEX cahier_files_session ON cahier_files (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX cahier_files_work ON cahier_files (work_id) WHERE work_id IS NOT NULL;

-- New work to do is a kind of notification (digest by default, notify.DefaultDelivery).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('new_mark', 'absence', 'justification_answered', 'message', 'news', 'travail'));
ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_kind_check;
ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_kind_check
    CHECK (kind IN ('new_mark', 'absence', 'justification_answered', 'message', 'news', 'travail'));
