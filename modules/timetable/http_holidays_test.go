package timetable_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
)

// TestHolidaysPage: direction adds holidays through the page (errors shown in the form), the
// week pages and the API show them, deletion asks for confirmation; pupils, teachers, parents
// and another establishment's director neither see nor change them.
func TestHolidaysPage(t *testing.T) {
	s := newSite(t)
	wantCode(t, s.upload(s.director, "edt.csv", s.goodCSV()), http.StatusOK, "import")
	const page = "/emploi-du-temps/gestion/vacances"
	rec := s.Get(s.director, page)
	wantCode(t, rec, http.StatusOK, "the holidays page")
	wantIn(t, rec, "the empty page", "Aucune période de vacances", "Ajouter des vacances")
	wantIn(t, s.Get(s.director, "/emploi-du-temps/gestion"), "the management page", `href="/emploi-du-temps/gestion/vacances"`)

	rec = s.Post(s.director, page, url.Values{"libelle": {"Toussaint"}, "du": {"2026-11-01"}, "au": {"2026-10-17"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "the end before the start")
	wantIn(t, rec, "the form in error", "Le formulaire contient des erreurs", "précède le premier", `value="Toussaint"`)
	rec = s.Post(s.director, page, url.Values{"libelle": {"Vacances de la Toussaint"}, "du": {"2026-10-17"}, "au": {"2026-11-01"}})
	wantCode(t, rec, http.StatusSeeOther, "add the holidays")
	wantIn(t, s.Get(s.director, page+"?ok=ajoute"), "the list", "Vacances de la Toussaint", "du samedi 17 octobre 2026 au dimanche 1 novembre 2026",
		"Les vacances ont été enregistrées")
	var id string
	if err := s.Reg.DB().ReadTx(s.t.Context(), s.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id::text FROM timetable_holidays`).Scan(&id).Error
	}); err != nil || id == "" {
		t.Fatalf("holiday id %q: %v", id, err)
	}

	t.Run("the week pages and the API show the holidays", func(t *testing.T) {
		rec := s.Get(s.alice, "/emploi-du-temps?semaine=2026-10-19")
		wantCode(t, rec, http.StatusOK, "Alice's week in the holidays")
		wantIn(t, rec, "Alice's week in the holidays", "Vacances : Vacances de la Toussaint", "(vacances)")
		wantNotIn(t, rec, "Alice's week in the holidays", "Mathématiques", "Pas de cours")
		rec = s.Do(s.alpha, s.alice, http.MethodGet, "/api/v1/emploi-du-temps?semaine=2026-10-19", "", nil)
		wantCode(t, rec, http.StatusOK, "Alice's week in the holidays, API")
		var w struct {
			Lessons  []any
			Holidays []struct{ Date, Label string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &w); err != nil || len(w.Lessons) != 0 || len(w.Holidays) != 5 ||
			w.Holidays[0].Date != "2026-10-19" || w.Holidays[0].Label != "Vacances de la Toussaint" {
			t.Errorf("the API's week: %s (%v)", rec.Body.String(), err)
		}
		rec = s.Do(s.alpha, s.alice, http.MethodGet, "/api/v1/emploi-du-temps?semaine=2026-10-12", "", nil)
		wantCode(t, rec, http.StatusOK, "the week before, API")
		wantNotIn(t, rec, "the week before, API", `"holidays"`)
	})
	t.Run("nobody else sees or changes them", func(t *testing.T) {
		for _, m := range []directorytest.Member{s.alice, s.maths, s.guardian} {
			wantCode(t, s.Get(m, page), http.StatusForbidden, "the page as "+m.Login)
			wantCode(t, s.Post(m, page, url.Values{"libelle": {"X"}, "du": {"2026-12-19"}, "au": {"2027-01-03"}}), http.StatusForbidden, "add as "+m.Login)
			wantCode(t, s.Post(m, page+"/"+id+"/supprimer", nil), http.StatusForbidden, "delete as "+m.Login)
		}
		wantCode(t, s.Do(s.alpha, s.bravoDir, http.MethodGet, page, "", nil), http.StatusForbidden, "Alpha's page as Bravo's director")
		wantCode(t, s.Do(s.bravo, s.bravoDir, http.MethodGet, page+"/"+id+"/supprimer", "", nil), http.StatusNotFound, "Alpha's holiday on Bravo")
		wantCode(t, s.Do(s.bravo, s.bravoDir, http.MethodPost, page+"/"+id+"/supprimer", "application/x-www-form-urlencoded", nil), http.StatusNotFound,
			"Alpha's holiday deleted on Bravo")
		rec := s.Do(s.bravo, s.bravoDir, http.MethodGet, page, "", nil)
		wantCode(t, rec, http.StatusOK, "Bravo's own page")
		wantNotIn(t, rec, "Bravo's own page", "17 octobre 2026")
		if n := s.Count(s.alpha, `SELECT count(*) FROM timetable_holidays`); n != 1 {
			t.Errorf("%d holidays in Alpha, want 1", n)
		}
	})
	t.Run("deletion after confirmation", func(t *testing.T) {
		rec := s.Get(s.director, page+"/"+id+"/supprimer")
		wantCode(t, rec, http.StatusOK, "the confirmation")
		wantIn(t, rec, "the confirmation", "Supprimer ces vacances ?", "Vacances de la Toussaint, du samedi 17 octobre 2026", `action="/emploi-du-temps/gestion/vacances/`+id+`/supprimer"`)
		if n := s.Count(s.alpha, `SELECT count(*) FROM timetable_holidays`); n != 1 {
			t.Error("the confirmation page deleted")
		}
		wantCode(t, s.Post(s.director, page+"/"+id+"/supprimer", nil), http.StatusSeeOther, "delete")
		wantCode(t, s.Post(s.director, page+"/"+id+"/supprimer", nil), http.StatusNotFound, "delete again")
		wantCode(t, s.Get(s.director, page+"/"+uuid.NewString()+"/supprimer"), http.StatusNotFound, "an unknown holiday")
		wantIn(t, s.Get(s.alice, "/emploi-du-temps?semaine=2026-10-19"), "Alice's week after the deletion", "Mathématiques")
	})
}
