package grades

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/ledongthuc/pdf"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/apitest"
)

// bulletinSchool is a lycée with one class, 2nde 1, served through the real router:
// Zoé Lefèvre (12,50 in maths, 15,00 in French: 13,75) and Noël Çelik (8,00 and 11,00:
// 9,50); Mme Brémont teaches maths, M. Dupré French and is the professeur principal, Mme
// Oudin teaches in another class; Zoé's mother is her legal guardian, her uncle is not.
type bulletinSchool struct {
	reg    *tenant.Registry
	tn     *tenant.Tenant
	svc    *Service
	srv    *web.Server
	period Period
	class  uuid.UUID

	zoe, noel                             directorytest.Member
	mother, uncle                         directorytest.Member
	maths, principal, outsider, direction directorytest.Member
}

func newBulletinSchool(t *testing.T) *bulletinSchool {
	return newBulletinSchoolAt(t, testenv.SchoolDay)
}

// newBulletinSchoolAt is newBulletinSchool with every service's clock at now (its school
// year is now's; the report cards are those of its 1st trimestre).
func newBulletinSchoolAt(t *testing.T, now time.Time) *bulletinSchool {
	t.Helper()
	ctx := context.Background()
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	env := directorytest.NewEnvAt(t, reg, testenv.NewClock(now))
	s := &bulletinSchool{reg: reg, svc: NewService(reg.DB(), env.Clock.Now), class: uuid.New()}
	s.tn = tenanttest.Provision(t, reg, tenanttest.UAI(33, 41), "Lycée Élie-Faure", "lycee")
	s.zoe = env.AddMember(t, s.tn, identity.RoleEleve, "Zoé", "Lefèvre")
	s.noel = env.AddMember(t, s.tn, identity.RoleEleve, "Noël", "Çelik")
	s.mother = env.AddMember(t, s.tn, identity.RoleResponsable, "Hélène", "Lefèvre")
	s.uncle = env.AddMember(t, s.tn, identity.RoleResponsable, "Jérôme", "Lefèvre")
	s.maths = env.AddMember(t, s.tn, identity.RoleEnseignant, "Agnès", "Brémont")
	s.principal = env.AddMember(t, s.tn, identity.RoleEnseignant, "François", "Dupré")
	s.outsider = env.AddMember(t, s.tn, identity.RoleEnseignant, "Maëlle", "Oudin")
	s.direction = env.AddMember(t, s.tn, identity.RoleDirection, "Cécile", "Proviseure")

	periods, err := s.svc.Periods(ctx, s.tn)
	if err != nil {
		t.Fatalf("periods: %v", err)
	}
	s.period = periods[0]
	year, other := s.period.SchoolYear, uuid.New()
	s.exec(t, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('FRANCAIS', 'Français') ON CONFLICT DO NOTHING`)
	s.exec(t, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (?, 'classe', '2NDE2', '2nde 2', ?)`,
		s.class, year, other, year)
	s.exec(t, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?)`, s.class, s.zoe.PersonID, s.class, s.noel.PersonID)
	s.exec(t, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS'), (?, ?, 'FRANCAIS'), (?, ?, 'MATHS')`,
		s.maths.PersonID, s.class, s.principal.PersonID, s.class, s.outsider.PersonID, other)
	s.exec(t, `INSERT INTO principal_teachers (teacher_id, class_id) VALUES (?, ?)`, s.principal.PersonID, s.class)
	s.exec(t, `UPDATE people SET title = 'M.' WHERE id = ?`, s.principal.PersonID)
	s.exec(t, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, false, 2)`,
		s.zoe.PersonID, s.mother.PersonID, s.zoe.PersonID, s.uncle.PersonID)
	day := s.period.StartsOn.AddDate(0, 0, 14)
	for _, ev := range []struct {
		subject  string
		teacher  uuid.UUID
		zoe, noe string
	}{{"MATHS", s.maths.PersonID, "12.5", "8"}, {"FRANCAIS", s.principal.PersonID, "15", "11"}} {
		id := uuid.New()
		s.exec(t, `INSERT INTO evaluations (id, class_id, subject_code, teacher_id, title, on_date, published, published_at) VALUES (?, ?, ?, ?, 'Devoir surveillé', ?, true, now())`,
			id, s.class, ev.subject, ev.teacher, day)
		s.exec(t, `INSERT INTO marks (evaluation_id, pupil_id, value) VALUES (?, ?, ?::numeric), (?, ?, ?::numeric)`,
			id, s.zoe.PersonID, ev.zoe, id, s.noel.PersonID, ev.noe)
	}

	s.srv, err = web.NewServer(web.Config{BaseDomain: "cartable.test"}, reg, Templates)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	auth := identity.NewAuthenticator(env.Kratos, identity.NewStore(reg.Platform()), s.srv.PortalURL())
	s.srv.Tenants().Use(auth.Tenant)
	if err := auth.MountModule(identity.Hosts{Tenant: s.srv.Tenants()}, NewHandler(s.svc, auth).Module()); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *bulletinSchool) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if err := s.reg.DB().Tx(context.Background(), s.tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
		t.Fatalf("%s: %v", strings.Join(strings.Fields(q), " "), err)
	}
}

func (s *bulletinSchool) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.reg.DB().ReadTx(context.Background(), s.tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&n).Error }); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// do sends a request as who (session token, as the mobile apps do) to the establishment.
func (s *bulletinSchool) do(t *testing.T, who directorytest.Member, method, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, body)
	req.Host = s.tn.Slug + ".cartable.test"
	req.Header.Set("X-Session-Token", who.Token)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return apitest.Serve(t, s.srv, req) // API exchanges checked against web/openapi.json
}

func (s *bulletinSchool) path(format string, args ...any) string {
	return "/bulletins/" + s.period.ID.String() + fmt.Sprintf(format, args...)
}

func (s *bulletinSchool) classPath(rest string) string { return s.path("/classes/%s%s", s.class, rest) }

func (s *bulletinSchool) cardPath(pupil directorytest.Member) string {
	return s.path("/eleves/%s", pupil.PersonID)
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body:\n%.3000s", rec.Code, want, rec.Body.String())
	}
}

// wantText checks that the page (HTML unescaped) says each text.
func wantText(t *testing.T, rec *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	page := html.UnescapeString(rec.Body.String())
	for _, s := range texts {
		if !strings.Contains(page, s) {
			t.Errorf("page does not say %q:\n%.4000s", s, page)
		}
	}
}

// pdfPages extracts the text of each page of a PDF.
func pdfPages(t *testing.T, b []byte) []string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a readable PDF: %v", err)
	}
	pages := make([]string, r.NumPage())
	for i := range pages {
		text, err := r.Page(i + 1).GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		pages[i] = text
	}
	return pages
}

func TestBulletinAppreciations(t *testing.T) {
	s := newBulletinSchool(t)
	page := s.classPath("/appreciations/MATHS")
	field := appreciationField + s.zoe.PersonID.String()
	saved := func() int {
		return s.count(t, `SELECT count(*) FROM appreciations WHERE period_id = ? AND subject_code = 'MATHS'`, s.period.ID)
	}

	t.Run("the subject's teacher sees each pupil's average and saves", func(t *testing.T) {
		rec := s.do(t, s.maths, http.MethodGet, page, nil)
		wantStatus(t, rec, http.StatusOK)
		wantText(t, rec, "Appréciations de Mathématiques", "Lefèvre Zoé", "Çelik Noël", "12,50", "8,00", `name="`+field+`"`)

		rec = s.do(t, s.maths, http.MethodPost, page, url.Values{
			field: {"Élève sérieuse « appliquée », cœur à l'ouvrage."},
			appreciationField + s.noel.PersonID.String(): {"Des progrès à faire."},
		})
		wantStatus(t, rec, http.StatusSeeOther)
		if saved() != 2 {
			t.Fatalf("%d appréciations saved, want 2", saved())
		}
		rec = s.do(t, s.maths, http.MethodGet, rec.Header().Get("Location"), nil)
		wantStatus(t, rec, http.StatusOK)
		wantText(t, rec, "Appréciations enregistrées.", "Élève sérieuse « appliquée », cœur à l'ouvrage.")
	})

	t.Run("another teacher gets 404 and changes nothing", func(t *testing.T) {
		for _, who := range []directorytest.Member{s.outsider, s.principal} {
			wantStatus(t, s.do(t, who, http.MethodGet, page, nil), http.StatusNotFound)
			wantStatus(t, s.do(t, who, http.MethodPost, page, url.Values{field: {"Pas mon élève."}}), http.StatusNotFound)
		}
		// A pupil may not even reach the page.
		wantStatus(t, s.do(t, s.zoe, http.MethodGet, page, nil), http.StatusForbidden)
		if n := s.count(t, `SELECT count(*) FROM appreciations WHERE text = 'Pas mon élève.'`); n != 0 {
			t.Fatalf("another teacher's appréciation was saved")
		}
	})

	t.Run("a text too long is refused next to its field, and nothing is saved", func(t *testing.T) {
		rec := s.do(t, s.maths, http.MethodPost, page, url.Values{
			field: {strings.Repeat("é", 1001)},
			appreciationField + s.noel.PersonID.String(): {"Changé."},
		})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantText(t, rec, "Rien n'a été enregistré", "1000 caractères au plus.", `aria-invalid="true"`, "Changé.")
		if n := s.count(t, `SELECT count(*) FROM appreciations WHERE text = 'Changé.'`); n != 0 {
			t.Fatalf("half the form was saved")
		}
	})
}

func TestBulletinCouncil(t *testing.T) {
	s := newBulletinSchool(t)
	page := s.classPath("/conseil")
	field := councilField + s.zoe.PersonID.String()

	t.Run("the professeur principal sees general averages and writes", func(t *testing.T) {
		rec := s.do(t, s.principal, http.MethodGet, page, nil)
		wantStatus(t, rec, http.StatusOK)
		wantText(t, rec, "Avis du conseil de classe", "Lefèvre Zoé", "13,75", "9,50", "11,63")
		rec = s.do(t, s.principal, http.MethodPost, page, url.Values{field: {"Très bon trimestre : félicitations."}})
		wantStatus(t, rec, http.StatusSeeOther)
		if n := s.count(t, `SELECT count(*) FROM council_comments WHERE pupil_id = ? AND text = 'Très bon trimestre : félicitations.'`, s.zoe.PersonID); n != 1 {
			t.Fatalf("council comment not saved")
		}
	})

	t.Run("direction writes too", func(t *testing.T) {
		wantStatus(t, s.do(t, s.direction, http.MethodPost, page, url.Values{field: {"Encouragements."}}), http.StatusSeeOther)
	})

	t.Run("other teachers get 404", func(t *testing.T) {
		for _, who := range []directorytest.Member{s.maths, s.outsider} {
			wantStatus(t, s.do(t, who, http.MethodGet, page, nil), http.StatusNotFound)
			wantStatus(t, s.do(t, who, http.MethodPost, page, url.Values{field: {"Non."}}), http.StatusNotFound)
		}
		if n := s.count(t, `SELECT count(*) FROM council_comments WHERE text = 'Non.'`); n != 0 {
			t.Fatalf("a teacher who is not professeur principal wrote the council's comment")
		}
	})
}

// TestBulletinPublication runs at each of testenv.CalendarDates: the 1st trimestre's report
// cards are written, published and seen the same whatever the day.
func TestBulletinPublication(t *testing.T) {
	for _, now := range testenv.CalendarDates() {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) { testBulletinPublication(t, now) })
	}
}

func testBulletinPublication(t *testing.T, now time.Time) {
	s := newBulletinSchoolAt(t, now)
	zoeCard, publication := s.cardPath(s.zoe), s.classPath("/publication")
	publish := url.Values{"action": {"publier"}, "confirmation": {"oui"}}
	published := func() bool {
		return s.count(t, `SELECT count(*) FROM report_publications WHERE period_id = ? AND class_id = ?`, s.period.ID, s.class) > 0
	}

	t.Run("before publication, pupils and guardians see nothing; the class's teachers do", func(t *testing.T) {
		for _, who := range []directorytest.Member{s.zoe, s.mother, s.uncle, s.noel} {
			wantStatus(t, s.do(t, who, http.MethodGet, zoeCard, nil), http.StatusNotFound)
			wantStatus(t, s.do(t, who, http.MethodGet, zoeCard+"/pdf", nil), http.StatusNotFound)
		}
		wantText(t, s.do(t, s.zoe, http.MethodGet, "/bulletins", nil), "1er trimestre : pas encore publié")
		for _, who := range []directorytest.Member{s.maths, s.principal, s.direction} {
			rec := s.do(t, who, http.MethodGet, zoeCard, nil)
			wantStatus(t, rec, http.StatusOK)
			wantText(t, rec, "Bulletin non publié")
		}
		wantStatus(t, s.do(t, s.outsider, http.MethodGet, zoeCard, nil), http.StatusNotFound)
		wantStatus(t, s.do(t, s.outsider, http.MethodGet, s.classPath(""), nil), http.StatusNotFound)
	})

	t.Run("only direction publishes", func(t *testing.T) {
		for _, who := range []directorytest.Member{s.maths, s.principal, s.zoe, s.mother} {
			wantStatus(t, s.do(t, who, http.MethodPost, publication, publish), http.StatusForbidden)
		}
		if published() {
			t.Fatal("published by someone who is not direction")
		}
	})

	t.Run("direction must tick the confirmation", func(t *testing.T) {
		rec := s.do(t, s.direction, http.MethodGet, s.classPath(""), nil)
		wantStatus(t, rec, http.StatusOK)
		wantText(t, rec, "Je confirme", `name="confirmation"`, "Publier les bulletins")
		rec = s.do(t, s.direction, http.MethodPost, publication, url.Values{"action": {"publier"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantText(t, rec, "Cochez la case pour confirmer", `aria-invalid="true"`)
		if published() {
			t.Fatal("published without confirmation")
		}
	})

	t.Run("once published, the pupil and their legal guardian see it", func(t *testing.T) {
		rec := s.do(t, s.direction, http.MethodPost, publication, publish)
		wantStatus(t, rec, http.StatusSeeOther)
		if !published() {
			t.Fatal("not published")
		}
		wantText(t, s.do(t, s.direction, http.MethodGet, rec.Header().Get("Location"), nil), "Les bulletins sont publiés")
		for _, who := range []directorytest.Member{s.zoe, s.mother} {
			rec := s.do(t, who, http.MethodGet, zoeCard, nil)
			wantStatus(t, rec, http.StatusOK)
			wantText(t, rec, "Bulletin du 1er trimestre", "Zoé", "Lefèvre", "12,50", "15,00", "13,75", "non renseignées", "M. Dupré")
			if strings.Contains(rec.Body.String(), "Bulletin non publié") {
				t.Error("a published report card says it is not published")
			}
			wantText(t, s.do(t, who, http.MethodGet, "/bulletins", nil), "Bulletin du 1er trimestre", zoeCard+"/pdf")
		}
		// Not a legal guardian; another pupil of the class.
		wantStatus(t, s.do(t, s.uncle, http.MethodGet, zoeCard, nil), http.StatusNotFound)
		wantStatus(t, s.do(t, s.noel, http.MethodGet, zoeCard, nil), http.StatusNotFound)
		wantStatus(t, s.do(t, s.mother, http.MethodGet, s.cardPath(s.noel), nil), http.StatusNotFound)

		rec = s.do(t, s.mother, http.MethodGet, zoeCard+"/pdf", nil)
		wantStatus(t, rec, http.StatusOK)
		if ct := rec.Header().Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("Content-Type %q", ct)
		}
		cd := rec.Header().Get("Content-Disposition")
		if !strings.HasPrefix(cd, `attachment; filename="bulletin-LEFEVRE-Zoe-`) || !strings.Contains(cd, "-T1.pdf") ||
			!strings.Contains(cd, "filename*=UTF-8''bulletin-LEF%C3%88VRE-Zo%C3%A9-") {
			t.Errorf("Content-Disposition %q", cd)
		}
	})

	t.Run("once published, appréciations and comments are refused with a clear message", func(t *testing.T) {
		rec := s.do(t, s.maths, http.MethodGet, s.classPath("/appreciations/MATHS"), nil)
		wantStatus(t, rec, http.StatusOK)
		wantText(t, rec, "sont publiés", "ne peuvent plus être modifiés")
		if strings.Contains(rec.Body.String(), "<textarea") {
			t.Error("a published class still offers the entry form")
		}
		rec = s.do(t, s.maths, http.MethodPost, s.classPath("/appreciations/MATHS"),
			url.Values{appreciationField + s.zoe.PersonID.String(): {"Trop tard."}})
		wantStatus(t, rec, http.StatusConflict)
		wantText(t, rec, "Rien n'a été enregistré", "dépublier")
		rec = s.do(t, s.principal, http.MethodPost, s.classPath("/conseil"), url.Values{councilField + s.zoe.PersonID.String(): {"Trop tard."}})
		wantStatus(t, rec, http.StatusConflict)
		if n := s.count(t, `SELECT (SELECT count(*) FROM appreciations) + (SELECT count(*) FROM council_comments)`); n != 0 {
			t.Fatalf("%d texts saved after publication", n)
		}
	})

	t.Run("withdrawn, it is hidden again", func(t *testing.T) {
		wantStatus(t, s.do(t, s.direction, http.MethodPost, publication, url.Values{"action": {"retirer"}}), http.StatusSeeOther)
		wantStatus(t, s.do(t, s.zoe, http.MethodGet, zoeCard, nil), http.StatusNotFound)
	})
}

