-- Licensed digital resources (issue 14): the journal of launches outlives a deleted
-- subscription (it is kept its year, DOMAIN.md's log retention, then swept); the launch
-- then names no subscription.
ALTER TABLE resource_launches ALTER COLUMN subscription_id DROP NOT NULL;
ALTER TABLE resource_launches DROP CONSTRAINT resource_launches_subscription_id_fkey;
ALTER TABLE resource_launches ADD CONSTRAINT resource_launches_subscription_id_fkey
    FOREIGN KEY (subscription_id) REFERENCES resource_subscriptions (id) ON DELETE SET NULL;
