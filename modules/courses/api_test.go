package courses_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gocloud.dev/blob"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/tenant"
)

// call sends a JSON body (empty: none) as m on tn and decodes the answer into out (nil: none).
func (s *site) call(tn *tenant.Tenant, m directorytest.Member, method, path, body string, want int, out any) {
	s.t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	rec := s.Do(tn, m, method, path, ct, strings.NewReader(body))
	wantCode(s.t, rec, want, method+" "+path)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, rec.Body.String())
		}
	}
}

// TestAPI: a course written, published and read through the JSON API, the same rules as
// the pages (checked against web/openapi.json by the site).
func TestAPI(t *testing.T) {
	s := newSite(t)
	var created struct {
		ID    uuid.UUID `json:"id"`
		State string    `json:"state"`
	}
	s.call(s.alpha, s.teacher, http.MethodPost, "/api/v1/cours", `{"title":"Optique","subject":"MATHS","class_ids":["`+s.class1.String()+`"]}`, http.StatusCreated, &created)
	if created.State != "brouillon" {
		t.Fatalf("a new course is %q, want a draft", created.State)
	}
	var refused struct {
		Fields map[string]string `json:"fields"`
	}
	s.call(s.alpha, s.teacher, http.MethodPost, "/api/v1/cours", `{"title":"","class_ids":["`+uuid.NewString()+`"]}`, http.StatusUnprocessableEntity, &refused)
	if refused.Fields["title"] == "" || refused.Fields["class_ids"] == "" {
		t.Errorf("refusal fields: %v", refused.Fields)
	}
	c := "/api/v1/cours/" + created.ID.String()
	var sec, page struct {
		ID uuid.UUID `json:"id"`
	}
	s.call(s.alpha, s.teacher, http.MethodPost, c+"/sections", `{"title":"Lumière"}`, http.StatusCreated, &sec)
	s.call(s.alpha, s.teacher, http.MethodPost, "/api/v1/cours/sections/"+sec.ID.String()+"/pages", `{"title":"Réfraction"}`, http.StatusCreated, &page)
	p := "/api/v1/cours/pages/" + page.ID.String()
	s.call(s.alpha, s.teacher, http.MethodPost, p+"/blocs", `{"kind":"texte","body":"<script>x</script>\n\nLa *réfraction*"}`, http.StatusCreated, nil)
	s.call(s.alpha, s.teacher, http.MethodPost, p+"/blocs", `{"kind":"video","url":"https://www.dailymotion.com/video/x7","label":"Expérience"}`, http.StatusCreated, nil)
	s.call(s.alpha, s.teacher, http.MethodPost, p+"/blocs", `{"kind":"lien","url":"data:text/html,x","label":"x"}`, http.StatusUnprocessableEntity, &refused)
	if refused.Fields["url"] == "" {
		t.Errorf("refusal fields: %v", refused.Fields)
	}
	s.call(s.alpha, s.teacher, http.MethodPost, p+"/blocs", `{"kind":"exercice"}`, http.StatusUnprocessableEntity, &refused)
	s.call(s.alpha, s.alice, http.MethodGet, p, "", http.StatusNotFound, nil)
	s.call(s.alpha, s.teacher, http.MethodPost, c+"/publier", "", http.StatusNoContent, nil)

	var shown struct {
		Blocks []struct {
			Kind     string `json:"kind"`
			BodyHTML string `json:"body_html"`
			Provider string `json:"provider"`
		} `json:"blocks"`
	}
	s.call(s.alpha, s.alice, http.MethodGet, p, "", http.StatusOK, &shown)
	if len(shown.Blocks) != 2 || strings.Contains(shown.Blocks[0].BodyHTML, "<script") || !strings.Contains(shown.Blocks[0].BodyHTML, "<em>réfraction</em>") || shown.Blocks[1].Provider != "Dailymotion" {
		t.Errorf("the page as the pupil reads it: %+v", shown)
	}
	var mine struct {
		Courses []struct {
			ID           uuid.UUID  `json:"id"`
			ResumePageID *uuid.UUID `json:"resume_page_id"`
		} `json:"courses"`
	}
	s.call(s.alpha, s.alice, http.MethodGet, "/api/v1/cours", "", http.StatusOK, &mine)
	if len(mine.Courses) != 1 || mine.Courses[0].ResumePageID == nil || *mine.Courses[0].ResumePageID != page.ID {
		t.Errorf("the pupil's list: %+v", mine)
	}
	s.call(s.alpha, s.zoe, http.MethodGet, "/api/v1/cours", "", http.StatusOK, &mine)
	if len(mine.Courses) != 0 {
		t.Errorf("a pupil of another class lists %+v", mine)
	}
	s.call(s.alpha, s.zoe, http.MethodGet, c, "", http.StatusNotFound, nil)
	s.call(s.bravo, s.bravoT, http.MethodGet, c, "", http.StatusNotFound, nil)
	s.call(s.bravo, s.bravoT, http.MethodPut, c, `{"title":"Volé"}`, http.StatusNotFound, nil)
	s.call(s.alpha, s.alice, http.MethodPut, c, `{"title":"Volé"}`, http.StatusForbidden, nil)

	t.Run("files, moves and deletions", func(t *testing.T) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("alt", "")
		fw, _ := w.CreateFormFile("fichier", "prisme.png")
		fw.Write(pngBytes(t))
		w.Close()
		rec := s.Do(s.alpha, s.teacher, http.MethodPost, p+"/fichiers", w.FormDataContentType(), bytes.NewReader(body.Bytes()))
		wantCode(t, rec, http.StatusUnprocessableEntity, "image without alt")
		wantIn(t, rec, "refusal", `"alt"`)
		body.Reset()
		w = multipart.NewWriter(&body)
		w.WriteField("alt", "Un prisme décompose la lumière")
		fw, _ = w.CreateFormFile("fichier", "prisme.png")
		fw.Write(pngBytes(t))
		w.Close()
		var img struct {
			ID   uuid.UUID `json:"id"`
			Kind string    `json:"kind"`
			Href string    `json:"href"`
		}
		rec = s.Do(s.alpha, s.teacher, http.MethodPost, p+"/fichiers", w.FormDataContentType(), &body)
		wantCode(t, rec, http.StatusCreated, "image")
		if err := json.Unmarshal(rec.Body.Bytes(), &img); err != nil || img.Kind != "image" {
			t.Fatalf("image block: %s", rec.Body.String())
		}
		s.call(s.alpha, s.teacher, http.MethodPost, "/api/v1/cours/blocs/"+img.ID.String()+"/deplacer", `{"direction":"haut"}`, http.StatusNoContent, nil)
		s.call(s.alpha, s.alice, http.MethodGet, p, "", http.StatusOK, &shown)
		if len(shown.Blocks) != 3 || shown.Blocks[1].Kind != "image" {
			t.Errorf("after moving the image up: %+v", shown.Blocks)
		}
		s.call(s.alpha, s.teacher, http.MethodPost, "/api/v1/cours/blocs/"+img.ID.String()+"/deplacer", `{"direction":"côté"}`, http.StatusUnprocessableEntity, nil)
		s.call(s.alpha, s.colleague, http.MethodDelete, "/api/v1/cours/blocs/"+img.ID.String(), "", http.StatusNotFound, nil)
		s.call(s.alpha, s.teacher, http.MethodDelete, "/api/v1/cours/blocs/"+img.ID.String(), "", http.StatusNoContent, nil)
		if keys := s.blobs(t); len(keys) != 0 {
			t.Errorf("blobs left after deleting the only block naming them: %v", keys)
		}
	})

	var copied struct {
		ID         uuid.UUID `json:"id"`
		SchoolYear string    `json:"school_year"`
	}
	s.call(s.alpha, s.teacher, http.MethodPost, c+"/copier", `{"class_ids":["`+s.class2.String()+`"]}`, http.StatusCreated, &copied)
	if copied.ID == created.ID || copied.SchoolYear != s.Year() {
		t.Errorf("copy: %+v", copied)
	}
	s.call(s.alpha, s.teacher, http.MethodPut, c, `{"title":"Optique géométrique","class_ids":["`+s.class1.String()+`"]}`, http.StatusOK, nil)
	s.call(s.alpha, s.colleague, http.MethodDelete, c, "", http.StatusNotFound, nil)
	s.call(s.alpha, s.teacher, http.MethodDelete, c, "", http.StatusNoContent, nil)
	s.call(s.alpha, s.alice, http.MethodGet, p, "", http.StatusNotFound, nil)
}

// blobs lists the keys in the site's blob store.
func (s *site) blobs(t *testing.T) []string {
	var out []string
	it := s.bucket.List(&blob.ListOptions{})
	for {
		obj, err := it.Next(t.Context())
		if err != nil {
			return out
		}
		out = append(out, obj.Key)
	}
}
