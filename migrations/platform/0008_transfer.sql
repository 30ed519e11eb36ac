-- Portfolios carried from one establishment to another (issue 15 §3). When an AAF import brings
-- into establishment B (to_tenant) a pupil whose national join key (or account) is a pupil's
-- of establishment A (from_tenant) who has a portfolio there, the pupil is asked, on B's
-- host, whether to bring it; a minor's legal guardian (of B's directory) must accept too.
-- On acceptance a job copies the items and their files into B. Runs with search_path =
-- platform. No foreign key into the tenants' schemas: the people are named by their ids in
-- each (from_person in A, to_person in B).
CREATE TABLE portfolio_transfers (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    from_tenant        uuid NOT NULL REFERENCES tenants (id),
    to_tenant          uuid NOT NULL REFERENCES tenants (id),
    from_person        uuid NOT NULL,
    to_person          uuid NOT NULL,
    identity_id        uuid,                     -- the pupil's account in B, when they have one
    status             text NOT NULL DEFAULT 'asked'
                       CHECK (status IN ('asked', 'accepted', 'refused', 'expired', 'copying', 'done', 'failed')),
    asked_at           timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    -- What A holds, counted when the question is asked: [{year, kind, count}], files, bytes.
    summary            jsonb NOT NULL DEFAULT '[]',
    items              integer NOT NULL DEFAULT 0,
    files              integer NOT NULL DEFAULT 0,
    bytes              bigint NOT NULL DEFAULT 0,
    -- The answers: the pupil's, and a legal guardian's (their people.id in B) for a minor.
    pupil_answer       text CHECK (pupil_answer IN ('accepted', 'refused')),
    pupil_answered_at  timestamptz,
    guardian_answer    text CHECK (guardian_answer IN ('accepted', 'refused')),
    guardian_id        uuid,
    guardian_answered_at timestamptz,
    -- The copy: when it ended, what it copied, why it failed.
    copied_items       integer NOT NULL DEFAULT 0,
    copied_files       integer NOT NULL DEFAULT 0,
    copied_bytes       bigint NOT NULL DEFAULT 0,
    copied_at          timestamptz,
    origin_logged_at   timestamptz,              -- A's audit line written (after B's commit)
    failure            text NOT NULL DEFAULT '',
    updated_at         timestamptz NOT NULL,
    CHECK (from_tenant <> to_tenant),
    UNIQUE (from_tenant, to_tenant, from_person)  -- never asked twice for the same pair
);
CREATE INDEX portfolio_transfers_to ON portfolio_transfers (to_tenant, to_person);
CREATE INDEX portfolio_transfers_open ON portfolio_transfers (expires_at) WHERE status = 'asked';
