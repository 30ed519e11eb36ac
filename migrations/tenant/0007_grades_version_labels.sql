-- Grades: the version (0006) also moves with what the pages show beside the marks: class
-- labels, subject labels and the current school year. A pupil's marks page is kept rendered
-- under this version (modules/grades/pages.go), so anything it shows must bump it.
CREATE TRIGGER classes_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON classes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
CREATE TRIGGER subjects_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON subjects
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
CREATE TRIGGER school_years_grades_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON school_years
    FOR EACH STATEMENT EXECUTE FUNCTION bump_grades_version();
