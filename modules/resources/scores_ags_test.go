package resources_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwt"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

func oauthError(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not an OAuth error: %s", body)
	}
	return e.Error
}

// A tool gets a token with its signed assertion, makes a line item in a class, posts its
// pupils' scores under their pseudonyms and reads the results back.
func TestAGSTokenLineItemScoresResults(t *testing.T) {
	s := newAGSSite(t)
	token := s.token(s.a)
	item := s.createLineItem(token, s.alpha, s.class1, "Quiz fonctions affines", 10)
	if !strings.HasPrefix(item, s.Srv.PortalURL()+"lti/ags/"+s.alpha.ID.String()+"/"+s.class1.String()+"/lineitems/") {
		t.Fatalf("line item id %s is not under the class's container", item)
	}

	rec := s.portal(http.MethodGet, s.lineItems(s.alpha, s.class1), token, "", "")
	moduletest.WantCode(t, rec, http.StatusOK, "list line items")
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.ims.lis.v2.lineitemcontainer+json" {
		t.Errorf("container content type %q", ct)
	}
	moduletest.WantIn(t, rec, "container", "Quiz fonctions affines", `"scoreMaximum":10`, `"resourceLinkId":"rl-1"`)

	// paged: two line items, one a page
	second := s.createLineItem(token, s.alpha, s.class1, "Quiz second degré", 20)
	rec = s.portal(http.MethodGet, s.lineItems(s.alpha, s.class1)+"?limit=1", token, "", "")
	moduletest.WantCode(t, rec, http.StatusOK, "first page")
	next := rec.Header().Get("Link")
	if !strings.Contains(rec.Body.String(), "Quiz fonctions affines") || strings.Contains(rec.Body.String(), "second degré") || !strings.HasSuffix(next, `>; rel="next"`) {
		t.Fatalf("first page %s, Link %q", rec.Body, next)
	}
	rec = s.portal(http.MethodGet, strings.TrimSuffix(strings.TrimPrefix(next, "<"), `>; rel="next"`), token, "", "")
	moduletest.WantCode(t, rec, http.StatusOK, "next page")
	if !strings.Contains(rec.Body.String(), "second degré") || rec.Header().Get("Link") != "" {
		t.Errorf("next page %s, Link %q", rec.Body, rec.Header().Get("Link"))
	}
	moduletest.WantCode(t, s.portal(http.MethodDelete, second, token, "", ""), http.StatusNoContent, "delete the second")

	rec = s.portal(http.MethodPut, item, token, "application/vnd.ims.lis.v2.lineitem+json", `{"label":"Quiz fonctions","scoreMaximum":10}`)
	moduletest.WantCode(t, rec, http.StatusOK, "update line item")
	moduletest.WantIn(t, rec, "updated line item", `"label":"Quiz fonctions"`)

	alice := resources.Pseudonym(s.a.Tool, s.alice.IdentityID)
	bob := resources.Pseudonym(s.a.Tool, s.bob.IdentityID)
	at := s.Clock.Now()
	moduletest.WantCode(t, s.score(token, item, alice, 7, 10, at), http.StatusNoContent, "Alice's score")
	moduletest.WantCode(t, s.score(token, item, bob, 6.5, 10, at), http.StatusNoContent, "Bob's score")
	// an older score changes nothing
	moduletest.WantCode(t, s.score(token, item, bob, 1, 10, at.Add(-time.Hour)), http.StatusNoContent, "Bob's older score")

	rec = s.portal(http.MethodGet, item+"/results", token, "", "")
	moduletest.WantCode(t, rec, http.StatusOK, "results")
	var results []struct {
		UserID        string  `json:"userId"`
		ResultScore   float64 `json:"resultScore"`
		ResultMaximum float64 `json:"resultMaximum"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &results); err != nil {
		t.Fatalf("results %s: %v", rec.Body, err)
	}
	got := map[string]float64{}
	for _, r := range results {
		got[r.UserID] = r.ResultScore
	}
	if len(results) != 2 || got[alice] != 7 || got[bob] != 6.5 {
		t.Errorf("results %+v, want Alice 7 and Bob 6.5", results)
	}
	for _, name := range []string{"Alice", "Bob", "Martin", "Bernard"} {
		if strings.Contains(rec.Body.String(), name) {
			t.Errorf("the results tell the tool the name %q", name)
		}
	}

	// an unknown userId, and a pupil of another class, are refused with 400
	for what, user := range map[string]string{"unknown": "nobody", "Zoé (2nde 2)": resources.Pseudonym(s.a.Tool, s.zoe.IdentityID),
		"Alice under tool B's pseudonym": resources.Pseudonym(s.b.Tool, s.alice.IdentityID)} {
		rec := s.score(token, item, user, 5, 10, at)
		moduletest.WantCode(t, rec, http.StatusBadRequest, "score of "+what)
		moduletest.WantIn(t, rec, what, "userId")
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM lti_scores`); n != 2 {
		t.Errorf("%d scores recorded, want 2", n)
	}
	// bad scores say what is wrong
	rec = s.portal(http.MethodPost, item+"/scores", token, "application/vnd.ims.lis.v1.score+json",
		`{"userId":"`+alice+`","scoreGiven":5,"timestamp":"hier","activityProgress":"Completed","gradingProgress":"FullyGraded"}`)
	moduletest.WantCode(t, rec, http.StatusBadRequest, "score without a date")
	moduletest.WantIn(t, rec, "score without a date", "timestamp")

	// bad line items say which field is wrong; nothing is written
	for what, c := range map[string]struct{ body, field string }{
		"no label":          {`{"label":"  ","scoreMaximum":10}`, "label"},
		"zero maximum":      {`{"label":"Quiz","scoreMaximum":0}`, "scoreMaximum"},
		"no maximum":        {`{"label":"Quiz"}`, "scoreMaximum"},
		"not JSON":          {`{"label":`, "body"},
		"maximum as a text": {`{"label":"Quiz","scoreMaximum":"dix"}`, "body"},
	} {
		rec := s.portal(http.MethodPost, s.lineItems(s.alpha, s.class1), token, "application/vnd.ims.lis.v2.lineitem+json", c.body)
		moduletest.WantCode(t, rec, http.StatusBadRequest, what)
		moduletest.WantIn(t, rec, what, c.field)
	}
	rec = s.portal(http.MethodPost, s.lineItems(s.alpha, s.class1), token, "text/plain", `{"label":"Quiz","scoreMaximum":10}`)
	moduletest.WantCode(t, rec, http.StatusBadRequest, "wrong media type")
	if n := s.Count(s.alpha, `SELECT count(*) FROM lti_line_items`); n != 1 {
		t.Errorf("%d line items after the refusals, want 1", n)
	}

	rec = s.portal(http.MethodDelete, item, token, "", "")
	moduletest.WantCode(t, rec, http.StatusNoContent, "delete line item")
	if n := s.Count(s.alpha, `SELECT count(*) FROM lti_line_items`); n != 0 {
		t.Errorf("%d line items after the delete", n)
	}
}

