package privacy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/privacy"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// plannedJobs records the jobs a request enqueues (the tests run them by hand, as the
// worker would).
type plannedJobs struct{ jobs []privacy.BuildJob }

func (q *plannedJobs) InsertTx(_ *gorm.DB, _ *tenant.Tenant, args river.JobArgs, _ time.Time) error {
	if j, ok := args.(privacy.BuildJob); ok {
		q.jobs = append(q.jobs, j)
	}
	return nil
}

// site is two establishments, the export's pages and the modules whose exporters it runs.
type site struct {
	*moduletest.Site
	svc    *privacy.Service
	queue  *plannedJobs
	bucket *blob.Bucket
	mods   []module.Module
	a, b   *tenant.Tenant
}

func newSite(t testing.TB) *site {
	t.Helper()
	ms := moduletest.New(t, moduletest.Options{Templates: []fs.FS{privacy.Templates}})
	bucket, err := fileblob.OpenBucket(t.TempDir(), &fileblob.Options{CreateDir: true, NoTempDir: false})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })
	s := &site{Site: ms, queue: &plannedJobs{}, bucket: bucket}
	s.a = ms.Establishment(21, "Lycée Montesquieu")
	s.b = ms.Establishment(22, "Lycée Condorcet")
	reg := ms.Reg
	s.svc = privacy.NewService(reg.Platform(), reg.DB(), reg, bucket, directory.Guardianship{}, ms.Clock.Now)
	s.svc.SetQueue(s.queue)
	ui := identity.NewUI(ms.Auth, "", ms.Srv.PortalURL(), "", ms.Srv.TenantURL)
	absences := attendance.NewService(reg.DB(), nil, ms.Clock.Now)
	absences.SetBucket(bucket)
	gradesSvc := grades.NewService(reg.DB(), ms.Clock.Now)
	family := identity.NewFamily(ms.Auth.Store(), reg.BySlug, func(ctx context.Context, t *tenant.Tenant, guardian uuid.UUID) ([]identity.Child, error) {
		cs, err := gradesSvc.LegalChildren(ctx, t, guardian)
		out := make([]identity.Child, 0, len(cs))
		for _, c := range cs {
			out = append(out, identity.Child{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, ClassLabel: c.ClassLabel})
		}
		return out, err
	})
	h := privacy.NewHandler(s.svc, family.Of, ms.Srv.PortalURL())
	pm := h.Module()
	s.mods = []module.Module{
		{Name: "identity", Export: ui.Export, ExportAbout: identity.ExportAbout},
		{Name: "grades", Export: gradesSvc.Export, ExportAbout: grades.ExportAbout},
		{Name: "attendance", Export: absences.Export, ExportAbout: attendance.ExportAbout},
		{Name: "courses", Export: courses.NewService(reg.DB(), bucket, ms.Clock.Now).Export, ExportAbout: courses.ExportAbout},
		{Name: "resources", Export: resources.NewService(reg.DB(), resources.NewCatalogue(reg.Platform()), ms.Clock.Now).Export, ExportAbout: resources.ExportAbout},
		{Name: "billing", Export: billing.NewStore(reg.Platform(), ms.Clock.Now).Export, ExportAbout: billing.ExportAbout},
		pm,
	}
	s.svc.SetModules(s.mods)
	var tenantRoutes []module.Route
	for _, r := range pm.Routes {
		if r.Host == module.Tenant {
			tenantRoutes = append(tenantRoutes, r)
		}
	}
	pm.Routes = tenantRoutes
	ms.Mount(pm)
	return s
}

// one runs q in tn and returns the id it returns.
func (s *site) one(tn *tenant.Tenant, q string, args ...any) uuid.UUID {
	s.T.Helper()
	var id uuid.UUID
	if err := s.Reg.DB().Tx(s.T.Context(), tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Row().Scan(&id) }); err != nil {
		s.T.Fatalf("%s: %v", q, err)
	}
	return id
}

