package moodlexml_test

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/cartable-ent/cartable/modules/exercises/gift"
	"github.com/cartable-ent/cartable/modules/exercises/moodlexml"
)

// TestGIFTThroughXML: the GIFT corpus exported as Moodle XML and read back gives the same
// questions (as GIFT normalises them): a bank brought in one format leaves in the other.
func TestGIFTThroughXML(t *testing.T) {
	f, err := os.Open("../gift/testdata/corpus.gift")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, errs, err := gift.Parse(f)
	if err != nil || len(errs) > 0 {
		t.Fatalf("corpus: %v %v", err, errs)
	}
	var b bytes.Buffer
	if err := moodlexml.Export(&b, qs); err != nil {
		t.Fatalf("export: %v", err)
	}
	back, xerrs, err := moodlexml.Parse(&b)
	if err != nil || len(xerrs) > 0 {
		t.Fatalf("read back: %v %v", err, xerrs)
	}
	if len(back) != len(qs) {
		t.Fatalf("%d questions back, %d sent", len(back), len(qs))
	}
	for i := range qs {
		if got, want := gift.Normalize(back[i]), gift.Normalize(qs[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("question %d (%s):\n got %+v\nwant %+v", i+1, qs[i].Name, got, want)
		}
	}
}