// The token endpoint refuses expired, replayed or misaddressed assertions, other keys, and
// tools that send no scores; each refusal in OAuth's JSON, nothing recorded.
func TestAGSTokenRefusals(t *testing.T) {
	s := newAGSSite(t)
	scope := resources.ScopeScore
	replayed := s.assertion(s.a, nil)
	moduletest.WantCode(t, s.tokenRequest(replayed, scope), http.StatusOK, "first use")
	cases := []struct {
		name      string
		assertion string
		scope     string
		status    int
		code      string
	}{
		{"replayed", replayed, scope, 400, "invalid_grant"},
		{"expired", s.assertion(s.a, func(b *jwt.Builder) *jwt.Builder {
			return b.IssuedAt(s.Clock.Now().Add(-10 * time.Minute)).Expiration(s.Clock.Now().Add(-2 * time.Minute))
		}), scope, 400, "invalid_grant"},
		{"exp too far", s.assertion(s.a, func(b *jwt.Builder) *jwt.Builder { return b.Expiration(s.Clock.Now().Add(time.Hour)) }), scope, 400, "invalid_grant"},
		{"wrong aud", s.assertion(s.a, func(b *jwt.Builder) *jwt.Builder { return b.Audience([]string{"https://ailleurs.test/token"}) }), scope, 400, "invalid_grant"},
		{"sub not the client", s.assertion(s.a, func(b *jwt.Builder) *jwt.Builder { return b.Subject("someone") }), scope, 400, "invalid_grant"},
		{"no jti", s.assertion(s.a, func(b *jwt.Builder) *jwt.Builder { return b.JwtID("") }), scope, 400, "invalid_grant"},
		{"signed with another tool's key", func() string {
			forged := s.a
			forged.Key = s.b.Key
			return s.assertion(forged, nil)
		}(), scope, 401, "invalid_client"},
		{"unknown client", s.assertion(agsTool{ClientID: "inconnu", Key: s.a.Key}, nil), scope, 401, "invalid_client"},
		{"tool without scores", s.assertion(s.c, nil), scope, 400, "invalid_scope"},
		{"unknown scope", s.assertion(s.a, nil), "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly", 400, "invalid_scope"},
		{"not a JWT", "abc", scope, 401, "invalid_client"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := s.tokenRequest(c.assertion, c.scope)
			moduletest.WantCode(t, rec, c.status, c.name)
			if got := oauthError(t, rec.Body.String()); got != c.code {
				t.Errorf("error %q, want %q", got, c.code)
			}
			if strings.Contains(rec.Body.String(), "access_token") {
				t.Error("a token was given")
			}
		})
	}
	var tokens int64
	if err := s.Reg.Platform().Raw(`SELECT count(*) FROM platform.lti_access_tokens`).Scan(&tokens).Error; err != nil {
		t.Fatal(err)
	}
	if tokens != 1 {
		t.Errorf("%d tokens recorded, want the first use's only", tokens)
	}
	// a wrong grant type
	form := url.Values{"grant_type": {"password"}}
	rec := s.portal(http.MethodPost, "/lti/token", "", "application/x-www-form-urlencoded", form.Encode())
	moduletest.WantCode(t, rec, http.StatusBadRequest, "grant type")
	if got := oauthError(t, rec.Body.String()); got != "unsupported_grant_type" {
		t.Errorf("grant type: %q", got)
	}
	// a token expires after an hour
	token := s.token(s.a)
	s.Clock.Advance(61 * time.Minute)
	rec = s.portal(http.MethodGet, s.lineItems(s.alpha, s.class1), token, "", "")
	moduletest.WantCode(t, rec, http.StatusUnauthorized, "expired token")
}

