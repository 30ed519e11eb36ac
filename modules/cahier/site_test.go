package cahier_test

// The test site: two lycées behind one router with real PostgreSQL and real Kratos sessions.

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gocloud.dev/blob/memblob"

	"github.com/cartable-ent/cartable/modules/cahier"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
)

// site is Alpha with 2nde 1 (Alice and Bruno), 2nde 2 (Zoé), the groups Latin and Anglais
// (both Alice); Claire teaches maths to 2nde 1 (Monday 8:00, Thursday 10:00) and 2nde 2
// (Monday 9:00) and Latin (Tuesday 14:00); Paul teaches Anglais (Wednesday 8:00); Gérard is
// Alice's legal guardian, Zacharie Zoé's; a CPE, the direction and a member of staff. Bravo
// has its direction and a pupil. The clock is Monday 5 October 2026, 10:00.
type site struct {
	*moduletest.Site
	t                                   testing.TB
	svc                                 *cahier.Service
	alpha, bravo                        *tenant.Tenant
	class1, class2, latin, english      uuid.UUID
	monday1, monday2, thursday1, latin1 uuid.UUID // slots
	wednesdayEN                         uuid.UUID
	teacher, paul, cpe, direction       directorytest.Member
	staffer                             directorytest.Member
	alice, bruno, zoe                   directorytest.Member
	guardian, guardianZoe               directorytest.Member
	bravoDirection, bravoPupil          directorytest.Member
}

func newSite(t testing.TB) *site {
	t.Helper()
	s := &site{Site: moduletest.New(t, moduletest.Options{Templates: []fs.FS{cahier.Templates}}), t: t,
		class1: uuid.New(), class2: uuid.New(), latin: uuid.New(), english: uuid.New()}
	s.alpha = s.Establishment(91, "Lycée Alpha")
	s.bravo = s.Establishment(92, "Lycée Bravo")
	s.svc = cahier.NewService(s.Reg.DB(), timetable.NewService(s.Reg.DB(), s.Clock.Now), s.Clock.Now)
	s.svc.SetBucket(memblob.OpenBucket(nil))
	s.Mount(cahier.NewHandler(s.svc).Module())
	s.teacher = s.Member(s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.paul = s.Member(s.alpha, identity.RoleEnseignant, "Paul", "Moreau")
	s.cpe = s.Member(s.alpha, identity.RoleVieScolaire, "Inès", "Durand")
	s.direction = s.Member(s.alpha, identity.RoleDirection, "Marc", "Proviseur")
	s.staffer = s.Member(s.alpha, identity.RolePersonnel, "Sam", "Agent")
	s.alice = s.Member(s.alpha, identity.RoleEleve, "Alice", "Martin")
	s.bruno = s.Member(s.alpha, identity.RoleEleve, "Bruno", "Bernard")
	s.zoe = s.Member(s.alpha, identity.RoleEleve, "Zoé", "Petit")
	s.guardian = s.Member(s.alpha, identity.RoleResponsable, "Gérard", "Martin")
	s.guardianZoe = s.Member(s.alpha, identity.RoleResponsable, "Zacharie", "Petit")
	s.bravoDirection = s.Member(s.bravo, identity.RoleDirection, "Jean", "Bravo")
	s.bravoPupil = s.Member(s.bravo, identity.RoleEleve, "Léa", "Bravo")
	year := s.Year()
	s.Exec(s.alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('LATIN', 'Latin'), ('ANG', 'Anglais') ON CONFLICT DO NOTHING`)
	s.Exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (?, 'classe', '2NDE2', '2nde 2', ?),
		(?, 'groupe', 'LATIN', 'Latin', ?), (?, 'groupe', 'ANG1', 'Anglais 1', ?)`, s.class1, year, s.class2, year, s.latin, year, s.english, year)
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?), (?, ?), (?, ?)`,
		s.class1, s.alice.PersonID, s.class1, s.bruno.PersonID, s.class2, s.zoe.PersonID, s.latin, s.alice.PersonID, s.english, s.alice.PersonID)
	s.Exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, true, 1)`,
		s.alice.PersonID, s.guardian.PersonID, s.zoe.PersonID, s.guardianZoe.PersonID)
	s.monday1 = s.slot(s.class1, "MATHS", 1, "08:00", "09:00", s.teacher)
	s.thursday1 = s.slot(s.class1, "MATHS", 4, "10:00", "11:00", s.teacher)
	s.monday2 = s.slot(s.class2, "MATHS", 1, "09:00", "10:00", s.teacher)
	s.latin1 = s.slot(s.latin, "LATIN", 2, "14:00", "15:00", s.teacher)
	s.wednesdayEN = s.slot(s.english, "ANG", 3, "08:00", "09:00", s.paul)
	return s
}

