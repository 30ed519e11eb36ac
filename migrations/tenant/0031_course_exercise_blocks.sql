-- A course page's exercise block (issue 13, §7) names an assignment of the exercises module:
-- the pupils of the course's classes see its dates, their attempts left and a button to start
-- it. Deleting the assignment (or its exercise) deletes the blocks that name it.
ALTER TABLE course_blocks
    ADD COLUMN assignment_id uuid REFERENCES exercise_assignments (id) ON DELETE CASCADE,
    ADD CONSTRAINT course_blocks_exercise CHECK ((kind = 'exercice') = (assignment_id IS NOT NULL));
CREATE INDEX course_blocks_assignment ON course_blocks (assignment_id) WHERE assignment_id IS NOT NULL;
