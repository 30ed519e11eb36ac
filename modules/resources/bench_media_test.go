package resources_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

// BenchmarkMediacentre: the médiacentre of a pupil with 50 resources (25 for everyone, 25
// by licence), through the router, with Kratos' session check cached as in production.
func BenchmarkMediacentre(b *testing.B) {
	m := newMediaSiteWith(b, moduletest.Options{SessionCache: time.Minute})
	link, linkPub := m.tool("Éditeur des liens", resources.ToolLink)
	lti, ltiPub := m.tool("Éditeur LTI", resources.ToolLTI)
	for i := range 50 {
		if i%2 == 0 {
			r := m.resource(link, linkPub, fmt.Sprintf("Ressource libre %02d", i), "dictionnaire", []string{"Français", fmt.Sprintf("Matière %d", i%5)}, true)
			m.subscribe(m.alpha, r, link, resources.KindEtablissement, resources.TargetTous)
		} else {
			r := m.resource(lti, ltiPub, fmt.Sprintf("Manuel %02d", i), "manuel", []string{"Mathématiques"}, false)
			sub := m.subscribe(m.alpha, r, lti, resources.KindPersonne, resources.TargetEleves)
			m.assignClass(m.alpha, sub, m.classA, m.alice)
		}
	}
	rec := m.get(m.alpha, m.alice, "/ressources")
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d", rec.Code)
	}
	if n := strings.Count(rec.Body.String(), "<h2>"); n != 50 {
		b.Fatalf("%d cards, want 50", n)
	}
	b.ResetTimer()
	for b.Loop() {
		rec := m.get(m.alpha, m.alice, "/ressources")
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
