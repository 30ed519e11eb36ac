-- Work handed in (issue 15): a « travail à faire » may ask for a submission (files, text or
-- both); each pupil of its class hands in theirs, late ones flagged; the teacher returns it
-- with a comment and optionally a mark (written into the grades grid by the grades module).
-- The submission's content is the pupil's: a portfolio item (source "cahier:<submission id>")
-- holding its text and files; this table keeps the hand-in's dates, flags and the return.
ALTER TABLE cahier_work ADD COLUMN submission text NOT NULL DEFAULT 'aucun'
    CHECK (submission IN ('aucun', 'fichiers', 'texte', 'fichiers_texte'));

CREATE TABLE cahier_submissions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    work_id       uuid NOT NULL REFERENCES cahier_work (id) ON DELETE CASCADE,
    pupil_id      uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    item_id       uuid REFERENCES portfolio_items (id) ON DELETE SET NULL,
    submitted_at  timestamptz NOT NULL,   -- the last hand-in (a replacement's)
    first_at      timestamptz NOT NULL,   -- the first
    late          boolean NOT NULL,       -- the last hand-in came after the end of the due date
    returned_at   timestamptz,
    returned_by   uuid REFERENCES people (id) ON DELETE SET NULL,
    comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 5000),
    mark          text NOT NULL DEFAULT '' CHECK (length(mark) <= 20), -- as typed, « 15 », « 12,5 », « Abs »
    UNIQUE (work_id, pupil_id)
);
CREATE INDEX cahier_submissions_pupil ON cahier_submissions (pupil_id);
