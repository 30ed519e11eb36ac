package resources_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

// BenchmarkLaunch is a launch on the server's side, through the router: « Ouvrir » (the
// entitlement, the launch recorded), the page that sends on to the tool's login
// initiation, then the
// authentication request on the portal with the person's session (the launch completed,
// the id_token signed). The tool's own redirect is not the platform's time and is built
// here as the tool would. Target: under 20 ms.
func BenchmarkLaunch(b *testing.B) {
	s := newLTISiteWith(b, moduletest.Options{SessionCache: 10 * time.Second}) // as served: sessions checked once in a while
	alpha := s.Establishment(92, "Lycée Alpha")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	tool := s.addTool(b, "manuels")
	book := s.addResource(b, tool.ID, "Maths 2nde", "")
	s.subscribe(b, alpha, book, tool.ID, resources.TargetEleves)
	s.Exec(alpha, `INSERT INTO resource_tool_sharing (tool_id, share_name, updated_at) VALUES (?, true, now())`, tool.ID)
	open := "/ressources/" + book.String() + "/ouvrir"
	portal := moduletest.BaseDomain
	launch := func(nonce int) {
		rec := s.Do(alpha, alice, http.MethodPost, open, "application/x-www-form-urlencoded", strings.NewReader(""))
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("ouvrir: %d %s", rec.Code, rec.Body.String())
		}
		rec = s.Do(alpha, alice, http.MethodGet, rec.Header().Get("Location"), "", nil)
		to, _ := strings.CutPrefix(rec.Header().Get("Refresh"), "0; url=")
		login, err := url.Parse(to)
		if rec.Code != http.StatusOK || err != nil {
			b.Fatal(err)
		}
		lq := login.Query()
		q := url.Values{"scope": {"openid"}, "response_type": {"id_token"}, "response_mode": {"form_post"}, "prompt": {"none"},
			"client_id": {tool.ClientID}, "redirect_uri": {tool.URL + "/launch"}, "login_hint": {lq.Get("login_hint")},
			"lti_message_hint": {lq.Get("lti_message_hint")}, "state": {"s"}, "nonce": {"nonce-" + strconv.Itoa(nonce)}}
		req := httptest.NewRequest(http.MethodGet, "/lti/auth?"+q.Encode(), nil)
		req.Host = portal
		req.Header.Set("X-Session-Token", alice.Token)
		w := httptest.NewRecorder()
		s.Srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="id_token"`) {
			b.Fatalf("auth: %d %.500s", w.Code, w.Body.String())
		}
	}
	launch(-1) // the first key is made here, not in the loop
	b.ResetTimer()
	for i := range b.N {
		launch(i)
	}
}
