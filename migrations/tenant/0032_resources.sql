-- Licensed digital resources (issue 14), one establishment's part: its subscriptions to
-- resources of the région's catalogue (platform.resources, no foreign key across schemas),
-- their assignment to everyone, profiles, classes, groups or people, the licences given,
-- what each tool may be told of a person, the launches (the audit, kept one year), the
-- scores tools sent back (LTI AGS) and the GAR-style directory exports.

-- Who besides the direction manages the resources (a documentaliste): the référents.
CREATE TABLE resource_referents (
    person_id   uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    granted_by  uuid,
    granted_at  timestamptz NOT NULL
);

-- The establishment's settings: whether it uses an external access manager (the GAR-style
-- export is then generated every night), and the salt of the export's pseudonymous ids.
CREATE TABLE resource_settings (
    id               boolean PRIMARY KEY DEFAULT true CHECK (id),
    external_manager boolean NOT NULL DEFAULT false,
    export_salt      bytea NOT NULL CHECK (length(export_salt) = 32),
    updated_at       timestamptz NOT NULL
);

-- A subscription: a resource (and its tool) for a period. kind 'etablissement': everyone of
-- the target has it, automatically, without counting licences; kind 'personne': people get
-- it by assignment, within the licences (a global number, one per profile, or unlimited).
CREATE TABLE resource_subscriptions (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    resource_id           uuid NOT NULL,            -- platform.resources
    tool_id               uuid NOT NULL,            -- platform.resource_tools
    deployment_id         text NOT NULL DEFAULT '',  -- one of the tool's deployment ids ('' for a link)
    starts_on             date NOT NULL,
    ends_on               date NOT NULL,
    kind                  text NOT NULL CHECK (kind IN ('etablissement', 'personne')),
    target                text NOT NULL CHECK (target IN ('eleves', 'enseignants', 'tous')),
    licence_mode          text NOT NULL CHECK (licence_mode IN ('illimite', 'global', 'par_profil')),
    licences              integer CHECK (licences IS NULL OR licences BETWEEN 0 AND 1000000),
    licences_eleves       integer CHECK (licences_eleves IS NULL OR licences_eleves BETWEEN 0 AND 1000000),
    licences_enseignants  integer CHECK (licences_enseignants IS NULL OR licences_enseignants BETWEEN 0 AND 1000000),
    created_by            uuid,
    created_at            timestamptz NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (kind = 'personne' OR licence_mode = 'illimite'),
    CHECK (licence_mode <> 'global' OR licences IS NOT NULL),
    CHECK (licence_mode <> 'par_profil' OR (licences_eleves IS NOT NULL AND licences_enseignants IS NOT NULL))
);
CREATE INDEX resource_subscriptions_resource ON resource_subscriptions (resource_id);

-- An assignment of a per-person subscription: to everyone of its target, a profile, a class
-- or group, or a person. Its people get licences at once (refused when too few are left);
-- newcomers of a class later get theirs from the nightly job while licences are left.
CREATE TABLE resource_assignments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subscription_id  uuid NOT NULL REFERENCES resource_subscriptions (id) ON DELETE CASCADE,
    target_kind      text NOT NULL CHECK (target_kind IN ('tous', 'profil', 'classe', 'groupe', 'personne')),
    profile          text CHECK (profile IS NULL OR profile IN ('eleve', 'enseignant')),
    class_id         uuid REFERENCES classes (id) ON DELETE CASCADE,
    person_id        uuid REFERENCES people (id) ON DELETE CASCADE,
    created_by       uuid,
    created_at       timestamptz NOT NULL,
    CHECK ((target_kind = 'profil') = (profile IS NOT NULL)),
    CHECK ((target_kind IN ('classe', 'groupe')) = (class_id IS NOT NULL)),
    CHECK ((target_kind = 'personne') = (person_id IS NOT NULL))
);
CREATE INDEX resource_assignments_subscription ON resource_assignments (subscription_id);

