package portfolio_test

// The test site: two lycées behind one router with real PostgreSQL and real Kratos sessions.

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/tenant"
)

// site is Alpha in 2026-2027 (2025-2026 closed) with 2nde 1 (Alice, a minor, and Adam, of
// age) and 2nde 2 (Zoé); Claire teaches maths to 2nde 1, Paul to 2nde 2; Gérard is Alice's
// legal guardian, Hugo Adam's; a CPE and the direction. Bravo has its direction, a teacher
// and a pupil. The clock is Monday 5 October 2026, 10:00.
type site struct {
	*moduletest.Site
	t                            testing.TB
	svc                          *portfolio.Service
	bucket                       *blob.Bucket
	alpha, bravo                 *tenant.Tenant
	class1, class2               uuid.UUID
	claire, paul, cpe, direction directorytest.Member
	alice, adam, zoe             directorytest.Member
	gerard, hugo                 directorytest.Member
	bravoDirection, bravoTeacher directorytest.Member
	bravoPupil                   directorytest.Member
}

const lastYear = "2025-2026"

func newSite(t testing.TB) *site {
	t.Helper()
	s := &site{Site: moduletest.New(t, moduletest.Options{Templates: []fs.FS{portfolio.Templates}}), t: t, class1: uuid.New(), class2: uuid.New()}
	s.alpha = s.Establishment(91, "Lycée Alpha")
	s.bravo = s.Establishment(92, "Lycée Bravo")
	s.svc = portfolio.NewService(s.Reg.DB(), s.Clock.Now)
	s.bucket = memblob.OpenBucket(nil)
	s.svc.SetBucket(s.bucket)
	space, err := files.NewSpace(s.Reg.DB(), s.Clock.Now, portfolio.FileTable)
	if err != nil {
		t.Fatal(err)
	}
	s.svc.SetSpace(space)
	s.Mount(portfolio.NewHandler(s.svc).Module())
	s.claire = s.Member(s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.paul = s.Member(s.alpha, identity.RoleEnseignant, "Paul", "Moreau")
	s.cpe = s.Member(s.alpha, identity.RoleVieScolaire, "Inès", "Durand")
	s.direction = s.Member(s.alpha, identity.RoleDirection, "Marc", "Proviseur")
	s.alice = s.Member(s.alpha, identity.RoleEleve, "Alice", "Martin")
	s.adam = s.Member(s.alpha, identity.RoleEleve, "Adam", "Roux")
	s.zoe = s.Member(s.alpha, identity.RoleEleve, "Zoé", "Petit")
	s.gerard = s.Member(s.alpha, identity.RoleResponsable, "Gérard", "Martin")
	s.hugo = s.Member(s.alpha, identity.RoleResponsable, "Hugo", "Roux")
	s.bravoDirection = s.Member(s.bravo, identity.RoleDirection, "Jean", "Bravo")
	s.bravoTeacher = s.Member(s.bravo, identity.RoleEnseignant, "Rémi", "Bravo")
	s.bravoPupil = s.Member(s.bravo, identity.RoleEleve, "Léa", "Bravo")
	year := s.Year()
	s.Exec(s.alpha, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, '2025-09-01', '2026-07-04', false)`, lastYear)
	s.Exec(s.alpha, `UPDATE people SET birth_date = '2010-05-01' WHERE id = ?`, s.alice.PersonID)
	s.Exec(s.alpha, `UPDATE people SET birth_date = '2008-01-01' WHERE id = ?`, s.adam.PersonID)
	s.Exec(s.alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('FRAN', 'Français') ON CONFLICT DO NOTHING`)
	s.Exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (?, 'classe', '2NDE2', '2nde 2', ?)`,
		s.class1, year, s.class2, year)
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?)`,
		s.class1, s.alice.PersonID, s.class1, s.adam.PersonID, s.class2, s.zoe.PersonID)
	s.Exec(s.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS'), (?, ?, 'MATHS')`,
		s.claire.PersonID, s.class1, s.paul.PersonID, s.class2)
	s.Exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, true, 1)`,
		s.alice.PersonID, s.gerard.PersonID, s.adam.PersonID, s.hugo.PersonID)
	return s
}

// record writes an entry into tn's portfolios as a module would.
func (s *site) record(tn *tenant.Tenant, e portfolio.Entry) uuid.UUID {
	s.t.Helper()
	var id uuid.UUID
	if err := s.Reg.DB().Tx(s.t.Context(), tn, func(tx *gorm.DB) (err error) { id, err = s.svc.Record(tx, e); return err }); err != nil {
		s.t.Fatalf("record %q: %v", e.Title, err)
	}
	return id
}

var pdf = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// upload sends the document form as m (fields titre and matiere, file fichier) to path.
func (s *site) upload(m directorytest.Member, path, title, subject, name string, data []byte) *httptest.ResponseRecorder {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("titre", title)
	w.WriteField("matiere", subject)
	if name != "" {
		fw, _ := w.CreateFormFile("fichier", name)
		fw.Write(data)
	}
	w.Close()
	return s.Do(s.alpha, m, http.MethodPost, path, w.FormDataContentType(), &body)
}

var (
	fileLink   = regexp.MustCompile(`/portfolio/fichiers/([0-9a-f-]{36})"`)
	deleteLink = regexp.MustCompile(`/portfolio/documents/([0-9a-f-]{36})/supprimer"`)
)

// links are the ids of re's matches in rec's body.
func links(re *regexp.Regexp, rec *httptest.ResponseRecorder) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(rec.Body.String(), -1) {
		out = append(out, m[1])
	}
	return out
}

var wantCode, wantIn = moduletest.WantCode, moduletest.WantIn

type httptestRecorder = httptest.ResponseRecorder

var newMultipart = multipart.NewWriter
