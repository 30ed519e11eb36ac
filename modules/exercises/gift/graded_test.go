package gift_test

import (
	"os"
	"testing"

	"github.com/cartable-ent/cartable/modules/exercises/gift"
	"github.com/cartable-ent/cartable/modules/exercises/grading"
	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// TestCorpusGraded: every question of the GIFT corpus, answered with its own key, gets full
// marks, and answered with nothing gets none: the reader and the grading agree on what each
// construct means.
func TestCorpusGraded(t *testing.T) {
	f, err := os.Open("testdata/corpus.gift")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, errs, err := gift.Parse(f)
	if err != nil || len(errs) > 0 {
		t.Fatalf("corpus: %v %v", err, errs)
	}
	for _, q := range qs {
		if q.Type == question.Essay || q.Type == question.Description {
			continue
		}
		key := grading.Solution(q)
		if r := grading.Grade(q, key.Response); !r.Graded || r.Score == nil || r.Score.Cmp(question.FullMark.Rat()) != 0 {
			t.Errorf("%s (%s) answered with its key: %+v", q.Name, q.Type, r)
		}
		if r := grading.Grade(q, question.Response{}); r.Score != nil && r.Score.Sign() != 0 {
			t.Errorf("%s (%s) not answered scores %s", q.Name, q.Type, r.Score.RatString())
		}
	}
}
