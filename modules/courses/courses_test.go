package courses_test

// Courses through the real router: who sees a course (publication to classes and groups,
// drafts, guardians, direction, co-authors, other establishments), the outline's
// order, copies independent of their original, the pupil's private progress, images with
// their text alternative, and stored XSS. Guardians' pages per child: guardians_test.go.

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (s *site) upload(m directorytest.Member, page uuid.UUID, name string, data []byte, alt string) *httptest.ResponseRecorder {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("alt", alt)
	fw, _ := w.CreateFormFile("fichier", name)
	fw.Write(data)
	w.Close()
	return s.Do(s.alpha, m, http.MethodPost, "/cours/pages/"+page.String()+"/fichiers", w.FormDataContentType(), &body)
}

// course makes a course of the teacher for classes, with a section « Chapitre 1 » of two
// pages (« Page A » with a text block, « Page B »); it returns the course and its pages.
func (s *site) course(title string, classes ...uuid.UUID) (course, pageA, pageB uuid.UUID) {
	s.t.Helper()
	course = s.create(s.teacher, title, classes...)
	wantCode(s.t, s.Post(s.teacher, "/cours/"+course.String()+"/sections", url.Values{"section": {"Chapitre 1"}}), http.StatusSeeOther, "add section")
	sec := s.one(`SELECT id FROM course_sections WHERE course_id = ?`, course)
	for _, p := range []string{"Page A", "Page B"} {
		wantCode(s.t, s.Post(s.teacher, "/cours/sections/"+sec.String()+"/pages", url.Values{"page": {p}}), http.StatusSeeOther, "add page")
	}
	pageA = s.one(`SELECT id FROM course_pages WHERE section_id = ? AND title = 'Page A'`, sec)
	pageB = s.one(`SELECT id FROM course_pages WHERE section_id = ? AND title = 'Page B'`, sec)
	wantCode(s.t, s.Post(s.teacher, "/cours/pages/"+pageA.String()+"/blocs", url.Values{"type": {"texte"}, "texte": {"Le **cours** de " + title}}), http.StatusSeeOther, "add text")
	return course, pageA, pageB
}

func TestPublicationScope(t *testing.T) {
	s := newSite(t)
	course, pageA, _ := s.course("Les fonctions", s.latin)
	c, p := "/cours/"+course.String(), "/cours/pages/"+pageA.String()

	t.Run("a draft is invisible to its pupils", func(t *testing.T) {
		wantCode(t, s.Get(s.alice, c), http.StatusNotFound, "pupil, draft course")
		wantCode(t, s.Get(s.alice, p), http.StatusNotFound, "pupil, draft page")
		wantNotIn(t, s.Get(s.alice, "/cours"), "pupil's list", "Les fonctions")
		wantNotIn(t, s.Get(s.guardian, "/cours"), "guardian's list", "Les fonctions")
		wantCode(t, s.Get(s.direction, c), http.StatusOK, "direction reads a draft")
	})
	t.Run("published to a group: its pupils see it, nobody else", func(t *testing.T) {
		wantCode(t, s.Post(s.teacher, c+"/publier", nil), http.StatusSeeOther, "publish")
		rec := s.Get(s.alice, p)
		wantCode(t, rec, http.StatusOK, "pupil of the group")
		wantIn(t, rec, "page", "<strong>cours</strong>", "Page suivante : Page B")
		wantIn(t, s.Get(s.alice, "/cours"), "pupil's list", "Les fonctions")
		for name, m := range map[string]directorytest.Member{"pupil of another class": s.zoe, "another teacher": s.colleague} {
			wantCode(t, s.Get(m, c), http.StatusNotFound, name+", course")
			wantCode(t, s.Get(m, p), http.StatusNotFound, name+", page")
			wantNotIn(t, s.Get(m, "/cours"), name+"'s list", "Les fonctions")
		}
		wantCode(t, s.Get(s.cpe, "/cours"), http.StatusForbidden, "vie scolaire")
		wantCode(t, s.Get(s.alice, "/cours/gestion"), http.StatusForbidden, "pupil manages")
		wantCode(t, s.Post(s.alice, "/cours/nouveau", url.Values{"titre": {"Intrus"}}), http.StatusForbidden, "pupil writes")
		wantCode(t, s.Post(s.zoe, c+"/sections", url.Values{"section": {"Intrus"}}), http.StatusForbidden, "pupil edits")
		wantCode(t, s.Post(s.colleague, c+"/sections", url.Values{"section": {"Intrus"}}), http.StatusNotFound, "colleague edits")
		wantCode(t, s.Get(s.direction, c+"/plan"), http.StatusForbidden, "direction edits")
	})
	t.Run("a legal guardian reads it, read-only", func(t *testing.T) {
		wantIn(t, s.Get(s.guardian, "/cours/eleves/"+s.alice.PersonID.String()), "guardian's child page", "Les fonctions", `href="`+c+`"`)
		wantCode(t, s.Get(s.guardian, c), http.StatusOK, "guardian opens the course")
		wantNotIn(t, s.Get(s.guardian, p), "guardian opens a page", "/modifier")
	})
	t.Run("the direction reads every course", func(t *testing.T) {
		wantIn(t, s.Get(s.direction, "/cours"), "direction's list", "Les fonctions")
		wantCode(t, s.Get(s.direction, p), http.StatusOK, "direction reads a page")
	})
	t.Run("another establishment sees nothing", func(t *testing.T) {
		for _, m := range []directorytest.Member{s.bravoDirection, s.bravoT} {
			wantCode(t, s.Send(s.alpha, m, http.MethodGet, c, nil), http.StatusForbidden, "Bravo's member on Alpha")
			wantCode(t, s.Send(s.bravo, m, http.MethodGet, c, nil), http.StatusNotFound, "Alpha's course on Bravo")
			wantCode(t, s.Send(s.bravo, m, http.MethodGet, p, nil), http.StatusNotFound, "Alpha's page on Bravo")
			wantNotIn(t, s.Send(s.bravo, m, http.MethodGet, "/cours", nil), "Bravo's list", "Les fonctions")
		}
	})
	t.Run("taken back to a draft, it disappears", func(t *testing.T) {
		wantCode(t, s.Post(s.teacher, c+"/retirer", nil), http.StatusSeeOther, "unpublish")
		wantCode(t, s.Get(s.alice, p), http.StatusNotFound, "pupil after unpublishing")
		wantCode(t, s.Get(s.guardian, p), http.StatusNotFound, "guardian after unpublishing")
	})
	t.Run("publishing needs a class", func(t *testing.T) {
		none := s.create(s.teacher, "Sans classe")
		rec := s.Post(s.teacher, "/cours/"+none.String()+"/publier", nil)
		wantCode(t, rec, http.StatusUnprocessableEntity, "publish without classes")
		wantIn(t, rec, "refusal", "choisissez au moins une classe")
	})
}

