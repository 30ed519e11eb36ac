-- Licensed digital resources (issue 14): a licence a manager took back from one person.
-- Without it the nightly job would give the licence again to a pupil still in the assigned
-- class; an assignment to that person by name gives it back (and forgets the withdrawal).
CREATE TABLE resource_licence_withdrawals (
    subscription_id  uuid NOT NULL REFERENCES resource_subscriptions (id) ON DELETE CASCADE,
    person_id        uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    withdrawn_by     uuid,
    withdrawn_at     timestamptz NOT NULL,
    PRIMARY KEY (subscription_id, person_id)
);
