-- Grades: periods come with their school year, "new since the last visit" is remembered per
-- period, and the foreign keys and filters that lacked an index get one.

-- A school year gets its three default trimestres when it is created, whoever creates it, so
-- reading the periods never writes (1 September–30 November, 1 December–end of February,
-- 1 March–31 August). Direction changes them on the periods page. Restoring an export disables
-- user triggers while it loads the rows (tenant/archive.go).
CREATE FUNCTION default_periods() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    y integer := extract(year FROM NEW.starts_on)::integer;
BEGIN
    IF extract(month FROM NEW.starts_on) < 9 THEN
        y := y - 1;
    END IF;
    INSERT INTO periods (school_year, kind, number, starts_on, ends_on) VALUES
        (NEW.code, 'trimestre', 1, make_date(y, 9, 1), make_date(y, 11, 30)),
        (NEW.code, 'trimestre', 2, make_date(y, 12, 1), make_date(y + 1, 3, 1) - 1),
        (NEW.code, 'trimestre', 3, make_date(y + 1, 3, 1), make_date(y + 1, 8, 31))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER school_years_default_periods AFTER INSERT ON school_years
    FOR EACH ROW EXECUTE FUNCTION default_periods();

-- Years that exist already and have no periods get the defaults now.
INSERT INTO periods (school_year, kind, number, starts_on, ends_on)
SELECT y.code, 'trimestre', n.number,
       CASE n.number WHEN 1 THEN make_date(s.y, 9, 1) WHEN 2 THEN make_date(s.y, 12, 1) ELSE make_date(s.y + 1, 3, 1) END,
       CASE n.number WHEN 1 THEN make_date(s.y, 11, 30) WHEN 2 THEN make_date(s.y + 1, 3, 1) - 1 ELSE make_date(s.y + 1, 8, 31) END
FROM school_years y
CROSS JOIN LATERAL (SELECT CASE WHEN extract(month FROM y.starts_on) < 9 THEN extract(year FROM y.starts_on)::integer - 1
                               ELSE extract(year FROM y.starts_on)::integer END AS y) s
CROSS JOIN (VALUES (1), (2), (3)) AS n (number)
WHERE NOT EXISTS (SELECT 1 FROM periods p WHERE p.school_year = y.code);

-- "Nouveau" per viewer × pupil × period: looking at one period clears its new marks only.
-- A visit recorded before this change counted for every period.
ALTER TABLE mark_views ADD COLUMN period_id uuid REFERENCES periods (id) ON DELETE CASCADE;
INSERT INTO mark_views (viewer_id, pupil_id, seen_at, period_id)
SELECT v.viewer_id, v.pupil_id, v.seen_at, p.id FROM mark_views v CROSS JOIN periods p WHERE v.period_id IS NULL;
DELETE FROM mark_views WHERE period_id IS NULL;
ALTER TABLE mark_views DROP CONSTRAINT mark_views_pkey;
ALTER TABLE mark_views ALTER COLUMN period_id SET NOT NULL;
ALTER TABLE mark_views ADD PRIMARY KEY (viewer_id, pupil_id, period_id);

CREATE INDEX mark_views_pupil ON mark_views (pupil_id);
CREATE INDEX mark_views_period ON mark_views (period_id);
CREATE INDEX appreciations_pupil ON appreciations (pupil_id);
CREATE INDEX council_comments_pupil ON council_comments (pupil_id);
CREATE INDEX evaluations_teacher ON evaluations (teacher_id);
CREATE INDEX evaluations_subject ON evaluations (subject_code);
CREATE INDEX report_publications_class ON report_publications (class_id);