func TestBulletinPDF(t *testing.T) {
	s := newBulletinSchool(t)
	wantStatus(t, s.do(t, s.maths, http.MethodPost, s.classPath("/appreciations/MATHS"), url.Values{
		appreciationField + s.zoe.PersonID.String(): {"Élève sérieuse « appliquée », cœur à l'ouvrage ; très bon trimestre."},
	}), http.StatusSeeOther)
	wantStatus(t, s.do(t, s.principal, http.MethodPost, s.classPath("/conseil"), url.Values{
		councilField + s.zoe.PersonID.String(): {"Félicitations du conseil : à poursuivre."},
	}), http.StatusSeeOther)

	t.Run("a pupil's PDF says what the page says, accents included", func(t *testing.T) {
		screen := s.do(t, s.principal, http.MethodGet, s.cardPath(s.zoe), nil)
		wantStatus(t, screen, http.StatusOK)
		rec := s.do(t, s.principal, http.MethodGet, s.cardPath(s.zoe)+"/pdf", nil)
		wantStatus(t, rec, http.StatusOK)
		pages := pdfPages(t, rec.Body.Bytes())
		if len(pages) != 1 {
			t.Fatalf("%d pages, want 1", len(pages))
		}
		text := strings.Join(strings.Fields(pages[0]), " ")
		for _, want := range []string{
			"Lycée Élie-Faure", "Bulletin du 1er trimestre", "Zoé", "Lefèvre", "2nde 1", "Professeur principal : M. Dupré",
			"Mathématiques", "Français", "12,50", "15,00", "13,75", "10,25", "11,63", "8,00", "9,50",
			"« appliquée », cœur à l'ouvrage", "Félicitations du conseil : à poursuivre.", "Absences : non renseignées",
			"Document provisoire",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF does not say %q:\n%s", want, text)
			}
		}
		// Every figure of the page is in the PDF.
		for _, fig := range []string{"12,50", "15,00", "13,75", "10,25", "11,63", "9,50", "11,00"} {
			if !strings.Contains(screen.Body.String(), fig) {
				t.Errorf("the page does not show %s", fig)
			}
		}
	})

	t.Run("the class PDF has one page per pupil", func(t *testing.T) {
		rec := s.do(t, s.direction, http.MethodGet, s.classPath("/pdf"), nil)
		wantStatus(t, rec, http.StatusOK)
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="bulletins-2nde-1-T1.pdf"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		pages := pdfPages(t, rec.Body.Bytes())
		if len(pages) != 2 {
			t.Fatalf("%d pages, want 2 (one per pupil)", len(pages))
		}
		// Each page is one pupil's (their order follows the database's collation).
		for _, want := range [][]string{{"Zoé", "Lefèvre", "13,75", "12,50"}, {"Noël", "Çelik", "9,50", "8,00"}} {
			found := 0
			for _, p := range pages {
				if strings.Contains(p, want[0]) && strings.Contains(p, want[1]) {
					found++
					for _, w := range want[2:] {
						if !strings.Contains(p, w) {
							t.Errorf("%s's page does not say %q:\n%s", want[1], w, p)
						}
					}
				}
			}
			if found != 1 {
				t.Errorf("%s is on %d pages, want 1", want[1], found)
			}
		}
		wantStatus(t, s.do(t, s.outsider, http.MethodGet, s.classPath("/pdf"), nil), http.StatusNotFound)
	})
}

