package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestMessagingPages: through the real router, a parent writes to the direction; the
// direction sees it unread in the menu and reads it escaped; nobody else reads it, in this
// establishment or another; a send the rules forbid and a form without subject are refused
// with French messages; the picker offers only reachable people; direction edits the rules.
func TestMessagingPages(t *testing.T) {
	t.Parallel()
	s := newMailSite(t)
	h, bravo, parent, dir, teacher, pupil, ofBravo, host := s.h, s.bravo, s.parent, s.dir, s.teacher, s.pupil, s.ofBravo, s.host

	rec := h.postForm(parent.Token, host, "/messagerie/nouveau", url.Values{"action": {"envoyer"}, "a": {dir.PersonID.String()},
		"objet": {"Rendez-vous"}, "message": {"<script>alert(1)</script>\nMerci"}, "format": {"texte"}})
	wantStatus(t, rec, http.StatusSeeOther)
	conv := rec.Header().Get("Location")
	if !strings.HasPrefix(conv, "/messagerie/conversations/") {
		t.Fatalf("redirect to %q", conv)
	}
	rec = h.as(parent.Token, host, conv)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Message envoyé à 1 destinataire.")

	rec = h.as(dir.Token, host, "/messagerie")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Messagerie (1 non lu)", "Rendez-vous", "Marc-")
	path, _, _ := strings.Cut(conv, "?")
	rec = h.as(dir.Token, host, path)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "&lt;script&gt;alert(1)&lt;/script&gt;<br>Merci")
	wantNotInBody(t, rec, "<script>alert")

	// Nobody else: another member (404, as for a message that does not exist), another
	// establishment's member (403: not a member here), their own establishment (404).
	wantStatus(t, h.as(teacher.Token, host, path), http.StatusNotFound)
	wantStatus(t, h.as(ofBravo.Token, host, path), http.StatusForbidden)
	wantStatus(t, h.as(ofBravo.Token, tenantHost(bravo.Slug), path), http.StatusNotFound)
	rec = h.as(teacher.Token, host, "/messagerie")
	wantNotInBody(t, rec, "Rendez-vous", "non lu")

	// The pupil may not write to the parent (not theirs); the form says so and keeps the text.
	rec = h.postForm(pupil.Token, host, "/messagerie/nouveau", url.Values{"action": {"envoyer"}, "a": {parent.PersonID.String()},
		"objet": {"Coucou"}, "message": {"Texte gardé"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantInBody(t, rec, "les règles de l&#39;établissement ne vous permettent pas d&#39;écrire à : Marc-", "Texte gardé")
	rec = h.postForm(parent.Token, host, "/messagerie/nouveau", url.Values{"action": {"envoyer"}, "a": {dir.PersonID.String()}, "message": {"x"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantInBody(t, rec, "l&#39;objet est obligatoire")

	// The pupil's account may send 10 messages in 10 minutes: the 11th comes back with its
	// text and says why (a stolen account cannot write to the school in a minute).
	for i := range 11 {
		rec = h.postForm(pupil.Token, host, "/messagerie/nouveau", url.Values{"action": {"envoyer"}, "a": {dir.PersonID.String()},
			"objet": {"Question"}, "message": {fmt.Sprintf("Question n° %d", i+1)}})
		if i < 10 {
			wantStatus(t, rec, http.StatusSeeOther)
		}
	}
	wantStatus(t, rec, http.StatusConflict)
	wantInBody(t, rec, "vous avez envoyé 10 messages en 10 minutes, la limite de votre compte", "Question n° 11")

	// The picker: the pupil finds the direction, not the parent.
	rec = h.postForm(pupil.Token, host, "/messagerie/nouveau", url.Values{"action": {"chercher"}, "recherche": {"e"}})
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, dir.PersonID.String())
	wantNotInBody(t, rec, parent.PersonID.String())

	// The rules: direction only; a forged scope is named; reset asks first.
	wantStatus(t, h.as(teacher.Token, host, "/messagerie/regles"), http.StatusForbidden)
	rec = h.as(dir.Token, host, "/messagerie/regles")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Ce sont les règles par défaut.", `name="eleve&gt;eleve"`)
	rec = h.postForm(dir.Token, host, "/messagerie/regles", url.Values{"eleve>eleve": {"partout"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantInBody(t, rec, "de élèves vers élèves : choisissez une portée dans la liste")
	wantStatus(t, h.as(dir.Token, host, "/messagerie/regles/reinitialiser"), http.StatusOK)
	wantStatus(t, h.postForm(dir.Token, host, "/messagerie/regles/reinitialiser", url.Values{}), http.StatusSeeOther)
}

// wantInBody checks that the page holds every one of wanted.
func wantInBody(t *testing.T, rec *httptest.ResponseRecorder, wanted ...string) {
	t.Helper()
	for _, s := range wanted {
		if !strings.Contains(rec.Body.String(), s) {
			t.Errorf("the page lacks %q; body: %s", s, truncate(rec.Body.String()))
		}
	}
}

// TestMessagingAPI: the JSON API (validated against web/openapi.json) sends within the
// rules, lists, reads, searches and trashes; another member reads nothing by id, a forged
// blind copy is refused with its name.
func TestMessagingAPI(t *testing.T) {
	t.Parallel()
	s := newMailSite(t)
	h, parent, dir, teacher, host := s.h, s.parent, s.dir, s.teacher, s.host
	js := []string{"Content-Type", "application/json"}

	rec := h.send(parent.Token, http.MethodPost, host, "/api/v1/messages",
		`{"a":["`+dir.PersonID.String()+`"],"objet":"Cantine","message":"**Menu** de lundi ?","format":"markdown"}`, js...)
	wantStatus(t, rec, http.StatusCreated)
	sent := jsonObject(t, rec)
	conv, _ := sent["conversation"].(string)
	msg, _ := sent["message"].(string)

	rec = h.as(dir.Token, host, "/api/v1/messages")
	wantStatus(t, rec, http.StatusOK)
	if p := jsonObject(t, rec); p["unread"] != float64(1) {
		t.Errorf("direction's réception: %s", rec.Body.String())
	}
	rec = h.as(dir.Token, host, "/api/v1/conversations/"+conv)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, `\u003cstrong\u003eMenu\u003c/strong\u003e`)
	wantStatus(t, h.as(teacher.Token, host, "/api/v1/conversations/"+conv), http.StatusNotFound)
	wantStatus(t, h.send(teacher.Token, http.MethodPost, host, "/api/v1/messages/"+msg+"/corbeille", ""), http.StatusNotFound)

	// The teacher is not the parent's child's teacher: a forged blind copy is refused, named.
	rec = h.send(parent.Token, http.MethodPost, host, "/api/v1/messages",
		`{"a":["`+dir.PersonID.String()+`"],"cci":["`+teacher.PersonID.String()+`"],"objet":"x","message":"y"}`, js...)
	wantStatus(t, rec, http.StatusBadRequest)
	wantInBody(t, rec, "ne vous permettent pas d'écrire à : Paul-", `"field":"destinataires"`)

	rec = h.as(parent.Token, host, "/api/v1/destinataires?q=anne")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, dir.PersonID.String())
	rec = h.as(parent.Token, host, "/api/v1/destinataires?q=paul")
	wantNotInBody(t, rec, teacher.PersonID.String())

	rec = h.as(dir.Token, host, "/api/v1/messages/recherche?q=cantine")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, conv)
	wantStatus(t, h.as(dir.Token, host, "/api/v1/messages/recherche?q="), http.StatusBadRequest)

	wantStatus(t, h.send(dir.Token, http.MethodDelete, host, "/api/v1/messages/"+msg, ""), http.StatusNotFound)
	wantStatus(t, h.send(dir.Token, http.MethodPost, host, "/api/v1/messages/"+msg+"/corbeille", ""), http.StatusOK)
	wantStatus(t, h.as(dir.Token, host, "/api/v1/messages?dossier=corbeille"), http.StatusOK)
	wantStatus(t, h.send(dir.Token, http.MethodDelete, host, "/api/v1/messages/"+msg, ""), http.StatusNoContent)
	wantStatus(t, h.as(dir.Token, host, "/api/v1/messages?dossier=autre"), http.StatusUnprocessableEntity)
}

// mailSite is the messaging tests' two establishments behind the real router: Alpha with a
// parent, the direction, a CPE, a teacher and a pupil; Bravo with its direction.
type mailSite struct {
	h                                *harness
	env                              *directorytest.Env
	alpha, bravo                     *tenant.Tenant
	host, other                      string // their hosts
	parent, dir, cpe, teacher, pupil directorytest.Member
	ofBravo                          directorytest.Member
}

func newMailSite(t *testing.T) *mailSite {
	t.Helper()
	h := newHarness(t)
	s := &mailSite{h: h, env: directorytest.NewEnv(t, h.reg)}
	s.alpha = h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	s.bravo = h.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	s.host, s.other = tenantHost(s.alpha.Slug), tenantHost(s.bravo.Slug)
	s.parent = s.env.AddMember(t, s.alpha, identity.RoleResponsable, "Marc", "Parent")
	s.dir = s.env.AddMember(t, s.alpha, identity.RoleDirection, "Anne", "Proviseure")
	s.cpe = s.env.AddMember(t, s.alpha, identity.RoleVieScolaire, "Inès", "Cpe")
	s.teacher = s.env.AddMember(t, s.alpha, identity.RoleEnseignant, "Paul", "Professeur")
	s.pupil = s.env.AddMember(t, s.alpha, identity.RoleEleve, "Zoé", "Eleve")
	s.ofBravo = s.env.AddMember(t, s.bravo, identity.RoleDirection, "Léa", "Bravo")
	return s
}
