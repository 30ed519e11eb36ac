package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestMessagingSafetyPages: through the real router (API answers validated against
// web/openapi.json), a parent reports a message; the vie scolaire reads the conversation
// through the report and handles it; a teacher and another establishment's direction are
// refused; the direction suspends the messagerie (banner, 409 for the parent, not for the
// direction) and one account, and lifts both.
func TestMessagingSafetyPages(t *testing.T) {
	t.Parallel()
	s := newMailSite(t)
	h, parent, dir, cpe, teacher, ofBravo, host, other := s.h, s.parent, s.dir, s.cpe, s.teacher, s.ofBravo, s.host, s.other
	js := []string{"Content-Type", "application/json"}

	rec := h.send(dir.Token, http.MethodPost, host, "/api/v1/messages",
		`{"a":["`+parent.PersonID.String()+`","`+teacher.PersonID.String()+`"],"objet":"Convocation","message":"Texte à examiner"}`, js...)
	wantStatus(t, rec, http.StatusCreated)
	msg, _ := jsonObject(t, rec)["message"].(string)

	// Reporting: the parent who received it; not its sender, not another establishment.
	wantStatus(t, h.as(parent.Token, host, "/messagerie/messages/"+msg+"/signaler"), http.StatusOK)
	rec = h.postForm(parent.Token, host, "/messagerie/messages/"+msg+"/signaler", url.Values{"motif": {""}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantInBody(t, rec, "dites en quelques mots ce qui pose problème")
	rec = h.postForm(parent.Token, host, "/messagerie/messages/"+msg+"/signaler", url.Values{"motif": {"Ton menaçant"}})
	wantStatus(t, rec, http.StatusSeeOther)
	wantInBody(t, h.as(parent.Token, host, rec.Header().Get("Location")), "Votre signalement est transmis à la vie scolaire")
	wantAPIError(t, h.send(dir.Token, http.MethodPost, host, "/api/v1/messages/"+msg+"/signalement", `{"reason":"x"}`, js...),
		http.StatusBadRequest, "", "vous avez envoyé vous-même")
	wantStatus(t, h.send(ofBravo.Token, http.MethodPost, other, "/api/v1/messages/"+msg+"/signalement", `{"reason":"x"}`, js...), http.StatusNotFound)

	// The reports: vie scolaire and direction; nobody else.
	rec = h.as(cpe.Token, host, "/api/v1/signalements")
	wantStatus(t, rec, http.StatusOK)
	reports, _ := jsonObject(t, rec)["reports"].([]any)
	if len(reports) != 1 {
		t.Fatalf("reports: %s", rec.Body.String())
	}
	id, _ := reports[0].(map[string]any)["id"].(string)
	rec = h.as(cpe.Token, host, "/messagerie/signalements")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Convocation", "Ton menaçant")
	rec = h.as(cpe.Token, host, "/messagerie/signalements/"+id)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Texte à examiner", "(message signalé)")
	wantStatus(t, h.as(cpe.Token, host, "/api/v1/signalements/"+id), http.StatusOK)
	for name, c := range map[string]struct{ token, host string }{
		"teacher": {teacher.Token, host}, "parent": {parent.Token, host}, "another establishment's direction": {ofBravo.Token, host},
	} {
		wantStatus(t, h.as(c.token, c.host, "/messagerie/signalements/"+id), http.StatusForbidden)
		if rec := h.as(c.token, c.host, "/api/v1/signalements"); rec.Code != http.StatusForbidden {
			t.Errorf("%s lists the reports: %d", name, rec.Code)
		}
	}
	wantStatus(t, h.as(ofBravo.Token, other, "/messagerie/signalements/"+id), http.StatusNotFound)
	rec = h.postForm(cpe.Token, host, "/messagerie/signalements/"+id+"/traiter", url.Values{"commentaire": {" "}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantInBody(t, rec, "dites en un commentaire ce qui a été fait")
	wantStatus(t, h.postForm(cpe.Token, host, "/messagerie/signalements/"+id+"/traiter", url.Values{"commentaire": {"Vu avec la famille"}}), http.StatusSeeOther)
	wantAPIError(t, h.send(dir.Token, http.MethodPost, host, "/api/v1/signalements/"+id+"/traitement", `{"comment":"y"}`, js...),
		http.StatusConflict, "commentaire", "déjà été traité")
	wantInBody(t, h.as(cpe.Token, host, "/messagerie/signalements?traites=1"), "Vu avec la famille")

	// The settings and the establishment's suspension: direction only.
	wantStatus(t, h.as(teacher.Token, host, "/messagerie/reglages"), http.StatusForbidden)
	wantStatus(t, h.as(cpe.Token, host, "/api/v1/messagerie/reglages"), http.StatusForbidden)
	wantStatus(t, h.as(ofBravo.Token, host, "/messagerie/reglages"), http.StatusForbidden)
	rec = h.as(dir.Token, host, "/messagerie/reglages")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, `value="07:00"`, `value="20:00"`, `value="3"`)
	rec = h.postForm(dir.Token, host, "/messagerie/reglages", url.Values{"debut": {"07:00"}, "fin": {"20:00"}, "conservation": {"12"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantInBody(t, rec, "de 1 à 10 ans", `value="12"`)
	wantStatus(t, h.postForm(dir.Token, host, "/messagerie/reglages", url.Values{"debut": {"07:00"}, "fin": {"20:00"}, "conservation": {"3"},
		"suspendue": {"1"}, "motif": {"Maintenance du service"}}), http.StatusSeeOther)
	rec = h.as(parent.Token, host, "/messagerie")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Messagerie suspendue", "Maintenance du service")
	wantAPIError(t, h.send(parent.Token, http.MethodPost, host, "/api/v1/messages",
		`{"a":["`+dir.PersonID.String()+`"],"objet":"x","message":"y"}`, js...), http.StatusConflict, "destinataires", "suspendue depuis le")
	wantStatus(t, h.send(dir.Token, http.MethodPost, host, "/api/v1/messages",
		`{"a":["`+parent.PersonID.String()+`"],"objet":"Suspension","message":"Explication"}`, js...), http.StatusCreated)
	wantNotInBody(t, h.as(ofBravo.Token, other, "/messagerie"), "Messagerie suspendue")
	rec = h.send(dir.Token, http.MethodPut, host, "/api/v1/messagerie/reglages", `{"hours_from":"07:00","hours_to":"20:00","retention_years":3}`, js...)
	wantStatus(t, rec, http.StatusOK)
	if s := jsonObject(t, rec); s["suspension"] != nil {
		t.Errorf("still suspended: %s", rec.Body.String())
	}

	// One account: suspended, listed, refused with its reason, lifted.
	wantStatus(t, h.postForm(dir.Token, host, "/messagerie/suspensions", url.Values{"personne": {parent.PersonID.String()}, "motif": {"Messages injurieux"}}), http.StatusSeeOther)
	rec = h.as(dir.Token, host, "/messagerie/suspensions")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Messages injurieux", "Lever la suspension de Marc-")
	rec = h.postForm(parent.Token, host, "/messagerie/nouveau", url.Values{"action": {"envoyer"}, "a": {dir.PersonID.String()}, "objet": {"x"}, "message": {"Texte gardé"}})
	wantStatus(t, rec, http.StatusConflict)
	wantInBody(t, rec, "suspendu pour votre compte", "Messages injurieux", "Texte gardé")
	wantStatus(t, h.send(ofBravo.Token, http.MethodPut, other, "/api/v1/messagerie/suspensions/"+parent.PersonID.String(), `{"reason":"x"}`, js...), http.StatusNotFound)
	wantStatus(t, h.send(teacher.Token, http.MethodDelete, host, "/api/v1/messagerie/suspensions/"+parent.PersonID.String(), ""), http.StatusForbidden)
	rec = h.as(dir.Token, host, "/api/v1/messagerie/suspensions")
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), parent.PersonID.String()) {
		t.Errorf("suspended accounts: %s", rec.Body.String())
	}
	wantStatus(t, h.send(dir.Token, http.MethodDelete, host, "/api/v1/messagerie/suspensions/"+parent.PersonID.String(), ""), http.StatusNoContent)
	wantStatus(t, h.postForm(parent.Token, host, "/messagerie/nouveau", url.Values{"action": {"envoyer"}, "a": {dir.PersonID.String()}, "objet": {"x"}, "message": {"y"}}), http.StatusSeeOther)
}
