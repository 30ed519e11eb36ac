package attendance_test

// The JSON API through the real router, PostgreSQL and Kratos, every exchange checked against
// web/openapi.json (apitest.Serve): a teacher lists their registers and takes a roll (twice:
// nothing changes), cannot open another's, a pupil cannot take one; the vie scolaire
// processes the day; a legal guardian sees and justifies their child's absences only;
// another establishment gets nothing.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/tenant"
)

// api sends a JSON request (body marshalled unless nil) on tn's host as m.
func (s *site) api(tn *tenant.Tenant, m directorytest.Member, method, path string, body any) *httptest.ResponseRecorder {
	s.t.Helper()
	if body == nil {
		return s.Do(tn, m, method, path, "", nil)
	}
	b, err := json.Marshal(body)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.Do(tn, m, method, path, "application/json", bytes.NewReader(b))
}

// decode reads a JSON answer of the wanted status into v.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder, want int, what string) T {
	t.Helper()
	wantCode(t, rec, want, what)
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s: %v in %s", what, err, rec.Body.String())
	}
	return v
}

type apiRegister struct {
	ID      string  `json:"id"`
	Class   string  `json:"class"`
	Subject string  `json:"subject"`
	Start   string  `json:"start"`
	TakenAt *string `json:"taken_at"`
	Overdue bool    `json:"overdue"`
}

type apiRoll struct {
	apiRegister
	Entries []struct {
		PupilID   string `json:"pupil_id"`
		FirstName string `json:"first_name"`
		Status    string `json:"status"`
		Minutes   int    `json:"minutes"`
	} `json:"entries"`
	Changes []struct{ Pupil, From, To string } `json:"changes"`
}

type apiEvent struct {
	ID          string  `json:"id"`
	PupilID     string  `json:"pupil_id"`
	Kind        string  `json:"kind"`
	State       string  `json:"state"`
	Motif       string  `json:"motif"`
	MotifID     *string `json:"motif_id"`
	Justifiable bool    `json:"justifiable"`
}

type mark = map[string]any

// myRegister is the first register of m's day through the API.
func (s *site) myRegister(t *testing.T, m directorytest.Member) string {
	t.Helper()
	day := decode[struct {
		Date      string        `json:"date"`
		Registers []apiRegister `json:"registers"`
	}](t, s.api(s.alpha, m, http.MethodGet, "/api/v1/appel", nil), http.StatusOK, "the teacher's day")
	if len(day.Registers) != 1 {
		t.Fatalf("%d registers on the teacher's day, want 1: %+v", len(day.Registers), day)
	}
	return "/api/v1/appel/registres/" + day.Registers[0].ID
}

