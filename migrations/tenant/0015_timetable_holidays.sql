-- The establishment's holiday periods (vacances scolaires), entered by direction: no lesson
-- is expanded on their days (week views, calendar feeds, the roll call's registers), and a
-- week whose Monday to Friday are holidays does not count in the A/B alternation unless
-- timetable_settings.ab_through_holidays says it does (some schools alternate regardless).

CREATE TABLE timetable_holidays (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL CHECK (ends_on >= starts_on),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX timetable_holidays_dates ON timetable_holidays (starts_on, ends_on);

ALTER TABLE timetable_settings ADD COLUMN ab_through_holidays boolean NOT NULL DEFAULT false;
