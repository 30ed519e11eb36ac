-- The pupil's portfolio (issue 15): every school year's work of a pupil, theirs. Modules record
-- items into it in the change's transaction (a submission handed in, an exercise attempt, a
-- published report card); the pupil adds their own documents. An item belongs to the school
-- year it was recorded in; a year that is no longer the current one is closed: read-only, kept.
-- source names what recorded the item ("cahier:<submission id>", "exercises:<attempt id>",
-- "grades:<period id>", "transfer:<item id elsewhere>"); recording the same source again updates
-- the item. Items carried from another establishment keep where they came from (origin_*).
CREATE TABLE portfolio_items (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pupil_id             uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    school_year          text NOT NULL CHECK (school_year ~ '^[0-9]{4}-[0-9]{4}$'),
    kind                 text NOT NULL CHECK (kind IN ('submission', 'attempt', 'report_card', 'document')),
    source               text NOT NULL DEFAULT '' CHECK (length(source) <= 200),
    subject_code         text NOT NULL DEFAULT '' CHECK (length(subject_code) <= 40),
    subject_label        text NOT NULL DEFAULT '' CHECK (length(subject_label) <= 120),
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    summary              text NOT NULL DEFAULT '' CHECK (length(summary) <= 500),
    body                 text NOT NULL DEFAULT '' CHECK (length(body) <= 20000),
    visible_to_teachers  boolean NOT NULL DEFAULT false,
    origin_uai           text NOT NULL DEFAULT '',
    origin_name          text NOT NULL DEFAULT '',
    occurred_at          timestamptz NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX portfolio_items_source ON portfolio_items (pupil_id, source) WHERE source <> '';
CREATE INDEX portfolio_items_pupil ON portfolio_items (pupil_id, school_year, subject_label, occurred_at);

-- An item's documents, their bytes in the blob store under the establishment's prefix
-- ("portfolio/<random>"), type known by content, checked when served and when carried.
CREATE TABLE portfolio_files (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id       uuid NOT NULL REFERENCES portfolio_items (id) ON DELETE CASCADE,
    blob_key      text NOT NULL UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    content_type  text NOT NULL,
    size          bigint NOT NULL CHECK (size > 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at    timestamptz NOT NULL
);
CREATE INDEX portfolio_files_item ON portfolio_files (item_id);
SELECT file_space_track('portfolio_files');
