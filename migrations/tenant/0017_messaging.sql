-- Messaging (messagerie): the establishment's communication rules, conversations, messages
-- and each person's copy of a message (its folder, its read mark).

-- Who may write to whom: one row per directed link between two profiles, with its scope.
-- No row at all means the defaults (modules/messaging, defaultRules); a stored policy always
-- holds every link, so that a default changed later does not alter a saved choice.
CREATE TABLE messaging_rules (
    from_profile  text NOT NULL CHECK (from_profile IN ('eleve', 'responsable', 'enseignant', 'vie_scolaire', 'direction', 'personnel')),
    to_profile    text NOT NULL CHECK (to_profile IN ('eleve', 'responsable', 'enseignant', 'vie_scolaire', 'direction', 'personnel')),
    scope         text NOT NULL CHECK (scope IN ('aucun', 'famille', 'classe', 'groupe', 'etablissement')),
    PRIMARY KEY (from_profile, to_profile)
);

CREATE TABLE conversations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subject     text NOT NULL,
    created_at  timestamptz NOT NULL,
    search      tsvector GENERATED ALWAYS AS (to_tsvector('french', subject)) STORED
);
CREATE INDEX conversations_search ON conversations USING gin (search);

CREATE TABLE messages (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sender_id        uuid REFERENCES people (id) ON DELETE SET NULL,
    body             text NOT NULL,                 -- as written
    format           text NOT NULL CHECK (format IN ('texte', 'markdown')),
    body_html        text NOT NULL,                 -- rendered and sanitised once, at send
    sent_at          timestamptz NOT NULL,
    -- Search in one's own messages: PostgreSQL full text, French stemming.
    search           tsvector GENERATED ALWAYS AS (to_tsvector('french', body)) STORED
);
CREATE INDEX messages_search ON messages USING gin (search);
CREATE INDEX messages_conversation ON messages (conversation_id, sent_at);

-- Each person's copy of a message: the sender's (role 'de', folder envoyés) and every
-- recipient's ('a', 'cc', 'cci': folder réception). sent_at is repeated so that a folder is
-- read from one index, newest first; trashed_at puts the copy in the corbeille; deleting the
-- row is the confirmed deletion (of that person's copy only).
CREATE TABLE message_copies (
    message_id  uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    person_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('de', 'a', 'cc', 'cci')),
    sent_at     timestamptz NOT NULL,
    read_at     timestamptz,
    trashed_at  timestamptz,
    PRIMARY KEY (message_id, person_id)
);
CREATE INDEX message_copies_inbox ON message_copies (person_id, sent_at DESC) WHERE trashed_at IS NULL AND role <> 'de';
CREATE INDEX message_copies_sent ON message_copies (person_id, sent_at DESC) WHERE trashed_at IS NULL AND role = 'de';
CREATE INDEX message_copies_trash ON message_copies (person_id, trashed_at DESC) WHERE trashed_at IS NOT NULL;
CREATE INDEX message_copies_unread ON message_copies (person_id) WHERE read_at IS NULL AND trashed_at IS NULL AND role <> 'de';
