package timetable_test

// The timetable's pages, import, calendar feed and API through the real router, real
// PostgreSQL and real Kratos sessions: the CSV import refuses a file naming every wrong line
// and writes nothing, the form adds, edits and deletes (after confirmation) a slot, each
// person sees only the weeks they may, and a feed's address works only on its own
// establishment until it is revoked or replaced.

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
)

// site is two lycées behind one real router: Alpha with class 2nde 1 (Alice, Bruno), a
// maths and a Spanish teacher, a director, Alice's legal guardian and a relative who is not
// one; Bravo with its director.
type site struct {
	*moduletest.Site
	t        *testing.T
	alpha    *tenant.Tenant
	bravo    *tenant.Tenant
	class    uuid.UUID
	maths    directorytest.Member
	spanish  directorytest.Member
	director directorytest.Member
	alice    directorytest.Member
	bruno    directorytest.Member
	guardian directorytest.Member
	relative directorytest.Member
	bravoDir directorytest.Member
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{Site: moduletest.New(t, moduletest.Options{LogWarnings: true, Templates: []fs.FS{timetable.Templates}}), t: t, class: uuid.New()}
	s.alpha = s.Establishment(61, "Lycée Alpha")
	s.bravo = s.Establishment(62, "Lycée Bravo")
	s.Mount(timetable.NewHandler(timetable.NewService(s.Reg.DB(), s.Clock.Now), s.Srv.TenantURL).Module())
	s.maths = s.Member(s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.spanish = s.Member(s.alpha, identity.RoleEnseignant, "Paul", "Moreau")
	s.director = s.Member(s.alpha, identity.RoleDirection, "Sophie", "Fournier")
	s.alice = s.Member(s.alpha, identity.RoleEleve, "Alice", "Martin")
	s.bruno = s.Member(s.alpha, identity.RoleEleve, "Bruno", "Bernard")
	s.guardian = s.Member(s.alpha, identity.RoleResponsable, "Gérard", "Martin")
	s.relative = s.Member(s.alpha, identity.RoleResponsable, "Odette", "Martin")
	s.bravoDir = s.Member(s.bravo, identity.RoleDirection, "Jean", "Bravo")
	year := s.Year()
	s.Exec(s.alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('ESP', 'Espagnol') ON CONFLICT DO NOTHING`)
	s.Exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (gen_random_uuid(), 'classe', '2NDE2', '2nde 2', ?)`, s.class, year, year)
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?)`, s.class, s.alice.PersonID, s.class, s.bruno.PersonID)
	s.Exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, false, 2)`,
		s.alice.PersonID, s.guardian.PersonID, s.alice.PersonID, s.relative.PersonID)
	return s
}

// upload posts a CSV file to the import as m.
func (s *site) upload(m directorytest.Member, name, content string) *httptest.ResponseRecorder {
	s.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("fichier", name)
	fw.Write([]byte(content))
	w.Close()
	return s.Do(s.alpha, m, http.MethodPost, "/emploi-du-temps/gestion/import", w.FormDataContentType(), &b)
}

var (
	wantCode  = moduletest.WantCode
	wantIn    = moduletest.WantIn
	wantNotIn = moduletest.WantNotIn
)

func (s *site) goodCSV() string {
	return "classe;matiere;enseignants;salle;jour;debut;fin;semaines;du;au\n" +
		"2NDE1;MATHS;" + s.maths.Login + ";B12;lundi;08:00;09:55;;;\n" +
		"2nde1;ESP;" + s.spanish.Login + ";C3;Mardi;14h;15h;B;;\n" +
		"2NDE1;MATHS;" + s.maths.Login + ";B12;jeudi;10:00;11:00;A;01/10/2026;31/10/2026\n"
}

