package portfolio_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/portfolio"
)

// TestVisibilityRules: Alice's portfolio (a document she added, last year's exercise, an
// item carried from a collège) is hers; her teacher of this year sees only what she shows
// and downloads only those files; her legal guardian reads all of it; her classmate's
// guardian, another pupil, another teacher, the vie scolaire, the direction and another
// establishment get 404 on the page, the API and the files; the guardian of Adam, who is of
// age, does not see his.
func TestVisibilityRules(t *testing.T) {
	s := newSite(t)
	wantCode(t, s.upload(s.alice, "/portfolio/documents", "Exposé sur Rimbaud", "FRAN", "expose.pdf", pdf), http.StatusSeeOther, "Alice adds a document")
	old := s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Attempt, Source: "exercises:old", SchoolYear: lastYear,
		Title: "Équations", Summary: "7/10", SubjectCode: "MATHS", Subject: "Mathématiques", OccurredAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)})
	s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Document, Source: "transfer:x", SchoolYear: lastYear,
		Title: "Carnet de sciences", OriginUAI: "0330099R", OriginName: "Collège Jean-Moulin"})
	s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Submission, Source: "cahier:texte", SchoolYear: lastYear,
		Title: "Rédaction", Body: "Première ligne\n<script>alert(1)</script>"})
	adamDoc := s.record(s.alpha, portfolio.Entry{PupilID: s.adam.PersonID, Kind: portfolio.Document, Title: "Lettre de motivation"})

	own := s.Get(s.alice, "/portfolio")
	wantCode(t, own, http.StatusOK, "Alice's portfolio")
	// The page shows this year's items, and every other year by its subjects' counts with a
	// link to it.
	wantIn(t, own, "Alice's portfolio", "Mon portfolio", "Année 2026-2027", "Français", "Exposé sur Rimbaud",
		"Montrer « Exposé sur Rimbaud » à mes professeurs", `name="visible" value="`,
		"Année 2025-2026 <span class=\"tag\">année close</span>", "3 éléments : Mathématiques (1), Sans matière (2).", `<a href="/portfolio?annee=2025-2026">Voir l'année 2025-2026</a>`)
	if strings.Contains(own.Body.String(), "Équations") || strings.Contains(own.Body.String(), "?annee=2026-2027") {
		t.Errorf("this year's page shows a closed year's items, or links itself")
	}
	if i, j := strings.Index(own.Body.String(), "Année 2026-2027"), strings.Index(own.Body.String(), "Année 2025-2026"); i < 0 || j < i {
		t.Errorf("the years are not newest first")
	}
	closed := s.Get(s.alice, "/portfolio?annee="+lastYear)
	wantIn(t, closed, "Alice's closed year", "Année 2025-2026", "année close", "Mathématiques", "Équations", "7/10", "Apporté de Collège Jean-Moulin",
		"1 élément : Français (1).", `<a href="/portfolio?annee=2026-2027">Voir l'année 2026-2027</a>`)
	wantIn(t, closed, "a submission's text", `<details><summary>Lire le texte rendu<span class="visually-hidden"> : Rédaction</span></summary><p class="prewrap">Première ligne
&lt;script&gt;alert(1)&lt;/script&gt;</p></details>`)
	if strings.Contains(closed.Body.String(), "Rimbaud") {
		t.Errorf("a closed year's page shows this year's items")
	}
	wantCode(t, s.Post(s.alice, "/portfolio/visibilite", url.Values{"annee": {"1999-2000"}}), http.StatusNotFound, "the visibility of a year she has no item in")
	if rec := s.Get(s.alice, "/portfolio/eleves/"+s.alice.PersonID.String()+"?annee="+lastYear); rec.Header().Get("Location") != "/portfolio?annee="+lastYear {
		t.Errorf("her own portfolio by its id goes to %q", rec.Header().Get("Location"))
	}
	for _, y := range []string{"1999-2000", "*", "2025-2026'--"} {
		wantCode(t, s.Get(s.alice, "/portfolio?annee="+url.QueryEscape(y)), http.StatusNotFound, "a year the portfolio does not have: "+y)
	}
	files := links(fileLink, own)
	if len(files) != 1 {
		t.Fatalf("Alice's page links %d files, want 1", len(files))
	}
	file := "/portfolio/fichiers/" + files[0]
	rec := s.Get(s.alice, file)
	wantCode(t, rec, http.StatusOK, "Alice downloads her document")
	if !bytes.Equal(rec.Body.Bytes(), pdf) || rec.Header().Get("Content-Type") != "application/pdf" {
		t.Errorf("download: %v", rec.Header())
	}
	docID := links(deleteLink, own)[0]
	page := "/portfolio/eleves/" + s.alice.PersonID.String()
	api := "/api/v1/portfolio/eleves/" + s.alice.PersonID.String()

	// Her teacher, before she shows anything: an empty portfolio, no file.
	rec = s.Get(s.claire, page)
	wantCode(t, rec, http.StatusOK, "Claire reads Alice's portfolio")
	wantIn(t, rec, "nothing shown", "ne montre encore aucun élément")
	if strings.Contains(rec.Body.String(), "Rimbaud") {
		t.Errorf("a teacher sees a hidden item")
	}
	wantCode(t, s.Get(s.claire, file), http.StatusNotFound, "Claire downloads a hidden file")

	// Alice shows her document (the page) and last year's exercise (the API).
	wantCode(t, s.Post(s.alice, "/portfolio/visibilite", url.Values{"annee": {s.Year()}, "visible": {docID}}), http.StatusSeeOther, "show the document")
	rec = s.Do(s.alpha, s.alice, http.MethodPut, "/api/v1/portfolio/elements/"+old.String()+"/visibilite", "application/json", strings.NewReader(`{"visible_to_teachers": true}`))
	wantCode(t, rec, http.StatusOK, "show last year's exercise")
	rec = s.Get(s.claire, page)
	wantIn(t, rec, "shown items", "Exposé sur Rimbaud", "1 élément : Mathématiques (1).")
	last := s.Get(s.claire, page+"?annee="+lastYear)
	wantIn(t, last, "shown items of last year", "Équations")
	for _, rec := range []*httptest.ResponseRecorder{rec, last} {
		if strings.Contains(rec.Body.String(), "Carnet de sciences") || strings.Contains(rec.Body.String(), "/visibilite") || strings.Contains(rec.Body.String(), "supprimer") ||
			strings.Contains(rec.Body.String(), `type="checkbox"`) {
			t.Errorf("a teacher sees a hidden item or the pupil's controls")
		}
	}
	wantCode(t, s.Get(s.claire, file), http.StatusOK, "Claire downloads a shown file")
	var b struct {
		Own   bool `json:"own"`
		Years []struct {
			Items []struct{ Title string } `json:"items"`
		} `json:"years"`
	}
	rec = s.Get(s.claire, api)
	wantCode(t, rec, http.StatusOK, "Claire's API")
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || b.Own || len(b.Years) != 2 || len(b.Years[0].Items)+len(b.Years[1].Items) != 2 {
		t.Errorf("the teacher's API: %s", rec.Body.String())
	}
	rec = s.Get(s.claire, "/portfolio/classes")
	wantCode(t, rec, http.StatusOK, "Claire's classes")
	wantIn(t, rec, "Claire's classes", "2nde 1", "Martin Alice", "Roux Adam")
	if strings.Contains(rec.Body.String(), "Petit") {
		t.Errorf("Claire's list has a pupil of another teacher's class")
	}

	// Her legal guardian reads everything, hidden items too, and no control.
	rec = s.Get(s.gerard, page)
	wantCode(t, rec, http.StatusOK, "Gérard reads Alice's portfolio")
	wantIn(t, rec, "the guardian's page", "Portfolio de Alice", "Exposé sur Rimbaud", `href="/portfolio/eleves/`+s.alice.PersonID.String()+`?annee=2025-2026">Voir l'année 2025-2026</a>`)
	last = s.Get(s.gerard, page+"?annee="+lastYear)
	wantIn(t, last, "the guardian's page of last year", "Carnet de sciences", "Équations", "année close")
	if strings.Contains(rec.Body.String()+last.Body.String(), "/visibilite") {
		t.Errorf("the guardian may change the visibility")
	}
	wantCode(t, s.Get(s.gerard, file), http.StatusOK, "Gérard downloads")
	wantIn(t, s.Get(s.gerard, "/portfolio"), "the guardian's children", "/portfolio/eleves/"+s.alice.PersonID.String())
	wantCode(t, s.Post(s.gerard, "/portfolio/visibilite", url.Values{"annee": {s.Year()}}), http.StatusForbidden, "the guardian changes it")

	// Adam is of age: his guardian sees nothing; his teacher, what he shows (nothing).
	adamPage := "/portfolio/eleves/" + s.adam.PersonID.String()
	wantCode(t, s.Get(s.hugo, adamPage), http.StatusNotFound, "an adult's guardian")
	wantCode(t, s.Get(s.hugo, "/api/v1/portfolio/eleves/"+s.adam.PersonID.String()), http.StatusNotFound, "an adult's guardian, API")
	wantIn(t, s.Get(s.hugo, "/portfolio"), "the adult's guardian's children", "majeur")
	wantCode(t, s.Get(s.claire, adamPage), http.StatusOK, "Adam's teacher")
	_ = adamDoc

	// Nobody else.
	for _, who := range []struct {
		name string
		m    directorytest.Member
	}{{"Adam, another pupil", s.adam}, {"Zoé, another pupil", s.zoe}, {"Paul, another teacher", s.paul}, {"the CPE", s.cpe},
		{"the direction", s.direction}, {"Hugo, another pupil's guardian", s.hugo}} {
		wantCode(t, s.Get(who.m, page), http.StatusNotFound, who.name+": page")
		wantCode(t, s.Get(who.m, page+"?annee="+lastYear), http.StatusNotFound, who.name+": a year's page")
		wantCode(t, s.Get(who.m, api), http.StatusNotFound, who.name+": API")
		wantCode(t, s.Get(who.m, file), http.StatusNotFound, who.name+": file")
	}
	for _, who := range []directorytest.Member{s.bravoDirection, s.bravoTeacher, s.bravoPupil} {
		wantCode(t, s.Send(s.bravo, who, http.MethodGet, page, nil), http.StatusNotFound, "another establishment: page")
		wantCode(t, s.Send(s.bravo, who, http.MethodGet, file, nil), http.StatusNotFound, "another establishment: file")
	}
	// Nobody but Alice changes her items.
	wantCode(t, s.Post(s.zoe, "/portfolio/visibilite", url.Values{"annee": {s.Year()}, "visible": {docID}}), http.StatusNotFound, "another pupil shows it")
	wantCode(t, s.Do(s.alpha, s.zoe, http.MethodPut, "/api/v1/portfolio/elements/"+docID+"/visibilite", "application/json", strings.NewReader(`{"visible_to_teachers": false}`)),
		http.StatusNotFound, "another pupil hides it by the API")
	wantCode(t, s.Post(s.zoe, "/portfolio/documents/"+docID+"/supprimer", nil), http.StatusNotFound, "another pupil deletes it")
	wantCode(t, s.Send(s.bravo, s.bravoPupil, http.MethodPost, "/portfolio/documents/"+docID+"/supprimer", url.Values{}), http.StatusNotFound, "another establishment deletes it")
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE id = ? AND visible_to_teachers`, uuid.MustParse(docID)); n != 1 {
		t.Errorf("the document was changed by someone else")
	}
}

// TestYearClose: last year's items are read-only (no deletion, the confirmation page says
// why; the API answers 409) but still shown, and their visibility may be chosen; a new
// document goes into the current year; a document of this year is deleted after its
// confirmation page, with its file.
func TestYearClose(t *testing.T) {
	s := newSite(t)
	old := s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Document, SchoolYear: lastYear, Title: "Carnet de l'an dernier"})
	rec := s.Get(s.alice, "/portfolio/documents/"+old.String()+"/supprimer")
	wantCode(t, rec, http.StatusOK, "the confirmation of a closed year's document")
	wantIn(t, rec, "the closed year's refusal", "est close", "ne se supprime plus")
	wantCode(t, s.Post(s.alice, "/portfolio/documents/"+old.String()+"/supprimer", nil), http.StatusConflict, "delete a closed year's document")
	wantCode(t, s.Do(s.alpha, s.alice, http.MethodDelete, "/api/v1/portfolio/documents/"+old.String(), "", nil), http.StatusConflict, "delete it by the API")
	if strings.Contains(s.Get(s.alice, "/portfolio").Body.String(), "/portfolio/documents/"+old.String()+"/supprimer") {
		t.Errorf("the page offers to delete a closed year's document")
	}
	wantCode(t, s.Post(s.alice, "/portfolio/visibilite", url.Values{"annee": {"2025-2026"}, "visible": {old.String()}}), http.StatusSeeOther, "show a closed year's item")
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE id = ? AND visible_to_teachers`, old); n != 1 {
		t.Errorf("a closed year's item's visibility was not kept")
	}
	// Recording a closed year's source again is refused by Record (the year is closed).
	src := s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Attempt, Source: "exercises:1", SchoolYear: lastYear, Title: "Quiz"})
	_ = src

	wantCode(t, s.upload(s.alice, "/portfolio/documents", "Exposé", "", "expose.pdf", pdf), http.StatusSeeOther, "add a document")
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ? AND title = 'Exposé' AND school_year = ?`, s.alice.PersonID, s.Year()); n != 1 {
		t.Errorf("the new document is not in the current year")
	}
	rec = s.Get(s.alice, "/portfolio")
	ids := links(deleteLink, rec)
	if len(ids) != 1 {
		t.Fatalf("%d deletable documents, want 1", len(ids))
	}
	rec = s.Get(s.alice, "/portfolio/documents/"+ids[0]+"/supprimer")
	wantCode(t, rec, http.StatusOK, "the confirmation page")
	wantIn(t, rec, "the confirmation", "Supprimer définitivement « Exposé »", "expose.pdf")
	wantCode(t, s.Post(s.alice, "/portfolio/documents/"+ids[0]+"/supprimer", nil), http.StatusSeeOther, "delete it")
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_files`); n != 0 {
		t.Errorf("%d files left after the deletion", n)
	}
	if n := s.Count(s.alpha, `SELECT coalesce(sum(bytes), 0) FROM file_space WHERE table_name = 'portfolio_files'`); n != 0 {
		t.Errorf("the establishment's space still counts %d bytes", n)
	}
}

