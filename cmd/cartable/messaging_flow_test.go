package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestMessagingFlowPages: through the real router, the page after a send names the
// recipients who never signed in, until they do; a draft is saved from the compose form,
// listed in Brouillons, private to its author, reopened, sent (it leaves the drafts) or
// deleted after a confirmation; a « sans réponse » announcement shows no reply link and a
// forged reply is refused (409), a pupil cannot tick the box; a sent message is recalled
// after a confirmation, its recipient no longer reads it, and another member cannot recall it.
func TestMessagingFlowPages(t *testing.T) {
	t.Parallel()
	s := newMailSite(t)
	h, bravo, parent, dir, teacher, pupil, ofBravo, host := s.h, s.bravo, s.parent, s.dir, s.teacher, s.pupil, s.ofBravo, s.host
	send := func(token string, form url.Values) string {
		t.Helper()
		form.Set("action", "envoyer")
		rec := h.postForm(token, host, "/messagerie/nouveau", form)
		wantStatus(t, rec, http.StatusSeeOther)
		return rec.Header().Get("Location")
	}

	// Never activated: the direction has not signed in yet.
	conv := send(parent.Token, url.Values{"a": {dir.PersonID.String()}, "objet": {"Rendez-vous"}, "message": {"Bonjour"}})
	rec := h.as(parent.Token, host, conv)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "1 destinataire n'a encore jamais ouvert son compte : Anne-", "il ne verra le message qu'à sa première connexion")
	wantStatus(t, h.as(dir.Token, host, "/messagerie"), http.StatusOK) // the first sign-in
	rec = h.as(parent.Token, host, send(parent.Token, url.Values{"a": {dir.PersonID.String()}, "objet": {"Encore"}, "message": {"Merci"}}))
	wantInBody(t, rec, "Message envoyé à 1 destinataire.")
	wantNotInBody(t, rec, "jamais ouvert")

	// Drafts: saved from the form (nothing sent), listed, private, reopened, sent.
	rec = h.postForm(teacher.Token, host, "/messagerie/nouveau", url.Values{"action": {"brouillon"}, "a": {dir.PersonID.String()},
		"objet": {"Sortie au musée"}, "message": {"Brouillon gardé"}})
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	draftID := strings.TrimPrefix(loc, "/messagerie/brouillons?enregistre=")
	if draftID == loc {
		t.Fatalf("saved to %q", loc)
	}
	rec = h.as(teacher.Token, host, loc)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Sortie au musée", "Brouillon enregistré.", "1 destinataire", `aria-current="page">Brouillons`)
	wantNotInBody(t, h.as(dir.Token, host, "/messagerie"), "Sortie au musée")
	for _, who := range []string{dir.Token, parent.Token} {
		wantStatus(t, h.as(who, host, "/messagerie/brouillons/"+draftID), http.StatusNotFound)
		wantStatus(t, h.postForm(who, host, "/messagerie/brouillons/"+draftID+"/supprimer", url.Values{}), http.StatusNotFound)
	}
	wantStatus(t, h.as(ofBravo.Token, tenantHost(bravo.Slug), "/messagerie/brouillons/"+draftID), http.StatusNotFound)
	wantNotInBody(t, h.as(dir.Token, host, "/messagerie/brouillons"), "Sortie au musée")
	rec = h.as(teacher.Token, host, "/messagerie/brouillons/"+draftID)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, `name="brouillon" value="`+draftID+`"`, "Brouillon gardé", `value="Sortie au musée"`, "Enregistrer le brouillon")
	send(teacher.Token, url.Values{"brouillon": {draftID}, "a": {dir.PersonID.String()}, "objet": {"Sortie au musée"}, "message": {"Brouillon gardé"}})
	wantInBody(t, h.as(dir.Token, host, "/messagerie"), "Sortie au musée")
	wantInBody(t, h.as(teacher.Token, host, "/messagerie/brouillons"), "Aucun brouillon.")
	// Deleted after a confirmation.
	rec = h.postForm(teacher.Token, host, "/messagerie/nouveau", url.Values{"action": {"brouillon"}, "objet": {"À jeter"}})
	wantStatus(t, rec, http.StatusSeeOther)
	draftID = strings.TrimPrefix(rec.Header().Get("Location"), "/messagerie/brouillons?enregistre=")
	rec = h.as(teacher.Token, host, "/messagerie/brouillons/"+draftID+"/supprimer")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Supprimer le brouillon ?", "À jeter")
	wantStatus(t, h.postForm(teacher.Token, host, "/messagerie/brouillons/"+draftID+"/supprimer", url.Values{}), http.StatusSeeOther)
	wantStatus(t, h.as(teacher.Token, host, "/messagerie/brouillons/"+draftID), http.StatusNotFound)

	// « Sans réponse »: offered to staff, not to a pupil; the parent sees no reply link.
	wantInBody(t, h.as(dir.Token, host, "/messagerie/nouveau"), "Les destinataires ne peuvent pas répondre")
	wantNotInBody(t, h.as(pupil.Token, host, "/messagerie/nouveau"), "Les destinataires ne peuvent pas répondre")
	rec = h.postForm(pupil.Token, host, "/messagerie/nouveau", url.Values{"action": {"envoyer"}, "a": {dir.PersonID.String()},
		"objet": {"Annonce"}, "message": {"Texte"}, "sans_reponse": {"1"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantInBody(t, rec, "seuls la direction, la vie scolaire et les enseignants")
	conv = send(dir.Token, url.Values{"a": {parent.PersonID.String()}, "objet": {"Fermeture"}, "message": {"Vendredi"}, "sans_reponse": {"1"}})
	path, _, _ := strings.Cut(conv, "?")
	rec = h.as(parent.Token, host, path)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Message sans réponse : vous ne pouvez pas y répondre.")
	wantNotInBody(t, rec, "/repondre")
	var msg string
	if i := strings.Index(rec.Body.String(), `id="m-`); i >= 0 {
		msg = rec.Body.String()[i+6 : i+6+36]
	}
	wantStatus(t, h.as(parent.Token, host, "/messagerie/messages/"+msg+"/repondre"), http.StatusConflict)
	rec = h.postForm(parent.Token, host, "/messagerie/messages/"+msg+"/repondre", url.Values{"action": {"envoyer"}, "a": {dir.PersonID.String()}, "message": {"Pourquoi ?"}})
	wantStatus(t, rec, http.StatusConflict)
	wantInBody(t, rec, "annonce sans réponse")

	// Recall: offered to the sender, confirmed, then gone for the recipient.
	conv = send(teacher.Token, url.Values{"a": {dir.PersonID.String()}, "objet": {"Erreur"}, "message": {"Pas pour vous"}})
	path, _, _ = strings.Cut(conv, "?")
	rec = h.as(teacher.Token, host, path)
	wantInBody(t, rec, "Rappeler le message")
	if i := strings.Index(rec.Body.String(), `id="m-`); i >= 0 {
		msg = rec.Body.String()[i+6 : i+6+36]
	}
	wantStatus(t, h.as(dir.Token, host, "/messagerie/messages/"+msg+"/rappeler"), http.StatusNotFound)
	wantStatus(t, h.postForm(dir.Token, host, "/messagerie/messages/"+msg+"/rappeler", url.Values{}), http.StatusNotFound)
	rec = h.as(teacher.Token, host, "/messagerie/messages/"+msg+"/rappeler")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Rappeler le message ?", "Erreur")
	rec = h.postForm(teacher.Token, host, "/messagerie/messages/"+msg+"/rappeler", url.Values{})
	wantStatus(t, rec, http.StatusSeeOther)
	wantInBody(t, h.as(teacher.Token, host, path), "Message rappelé le ")
	wantStatus(t, h.as(dir.Token, host, path), http.StatusNotFound)
	rec = h.postForm(teacher.Token, host, "/messagerie/messages/"+msg+"/rappeler", url.Values{})
	wantStatus(t, rec, http.StatusConflict)
	wantInBody(t, rec, "ce message a déjà été rappelé")
}

// TestMessagingFlowAPI: drafts (create, list, read, update, send, delete) and recall
// through the JSON API, validated against web/openapi.json; another member and another
// establishment get 404.
func TestMessagingFlowAPI(t *testing.T) {
	t.Parallel()
	s := newMailSite(t)
	h, bravo, parent, dir, ofBravo, host := s.h, s.bravo, s.parent, s.dir, s.ofBravo, s.host
	js := []string{"Content-Type", "application/json"}

	rec := h.send(parent.Token, http.MethodPost, host, "/api/v1/brouillons", `{"a":["`+dir.PersonID.String()+`"],"objet":"Cantine"}`, js...)
	wantStatus(t, rec, http.StatusCreated)
	id, _ := jsonObject(t, rec)["id"].(string)
	rec = h.as(parent.Token, host, "/api/v1/brouillons")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, id, `"recipients":1`)
	wantInBody(t, h.as(dir.Token, host, "/api/v1/brouillons"), `"items":[]`)
	wantStatus(t, h.as(dir.Token, host, "/api/v1/brouillons/"+id), http.StatusNotFound)
	wantStatus(t, h.send(dir.Token, http.MethodPost, host, "/api/v1/brouillons/"+id+"/envoyer", ""), http.StatusNotFound)
	wantStatus(t, h.send(ofBravo.Token, http.MethodDelete, tenantHost(bravo.Slug), "/api/v1/brouillons/"+id, ""), http.StatusNotFound)
	// Without a body it cannot be sent: refused, it stays.
	rec = h.send(parent.Token, http.MethodPost, host, "/api/v1/brouillons/"+id+"/envoyer", "")
	wantStatus(t, rec, http.StatusBadRequest)
	wantInBody(t, rec, "le message est vide")
	rec = h.send(parent.Token, http.MethodPut, host, "/api/v1/brouillons/"+id, `{"a":["`+dir.PersonID.String()+`"],"objet":"Cantine","message":"Menu ?"}`, js...)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, `"message":"Menu ?"`)
	wantStatus(t, h.as(parent.Token, host, "/api/v1/brouillons/"+id), http.StatusOK)
	rec = h.send(parent.Token, http.MethodPost, host, "/api/v1/brouillons/"+id+"/envoyer", "")
	wantStatus(t, rec, http.StatusCreated)
	msg, _ := jsonObject(t, rec)["message"].(string)
	wantStatus(t, h.send(parent.Token, http.MethodDelete, host, "/api/v1/brouillons/"+id, ""), http.StatusNotFound)

	// Recall: not the sender's 404, the sender's 200, a second time 409.
	wantStatus(t, h.send(dir.Token, http.MethodPost, host, "/api/v1/messages/"+msg+"/rappeler", ""), http.StatusNotFound)
	wantStatus(t, h.send(ofBravo.Token, http.MethodPost, tenantHost(bravo.Slug), "/api/v1/messages/"+msg+"/rappeler", ""), http.StatusNotFound)
	rec = h.send(parent.Token, http.MethodPost, host, "/api/v1/messages/"+msg+"/rappeler", "")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, `"recipients":1`, `"recalled_at"`)
	wantInBody(t, h.as(dir.Token, host, "/api/v1/messages"), `"items":[]`)
	wantStatus(t, h.send(parent.Token, http.MethodPost, host, "/api/v1/messages/"+msg+"/rappeler", ""), http.StatusConflict)

	// « Sans réponse » through the API: a parent may not; the direction may, and the
	// parent's forged reply is refused.
	rec = h.send(parent.Token, http.MethodPost, host, "/api/v1/messages", `{"a":["`+dir.PersonID.String()+`"],"objet":"x","message":"y","sans_reponse":true}`, js...)
	wantStatus(t, rec, http.StatusBadRequest)
	rec = h.send(dir.Token, http.MethodPost, host, "/api/v1/messages", `{"a":["`+parent.PersonID.String()+`"],"objet":"Fermeture","message":"Vendredi","sans_reponse":true}`, js...)
	wantStatus(t, rec, http.StatusCreated)
	ann, _ := jsonObject(t, rec)["message"].(string)
	rec = h.send(parent.Token, http.MethodPost, host, "/api/v1/messages", `{"a":["`+dir.PersonID.String()+`"],"message":"Pourquoi ?","reponse_a":"`+ann+`"}`, js...)
	wantStatus(t, rec, http.StatusConflict)
	wantInBody(t, rec, "annonce sans réponse")
}
