package news_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/tenant"
)

// api sends a JSON request on tn's host as m, checked against the OpenAPI document.
func (s *site) api(tn *tenant.Tenant, m directorytest.Member, method, path, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	if body == "" {
		return s.Do(tn, m, method, path, "", nil)
	}
	return s.Do(tn, m, method, path, "application/json", strings.NewReader(body))
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body.String(), err)
	}
	return v
}

type apiPost struct {
	ID, State, Target, BodyHTML string
	Read                        bool
}

func TestAPI(t *testing.T) {
	s := newSite(t)
	a := s.alpha
	post := `{"title": "Sortie", "body": "Rendez-vous <script>x</script> **8h**", "audience": "responsables", "class_id": "` + s.class1.String() + `", "action": "%s"}`
	with := func(action string) string { return strings.Replace(post, "%s", action, 1) }

	wantCode(t, s.api(a, s.alice, http.MethodPost, "/api/v1/actualites", with("brouillon")), http.StatusForbidden, "pupil creates")
	wantCode(t, s.api(a, s.teacher, http.MethodPost, "/api/v1/actualites", with("publier")), http.StatusForbidden, "contributor publishes")
	rec := s.api(a, s.teacher, http.MethodPost, "/api/v1/actualites", `{"title": "", "body": "", "audience": "classe", "action": "brouillon"}`)
	wantCode(t, rec, http.StatusUnprocessableEntity, "empty")
	fields := decode[struct{ Fields map[string]string }](t, rec).Fields
	if !strings.HasPrefix(fields["title"], "Titre") || !strings.HasPrefix(fields["body"], "Texte") || !strings.HasPrefix(fields["class_id"], "Classe") {
		t.Errorf("fields: %v", fields)
	}
	rec = s.api(a, s.teacher, http.MethodPost, "/api/v1/actualites", with("soumettre"))
	wantCode(t, rec, http.StatusCreated, "contributor submits")
	p := decode[struct {
		ID, State, Target string
		BodyHTML          string `json:"body_html"`
	}](t, rec)
	if p.State != "a_valider" || p.Target != "Les parents de 2nde 1" || strings.Contains(p.BodyHTML, "<script") || !strings.Contains(p.BodyHTML, "<strong>8h</strong>") {
		t.Errorf("created: %+v", p)
	}
	wantCode(t, s.api(a, s.guardian, http.MethodGet, "/api/v1/actualites/"+p.ID, ""), http.StatusNotFound, "before validation")
	wantCode(t, s.api(a, s.teacher, http.MethodPost, "/api/v1/actualites/"+p.ID+"/publier", ""), http.StatusForbidden, "contributor validates")
	wantCode(t, s.api(a, s.direction, http.MethodPost, "/api/v1/actualites/"+p.ID+"/publier", ""), http.StatusNoContent, "direction validates")

	rec = s.api(a, s.guardian, http.MethodGet, "/api/v1/actualites", "")
	wantCode(t, rec, http.StatusOK, "guardian's list")
	if l := decode[struct{ Posts []apiPost }](t, rec).Posts; len(l) != 1 || l[0].ID != p.ID || l[0].Read {
		t.Errorf("guardian's list: %+v", l)
	}
	wantCode(t, s.api(a, s.guardian, http.MethodGet, "/api/v1/actualites/"+p.ID, ""), http.StatusOK, "guardian reads")
	for _, m := range []directorytest.Member{s.zoe, s.guardianZoe, s.alice} {
		wantCode(t, s.api(a, m, http.MethodGet, "/api/v1/actualites/"+p.ID, ""), http.StatusNotFound, "outside the audience")
	}
	rec = s.api(a, s.teacher, http.MethodGet, "/api/v1/actualites/gestion", "")
	wantCode(t, rec, http.StatusOK, "author's posts")
	if l := decode[struct {
		Posts []struct {
			ID           string
			Readers      int
			AudienceSize int `json:"audience_size"`
		}
	}](t, rec).Posts; len(l) != 1 || l[0].Readers != 1 || l[0].AudienceSize != 1 {
		t.Errorf("author's read counts: %+v", l)
	}
	wantCode(t, s.api(a, s.teacher, http.MethodPut, "/api/v1/actualites/"+p.ID, with("soumettre")), http.StatusForbidden, "author edits once published")
	wantCode(t, s.api(a, s.bravoDirection, http.MethodGet, "/api/v1/actualites/"+p.ID, ""), http.StatusForbidden, "Bravo on Alpha")
	wantCode(t, s.api(s.bravo, s.bravoDirection, http.MethodGet, "/api/v1/actualites/"+p.ID, ""), http.StatusNotFound, "Alpha's post on Bravo")
	wantCode(t, s.api(s.bravo, s.bravoDirection, http.MethodDelete, "/api/v1/actualites/"+p.ID, ""), http.StatusNotFound, "Bravo deletes Alpha's post")
	wantCode(t, s.api(a, s.direction, http.MethodDelete, "/api/v1/actualites/"+p.ID, ""), http.StatusNoContent, "direction deletes")
	if n := s.Count(a, `SELECT count(*) FROM news_posts`); n != 0 {
		t.Fatal("not deleted")
	}
}
