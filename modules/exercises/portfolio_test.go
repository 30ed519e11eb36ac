package exercises_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/portfolio"
)

// TestAttemptIntoPortfolio: a submitted attempt enters its pupil's portfolio, in the
// submission's transaction, titled by the exercise with its score; a teacher's review
// updates the same item's score.
func TestAttemptIntoPortfolio(t *testing.T) {
	s := newSite(t)
	s.svc.SetPortfolio(portfolio.NewService(s.reg.DB(), s.clock.Now))
	_, qs := s.bank(choice("Q1"), essay("E1"))
	as := s.assign(s.exercise(qs...), s.week())
	v, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.SaveResponse(s.ctx, s.alpha, s.alice, v.ID, 1, choose(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.SaveResponse(s.ctx, s.alpha, s.alice, v.ID, 2, question.Response{Text: "Parce que."}); err != nil {
		t.Fatal(err)
	}
	if n := s.count(s.alpha, `SELECT count(*) FROM portfolio_items`); n != 0 {
		t.Errorf("an attempt not submitted is in the portfolio")
	}
	if _, err := s.svc.Submit(s.ctx, s.alpha, s.alice, v.ID); err != nil {
		t.Fatal(err)
	}
	item := func() (title, summary, kind string) {
		t.Helper()
		err := s.reg.DB().ReadTx(s.ctx, s.alpha, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT title, summary, kind FROM portfolio_items WHERE pupil_id = ? AND source = ?`, s.alice.PersonID, "exercises:"+v.ID.String()).
				Row().Scan(&title, &summary, &kind)
		})
		if err != nil {
			t.Fatalf("the attempt's item: %v", err)
		}
		return
	}
	if title, summary, kind := item(); title != "Calcul mental" || summary != "2/4, en attente de correction" || kind != "attempt" {
		t.Errorf("the submitted attempt's item: %q %q %q", title, summary, kind)
	}
	if err := s.svc.Review(s.ctx, s.alpha, s.claire, v.ID, 2, "1,5", "Bien."); err != nil {
		t.Fatal(err)
	}
	if _, summary, _ := item(); summary != "3,5/4" {
		t.Errorf("after the review: %q, want 3,5/4", summary)
	}
	if n := s.count(s.alpha, `SELECT count(*) FROM portfolio_items`); n != 1 {
		t.Errorf("%d items, want the one attempt", n)
	}
}

// exportWriter keeps a module's export in memory.
type exportWriter struct {
	json  []byte
	files map[string][]byte
}

func (w *exportWriter) JSON(v any) (err error) { w.json, err = json.Marshal(v); return err }

func (w *exportWriter) File(name string, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if w.files == nil {
		w.files = map[string][]byte{}
	}
	w.files[name] = b
	return "files/" + name, err
}

// TestExport: a pupil's export holds their attempts and responses with the teacher's
// comment, not another pupil's nor the right answers; a teacher's, their exercises and
// their bank's titles.
func TestExport(t *testing.T) {
	s := newSite(t)
	_, qs := s.bank(choice("Q1"), essay("E1"))
	as := s.assign(s.exercise(qs...), s.week())
	for _, p := range []exercises.Actor{s.alice, s.bob} {
		v, err := s.svc.StartAttempt(s.ctx, s.alpha, p, as)
		if err != nil {
			t.Fatal(err)
		}
		s.svc.SaveResponse(s.ctx, s.alpha, p, v.ID, 2, question.Response{Text: "Réponse de " + p.PersonID.String()})
		if _, err := s.svc.Submit(s.ctx, s.alpha, p, v.ID); err != nil {
			t.Fatal(err)
		}
		if p.PersonID == s.alice.PersonID {
			if err := s.svc.Review(s.ctx, s.alpha, s.claire, v.ID, 2, "1", "Argumentez davantage."); err != nil {
				t.Fatal(err)
			}
		}
	}
	var w exportWriter
	if err := s.svc.Export(s.ctx, s.alpha, s.alice.PersonID, &w); err != nil {
		t.Fatal(err)
	}
	got := string(w.json)
	for _, want := range []string{"Calcul mental", "Réponse de " + s.alice.PersonID.String(), "Argumentez davantage.", `"points_obtained":"1.00"`, `"score":"1.00"`} {
		if !strings.Contains(got, want) {
			t.Errorf("Alice's export lacks %q: %s", want, got)
		}
	}
	for _, not := range []string{s.bob.PersonID.String(), "FEEDBACK-JUSTE", "Calcul\"]"} {
		if strings.Contains(got, not) {
			t.Errorf("Alice's export holds %q", not)
		}
	}
	w = exportWriter{}
	if err := s.svc.Export(s.ctx, s.alpha, s.claire.PersonID, &w); err != nil {
		t.Fatal(err)
	}
	got = string(w.json)
	for _, want := range []string{`"title":"Calcul mental"`, `"bank_categories":["Calcul"]`, `"name":"Q1"`, `"name":"E1"`, `"attempts":[]`} {
		if !strings.Contains(got, want) {
			t.Errorf("Claire's export lacks %q: %s", want, got)
		}
	}
}