func TestBulletinHomeAndOverview(t *testing.T) {
	s := newBulletinSchool(t)
	t.Run("a teacher's home lists their class and subject", func(t *testing.T) {
		rec := s.do(t, s.maths, http.MethodGet, "/bulletins", nil)
		wantStatus(t, rec, http.StatusOK)
		wantText(t, rec, "Bulletins de mes classes", "2nde 1", "Appréciations de Mathématiques", s.classPath("/appreciations/MATHS"))
		rec = s.do(t, s.principal, http.MethodGet, "/bulletins", nil)
		wantText(t, rec, "Avis du conseil de classe", s.classPath("/conseil"))
	})
	t.Run("the overview counts appréciations and links to entry pages", func(t *testing.T) {
		wantStatus(t, s.do(t, s.maths, http.MethodPost, s.classPath("/appreciations/MATHS"),
			url.Values{appreciationField + s.zoe.PersonID.String(): {"Bien."}}), http.StatusSeeOther)
		rec := s.do(t, s.maths, http.MethodGet, s.classPath(""), nil)
		wantStatus(t, rec, http.StatusOK)
		wantText(t, rec, "Bulletins du 1er trimestre – 2nde 1", "Lefèvre Zoé", "13,75", "1 sur 2", "1 / 2",
			s.classPath("/appreciations/MATHS"), s.classPath("/pdf"))
		if strings.Contains(rec.Body.String(), s.classPath("/appreciations/FRANCAIS")) || strings.Contains(rec.Body.String(), "Publier les bulletins") {
			t.Error("the maths teacher is offered French appréciations or the publication")
		}
	})
}