// runJobs makes the exports requested so far, as the worker does.
func (s *site) runJobs(t testing.TB) {
	t.Helper()
	for _, j := range s.queue.jobs {
		if err := s.svc.Build(context.Background(), j.Export); err != nil {
			t.Fatalf("build export %s: %v", j.Export, err)
		}
	}
	s.queue.jobs = nil
}

// person is one seeded member: what of them must (or must not) appear in an export.
type person struct {
	directorytest.Member
	First, Last string
	Secrets     []string // texts of their own data
}

func (s *site) member(tn *tenant.Tenant, role identity.Role, first, last string) person {
	s.T.Helper()
	m := s.Member(tn, role, first, last)
	var p struct{ FirstName, LastName string }
	if err := s.Reg.DB().ReadTx(s.T.Context(), tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT first_name, last_name FROM people WHERE id = ?`, m.PersonID).Scan(&p).Error
	}); err != nil {
		s.T.Fatal(err)
	}
	return person{Member: m, First: p.FirstName, Last: p.LastName}
}

// seedPupil gives pupil, in tn, one of everything the modules export: a published mark with
// a comment, an absence, a page of a course opened, a resource launched, a sign-in day.
func (s *site) seedPupil(tn *tenant.Tenant, class, teacher uuid.UUID, p *person, tag string) {
	ctx := s.T.Context()
	s.Exec(tn, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, class, p.PersonID)
	ev := s.one(tn, `INSERT INTO evaluations (class_id, subject_code, teacher_id, title, on_date, published, published_at)
		VALUES (?, 'MATHS', ?, ?, '2025-11-20', true, now()) RETURNING id`, class, teacher, "Contrôle "+tag)
	s.Exec(tn, `INSERT INTO marks (evaluation_id, pupil_id, value, comment) VALUES (?, ?, 14.5, ?)`, ev, p.PersonID, "Commentaire-note-"+tag)
	s.Exec(tn, `INSERT INTO absences (pupil_id, kind, on_date, starts_at, ends_at, comment) VALUES (?, 'absence', '2025-11-21', '08:00', '10:00', ?)`,
		p.PersonID, "Commentaire-absence-"+tag)
	course := s.one(tn, `INSERT INTO courses (author_id, title, school_year, created_at, updated_at) VALUES (?, ?, ?, now(), now()) RETURNING id`,
		teacher, "Cours "+tag, s.Year())
	sec := s.one(tn, `INSERT INTO course_sections (course_id, position, title) VALUES (?, 1, 'Partie 1') RETURNING id`, course)
	page := s.one(tn, `INSERT INTO course_pages (section_id, position, title) VALUES (?, 1, ?) RETURNING id`, sec, "Page-vue-"+tag)
	s.Exec(tn, `INSERT INTO course_views (course_id, page_id, pupil_id, first_seen_at, last_opened_at) VALUES (?, ?, ?, now(), now())`, course, page, p.PersonID)
	s.Exec(tn, `INSERT INTO resource_launches (person_id, resource_id, tool_id, message_hint, shared, created_at) VALUES (?, ?, ?, ?, '{nom}', now())`,
		p.PersonID, uuid.New(), uuid.New(), "hint-"+tag)
	if err := s.Reg.Platform().WithContext(ctx).Exec(`INSERT INTO platform.billing_signins (tenant_id, day, identity_id, profile) VALUES (?, '2025-11-19', ?, 'eleve')`,
		tn.ID, p.IdentityID).Error; err != nil {
		s.T.Fatal(err)
	}
	p.Secrets = append(p.Secrets, "Commentaire-note-"+tag, "Commentaire-absence-"+tag, "Page-vue-"+tag)
}

// family is the cast of TestExport: two pupils of one class, their guardians, a pupil of
// the other establishment, their teacher.
type family struct {
	alice, bob, carol person // pupils: alice and bob in one class of a, carol in b
	aliceMum, bobDad  person
	teacher           person
	classA            uuid.UUID
	justificationFile []byte
	justificationText string
	bobJustification  string
}

func (s *site) seed() *family {
	f := &family{}
	f.teacher = s.member(s.a, identity.RoleEnseignant, "Théo", "Enseignant")
	f.alice = s.member(s.a, identity.RoleEleve, "Alice", "Martin")
	f.bob = s.member(s.a, identity.RoleEleve, "Bob", "Durand")
	f.carol = s.member(s.b, identity.RoleEleve, "Carol", "Petit")
	f.aliceMum = s.member(s.a, identity.RoleResponsable, "Agnès", "Martin-Mère")
	f.bobDad = s.member(s.a, identity.RoleResponsable, "Bernard", "Durand-Père")
	for _, tn := range []*tenant.Tenant{s.a, s.b} {
		s.Exec(tn, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques') ON CONFLICT DO NOTHING`)
	}
	f.classA = s.one(s.a, `INSERT INTO classes (kind, code, label, school_year) VALUES ('classe', '2NDE1', '2nde 1', ?) RETURNING id`, s.Year())
	classB := s.one(s.b, `INSERT INTO classes (kind, code, label, school_year) VALUES ('classe', '2NDE1', '2nde 1', ?) RETURNING id`, s.Year())
	s.Exec(s.a, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, true, 1)`,
		f.alice.PersonID, f.aliceMum.PersonID, f.bob.PersonID, f.bobDad.PersonID)
	s.seedPupil(s.a, f.classA, f.teacher.PersonID, &f.alice, "alice")
	s.seedPupil(s.a, f.classA, f.teacher.PersonID, &f.bob, "bob")
	carolTeacher := s.member(s.b, identity.RoleEnseignant, "Ugo", "Autre")
	s.seedPupil(s.b, classB, carolTeacher.PersonID, &f.carol, "carol")
	// Bob's father justifies Bob's absence with a document: the guardian's own data.
	motif := s.one(s.a, `INSERT INTO absence_motifs (label, justifies, on_report, online, shown) VALUES ('Motif de test', true, true, true, true) RETURNING id`)
	absence := s.one(s.a, `SELECT id FROM absences WHERE pupil_id = ?`, f.bob.PersonID)
	just := s.one(s.a, `INSERT INTO justifications (absence_id, guardian_id, motif_id, comment, created_at) VALUES (?, ?, ?, 'Justification-de-bob', now()) RETURNING id`,
		absence, f.bobDad.PersonID, motif)
	f.justificationFile = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("certificat "), 100)...)
	sum := sha256.Sum256(f.justificationFile)
	key := "attendance/" + uuid.NewString()
	if err := s.bucket.WriteAll(s.T.Context(), tenant.BlobPrefix(s.a)+key, f.justificationFile, nil); err != nil {
		s.T.Fatal(err)
	}
	s.Exec(s.a, `INSERT INTO attendance_files (justification_id, blob_key, name, content_type, size, sha256, created_at) VALUES (?, ?, 'certificat.pdf', 'application/pdf', ?, ?, now())`,
		just, key, len(f.justificationFile), hex.EncodeToString(sum[:]))
	f.bobJustification = "Justification-de-bob"
	f.bobDad.Secrets = append(f.bobDad.Secrets, "Justification-de-bob")
	return f
}

// exportOf requests who's export (as who, on tn) through the page, runs the job and
// downloads it; it returns the ZIP's files by name.
func (s *site) exportOf(t *testing.T, tn *tenant.Tenant, who person, child string) (map[string]string, string) {
	t.Helper()
	form := url.Values{}
	if child != "" {
		form.Set("enfant", child)
	}
	rec := s.Send(tn, who.Member, http.MethodPost, privacy.Page, form)
	moduletest.WantCode(t, rec, http.StatusSeeOther, "request")
	page := s.Send(tn, who.Member, http.MethodGet, rec.Header().Get("Location"), nil)
	moduletest.WantCode(t, page, http.StatusOK, "page after the request")
	moduletest.WantIn(t, page, "page after the request", "Votre demande est enregistrée", "En préparation")
	s.runJobs(t)
	list, err := s.svc.List(t.Context(), who.IdentityID)
	if err != nil || len(list) == 0 || list[0].Status != privacy.Ready {
		t.Fatalf("exports after the job: %+v, %v", list, err)
	}
	link := privacy.Page + "/" + list[0].ID.String() + "/telecharger"
	page = s.Send(tn, who.Member, http.MethodGet, privacy.Page, nil)
	moduletest.WantIn(t, page, "page once ready", "Prête", link)
	dl := s.Send(tn, who.Member, http.MethodGet, link, nil)
	moduletest.WantCode(t, dl, http.StatusOK, "download")
	sum := sha256.Sum256(dl.Body.Bytes())
	if got := hex.EncodeToString(sum[:]); list[0].SHA256 == nil || got != *list[0].SHA256 || int64(dl.Body.Len()) != *list[0].Size {
		t.Errorf("download: sha256 %s size %d, recorded %v %v", got, dl.Body.Len(), list[0].SHA256, list[0].Size)
	}
	return unzip(t, dl.Body.Bytes()), link
}

func unzip(t testing.TB, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = string(b)
	}
	return out
}

func names(files map[string]string) string {
	var ns []string
	for n := range files {
		ns = append(ns, n)
	}
	return strings.Join(ns, ", ")
}

// wantNone reports each foreign trace (name, id, text) found anywhere in the archive.
func wantNone(t *testing.T, files map[string]string, of ...person) {
	t.Helper()
	for _, p := range of {
		traces := append([]string{p.First, p.Last, p.Login, p.PersonID.String(), p.IdentityID.String()}, p.Secrets...)
		for name, body := range files {
			for _, tr := range traces {
				if strings.Contains(body, tr) || strings.Contains(name, tr) {
					t.Errorf("%s holds %q, which belongs to %s %s", name, tr, p.First, p.Last)
				}
			}
		}
	}
}

// TestExport: a pupil's export holds every module's data of theirs, in their establishment
// and on the platform, described in the README, and nothing of their classmate, of the
// classmate's father, of a pupil of another establishment, or of their teacher.
func TestExport(t *testing.T) {
	s := newSite(t)
	f := s.seed()
	files, _ := s.exportOf(t, s.a, f.alice, "")
	uai := string(s.a.UAI)
	want := map[string][]string{
		uai + "/grades.json":       {"Commentaire-note-alice", "Contrôle alice", "Mathématiques", "14.50"},
		uai + "/attendance.json":   {"Commentaire-absence-alice", "2025-11-21"},
		uai + "/courses.json":      {"Page-vue-alice", "Cours alice"},
		uai + "/resources.json":    {"ouvertures", "nom"},
		"plateforme/identity.json": {f.alice.Login, string(s.a.UAI), "Lycée Montesquieu", "sessions"},
		"plateforme/billing.json":  {"2025-11-19", "eleve"},
		"plateforme/privacy.json":  {"en_preparation"},
		privacy.ReadmeName:         {"Lycée Montesquieu", uai + "/grades.json", grades.ExportAbout, "plateforme/identity.json", identity.ExportAbout},
	}
	for name, parts := range want {
		body, ok := files[name]
		if !ok {
			t.Errorf("%s missing from the export (it holds %s)", name, names(files))
			continue
		}
		for _, p := range parts {
			if !strings.Contains(body, p) {
				t.Errorf("%s: %q missing in:\n%s", name, p, body)
			}
		}
	}
	for name := range files {
		if strings.HasPrefix(name, string(s.b.UAI)) {
			t.Errorf("%s: Alice is not a member of %s", name, s.b.Name)
		}
	}
	wantNone(t, files, f.bob, f.bobDad, f.carol, f.teacher, f.aliceMum)
}

// TestExportGuardian: a guardian's own export holds their justification and its document;
// they may ask for their child's (and only they download it); a guardian of another child
// may not ask for it (404), nor download it; another person cannot download an export (404).
func TestExportGuardian(t *testing.T) {
	s := newSite(t)
	f := s.seed()
	files, _ := s.exportOf(t, s.a, f.bobDad, "")
	att := files[string(s.a.UAI)+"/attendance.json"]
	doc := string(s.a.UAI) + "/fichiers/attendance/certificat.pdf"
	if !strings.Contains(att, f.bobJustification) || !strings.Contains(att, doc) || files[doc] != string(f.justificationFile) {
		t.Errorf("the father's justification and its document: attendance.json %q, files %s", att, names(files))
	}
	wantNone(t, files, f.alice, f.aliceMum, f.carol)

	child := string(s.a.UAI) + ":" + f.alice.PersonID.String()
	for what, c := range map[string]string{
		"a guardian of another child asks for Alice's":          child,
		"Alice named in an establishment where he is no member": string(s.b.UAI) + ":" + f.alice.PersonID.String(),
		"a pupil of another establishment":                      string(s.b.UAI) + ":" + f.carol.PersonID.String(),
		"an establishment that does not exist":                  "0331234Z:" + f.alice.PersonID.String(),
		"nonsense":                                              "rien",
	} {
		rec := s.Send(s.a, f.bobDad.Member, http.MethodPost, privacy.Page, url.Values{"enfant": {c}})
		moduletest.WantCode(t, rec, http.StatusNotFound, what)
	}
	rec := s.Send(s.a, f.alice.Member, http.MethodPost, privacy.Page, url.Values{"enfant": {string(s.a.UAI) + ":" + f.bob.PersonID.String()}})
	moduletest.WantCode(t, rec, http.StatusNotFound, "a pupil asks for a classmate's")
	if len(s.queue.jobs) != 0 {
		t.Errorf("refused requests enqueued %d jobs", len(s.queue.jobs))
	}
	// The mother's page offers Alice, and only her; the link of « Mes enfants » asks to confirm.
	page := s.Send(s.a, f.aliceMum.Member, http.MethodGet, privacy.Page+"?enfant="+url.QueryEscape(child), nil)
	moduletest.WantCode(t, page, http.StatusOK, "the mother's page")
	moduletest.WantIn(t, page, "the mother's page", "Les données de mes enfants", "Demander l'export des données de "+f.alice.First, `value="`+child+`"`, "Confirmez votre demande")
	moduletest.WantNotIn(t, page, "the mother's page", f.bob.First)
	if t.Failed() {
		t.Log(page.Body.String())
	}
	childFiles, link := s.exportOf(t, s.a, f.aliceMum, child)
	if !strings.Contains(childFiles[string(s.a.UAI)+"/grades.json"], "Commentaire-note-alice") {
		t.Errorf("the child's export lacks her marks: %s", names(childFiles))
	}
	wantNone(t, childFiles, f.bob, f.bobDad, f.carol, f.aliceMum)
	for _, other := range []person{f.alice, f.bobDad, f.bob} {
		rec := s.Send(s.a, other.Member, http.MethodGet, link, nil)
		moduletest.WantCode(t, rec, http.StatusNotFound, other.First+" downloads the mother's request for Alice")
	}
	api := s.Send(s.a, f.bob.Member, http.MethodGet, "/api/v1/compte/exports/"+strings.Split(link, "/")[3]+"/fichier", nil)
	moduletest.WantCode(t, api, http.StatusNotFound, "Bob downloads it through the API")

	// An adult pupil asks for themself.
	s.Exec(s.a, `UPDATE people SET birth_date = '2005-01-01' WHERE id = ?`, f.bob.PersonID)
	rec = s.Send(s.a, f.bobDad.Member, http.MethodPost, privacy.Page, url.Values{"enfant": {string(s.a.UAI) + ":" + f.bob.PersonID.String()}})
	moduletest.WantCode(t, rec, http.StatusConflict, "a guardian asks for their adult child")
	moduletest.WantIn(t, rec, "adult child", "est majeur")
}

// TestExportOnePendingAndAPI: a second request while one is in preparation is refused, in
// French, on the page and through the API; the API lists the states and the download link.
func TestExportOnePendingAndAPI(t *testing.T) {
	s := newSite(t)
	f := s.seed()
	rec := s.Do(s.a, f.alice.Member, http.MethodPost, "/api/v1/compte/exports", "", nil)
	moduletest.WantCode(t, rec, http.StatusAccepted, "API request")
	moduletest.WantIn(t, rec, "API request", `"status":"en_preparation"`)
	rec = s.Send(s.a, f.alice.Member, http.MethodPost, privacy.Page, url.Values{})
	moduletest.WantCode(t, rec, http.StatusConflict, "second request")
	moduletest.WantIn(t, rec, "second request", "un export de vos données est déjà en préparation")
	rec = s.Do(s.a, f.alice.Member, http.MethodPost, "/api/v1/compte/exports", "application/json", strings.NewReader(`{}`))
	moduletest.WantCode(t, rec, http.StatusConflict, "second API request")
	s.runJobs(t)
	rec = s.Do(s.a, f.alice.Member, http.MethodGet, "/api/v1/compte/exports", "", nil)
	moduletest.WantCode(t, rec, http.StatusOK, "API list")
	moduletest.WantIn(t, rec, "API list", `"status":"prete"`, `"download_url":"/api/v1/compte/exports/`)
	rec = s.Do(s.a, f.bob.Member, http.MethodGet, "/api/v1/compte/exports", "", nil)
	moduletest.WantCode(t, rec, http.StatusOK, "Bob's list")
	moduletest.WantIn(t, rec, "Bob's list", `"exports":[]`)
	// Once ready, a new one may be asked for.
	rec = s.Send(s.a, f.alice.Member, http.MethodPost, privacy.Page, url.Values{})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "request after the first is ready")
}

