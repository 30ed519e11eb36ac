package attendance_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/ops/testenv"
)

// TestArchivePages: the vie scolaire lists the archived years and downloads a year's
// registre; a teacher, a pupil and another establishment's vie scolaire cannot; a roll of
// the archived year is refused with the reason.
func TestArchivePages(t *testing.T) {
	s := newSite(t, 0, time.Millisecond)
	maths := s.registerOf(s.maths)
	wantCode(t, s.Post(s.maths, maths, url.Values{"s-" + s.alice.PersonID.String(): {"absent"}}), http.StatusSeeOther, "roll")
	wantIn(t, s.Get(s.cpe, "/vie-scolaire/registre"), "before the year's end", "Aucune année n'est encore archivée")

	_, _, end := directory.SchoolYearOf(testenv.SchoolDay)
	if _, err := s.svc.ArchiveYears(t.Context(), s.alpha, end.AddDate(0, 0, 2)); err != nil {
		t.Fatal(err)
	}
	rec := s.Get(s.cpe, "/vie-scolaire/registre")
	wantCode(t, rec, http.StatusOK, "archive page")
	wantIn(t, rec, "archive page", "<th scope=\"row\">2026-2027</th>", `href="/vie-scolaire/registre/2026-2027.csv"`, "07/07/2037")
	rec = s.Get(s.cpe, "/vie-scolaire/registre/2026-2027.csv")
	wantCode(t, rec, http.StatusOK, "registre download")
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("registre download: Content-Type %q", ct)
	}
	wantIn(t, rec, "registre", "Mathématiques", "MARTIN Alice", "Absent", "Appel fait par")
	wantCode(t, s.Get(s.cpe, "/vie-scolaire/registre/2025-2026.csv"), http.StatusNotFound, "a year not archived")
	wantCode(t, s.Get(s.cpe, "/vie-scolaire/registre/..%2F..%2Fetc.csv"), http.StatusNotFound, "a forged name")

	rec = s.Get(s.cpe, "/api/v1/vie-scolaire/registre")
	wantCode(t, rec, http.StatusOK, "archive API")
	wantIn(t, rec, "archive API", `"school_year":"2026-2027"`, `"keep_until":"2037-07-07"`, `"csv":"/vie-scolaire/registre/2026-2027.csv"`, `"keep_years":10`)
	wantIn(t, s.Send(s.bravo, s.bravoCPE, http.MethodGet, "/api/v1/vie-scolaire/registre", nil), "another establishment's archive API", `"years":[]`)
	wantCode(t, s.Get(s.maths, "/api/v1/vie-scolaire/registre"), http.StatusForbidden, "the archive API as a teacher")
	wantCode(t, s.Get(s.maths, "/vie-scolaire/registre"), http.StatusForbidden, "the archive as a teacher")
	wantCode(t, s.Get(s.alice, "/vie-scolaire/registre/2026-2027.csv"), http.StatusForbidden, "the registre as a pupil")
	wantCode(t, s.Send(s.bravo, s.bravoCPE, http.MethodGet, "/vie-scolaire/registre/2026-2027.csv", nil), http.StatusNotFound, "another establishment's year")
	wantCode(t, s.Send(s.alpha, s.bravoCPE, http.MethodGet, "/vie-scolaire/registre/2026-2027.csv", nil), http.StatusForbidden, "another establishment's CPE on this one")

	rec = s.Post(s.maths, maths, url.Values{"s-" + s.alice.PersonID.String(): {"present"}})
	wantCode(t, rec, http.StatusConflict, "a roll of the archived year")
	wantIn(t, rec, "refused roll", "est archivée")
}