func TestBulletinDownloadNames(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"bulletin-LEFÈVRE-Zoé-T1.pdf", `attachment; filename="bulletin-LEFEVRE-Zoe-T1.pdf"; filename*=UTF-8''bulletin-LEF%C3%88VRE-Zo%C3%A9-T1.pdf`},
		{"bulletin-D'ŒUF-Anne Sophie-S2.pdf", `attachment; filename="bulletin-D-OEUF-Anne-Sophie-S2.pdf"; filename*=UTF-8''bulletin-D-%C5%92UF-Anne-Sophie-S2.pdf`},
		{`bulletins-2nde 1/"x"-T3.pdf`, `attachment; filename="bulletins-2nde-1-x-T3.pdf"; filename*=UTF-8''bulletins-2nde-1-x-T3.pdf`},
	} {
		if got := attachmentHeader(c.in); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestBulletinReportJSON(t *testing.T) {
	r := &PupilReport{FirstName: "Zoé", LastName: "Lefèvre", ClassLabel: "2nde 1",
		Period:  Period{Kind: KindTrimestre, Number: 1},
		General: big.NewRat(55, 4), ClassStats: Stats{Avg: big.NewRat(93, 8), Count: 2},
		Subjects: []SubjectLine{
			{Code: "MATHS", Label: "Mathématiques", Coef: 150, Average: big.NewRat(25, 2), Appreciation: "« Bien »"},
			{Code: "EPS", Label: "", Coef: 100},
		}}
	b, err := json.Marshal(reportJSON(r))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"general_average":"13.75"`, `"average":"11.63"`, `"coefficient":"1.50"`, `"average":"12.50"`,
		`"label":"EPS","coefficient":"1.00","average":null`, `"appreciation":"« Bien »"`, `"absences":null`, `"label":"1er trimestre"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
}
