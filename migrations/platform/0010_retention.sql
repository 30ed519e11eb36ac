-- Retention (issue 15 §5): what each run of a retention purge removed, per establishment and
-- kind of data (modules/retention.Kinds): the région's report « Conservation des données ».
-- One row per run, establishment and kind, zero included (the run happened and found
-- nothing); bytes are the files' sizes when the kind has files, 0 otherwise. Rows are kept
-- a year (the retention job removes older ones).
CREATE TABLE retention_runs (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day        date NOT NULL,                       -- the run's day, Europe/Paris
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    kind       text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    count      bigint NOT NULL CHECK (count >= 0),
    bytes      bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    ran_at     timestamptz NOT NULL
);
CREATE INDEX retention_runs_day ON retention_runs (day, tenant_id, kind);
