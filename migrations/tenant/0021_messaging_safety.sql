-- Messaging safety (modules/messaging): the establishment's messaging settings (hours,
-- retention, suspension of the whole messagerie), accounts suspended one by one, reports of
-- messages to the vie scolaire, and the notifications of messages sent outside the messaging
-- hours, told when the hours start. News (modules/news): when a post's audience was told.

-- One row at most (no row: the defaults, modules/messaging/settings.go). Hours are minutes
-- after midnight, school time (Europe/Paris); a message sent outside them is delivered at
-- once and its notification waits for hours_from.
CREATE TABLE messaging_settings (
    id                boolean PRIMARY KEY DEFAULT true CHECK (id),
    hours_from        integer NOT NULL CHECK (hours_from BETWEEN 0 AND 1439),
    hours_to          integer NOT NULL CHECK (hours_to BETWEEN 1 AND 1440),
    retention_years   integer NOT NULL CHECK (retention_years BETWEEN 1 AND 10),
    -- The whole messagerie suspended by the direction: nobody but the direction sends.
    suspended_at      timestamptz,
    suspended_by      uuid REFERENCES people (id) ON DELETE SET NULL,
    suspended_reason  text NOT NULL DEFAULT '' CHECK (length(suspended_reason) <= 500),
    updated_at        timestamptz NOT NULL,
    CHECK (hours_from < hours_to),
    CHECK (suspended_at IS NULL OR length(suspended_reason) > 0)
);

-- An account that may not send (it still reads): lifting the suspension deletes the row.
CREATE TABLE messaging_suspensions (
    person_id     uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    suspended_at  timestamptz NOT NULL,
    suspended_by  uuid REFERENCES people (id) ON DELETE SET NULL
);

-- A recipient's report of a message to the vie scolaire, who open the conversation through
-- it and mark it handled with a comment. It goes with the message (retention, deletion);
-- a reporter purged leaves the report, unnamed.
CREATE TABLE message_reports (
    id           uuid PRIMARY KEY,
    message_id   uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    reporter_id  uuid REFERENCES people (id) ON DELETE SET NULL,
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    created_at   timestamptz NOT NULL,
    handled_at   timestamptz,
    handled_by   uuid REFERENCES people (id) ON DELETE SET NULL,
    comment      text NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
    UNIQUE (message_id, reporter_id)
);
CREATE INDEX message_reports_open ON message_reports (created_at DESC) WHERE handled_at IS NULL;
CREATE INDEX message_reports_handled ON message_reports (handled_at DESC) WHERE handled_at IS NOT NULL;

-- The notification of a message sent outside the messaging hours, due when they start. The
-- job that tells it claims the row (notified_at) in the transaction that notifies: told once.
-- A message deleted meanwhile (recalled, purged) takes its row with it and is told nothing.
CREATE TABLE message_notices (
    message_id   uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    due_at       timestamptz NOT NULL,
    notified_at  timestamptz
);

-- The retention's purge reads messages by age.
CREATE INDEX messages_sent ON messages (sent_at);

-- News: a post's audience is told once, at publication or, for a post published with a
-- date to come, when that date comes (a periodic job). Posts published before this
-- migration whose date has come were told already.
ALTER TABLE news_posts ADD COLUMN notified_at timestamptz;
UPDATE news_posts SET notified_at = published_at WHERE state = 'publie' AND (publish_at IS NULL OR publish_at <= now());
CREATE INDEX news_posts_to_notify ON news_posts (publish_at) WHERE state = 'publie' AND notified_at IS NULL;
