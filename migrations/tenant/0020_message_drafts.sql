-- Messaging, continued: drafts, recall of a sent message, « sans réponse » announcements, and
-- the first sign-in of each member (so that a sender learns who never opened their account).

-- A message being written, private to its author. Recipients are kept as the form's tokens
-- per role ({"a": [...], "cc": [...], "cci": [...]}: people's ids or "groupe:<class>:<profile>"),
-- checked against the rules only when the draft is sent. reply_to is the message answered:
-- should that message go (every copy deleted), the draft stays as a new message.
CREATE TABLE message_drafts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    author_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    reply_to    uuid REFERENCES messages (id) ON DELETE SET NULL,
    recipients  jsonb NOT NULL DEFAULT '{}',
    subject     text NOT NULL DEFAULT '',
    body        text NOT NULL DEFAULT '',
    format      text NOT NULL CHECK (format IN ('texte', 'markdown')),
    no_reply    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX message_drafts_author ON message_drafts (author_id, updated_at DESC);

-- recalled_at: the sender recalled the message (the recipients' copies are gone, the
-- sender's stays and says when). no_reply: an announcement its recipients cannot answer.
ALTER TABLE messages ADD COLUMN recalled_at timestamptz;
ALTER TABLE messages ADD COLUMN no_reply boolean NOT NULL DEFAULT false;

-- A member's account is activated once its owner signed in here at least once. A table of its
-- own rather than a column of people: the first request of each person writes it, and an
-- UPDATE of people would bump grades_version (0006) and touch people.updated_at each time.
CREATE TABLE account_activations (
    person_id     uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    activated_at  timestamptz NOT NULL
);
