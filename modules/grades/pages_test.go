package grades_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/moduletest"
)

// queryLog records the SQL statements run with a context that carries it: a gorm callback
// on every kind of statement (the tenant transactions' raw queries and execs included).
type queryLog struct {
	mu    sync.Mutex
	stmts []string // SQL with its arguments
}

type queryLogKey struct{}

func (l *queryLog) add(db *gorm.DB) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stmts = append(l.stmts, db.Statement.SQL.String()+" "+fmt.Sprint(db.Statement.Vars))
}

// transactions counts the tenant transactions: each one starts by scoping itself to the
// tenant's schema (tenant.DB.Tx).
func (l *queryLog) transactions() int {
	n := 0
	for _, s := range l.stmts {
		if strings.Contains(s, "set_config('search_path'") {
			n++
		}
	}
	return n
}

// repeated lists the statements run more than once with the same arguments.
func (l *queryLog) repeated() []string {
	seen := map[string]int{}
	var out []string
	for _, s := range l.stmts {
		if seen[s]++; seen[s] == 2 {
			out = append(out, s)
		}
	}
	return out
}

// watchQueries makes db report every statement to the queryLog of its context.
func watchQueries(t *testing.T, db *gorm.DB) {
	t.Helper()
	record := func(db *gorm.DB) {
		if l, ok := db.Statement.Context.Value(queryLogKey{}).(*queryLog); ok {
			l.add(db)
		}
	}
	cb := db.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("grades_test:log", record),
		"row":    cb.Row().After("gorm:row").Register("grades_test:log", record),
		"raw":    cb.Raw().After("gorm:raw").Register("grades_test:log", record),
		"create": cb.Create().After("gorm:create").Register("grades_test:log", record),
		"update": cb.Update().After("gorm:update").Register("grades_test:log", record),
		"delete": cb.Delete().After("gorm:delete").Register("grades_test:log", record),
	} {
		if err != nil {
			t.Fatalf("register the %s callback: %v", name, err)
		}
	}
}

// getLogged serves a GET as the member and returns the response with the statements it ran.
func (s *marksSite) getLogged(m directorytest.Member, path string) (*httptest.ResponseRecorder, *queryLog) {
	s.t.Helper()
	l := &queryLog{}
	req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(context.WithValue(s.t.Context(), queryLogKey{}, l))
	req.Host = moduletest.Host(s.tn)
	req.Header.Set("X-Session-Token", m.Token)
	rec := httptest.NewRecorder()
	s.Srv.ServeHTTP(rec, req)
	return rec, l
}