func TestCSVImport(t *testing.T) {
	s := newSite(t)
	t.Run("every wrong line is named, nothing is written", func(t *testing.T) {
		bad := "classe;matiere;enseignants;salle;jour;debut;fin;semaines;du;au\n" +
			"2NDE1;MATHS;" + s.maths.Login + ";B12;lundi;08:00;09:55;;;\n" + // line 2: good
			"3EME9;MATHS;;;lundi;08:00;09:00;;;\n" + // line 3: unknown class
			"2NDE1;SVT;personne.inconnue;;dimanche;25:00;09:00;C;;\n" + // line 4: four mistakes
			"2NDE1;MATHS;;;lundi;09:00;10:00;;;\n" + // line 5: overlaps line 2
			"2NDE1;ESP;;;mardi;10:00;09:00;;32/13/2026;\n" + // line 6: end before start, bad date
			"2NDE2;MATHS;" + s.maths.Login + ";B14;lundi;09:00;10:00;;;\n" // line 7: the maths teacher is in 2nde 1 then
		rec := s.upload(s.director, "edt.csv", bad)
		wantCode(t, rec, http.StatusUnprocessableEntity, "import of a wrong file")
		wantIn(t, rec, "the refusal", "Le fichier est refusé, rien n'a été importé",
			"edt.csv, ligne 3 : classe ou groupe « 3EME9 » inconnu cette année",
			"edt.csv, ligne 4 : enseignant « personne.inconnue »", "matière « SVT » inconnue", "jour « dimanche » inconnu", "semaines « C »",
			"edt.csv, ligne 5 : le lundi 8h00–9h55, 2nde 1 a déjà Mathématiques (toutes les semaines), ligne 2 du fichier",
			"edt.csv, ligne 6 : la fin (9h00) doit suivre le début (10h00)", "date de début « 32/13/2026 » illisible",
			"edt.csv, ligne 7 : le lundi 8h00–9h55, ", "Lefèvre Claire-", "a déjà Mathématiques en 2nde 1 (toutes les semaines), ligne 2 du fichier")
		wantNotIn(t, rec, "the refusal", "ligne 2 :")
		if n := s.Count(s.alpha, `SELECT count(*) FROM lesson_slots`); n != 0 {
			t.Errorf("%d slots written by a refused import", n)
		}
	})
	t.Run("a missing column, an empty file, a file in UTF-16", func(t *testing.T) {
		rec := s.upload(s.director, "edt.csv", "classe;matiere;jour;debut\n2NDE1;MATHS;lundi;08:00\n")
		wantCode(t, rec, http.StatusUnprocessableEntity, "a missing column")
		wantIn(t, rec, "a missing column", "edt.csv, ligne 1 : colonne « fin » absente")
		rec = s.upload(s.director, "vide.csv", "classe;matiere;jour;debut;fin\n")
		wantCode(t, rec, http.StatusUnprocessableEntity, "no lesson")
		wantIn(t, rec, "no lesson", "vide.csv, ligne 2 : aucun cours")
		rec = s.upload(s.director, "utf16.csv", "\xff\xfec\x00l\x00")
		wantCode(t, rec, http.StatusUnprocessableEntity, "UTF-16")
		wantIn(t, rec, "UTF-16", "utf16.csv est encodé en UTF-16")
		rec = s.Do(s.alpha, s.director, http.MethodPost, "/emploi-du-temps/gestion/import", "application/x-www-form-urlencoded", strings.NewReader(""))
		wantCode(t, rec, http.StatusUnprocessableEntity, "no file")
		wantIn(t, rec, "no file", "Aucun fichier reçu")
	})
	t.Run("an oversized upload is refused before it is read", func(t *testing.T) {
		rec := s.upload(s.director, "gros.csv", strings.Repeat("x", 5<<20))
		wantCode(t, rec, http.StatusRequestEntityTooLarge, "5 Mo upload")
	})
	t.Run("a good file replaces the slots of its classes", func(t *testing.T) {
		for range 2 { // twice: the same file gives the same timetable
			rec := s.upload(s.director, "edt.csv", s.goodCSV())
			wantCode(t, rec, http.StatusOK, "import")
			wantIn(t, rec, "the report", "Import terminé : 3 cours enregistrés pour 1 classes ou groupes")
		}
		if n := s.Count(s.alpha, `SELECT count(*) FROM lesson_slots`); n != 3 {
			t.Errorf("%d slots, want 3", n)
		}
		if n := s.Count(s.alpha, `SELECT count(*) FROM lesson_slot_teachers WHERE teacher_id = ?`, s.maths.PersonID); n != 2 {
			t.Errorf("the maths teacher has %d slots, want 2", n)
		}
	})
	t.Run("only direction imports", func(t *testing.T) {
		for _, m := range []directorytest.Member{s.maths, s.alice, s.guardian} {
			wantCode(t, s.upload(m, "edt.csv", s.goodCSV()), http.StatusForbidden, "import by "+m.Login)
		}
		rec := s.Do(s.alpha, s.bravoDir, http.MethodPost, "/emploi-du-temps/gestion/import", "application/x-www-form-urlencoded", nil)
		wantCode(t, rec, http.StatusForbidden, "import by another lycée's director")
	})
}

