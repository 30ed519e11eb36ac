-- Grades: each evaluation's class figures (count, sum, lowest and highest of the counted
-- marks) kept up to date by the statements that change them, so that a pupil's marks page
-- reads sixty rows instead of adding up two thousand marks on every computation. A mark
-- counts when it has a value and its pupil belongs to the evaluation's class or group
-- (as store.marks counts them): marks, memberships and an evaluation's class move the
-- figures. Statement triggers with transition tables: a grid save of 35 marks refreshes its
-- evaluation once, in the saving transaction.
CREATE TABLE evaluation_stats (
    evaluation_id uuid PRIMARY KEY REFERENCES evaluations (id) ON DELETE CASCADE,
    n             integer NOT NULL,
    sum           numeric NOT NULL,
    low           numeric NOT NULL,
    high          numeric NOT NULL
);

CREATE FUNCTION refresh_evaluation_stats(ids uuid[]) RETURNS void LANGUAGE sql SET search_path FROM CURRENT AS $$
    DELETE FROM evaluation_stats WHERE evaluation_id = ANY (ids);
    INSERT INTO evaluation_stats (evaluation_id, n, sum, low, high)
    SELECT mk.evaluation_id, count(*), sum(mk.value), min(mk.value), max(mk.value)
    FROM marks mk JOIN evaluations e ON e.id = mk.evaluation_id
    JOIN class_members cm ON cm.class_id = e.class_id AND cm.person_id = mk.pupil_id
    WHERE mk.evaluation_id = ANY (ids) AND mk.value IS NOT NULL
    GROUP BY mk.evaluation_id;
$$;

CREATE FUNCTION marks_evaluation_stats() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_evaluation_stats(ARRAY(SELECT DISTINCT evaluation_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM refresh_evaluation_stats(ARRAY(SELECT evaluation_id FROM new_rows UNION SELECT evaluation_id FROM old_rows));
    ELSE
        PERFORM refresh_evaluation_stats(ARRAY(SELECT DISTINCT evaluation_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER marks_stats_insert AFTER INSERT ON marks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION marks_evaluation_stats();
CREATE TRIGGER marks_stats_update AFTER UPDATE ON marks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION marks_evaluation_stats();
CREATE TRIGGER marks_stats_delete AFTER DELETE ON marks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION marks_evaluation_stats();

-- A pupil joining or leaving a class or group moves the figures of its evaluations.
CREATE FUNCTION members_evaluation_stats() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_evaluation_stats(ARRAY(SELECT e.id FROM evaluations e WHERE e.class_id IN (SELECT class_id FROM new_rows)));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM refresh_evaluation_stats(ARRAY(SELECT e.id FROM evaluations e WHERE e.class_id IN
            (SELECT class_id FROM new_rows UNION SELECT class_id FROM old_rows)));
    ELSE
        PERFORM refresh_evaluation_stats(ARRAY(SELECT e.id FROM evaluations e WHERE e.class_id IN (SELECT class_id FROM old_rows)));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER class_members_stats_insert AFTER INSERT ON class_members REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION members_evaluation_stats();
CREATE TRIGGER class_members_stats_update AFTER UPDATE ON class_members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION members_evaluation_stats();
CREATE TRIGGER class_members_stats_delete AFTER DELETE ON class_members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION members_evaluation_stats();

-- An evaluation moved to another class or group counts that one's pupils.
CREATE FUNCTION evaluations_evaluation_stats() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM refresh_evaluation_stats(ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.class_id <> o.class_id));
    RETURN NULL;
END $$;

CREATE TRIGGER evaluations_stats_update AFTER UPDATE ON evaluations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evaluations_evaluation_stats();

-- The figures of the marks already there.
SELECT refresh_evaluation_stats(ARRAY(SELECT id FROM evaluations));
