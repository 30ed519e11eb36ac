-- Sessions signed out on one server: every request's membership query also asks whether its
-- session was revoked, so a logout holds on every replica at once, not only once the others'
-- short session caches expire. A row is needed only as long as those caches keep a session
-- (seconds); older rows are removed as new ones come.
CREATE TABLE revoked_sessions (
    session_id  text PRIMARY KEY,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX revoked_sessions_expires ON revoked_sessions (expires_at);
