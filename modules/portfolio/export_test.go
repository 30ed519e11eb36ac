package portfolio_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/portfolio"
)

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
	return "portfolio/" + name, err
}

// TestExport: a pupil's export holds every item of every year, carried ones with their
// origin, and every file's bytes; nothing of another pupil's; a teacher's is empty.
func TestExport(t *testing.T) {
	s := newSite(t)
	wantCode(t, s.upload(s.alice, "/portfolio/documents", "Exposé sur Rimbaud", "FRAN", "expose.pdf", pdf), http.StatusSeeOther, "Alice's document")
	wantCode(t, s.upload(s.zoe, "/portfolio/documents", "Secret de Zoé", "", "zoe.pdf", pdf), http.StatusSeeOther, "Zoé's document")
	s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Document, SchoolYear: lastYear, Title: "Carnet de sciences",
		OriginUAI: "0330099R", OriginName: "Collège Jean-Moulin"})
	var w exportWriter
	if err := s.svc.Export(t.Context(), s.alpha, s.alice.PersonID, &w); err != nil {
		t.Fatal(err)
	}
	got := string(w.json)
	for _, want := range []string{"Exposé sur Rimbaud", `"subject":"Français"`, "Carnet de sciences", "Collège Jean-Moulin", `"school_year":"2025-2026"`,
		`"path":"portfolio/expose.pdf"`, `"kind_label":"Document personnel"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the export lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, "Zoé") || len(w.files) != 1 || !bytes.Equal(w.files["expose.pdf"], pdf) {
		t.Errorf("the export's files: %v; JSON %s", len(w.files), got)
	}
	w = exportWriter{}
	if err := s.svc.Export(t.Context(), s.alpha, s.claire.PersonID, &w); err != nil || string(w.json) != `{"items":[]}` {
		t.Errorf("a teacher's export: %s, %v", w.json, err)
	}
}

// TestYearVisibilityForm: the year's form shows the ticked items and hides the others; an
// item of another year or another pupil in it is refused and nothing changes.
func TestYearVisibilityForm(t *testing.T) {
	s := newSite(t)
	a := s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Document, Title: "A"})
	b := s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Document, Title: "B"})
	old := s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Document, SchoolYear: lastYear, Title: "C"})
	zoe := s.record(s.alpha, portfolio.Entry{PupilID: s.zoe.PersonID, Kind: portfolio.Document, Title: "Z"})
	visible := func() int {
		return s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE visible_to_teachers`)
	}
	wantCode(t, s.Post(s.alice, "/portfolio/visibilite", map[string][]string{"annee": {s.Year()}, "visible": {a.String(), b.String()}}), http.StatusSeeOther, "show A and B")
	if n := visible(); n != 2 {
		t.Errorf("%d visible, want 2", n)
	}
	wantCode(t, s.Post(s.alice, "/portfolio/visibilite", map[string][]string{"annee": {s.Year()}, "visible": {b.String()}}), http.StatusSeeOther, "hide A")
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE visible_to_teachers AND id = ?`, b); n != 1 || visible() != 1 {
		t.Errorf("after hiding A: %d visible", visible())
	}
	for _, bad := range []string{old.String(), zoe.String()} {
		wantCode(t, s.Post(s.alice, "/portfolio/visibilite", map[string][]string{"annee": {s.Year()}, "visible": {a.String(), bad}}), http.StatusNotFound, "a foreign item")
	}
	if n := visible(); n != 1 {
		t.Errorf("a refused form changed the visibility: %d visible", n)
	}
}
