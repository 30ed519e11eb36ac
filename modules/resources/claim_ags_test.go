package resources

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
)

// The launch's AGS claim: for a tool sending scores in a class, the scopes and the class's
// line items; nothing for other tools, for an establishment context, or without a portal.
func TestAGSClaim(t *testing.T) {
	s := NewService(nil, nil, nil).WithGrades(nil, "https://cartable.example/")
	tn := &tenant.Tenant{ID: uuid.MustParse("6f1c2b9e-5d4a-4c3b-8a2f-1e0d9c8b7a65")}
	class := uuid.MustParse("0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9").String()
	scoring := &Tool{Kind: ToolLTI, Scores: true}
	claim := s.agsClaim(tn, scoring, class, "rl-1")
	want := "https://cartable.example/lti/ags/" + tn.ID.String() + "/" + class + "/lineitems"
	if claim == nil || claim["lineitems"] != want {
		t.Fatalf("claim %v, want lineitems %s", claim, want)
	}
	scopes, _ := claim["scope"].([]string)
	if len(scopes) != 4 || scopes[0] != ScopeLineItem {
		t.Errorf("scopes %v", scopes)
	}
	for what, c := range map[string]map[string]any{
		"a tool without scores":    s.agsClaim(tn, &Tool{Kind: ToolLTI}, class, "rl-1"),
		"a plain link":             s.agsClaim(tn, &Tool{Kind: ToolLink, Scores: true}, class, ""),
		"an establishment context": s.agsClaim(tn, scoring, "", "rl-1"),
		"no portal":                NewService(nil, nil, nil).agsClaim(tn, scoring, class, "rl-1"),
	} {
		if c != nil {
			t.Errorf("%s: claim %v", what, c)
		}
	}
}
