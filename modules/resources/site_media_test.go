package resources_test

// The médiacentre's and the catalogue's test site: two lycées behind the real router
// (establishments' and administration hosts), real PostgreSQL and Kratos sessions, the
// catalogue and the subscriptions written by direct INSERTs (the schema is the contract).

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/tenant"
)

// mediaSite is Alpha with 2nde A (Alice) and 2nde B (Bob), Claire teaching 2nde A, a
// parent, the direction; Bravo with a pupil; the région's and Gironde's administrators.
type mediaSite struct {
	*moduletest.Site
	svc             *resources.Service
	alpha, bravo    *tenant.Tenant
	classA, classB  uuid.UUID
	alice, bob      directorytest.Member
	claire, paul    directorytest.Member
	parent, head    directorytest.Member
	bravoPupil      directorytest.Member
	region, gironde directorytest.Member
}

func newMediaSite(t testing.TB) *mediaSite {
	return newMediaSiteWith(t, moduletest.Options{LogWarnings: true})
}

func newMediaSiteWith(t testing.TB, o moduletest.Options) *mediaSite {
	t.Helper()
	o.Templates = append(o.Templates, resources.Templates)
	s := moduletest.New(t, o)
	m := &mediaSite{Site: s, classA: uuid.New(), classB: uuid.New()}
	m.svc = resources.NewService(s.Reg.DB(), resources.NewCatalogue(s.Reg.Platform()), s.Clock.Now).
		WithLTI(resources.LTIConfig{Issuer: s.Srv.PortalURL(), SecretKey: make([]byte, 32)})
	s.Srv.Admin().Use(s.Auth.Platform)
	if err := s.Auth.MountModule(identity.Hosts{Portal: s.Srv.Portal(), Admin: s.Srv.Admin(), Tenant: s.Srv.Tenants(),
		AdminAPI: s.Srv.AdminAPI().Group("", s.Auth.AdminAPI)}, resources.NewHandler(m.svc).Module()); err != nil {
		t.Fatal(err)
	}
	m.alpha = s.Establishment(401, "Lycée Alpha")
	m.bravo = s.Establishment(402, "Lycée Bravo")
	for _, tn := range []*tenant.Tenant{m.alpha, m.bravo} {
		s.Exec(tn, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques') ON CONFLICT DO NOTHING`)
	}
	s.Exec(m.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2A', '2nde A', ?), (?, 'classe', '2B', '2nde B', ?)`,
		m.classA, s.Year(), m.classB, s.Year())
	m.alice = s.Member(m.alpha, identity.RoleEleve, "Alice", "Martin")
	m.bob = s.Member(m.alpha, identity.RoleEleve, "Bob", "Durand")
	m.claire = s.Member(m.alpha, identity.RoleEnseignant, "Claire", "Petit")
	m.paul = s.Member(m.alpha, identity.RoleEnseignant, "Paul", "Roux")
	m.parent = s.Member(m.alpha, identity.RoleResponsable, "Marc", "Martin")
	m.head = s.Member(m.alpha, identity.RoleDirection, "Hélène", "Proviseure")
	m.bravoPupil = s.Member(m.bravo, identity.RoleEleve, "Zoé", "Bravo")
	s.Exec(m.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?)`, m.classA, m.alice.PersonID, m.classB, m.bob.PersonID)
	s.Exec(m.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS')`, m.claire.PersonID, m.classA)
	m.region = s.Env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	m.gironde = s.Env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	return m
}