// slot adds a weekly lesson for the whole school year.
func (s *site) slot(class uuid.UUID, subject string, weekday int, starts, ends string, teacher directorytest.Member) uuid.UUID {
	id := uuid.New()
	s.Exec(s.alpha, `INSERT INTO lesson_slots (id, class_id, subject_code, weekday, starts_at, ends_at, valid_from, valid_until)
		SELECT ?, ?, ?, ?, ?, ?, starts_on, ends_on FROM school_years WHERE current`, id, class, subject, weekday, starts, ends)
	s.Exec(s.alpha, `INSERT INTO lesson_slot_teachers (slot_id, teacher_id) VALUES (?, ?)`, id, teacher.PersonID)
	return id
}

var savedID = regexp.MustCompile(`/cahier/(?:seances|travail)/([0-9a-f-]{36})`)

// save posts a form as m and returns the saved séance's or work's id (the redirect's).
func (s *site) save(m directorytest.Member, path string, form url.Values) uuid.UUID {
	s.t.Helper()
	rec := s.Post(m, path, form)
	wantCode(s.t, rec, http.StatusSeeOther, "save "+path)
	found := savedID.FindStringSubmatch(rec.Header().Get("Location"))
	if found == nil {
		s.t.Fatalf("no id in %q", rec.Header().Get("Location"))
	}
	return uuid.MustParse(found[1])
}

// lessonSession fills the séance of a slot's lesson on date (aaaa-mm-jj).
func (s *site) lessonSession(m directorytest.Member, slot uuid.UUID, date, title, action string) uuid.UUID {
	s.t.Helper()
	return s.save(m, "/cahier/seances/nouvelle", url.Values{"creneau": {slot.String()}, "date": {date}, "titre": {title},
		"contenu": {"Cours : " + title}, "action": {action}})
}

// work sets standalone work for class and subject, due on date.
func (s *site) work(m directorytest.Member, class uuid.UUID, subject, date, minutes, description string, extra url.Values) uuid.UUID {
	s.t.Helper()
	f := url.Values{"classe": {class.String() + "|" + subject}, "type": {"Exercices"}, "consigne": {description}, "pour": {"date"},
		"echeance": {date}, "duree": {minutes}, "action": {"enregistrer"}}
	for k, v := range extra {
		f[k] = v
	}
	return s.save(m, "/cahier/travail/nouveau", f)
}

// getJSON serves an API GET as m on the home establishment and decodes its body.
func (s *site) getJSON(m directorytest.Member, path string, want int, out any) {
	s.t.Helper()
	rec := s.Get(m, path)
	wantCode(s.t, rec, want, "GET "+path)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			s.t.Fatalf("GET %s: %v", path, err)
		}
	}
}

// sendJSON serves an API request with a JSON body as m.
func (s *site) sendJSON(m directorytest.Member, method, path, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.Do(s.alpha, m, method, path, "application/json", strings.NewReader(body))
}

var (
	wantCode  = moduletest.WantCode
	wantIn    = moduletest.WantIn
	wantNotIn = moduletest.WantNotIn
)