// TestPagesOneTransaction holds the pages people open most to one tenant transaction and no
// statement run twice: the pupil's marks page, the guardian's report card, the teacher's
// grid. It also shows the counter sees what it should: the guardian's report card home
// does read its data (in one transaction as well).
func TestPagesOneTransaction(t *testing.T) {
	s := newMarksSite(t)
	watchQueries(t, s.Reg.Platform())
	ev := s.createEvaluation("Contrôle 1", true)
	wantCode(t, s.Post(s.maths, "/notes/evaluations/"+ev.String()+"/saisie", s.gridForm("12", "15,5", "Abs")), http.StatusSeeOther, "save the grid")
	s.createEvaluation("Devoir maison", true)
	var periods []uuid.UUID
	if err := s.Reg.DB().ReadTx(t.Context(), s.tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM periods ORDER BY starts_on`).Scan(&periods).Error
	}); err != nil || len(periods) == 0 {
		t.Fatalf("periods: %v %v", periods, err)
	}
	period := periods[0]
	publication := "/bulletins/" + period.String() + "/classes/" + s.class.String() + "/publication"
	wantCode(t, s.Post(s.director, publication, url.Values{"action": {"publier"}, "confirmation": {"oui"}}), http.StatusSeeOther, "publish")
	alice := s.pupils[1]

	for _, c := range []struct {
		name string
		who  directorytest.Member
		path string
		want string
	}{
		{"pupil's marks page", alice, "/notes", "Contrôle 1"},
		{"pupil's marks page of a chosen period", alice, "/notes?periode=" + period.String(), "15,50"},
		{"guardian's view of the child's marks", s.guardian, "/notes/eleves/" + alice.PersonID.String(), "15,50"},
		{"guardian's report card", s.guardian, "/bulletins/" + period.String() + "/eleves/" + alice.PersonID.String(), "Bulletin du 1er trimestre"},
		{"teacher's grid", s.maths, "/notes/evaluations/" + ev.String() + "/saisie", "Contrôle 1"},
		{"report card home", s.guardian, "/bulletins", "Bulletins"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, l := s.getLogged(c.who, c.path)
			wantCode(t, rec, http.StatusOK, c.name)
			wantIn(t, rec.Body.String(), c.name, c.want)
			if n := l.transactions(); n != 1 {
				t.Errorf("%d tenant transactions; want 1:\n%s", n, strings.Join(l.stmts, "\n"))
			}
			if r := l.repeated(); len(r) > 0 {
				t.Errorf("statements run more than once:\n%s", strings.Join(r, "\n"))
			}
			t.Logf("%d statements", len(l.stmts))
		})
	}
}

// readsMarks tells whether the statements read marks (the page was computed, not shown again).
func (l *queryLog) readsMarks() bool {
	for _, s := range l.stmts {
		if strings.Contains(s, "FROM marks") {
			return true
		}
	}
	return false
}

// TestMarksPageKeptWhileUnchanged: a pupil's marks page viewed again with nothing changed is
// shown from its rendered copy, without reading a mark; any change of what it shows (a mark,
// the class's label, a publication) and a visit that saw new marks make it computed anew.
func TestMarksPageKeptWhileUnchanged(t *testing.T) {
	s := newMarksSite(t)
	watchQueries(t, s.Reg.Platform())
	ev := s.createEvaluation("Contrôle 1", true)
	grid := "/notes/evaluations/" + ev.String() + "/saisie"
	wantCode(t, s.Post(s.maths, grid, s.gridForm("12", "15,5", "Abs")), http.StatusSeeOther, "save the grid")
	alice, guardianPage := s.pupils[1], "/notes/eleves/"+s.pupils[1].PersonID.String()

	view := func(who directorytest.Member, path string, computed bool, want ...string) string {
		t.Helper()
		rec, l := s.getLogged(who, path)
		wantCode(t, rec, http.StatusOK, path)
		wantIn(t, rec.Body.String(), path, want...)
		if l.readsMarks() != computed {
			t.Errorf("%s: marks read = %v, want %v:\n%s", path, l.readsMarks(), computed, strings.Join(l.stmts, "\n"))
		}
		if n := l.transactions(); n != 1 {
			t.Errorf("%s: %d tenant transactions; want 1", path, n)
		}
		return rec.Body.String()
	}
	view(alice, "/notes", true, "15,50")  // first visit (nothing is new on a first visit)
	view(alice, "/notes", true, "15,50")  // the visit was recorded: computed once more
	view(alice, "/notes", false, "15,50") // nothing changed: shown again
	view(alice, "/notes", false, "Mes notes")

	// The guardian has their own page and their own visits.
	view(s.guardian, guardianPage, true, "15,50")
	view(s.guardian, guardianPage, true, "15,50")
	view(s.guardian, guardianPage, false, "15,50")

	// A mark changed: computed anew, and new to both.
	wantCode(t, s.Post(s.maths, grid, s.gridForm("12", "17", "Abs")), http.StatusSeeOther, "change a mark")
	view(alice, "/notes", true, "17,00", "Nouveau")
	view(s.guardian, guardianPage, true, "17,00", "Nouveau")
	if page := view(alice, "/notes", true, "17,00"); strings.Contains(page, "Nouveau") {
		t.Error("the mark seen is still new on the next visit")
	}
	view(alice, "/notes", false, "17,00")

	// The class's label shows on the page: renaming the class changes it.
	s.exec(`UPDATE classes SET label = 'Seconde B' WHERE id = ?`, s.class)
	view(alice, "/notes", true, "Classe Seconde B")
	view(alice, "/notes", false, "Classe Seconde B")

	// A new published evaluation shows.
	s.createEvaluation("Devoir maison", true)
	view(alice, "/notes", true, "Devoir maison")
}