// A token reaches only its own tool's line items, in an establishment that subscribes to the
// tool, in a class of that establishment, within its scopes.
func TestAGSIsolation(t *testing.T) {
	s := newAGSSite(t)
	tokenA, tokenB := s.token(s.a), s.token(s.b)
	itemB := s.createLineItem(tokenB, s.alpha, s.class1, "Quiz de physique", 20)
	bob := resources.Pseudonym(s.a.Tool, s.bob.IdentityID)

	// tool A on tool B's line item: not found, whatever the verb
	for _, r := range []struct{ method, path, body, ct string }{
		{http.MethodGet, itemB, "", ""},
		{http.MethodPut, itemB, `{"label":"pris","scoreMaximum":20}`, "application/vnd.ims.lis.v2.lineitem+json"},
		{http.MethodDelete, itemB, "", ""},
		{http.MethodGet, itemB + "/results", "", ""},
	} {
		rec := s.portal(r.method, r.path, tokenA, r.ct, r.body)
		moduletest.WantCode(t, rec, http.StatusNotFound, "tool A: "+r.method+" tool B's line item")
		if strings.Contains(rec.Body.String(), "physique") {
			t.Errorf("%s: the body names tool B's line item", r.method)
		}
	}
	moduletest.WantCode(t, s.score(tokenA, itemB, bob, 5, 20, s.Clock.Now()), http.StatusNotFound, "tool A scores on tool B's line item")
	rec := s.portal(http.MethodGet, s.lineItems(s.alpha, s.class1), tokenA, "", "")
	moduletest.WantCode(t, rec, http.StatusOK, "tool A's container")
	if strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Errorf("tool A sees %s", rec.Body)
	}

	// another establishment (no subscription), a class of another establishment, nonsense ids
	for what, path := range map[string]string{
		"Bravo's class in Bravo (not subscribed)": s.lineItems(s.bravo, s.bravoClass),
		"Bravo's class under Alpha":               s.lineItems(s.alpha, s.bravoClass),
		"Alpha's class under Bravo":               s.lineItems(s.bravo, s.class1),
		"not ids":                                 "/lti/ags/x/y/lineitems",
	} {
		rec := s.portal(http.MethodGet, path, tokenA, "", "")
		moduletest.WantCode(t, rec, http.StatusNotFound, what)
		body, _ := json.Marshal(map[string]any{"label": "intrus", "scoreMaximum": 10})
		rec = s.portal(http.MethodPost, path, tokenA, "application/vnd.ims.lis.v2.lineitem+json", string(body))
		moduletest.WantCode(t, rec, http.StatusNotFound, "create in "+what)
	}
	if n := s.Count(s.bravo, `SELECT count(*) FROM lti_line_items`); n != 0 {
		t.Errorf("Bravo holds %d line items", n)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM lti_line_items`); n != 1 {
		t.Errorf("Alpha holds %d line items, want tool B's only", n)
	}

	// no token, a made-up token, a token without the scope
	moduletest.WantCode(t, s.portal(http.MethodGet, s.lineItems(s.alpha, s.class1), "", "", ""), http.StatusUnauthorized, "no token")
	moduletest.WantCode(t, s.portal(http.MethodGet, s.lineItems(s.alpha, s.class1), "forged", "", ""), http.StatusUnauthorized, "made-up token")
	readOnly := s.tokenRequest(s.assertion(s.b, nil), resources.ScopeLineItemReadOnly)
	moduletest.WantCode(t, readOnly, http.StatusOK, "read-only token")
	var ro struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(readOnly.Body.Bytes(), &ro)
	moduletest.WantCode(t, s.portal(http.MethodGet, s.lineItems(s.alpha, s.class1), ro.AccessToken, "", ""), http.StatusOK, "read-only lists")
	moduletest.WantCode(t, s.portal(http.MethodDelete, itemB, ro.AccessToken, "", ""), http.StatusForbidden, "read-only deletes")
	moduletest.WantCode(t, s.score(ro.AccessToken, itemB, resources.Pseudonym(s.b.Tool, s.bob.IdentityID), 5, 20, s.Clock.Now()),
		http.StatusForbidden, "read-only scores")
}

// The teacher makes the line item an unpublished evaluation with the marks on its scale;
// again later, the marks follow the new scores. Another teacher sees and does nothing.
func TestAGSDraftEvaluation(t *testing.T) {
	s := newAGSSite(t)
	token := s.token(s.a)
	item := s.createLineItem(token, s.alpha, s.class1, "Quiz fonctions affines", 10)
	itemID := item[strings.LastIndex(item, "/")+1:]
	alice := resources.Pseudonym(s.a.Tool, s.alice.IdentityID)
	bob := resources.Pseudonym(s.a.Tool, s.bob.IdentityID)
	at := s.Clock.Now()
	moduletest.WantCode(t, s.score(token, item, alice, 7, 10, at), http.StatusNoContent, "Alice's score")
	moduletest.WantCode(t, s.score(token, item, bob, 2, 3, at), http.StatusNoContent, "Bob's score")

	rec := s.Send(s.alpha, s.claire, http.MethodGet, "/ressources/notes", nil)
	moduletest.WantCode(t, rec, http.StatusOK, "Claire's page")
	moduletest.WantIn(t, rec, "Claire's page", "Quiz fonctions affines", "2nde 1", "Maths en ligne", "7 / 10", "2 / 3", "Créer le brouillon d'évaluation")

	// Paul does not teach 2nde 1: nothing shown, nothing made
	rec = s.Send(s.alpha, s.paul, http.MethodGet, "/ressources/notes", nil)
	moduletest.WantCode(t, rec, http.StatusOK, "Paul's page")
	if strings.Contains(rec.Body.String(), "Quiz fonctions") {
		t.Error("Paul sees Claire's class's line item")
	}
	// Bravo's direction on Alpha's host, a pupil of the class: nothing of the scores
	for what, rec := range map[string]*httptest.ResponseRecorder{
		"Bravo's direction on Alpha": s.Send(s.alpha, s.bravoDirection, http.MethodGet, "/ressources/notes", nil),
		"Bravo's direction on Bravo": s.Send(s.bravo, s.bravoDirection, http.MethodGet, "/ressources/notes", nil),
		"Alice":                      s.Send(s.alpha, s.alice, http.MethodGet, "/ressources/notes", nil),
	} {
		if strings.Contains(rec.Body.String(), "Quiz fonctions") || strings.Contains(rec.Body.String(), "7 / 10") {
			t.Errorf("%s sees the scores (status %d)", what, rec.Code)
		}
	}
	form := url.Values{"matiere": {"MATHS"}, "titre": {""}, "date": {""}, "bareme": {"20"}, "coefficient": {"1"}}
	rec = s.Send(s.alpha, s.paul, http.MethodPost, "/ressources/notes/"+itemID+"/brouillon", form)
	moduletest.WantCode(t, rec, http.StatusNotFound, "Paul makes a draft")
	// a pupil, Bravo's direction: refused too
	rec = s.Send(s.alpha, s.alice, http.MethodPost, "/ressources/notes/"+itemID+"/brouillon", form)
	if rec.Code != http.StatusNotFound && rec.Code != http.StatusForbidden {
		t.Errorf("a pupil makes a draft: %d", rec.Code)
	}
	rec = s.Send(s.bravo, s.bravoDirection, http.MethodPost, "/ressources/notes/"+itemID+"/brouillon", form)
	if rec.Code != http.StatusNotFound && rec.Code != http.StatusForbidden {
		t.Errorf("Bravo's direction makes a draft: %d", rec.Code)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM evaluations`); n != 0 {
		t.Fatalf("%d evaluations after the refusals", n)
	}

	// a bad scale is told next to its field, nothing made
	bad := url.Values{"matiere": {"MATHS"}, "bareme": {"vingt"}, "coefficient": {"1"}}
	rec = s.Send(s.alpha, s.claire, http.MethodPost, "/ressources/notes/"+itemID+"/brouillon", bad)
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "bad scale")
	moduletest.WantIn(t, rec, "bad scale", `aria-describedby="bareme-`+itemID+`-erreur"`, "barème")
	if n := s.Count(s.alpha, `SELECT count(*) FROM evaluations`); n != 0 {
		t.Fatalf("%d evaluations after a refused form", n)
	}

	rec = s.Send(s.alpha, s.claire, http.MethodPost, "/ressources/notes/"+itemID+"/brouillon", form)
	moduletest.WantCode(t, rec, http.StatusSeeOther, "Claire makes the draft")
	type markRow struct {
		Published bool
		Title     string
		Alice     string
		Bob       string
	}
	read := func() markRow {
		var m markRow
		err := s.Reg.DB().ReadTx(t.Context(), s.alpha, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT e.published, e.title,
				(SELECT value::text FROM marks WHERE evaluation_id = e.id AND pupil_id = ?) AS alice,
				(SELECT value::text FROM marks WHERE evaluation_id = e.id AND pupil_id = ?) AS bob
				FROM evaluations e`, s.alice.PersonID, s.bob.PersonID).Scan(&m).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := read()
	if m.Published || m.Title != "Quiz fonctions affines" || m.Alice != "14.00" || m.Bob != "13.33" {
		t.Errorf("draft %+v, want unpublished « Quiz fonctions affines », Alice 14.00, Bob 13.33", m)
	}

	// new scores, then again: the same evaluation's marks follow
	moduletest.WantCode(t, s.score(token, item, bob, 3, 3, at.Add(time.Hour)), http.StatusNoContent, "Bob's new score")
	rec = s.Send(s.alpha, s.claire, http.MethodPost, "/ressources/notes/"+itemID+"/brouillon", url.Values{})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "Claire updates the draft")
	m = read()
	if n := s.Count(s.alpha, `SELECT count(*) FROM evaluations`); n != 1 || m.Published || m.Bob != "20.00" || m.Alice != "14.00" {
		t.Errorf("%d evaluation(s), draft %+v; want one, unpublished, Alice 14.00, Bob 20.00", n, m)
	}

	// the draft deleted in the grades: updating asks for the subject, then makes a new one
	s.Exec(s.alpha, `DELETE FROM evaluations`)
	rec = s.Send(s.alpha, s.claire, http.MethodPost, "/ressources/notes/"+itemID+"/brouillon", url.Values{})
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "update a deleted draft")
	moduletest.WantIn(t, rec, "update a deleted draft", "plus dans vos notes (supprimé, ou créé par un collègue)", `aria-describedby="matiere-`+itemID+`-erreur"`)
	rec = s.Send(s.alpha, s.claire, http.MethodPost, "/ressources/notes/"+itemID+"/brouillon", form)
	moduletest.WantCode(t, rec, http.StatusSeeOther, "a new draft")
	if m := read(); s.Count(s.alpha, `SELECT count(*) FROM evaluations`) != 1 || m.Published || m.Bob != "20.00" {
		t.Errorf("new draft %+v", m)
	}
}