// failing is an exporter that writes a file, then fails: a job killed mid-way.
func failing(_ context.Context, t *tenant.Tenant, _ uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil
	}
	if _, err := w.File("moitie.txt", strings.NewReader("à moitié écrit")); err != nil {
		return err
	}
	return errors.New("killed")
}

// TestExportCrashAndExpiry: a job that fails mid-way leaves the export in preparation, no
// blob under its key and nothing to download; the retry makes it whole. After seven days
// the sweep deletes it: the link answers 404 and the page says it expired.
func TestExportCrashAndExpiry(t *testing.T) {
	s := newSite(t)
	f := s.seed()
	rec := s.Send(s.a, f.alice.Member, http.MethodPost, privacy.Page, url.Values{})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "request")
	id := s.queue.jobs[0].Export
	s.svc.SetModules(append(append([]module.Module{}, s.mods...), module.Module{Name: "crash", Export: failing, ExportAbout: "x"}))
	if err := s.svc.Build(t.Context(), id); err == nil {
		t.Fatal("the failing build succeeded")
	}
	list, _ := s.svc.List(t.Context(), f.alice.IdentityID)
	if list[0].Status != privacy.Pending {
		t.Errorf("after the crash: %s, want still in preparation", list[0].Status)
	}
	if keys := s.keys(t); len(keys) != 0 {
		t.Errorf("after the crash the store holds %v", keys)
	}
	rec = s.Send(s.a, f.alice.Member, http.MethodGet, privacy.Page+"/"+id.String()+"/telecharger", nil)
	moduletest.WantCode(t, rec, http.StatusNotFound, "download after the crash")

	s.svc.SetModules(s.mods) // the retry
	if err := s.svc.Build(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if keys := s.keys(t); len(keys) != 1 {
		t.Errorf("after the retry the store holds %v", keys)
	}
	link := privacy.Page + "/" + id.String() + "/telecharger"
	rec = s.Send(s.a, f.alice.Member, http.MethodGet, link, nil)
	moduletest.WantCode(t, rec, http.StatusOK, "download after the retry")
	if files := unzip(t, rec.Body.Bytes()); files[string(s.a.UAI)+"/grades.json"] == "" {
		t.Errorf("retried export: %s", names(files))
	}

	s.Clock.Advance(6 * 24 * time.Hour)
	if n, err := s.svc.Sweep(t.Context()); err != nil || n != 0 {
		t.Errorf("sweep at 6 days: %d, %v", n, err)
	}
	moduletest.WantCode(t, s.Send(s.a, f.alice.Member, http.MethodGet, link, nil), http.StatusOK, "download at 6 days")
	s.Clock.Advance(24*time.Hour + time.Minute)
	if n, err := s.svc.Sweep(t.Context()); err != nil || n != 1 {
		t.Errorf("sweep at 7 days: %d, %v", n, err)
	}
	moduletest.WantCode(t, s.Send(s.a, f.alice.Member, http.MethodGet, link, nil), http.StatusNotFound, "download at 7 days")
	if keys := s.keys(t); len(keys) != 0 {
		t.Errorf("after the sweep the store holds %v", keys)
	}
	page := s.Send(s.a, f.alice.Member, http.MethodGet, privacy.Page, nil)
	moduletest.WantIn(t, page, "page after the sweep", "Expirée", "supprimé après 7 jours")
	moduletest.WantNotIn(t, page, "page after the sweep", link)

	// An export whose job gave up stays in preparation no longer than a day: then « Échec »,
	// and a new one may be asked for.
	rec = s.Send(s.a, f.alice.Member, http.MethodPost, privacy.Page, url.Values{})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "request never made")
	s.queue.jobs = nil
	s.Clock.Advance(25 * time.Hour)
	if _, err := s.svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	page = s.Send(s.a, f.alice.Member, http.MethodGet, privacy.Page, nil)
	moduletest.WantIn(t, page, "page after a stuck export", "Échec", "demandez-en un nouveau")
	rec = s.Send(s.a, f.alice.Member, http.MethodPost, privacy.Page, url.Values{})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "request after a failure")
}

