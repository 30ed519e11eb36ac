package cahier_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/cahier"
	"github.com/cartable-ent/cartable/modules/files"
)

// TestCopyWithWork: copying a séance (page, then API) copies the work set in it, « pour la
// prochaine séance » re-resolved for the target class and a fixed date kept, and the
// attachments of both, stored again (each copy counts in the establishment's space); the
// original keeps its own; a copy that does not fit in the space is refused, nothing copied.
func TestCopyWithWork(t *testing.T) {
	s := newSite(t)
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	id := s.lessonSession(s.teacher, s.monday1, "2026-10-05", "Fonctions affines", "publier")
	next := savedOf(t, s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/travail", `{"session_id": "`+id.String()+`", "kind": "Exercices",
		"description": "Exercices 1 à 4", "due": "prochaine", "minutes": 25}`).Body.String())
	fixed := savedOf(t, s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/travail", `{"session_id": "`+id.String()+`", "kind": "Devoir maison",
		"description": "DM 1", "due": "date", "due_on": "2026-10-09", "minutes": 60}`).Body.String())
	wantCode(t, s.uploadAPI(s.alpha, s.teacher, "/api/v1/cahier/seances/"+id.String()+"/fichiers", "cours.pdf", pdf), http.StatusCreated, "the séance's file")
	wantCode(t, s.uploadAPI(s.alpha, s.teacher, "/api/v1/cahier/travail/"+next.String()+"/fichiers", "exercices.pdf", pdf), http.StatusCreated, "the work's file")
	space := func() int {
		return s.Count(s.alpha, `SELECT coalesce(sum(bytes), 0) FROM file_space WHERE table_name = 'cahier_files'`)
	}

	type copyOf struct {
		ID    uuid.UUID `json:"id"`
		State string    `json:"state"`
		Date  string    `json:"date"`
		Work  []struct {
			ID          uuid.UUID `json:"id"`
			Description string    `json:"description"`
			DueOn       string    `json:"due_on"`
			NextLesson  bool      `json:"next_lesson"`
			Minutes     int       `json:"minutes"`
			Files       []apiFile `json:"files"`
		} `json:"work"`
		Files []apiFile `json:"files"`
	}
	check := func(t *testing.T, c copyOf) {
		t.Helper()
		if c.State != "brouillon" || c.Date != "2026-10-05" || len(c.Files) != 1 || c.Files[0].Name != "cours.pdf" || len(c.Work) != 2 {
			t.Fatalf("the copy: %+v", c)
		}
		due := map[string]string{}
		for _, w := range c.Work {
			due[w.Description] = w.DueOn
			if w.Description == "Exercices 1 à 4" && (!w.NextLesson || w.Minutes != 25 || len(w.Files) != 1) || w.Description == "DM 1" && (w.NextLesson || len(w.Files) != 0) {
				t.Errorf("the copied work: %+v", w)
			}
		}
		// 2nde 2's next maths lesson after Monday 5 at 10:00 is Monday 12; the DM keeps its date.
		if due["Exercices 1 à 4"] != "2026-10-12" || due["DM 1"] != "2026-10-09" {
			t.Errorf("the copied work's due dates: %v", due)
		}
		var w struct {
			Files []apiFile `json:"files"`
		}
		for _, cw := range c.Work {
			if cw.Description == "Exercices 1 à 4" {
				s.getJSON(s.teacher, "/api/v1/cahier/travail/"+cw.ID.String(), http.StatusOK, &w)
			}
		}
		if len(w.Files) != 1 || w.Files[0].Name != "exercices.pdf" {
			t.Fatalf("the copied work's files: %+v", w.Files)
		}
		rec := s.Get(s.teacher, w.Files[0].URL)
		wantCode(t, rec, http.StatusOK, "the copied file")
		if rec.Body.String() != string(pdf) {
			t.Errorf("the copied file holds %q", rec.Body.String())
		}
		if n := s.Count(s.alpha, `SELECT count(DISTINCT blob_key) FROM cahier_files`); n != 4 {
			t.Errorf("%d distinct blobs, want the originals' 2 and the copies' 2", n)
		}
		if n := space(); n != 4*len(pdf) {
			t.Errorf("the space counts %d bytes of the cahier, want 4 files of %d", n, len(pdf))
		}
		wantCode(t, s.Get(s.zoe, "/cahier/seances/"+c.ID.String()), http.StatusNotFound, "the draft copy to its class's pupil")
	}
	var c copyOf
	t.Run("page", func(t *testing.T) {
		rec := s.Post(s.teacher, "/cahier/seances/"+id.String()+"/copier", url.Values{"classe": {s.class2.String() + "|MATHS"}})
		wantCode(t, rec, http.StatusSeeOther, "copy")
		found := savedID.FindStringSubmatch(rec.Header().Get("Location"))
		if found == nil {
			t.Fatalf("copy went to %q", rec.Header().Get("Location"))
		}
		s.getJSON(s.teacher, "/api/v1/cahier/seances/"+found[1], http.StatusOK, &c)
		check(t, c)
	})
	wantCode(t, s.sendJSON(s.teacher, http.MethodDelete, "/api/v1/cahier/seances/"+c.ID.String(), ""), http.StatusNoContent, "delete the page's copy")
	t.Run("API", func(t *testing.T) {
		rec := s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/seances/"+id.String()+"/copier", `{"class_id": "`+s.class2.String()+`"}`)
		wantCode(t, rec, http.StatusCreated, "copy")
		var c copyOf
		if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		check(t, c)
		wantCode(t, s.sendJSON(s.teacher, http.MethodDelete, "/api/v1/cahier/seances/"+c.ID.String(), ""), http.StatusNoContent, "delete the copy")
	})
	var orig struct {
		Work  []json.RawMessage `json:"work"`
		Files []apiFile         `json:"files"`
	}
	s.getJSON(s.alice, "/api/v1/cahier/seances/"+id.String(), http.StatusOK, &orig)
	if len(orig.Work) != 2 || len(orig.Files) != 1 || s.Count(s.alpha, `SELECT count(*) FROM cahier_work WHERE id IN (?, ?)`, next, fixed) != 2 {
		t.Errorf("the original after its copies went: %d works, %d files", len(orig.Work), len(orig.Files))
	}

	t.Run("the space full", func(t *testing.T) {
		sp, err := files.NewSpace(s.Reg.DB(), s.Clock.Now, cahier.FileTable)
		if err != nil {
			t.Fatal(err)
		}
		s.svc.SetSpace(sp)
		if err := sp.SetQuota(context.Background(), s.alpha, files.MinQuota, "user:admin-region"); err != nil {
			t.Fatal(err)
		}
		s.Exec(s.alpha, `INSERT INTO file_space (table_name, content_type, files, bytes) VALUES ('news_files', 'application/pdf', 1, ?)`, files.MinQuota-int64(len(pdf)))
		sessions, works, fs := s.Count(s.alpha, `SELECT count(*) FROM cahier_sessions`), s.Count(s.alpha, `SELECT count(*) FROM cahier_work`), s.Count(s.alpha, `SELECT count(*) FROM cahier_files`)
		rec := s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/seances/"+id.String()+"/copier", `{"class_id": "`+s.class2.String()+`"}`)
		wantCode(t, rec, http.StatusUnprocessableEntity, "a copy past the quota")
		wantIn(t, rec, "a copy past the quota", "l'espace de stockage de l'établissement est plein", "ces 2 fichiers", `"field":"class_id"`)
		if s.Count(s.alpha, `SELECT count(*) FROM cahier_sessions`) != sessions || s.Count(s.alpha, `SELECT count(*) FROM cahier_work`) != works ||
			s.Count(s.alpha, `SELECT count(*) FROM cahier_files`) != fs {
			t.Error("a refused copy left rows")
		}
	})
}