var slotLink = regexp.MustCompile(`/emploi-du-temps/gestion/creneaux/([0-9a-f-]{36})"`)

func TestSlotForm(t *testing.T) {
	s := newSite(t)
	form := url.Values{"classe": {s.class.String()}, "matiere": {"MATHS"}, "enseignants": {s.maths.PersonID.String()}, "salle": {"B12"},
		"jour": {"1"}, "debut": {"08:00"}, "fin": {"09:55"}, "semaines": {"all"}}
	rec := s.Post(s.director, "/emploi-du-temps/gestion/creneaux", form)
	wantCode(t, rec, http.StatusSeeOther, "create")
	rec = s.Get(s.director, "/emploi-du-temps/gestion")
	wantCode(t, rec, http.StatusOK, "management page")
	wantIn(t, rec, "management page", "2nde 1", "Mathématiques", "8h00 – 9h55", "B12")
	m := slotLink.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("no link to the slot")
	}
	id := m[1]

	bad := url.Values{"classe": {s.class.String()}, "matiere": {"MATHS"}, "jour": {"1"}, "debut": {"10:00"}, "fin": {"09:00"}}
	rec = s.Post(s.director, "/emploi-du-temps/gestion/creneaux/"+id, bad)
	wantCode(t, rec, http.StatusUnprocessableEntity, "edit with the end before the start")
	wantIn(t, rec, "the refused form", "La fin (9h00) doit suivre le début (10h00)", `value="10:00"`)

	clash := url.Values{"classe": {s.class.String()}, "matiere": {"ESP"}, "jour": {"1"}, "debut": {"09:00"}, "fin": {"10:00"}, "semaines": {"A"}}
	rec = s.Post(s.director, "/emploi-du-temps/gestion/creneaux", clash)
	wantCode(t, rec, http.StatusUnprocessableEntity, "a second lesson of the class at once")
	wantIn(t, rec, "the refused form", "Ce cours ne peut pas avoir lieu : Le lundi 8h00–9h55, 2nde 1 a déjà Mathématiques (toutes les semaines)")

	form.Set("salle", "C7")
	wantCode(t, s.Post(s.director, "/emploi-du-temps/gestion/creneaux/"+id, form), http.StatusSeeOther, "edit")
	if n := s.Count(s.alpha, `SELECT count(*) FROM lesson_slots WHERE room = 'C7'`); n != 1 {
		t.Errorf("room not changed")
	}
	x := url.Values{"date": {"2026-10-05"}, "type": {"remplace"}, "remplacant": {s.spanish.PersonID.String()}}
	wantCode(t, s.Post(s.director, "/emploi-du-temps/gestion/creneaux/"+id+"/exceptions", x), http.StatusSeeOther, "replacement")
	rec = s.Get(s.alice, "/emploi-du-temps")
	wantIn(t, rec, "Alice's week", "Remplacement", "Moreau Paul", "(remplace Lefèvre Claire")

	rec = s.Get(s.director, "/emploi-du-temps/gestion/creneaux/"+id+"/supprimer")
	wantCode(t, rec, http.StatusOK, "confirmation")
	wantIn(t, rec, "confirmation", "Supprimer ce cours ?", "1 modification(s) ponctuelle(s)")
	if n := s.Count(s.alpha, `SELECT count(*) FROM lesson_slots`); n != 1 {
		t.Fatalf("the confirmation page deleted the slot")
	}
	wantCode(t, s.Post(s.maths, "/emploi-du-temps/gestion/creneaux/"+id+"/supprimer", nil), http.StatusForbidden, "a teacher deletes")
	wantCode(t, s.Do(s.bravo, s.bravoDir, http.MethodPost, "/emploi-du-temps/gestion/creneaux/"+id+"/supprimer", "application/x-www-form-urlencoded", nil),
		http.StatusNotFound, "another lycée's director deletes on their own host")
	wantCode(t, s.Post(s.director, "/emploi-du-temps/gestion/creneaux/"+id+"/supprimer", nil), http.StatusSeeOther, "delete")
	if n := s.Count(s.alpha, `SELECT count(*) FROM lesson_slots`) + s.Count(s.alpha, `SELECT count(*) FROM lesson_exceptions`); n != 0 {
		t.Errorf("%d rows left after the deletion", n)
	}
}

