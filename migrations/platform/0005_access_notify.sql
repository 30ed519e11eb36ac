-- Every server caches, for a few seconds, what an identity holds in an establishment (its
-- membership, its platform role, whether its session was signed out). A change to any of
-- these tells every server at once on the channel cartable_access, from the very
-- transaction that makes it: pg_notify is delivered at commit, and a rolled back change
-- tells nothing. Triggers rather than a call in each writer, so that no writer (imports,
-- purges, archive restores, the CLI) can forget it. Payloads:
--   m:<identity>:<tenant>  a membership changed      i:<identity>  a platform role changed
--   s:<session>            a session was signed out  t:<tenant>    an establishment's state changed
CREATE FUNCTION notify_access_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    CASE TG_TABLE_NAME
    WHEN 'memberships' THEN
        PERFORM pg_notify('cartable_access', 'm:' || r.identity_id || ':' || r.tenant_id);
        IF TG_OP = 'UPDATE' AND (OLD.identity_id, OLD.tenant_id) IS DISTINCT FROM (NEW.identity_id, NEW.tenant_id) THEN
            PERFORM pg_notify('cartable_access', 'm:' || OLD.identity_id || ':' || OLD.tenant_id);
        END IF;
    WHEN 'platform_admins' THEN
        PERFORM pg_notify('cartable_access', 'i:' || r.identity_id);
    WHEN 'revoked_sessions' THEN
        PERFORM pg_notify('cartable_access', 's:' || r.session_id);
    WHEN 'tenants' THEN
        PERFORM pg_notify('cartable_access', 't:' || r.id);
    END CASE;
    RETURN NULL;
END $$;

CREATE TRIGGER memberships_notify AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION notify_access_change();
CREATE TRIGGER platform_admins_notify AFTER INSERT OR UPDATE OR DELETE ON platform_admins
    FOR EACH ROW EXECUTE FUNCTION notify_access_change();
CREATE TRIGGER revoked_sessions_notify AFTER INSERT OR UPDATE ON revoked_sessions
    FOR EACH ROW EXECUTE FUNCTION notify_access_change();
CREATE TRIGGER tenants_notify AFTER UPDATE OF status OR DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION notify_access_change();
