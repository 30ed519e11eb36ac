package news_test

// The test site: two lycées behind one router with real PostgreSQL and real Kratos sessions.

import (
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/news"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
)

// site is Alpha with 2nde 1 (Alice, taught by the maths teacher, her legal guardian Gérard),
// 2nde 2 (Zoé, her guardian Zacharie), the group LATIN (Alice), a CPE and the direction;
// Bravo with its direction.
type site struct {
	*moduletest.Site
	t                       testing.TB
	clock                   *testenv.Clock
	bucket                  *blob.Bucket
	svc                     *news.Service
	alpha, bravo            *tenant.Tenant
	class1, class2, latin   uuid.UUID
	teacher, cpe, direction directorytest.Member
	alice, zoe              directorytest.Member
	guardian, guardianZoe   directorytest.Member
	bravoDirection, staffer directorytest.Member
}

func newSite(t testing.TB) *site {
	t.Helper()
	s := &site{Site: moduletest.New(t, moduletest.Options{Templates: []fs.FS{news.Templates}}), t: t, class1: uuid.New(), class2: uuid.New(), latin: uuid.New()}
	s.clock = s.Clock
	s.alpha = s.Establishment(81, "Lycée Alpha")
	s.bravo = s.Establishment(82, "Lycée Bravo")
	s.bucket = memblob.OpenBucket(nil)
	s.svc = news.NewService(s.Reg.DB(), s.bucket, s.Clock.Now)
	mod := news.NewHandler(s.svc).Module()
	s.Mount(mod)
	s.Srv.SetHomePanels(func(c echo.Context) ([]template.HTML, error) {
		h, err := mod.HomePanel(c)
		return []template.HTML{h}, err
	})
	s.teacher = s.Member(s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.cpe = s.Member(s.alpha, identity.RoleVieScolaire, "Inès", "Durand")
	s.direction = s.Member(s.alpha, identity.RoleDirection, "Marc", "Proviseur")
	s.staffer = s.Member(s.alpha, identity.RolePersonnel, "Sam", "Agent")
	s.alice = s.Member(s.alpha, identity.RoleEleve, "Alice", "Martin")
	s.zoe = s.Member(s.alpha, identity.RoleEleve, "Zoé", "Petit")
	s.guardian = s.Member(s.alpha, identity.RoleResponsable, "Gérard", "Martin")
	s.guardianZoe = s.Member(s.alpha, identity.RoleResponsable, "Zacharie", "Petit")
	s.bravoDirection = s.Member(s.bravo, identity.RoleDirection, "Jean", "Bravo")
	year := s.Year()
	s.Exec(s.alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques') ON CONFLICT DO NOTHING`)
	s.Exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (?, 'classe', '2NDE2', '2nde 2', ?), (?, 'groupe', 'LATIN', 'Latin', ?)`,
		s.class1, year, s.class2, year, s.latin, year)
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?)`,
		s.class1, s.alice.PersonID, s.class2, s.zoe.PersonID, s.latin, s.alice.PersonID)
	s.Exec(s.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS')`, s.teacher.PersonID, s.class1)
	s.Exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, true, 1)`,
		s.alice.PersonID, s.guardian.PersonID, s.zoe.PersonID, s.guardianZoe.PersonID)
	return s
}

var savedID = regexp.MustCompile(`#a-([0-9a-f-]{36})$`)

// write posts the form as m and returns the post's id (the redirect's anchor).
func (s *site) write(m directorytest.Member, path string, form url.Values) uuid.UUID {
	s.t.Helper()
	rec := s.Post(m, path, form)
	wantCode(s.t, rec, http.StatusSeeOther, "save "+form.Get("titre"))
	found := savedID.FindStringSubmatch(rec.Header().Get("Location"))
	if found == nil {
		s.t.Fatalf("no post id in %q", rec.Header().Get("Location"))
	}
	return uuid.MustParse(found[1])
}

func postForm(title, body, audience, class, action string) url.Values {
	return url.Values{"titre": {title}, "texte": {body}, "destinataires": {audience}, "classe": {class}, "action": {action}}
}

var (
	wantCode  = moduletest.WantCode
	wantIn    = moduletest.WantIn
	wantNotIn = moduletest.WantNotIn
)