func TestWeekViews(t *testing.T) {
	s := newSite(t)
	wantCode(t, s.upload(s.director, "edt.csv", s.goodCSV()), http.StatusOK, "import")
	alice, bruno := s.alice.PersonID.String(), s.bruno.PersonID.String()

	rec := s.Get(s.alice, "/emploi-du-temps")
	wantCode(t, rec, http.StatusOK, "Alice's own week")
	wantIn(t, rec, "Alice's own week", "Semaine du lundi 5 au vendredi 9 octobre 2026 (semaine B)", "lundi 5 octobre (aujourd'hui)",
		"8h00 – 9h55", "Mathématiques", "Salle B12", "Espagnol", "14h00 – 15h00", "Semaine suivante", "?semaine=2026-10-12", "Suivre l'emploi du temps")
	rec = s.Get(s.alice, "/emploi-du-temps?semaine=2026-10-14")
	wantIn(t, rec, "Alice's next week (A)", "semaine A", "jeudi 15 octobre", "10h00 – 11h00")
	wantNotIn(t, rec, "Alice's next week (A)", "Espagnol")
	wantCode(t, s.Get(s.alice, "/emploi-du-temps?semaine=demain"), http.StatusUnprocessableEntity, "an unreadable week")

	cases := []struct {
		who  string
		m    directorytest.Member
		path string
		want int
	}{
		{"a pupil, another pupil's week", s.bruno, "/emploi-du-temps/eleves/" + alice, http.StatusNotFound},
		{"a pupil, a teacher's week", s.alice, "/emploi-du-temps/enseignants/" + s.maths.PersonID.String(), http.StatusNotFound},
		{"a pupil, a class's week", s.alice, "/emploi-du-temps/classes/" + s.class.String(), http.StatusForbidden},
		{"a pupil, a room's week", s.alice, "/emploi-du-temps/salle?nom=B12", http.StatusForbidden},
		{"the legal guardian, the child's week", s.guardian, "/emploi-du-temps/eleves/" + alice, http.StatusOK},
		{"the legal guardian, another pupil's week", s.guardian, "/emploi-du-temps/eleves/" + bruno, http.StatusNotFound},
		{"a relative who is not a legal guardian", s.relative, "/emploi-du-temps/eleves/" + alice, http.StatusNotFound},
		{"a teacher, a pupil's week", s.spanish, "/emploi-du-temps/eleves/" + alice, http.StatusOK},
		{"a teacher, a room's week", s.spanish, "/emploi-du-temps/salle?nom=b12", http.StatusOK},
		{"a teacher, the class's week", s.spanish, "/emploi-du-temps/classes/" + s.class.String(), http.StatusOK},
		{"the director, a teacher's week", s.director, "/emploi-du-temps/enseignants/" + s.maths.PersonID.String(), http.StatusOK},
		{"anonymous", directorytest.Member{}, "/emploi-du-temps/eleves/" + alice, http.StatusSeeOther},
	}
	for _, c := range cases {
		rec := s.Get(c.m, c.path)
		wantCode(t, rec, c.want, c.who)
		if c.want != http.StatusOK {
			wantNotIn(t, rec, c.who, "Mathématiques", "B12")
		}
	}
	rec = s.Get(s.guardian, "/emploi-du-temps")
	wantIn(t, rec, "the guardian's children", "/emploi-du-temps/eleves/"+alice)
	wantNotIn(t, rec, "the guardian's children", bruno)
	rec = s.Get(s.relative, "/emploi-du-temps")
	wantIn(t, rec, "a relative's page", "Aucun enfant dont vous êtes responsable légal")
	rec = s.Get(s.maths, "/emploi-du-temps")
	wantIn(t, rec, "the maths teacher's week", "2nde 1", "8h00 – 9h55", "Autres emplois du temps")
	wantNotIn(t, rec, "the maths teacher's week", "Espagnol")

	t.Run("another establishment sees nothing", func(t *testing.T) {
		for _, path := range []string{"/emploi-du-temps/eleves/" + alice, "/emploi-du-temps/classes/" + s.class.String(), "/emploi-du-temps/salle?nom=B12",
			"/emploi-du-temps/enseignants/" + s.maths.PersonID.String()} {
			rec := s.Do(s.alpha, s.bravoDir, http.MethodGet, path, "", nil)
			wantCode(t, rec, http.StatusForbidden, "Bravo's director on Alpha: "+path)
			rec = s.Do(s.bravo, s.bravoDir, http.MethodGet, path, "", nil)
			if rec.Code == http.StatusOK {
				wantNotIn(t, rec, "Bravo's director on Bravo: "+path, "Mathématiques", "Alice")
			}
		}
		rec := s.Do(s.bravo, s.bravoDir, http.MethodGet, "/emploi-du-temps/eleves/"+alice, "", nil)
		wantCode(t, rec, http.StatusNotFound, "Alice's id on Bravo")
	})

	t.Run("API", func(t *testing.T) {
		rec := s.Do(s.alpha, s.alice, http.MethodGet, "/api/v1/emploi-du-temps?semaine=2026-10-05", "", nil)
		wantCode(t, rec, http.StatusOK, "Alice's week, API")
		var w struct {
			Week, AB string
			Lessons  []struct {
				SlotID, Date, On, Start, End, Status, Room string
				Subject                                    struct{ Code string }
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &w); err != nil {
			t.Fatal(err)
		}
		if w.Week != "2026-10-05" || w.AB != "B" || len(w.Lessons) != 2 || w.Lessons[0].Start != "08:00" || w.Lessons[0].Subject.Code != "MATHS" {
			t.Errorf("Alice's week = %s", rec.Body.String())
		}
		wantCode(t, s.Do(s.alpha, s.guardian, http.MethodGet, "/api/v1/emploi-du-temps/eleves/"+alice, "", nil), http.StatusOK, "the guardian, API")
		wantCode(t, s.Do(s.alpha, s.relative, http.MethodGet, "/api/v1/emploi-du-temps/eleves/"+alice, "", nil), http.StatusNotFound, "the relative, API")
		wantCode(t, s.Do(s.alpha, s.bruno, http.MethodGet, "/api/v1/emploi-du-temps/eleves/"+alice, "", nil), http.StatusNotFound, "Bruno, API")
		wantCode(t, s.Do(s.alpha, s.guardian, http.MethodGet, "/api/v1/emploi-du-temps", "", nil), http.StatusNotFound, "a parent's own week, API")
		wantCode(t, s.Do(s.alpha, s.bravoDir, http.MethodGet, "/api/v1/emploi-du-temps/eleves/"+alice, "", nil), http.StatusForbidden, "Bravo's director, API")
		wantCode(t, s.Do(s.alpha, directorytest.Member{}, http.MethodGet, "/api/v1/emploi-du-temps", "", nil), http.StatusUnauthorized, "anonymous, API")
	})
}

var feedURL = regexp.MustCompile(`value="http://[^"]+(/ical/[A-Za-z0-9_-]{43}/emploi-du-temps\.ics)"`)

// subscribe makes m a feed address through the page and returns its path.
func (s *site) subscribe(m directorytest.Member) string {
	s.t.Helper()
	rec := s.Post(m, "/emploi-du-temps/abonnement", nil)
	wantCode(s.t, rec, http.StatusOK, "subscribe")
	got := feedURL.FindStringSubmatch(rec.Body.String())
	if got == nil {
		s.t.Fatalf("no subscribe address in the page: %s", rec.Body.String())
	}
	return got[1]
}

func TestCalendarFeed(t *testing.T) {
	s := newSite(t)
	wantCode(t, s.upload(s.director, "edt.csv", s.goodCSV()), http.StatusOK, "import")
	monday := "2026-10-05"
	x := url.Values{"date": {monday}, "type": {"annule"}, "remarque": {"Sortie au musée"}}
	var slot string
	if err := s.Reg.DB().ReadTx(s.t.Context(), s.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id::text FROM lesson_slots WHERE weekday = 1`).Scan(&slot).Error
	}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.Post(s.director, "/emploi-du-temps/gestion/creneaux/"+slot+"/exceptions", x), http.StatusSeeOther, "cancel Monday's maths")

	path := s.subscribe(s.alice)
	anonymous := directorytest.Member{}
	rec := s.Do(s.alpha, anonymous, http.MethodGet, path, "", nil)
	wantCode(t, rec, http.StatusOK, "Alice's feed, without a session")
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type %q", ct)
	}
	body := rec.Body.String()
	for _, want := range []string{"BEGIN:VCALENDAR", "BEGIN:VEVENT", "SUMMARY:Mathématiques – 2nde 1 (annulé)", "STATUS:CANCELLED",
		"DTSTART:20261005T060000Z", "LOCATION:Salle B12", "SUMMARY:Espagnol – 2nde 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM timetable_feeds WHERE secret_hash = convert_to(?, 'UTF8')`, strings.Split(path, "/")[2]); n != 0 {
		t.Errorf("the secret is stored in clear")
	}
	t.Run("another establishment's host does not know the address", func(t *testing.T) {
		wantCode(t, s.Do(s.bravo, anonymous, http.MethodGet, path, "", nil), http.StatusNotFound, "Alice's feed on Bravo")
		wantCode(t, s.Do(s.bravo, s.bravoDir, http.MethodGet, path, "", nil), http.StatusNotFound, "Alice's feed on Bravo, signed in")
	})
	t.Run("a parent's feed has their legal children's lessons", func(t *testing.T) {
		p := s.subscribe(s.guardian)
		rec := s.Do(s.alpha, anonymous, http.MethodGet, p, "", nil)
		wantCode(t, rec, http.StatusOK, "the guardian's feed")
		if !strings.Contains(rec.Body.String(), "Mathématiques – 2nde 1") || !strings.Contains(rec.Body.String(), "SUMMARY:Alice-") {
			t.Errorf("the guardian's feed lacks Alice's lessons: %s", rec.Body.String())
		}
		r := s.Do(s.alpha, anonymous, http.MethodGet, s.subscribe(s.relative), "", nil)
		wantCode(t, r, http.StatusOK, "the relative's feed")
		if strings.Contains(r.Body.String(), "BEGIN:VEVENT") {
			t.Errorf("a relative who is not a legal guardian gets lessons: %s", r.Body.String())
		}
	})
	t.Run("regenerated, then revoked", func(t *testing.T) {
		second := s.subscribe(s.alice)
		wantCode(t, s.Do(s.alpha, anonymous, http.MethodGet, path, "", nil), http.StatusNotFound, "the replaced address")
		wantCode(t, s.Do(s.alpha, anonymous, http.MethodGet, second, "", nil), http.StatusOK, "the new address")
		rec := s.Get(s.alice, "/emploi-du-temps")
		wantIn(t, rec, "Alice's page", "Une adresse d'abonnement est active depuis le lundi 5 octobre 2026")
		wantNotIn(t, rec, "Alice's page (the address is shown once)", second)
		wantCode(t, s.Post(s.alice, "/emploi-du-temps/abonnement/revoquer", nil), http.StatusSeeOther, "revoke")
		wantCode(t, s.Do(s.alpha, anonymous, http.MethodGet, second, "", nil), http.StatusNotFound, "the revoked address")

		third := s.subscribe(s.alice) // then lost: direction revokes it from her week
		revoke := "/emploi-du-temps/personnes/" + s.alice.PersonID.String() + "/abonnement/revoquer"
		rec = s.Get(s.director, "/emploi-du-temps/eleves/"+s.alice.PersonID.String())
		wantIn(t, rec, "Alice's week seen by the director", revoke, "Révoquer son adresse d'abonnement")
		wantNotIn(t, rec, "Alice's week seen by the director", third)
		wantCode(t, s.Post(s.maths, revoke, nil), http.StatusForbidden, "a teacher revokes a pupil's address")
		wantCode(t, s.Do(s.alpha, anonymous, http.MethodGet, third, "", nil), http.StatusOK, "the address after the teacher's try")
		rec = s.Post(s.director, revoke, url.Values{"retour": {"/emploi-du-temps/eleves/" + s.alice.PersonID.String()}})
		wantCode(t, rec, http.StatusSeeOther, "the director revokes")
		if loc := rec.Header().Get("Location"); loc != "/emploi-du-temps/eleves/"+s.alice.PersonID.String()+"?ok=revoque" {
			t.Errorf("back to %q", loc)
		}
		wantCode(t, s.Do(s.alpha, anonymous, http.MethodGet, third, "", nil), http.StatusNotFound, "the address revoked by the director")
		rec = s.Post(s.director, revoke, url.Values{"retour": {"//evil.example/"}})
		if loc := rec.Header().Get("Location"); loc != "/emploi-du-temps/consulter?ok=revoque" {
			t.Errorf("an outside return address was followed: %q", loc)
		}
		wantCode(t, s.Do(s.alpha, anonymous, http.MethodGet, "/ical/"+strings.Repeat("A", 43)+"/emploi-du-temps.ics", "", nil), http.StatusNotFound, "a guessed address")
	})
}
