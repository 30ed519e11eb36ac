package resources_test

// The pseudonymous launch end to end: « Ouvrir » on the establishment's host, the real
// tool's login initiation, the portal's authentication response read with the person's
// Kratos session, the tool verifying the id_token against the JWKS; and every way an
// attacker member of one establishment (or a tool) could try to get someone else's launch.

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/modules/resources/ltitool"
)

const (
	learner    = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
	student    = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
	instructor = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
	faculty    = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"
	adminRole  = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
	ltiClaim   = "https://purl.imsglobal.org/spec/lti/claim/"
)

func TestLTILaunchEndToEnd(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(95, "Lycée Alpha")
	bravo := s.Establishment(96, "Lycée Bravo")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	bob := s.Member(alpha, identity.RoleEleve, "Bob", "Durand")
	teacher := s.Member(alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	guardian := s.Member(alpha, identity.RoleResponsable, "Gérard", "Martin")
	léo := s.Member(bravo, identity.RoleEleve, "Léo", "Bravo")
	tool := s.addTool(t, "manuels")
	other := s.addTool(t, "autre")
	book := s.addResource(t, tool.ID, "Maths 2nde", "")
	s.subscribe(t, alpha, book, tool.ID, resources.TargetEleves)

	b := s.browserOf(t, alice)
	p := b.launch(t, alpha, book)
	if p.Code != http.StatusOK || !strings.Contains(p.Body, "Ressource ouverte") {
		t.Fatalf("the tool did not open the resource: %.800s", p.Body)
	}
	got := tool.Launches()
	if len(got) != 1 {
		t.Fatalf("the tool received %d launches, want 1", len(got))
	}
	l := got[0]
	if want := resources.Pseudonym(&resources.Tool{PseudonymSalt: tool.Salt}, alice.IdentityID); l.Sub != want {
		t.Errorf("sub %q, want the pseudonym %q", l.Sub, want)
	}
	if l.DeploymentID != "dep-1" || l.ResourceLinkID != book.String() || l.ResourceTitle != "Maths 2nde" || l.TargetLinkURI != tool.URL+"/launch" {
		t.Errorf("launch: deployment %q, resource link %q %q, target %q", l.DeploymentID, l.ResourceLinkID, l.ResourceTitle, l.TargetLinkURI)
	}
	if !slices.Contains(l.Roles, learner) || !slices.Contains(l.Roles, student) || len(l.Roles) != 2 {
		t.Errorf("roles %v, want Learner and Student", l.Roles)
	}
	if l.Name != "" || l.Email != "" || l.GivenName != "" || l.FamilyName != "" || strings.Contains(p.Body, "Alice") {
		t.Errorf("a name was sent without the establishment's sharing: %+v", l)
	}
	if l.Context["id"] != alpha.ID.String() || l.Context["title"] != "Lycée Alpha" {
		t.Errorf("context %v, want the establishment (no class shared)", l.Context)
	}
	pf, _ := l.Claims[ltiClaim+"tool_platform"].(map[string]any)
	if pf["product_family_code"] != "cartable" || pf["guid"] == "" {
		t.Errorf("tool_platform %v", pf)
	}
	if n := s.Count(alpha, `SELECT count(*) FROM resource_launches WHERE person_id = ? AND completed_at IS NOT NULL AND nonce IS NOT NULL AND tool_id = ?`, alice.PersonID, tool.ID); n != 1 {
		t.Errorf("completed launches of Alice: %d, want 1", n)
	}

	t.Run("the pseudonym is stable for the tool, and differs for another person", func(t *testing.T) {
		b.launch(t, alpha, book)
		bb := s.tokenOf(bob)
		bb.launch(t, alpha, book)
		got := tool.Launches()
		if len(got) != 3 || got[1].Sub != got[0].Sub || got[2].Sub == got[0].Sub {
			t.Fatalf("subs of Alice, Alice, Bob: %v", subs(got))
		}
	})

	t.Run("the same person under another tool is another pseudonym", func(t *testing.T) {
		dico := s.addResource(t, other.ID, "Dictionnaire", "")
		s.license(t, alpha, dico, other.ID, alice.PersonID, "")
		b.launch(t, alpha, dico)
		got := other.Launches()
		if len(got) != 1 || got[0].Sub == tool.Launches()[0].Sub || got[0].Sub == "" {
			t.Fatalf("Alice's sub with the other tool %v, with the first %q", subs(got), tool.Launches()[0].Sub)
		}
	})

	t.Run("nobody unassigned gets a launch", func(t *testing.T) {
		before := s.Count(alpha, `SELECT count(*) FROM resource_launches`)
		p := s.tokenOf(teacher).open(t, alpha, book, nil)
		if p.Code != http.StatusForbidden || !strings.Contains(p.Body, "pas attribuée") {
			t.Errorf("a teacher without the resource: status %d; body %.400s", p.Code, p.Body)
		}
		if p := s.tokenOf(guardian).open(t, alpha, book, nil); p.Code != http.StatusForbidden {
			t.Errorf("a guardian: status %d", p.Code)
		}
		if p := s.tokenOf(léo).open(t, alpha, book, nil); p.Code != http.StatusForbidden || strings.Contains(p.Body, tool.URL) {
			t.Errorf("a pupil of another establishment on Alpha's host: status %d", p.Code)
		}
		if p := s.tokenOf(léo).open(t, bravo, book, nil); p.Code != http.StatusForbidden || strings.Contains(p.Body, tool.URL) {
			t.Errorf("Bravo's pupil, whose establishment has no subscription: status %d", p.Code)
		}
		if p := b.do(t, http.MethodPost, "http://"+moduletest.Host(alpha)+"/ressources/"+book.String()+"/ouvrir", url.Values{}); p.Code != http.StatusForbidden {
			t.Errorf("Alice's cookie without the form's anti-forgery token: status %d", p.Code)
		}
		if p := (&browser{s: s}).open(t, alpha, book, nil); p.Code != http.StatusUnauthorized {
			t.Errorf("anonymous: status %d", p.Code)
		}
		if p := b.open(t, alpha, uuid.New(), nil); p.Code != http.StatusNotFound {
			t.Errorf("a resource not in the catalogue: status %d", p.Code)
		}
		if after := s.Count(alpha, `SELECT count(*) FROM resource_launches`); after != before {
			t.Errorf("refused openings recorded launches: %d → %d", before, after)
		}
		if n := s.Count(bravo, `SELECT count(*) FROM resource_launches`); n != 0 {
			t.Errorf("Bravo has %d launches", n)
		}
	})

	// The attacks below all start from a launch Alice began and did not finish.
	fresh := func(t *testing.T) string { return b.authURL(t, alpha, book) }
	refused := func(t *testing.T, p page, status int, what string) {
		t.Helper()
		if p.Code != status || strings.Contains(p.Body, "id_token") {
			t.Errorf("%s: status %d (want %d), body %.600s", what, p.Code, status, p.Body)
		}
	}
	t.Run("another person's login_hint", func(t *testing.T) {
		u := fresh(t)
		refused(t, s.tokenOf(bob).do(t, http.MethodGet, u, nil), http.StatusForbidden, "Bob with Alice's launch")
		refused(t, s.tokenOf(léo).do(t, http.MethodGet, u, nil), http.StatusForbidden, "Bravo's pupil with Alpha's launch")
		refused(t, s.tokenOf(teacher).do(t, http.MethodGet, u, nil), http.StatusForbidden, "a teacher with Alice's launch")
		// Still Alice's to finish: the refusals did not spend it.
		formOf(t, b.do(t, http.MethodGet, u, nil))
	})
	t.Run("a replayed login_hint", func(t *testing.T) {
		u := fresh(t)
		formOf(t, b.do(t, http.MethodGet, u, nil))
		refused(t, b.do(t, http.MethodGet, u, nil), http.StatusForbidden, "the same authentication request again")
		refused(t, b.do(t, http.MethodGet, withParam(t, u, "nonce", "un-autre-nonce"), nil), http.StatusForbidden, "again with another nonce")
	})
	t.Run("a forged login_hint or message hint", func(t *testing.T) {
		u := fresh(t)
		refused(t, b.do(t, http.MethodGet, withParam(t, u, "login_hint", alpha.ID.String()+"."+uuid.NewString()), nil), http.StatusForbidden, "unknown launch")
		refused(t, b.do(t, http.MethodGet, withParam(t, u, "login_hint", "n'importe quoi"), nil), http.StatusForbidden, "garbage hint")
		refused(t, b.do(t, http.MethodGet, withParam(t, u, "lti_message_hint", "faux"), nil), http.StatusForbidden, "wrong message hint")
		_, launch, _ := strings.Cut(param(t, u, "login_hint"), ".")
		refused(t, b.do(t, http.MethodGet, withParam(t, u, "login_hint", bravo.ID.String()+"."+launch), nil), http.StatusForbidden, "Alpha's launch said to be Bravo's")
	})
	t.Run("a nonce the tool already used", func(t *testing.T) {
		u := fresh(t)
		formOf(t, b.do(t, http.MethodGet, u, nil))
		v := fresh(t)
		usedNonce := param(t, u, "nonce")
		refused(t, b.do(t, http.MethodGet, withParam(t, v, "nonce", usedNonce), nil), http.StatusForbidden, "a used nonce")
		formOf(t, b.do(t, http.MethodGet, v, nil)) // the refusal wrote nothing
	})
	t.Run("an unregistered redirect_uri", func(t *testing.T) {
		u := fresh(t)
		for _, ru := range []string{"https://attaquant.example/recoit", tool.URL + "/launch/../voleur", other.URL + "/launch"} {
			p := b.do(t, http.MethodGet, withParam(t, u, "redirect_uri", ru), nil)
			refused(t, p, http.StatusBadRequest, "redirect_uri "+ru)
			if strings.Contains(p.Body, ru) {
				t.Errorf("the refusal posts to %s", ru)
			}
		}
		// The registered redirect URL besides the launch URL is accepted.
		f := formOf(t, b.do(t, http.MethodGet, withParam(t, u, "redirect_uri", tool.URL+"/autre-retour"), nil))
		if f.Action != tool.URL+"/autre-retour" || f.Fields.Get("id_token") == "" {
			t.Errorf("registered redirect_urls: %+v", f)
		}
	})
	t.Run("a tool asking for another tool's launch", func(t *testing.T) {
		u := fresh(t)
		u = withParam(t, u, "client_id", other.ClientID)
		refused(t, b.do(t, http.MethodGet, withParam(t, u, "redirect_uri", other.URL+"/launch"), nil), http.StatusForbidden, "another tool")
		refused(t, b.do(t, http.MethodGet, withParam(t, u, "client_id", "inconnu"), nil), http.StatusBadRequest, "unknown client")
	})
	t.Run("protocol errors go back to the tool as OIDC errors", func(t *testing.T) {
		u := fresh(t)
		for k, v := range map[string]string{"scope": "profile", "response_type": "code", "response_mode": "query", "prompt": "login", "nonce": ""} {
			f := formOf(t, b.do(t, http.MethodGet, withParam(t, u, k, v), nil))
			if f.Fields.Get("error") == "" || f.Fields.Get("id_token") != "" || f.Fields.Get("state") != param(t, u, "state") {
				t.Errorf("%s=%q: %v", k, v, f.Fields)
			}
		}
		f := formOf(t, (&browser{s: s}).do(t, http.MethodGet, u, nil))
		if f.Fields.Get("error") != "login_required" {
			t.Errorf("no session: %v", f.Fields)
		}
		p := b.do(t, http.MethodPost, f.Action, f.Fields)
		if p.Code != http.StatusUnauthorized || !strings.Contains(p.Body, "login_required") {
			t.Errorf("the tool shows the platform's refusal: %d %.300s", p.Code, p.Body)
		}
		// The authentication request may be posted too (a session token here: a browser's
		// cookie does not travel with another site's POST).
		q, _ := url.Parse(u)
		post := s.tokenOf(alice).do(t, http.MethodPost, strings.TrimSuffix(s.Srv.PortalURL(), "/")+"/lti/auth", q.Query())
		if f := formOf(t, post); f.Fields.Get("id_token") == "" {
			t.Errorf("a posted authentication request: %v", f.Fields)
		}
	})
	t.Run("the opening page is the person's own, while the launch is under way", func(t *testing.T) {
		p := b.open(t, alpha, book, nil)
		page := p.Location
		for who, bb := range map[string]*browser{"Bob": s.tokenOf(bob), "a teacher": s.tokenOf(teacher)} {
			p := bb.do(t, http.MethodGet, "http://"+moduletest.Host(alpha)+page, nil)
			if p.Code != http.StatusNotFound || strings.Contains(p.Body, tool.URL) || p.Header.Get("Refresh") != "" {
				t.Errorf("%s on Alice's opening page: status %d", who, p.Code)
			}
		}
		if p := s.tokenOf(léo).do(t, http.MethodGet, "http://"+moduletest.Host(bravo)+page, nil); p.Code != http.StatusNotFound {
			t.Errorf("Alice's opening page on Bravo's host: status %d", p.Code)
		}
		if p := s.tokenOf(guardian).do(t, http.MethodGet, "http://"+moduletest.Host(alpha)+page, nil); p.Code != http.StatusForbidden {
			t.Errorf("a guardian: status %d", p.Code)
		}
		f := formOf(t, b.do(t, http.MethodGet, b.do(t, http.MethodGet, b.onward(t, alpha, p), nil).Location, nil))
		csp := f.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "form-action 'self' "+tool.URL+";") || !strings.Contains(csp, "script-src 'sha256-") {
			t.Errorf("the form post page's CSP: %q", csp)
		}
		if p := b.do(t, http.MethodGet, "http://"+moduletest.Host(alpha)+page, nil); p.Code != http.StatusNotFound {
			t.Errorf("the opening page of a launch that served: status %d", p.Code)
		}
	})
	t.Run("a launch older than five minutes", func(t *testing.T) {
		u := fresh(t)
		s.Clock.Advance(5*time.Minute + time.Second)
		refused(t, b.do(t, http.MethodGet, u, nil), http.StatusForbidden, "an expired launch")
	})
	t.Run("a stolen id_token posted again", func(t *testing.T) {
		f := formOf(t, b.do(t, http.MethodGet, fresh(t), nil))
		if p := b.do(t, http.MethodPost, f.Action, f.Fields); p.Code != http.StatusOK {
			t.Fatalf("first post: %d %.300s", p.Code, p.Body)
		}
		if p := b.do(t, http.MethodPost, f.Action, f.Fields); p.Code != http.StatusUnauthorized {
			t.Errorf("the same id_token and state again: %d", p.Code)
		}
	})
	t.Run("a resource withdrawn while its launch is under way", func(t *testing.T) {
		u := fresh(t)
		s.Reg.Platform().Exec(`UPDATE platform.resources SET active = false WHERE id = ?`, book)
		s.svc.Catalogue().Invalidate()
		refused(t, b.do(t, http.MethodGet, u, nil), http.StatusForbidden, "a withdrawn resource")
	})
}