func TestAPIRoll(t *testing.T) {
	s := newSite(t, 3, time.Millisecond)
	maths := s.myRegister(t, s.maths)
	spanish := s.myRegister(t, s.spanish)
	alice, bruno := s.alice.PersonID.String(), s.bruno.PersonID.String()

	t.Run("the teacher's day and roll", func(t *testing.T) {
		day := decode[struct{ Registers []apiRegister }](t, s.api(s.alpha, s.maths, http.MethodGet, "/api/v1/appel?jour=2026-10-05", nil), http.StatusOK, "day")
		if r := day.Registers[0]; r.Class != "2nde 1" || r.Subject != "Mathématiques" || r.Start != "08:00" || r.TakenAt != nil || !r.Overdue {
			t.Errorf("maths register: %+v", r)
		}
		roll := decode[apiRoll](t, s.api(s.alpha, s.maths, http.MethodGet, maths, nil), http.StatusOK, "roll")
		if len(roll.Entries) != 5 {
			t.Errorf("%d pupils on the roll, want 5", len(roll.Entries))
		}
		wantCode(t, s.api(s.alpha, s.maths, http.MethodGet, "/api/v1/appel?jour=lundi", nil), http.StatusUnprocessableEntity, "a wrong day")
	})
	t.Run("saving twice changes nothing", func(t *testing.T) {
		body := mark{"marks": []mark{{"pupil_id": alice, "status": "absent"}, {"pupil_id": bruno, "status": "retard", "minutes": 10}}}
		first := decode[struct {
			Changed int     `json:"changed"`
			Roll    apiRoll `json:"roll"`
		}](t, s.api(s.alpha, s.maths, http.MethodPut, maths, body), http.StatusOK, "first save")
		if first.Changed != 2 || first.Roll.TakenAt == nil {
			t.Errorf("first save: changed %d, taken at %v", first.Changed, first.Roll.TakenAt)
		}
		var events int64
		count := func() int64 {
			s.Reg.DB().ReadTx(t.Context(), s.alpha, func(tx *gorm.DB) error { return tx.Raw(`SELECT count(*) FROM absences`).Scan(&events).Error })
			return events
		}
		before := count()
		again := decode[struct {
			Changed int     `json:"changed"`
			Roll    apiRoll `json:"roll"`
		}](t, s.api(s.alpha, s.maths, http.MethodPut, maths, body), http.StatusOK, "second save")
		if again.Changed != 0 || len(again.Roll.Changes) != 0 || *again.Roll.TakenAt != *first.Roll.TakenAt || count() != before {
			t.Errorf("second save changed something: %+v (events %d, were %d)", again, count(), before)
		}
		for _, e := range again.Roll.Entries {
			if e.PupilID == bruno && (e.Status != "retard" || e.Minutes != 10) {
				t.Errorf("Bruno: %+v", e)
			}
		}
	})
	t.Run("wrong lines are named and nothing is saved", func(t *testing.T) {
		body := mark{"marks": []mark{{"pupil_id": alice, "status": "present"}, {"pupil_id": bruno, "status": "retard", "minutes": 0}}}
		rec := s.api(s.alpha, s.maths, http.MethodPut, maths, body)
		refused := decode[struct {
			Error string
			Lines []struct {
				Line    int    `json:"line"`
				PupilID string `json:"pupil_id"`
				Error   string `json:"error"`
			}
		}](t, rec, http.StatusUnprocessableEntity, "minutes missing")
		if len(refused.Lines) != 1 || refused.Lines[0].Line != 2 || refused.Lines[0].PupilID != bruno ||
			!strings.HasPrefix(refused.Lines[0].Error, "Bernard Bruno") || !strings.HasSuffix(refused.Lines[0].Error, " : indiquez les minutes de retard (de 1 à 600)") {
			t.Errorf("refused roll: %s", rec.Body.String())
		}
		rec = s.api(s.alpha, s.maths, http.MethodPut, maths, mark{"marks": []mark{{"pupil_id": alice, "status": "present"}, {"pupil_id": alice, "status": "absent"}}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "a pupil twice")
		wantIn(t, rec, "a pupil twice", "ligne 2 : élève déjà marqué ligne 1")
		rec = s.api(s.alpha, s.maths, http.MethodPut, maths, mark{"marks": []mark{{"pupil_id": uuid.NewString(), "status": "absent"}}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "a pupil of another class")
		wantIn(t, rec, "a pupil of another class", "n'est pas dans la liste de cet appel")
		wantCode(t, s.api(s.alpha, s.maths, http.MethodPut, maths, mark{"marques": []mark{}}), http.StatusBadRequest, "an unknown field")
		roll := decode[apiRoll](t, s.api(s.alpha, s.maths, http.MethodGet, maths, nil), http.StatusOK, "roll after refusals")
		for _, e := range roll.Entries {
			if e.PupilID == alice && e.Status != "absent" {
				t.Errorf("a refused roll changed Alice to %s", e.Status)
			}
		}
	})
	t.Run("a correction is in the history", func(t *testing.T) {
		saved := decode[struct {
			Changed int     `json:"changed"`
			Roll    apiRoll `json:"roll"`
		}](t, s.api(s.alpha, s.maths, http.MethodPut, maths, mark{"marks": []mark{{"pupil_id": alice, "status": "present"}}}), http.StatusOK, "correction")
		if saved.Changed != 1 || len(saved.Roll.Changes) != 1 || saved.Roll.Changes[0].From != "Absent" {
			t.Errorf("correction: %+v", saved)
		}
	})
	t.Run("a teacher only opens the registers of their lessons", func(t *testing.T) {
		wantCode(t, s.api(s.alpha, s.maths, http.MethodGet, spanish, nil), http.StatusNotFound, "the Spanish register as the maths teacher")
		wantCode(t, s.api(s.alpha, s.maths, http.MethodPut, spanish, mark{"marks": []mark{{"pupil_id": alice, "status": "absent"}}}), http.StatusNotFound, "saving it")
		wantCode(t, s.api(s.alpha, s.maths, http.MethodGet, "/api/v1/vie-scolaire", nil), http.StatusForbidden, "the vie scolaire's day as a teacher")
		decode[apiRoll](t, s.api(s.alpha, s.cpe, http.MethodGet, spanish, nil), http.StatusOK, "any register for the vie scolaire")
	})
	t.Run("a pupil cannot take a roll", func(t *testing.T) {
		wantCode(t, s.api(s.alpha, s.alice, http.MethodGet, "/api/v1/appel", nil), http.StatusForbidden, "the day as a pupil")
		wantCode(t, s.api(s.alpha, s.alice, http.MethodGet, maths, nil), http.StatusForbidden, "a register as a pupil")
		wantCode(t, s.api(s.alpha, s.alice, http.MethodPut, maths, mark{"marks": []mark{{"pupil_id": alice, "status": "present"}}}), http.StatusForbidden, "a roll as a pupil")
		wantCode(t, s.api(s.alpha, s.guardian, http.MethodPut, maths, mark{"marks": []mark{{"pupil_id": alice, "status": "present"}}}), http.StatusForbidden, "a roll as a guardian")
	})
	t.Run("an ad hoc register", func(t *testing.T) {
		choices := decode[struct {
			Date    string `json:"date"`
			Classes []struct{ ID, Label string }
		}](t, s.api(s.alpha, s.maths, http.MethodGet, "/api/v1/appel/ponctuel", nil), http.StatusOK, "ad hoc choices")
		if choices.Date != "2026-10-05" || len(choices.Classes) != 1 || choices.Classes[0].Label != "2nde 1" {
			t.Errorf("choices: %+v", choices)
		}
		rec := s.api(s.alpha, s.maths, http.MethodPost, "/api/v1/appel/ponctuel", mark{"class_id": s.class.String(), "start": "14h00", "end": "13:00"})
		wantCode(t, rec, http.StatusUnprocessableEntity, "an end before the start")
		wantIn(t, rec, "an end before the start", `"end":"la fin doit suivre le début"`)
		rec = s.api(s.alpha, s.maths, http.MethodPost, "/api/v1/appel/ponctuel", mark{"class_id": s.class.String(), "start": "14h00", "end": "15:00", "label": "Sortie"})
		roll := decode[apiRoll](t, rec, http.StatusCreated, "ad hoc register")
		if rec.Header().Get("Location") != "/api/v1/appel/registres/"+roll.ID || len(roll.Entries) != 5 {
			t.Errorf("ad hoc: %s at %s", rec.Body.String(), rec.Header().Get("Location"))
		}
		wantCode(t, s.api(s.alpha, s.spanish, http.MethodGet, "/api/v1/appel/registres/"+roll.ID, nil), http.StatusNotFound, "another's ad hoc register")
	})
	t.Run("another establishment gets nothing", func(t *testing.T) {
		for _, path := range []string{"/api/v1/appel", maths, "/api/v1/vie-scolaire"} {
			rec := s.api(s.alpha, s.bravoCPE, http.MethodGet, path, nil)
			wantCode(t, rec, http.StatusForbidden, "Alpha's "+path+" as Bravo's CPE")
			wantNotIn(t, rec, path, "Martin", "2nde 1")
		}
		wantCode(t, s.api(s.bravo, s.bravoCPE, http.MethodGet, maths, nil), http.StatusNotFound, "Alpha's register on Bravo's host")
		wantCode(t, s.api(s.bravo, s.bravoCPE, http.MethodPut, maths, mark{"marks": []mark{{"pupil_id": alice, "status": "present"}}}),
			http.StatusNotFound, "saving Alpha's register on Bravo's host")
	})
}

func TestAPIAbsences(t *testing.T) {
	s := newSite(t, 0, time.Millisecond)
	alice, bruno := s.alice.PersonID.String(), s.bruno.PersonID.String()
	spanish := s.myRegister(t, s.spanish)
	maths := s.myRegister(t, s.maths)
	wantCode(t, s.api(s.alpha, s.maths, http.MethodPut, maths, mark{"marks": []mark{{"pupil_id": bruno, "status": "retard", "minutes": 5}}}), http.StatusOK, "maths roll")
	wantCode(t, s.api(s.alpha, s.spanish, http.MethodPut, spanish, mark{"marks": []mark{{"pupil_id": alice, "status": "absent"}, {"pupil_id": bruno, "status": "absent"}}}),
		http.StatusOK, "Spanish roll")
	var motifs struct{ Maladie, Secret string }
	s.Reg.DB().ReadTx(t.Context(), s.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT (SELECT id::text FROM absence_motifs WHERE label = 'Maladie') AS maladie,
			(SELECT id::text FROM absence_motifs WHERE label = 'Raison confidentielle') AS secret`).Scan(&motifs).Error
	})
	type schoolDay struct {
		Taken, Total   int
		Pending, Done  []apiEvent
		Justifications []struct {
			ID    string   `json:"id"`
			Event apiEvent `json:"event"`
		}
	}
	type pupilPage struct {
		Pupil  string     `json:"pupil"`
		Events []apiEvent `json:"events"`
		Year   struct{ Justified, Unjustified, Text string }
	}

	t.Run("the vie scolaire's day and decision", func(t *testing.T) {
		day := decode[schoolDay](t, s.api(s.alpha, s.cpe, http.MethodGet, "/api/v1/vie-scolaire?jour=2026-10-05", nil), http.StatusOK, "school day")
		if day.Taken != 2 || day.Total != 2 || len(day.Pending) != 3 {
			t.Fatalf("school day: %+v", day)
		}
		var brunoAbsence string
		for _, e := range day.Pending {
			if e.PupilID == bruno && e.Kind == "absence" {
				brunoAbsence = e.ID
			}
		}
		path := "/api/v1/vie-scolaire/absences/" + brunoAbsence
		rec := s.api(s.alpha, s.cpe, http.MethodPost, path, mark{"state": "justifiee"})
		wantCode(t, rec, http.StatusUnprocessableEntity, "a state without a motif")
		wantIn(t, rec, "a state without a motif", `"field":"motif"`)
		wantCode(t, s.api(s.alpha, s.maths, http.MethodPost, path, mark{"motif_id": motifs.Secret}), http.StatusForbidden, "a teacher deciding")
		wantCode(t, s.api(s.alpha, s.cpe, http.MethodPost, path, mark{"motif_id": motifs.Secret, "comment": "Vu"}), http.StatusNoContent, "decide")
		wantCode(t, s.api(s.alpha, s.cpe, http.MethodPost, "/api/v1/vie-scolaire/absences/"+uuid.NewString(), mark{"state": "non_justifiee"}),
			http.StatusNotFound, "an unknown event")
		day = decode[schoolDay](t, s.api(s.alpha, s.cpe, http.MethodGet, "/api/v1/vie-scolaire", nil), http.StatusOK, "school day after")
		if len(day.Pending) != 2 || len(day.Done) != 1 || day.Done[0].Motif != "Raison confidentielle" {
			t.Errorf("after the decision: %+v", day)
		}
	})
	t.Run("a pupil and their legal guardian see theirs only", func(t *testing.T) {
		kids := decode[struct {
			Pupils []struct{ ID, Name string }
		}](t, s.api(s.alpha, s.guardian, http.MethodGet, "/api/v1/absences", nil), http.StatusOK, "the guardian's children")
		if len(kids.Pupils) != 1 || kids.Pupils[0].ID != alice || !strings.HasPrefix(kids.Pupils[0].Name, "Alice") {
			t.Errorf("guardian's pupils: %+v", kids)
		}
		self := decode[struct {
			Pupils []struct{ ID string }
		}](t, s.api(s.alpha, s.bruno, http.MethodGet, "/api/v1/absences", nil), http.StatusOK, "a pupil's list")
		if len(self.Pupils) != 1 || self.Pupils[0].ID != bruno {
			t.Errorf("pupil's list: %+v", self)
		}
		page := decode[pupilPage](t, s.api(s.alpha, s.guardian, http.MethodGet, "/api/v1/absences/eleves/"+alice, nil), http.StatusOK, "Alice's absences")
		if !strings.HasPrefix(page.Pupil, "Alice") || len(page.Events) != 1 || page.Events[0].State != "en_attente" || !page.Events[0].Justifiable {
			t.Errorf("Alice's absences: %+v", page)
		}
		for _, who := range []directorytest.Member{s.guardian, s.alice} {
			rec := s.api(s.alpha, who, http.MethodGet, "/api/v1/absences/eleves/"+bruno, nil)
			wantCode(t, rec, http.StatusNotFound, "Bruno's absences as "+who.Login)
			wantNotIn(t, rec, "Bruno's absences", "Bernard")
			wantCode(t, s.api(s.alpha, who, http.MethodGet, "/api/v1/absences/eleves/"+bruno+"/bulletin?du=2026-09-01&au=2026-10-31", nil),
				http.StatusNotFound, "Bruno's figures as "+who.Login)
		}
		own := decode[pupilPage](t, s.api(s.alpha, s.bruno, http.MethodGet, "/api/v1/absences/eleves/"+bruno, nil), http.StatusOK, "Bruno's own")
		for _, e := range own.Events {
			if e.Kind == "absence" && (e.Motif != "Motif confidentiel" || e.MotifID != nil) {
				t.Errorf("a confidential motif shown to the family: %+v", e)
			}
		}
		wantCode(t, s.api(s.alpha, s.maths, http.MethodGet, "/api/v1/absences/eleves/"+alice, nil), http.StatusForbidden, "a pupil's absences as a teacher")
	})
	t.Run("report-card figures", func(t *testing.T) {
		fig := decode[struct {
			Justified, Unjustified, Text string
			Minutes, Lateness            int
		}](t, s.api(s.alpha, s.bruno, http.MethodGet, "/api/v1/absences/eleves/"+bruno+"/bulletin?du=2026-09-01&au=2026-10-31", nil), http.StatusOK, "Bruno's figures")
		if fig.Unjustified != "0" || fig.Justified != "1" || fig.Minutes != 60 || fig.Lateness != 1 {
			t.Errorf("Bruno's figures: %+v", fig)
		}
		fig = decode[struct {
			Justified, Unjustified, Text string
			Minutes, Lateness            int
		}](t, s.api(s.alpha, s.cpe, http.MethodGet, "/api/v1/absences/eleves/"+alice+"/bulletin?du=2026-10-01&au=2026-10-31", nil), http.StatusOK, "Alice's figures")
		if fig.Unjustified != "1" || fig.Minutes != 60 || !strings.HasPrefix(fig.Text, "0 demi-journée d'absence justifiée, 1 non justifiée") {
			t.Errorf("Alice's figures: %+v", fig)
		}
		wantCode(t, s.api(s.alpha, s.cpe, http.MethodGet, "/api/v1/absences/eleves/"+alice+"/bulletin?du=2026-10-31&au=2026-10-01", nil),
			http.StatusUnprocessableEntity, "dates the wrong way round")
		wantCode(t, s.api(s.alpha, s.cpe, http.MethodGet, "/api/v1/absences/eleves/"+uuid.NewString()+"/bulletin?du=2026-10-01&au=2026-10-31", nil),
			http.StatusNotFound, "no such pupil")
	})
	t.Run("threshold, settings and motifs", func(t *testing.T) {
		wantCode(t, s.api(s.alpha, s.cpe, http.MethodPut, "/api/v1/vie-scolaire/reglages", mark{"method": "brut", "threshold": 1}), http.StatusOK, "threshold 1")
		th := decode[struct {
			Month     string
			Threshold int
			Pupils    []struct {
				PupilID     string   `json:"pupil_id"`
				Unjustified string   `json:"unjustified"`
				HalfDays    []string `json:"half_days"`
			}
		}](t, s.api(s.alpha, s.cpe, http.MethodGet, "/api/v1/vie-scolaire/seuil?mois=2026-10", nil), http.StatusOK, "threshold list")
		if th.Month != "2026-10" || th.Threshold != 1 || len(th.Pupils) != 1 || th.Pupils[0].PupilID != alice || th.Pupils[0].HalfDays[0] != "lundi 05/10 matin" {
			t.Errorf("threshold list: %+v", th)
		}
		wantCode(t, s.api(s.alpha, s.cpe, http.MethodGet, "/api/v1/vie-scolaire/seuil?mois=octobre", nil), http.StatusUnprocessableEntity, "a wrong month")
		rec := s.api(s.alpha, s.cpe, http.MethodPut, "/api/v1/vie-scolaire/reglages", mark{"method": "calcule", "threshold": 99})
		wantCode(t, rec, http.StatusUnprocessableEntity, "a wrong threshold")
		wantIn(t, rec, "a wrong threshold", `"field":"seuil"`)
		rec = s.api(s.alpha, s.cpe, http.MethodPut, "/api/v1/vie-scolaire/motifs", mark{"motifs": []mark{{"label": "Intempéries", "justifies": true, "online": true, "shown": true}}})
		set := decode[struct {
			Method string
			Motifs []struct {
				ID, Label string
				Active    bool
			}
		}](t, rec, http.StatusOK, "a new motif")
		if set.Method != "brut" || !strings.Contains(rec.Body.String(), `"label":"Intempéries"`) {
			t.Errorf("settings: %s", rec.Body.String())
		}
		rec = s.api(s.alpha, s.cpe, http.MethodPut, "/api/v1/vie-scolaire/motifs", mark{"motifs": []mark{{"label": "Sortie"}, {"label": "maladie"}}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "a motif twice")
		wantIn(t, rec, "a motif twice", `"motifs[1]":"le motif « Maladie » est déjà dans la liste"`)
		wantCode(t, s.api(s.alpha, s.maths, http.MethodGet, "/api/v1/vie-scolaire/reglages", nil), http.StatusForbidden, "settings as a teacher")
		wantCode(t, s.api(s.alpha, s.guardian, http.MethodGet, "/api/v1/vie-scolaire/seuil", nil), http.StatusForbidden, "threshold as a guardian")
	})
	t.Run("a guardian justifies, the vie scolaire answers", func(t *testing.T) {
		page := decode[pupilPage](t, s.api(s.alpha, s.guardian, http.MethodGet, "/api/v1/absences/eleves/"+alice, nil), http.StatusOK, "Alice's absences")
		path := "/api/v1/absences/" + page.Events[0].ID + "/justifier"
		form := decode[struct {
			Motifs []struct{ ID, Label string }
		}](t, s.api(s.alpha, s.guardian, http.MethodGet, path, nil), http.StatusOK, "justification form")
		for _, m := range form.Motifs {
			if m.Label == "Raison confidentielle" {
				t.Errorf("a motif not offered online: %+v", form)
			}
		}
		rec := s.api(s.alpha, s.guardian, http.MethodPost, path, mark{"motif_id": motifs.Secret})
		wantCode(t, rec, http.StatusUnprocessableEntity, "a motif not offered online")
		wantIn(t, rec, "a motif not offered online", `"motif_id":"choisissez un des motifs proposés"`)
		wantCode(t, s.api(s.alpha, s.bruno, http.MethodPost, path, mark{"motif_id": motifs.Maladie}), http.StatusNotFound, "a pupil justifying someone else's")
		wantCode(t, s.api(s.alpha, s.alice, http.MethodGet, path, nil), http.StatusNotFound, "the pupil opening the justification")
		var brunos string
		s.Reg.DB().ReadTx(t.Context(), s.alpha, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT id::text FROM absences WHERE pupil_id = ? AND kind = 'retard'`, s.bruno.PersonID).Scan(&brunos).Error
		})
		if brunos == "" {
			t.Fatal("no lateness of Bruno's")
		}
		other := "/api/v1/absences/" + brunos + "/justifier"
		wantCode(t, s.api(s.alpha, s.guardian, http.MethodGet, other, nil), http.StatusNotFound, "another child's event as Alice's guardian")
		wantCode(t, s.api(s.alpha, s.guardian, http.MethodPost, other, mark{"motif_id": motifs.Maladie}), http.StatusNotFound, "justifying it")
		sent := decode[struct {
			Event struct {
				Justifiable    bool
				Justifications []struct{ State, Comment string }
			}
		}](t, s.api(s.alpha, s.guardian, http.MethodPost, path, mark{"motif_id": motifs.Maladie, "comment": "Fièvre"}), http.StatusCreated, "justify")
		if sent.Event.Justifiable || len(sent.Event.Justifications) != 1 || sent.Event.Justifications[0].Comment != "Fièvre" {
			t.Errorf("justified: %+v", sent)
		}
		wantCode(t, s.api(s.alpha, s.guardian, http.MethodPost, path, mark{"motif_id": motifs.Maladie}), http.StatusConflict, "justifying twice")

		day := decode[schoolDay](t, s.api(s.alpha, s.cpe, http.MethodGet, "/api/v1/vie-scolaire", nil), http.StatusOK, "school day")
		if len(day.Justifications) != 1 || day.Justifications[0].Event.PupilID != alice {
			t.Fatalf("justifications waiting: %+v", day.Justifications)
		}
		answer := "/api/v1/vie-scolaire/justifications/" + day.Justifications[0].ID
		wantCode(t, s.api(s.alpha, s.guardian, http.MethodPost, answer, mark{"accept": true}), http.StatusForbidden, "the guardian answering")
		wantCode(t, s.api(s.alpha, s.cpe, http.MethodPost, answer, mark{"comment": "?"}), http.StatusUnprocessableEntity, "no decision")
		wantCode(t, s.api(s.alpha, s.cpe, http.MethodPost, answer, mark{"accept": true, "comment": "Bon rétablissement"}), http.StatusNoContent, "accept")
		wantCode(t, s.api(s.alpha, s.cpe, http.MethodPost, answer, mark{"accept": false}), http.StatusConflict, "answering twice")
		page = decode[pupilPage](t, s.api(s.alpha, s.guardian, http.MethodGet, "/api/v1/absences/eleves/"+alice, nil), http.StatusOK, "after the answer")
		if e := page.Events[0]; e.State != "justifiee" || e.Motif != "Maladie" || e.Justifiable {
			t.Errorf("after the answer: %+v", e)
		}
	})
	t.Run("another establishment gets nothing", func(t *testing.T) {
		for _, path := range []string{"/api/v1/absences/eleves/" + alice, "/api/v1/vie-scolaire/seuil", "/api/v1/vie-scolaire/reglages", "/api/v1/absences"} {
			rec := s.api(s.alpha, s.bravoCPE, http.MethodGet, path, nil)
			wantCode(t, rec, http.StatusForbidden, "Alpha's "+path+" as Bravo's CPE")
			wantNotIn(t, rec, path, "Martin", "Maladie")
		}
		for _, path := range []string{"/api/v1/absences/eleves/" + alice, "/api/v1/absences/eleves/" + alice + "/bulletin?du=2026-09-01&au=2026-10-31"} {
			wantCode(t, s.api(s.bravo, s.bravoCPE, http.MethodGet, path, nil), http.StatusNotFound, path+" on Bravo's host")
		}
	})
}

// BenchmarkAPIRoll: a class of 35's roll through the API, read then saved (three pupils'
// marks change at each save), with the session check cached as in production.
//
//	./.bin/pgrun -- go test -run '^$' -bench APIRoll -benchtime 200x ./modules/attendance/
func BenchmarkAPIRoll(b *testing.B) {
	s := newSite(b, 33, time.Minute)
	path := strings.Replace(s.registerOf(s.maths), "/appel/", "/api/v1/appel/", 1)
	statuses := []string{"present", "absent"}
	i := 0
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if rec := s.api(s.alpha, s.maths, http.MethodGet, path, nil); rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
	b.Run("save", func(b *testing.B) {
		for b.Loop() {
			i++
			marks := make([]mark, len(s.pupils))
			for j, p := range s.pupils {
				st := "present"
				if j < 3 {
					st = statuses[i%2]
				}
				marks[j] = mark{"pupil_id": p.String(), "status": st}
			}
			if rec := s.api(s.alpha, s.maths, http.MethodPut, path, mark{"marks": marks}); rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
		}
	})
}
