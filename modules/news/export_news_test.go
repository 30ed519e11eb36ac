package news_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// exportWriter keeps what an exporter writes.
type exportWriter struct {
	json  []byte
	files map[string][]byte
}

func (w *exportWriter) JSON(v any) error {
	b, err := json.Marshal(v)
	w.json = b
	return err
}

func (w *exportWriter) File(name string, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if w.files == nil {
		w.files = map[string][]byte{}
	}
	w.files[name] = b
	return "fichiers/" + name, err
}

// TestExport: an author's export holds their posts with their files; a reader's, the posts
// they read; nobody's holds another's drafts, and nothing of another establishment.
func TestExport(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
	id := s.write(s.teacher, "/actualites/nouvelle", postForm("Sortie au musée", "Rendez-vous à 8 h.", "classe", s.class1.String(), "brouillon"))
	wantCode(t, s.upload(s.teacher, "/actualites/"+id.String()+"/pieces", "programme.pdf", pdf, ""), http.StatusSeeOther, "pdf")
	other := s.write(s.cpe, "/actualites/nouvelle", postForm("Brouillon de la CPE", "secret", "etablissement", "", "brouillon"))
	s.Exec(s.alpha, `INSERT INTO news_reads (post_id, person_id, read_at) VALUES (?, ?, now()), (?, ?, now())`, id, s.alice.PersonID, other, s.zoe.PersonID)
	export := func(who uuid.UUID) (string, map[string][]byte) {
		t.Helper()
		var w exportWriter
		if err := s.svc.Export(ctx, s.alpha, who, &w); err != nil {
			t.Fatal(err)
		}
		return string(w.json), w.files
	}
	got, fs := export(s.teacher.PersonID)
	for _, want := range []string{`"titre":"Sortie au musée"`, `"texte":"Rendez-vous à 8 h."`, `"public":"2nde 1"`, `"fichier":"fichiers/programme.pdf"`} {
		if !strings.Contains(got, want) {
			t.Errorf("author's export lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Brouillon de la CPE") || len(fs) != 1 || !bytes.Equal(fs["programme.pdf"], pdf) {
		t.Errorf("author's export: %s, files %d", got, len(fs))
	}
	if got, _ := export(s.alice.PersonID); !strings.Contains(got, `"actualites_lues":[{"titre":"Sortie au musée"`) || !strings.Contains(got, `"actualites_ecrites":[]`) ||
		strings.Contains(got, "CPE") {
		t.Errorf("reader's export:\n%s", got)
	}
	var w exportWriter
	if err := s.svc.Export(ctx, s.bravo, s.teacher.PersonID, &w); err != nil || string(w.json) != `{"actualites_ecrites":[],"actualites_lues":[]}` {
		t.Errorf("the other establishment's export: %s, %v", w.json, err)
	}
}
