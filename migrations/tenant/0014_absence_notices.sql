-- Absence notices (modules/attendance → modules/notify) and the notifications' cleanup.
--
-- One row per absence whose family was told: the job that tells them (enqueued by the
-- roll's transaction, run after a grace period) claims the absence here first, so an
-- absence is notified once however many times its roll is saved, and whatever grows it.
-- An absence deleted (a mark corrected to present) takes its row with it.
CREATE TABLE absence_notices (
    absence_id   uuid PRIMARY KEY REFERENCES absences (id) ON DELETE CASCADE,
    notified_at  timestamptz NOT NULL
);

-- The daily cleanup removes notifications by age (notify/cleanup.go): read ones after a
-- few months, all after a year. These keep it from reading every row of the establishment.
CREATE INDEX notification_recipients_age ON notification_recipients (created_at);
CREATE INDEX notifications_age ON notifications (created_at);
CREATE INDEX notification_mails_age ON notification_mails (created_at);
CREATE INDEX notification_recipients_digest_mail ON notification_recipients (digest_mail) WHERE digest_mail IS NOT NULL;
