-- The timetable (emploi du temps): the establishment's day profile, weekly lesson slots of
-- classes and groups, their exceptions on given dates, and the per-person secrets of the
-- iCalendar feeds. Lesson occurrences are not stored: they are expanded from slots and
-- exceptions (modules/timetable), so that a slot changed mid-year changes every week after.

-- The day profile: one row per establishment. morning_ends is the end of the morning
-- half-day (absences are counted in half-days); week_a is a Monday of a week A (A/B weeks
-- alternate from it; none: the week of the school year's first day is a week A).
CREATE TABLE timetable_settings (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    morning_ends  time NOT NULL DEFAULT '12:30',
    week_a        date CHECK (extract(isodow FROM week_a) = 1)
);

-- The named periods of a day (M1…M4 in the morning, S1…S4 in the afternoon).
CREATE TABLE timetable_periods (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]{0,7}$'),
    starts_at  time NOT NULL,
    ends_at    time NOT NULL CHECK (ends_at > starts_at)
);

-- A weekly lesson of a class or group (classes.kind says which).
CREATE TABLE lesson_slots (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    class_id      uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    subject_code  text NOT NULL REFERENCES subjects (code),
    room          text NOT NULL DEFAULT '' CHECK (length(room) <= 40),
    weekday       smallint NOT NULL CHECK (weekday BETWEEN 1 AND 6),   -- ISO: 1 = Monday
    starts_at     time NOT NULL,
    ends_at       time NOT NULL CHECK (ends_at > starts_at),
    weeks         text NOT NULL DEFAULT 'all' CHECK (weeks IN ('all', 'A', 'B')),
    valid_from    date NOT NULL,
    valid_until   date NOT NULL CHECK (valid_until >= valid_from),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lesson_slots_class ON lesson_slots (class_id);
CREATE INDEX lesson_slots_weekday ON lesson_slots (weekday, valid_from, valid_until);
CREATE INDEX lesson_slots_room ON lesson_slots (lower(room)) WHERE room <> '';

CREATE TABLE lesson_slot_teachers (
    slot_id     uuid NOT NULL REFERENCES lesson_slots (id) ON DELETE CASCADE,
    teacher_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (slot_id, teacher_id)
);
CREATE INDEX lesson_slot_teachers_teacher ON lesson_slot_teachers (teacher_id);

-- What happens to one occurrence of a slot (the slot's date on_date): cancelled (annule),
-- moved to another date, time or room (deplace), or taught by a replacement (remplace).
CREATE TABLE lesson_exceptions (
    slot_id         uuid NOT NULL REFERENCES lesson_slots (id) ON DELETE CASCADE,
    on_date         date NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('annule', 'deplace', 'remplace')),
    new_date        date,
    new_starts_at   time,
    new_ends_at     time,
    new_room        text CHECK (length(new_room) <= 40),
    replacement_id  uuid REFERENCES people (id) ON DELETE CASCADE,
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (slot_id, on_date),
    CHECK (kind <> 'deplace' OR new_date IS NOT NULL AND new_starts_at IS NOT NULL AND new_ends_at > new_starts_at),
    CHECK (kind <> 'remplace' OR replacement_id IS NOT NULL)
);
CREATE INDEX lesson_exceptions_new_date ON lesson_exceptions (new_date) WHERE new_date IS NOT NULL;
CREATE INDEX lesson_exceptions_replacement ON lesson_exceptions (replacement_id) WHERE replacement_id IS NOT NULL;

-- The secret of a person's calendar feed, as a SHA-256 hash: the subscribe URL carries the
-- secret itself, shown once; regenerating replaces it, revoking deletes the row.
CREATE TABLE timetable_feeds (
    person_id    uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    secret_hash  bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);
