package attendance_test

// The roll call and absences pages through the real router, real PostgreSQL and real Kratos
// sessions: a teacher takes the roll of their lesson (twice: nothing changes) and cannot
// open another's, the vie scolaire processes the day and downloads the threshold list, a
// legal guardian sees their child's absences only, another establishment sees nothing.

import (
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
)

// site is two lycées behind one router: Alpha with class 2nde 1 (Alice, Bruno and pupils
// more), maths on Monday 8:00–9:00 and Spanish 9:00–10:00 by two teachers, a CPE, Alice's
// legal guardian; Bravo with its CPE.
type site struct {
	*moduletest.Site
	t                      testing.TB
	alpha, bravo           *tenant.Tenant
	svc                    *attendance.Service
	class                  uuid.UUID
	maths, spanish, cpe    directorytest.Member
	alice, bruno, guardian directorytest.Member
	bravoCPE               directorytest.Member
	pupils                 []uuid.UUID // every pupil of the class
}

// newSite builds the site with extra pupils more in the class (written in SQL, no account).
func newSite(t testing.TB, extra int, sessionCache time.Duration) *site {
	t.Helper()
	s := &site{Site: moduletest.New(t, moduletest.Options{SessionCache: sessionCache, Templates: []fs.FS{attendance.Templates}}), t: t, class: uuid.New()}
	s.alpha = s.Establishment(71, "Lycée Alpha")
	s.bravo = s.Establishment(72, "Lycée Bravo")
	tt := timetable.NewService(s.Reg.DB(), s.Clock.Now)
	s.svc = attendance.NewService(s.Reg.DB(), tt, s.Clock.Now)
	s.Mount(attendance.NewHandler(s.svc).Module())
	s.maths = s.Member(s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.spanish = s.Member(s.alpha, identity.RoleEnseignant, "Paul", "Moreau")
	s.cpe = s.Member(s.alpha, identity.RoleVieScolaire, "Inès", "Durand")
	s.alice = s.Member(s.alpha, identity.RoleEleve, "Alice", "Martin")
	s.bruno = s.Member(s.alpha, identity.RoleEleve, "Bruno", "Bernard")
	s.guardian = s.Member(s.alpha, identity.RoleResponsable, "Gérard", "Martin")
	s.bravoCPE = s.Member(s.bravo, identity.RoleVieScolaire, "Jean", "Bravo")
	s.Exec(s.alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('ESP', 'Espagnol') ON CONFLICT DO NOTHING`)
	s.Exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?)`, s.class, s.Year())
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?)`, s.class, s.alice.PersonID, s.class, s.bruno.PersonID)
	s.Exec(s.alpha, `INSERT INTO people (id, category, roles, last_name, first_name)
		SELECT gen_random_uuid(), 'eleve', '{eleve}', 'Élève' || lpad(i::text, 2, '0'), 'Test' FROM generate_series(1, ?) i`, extra)
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) SELECT ?, id FROM people WHERE last_name LIKE 'Élève%'`, s.class)
	s.Exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1)`, s.alice.PersonID, s.guardian.PersonID)
	if err := s.Reg.DB().ReadTx(t.Context(), s.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT person_id FROM class_members WHERE class_id = ?`, s.class).Scan(&s.pupils).Error
	}); err != nil {
		t.Fatal(err)
	}
	for _, sl := range []timetable.SlotForm{
		{ClassID: s.class.String(), Subject: "MATHS", Teachers: []string{s.maths.PersonID.String()}, Weekday: "lundi", Start: "08:00", End: "09:00"},
		{ClassID: s.class.String(), Subject: "ESP", Teachers: []string{s.spanish.PersonID.String()}, Weekday: "lundi", Start: "09:00", End: "10:00"},
	} {
		if _, err := tt.SaveSlot(t.Context(), s.alpha, uuid.Nil, sl); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

var (
	wantCode  = moduletest.WantCode
	wantIn    = moduletest.WantIn
	wantNotIn = moduletest.WantNotIn
)

var registerLink = regexp.MustCompile(`/appel/registres/([0-9a-f-]{36})"`)

// registerOf opens m's day and returns their first register's address.
func (s *site) registerOf(m directorytest.Member) string {
	s.t.Helper()
	rec := s.Get(m, "/appel")
	wantCode(s.t, rec, http.StatusOK, "my lessons of the day")
	found := registerLink.FindStringSubmatch(rec.Body.String())
	if found == nil {
		s.t.Fatalf("no register on the day page: %s", rec.Body.String())
	}
	return "/appel/registres/" + found[1]
}

func TestRollPages(t *testing.T) {
	s := newSite(t, 3, time.Millisecond)
	maths := s.registerOf(s.maths)
	spanish := s.registerOf(s.spanish)

	t.Run("the teacher's day and roll", func(t *testing.T) {
		rec := s.Get(s.maths, "/appel")
		wantIn(t, rec, "day", "Mes cours du jour", "8h00 – 9h00", "2nde 1 · Mathématiques", "Appel non fait")
		wantNotIn(t, rec, "day", "Espagnol")
		rec = s.Get(s.maths, maths)
		wantCode(t, rec, http.StatusOK, "roll page")
		wantIn(t, rec, "roll page", "Appel – 2nde 1 · Mathématiques", "Martin Alice-", `name="s-`+s.alice.PersonID.String()+`"`, "5 élèves")
	})
	t.Run("saving twice changes nothing", func(t *testing.T) {
		form := url.Values{"s-" + s.alice.PersonID.String(): {"absent"}, "s-" + s.bruno.PersonID.String(): {"retard"}, "m-" + s.bruno.PersonID.String(): {"10"}}
		rec := s.Post(s.maths, maths, form)
		wantCode(t, rec, http.StatusSeeOther, "save")
		if loc := rec.Header().Get("Location"); !strings.HasSuffix(loc, "?ok=appel") {
			t.Errorf("first save goes to %s", loc)
		}
		rec = s.Post(s.maths, maths, form)
		if loc := rec.Header().Get("Location"); !strings.HasSuffix(loc, "?ok=inchange") {
			t.Errorf("second save goes to %s", loc)
		}
		rec = s.Get(s.maths, maths)
		wantIn(t, rec, "after saving", "Appel fait le 05/10/2026", "1 absent(s), 1 en retard")
		wantNotIn(t, rec, "after saving", "Corrections")
	})
	t.Run("a wrong line keeps every entry", func(t *testing.T) {
		form := url.Values{"s-" + s.alice.PersonID.String(): {"present"}, "s-" + s.bruno.PersonID.String(): {"retard"}, "m-" + s.bruno.PersonID.String(): {"dix"}}
		rec := s.Post(s.maths, maths, form)
		wantCode(t, rec, http.StatusUnprocessableEntity, "minutes not a number")
		wantIn(t, rec, "refused roll", "est pas enregistré : 1 ligne(s)", "indiquez les minutes de retard", `id="s-`+s.alice.PersonID.String()+`-present" name="s-`+s.alice.PersonID.String()+`" value="present" checked`)
	})
	t.Run("a correction appears in the history", func(t *testing.T) {
		rec := s.Post(s.maths, maths, url.Values{"s-" + s.alice.PersonID.String(): {"present"}})
		wantCode(t, rec, http.StatusSeeOther, "correction")
		wantIn(t, s.Get(s.maths, maths), "history", "Corrections", "Absent", "Présent", "Claire-")
	})
	t.Run("a teacher cannot open another's register", func(t *testing.T) {
		wantCode(t, s.Get(s.maths, spanish), http.StatusNotFound, "the Spanish register as the maths teacher")
		wantCode(t, s.Post(s.maths, spanish, url.Values{"s-" + s.alice.PersonID.String(): {"absent"}}), http.StatusNotFound, "saving it")
		wantCode(t, s.Get(s.maths, "/vie-scolaire"), http.StatusForbidden, "the vie scolaire's day as a teacher")
		wantCode(t, s.Get(s.alice, maths), http.StatusForbidden, "a register as a pupil")
	})
	t.Run("the vie scolaire's day and the threshold", func(t *testing.T) {
		s.Post(s.spanish, spanish, url.Values{"s-" + s.alice.PersonID.String(): {"absent"}})
		rec := s.Get(s.cpe, "/vie-scolaire")
		wantCode(t, rec, http.StatusOK, "vie scolaire")
		wantIn(t, rec, "vie scolaire", "2 appel(s) fait(s) sur 2", "À traiter (2)", "Martin Alice-", "Bernard Bruno-", "Retard 8h00 (10 min)")
		rec = s.Get(s.cpe, spanish)
		wantCode(t, rec, http.StatusOK, "any register for the vie scolaire")
		rec = s.Get(s.cpe, "/vie-scolaire/seuil.csv?mois=2026-10")
		wantCode(t, rec, http.StatusOK, "threshold CSV")
		if body := rec.Body.String(); !strings.HasPrefix(body, "\uFEFFNom;Classe;Demi-journées non justifiées") {
			t.Errorf("CSV: %q", body)
		}
		wantCode(t, s.Get(s.cpe, "/vie-scolaire/seuil?mois=octobre"), http.StatusUnprocessableEntity, "a wrong month")
		rec = s.Post(s.cpe, "/vie-scolaire/reglages", url.Values{"methode": {"calcule"}, "seuil": {"quatre"}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "a wrong threshold")
		wantIn(t, rec, "a wrong threshold", "le seuil « quatre » doit être un nombre")
	})
	t.Run("a legal guardian sees their child's absences only", func(t *testing.T) {
		rec := s.Get(s.guardian, "/absences")
		wantCode(t, rec, http.StatusSeeOther, "the guardian's absences")
		if loc := rec.Header().Get("Location"); loc != "/absences/eleves/"+s.alice.PersonID.String() {
			t.Errorf("guardian sent to %s", loc)
		}
		rec = s.Get(s.guardian, "/absences/eleves/"+s.alice.PersonID.String())
		wantCode(t, rec, http.StatusOK, "Alice's absences")
		wantIn(t, rec, "Alice's absences", "Absence", "9h00 – 10h00", "À traiter")
		wantCode(t, s.Get(s.guardian, "/absences/eleves/"+s.bruno.PersonID.String()), http.StatusNotFound, "Bruno's absences as Alice's guardian")
		wantCode(t, s.Get(s.alice, "/absences/eleves/"+s.bruno.PersonID.String()), http.StatusNotFound, "Bruno's absences as Alice")
		wantCode(t, s.Get(s.bruno, "/absences/eleves/"+s.bruno.PersonID.String()), http.StatusOK, "Bruno's own")
	})
	t.Run("the vie scolaire adds a motif", func(t *testing.T) {
		rec := s.Get(s.cpe, "/vie-scolaire/reglages")
		wantCode(t, rec, http.StatusOK, "settings")
		wantIn(t, rec, "settings", "Raison confidentielle", `name="libelle-nouveau"`)
		form := url.Values{"motif": {"nouveau"}, "libelle-nouveau": {"Intempéries"}, "justifie-nouveau": {"1"}, "enligne-nouveau": {"1"}, "visible-nouveau": {"1"}}
		wantCode(t, s.Post(s.cpe, "/vie-scolaire/motifs", form), http.StatusSeeOther, "add a motif")
		form.Set("libelle-nouveau", "maladie")
		rec = s.Post(s.cpe, "/vie-scolaire/motifs", form)
		wantCode(t, rec, http.StatusUnprocessableEntity, "a motif twice")
		wantCode(t, s.Post(s.maths, "/vie-scolaire/motifs", form), http.StatusForbidden, "a teacher adding a motif")
	})
	t.Run("a guardian justifies, the vie scolaire answers", func(t *testing.T) {
		rec := s.Get(s.guardian, "/absences/eleves/"+s.alice.PersonID.String())
		link := regexp.MustCompile(`/absences/([0-9a-f-]{36})/justifier`).FindString(rec.Body.String())
		if link == "" {
			t.Fatalf("no justification link: %s", rec.Body.String())
		}
		rec = s.Get(s.guardian, link)
		wantCode(t, rec, http.StatusOK, "justification form")
		wantIn(t, rec, "justification form", "Maladie", "Raison familiale", "Intempéries")
		wantNotIn(t, rec, "justification form", "Raison confidentielle", "Exclusion")
		wantCode(t, s.Post(s.guardian, link, url.Values{"motif": {"n'importe quoi"}}), http.StatusUnprocessableEntity, "no motif")
		var motif string
		s.Reg.DB().ReadTx(t.Context(), s.alpha, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT id::text FROM absence_motifs WHERE label = 'Maladie'`).Scan(&motif).Error
		})
		wantCode(t, s.Post(s.bruno, link, url.Values{"motif": {motif}}), http.StatusNotFound, "a pupil justifying someone else's")
		wantCode(t, s.Post(s.guardian, link, url.Values{"motif": {motif}, "commentaire": {"Fièvre"}}), http.StatusSeeOther, "justify")
		rec = s.Get(s.cpe, "/vie-scolaire")
		wantIn(t, rec, "vie scolaire", "Justifications des familles à examiner (1)", "Fièvre")
		answer := regexp.MustCompile(`/vie-scolaire/justifications/[0-9a-f-]{36}`).FindString(rec.Body.String())
		wantCode(t, s.Post(s.guardian, answer, url.Values{"decision": {"accepter"}}), http.StatusForbidden, "the guardian answering")
		wantCode(t, s.Post(s.cpe, answer, url.Values{"decision": {"accepter"}, "commentaire": {"Bon rétablissement"}}), http.StatusSeeOther, "accept")
		rec = s.Get(s.guardian, "/absences/eleves/"+s.alice.PersonID.String())
		wantIn(t, rec, "after the answer", "Justifiée · Maladie", "Acceptée", "Bon rétablissement")
	})
	t.Run("another establishment sees nothing", func(t *testing.T) {
		for _, path := range []string{"/vie-scolaire", maths, "/absences/eleves/" + s.alice.PersonID.String(), "/vie-scolaire/seuil.csv"} {
			rec := s.Get(s.bravoCPE, path)
			wantCode(t, rec, http.StatusForbidden, "Alpha's "+path+" as Bravo's CPE")
			wantNotIn(t, rec, path, "Martin Alice")
		}
		rec := s.Send(s.bravo, s.bravoCPE, http.MethodGet, maths, nil)
		wantCode(t, rec, http.StatusNotFound, "Alpha's register on Bravo's host")
		rec = s.Send(s.bravo, s.bravoCPE, http.MethodGet, "/absences/eleves/"+s.alice.PersonID.String(), nil)
		wantCode(t, rec, http.StatusNotFound, "Alice's absences on Bravo's host")
	})
}

// BenchmarkRollPage: the roll page of a class of 35 through the router, rendered then saved
// (three pupils' marks change at each save), with the session check cached as in production.
//
//	./.bin/pgrun -- go test -run '^$' -bench RollPage -benchtime 200x ./modules/attendance/
func BenchmarkRollPage(b *testing.B) {
	s := newSite(b, 33, time.Minute)
	path := s.registerOf(s.maths)
	statuses := []string{"present", "absent"}
	i := 0
	b.Run("render", func(b *testing.B) {
		for b.Loop() {
			if rec := s.Get(s.maths, path); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "35 élèves") {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
	b.Run("save", func(b *testing.B) {
		for b.Loop() {
			i++
			form := url.Values{}
			for j, p := range s.pupils {
				st := "present"
				if j < 3 {
					st = statuses[i%2]
				}
				form.Set("s-"+p.String(), st)
			}
			if rec := s.Post(s.maths, path, form); rec.Code != http.StatusSeeOther {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
		}
	})
}