// TestPupilQuota: a document that does not fit in what is left of the pupil's quota is
// refused with a French message saying how much is left, next to the field; nothing is
// written; a bad title, an unknown subject and a program are refused the same way.
func TestPupilQuota(t *testing.T) {
	s := newSite(t)
	s.svc.SetPupilQuota(int64(len(pdf)*2 + 10))
	wantCode(t, s.upload(s.alice, "/portfolio/documents", "Un", "", "un.pdf", pdf), http.StatusSeeOther, "first")
	wantCode(t, s.upload(s.alice, "/portfolio/documents", "Deux", "", "deux.pdf", pdf), http.StatusSeeOther, "second")
	rec := s.upload(s.alice, "/portfolio/documents", "Trois", "MATHS", "trois.pdf", pdf)
	wantCode(t, rec, http.StatusUnprocessableEntity, "past the quota")
	wantIn(t, rec, "the refusal", "votre portfolio est plein", "il vous reste 1 Ko", `href="#fichier"`, `value="Trois"`)
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ?`, s.alice.PersonID); n != 2 {
		t.Errorf("%d items after the refusal, want 2", n)
	}
	// Another pupil's quota is their own.
	wantCode(t, s.upload(s.zoe, "/portfolio/documents", "Trois", "", "trois.pdf", pdf), http.StatusSeeOther, "Zoé's first")

	for _, c := range []struct{ name, title, subject, file, field, says string }{
		{"no title", " ", "", "a.pdf", "titre", "donnez un titre"},
		{"unknown subject", "Titre", "XYZ", "a.pdf", "matiere", "la matière « XYZ » n&#39;existe pas"},
		{"no file", "Titre", "", "", "fichier", "choisissez le fichier"},
	} {
		rec := s.upload(s.zoe, "/portfolio/documents", c.title, c.subject, c.file, pdf)
		wantCode(t, rec, http.StatusUnprocessableEntity, c.name)
		wantIn(t, rec, c.name, `href="#`+c.field+`"`, c.says)
	}
	rec = s.upload(s.zoe, "/portfolio/documents", "Programme", "", "prog.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"))
	wantCode(t, rec, http.StatusUnprocessableEntity, "a program")
	// The API's refusal names the field.
	var body bytes.Buffer
	rec = s.apiUpload(s.alice, "Quatre", "quatre.pdf", pdf, &body)
	wantCode(t, rec, http.StatusUnprocessableEntity, "the API past the quota")
	var refusal struct{ Fields map[string]string }
	if json.Unmarshal(rec.Body.Bytes(), &refusal); !strings.Contains(refusal.Fields["fichier"], "il vous reste") {
		t.Errorf("the API's refusal: %s", rec.Body.String())
	}
}

// TestDocumentsAPI: a pupil adds a document, reads their portfolio, hides it and deletes it
// through the JSON API; a teacher may not add one.
func TestDocumentsAPI(t *testing.T) {
	s := newSite(t)
	var body bytes.Buffer
	rec := s.apiUpload(s.alice, "Exposé", "expose.pdf", pdf, &body)
	wantCode(t, rec, http.StatusCreated, "add by the API")
	var it struct {
		ID    uuid.UUID
		Kind  string
		Files []struct{ URL, SHA256 string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &it); err != nil || it.Kind != "document" || len(it.Files) != 1 {
		t.Fatalf("the added document: %s", rec.Body.String())
	}
	wantCode(t, s.Get(s.alice, it.Files[0].URL), http.StatusOK, "its file")
	rec = s.Get(s.alice, "/api/v1/portfolio")
	wantCode(t, rec, http.StatusOK, "own portfolio")
	wantIn(t, rec, "own portfolio", `"own":true`, "Exposé", `"closed":false`)
	wantCode(t, s.Do(s.alpha, s.alice, http.MethodPut, "/api/v1/portfolio/elements/"+it.ID.String()+"/visibilite", "application/json", strings.NewReader(`{}`)),
		http.StatusUnprocessableEntity, "no visibility said")
	wantCode(t, s.apiUpload(s.claire, "Exposé", "expose.pdf", pdf, &body), http.StatusForbidden, "a teacher adds")
	wantCode(t, s.Do(s.alpha, s.zoe, http.MethodDelete, "/api/v1/portfolio/documents/"+it.ID.String(), "", nil), http.StatusNotFound, "another pupil deletes")
	wantCode(t, s.Do(s.alpha, s.alice, http.MethodDelete, "/api/v1/portfolio/documents/"+it.ID.String(), "", nil), http.StatusNoContent, "delete")
	wantCode(t, s.Get(s.alice, it.Files[0].URL), http.StatusNotFound, "a deleted file")
}

func (s *site) apiUpload(m directorytest.Member, title, name string, data []byte, body *bytes.Buffer) *httptestRecorder {
	s.t.Helper()
	body.Reset()
	w := newMultipart(body)
	w.WriteField("titre", title)
	fw, _ := w.CreateFormFile("fichier", name)
	fw.Write(data)
	w.Close()
	return s.Do(s.alpha, m, http.MethodPost, "/api/v1/portfolio/documents", w.FormDataContentType(), body)
}
