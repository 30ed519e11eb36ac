-- Attendance, continued: absences declared in advance by a legal guardian (a doctor's
-- appointment next Tuesday), which the vie scolaire accepts or refuses like a justification
-- and which the roll call applies to the absences they cover; and the documents (PDF, JPEG,
-- PNG) attached to justifications and declarations. A document's bytes are in the blob store
-- (gocloud.dev/blob); its row keeps where (an unguessable key under the establishment's id),
-- what (type by content, size, SHA-256) and its sanitised name. A blob that no row knows any
-- more (its justification or declaration deleted, a leaver purged, a transaction that failed)
-- is removed by the hourly sweep (modules/attendance/sweep.go).

CREATE TABLE absence_declarations (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pupil_id     uuid NOT NULL REFERENCES people (id),
    guardian_id  uuid NOT NULL REFERENCES people (id),
    on_date      date NOT NULL,
    starts_at    time NOT NULL,
    ends_at      time NOT NULL CHECK (ends_at > starts_at),
    motif_id     uuid NOT NULL REFERENCES absence_motifs (id),
    comment      text NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    state        text NOT NULL DEFAULT 'en_attente' CHECK (state IN ('en_attente', 'acceptee', 'refusee')),
    answer       text NOT NULL DEFAULT '' CHECK (length(answer) <= 500),
    answered_by  uuid REFERENCES people (id),
    answered_at  timestamptz,
    created_at   timestamptz NOT NULL
);
CREATE INDEX absence_declarations_pupil ON absence_declarations (pupil_id, on_date);
CREATE INDEX absence_declarations_day ON absence_declarations (on_date);
CREATE INDEX absence_declarations_pending ON absence_declarations (created_at) WHERE state = 'en_attente';

-- The justification the roll call made of a declaration for the absence it covers.
ALTER TABLE justifications ADD COLUMN declaration_id uuid REFERENCES absence_declarations (id) ON DELETE SET NULL;
CREATE INDEX justifications_declaration ON justifications (declaration_id) WHERE declaration_id IS NOT NULL;

-- A document attached to a justification or to a declaration (exactly one); it goes with it.
CREATE TABLE attendance_files (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    justification_id  uuid REFERENCES justifications (id) ON DELETE CASCADE,
    declaration_id    uuid REFERENCES absence_declarations (id) ON DELETE CASCADE,
    blob_key          text NOT NULL UNIQUE,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    content_type      text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size              bigint NOT NULL CHECK (size > 0),
    sha256            text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at        timestamptz NOT NULL,
    CHECK ((justification_id IS NULL) <> (declaration_id IS NULL))
);
CREATE INDEX attendance_files_justification ON attendance_files (justification_id) WHERE justification_id IS NOT NULL;
CREATE INDEX attendance_files_declaration ON attendance_files (declaration_id) WHERE declaration_id IS NOT NULL;