// publisher adds a publisher and one tool of kind (lti or lien); it returns the tool's id
// and the publisher's.
func (m *mediaSite) tool(name, kind string) (tool, pub uuid.UUID) {
	m.T.Helper()
	tool, pub = uuid.New(), uuid.New()
	db := m.Reg.Platform()
	if err := db.Exec(`INSERT INTO platform.resource_publishers (id, name) VALUES (?, ?)`, pub, name).Error; err != nil {
		m.T.Fatal(err)
	}
	var err error
	if kind == resources.ToolLTI {
		err = db.Exec(`INSERT INTO platform.resource_tools (id, publisher_id, name, kind, client_id, login_url, launch_url, jwks_url, deployment_ids, pseudonym_salt)
			VALUES (?, ?, ?, 'lti', ?, 'https://tool.example/login', 'https://tool.example/launch', 'https://tool.example/jwks', '{d1}', ?)`,
			tool, pub, name+" outil", "client-"+tool.String(), bytes.Repeat([]byte{7}, 32)).Error
	} else {
		err = db.Exec(`INSERT INTO platform.resource_tools (id, publisher_id, name, kind, pseudonym_salt) VALUES (?, ?, ?, 'lien', ?)`,
			tool, pub, name+" site", bytes.Repeat([]byte{8}, 32)).Error
	}
	if err != nil {
		m.T.Fatal(err)
	}
	return tool, pub
}

// resource adds a resource of tool to the catalogue, with a PNG cover when cover is set.
func (m *mediaSite) resource(tool, pub uuid.UUID, title, typ string, subjects []string, cover bool) uuid.UUID {
	m.T.Helper()
	id := uuid.New()
	var img any
	ct := ""
	if cover {
		img, ct = pngOf(20, 30), "image/png"
	}
	if err := m.Reg.Platform().Exec(`INSERT INTO platform.resources (id, publisher_id, tool_id, title, type, subjects, target_url, cover, cover_type)
		VALUES (?, ?, ?, ?, ?, ?, 'https://res.example/', ?, ?)`, id, pub, tool, title, typ, resources.Strings(subjects), img, ct).Error; err != nil {
		m.T.Fatal(err)
	}
	m.svc.Catalogue().Invalidate()
	return id
}

// subscribe subscribes tn to resource from the start to the end of the school year:
// kind etablissement for target, or personne (unlimited licences).
func (m *mediaSite) subscribe(tn *tenant.Tenant, resource, tool uuid.UUID, kind, target string) uuid.UUID {
	m.T.Helper()
	id := uuid.New()
	m.Exec(tn, `INSERT INTO resource_subscriptions (id, resource_id, tool_id, starts_on, ends_on, kind, target, licence_mode, created_at)
		VALUES (?, ?, ?, '2026-09-01', '2027-07-04', ?, ?, 'illimite', now())`, id, resource, tool, kind, target)
	return id
}

// assignClass assigns a per-person subscription to a class and gives its pupils licences.
func (m *mediaSite) assignClass(tn *tenant.Tenant, sub, class uuid.UUID, pupils ...directorytest.Member) {
	m.T.Helper()
	a := uuid.New()
	m.Exec(tn, `INSERT INTO resource_assignments (id, subscription_id, target_kind, class_id, created_at) VALUES (?, ?, 'classe', ?, now())`, a, sub, class)
	for _, p := range pupils {
		m.Exec(tn, `INSERT INTO resource_licences (subscription_id, person_id, assignment_id, profile, assigned_at) VALUES (?, ?, ?, 'eleve', now())`, sub, p.PersonID, a)
	}
}

func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{200, 0, 0, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// admin serves a request on the administration host as m (a session token).
func (m *mediaSite) admin(who directorytest.Member, method, path, contentType string, body io.Reader) *httptest.ResponseRecorder {
	m.T.Helper()
	if body == nil {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, body)
	req.Host = "admin." + moduletest.BaseDomain
	if who.Token != "" {
		req.Header.Set("X-Session-Token", who.Token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	m.Srv.ServeHTTP(rec, req)
	return rec
}

func (m *mediaSite) adminGet(who directorytest.Member, path string) *httptest.ResponseRecorder {
	m.T.Helper()
	return m.admin(who, http.MethodGet, path, "", nil)
}

func (m *mediaSite) adminPost(who directorytest.Member, path string, form url.Values) *httptest.ResponseRecorder {
	m.T.Helper()
	return m.admin(who, http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// get serves a GET on tn's host as who.
func (m *mediaSite) get(tn *tenant.Tenant, who directorytest.Member, path string) *httptest.ResponseRecorder {
	m.T.Helper()
	return m.Send(tn, who, http.MethodGet, path, nil)
}
