package resources_test

// Every change the module serves on an establishment's host, carried by a browser's
// session cookie: refused without the form's anti-forgery token, and refused from another
// site even with it; nothing is written.

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

func TestAttackCSRFEveryPost(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(95, "Lycée Alpha")
	head := s.Member(alpha, identity.RoleDirection, "Denise", "Proviseure")
	tool := s.addTool(t, "manuels")
	book := s.addResource(t, tool.ID, "Maths 2nde", "")
	sub := s.subscribe(t, alpha, book, tool.ID, resources.TargetTous)
	b := s.browserOf(t, head)
	before := s.Count(alpha, `SELECT (SELECT count(*) FROM resource_launches) + (SELECT count(*) FROM resource_subscriptions)
		+ (SELECT count(*) FROM resource_tool_sharing) + (SELECT count(*) FROM resource_referents) + (SELECT count(*) FROM resource_assignments)`)
	param := regexp.MustCompile(`:[a-z]+`)
	n := 0
	for _, r := range resources.NewHandler(s.svc).Module().Routes {
		if r.Method == http.MethodGet || r.Host != "tenant" {
			continue
		}
		path := param.ReplaceAllStringFunc(r.Path, func(p string) string {
			switch p {
			case ":id":
				if strings.Contains(r.Path, "/partage/") {
					return tool.ID.String()
				}
				if strings.Contains(r.Path, "/ressources/:id/ouvrir") {
					return book.String()
				}
				return sub.String()
			}
			return uuid.NewString()
		})
		u := "http://" + moduletest.Host(alpha) + path
		form := url.Values{"nom": {"1"}, "type": {"etablissement"}, "cible": {"tous"}, "ressource": {book.String()}}
		if p := b.do(t, r.Method, u, form); p.Code != http.StatusForbidden {
			t.Errorf("%s %s without the token: status %d, want 403", r.Method, r.Path, p.Code)
		}
		// with the token, from another site
		withToken := url.Values{"_csrf": {identity.CSRFToken(b.cookie)}}
		for k, v := range form {
			withToken[k] = v
		}
		req, _ := http.NewRequest(r.Method, u, strings.NewReader(withToken.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: identity.SessionCookie, Value: b.cookie})
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://attaquant.example")
		res, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s from another site: status %d, want 403", r.Method, r.Path, res.StatusCode)
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d changes tried", n)
	}
	after := s.Count(alpha, `SELECT (SELECT count(*) FROM resource_launches) + (SELECT count(*) FROM resource_subscriptions)
		+ (SELECT count(*) FROM resource_tool_sharing) + (SELECT count(*) FROM resource_referents) + (SELECT count(*) FROM resource_assignments)`)
	if after != before {
		t.Errorf("forged requests wrote: %d rows → %d", before, after)
	}
}