func TestLTISharing(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(97, "Lycée Alpha")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	teacher := s.Member(alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	head := s.Member(alpha, identity.RoleDirection, "Denise", "Proviseure")
	class := uuid.New()
	s.Exec(alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques')`)
	s.Exec(alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?)`, class, s.Year())
	s.Exec(alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, class, alice.PersonID)
	s.Exec(alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS')`, teacher.PersonID, class)
	s.Exec(alpha, `UPDATE people SET email = 'alice.martin@example.test' WHERE id = ?`, alice.PersonID)
	tool := s.addTool(t, "manuels")
	book := s.addResource(t, tool.ID, "Maths 2nde", "https://editeur.example/maths-2nde")
	s.subscribe(t, alpha, book, tool.ID, resources.TargetTous)
	b := s.tokenOf(alice)

	b.launch(t, alpha, book)
	l := tool.Launches()[0]
	if l.Name != "" || l.Email != "" || l.Context["id"] != alpha.ID.String() || l.TargetLinkURI != "https://editeur.example/maths-2nde" {
		t.Fatalf("nothing shared yet: %+v", l)
	}
	if n := s.Count(alpha, `SELECT count(*) FROM resource_launches WHERE shared = '{}'`); n != 1 {
		t.Errorf("the launch records that nothing was shared: %d", n)
	}

	s.Exec(alpha, `INSERT INTO resource_tool_sharing (tool_id, share_name, share_email, share_class, updated_at) VALUES (?, true, true, true, now())`, tool.ID)
	b.launch(t, alpha, book)
	l = tool.Launches()[1]
	if !strings.HasPrefix(l.GivenName, "Alice") || l.FamilyName != "Martin" || !strings.Contains(l.Name, "Martin") || l.Email != "alice.martin@example.test" {
		t.Errorf("name and e-mail shared: %+v", l)
	}
	if l.Context["id"] != class.String() || l.Context["title"] != "2nde 1" || l.Context["label"] != "2NDE1" {
		t.Errorf("class shared: context %v", l.Context)
	}
	if l.Sub != tool.Launches()[0].Sub {
		t.Errorf("sharing changed the pseudonym")
	}
	if n := s.Count(alpha, `SELECT count(*) FROM resource_launches WHERE shared = '{nom,courriel,classe}' AND class_id = ?`, class); n != 1 {
		t.Errorf("the launch records what was shared: %d", n)
	}

	s.Exec(alpha, `UPDATE resource_tool_sharing SET share_email = false, share_class = false`)
	b.launch(t, alpha, book)
	if l = tool.Launches()[2]; l.Email != "" || l.Name == "" || l.Context["id"] != alpha.ID.String() {
		t.Errorf("name only: %+v", l)
	}

	t.Run("a teacher opens it for a class they teach", func(t *testing.T) {
		s.Exec(alpha, `UPDATE resource_tool_sharing SET share_class = true`)
		tb := s.tokenOf(teacher)
		p := tb.open(t, alpha, book, url.Values{"classe": {uuid.NewString()}})
		if p.Code != http.StatusUnprocessableEntity && p.Code != http.StatusBadRequest {
			t.Errorf("a class they do not teach: status %d", p.Code)
		}
		p = tb.do(t, http.MethodGet, tb.onward(t, alpha, tb.open(t, alpha, book, url.Values{"classe": {class.String()}})), nil)
		f := formOf(t, tb.do(t, http.MethodGet, p.Location, nil))
		tb.do(t, http.MethodPost, f.Action, f.Fields)
		l := tool.Launches()[3]
		if !slices.Contains(l.Roles, instructor) || !slices.Contains(l.Roles, faculty) || l.Context["id"] != class.String() {
			t.Errorf("teacher's launch: roles %v, context %v", l.Roles, l.Context)
		}
		s.tokenOf(head).launch(t, alpha, book)
		if l := tool.Launches()[4]; !slices.Equal(l.Roles, []string{adminRole}) || l.Context["id"] != alpha.ID.String() {
			t.Errorf("direction's launch: roles %v, context %v", l.Roles, l.Context)
		}
	})
}

func TestPlainLink(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(98, "Lycée Alpha")
	bravo := s.Establishment(99, "Lycée Bravo")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	parent := s.Member(alpha, identity.RoleResponsable, "Gérard", "Martin")
	léo := s.Member(bravo, identity.RoleEleve, "Léo", "Bravo")
	link := s.addLinkTool(t, "liens libres")
	atlas := s.addResource(t, link, "Atlas libre", "https://atlas.example/accueil?lang=fr")
	lti := s.addTool(t, "manuels")
	book := s.addResource(t, lti.ID, "Maths 2nde", "")
	s.subscribe(t, alpha, atlas, link, resources.TargetTous)
	s.subscribe(t, alpha, book, lti.ID, resources.TargetTous)

	path := "/ressources/" + atlas.String() + "/lien"
	rec := s.Do(alpha, alice, http.MethodGet, path, "", nil)
	moduletest.WantCode(t, rec, http.StatusSeeOther, "plain link")
	if got := rec.Header().Get("Location"); got != "https://atlas.example/accueil?lang=fr" {
		t.Errorf("plain link goes to %q: nothing may be added to the URL", got)
	}
	if rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy %q", rec.Header().Get("Referrer-Policy"))
	}
	if n := s.Count(alpha, `SELECT count(*) FROM resource_launches WHERE person_id = ? AND resource_id = ? AND tool_id = ? AND completed_at IS NOT NULL AND shared = '{}'`,
		alice.PersonID, atlas, link); n != 1 {
		t.Errorf("audit rows of the plain link: %d, want 1", n)
	}
	// Another site's link or image (another establishment's host too) records nothing in
	// Alice's name: she is sent to « Mes ressources ».
	for _, site := range []string{"cross-site", "same-site"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Host = moduletest.Host(alpha)
		req.Header.Set("X-Session-Token", alice.Token)
		req.Header.Set("Sec-Fetch-Site", site)
		rec := httptest.NewRecorder()
		s.Srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/ressources" {
			t.Errorf("plain link from a %s page: %d to %q, want 303 to /ressources", site, rec.Code, rec.Header().Get("Location"))
		}
	}
	if n := s.Count(alpha, `SELECT count(*) FROM resource_launches`); n != 1 {
		t.Errorf("launches after links from other sites: %d, want 1", n)
	}
	moduletest.WantCode(t, s.Do(alpha, parent, http.MethodGet, path, "", nil), http.StatusForbidden, "a parent")
	moduletest.WantCode(t, s.Do(alpha, léo, http.MethodGet, path, "", nil), http.StatusForbidden, "a pupil of another establishment")
	rec = s.Do(bravo, léo, http.MethodGet, path, "", nil)
	moduletest.WantCode(t, rec, http.StatusForbidden, "Bravo has no subscription")
	moduletest.WantNotIn(t, rec, "Bravo's refusal", "atlas.example")
	moduletest.WantCode(t, s.Do(alpha, alice, http.MethodGet, "/ressources/"+book.String()+"/lien", "", nil), http.StatusNotFound, "an LTI resource as a link")
	moduletest.WantCode(t, s.Do(alpha, alice, http.MethodGet, "/ressources/"+uuid.NewString()+"/lien", "", nil), http.StatusNotFound, "unknown resource")
	if n := s.Count(bravo, `SELECT count(*) FROM resource_launches`); n != 0 {
		t.Errorf("Bravo's launches: %d", n)
	}
	if n := s.Count(alpha, `SELECT count(*) FROM resource_launches`); n != 1 {
		t.Errorf("Alpha's launches after the refusals: %d, want 1", n)
	}
	// « Ouvrir » on a plain link goes there too.
	// A resource withdrawn from the catalogue opens no more.
	s.Reg.Platform().Exec(`UPDATE platform.resources SET active = false WHERE id = ?`, book)
	s.svc.Catalogue().Invalidate()
	ab := s.tokenOf(alice)
	if p := ab.open(t, alpha, book, nil); p.Code != http.StatusNotFound {
		t.Errorf("ouvrir a withdrawn resource: %d", p.Code)
	}
	if to := ab.onward(t, alpha, ab.open(t, alpha, atlas, nil)); to != "https://atlas.example/accueil?lang=fr" {
		t.Errorf("ouvrir a plain link goes to %q", to)
	}
	if n := s.Count(alpha, `SELECT count(*) FROM resource_launches`); n != 2 {
		t.Errorf("Alpha's launches after « Ouvrir »: %d, want 2", n)
	}
}

func subs(ls []ltitool.Launch) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Sub)
	}
	return out
}