func TestCoauthor(t *testing.T) {
	s := newSite(t)
	course, _, _ := s.course("Géométrie", s.class1)
	c := "/cours/" + course.String()
	wantCode(t, s.Post(s.colleague, c+"/sections", url.Values{"section": {"Avant"}}), http.StatusNotFound, "colleague before")
	wantCode(t, s.Post(s.teacher, c+"/coauteurs", url.Values{"coauteur": {s.alice.PersonID.String()}}), http.StatusUnprocessableEntity, "a pupil as co-author")
	wantCode(t, s.Post(s.teacher, c+"/coauteurs", url.Values{"coauteur": {s.colleague.PersonID.String()}}), http.StatusSeeOther, "add co-author")
	wantCode(t, s.Post(s.colleague, c+"/sections", url.Values{"section": {"Du collègue"}}), http.StatusSeeOther, "co-author edits")
	wantIn(t, s.Get(s.colleague, "/cours/gestion"), "co-author's courses", "Géométrie")
	wantCode(t, s.Post(s.colleague, c+"/supprimer", nil), http.StatusForbidden, "co-author deletes")
	wantCode(t, s.Post(s.colleague, c+"/coauteurs", url.Values{"coauteur": {s.teacher.PersonID.String()}}), http.StatusForbidden, "co-author names co-authors")
	wantCode(t, s.Post(s.teacher, c+"/coauteurs/"+s.colleague.PersonID.String()+"/retirer", nil), http.StatusSeeOther, "remove co-author")
	wantCode(t, s.Get(s.colleague, c+"/plan"), http.StatusNotFound, "former co-author")
}

