-- Grades: a version of everything class figures are computed from, bumped by every statement
-- that changes marks, evaluations, coefficients, periods, class memberships or pupils. The
-- pupil's marks page keeps each class's figures (every classmate's averages, the class's
-- average, min and max) under this version and recomputes them only when it has moved: one
-- small read instead of adding up the whole class's marks on every page view. Statement
-- triggers: a grid save of 35 marks bumps it once per statement, in the saving transaction,
-- so a rolled-back change moves nothing. The one row is written by the first change (no row
-- reads as version 0), so that restoring an export loads it as it was into an empty table.
CREATE TABLE grades_version (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    v   bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION bump_grades_version() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO grades_version (one, v) VALUES (true, 1)
    ON CONFLICT (one) DO UPDATE SET v = grades_version.v + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER marks_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON marks
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
CREATE TRIGGER evaluations_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON evaluations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
CREATE TRIGGER subject_coefficients_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON subject_coefficients
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
CREATE TRIGGER periods_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON periods
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
CREATE TRIGGER class_members_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON class_members
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
CREATE TRIGGER people_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
