package resources_test

// A tool that sends scores, end to end: a pupil's launch carries the AGS endpoint of their
// class; the tool (the real ltitool, with its own key published at its JWKS URL) gets a token
// with a signed client assertion, creates a line item there and sends the pupil's score under
// the pseudonym it was launched with; the class's teacher turns it into a draft evaluation.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

func TestLaunchThenScoresIntoADraft(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(98, "Lycée Alpha")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	teacher := s.Member(alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	class := uuid.New()
	s.Exec(alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques')`)
	s.Exec(alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?)`, class, s.Year())
	s.Exec(alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, class, alice.PersonID)
	s.Exec(alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS')`, teacher.PersonID, class)
	tool := s.addTool(t, "exerciseur")
	if err := s.Reg.Platform().Exec(`UPDATE platform.resource_tools SET scores = true WHERE id = ?`, tool.ID).Error; err != nil {
		t.Fatal(err)
	}
	book := s.addResource(t, tool.ID, "Exerciseur de maths", "https://editeur.example/exos")
	s.subscribe(t, alpha, book, tool.ID, resources.TargetTous)
	const agsClaim = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

	// Without the class shared, the context is the establishment: no line items offered.
	s.tokenOf(alice).launch(t, alpha, book)
	if l := tool.Launches()[0]; l.Claims[agsClaim] != nil {
		t.Fatalf("an establishment context offers line items: %v", l.Claims[agsClaim])
	}
	s.Exec(alpha, `INSERT INTO resource_tool_sharing (tool_id, share_class, updated_at) VALUES (?, true, now())`, tool.ID)
	s.tokenOf(alice).launch(t, alpha, book)
	l := tool.Launches()[1]
	endpoint, _ := l.Claims[agsClaim].(map[string]any)
	lineitems, _ := endpoint["lineitems"].(string)
	if !strings.Contains(lineitems, "/lti/ags/"+alpha.ID.String()+"/"+class.String()+"/lineitems") {
		t.Fatalf("the launch's AGS claim: %v", l.Claims[agsClaim])
	}

	// The tool's token: a client assertion signed with the key it publishes at its JWKS URL.
	portal := strings.TrimSuffix(s.Srv.PortalURL(), "/")
	now := s.Clock.Now()
	tok, err := jwt.NewBuilder().Issuer(tool.ClientID).Subject(tool.ClientID).Audience([]string{portal + "/lti/token"}).
		IssuedAt(now).Expiration(now.Add(4 * time.Minute)).JwtID(uuid.NewString()).Build()
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), tool.Key()))
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion": {string(assertion)}, "scope": {resources.ScopeLineItem + " " + resources.ScopeScore}}
	status, body := call(t, s, http.MethodPost, portal+"/lti/token", "", "application/x-www-form-urlencoded", form.Encode())
	var granted struct {
		AccessToken string `json:"access_token"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &granted) != nil || granted.AccessToken == "" {
		t.Fatalf("token: %d %s", status, body)
	}

	status, body = call(t, s, http.MethodPost, lineitems, granted.AccessToken, "application/vnd.ims.lis.v2.lineitem+json",
		`{"label": "Équations du premier degré", "scoreMaximum": 20}`)
	var item struct {
		ID string `json:"id"`
	}
	if status != http.StatusCreated && status != http.StatusOK || json.Unmarshal(body, &item) != nil || item.ID == "" {
		t.Fatalf("line item: %d %s", status, body)
	}
	score := `{"userId": "` + l.Sub + `", "scoreGiven": 15, "scoreMaximum": 20, "activityProgress": "Completed", "gradingProgress": "FullyGraded", "timestamp": "` +
		now.UTC().Format(time.RFC3339) + `"}`
	if status, body = call(t, s, http.MethodPost, item.ID+"/scores", granted.AccessToken, "application/vnd.ims.lis.v1.score+json", score); status/100 != 2 {
		t.Fatalf("score: %d %s", status, body)
	}

	rec := s.Send(alpha, teacher, http.MethodGet, "/ressources/notes", nil)
	moduletest.WantIn(t, rec, "the teacher's scores", "Équations du premier degré", "15 / 20")
	itemID := item.ID[strings.LastIndex(item.ID, "/")+1:]
	rec = s.Send(alpha, teacher, http.MethodPost, "/ressources/notes/"+itemID+"/brouillon",
		url.Values{"matiere": {"MATHS"}, "bareme": {"20"}, "coefficient": {"1"}})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "the draft")
	if n := s.Count(alpha, `SELECT count(*) FROM evaluations e JOIN marks m ON m.evaluation_id = e.id
		WHERE NOT e.published AND m.pupil_id = ? AND m.value = 15`, alice.PersonID); n != 1 {
		t.Errorf("the unpublished draft with Alice's 15/20: %d", n)
	}
	// The pupil who opens the teachers' pages is sent to their own, and sees no score.
	for _, path := range []string{"/ressources/notes", "/ressources/classes"} {
		rec := s.Send(alpha, alice, http.MethodGet, path, nil)
		moduletest.WantIn(t, rec, "a pupil on "+path, "Cette page est celle des professeurs")
		moduletest.WantNotIn(t, rec, "a pupil on "+path, "15 / 20", "Équations du premier degré")
	}
}

// call sends a request to the platform's server as a tool would (no session, a Bearer token).
func call(t *testing.T, s *ltiSite, method, u, token, contentType, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}