func TestReorder(t *testing.T) {
	s := newSite(t)
	course, pageA, pageB := s.course("Ordre", s.class1)
	c := "/cours/" + course.String()
	wantCode(t, s.Post(s.teacher, c+"/sections", url.Values{"section": {"Chapitre 2"}}), http.StatusSeeOther, "second section")
	second := s.one(`SELECT id FROM course_sections WHERE course_id = ? AND title = 'Chapitre 2'`, course)
	order := func(rec *httptest.ResponseRecorder, first, then string) {
		t.Helper()
		body := rec.Body.String()
		if i, j := strings.Index(body, first), strings.Index(body, then); i < 0 || j < 0 || i > j {
			t.Errorf("%q should come before %q", first, then)
		}
	}
	order(s.Get(s.teacher, c), "Chapitre 1", "Chapitre 2")
	wantCode(t, s.Post(s.teacher, "/cours/sections/"+second.String()+"/monter", nil), http.StatusSeeOther, "section up")
	order(s.Get(s.teacher, c), "Chapitre 2", "Chapitre 1")
	wantCode(t, s.Post(s.teacher, "/cours/sections/"+second.String()+"/monter", nil), http.StatusSeeOther, "top section up: nothing")
	order(s.Get(s.teacher, c), "Page A", "Page B")
	wantCode(t, s.Post(s.teacher, "/cours/pages/"+pageB.String()+"/monter", nil), http.StatusSeeOther, "page up")
	order(s.Get(s.teacher, c), "Page B", "Page A")
	wantCode(t, s.Post(s.teacher, "/cours/pages/"+pageA.String()+"/blocs", url.Values{"type": {"lien"}, "adresse": {"https://eduscol.education.fr/"}, "titre-lien": {"Éduscol"}}), http.StatusSeeOther, "link")
	link := s.one(`SELECT id FROM course_blocks WHERE page_id = ? AND kind = 'lien'`, pageA)
	order(s.Get(s.teacher, "/cours/pages/"+pageA.String()), "Le <strong>cours</strong>", "Éduscol")
	wantCode(t, s.Post(s.teacher, "/cours/blocs/"+link.String()+"/monter", nil), http.StatusSeeOther, "block up")
	order(s.Get(s.teacher, "/cours/pages/"+pageA.String()), "Éduscol", "Le <strong>cours</strong>")
	wantCode(t, s.Post(s.colleague, "/cours/blocs/"+link.String()+"/descendre", nil), http.StatusNotFound, "a colleague moves")
}

