package portfolio_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/portfolio"
)

// TestReviewTeacherHiddenYear: a year whose items are all hidden from teachers is neither
// listed nor reachable (?annee=) by a teacher, and the counts of the other years exclude the
// hidden items; the guardian sees everything.
func TestReviewTeacherHiddenYear(t *testing.T) {
	s := newSite(t)
	s.Exec(s.alpha, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES ('2024-2025', '2024-09-01', '2025-07-04', false)`)
	at := time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)
	s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Attempt, Source: "x:hidden-old", SchoolYear: "2024-2025",
		Title: "Caché ancien", SubjectCode: "MATHS", Subject: "Mathématiques", OccurredAt: at})
	shown := s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Attempt, Source: "x:shown", SchoolYear: lastYear,
		Title: "Montré", SubjectCode: "MATHS", Subject: "Mathématiques", OccurredAt: at.AddDate(1, 0, 0)})
	s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Attempt, Source: "x:hidden", SchoolYear: lastYear,
		Title: "Caché", SubjectCode: "FRAN", Subject: "Français", OccurredAt: at.AddDate(1, 0, 0)})
	s.Exec(s.alpha, `UPDATE portfolio_items SET visible_to_teachers = true WHERE id = ?`, shown)

	page := "/portfolio/eleves/" + s.alice.PersonID.String()
	rec := s.Get(s.claire, page)
	wantCode(t, rec, http.StatusOK, "teacher's page")
	wantIn(t, rec, "teacher's counts", "1 élément : Mathématiques (1).")
	body := rec.Body.String()
	for _, leak := range []string{"2024-2025", "Français", "2 éléments", "Caché"} {
		if strings.Contains(body, leak) {
			t.Errorf("teacher's page shows %q (hidden items)", leak)
		}
	}
	wantCode(t, s.Get(s.claire, page+"?annee=2024-2025"), http.StatusNotFound, "teacher asks a year of hidden items only")
	wantCode(t, s.Get(s.claire, page+"?annee=1999-2000"), http.StatusNotFound, "teacher asks a year that does not exist")
	last := s.Get(s.claire, page+"?annee="+lastYear)
	wantIn(t, last, "teacher's closed year", "Montré")
	if strings.Contains(last.Body.String(), "Caché") {
		t.Errorf("teacher sees a hidden item of last year")
	}
	g := s.Get(s.gerard, page)
	wantIn(t, g, "guardian's counts", "2 éléments : Français (1), Mathématiques (1).", "1 élément : Mathématiques (1).", "Année 2024-2025")
	// Adam is of age: his guardian gets nothing, whatever the year asked.
	wantCode(t, s.Get(s.hugo, "/portfolio/eleves/"+s.adam.PersonID.String()+"?annee="+lastYear), http.StatusNotFound, "adult's guardian, a year")
	// Another pupil, another establishment's teacher.
	wantCode(t, s.Get(s.zoe, page+"?annee="+lastYear), http.StatusNotFound, "another pupil")
	wantCode(t, s.Get(s.paul, page+"?annee="+lastYear), http.StatusNotFound, "another class's teacher")
}

// TestReviewNoCurrentYear: an establishment with no current year shows the newest year; an
// empty portfolio of such an establishment is a page, not an error.
func TestReviewNoCurrentYear(t *testing.T) {
	s := newSite(t)
	s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Attempt, Source: "x:1", SchoolYear: lastYear,
		Title: "Ancien", SubjectCode: "MATHS", Subject: "Mathématiques", OccurredAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)})
	s.Exec(s.alpha, `UPDATE school_years SET current = false`)
	rec := s.Get(s.alice, "/portfolio")
	wantCode(t, rec, http.StatusOK, "no current year")
	wantIn(t, rec, "no current year", "Ancien", "année close")
	rec = s.Get(s.zoe, "/portfolio")
	wantCode(t, rec, http.StatusOK, "empty, no current year")
	wantIn(t, rec, "empty, no current year", "vide")
	wantCode(t, s.Get(s.zoe, "/portfolio?annee="+lastYear), http.StatusNotFound, "empty, a year asked")
}

// TestReviewEscaping: what a pupil or a module writes (titles, bodies, subjects' labels) is
// escaped in the counts' line and in the hand-written items' HTML.
func TestReviewEscaping(t *testing.T) {
	s := newSite(t)
	evil := `"><img src=x onerror=alert(1)>`
	s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Submission, Source: "x:evil", SchoolYear: lastYear,
		Title: evil, Summary: evil, Body: evil + "\n</p></details><script>alert(2)</script>", SubjectCode: "EVIL", Subject: evil,
		OccurredAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)})
	s.record(s.alpha, portfolio.Entry{PupilID: s.alice.PersonID, Kind: portfolio.Document, Source: "transfer:evil", SchoolYear: s.Year(),
		Title: evil, OriginUAI: "0330099R", OriginName: evil, OccurredAt: time.Date(2026, 10, 2, 10, 0, 0, 0, time.UTC)})
	for _, p := range []string{"/portfolio", "/portfolio?annee=" + url.QueryEscape(lastYear)} {
		for _, who := range []string{"alice", "gerard"} {
			m := s.alice
			path := p
			if who == "gerard" {
				m = s.gerard
				path = strings.Replace(p, "/portfolio", "/portfolio/eleves/"+s.alice.PersonID.String(), 1)
			}
			rec := s.Get(m, path)
			wantCode(t, rec, http.StatusOK, who+" "+path)
			b := rec.Body.String()
			if strings.Contains(b, "<img") || strings.Contains(b, "<script>alert") {
				t.Errorf("%s %s: unescaped markup: %s", who, path, b)
			}
		}
	}
}
