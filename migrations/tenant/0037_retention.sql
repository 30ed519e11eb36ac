-- Retention (issue 15 §5): a pupil who left is told, once, before their portfolio is purged
-- with their account (people.purge_after). The row says for which purge date they were told:
-- a pupil who comes back and leaves again is told again for the new date.
CREATE TABLE portfolio_purge_warnings (
    person_id    uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    purge_after  timestamptz NOT NULL,
    warned_at    timestamptz NOT NULL
);

-- The warning is a notification of its own kind (notify.KindRetention). The kinds' CHECK is
-- extended as it stands (other migrations of the same release may have added kinds too),
-- not rewritten from a list.
DO $$
DECLARE
    tbl text;
    def text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['notifications', 'notification_preferences'] LOOP
        SELECT pg_get_constraintdef(c.oid) INTO def FROM pg_constraint c
        WHERE c.conrelid = tbl::regclass AND c.conname = tbl || '_kind_check';
        IF def IS NULL OR position('''conservation''' IN def) > 0 THEN
            CONTINUE;
        END IF;
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', tbl, tbl || '_kind_check');
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s', tbl, tbl || '_kind_check',
            replace(def, 'ARRAY[', 'ARRAY[''conservation''::text, '));
    END LOOP;
END
$$;
