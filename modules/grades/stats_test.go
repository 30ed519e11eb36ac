package grades_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
)

// staleStats counts the evaluations whose kept figures (evaluation_stats) differ from the
// figures added up from the marks now (either way).
const staleStats = `WITH fresh AS (
		SELECT mk.evaluation_id, count(*)::int AS n, sum(mk.value) AS sum, min(mk.value) AS low, max(mk.value) AS high
		FROM marks mk JOIN evaluations e ON e.id = mk.evaluation_id
		JOIN class_members cm ON cm.class_id = e.class_id AND cm.person_id = mk.pupil_id
		WHERE mk.value IS NOT NULL GROUP BY mk.evaluation_id),
	kept AS (SELECT evaluation_id, n, sum, low, high FROM evaluation_stats)
	SELECT count(*) FROM ((SELECT * FROM fresh EXCEPT SELECT * FROM kept) UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM fresh)) d`

// TestEvaluationStatsFollowChanges: the kept class figures of every evaluation are the ones
// its marks make after each kind of change: a grid saved, a mark changed or cleared, a pupil
// leaving or joining the class, an evaluation moved to another class, an evaluation deleted.
func TestEvaluationStatsFollowChanges(t *testing.T) {
	s := newMarksSite(t)
	check := func(step string, wantKept int) {
		t.Helper()
		if n := s.count(staleStats); n != 0 {
			t.Errorf("%s: %d evaluations with figures that are not their marks'", step, n)
		}
		if n := s.count(`SELECT count(*) FROM evaluation_stats`); n != wantKept {
			t.Errorf("%s: %d evaluations with figures, want %d", step, n, wantKept)
		}
	}
	ev := s.createEvaluation("Contrôle 1", true)
	grid := "/notes/evaluations/" + ev.String() + "/saisie"
	check("new evaluation, no mark", 0)
	wantCode(t, s.Post(s.maths, grid, s.gridForm("12", "15,5", "Abs")), http.StatusSeeOther, "save")
	check("grid saved", 1)
	if n := s.count(`SELECT n FROM evaluation_stats WHERE evaluation_id = ?`, ev); n != 2 {
		t.Errorf("%d counted marks, want 2 (Abs does not count)", n)
	}
	wantCode(t, s.Post(s.maths, grid, s.gridForm("8", "", "19")), http.StatusSeeOther, "change")
	check("marks changed and one cleared", 1)
	other := s.createEvaluation("Devoir maison", true)
	wantCode(t, s.Post(s.maths, "/notes/evaluations/"+other.String()+"/saisie", s.gridForm("10", "11", "")), http.StatusSeeOther, "save")
	check("a second evaluation", 2)

	s.exec(`DELETE FROM class_members WHERE person_id = ?`, s.pupils[0].PersonID)
	check("a pupil left the class", 2)
	s.exec(`INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, s.class, s.pupils[0].PersonID)
	check("the pupil came back", 2)

	group := uuid.New()
	s.exec(`INSERT INTO classes (id, kind, code, label, school_year) SELECT ?, 'groupe', 'G1', 'Groupe 1', school_year FROM classes WHERE id = ?`, group, s.class)
	s.exec(`INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, group, s.pupils[2].PersonID)
	s.exec(`UPDATE evaluations SET class_id = ? WHERE id = ?`, group, ev)
	check("an evaluation moved to a group of one pupil", 2)
	s.exec(`DELETE FROM evaluations WHERE id = ?`, other)
	check("an evaluation deleted", 1)
}
