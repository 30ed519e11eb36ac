-- Notifications (modules/notify): what other modules tell people, shown in the application
-- and sent by e-mail. A module calls notify.Notify inside its own transaction, so that a
-- notification, its recipients, its e-mails and their jobs exist if and only if the change
-- that caused them committed.

CREATE TABLE notifications (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('new_mark', 'absence', 'justification_answered', 'message', 'news')),
    title       text NOT NULL,
    body        text NOT NULL DEFAULT '',
    link        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL
);

-- One row per person told. mail is what the person's preference made of it when it was
-- created: an e-mail of its own, a line of the day's digest, or nothing; digest_mail is the
-- digest that carried it.
CREATE TABLE notification_recipients (
    notification_id  uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    person_id        uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL,
    read_at          timestamptz,
    mail             text NOT NULL CHECK (mail IN ('immediate', 'digest', 'off')),
    digest_mail      uuid,
    PRIMARY KEY (person_id, notification_id)
);
CREATE INDEX notification_recipients_list ON notification_recipients (person_id, created_at DESC);
CREATE INDEX notification_recipients_unread ON notification_recipients (person_id) WHERE read_at IS NULL;
CREATE INDEX notification_recipients_notification ON notification_recipients (notification_id);
CREATE INDEX notification_recipients_digest ON notification_recipients (person_id) WHERE mail = 'digest' AND digest_mail IS NULL;

-- A person's choice per kind; no row is the kind's default (notify.DefaultDelivery).
CREATE TABLE notification_preferences (
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('new_mark', 'absence', 'justification_answered', 'message', 'news')),
    delivery   text NOT NULL CHECK (delivery IN ('immediate', 'digest', 'off')),
    PRIMARY KEY (person_id, kind)
);

-- One row per e-mail: one notification to one person, or one person's digest of a day. Its
-- id is the e-mail's Message-ID (<id@domain>), the idempotency key of the send: state goes
-- pending → sending (claimed, committed before the SMTP exchange) → sent, and a retry that
-- finds a claim without an outcome asks the mail server whether that Message-ID arrived
-- before sending again (notify/deliver.go explains the whole argument).
CREATE TABLE notification_mails (
    id               uuid PRIMARY KEY,
    person_id        uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    notification_id  uuid REFERENCES notifications (id) ON DELETE CASCADE,
    digest_day       date,
    address          text NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'skipped', 'unknown', 'failed')),
    send_after       timestamptz NOT NULL,
    claimed_at       timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    sent_at          timestamptz,
    created_at       timestamptz NOT NULL,
    CHECK ((notification_id IS NULL) <> (digest_day IS NULL)),
    UNIQUE (notification_id, person_id),
    UNIQUE (person_id, digest_day)
);
CREATE INDEX notification_mails_state ON notification_mails (state) WHERE state IN ('pending', 'sending');
