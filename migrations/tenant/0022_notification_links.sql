-- A notification found by what it leads to: a recalled message takes its notification back
-- (notify.Withdraw) by the message's link.
CREATE INDEX notifications_link ON notifications (kind, link);
