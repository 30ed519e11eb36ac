-- A séance of a lesson keeps two dates (modules/cahier): on_date, the day it takes place
-- (a lesson the timetable moved takes place on its new date, and the pupils' week shows it
-- then), and lesson_date, the occurrence's date as the slot gives it (timetable.Lesson.Date),
-- which names the lesson with the slot. One séance per lesson then holds even for a lesson
-- moved onto a date where its slot has an occurrence of its own. Exceptional séances (no
-- slot) have none.
ALTER TABLE cahier_sessions ADD COLUMN lesson_date date;

-- Séances saved before: on_date was the day the lesson took place; a moved one is found by
-- its slot's exception to that day and time. Archived classes' séances are filled in too
-- (their lock, 0027, refuses any change of a row: it is off for this one statement).
ALTER TABLE cahier_sessions DISABLE TRIGGER cahier_sessions_archived;
UPDATE cahier_sessions se SET lesson_date = coalesce((SELECT e.on_date FROM lesson_exceptions e
    WHERE e.slot_id = se.slot_id AND e.kind = 'deplace' AND e.new_date = se.on_date AND e.new_starts_at = se.starts_at
    ORDER BY e.on_date LIMIT 1), se.on_date)
WHERE se.slot_id IS NOT NULL;
ALTER TABLE cahier_sessions ENABLE TRIGGER cahier_sessions_archived;

DROP INDEX cahier_sessions_lesson;
CREATE UNIQUE INDEX cahier_sessions_lesson ON cahier_sessions (slot_id, lesson_date, class_id) WHERE slot_id IS NOT NULL;
