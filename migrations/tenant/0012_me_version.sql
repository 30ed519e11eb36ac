-- /api/v1/me's answer (a person, their classes and their children) is kept per person under
-- grades_version (modules/directory, MeJSON): people, memberships and classes bump it
-- already (0006, 0007); guardianships must too.
CREATE TRIGGER guardianships_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON guardianships
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
