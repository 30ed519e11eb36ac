-- Accounts and who may enter which establishment. Kratos holds credentials and sessions;
-- Cartable holds memberships and roles, keyed by the Kratos identity id.

-- One account per person across the platform: a parent with children in two establishments
-- has one login and two memberships.
CREATE TABLE accounts (
    identity_id  uuid PRIMARY KEY,               -- Kratos identity
    login        text NOT NULL UNIQUE,           -- the username trait
    aaf_id       text UNIQUE,                    -- ENTPersonJointure: stable within the académie
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    identity_id  uuid NOT NULL REFERENCES accounts (identity_id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    person_id    uuid NOT NULL,                  -- people.id in the tenant schema (no FK across schemas)
    roles        text[] NOT NULL,
    active       boolean NOT NULL DEFAULT true,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (identity_id, tenant_id)
);
CREATE INDEX memberships_tenant ON memberships (tenant_id);

-- Administrators of the région (all establishments) and of a département (its collèges).
CREATE TABLE platform_admins (
    identity_id       uuid PRIMARY KEY REFERENCES accounts (identity_id) ON DELETE CASCADE,
    role              text NOT NULL CHECK (role IN ('admin_regional', 'admin_departemental')),
    departement_code  text REFERENCES organisations (code),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'admin_departemental') = (departement_code IS NOT NULL))
);
