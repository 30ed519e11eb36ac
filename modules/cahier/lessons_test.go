package cahier_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/directory"
)

// TestMovedCancelledReplaced: the timetable's exceptions as « Mes séances » and the pupils'
// week meet them. A moved lesson is listed on the day and at the time it takes place, its
// séance is stored on that day and those times (and edited again), the pupils' week shows
// it then; a lesson moved onto a day its slot has a lesson of its own leaves both their
// séances to fill (one séance per lesson still holds). A cancelled lesson offers no
// « Remplir » and refuses a séance. A replacement teacher fills the replaced lesson (a class
// they do not teach otherwise), reads it and sets work in it; the usual teacher sees it
// filled, by whom, and cannot fill it again.
func TestMovedCancelledReplaced(t *testing.T) {
	s := newSite(t)
	exception := func(slot any, on, kind string, extra string, args ...any) {
		s.Exec(s.alpha, `INSERT INTO lesson_exceptions (slot_id, on_date, kind, new_date, new_starts_at, new_ends_at, replacement_id) VALUES (?, ?, ?, `+extra+`)`,
			append([]any{slot, on, kind}, args...)...)
	}
	// Thursday 8's maths lesson of 2nde 1 moved to Friday 9 at 15:00; Monday 12's to Monday 19
	// at 14:00 (where the slot has its own 8:00 lesson); 2nde 2's Monday 12 cancelled; Paul's
	// English of Wednesday 7 given by Claire.
	exception(s.thursday1, "2026-10-08", "deplace", "?, ?, ?, NULL", "2026-10-09", "15:00", "16:00")
	exception(s.monday1, "2026-10-12", "deplace", "?, ?, ?, NULL", "2026-10-19", "14:00", "15:00")
	exception(s.monday2, "2026-10-12", "annule", "NULL, NULL, NULL, NULL")
	exception(s.wednesdayEN, "2026-10-07", "remplace", "NULL, NULL, NULL, ?", s.teacher.PersonID)

	t.Run("moved", func(t *testing.T) {
		rec := s.Get(s.teacher, "/cahier/seances?semaine=2026-10-05")
		wantIn(t, rec, "Mes séances", "vendredi 09/10/2026 15h00–16h00 · Mathématiques <span class=\"meta\">(déplacé, prévu le jeudi 08/10/2026 à 10h00)</span>",
			`creneau=`+s.thursday1.String()+`&amp;date=2026-10-08" aria-label="Remplir la séance du vendredi 09/10/2026 15h00 en 2nde 1"`)
		wantIn(t, s.Get(s.teacher, "/cahier/seances/nouvelle?creneau="+s.thursday1.String()+"&date=2026-10-08"), "the form",
			"Cours du vendredi 09/10/2026 à 15h00 (déplacé ; prévu le jeudi 08/10/2026 à 10h00)")
		id := s.lessonSession(s.teacher, s.thursday1, "2026-10-08", "Suites", "publier")
		if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_sessions WHERE id = ? AND on_date = '2026-10-09' AND lesson_date = '2026-10-08'
			AND starts_at = '15:00' AND ends_at = '16:00' AND publish_at = ?`, id, time.Date(2026, 10, 9, 16, 0, 0, 0, directory.SchoolZone)); n != 1 {
			t.Errorf("the moved lesson's séance is not stored on the day and at the times it takes place")
		}
		wantIn(t, s.Get(s.teacher, "/cahier/seances?semaine=2026-10-05"), "filled", "Suites</a> (Publiée)")
		rec = s.Get(s.teacher, "/cahier/seances/"+id.String()+"/modifier")
		wantCode(t, rec, http.StatusOK, "edit form")
		wantIn(t, rec, "edit form", `name="date" value="2026-10-08"`, "(déplacé ; prévu le jeudi 08/10/2026 à 10h00)")
		wantCode(t, s.Post(s.teacher, "/cahier/seances/"+id.String()+"/modifier", url.Values{"creneau": {s.thursday1.String()}, "date": {"2026-10-08"},
			"titre": {"Suites numériques"}, "action": {"publier"}}), http.StatusSeeOther, "edit the moved lesson's séance")

		s.Clock.Set(time.Date(2026, 10, 9, 17, 0, 0, 0, directory.SchoolZone))
		defer s.Clock.Set(time.Date(2026, 10, 5, 10, 0, 0, 0, directory.SchoolZone))
		var week struct {
			Sessions []struct {
				Title, Date, Starts string
			} `json:"sessions"`
		}
		s.getJSON(s.alice, "/api/v1/cahier/semaine?semaine=2026-10-05", http.StatusOK, &week)
		if len(week.Sessions) != 1 || week.Sessions[0].Title != "Suites numériques" || week.Sessions[0].Date != "2026-10-09" || week.Sessions[0].Starts != "15:00" {
			t.Errorf("the pupil's week: %+v", week.Sessions)
		}
		wantIn(t, s.Get(s.alice, "/cahier?semaine=2026-10-05"), "the pupil's week page", "vendredi 09/10/2026", "Suites numériques")
	})

	t.Run("moved onto its slot's own day", func(t *testing.T) {
		a := s.lessonSession(s.teacher, s.monday1, "2026-10-12", "Le cours déplacé", "brouillon")
		b := s.lessonSession(s.teacher, s.monday1, "2026-10-19", "Le cours du jour", "brouillon")
		if a == b || s.Count(s.alpha, `SELECT count(*) FROM cahier_sessions WHERE slot_id = ? AND on_date = '2026-10-19'`, s.monday1) != 2 {
			t.Fatal("both lessons of the day do not have their séance")
		}
		wantIn(t, s.Get(s.teacher, "/cahier/seances?semaine=2026-10-19"), "Mes séances", "lundi 19/10/2026 8h00–9h00", "Le cours du jour</a>",
			"lundi 19/10/2026 14h00–15h00", "Le cours déplacé</a>")
		rec := s.Post(s.teacher, "/cahier/seances/nouvelle", url.Values{"creneau": {s.monday1.String()}, "date": {"2026-10-12"}, "titre": {"Encore"}, "action": {"brouillon"}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "the moved lesson again")
		wantIn(t, rec, "the moved lesson again", "déjà remplie")
	})

	t.Run("cancelled", func(t *testing.T) {
		rec := s.Get(s.teacher, "/cahier/seances?semaine=2026-10-12")
		wantIn(t, rec, "Mes séances", "lundi 12/10/2026 9h00–10h00 · Mathématiques <span class=\"meta\">(annulé)</span>", "Cours annulé : pas de séance")
		wantNotIn(t, rec, "Mes séances", "Remplir la séance du lundi 12/10/2026 9h00 en 2nde 2")
		rec = s.Post(s.teacher, "/cahier/seances/nouvelle", url.Values{"creneau": {s.monday2.String()}, "date": {"2026-10-12"}, "titre": {"x"}, "action": {"brouillon"}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "a séance for a cancelled lesson")
		wantIn(t, rec, "refusal", "ce cours est annulé")
	})

	t.Run("replaced", func(t *testing.T) {
		wantIn(t, s.Get(s.teacher, "/cahier/seances?semaine=2026-10-05"), "the replacement's week", "Remplir la séance du mercredi 07/10/2026 8h00 en Anglais 1")
		id := s.lessonSession(s.teacher, s.wednesdayEN, "2026-10-07", "Present perfect", "publier")
		wantIn(t, s.Get(s.teacher, "/cahier/seances/"+id.String()), "the replacement reads it", "Present perfect")
		work := s.save(s.teacher, "/cahier/travail/nouveau", url.Values{"seance": {id.String()}, "type": {"Exercices"}, "consigne": {"Exercice 2 p. 40"},
			"pour": {"date"}, "echeance": {"2026-10-14"}, "duree": {"20"}, "action": {"enregistrer"}})
		wantCode(t, s.Get(s.teacher, "/cahier/travail/"+work.String()), http.StatusOK, "the replacement reads the work")
		rec := s.Get(s.paul, "/cahier/seances?semaine=2026-10-05")
		wantIn(t, rec, "the usual teacher's week", "Remplie par Claire") // not shown yet: its lesson has not ended
		wantNotIn(t, rec, "the usual teacher's week", "Remplir la séance du mercredi 07/10/2026")
		rec = s.Post(s.paul, "/cahier/seances/nouvelle", url.Values{"creneau": {s.wednesdayEN.String()}, "date": {"2026-10-07"}, "titre": {"x"}, "action": {"brouillon"}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "the usual teacher fills it again")
		wantIn(t, rec, "refusal", "déjà remplie")
		wantCode(t, s.Get(s.zoe, "/cahier/seances/"+id.String()), http.StatusNotFound, "a pupil of another class")
		s.Clock.Set(time.Date(2026, 10, 7, 10, 0, 0, 0, directory.SchoolZone))
		defer s.Clock.Set(time.Date(2026, 10, 5, 10, 0, 0, 0, directory.SchoolZone))
		wantIn(t, s.Get(s.paul, "/cahier/seances?semaine=2026-10-05"), "the usual teacher's week, the lesson over", `">Present perfect</a> par Claire`)
		wantIn(t, s.Get(s.paul, "/cahier/seances/"+id.String()), "the usual teacher reads it", "Present perfect")
		wantIn(t, s.Get(s.alice, "/cahier/seances/"+id.String()), "the group's pupil reads it", "Present perfect", "Exercices pour le mercredi 14/10/2026")
	})
}