func TestCopyIsIndependent(t *testing.T) {
	s := newSite(t)
	course, pageA, _ := s.course("Probabilités", s.class1)
	c := "/cours/" + course.String()
	wantCode(t, s.upload(s.teacher, pageA, "arbre.png", pngBytes(t), "Un arbre de probabilités à deux branches"), http.StatusSeeOther, "image")
	wantCode(t, s.Post(s.teacher, c+"/publier", nil), http.StatusSeeOther, "publish")
	wantCode(t, s.Get(s.alice, "/cours/pages/"+pageA.String()), http.StatusOK, "alice opens the original")

	rec := s.Post(s.teacher, c+"/copier", url.Values{"annee": {s.Year()}, "classes": {s.class2.String()}})
	wantCode(t, rec, http.StatusSeeOther, "copy to 2nde 2")
	copied := s.planned(rec.Header().Get("Location"))
	if n := s.Count(s.alpha, `SELECT count(*) FROM course_blocks b JOIN course_pages p ON p.id = b.page_id JOIN course_sections se ON se.id = p.section_id WHERE se.course_id = ?`, copied); n != 2 {
		t.Fatalf("the copy has %d blocks, want 2", n)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM course_views v JOIN course_pages p ON p.id = v.page_id JOIN course_sections se ON se.id = p.section_id WHERE se.course_id = ?`, copied); n != 0 {
		t.Fatalf("the copy carries %d views of pupils", n)
	}
	wantIn(t, s.Get(s.teacher, "/cours/"+copied.String()+"/plan"), "copy", "Brouillon", "2nde 2")
	copyPage := s.one(`SELECT p.id FROM course_pages p JOIN course_sections se ON se.id = p.section_id WHERE se.course_id = ? AND p.title = 'Page A'`, copied)
	text := s.one(`SELECT id FROM course_blocks WHERE page_id = ? AND kind = 'texte'`, copyPage)
	wantCode(t, s.Post(s.teacher, "/cours/blocs/"+text.String()+"/modifier", url.Values{"texte": {"Texte de la copie"}}), http.StatusSeeOther, "edit the copy")
	wantCode(t, s.Post(s.teacher, "/cours/sections/"+s.one(`SELECT id FROM course_sections WHERE course_id = ?`, copied).String()+"/renommer", url.Values{"titre": {"Renommé"}}), http.StatusSeeOther, "rename in the copy")
	orig := s.Get(s.alice, "/cours/pages/"+pageA.String())
	wantIn(t, orig, "the original", "Le <strong>cours</strong> de Probabilités", "Chapitre 1")
	wantNotIn(t, orig, "the original", "Texte de la copie", "Renommé")
	wantCode(t, s.Get(s.zoe, "/cours/pages/"+copyPage.String()), http.StatusNotFound, "the copy is a draft")

	// The image is shared by reference: deleting the original keeps the copy's.
	img := s.one(`SELECT id FROM course_blocks WHERE page_id = ? AND kind = 'image'`, copyPage)
	wantCode(t, s.Post(s.teacher, c+"/supprimer", nil), http.StatusSeeOther, "delete the original")
	rec = s.Get(s.teacher, "/cours/fichiers/"+img.String())
	wantCode(t, rec, http.StatusOK, "the copy's image after the original's deletion")
	wantCode(t, s.Get(s.alice, "/cours/fichiers/"+img.String()), http.StatusNotFound, "the draft copy's image to a pupil")

	t.Run("to the next school year", func(t *testing.T) {
		next := s.Post(s.teacher, "/cours/"+copied.String()+"/copier", url.Values{"annee": {courses.NextYear(s.Year())}})
		wantCode(t, next, http.StatusSeeOther, "copy to next year")
		wantIn(t, s.Get(s.teacher, next.Header().Get("Location")), "next year's copy", courses.NextYear(s.Year()))
		wantCode(t, s.Post(s.teacher, "/cours/"+copied.String()+"/copier", url.Values{"annee": {"2000-2001"}}), http.StatusUnprocessableEntity, "a past year")
		wantCode(t, s.Post(s.teacher, "/cours/"+copied.String()+"/copier", url.Values{"annee": {courses.NextYear(s.Year())}, "classes": {s.class1.String()}}), http.StatusUnprocessableEntity, "this year's class for next year")
		wantCode(t, s.Post(s.colleague, "/cours/"+copied.String()+"/copier", url.Values{"annee": {s.Year()}}), http.StatusNotFound, "a colleague copies")
	})
}

func TestProgressIsPrivate(t *testing.T) {
	s := newSite(t)
	course, pageA, pageB := s.course("Statistiques", s.class1, s.class2)
	c := "/cours/" + course.String()
	wantCode(t, s.Post(s.teacher, c+"/publier", nil), http.StatusSeeOther, "publish")
	wantNotIn(t, s.Get(s.alice, c), "before any page", "Reprendre :")
	wantCode(t, s.Get(s.alice, "/cours/pages/"+pageA.String()), http.StatusOK, "page A")
	s.Clock.Advance(60e9)
	wantCode(t, s.Get(s.alice, "/cours/pages/"+pageB.String()), http.StatusOK, "page B")
	rec := s.Get(s.alice, c)
	wantIn(t, rec, "alice's course", "Reprendre : Page B", `href="/cours/pages/`+pageB.String()+`">Reprendre`, `<span class="badge">vue</span>`)
	wantIn(t, s.Get(s.alice, "/cours"), "alice's list", "Reprendre « Statistiques »")

	var api struct {
		ResumePageID *uuid.UUID `json:"resume_page_id"`
		Sections     []struct {
			Pages []struct {
				Seen bool `json:"seen"`
			} `json:"pages"`
		} `json:"sections"`
	}
	for name, m := range map[string]directorytest.Member{"teacher": s.teacher, "direction": s.direction, "another pupil": s.zoe} {
		wantNotIn(t, s.Get(m, c), name+"'s course page", "Reprendre :", "badge\">vue")
		rec := s.Get(m, "/api/v1/cours/"+course.String())
		wantCode(t, rec, http.StatusOK, name+"'s API")
		if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil {
			t.Fatal(err)
		}
		if api.ResumePageID != nil || api.Sections[0].Pages[0].Seen || api.Sections[0].Pages[1].Seen {
			t.Errorf("%s sees Alice's progress: %s", name, rec.Body.String())
		}
		wantNotIn(t, s.Get(m, "/api/v1/cours"), name+"'s API list", pageB.String())
	}
	wantNotIn(t, s.Get(s.guardian, "/cours"), "guardian", "Reprendre", pageB.String())
	// The teacher and the direction opening pages records nothing.
	s.Get(s.teacher, "/cours/pages/"+pageA.String())
	s.Get(s.direction, "/cours/pages/"+pageA.String())
	if n := s.Count(s.alpha, `SELECT count(*) FROM course_views WHERE pupil_id <> ?`, s.alice.PersonID); n != 0 {
		t.Errorf("%d views recorded for people other than the pupil", n)
	}
	wantCode(t, s.Post(s.zoe, c+"/progression/effacer", nil), http.StatusSeeOther, "zoé forgets her own")
	if n := s.Count(s.alpha, `SELECT count(*) FROM course_views WHERE pupil_id = ?`, s.alice.PersonID); n != 2 {
		t.Errorf("Alice has %d pages seen after Zoé forgot hers, want 2", n)
	}
	wantCode(t, s.Post(s.alice, c+"/progression/effacer", nil), http.StatusSeeOther, "alice forgets")
	wantNotIn(t, s.Get(s.alice, c), "after forgetting", "Reprendre :")
}

func TestBlocksAreSafe(t *testing.T) {
	s := newSite(t)
	course, pageA, _ := s.course("Sécurité", s.class1)
	wantCode(t, s.Post(s.teacher, "/cours/"+course.String()+"/publier", nil), http.StatusSeeOther, "publish")
	add := func(form url.Values) *httptest.ResponseRecorder {
		return s.Post(s.teacher, "/cours/pages/"+pageA.String()+"/blocs", form)
	}
	wantCode(t, add(url.Values{"type": {"texte"}, "texte": {`<script>alert(1)</script><img src=x onerror="alert(2)"> [clic](javascript:alert(3)) <a href="#" onclick="alert(4)">a</a>` + "\n\nSuite **ok**"}}), http.StatusSeeOther, "hostile text")
	rec := s.Get(s.alice, "/cours/pages/"+pageA.String())
	wantIn(t, rec, "sanitised", "<strong>ok</strong>")
	wantNotIn(t, rec, "sanitised", "<script>alert", "onerror", "javascript:", "onclick", "<img src=\"x\"")

	for name, tc := range map[string]struct {
		form url.Values
		want string
	}{
		"javascript link":    {url.Values{"type": {"lien"}, "adresse": {"javascript:alert(1)"}, "titre-lien": {"x"}}, "n&#39;est pas une adresse web"},
		"link without title": {url.Values{"type": {"lien"}, "adresse": {"https://example.org"}}, "Titre du lien"},
		"video elsewhere":    {url.Values{"type": {"video"}, "adresse": {"https://example.org/film.mp4"}, "titre-lien": {"Film"}}, "YouTube, Dailymotion, Vimeo et PeerTube"},
		"exercise, reserved": {url.Values{"type": {"exercice"}}, "pas encore disponibles"},
	} {
		rec := add(tc.form)
		wantCode(t, rec, http.StatusUnprocessableEntity, name)
		wantIn(t, rec, name, tc.want, `role="alert"`)
	}
	for _, v := range []string{"https://www.youtube.com/watch?v=abc", "https://vimeo.com/1234", "https://www.dailymotion.com/video/x8", "https://tube.example.fr/w/9xYz"} {
		wantCode(t, add(url.Values{"type": {"video"}, "adresse": {v}, "titre-lien": {"Vidéo " + v}}), http.StatusSeeOther, v)
	}
	rec = s.Get(s.alice, "/cours/pages/"+pageA.String())
	wantIn(t, rec, "video links", "Vidéo : Vidéo https://vimeo.com/1234", "sur PeerTube, site externe", "sur YouTube")
	wantNotIn(t, rec, "no frame", "<iframe")

	t.Run("images need their description", func(t *testing.T) {
		rec := s.upload(s.teacher, pageA, "schema.png", pngBytes(t), "")
		wantCode(t, rec, http.StatusUnprocessableEntity, "image without alt")
		wantIn(t, rec, "refusal", "décrivez « schema.png »")
		wantCode(t, s.upload(s.teacher, pageA, "page.pdf", []byte("<html><script>alert(1)</script></html>"), ""), http.StatusUnprocessableEntity, "HTML as PDF")
		wantCode(t, s.upload(s.teacher, pageA, "schema.png", pngBytes(t), "Le schéma du circuit"), http.StatusSeeOther, "image")
		img := s.one(`SELECT id FROM course_blocks WHERE page_id = ? AND kind = 'image'`, pageA)
		wantIn(t, s.Get(s.alice, "/cours/pages/"+pageA.String()), "image shown", `<img src="/cours/fichiers/`+img.String()+`" alt="Le schéma du circuit">`)
		wantCode(t, s.Get(s.alice, "/cours/fichiers/"+img.String()), http.StatusOK, "pupil downloads")
		wantCode(t, s.Get(s.zoe, "/cours/fichiers/"+img.String()), http.StatusNotFound, "pupil of another class downloads")
		wantCode(t, s.Get(s.guardian, "/cours/fichiers/"+img.String()), http.StatusOK, "the pupil's guardian downloads")
		wantCode(t, s.upload(s.alice, pageA, "x.png", pngBytes(t), "x"), http.StatusForbidden, "pupil uploads")
	})
}