// keys lists the blobs of exports.
func (s *site) keys(t *testing.T) []string {
	t.Helper()
	var out []string
	it := s.bucket.List(&blob.ListOptions{Prefix: "platform/exports/"})
	for {
		o, err := it.Next(t.Context())
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o.Key)
	}
}

// TestExportOnTheQueue: the request enqueues its job on the real River queue, in its
// transaction, and the worker makes the export within seconds.
func TestExportOnTheQueue(t *testing.T) {
	s := newSite(t)
	f := s.seed()
	sqlDB, err := s.Reg.Platform().DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Migrate(t.Context(), sqlDB); err != nil {
		t.Fatalf("migrate the job queue: %v", err)
	}
	q, err := jobs.New(sqlDB, jobs.Duties{Modules: []jobs.Work{s.svc.Jobs(nil)}}, jobs.Config{Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s.svc.SetQueue(q)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	rec := s.Send(s.a, f.alice.Member, http.MethodPost, privacy.Page, url.Values{})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "request")
	deadline := time.Now().Add(60 * time.Second) // clock-ok: a wait's timeout, not a date
	for {
		list, err := s.svc.List(t.Context(), f.alice.IdentityID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && list[0].Status == privacy.Ready {
			break
		}
		if time.Now().After(deadline) { // clock-ok: a wait's timeout, not a date
			t.Fatalf("the export is not ready after 60 s: %+v", list)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