-- A licence given: one person, one per-person subscription, from the assignment that gave it.
-- Revoking an assignment frees its licences (those still covered by another assignment of
-- the subscription move to it).
CREATE TABLE resource_licences (
    subscription_id  uuid NOT NULL REFERENCES resource_subscriptions (id) ON DELETE CASCADE,
    person_id        uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    assignment_id    uuid NOT NULL REFERENCES resource_assignments (id) ON DELETE CASCADE,
    profile          text NOT NULL CHECK (profile IN ('eleve', 'enseignant')),
    assigned_at      timestamptz NOT NULL,
    PRIMARY KEY (subscription_id, person_id)
);
CREATE INDEX resource_licences_person ON resource_licences (person_id);

-- What a tool may be told of a person besides their pseudonym: nothing unless enabled here.
CREATE TABLE resource_tool_sharing (
    tool_id      uuid PRIMARY KEY,               -- platform.resource_tools
    share_name   boolean NOT NULL DEFAULT false,
    share_email  boolean NOT NULL DEFAULT false,
    share_class  boolean NOT NULL DEFAULT false,
    updated_by   uuid,
    updated_at   timestamptz NOT NULL
);

-- A launch: started when the person taps the resource (the LTI login initiation carries
-- message_hint), completed when the id_token is issued (once: a second authentication
-- request with the same hint or nonce is refused). The establishment's audit of who opened
-- what and when; kept one year (DOMAIN.md, logs), then deleted by the sweep.
CREATE TABLE resource_launches (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id        uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    subscription_id  uuid NOT NULL REFERENCES resource_subscriptions (id) ON DELETE CASCADE,
    resource_id      uuid NOT NULL,
    tool_id          uuid NOT NULL,
    class_id         uuid REFERENCES classes (id) ON DELETE SET NULL,  -- the context, when a class
    message_hint     text NOT NULL UNIQUE,
    nonce            text,
    shared           text[] NOT NULL DEFAULT '{}',  -- what was sent besides the pseudonym: nom, courriel, classe
    created_at       timestamptz NOT NULL,
    completed_at     timestamptz,
    UNIQUE (tool_id, nonce)
);
CREATE INDEX resource_launches_created ON resource_launches (created_at);
CREATE INDEX resource_launches_person ON resource_launches (person_id, created_at);

-- A line item a tool created or used in a context (a class), and the scores it sent: the
-- teacher makes it a draft evaluation of the grades module, then publishes it there.
CREATE TABLE lti_line_items (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tool_id           uuid NOT NULL,
    resource_id       uuid,
    class_id          uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    resource_link_id  text NOT NULL DEFAULT '',
    label             text NOT NULL CHECK (length(label) BETWEEN 1 AND 300),
    score_maximum     numeric(8,2) NOT NULL CHECK (score_maximum > 0),
    tag               text NOT NULL DEFAULT '',
    tool_resource_id  text NOT NULL DEFAULT '',
    evaluation_id     uuid,                        -- the grades draft made from it
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX lti_line_items_class ON lti_line_items (class_id);

CREATE TABLE lti_scores (
    line_item_id       uuid NOT NULL REFERENCES lti_line_items (id) ON DELETE CASCADE,
    person_id          uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    score_given        numeric(8,2),
    score_maximum      numeric(8,2),
    activity_progress  text NOT NULL DEFAULT '',
    grading_progress   text NOT NULL DEFAULT '',
    comment            text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    scored_at          timestamptz NOT NULL,
    PRIMARY KEY (line_item_id, person_id)
);

-- The GAR-style directory exports, generated by a job; the newest few are kept.
CREATE TABLE gar_exports (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    requested_by  uuid,
    status        text NOT NULL CHECK (status IN ('en_attente', 'pret', 'echec')),
    persons       integer NOT NULL DEFAULT 0,
    xml           bytea,
    error         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    done_at       timestamptz
);
CREATE INDEX gar_exports_created ON gar_exports (created_at);
