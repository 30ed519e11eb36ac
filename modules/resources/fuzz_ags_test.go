package resources

import (
	"encoding/json"
	"math/big"
	"testing"
)

// FuzzLineItemInput: whatever a tool sends as a line item, validation never panics, and what
// it accepts has a label of 1 to 300 characters and a maximum numeric(8,2) holds above 0.
func FuzzLineItemInput(f *testing.F) {
	for _, seed := range []string{
		`{"label":"Quiz","scoreMaximum":10}`, `{"label":"","scoreMaximum":10}`, `{"label":"Quiz","scoreMaximum":-1}`,
		`{"label":"Quiz","scoreMaximum":1e300}`, `{"label":"Quiz","scoreMaximum":0.004}`, `{"label":"Quiz"}`, `{"label":"\u00e9t\u00e9","scoreMaximum":999999.99,"tag":"x"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var in LineItemInput
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		maximum, err := in.validate()
		if err != nil {
			return
		}
		if n := len([]rune(in.Label)); n < 1 || n > 300 {
			t.Fatalf("label of %d characters accepted", n)
		}
		r, ok := new(big.Rat).SetString(maximum)
		if !ok || r.Cmp(big.NewRat(1000000, 1)) >= 0 {
			t.Fatalf("maximum %q accepted", maximum)
		}
		if r.Sign() <= 0 {
			t.Fatalf("maximum %q accepted: numeric(8,2) makes it 0", maximum)
		}
	})
}
