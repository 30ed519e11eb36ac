package courses_test

// The test site: two lycées behind one router with real PostgreSQL and real Kratos sessions.

import (
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/tenant"
)

// site is Alpha with 2nde 1 (Alice; her legal guardian Gérard), 2nde 2 (Zoé), the group
// LATIN (Alice), two teachers (Claire, the author; Paul, a colleague), a CPE and the
// direction; Bravo with its direction and a teacher. Courses count in the establishments' file
// space (files.Space), whose « Espace de stockage » page is mounted too.
type site struct {
	*moduletest.Site
	t                      testing.TB
	bucket                 *blob.Bucket
	svc                    *courses.Service
	space                  *files.Space
	alpha, bravo           *tenant.Tenant
	class1, class2, latin  uuid.UUID
	teacher, colleague     directorytest.Member
	cpe, direction         directorytest.Member
	alice, zoe, guardian   directorytest.Member
	bravoDirection, bravoT directorytest.Member
}

func newSite(t testing.TB) *site { t.Helper(); return newSiteWith(t) }

// newSiteWith is newSite with other modules' pages too (extra: their templates).
func newSiteWith(t testing.TB, extra ...fs.FS) *site {
	t.Helper()
	s := &site{Site: moduletest.New(t, moduletest.Options{Templates: append([]fs.FS{courses.Templates, files.Templates}, extra...), LogWarnings: true}), t: t, class1: uuid.New(), class2: uuid.New(), latin: uuid.New()}
	s.alpha = s.Establishment(91, "Lycée Alpha")
	s.bravo = s.Establishment(92, "Lycée Bravo")
	s.bucket = memblob.OpenBucket(nil)
	s.svc = courses.NewService(s.Reg.DB(), s.bucket, s.Clock.Now)
	space, err := files.NewSpace(s.Reg.DB(), s.Clock.Now, courses.FileTable)
	if err != nil {
		t.Fatal(err)
	}
	s.space = space
	s.svc.SetSpace(space)
	s.Mount(courses.NewHandler(s.svc).Module())
	s.Mount(files.NewHandler(space).Module())
	s.teacher = s.Member(s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.colleague = s.Member(s.alpha, identity.RoleEnseignant, "Paul", "Collègue")
	s.cpe = s.Member(s.alpha, identity.RoleVieScolaire, "Inès", "Durand")
	s.direction = s.Member(s.alpha, identity.RoleDirection, "Marc", "Proviseur")
	s.alice = s.Member(s.alpha, identity.RoleEleve, "Alice", "Martin")
	s.zoe = s.Member(s.alpha, identity.RoleEleve, "Zoé", "Petit")
	s.guardian = s.Member(s.alpha, identity.RoleResponsable, "Gérard", "Martin")
	s.bravoDirection = s.Member(s.bravo, identity.RoleDirection, "Jean", "Bravo")
	s.bravoT = s.Member(s.bravo, identity.RoleEnseignant, "Jeanne", "Bravo")
	year := s.Year()
	s.Exec(s.alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques') ON CONFLICT DO NOTHING`)
	s.Exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (?, 'classe', '2NDE2', '2nde 2', ?), (?, 'groupe', 'LATIN', 'Latin', ?)`,
		s.class1, year, s.class2, year, s.latin, year)
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?)`,
		s.class1, s.alice.PersonID, s.class2, s.zoe.PersonID, s.latin, s.alice.PersonID)
	s.Exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1)`, s.alice.PersonID, s.guardian.PersonID)
	return s
}

var planID = regexp.MustCompile(`^/cours/([0-9a-f-]{36})/plan`)

// create posts the new course form as m and returns the course's id.
func (s *site) create(m directorytest.Member, title string, classes ...uuid.UUID) uuid.UUID {
	s.t.Helper()
	form := url.Values{"titre": {title}, "description": {"Présentation"}, "matiere": {"MATHS"}}
	for _, c := range classes {
		form.Add("classes", c.String())
	}
	rec := s.Post(m, "/cours/nouveau", form)
	wantCode(s.t, rec, http.StatusSeeOther, "create "+title)
	return s.planned(rec.Header().Get("Location"))
}

func (s *site) planned(loc string) uuid.UUID {
	s.t.Helper()
	found := planID.FindStringSubmatch(loc)
	if found == nil {
		s.t.Fatalf("no course id in %q", loc)
	}
	return uuid.MustParse(found[1])
}

// one reads a uuid in Alpha or fails.
func (s *site) one(q string, args ...any) uuid.UUID {
	s.t.Helper()
	var ids []uuid.UUID
	if err := s.Reg.DB().ReadTx(s.t.Context(), s.alpha, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&ids).Error }); err != nil || len(ids) == 0 {
		s.t.Fatalf("%s: %v (%d rows)", q, err, len(ids))
	}
	return ids[0]
}

var (
	wantCode  = moduletest.WantCode
	wantIn    = moduletest.WantIn
	wantNotIn = moduletest.WantNotIn
)
