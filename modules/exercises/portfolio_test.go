package exercises_test

import (
	"testing"

	"gorm.io/gorm"

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
