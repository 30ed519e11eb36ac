-- Licensed digital resources (issue 14): the région's catalogue of publishers, their tools
-- (LTI 1.3 tools, or plain links for free resources) and resources, and the platform's own
-- LTI signing keys. Runs with search_path = platform. What an establishment subscribed to,
-- assigned and launched lives in its own schema (tenant/0032_resources.sql).

CREATE TABLE resource_publishers (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    website     text NOT NULL DEFAULT '' CHECK (website = '' OR website ~ '^https?://'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A tool the platform launches. kind 'lti': an LTI 1.3 tool, the platform being the issuer;
-- client_id is the id the platform gave the tool; the tool's keys come from its JWKS URL or
-- its public key (PEM); deployment_ids are the deployments the tool knows (an establishment's
-- subscription launches with one of them). kind 'lien': a plain link, no personal data.
-- pseudonym_salt makes the tool's pseudonyms (sub): HMAC(salt, identity id), stable for a
-- person and this tool, unlinkable across tools.
CREATE TABLE resource_tools (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    publisher_id     uuid NOT NULL REFERENCES resource_publishers (id),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind             text NOT NULL CHECK (kind IN ('lti', 'lien')),
    client_id        text UNIQUE CHECK (kind = 'lien' OR length(client_id) BETWEEN 1 AND 200),
    login_url        text NOT NULL DEFAULT '' CHECK (kind = 'lien' OR login_url ~ '^https?://'),
    launch_url       text NOT NULL DEFAULT '' CHECK (kind = 'lien' OR launch_url ~ '^https?://'),
    redirect_urls    text[] NOT NULL DEFAULT '{}',   -- accepted redirect_uri besides launch_url
    jwks_url         text NOT NULL DEFAULT '' CHECK (jwks_url = '' OR jwks_url ~ '^https?://'),
    public_key       text NOT NULL DEFAULT '',
    deployment_ids   text[] NOT NULL DEFAULT '{}',
    scores           boolean NOT NULL DEFAULT false, -- the tool sends scores back (AGS)
    pseudonym_salt   bytea NOT NULL CHECK (length(pseudonym_salt) = 32), -- crypto/rand, by the catalogue
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'lien' OR jwks_url <> '' OR public_key <> ''),
    CHECK (kind = 'lien' OR cardinality(deployment_ids) > 0),
    UNIQUE (id, publisher_id)
);

-- A resource of the catalogue, reached through its tool: for an LTI tool, target_url is the
-- resource link's target (the tool's launch URL when empty); for a link, the page opened.
CREATE TABLE resources (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    publisher_id  uuid NOT NULL REFERENCES resource_publishers (id),
    tool_id       uuid NOT NULL,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    type          text NOT NULL CHECK (type IN ('dictionnaire', 'encyclopedie', 'manuel', 'outil', 'banque', 'presse', 'autre')),
    subjects      text[] NOT NULL DEFAULT '{}',   -- subject labels (« Mathématiques »)
    levels        text[] NOT NULL DEFAULT '{}',   -- « 2nde », « 1re », « Tle », « 6e » …
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    target_url    text NOT NULL DEFAULT '' CHECK (target_url = '' OR target_url ~ '^https?://'),
    cover         bytea CHECK (cover IS NULL OR length(cover) <= 512000),
    cover_type    text NOT NULL DEFAULT '' CHECK (cover_type IN ('', 'image/png', 'image/jpeg', 'image/webp')),
    active        boolean NOT NULL DEFAULT true,  -- withdrawn from the catalogue: no new subscription, no launch
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tool_id, publisher_id) REFERENCES resource_tools (id, publisher_id),
    UNIQUE (publisher_id, title)
);
CREATE INDEX resources_tool ON resources (tool_id);

-- The platform's LTI signing keys (RS256): the newest active key signs; the JWKS URL
-- publishes every key not yet retired, so that a tool holding an id_token signed just before
-- a rotation still verifies it. The private key is sealed with the platform's secret key.
CREATE TABLE lti_keys (
    kid          text PRIMARY KEY,
    private_key  text NOT NULL,            -- sealed PKCS#8 PEM
    public_jwk   jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    retired_at   timestamptz             -- no longer published after this
);

-- The platform's OAuth 2 access tokens for tools sending scores (LTI AGS): a tool obtains
-- one with a JWT client assertion signed by its own key. Kept as a SHA-256 hash.
CREATE TABLE lti_access_tokens (
    token_hash  bytea PRIMARY KEY,
    tool_id     uuid NOT NULL REFERENCES resource_tools (id) ON DELETE CASCADE,
    scopes      text[] NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX lti_access_tokens_expiry ON lti_access_tokens (expires_at);

-- Client assertions already used to obtain a token (replay refused), until they expire.
CREATE TABLE lti_assertions (
    tool_id     uuid NOT NULL REFERENCES resource_tools (id) ON DELETE CASCADE,
    jti         text NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tool_id, jti)
);
