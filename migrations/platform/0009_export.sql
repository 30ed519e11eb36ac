-- Personal data exports (issue 15, RGPD right of access and portability). Runs with
-- search_path = platform. A person asks for everything the ENT holds about them (or a legal
-- guardian for their minor child); a job writes one ZIP into the blob store under blob_key,
-- chosen at the request (random, never guessable, rewritten whole by a retry), then records
-- its checksum and size and makes it ready. It can be downloaded by its requester until
-- expires_at; the periodic sweep then deletes the blob and marks it expired.
CREATE TABLE personal_exports (
    id                uuid PRIMARY KEY,
    -- Whose data: an account (its Kratos identity: every establishment of its memberships and
    -- the platform's part), and/or for a child asked for by a guardian, the child's person in
    -- the establishment the guardian asked from (a pupil without an account has no identity).
    subject           text NOT NULL,        -- the subject's key: "identity:<id>" or "person:<tenant>:<id>"
    subject_identity  uuid,
    subject_tenant    uuid REFERENCES tenants (id),
    subject_person    uuid,                 -- people.id in subject_tenant (no FK across schemas)
    subject_name      text NOT NULL DEFAULT '',
    requested_by      uuid NOT NULL,        -- the requester's Kratos identity: the only one who may download
    status            text NOT NULL DEFAULT 'en_preparation' CHECK (status IN ('en_preparation', 'prete', 'expiree', 'echec')),
    blob_key          text NOT NULL UNIQUE CHECK (blob_key LIKE 'platform/exports/%'),
    sha256            text CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'),
    size              bigint,
    created_at        timestamptz NOT NULL,
    ready_at          timestamptz,
    expires_at        timestamptz,
    CHECK ((subject_tenant IS NULL) = (subject_person IS NULL)),
    CHECK (subject_identity IS NOT NULL OR subject_person IS NOT NULL),
    CHECK ((status = 'prete') <= (sha256 IS NOT NULL AND size IS NOT NULL AND expires_at IS NOT NULL))
);
-- One export in preparation per person.
CREATE UNIQUE INDEX personal_exports_one_pending ON personal_exports (subject) WHERE status = 'en_preparation';
CREATE INDEX personal_exports_requester ON personal_exports (requested_by, created_at DESC);
CREATE INDEX personal_exports_expiry ON personal_exports (expires_at) WHERE status = 'prete';
