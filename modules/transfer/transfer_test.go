package transfer_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/modules/transfer"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

var regional = identity.Scope{All: true}

// fixture is a collège of Gironde (opted in), three lycées, the portfolio and the transfer.
type fixture struct {
	site             *moduletest.Site
	college, a, b, c *tenant.Tenant
	bucket           *blob.Bucket
	folio            *portfolio.Service
	svc              *transfer.Service
	queue            *jobs.Queue
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	site := moduletest.New(t, moduletest.Options{Templates: []fs.FS{transfer.Templates}})
	f := &fixture{site: site}
	f.b = site.Establishment(2, "Lycée de Bordeaux-Lac") // where the pupils arrive: the site's home
	f.a = site.Establishment(1, "Lycée Michel-Montaigne")
	f.c = site.Establishment(3, "Lycée Camille-Jullian")
	tenanttest.OptIn(t, site.Reg, "33")
	f.college = tenanttest.Provision(t, site.Reg, tenanttest.UAI(33, 50), "Collège Jean-Moulin", "college")
	year, start, end := directory.SchoolYearOf(site.Clock.Now())
	site.Exec(f.college, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, ?, ?, true)`, year, start, end)

	f.bucket = memblob.OpenBucket(nil)
	f.folio = portfolio.NewService(site.Reg.DB(), site.Clock.Now)
	f.folio.SetBucket(f.bucket)
	f.svc = transfer.NewService(site.Reg.DB(), site.Reg.Platform(), f.folio, nil, site.Clock.Now)
	f.svc.SetBucket(f.bucket)
	sqlDB, err := site.Reg.Platform().DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Migrate(context.Background(), sqlDB); err != nil {
		t.Fatalf("migrate the job queue: %v", err)
	}
	if f.queue, err = jobs.New(sqlDB, jobs.Duties{Modules: []jobs.Work{f.svc.Jobs()}}, jobs.Config{}); err != nil {
		t.Fatal(err)
	}
	f.svc.SetQueue(f.queue)
	site.Env.Directory.SetArrivals(f.svc.Arrivals)
	site.Srv.Admin().Use(site.Auth.Platform)
	if err := site.Auth.MountModule(identity.Hosts{Admin: site.Srv.Admin(), Tenant: site.Srv.Tenants()}, transfer.NewHandler(f.svc).Module()); err != nil {
		t.Fatal(err)
	}
	return f
}

func aafFile(requests ...string) []byte {
	return []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ficAlimMENESR>\n" + strings.Join(requests, "") + "</ficAlimMENESR>\n")
}

func addRequest(cat, id string, attrs ...string) string {
	var b strings.Builder
	kind := "categoriePersonne"
	if cat == "EtabEducNat" {
		kind = "categorieStructure"
	}
	fmt.Fprintf(&b, "<addRequest>\n<operationalAttributes><attr name=%q><value>%s</value></attr></operationalAttributes>\n<identifier><id>%s</id></identifier>\n<attributes>\n", kind, cat, id)
	for i := 0; i+1 < len(attrs); i += 2 {
		fmt.Fprintf(&b, "<attr name=%q><value>%s</value></attr>\n", attrs[i], attrs[i+1])
	}
	b.WriteString("</attributes>\n</addRequest>\n")
	return b.String()
}

// pupilSpec is a pupil of an AAF export, with their parent.
type pupilSpec struct{ key, first, birth, parent string }

// export is an establishment's complete AAF export of these pupils and their parents.
func export(tn *tenant.Tenant, structKey string, pupils ...pupilSpec) []directory.File {
	uai := string(tn.UAI)
	etab := aafFile(addRequest("EtabEducNat", structKey, "ENTStructureJointure", structKey, "ENTStructureUAI", uai, "ENTStructureNomCourant", tn.Name))
	var ps, rs []string
	for _, p := range pupils {
		ps = append(ps, addRequest("Eleve", p.key, "ENTPersonJointure", p.key, "sn", "Quintavalle", "givenName", p.first,
			"ENTPersonDateNaissance", p.birth, "ENTEleveClasses", structKey+"$2NDE1", "ENTElevePersRelEleve", p.parent+"$1$0$1$0$0"))
		rs = append(rs, addRequest("PersRelEleve", p.parent, "ENTPersonJointure", p.parent, "personalTitle", "Mme", "sn", "Quintavalle", "givenName", "Parent"+p.first))
	}
	name := func(cat string) string { return fmt.Sprintf("ENT_%s_Complet_20260901_%s_0001.xml", uai, cat) }
	return []directory.File{
		{Name: name("EtabEducNat"), R: bytes.NewReader(etab)},
		{Name: name("Eleve"), R: bytes.NewReader(aafFile(ps...))},
		{Name: name("PersRelEleve"), R: bytes.NewReader(aafFile(rs...))},
	}
}

// people is who an import brought: signed in, by first name ("Parent<first>" for parents).
func (f *fixture) importInto(t *testing.T, tn *tenant.Tenant, structKey string, pupils ...pupilSpec) map[string]directorytest.Member {
	t.Helper()
	ctx := context.Background()
	rep, err := f.site.Env.Directory.ImportAAF(ctx, tn, export(tn, structKey, pupils...), directory.ImportOptions{Scope: regional, Actor: "test"})
	if err != nil {
		t.Fatalf("import into %s: %v", tn.Name, err)
	}
	out := map[string]directorytest.Member{}
	if rep.AccountsCreated == 0 {
		return out // every account attached
	}
	creds, err := f.site.Env.Directory.Credentials(ctx, tn, rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range creds {
		m := directorytest.Member{Login: c.Login, Password: c.Password}
		m.Token = f.site.Env.Login(t, c.Login, c.Password)
		out[c.FirstName] = m
	}
	return out
}

// personOf is the people.id of the person with this join key in tn.
func (f *fixture) personOf(t *testing.T, tn *tenant.Tenant, key string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := f.site.Reg.DB().ReadTx(context.Background(), tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM people WHERE aaf_id = ?`, key).Row().Scan(&id)
	}); err != nil || id == uuid.Nil {
		t.Fatalf("person %s in %s: %v", key, tn.Name, err)
	}
	return id
}

// seed records items into pupil's portfolio in tn: two of last year (one with a PDF), one of this year.
func (f *fixture) seed(t *testing.T, tn *tenant.Tenant, pupil uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + pupil.String())
	checked, err := portfolio.Documents.Check("expose.pdf", pdf, "fichier")
	if err != nil {
		t.Fatal(err)
	}
	err = f.folio.Files().Storing(ctx, tn, []files.Checked{checked}, func(stored []files.Stored) error {
		return f.site.Reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error {
			id, err := f.folio.Record(tx, portfolio.Entry{PupilID: pupil, Kind: portfolio.Submission, Source: "cahier:1", SchoolYear: "2025-2026",
				Subject: "Histoire", Title: "Exposé sur la Révolution", Summary: "Rendu le 3 mars"})
			if err != nil {
				return err
			}
			if err := f.folio.AttachFiles(tx, id, stored...); err != nil {
				return err
			}
			if _, err := f.folio.Record(tx, portfolio.Entry{PupilID: pupil, Kind: portfolio.Attempt, Source: "exercises:1", SchoolYear: "2025-2026",
				Subject: "Mathématiques", Title: "Fractions", Summary: "15/20"}); err != nil {
				return err
			}
			_, err = f.folio.Record(tx, portfolio.Entry{PupilID: pupil, Kind: portfolio.Document, Title: "Mon CV"})
			return err
		})
	})
	if err != nil {
		t.Fatalf("seed the portfolio: %v", err)
	}
}

// transferOf is the transfer of pupil (by join key) into b.
func (f *fixture) transferOf(t *testing.T, to *tenant.Tenant, key string) *transfer.Transfer {
	t.Helper()
	var id uuid.UUID
	err := f.site.Reg.Platform().Raw(`SELECT id FROM platform.portfolio_transfers WHERE to_tenant = ? AND to_person = ?`, to.ID, f.personOf(t, to, key)).Row().Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	if id == uuid.Nil {
		t.Fatalf("no transfer of %s into %s", key, to.Name)
	}
	x, err := f.svc.Of(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// admin serves a GET on the administration host as m.
func (f *fixture) admin(m directorytest.Member, path string) *httptest.ResponseRecorder {
	f.site.T.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Host = "admin." + moduletest.BaseDomain
	req.Header.Set("X-Session-Token", m.Token)
	rec := httptest.NewRecorder()
	f.site.Srv.ServeHTTP(rec, req)
	return rec
}

// adminPost posts an empty form on the administration host as m.
func (f *fixture) adminPost(m directorytest.Member, path string) *httptest.ResponseRecorder {
	f.site.T.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(""))
	req.Host = "admin." + moduletest.BaseDomain
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Session-Token", m.Token)
	rec := httptest.NewRecorder()
	f.site.Srv.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) platformCount(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.site.Reg.Platform().Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) jobsOf(t *testing.T, x *transfer.Transfer) int {
	t.Helper()
	return f.platformCount(t, `SELECT count(*) FROM river.river_job WHERE kind = ? AND args->>'transfer' = ?`, transfer.CopyPortfolio{}.Kind(), x.ID.String())
}

func (f *fixture) blobs(t *testing.T, tn *tenant.Tenant) int {
	t.Helper()
	n := 0
	it := f.bucket.List(&blob.ListOptions{Prefix: tenant.BlobPrefix(tn) + portfolio.Documents.Dir})
	for {
		_, err := it.Next(context.Background())
		if err != nil {
			break
		}
		n++
	}
	return n
}

func answer(f *fixture, tn *tenant.Tenant, m directorytest.Member, id uuid.UUID, a string) *httptest.ResponseRecorder {
	return f.site.Send(tn, m, http.MethodPost, transfer.Root+"/"+id.String(), url.Values{"reponse": {a}})
}

const adultBirth, minorBirth = "01/03/2008", "14/05/2010"

// TestTransferAdult: a pupil of the collège arrives in a lycée by its AAF import; asked on the
// lycée's host, they accept alone (they are of age); the job copies their portfolio with its
// documents checked, records it in both audit logs, and a retry copies nothing twice. Nobody
// else sees or answers the question.
func TestTransferAdult(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	anatole := pupilSpec{"19900001", "Anatole", adultBirth, "29900001"}
	inCollege := f.importInto(t, f.college, "10050", anatole)
	fromPerson := f.personOf(t, f.college, anatole.key)
	f.seed(t, f.college, fromPerson)

	f.importInto(t, f.b, "10002", anatole) // attaches the account: no new credentials
	x := f.transferOf(t, f.b, anatole.key)
	if x.Status != transfer.Asked || x.FromTenant != f.college.ID || x.FromPerson != fromPerson || x.Items != 3 || x.Files != 1 {
		t.Fatalf("transfer = %+v", x)
	}
	if !x.ExpiresAt.Equal(x.AskedAt.Add(transfer.Lifetime)) {
		t.Errorf("expires at %v, asked at %v", x.ExpiresAt, x.AskedAt)
	}
	// Asked once per pair: the same arrival told again asks nothing more.
	if err := f.svc.Arrivals(ctx, f.b, []directory.Arrival{{PersonID: x.ToPerson, AAFID: anatole.key, IdentityID: x.IdentityID}}); err != nil {
		t.Fatal(err)
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.portfolio_transfers WHERE from_person = ?`, fromPerson); n != 1 {
		t.Fatalf("%d transfers for one pair", n)
	}

	pupil := inCollege["Anatole"]
	teacherB := f.site.Member(f.b, identity.RoleEnseignant, "Paul", "Prof")
	otherB := f.site.Member(f.b, identity.RoleEleve, "Autre", "Élève")
	pupilA := f.site.Member(f.a, identity.RoleEleve, "Élève", "DeA")
	staffC := f.site.Member(f.c, identity.RoleDirection, "Chef", "DeC")
	path := transfer.Root + "/" + x.ID.String()

	t.Run("the pupil is asked on the lycée's host", func(t *testing.T) {
		rec := f.site.Send(f.b, pupil, http.MethodGet, transfer.Root, nil)
		moduletest.WantCode(t, rec, http.StatusOK, "list")
		moduletest.WantIn(t, rec, "list", "Apporter mon portfolio de Collège Jean-Moulin")
		rec = f.site.Send(f.b, pupil, http.MethodGet, path, nil)
		moduletest.WantCode(t, rec, http.StatusOK, "question")
		moduletest.WantIn(t, rec, "question", "2025-2026", "Travail rendu", "Exercice", "Document personnel", "3 éléments et 1 documents",
			"le détail des notes", "les absences", "les messages", `value="accepter"`, `value="refuser"`)
		moduletest.WantNotIn(t, rec, "question", "responsables légaux doit aussi")
		rec = f.site.Send(f.b, pupil, http.MethodGet, "/api/v1"+transfer.Root, nil)
		moduletest.WantCode(t, rec, http.StatusOK, "api")
		moduletest.WantIn(t, rec, "api", x.ID.String(), `"minor":false`, `"as_pupil":true`)
	})

	t.Run("nobody else sees or answers it", func(t *testing.T) {
		for name, who := range map[string]struct {
			tn *tenant.Tenant
			m  directorytest.Member
		}{"a teacher of B": {f.b, teacherB}, "another pupil of B": {f.b, otherB}, "a pupil of A": {f.a, pupilA},
			"the direction of C": {f.c, staffC}, "the pupil on the collège's host": {f.college, pupil}} {
			rec := f.site.Send(who.tn, who.m, http.MethodGet, path, nil)
			moduletest.WantCode(t, rec, http.StatusNotFound, name+": page")
			rec = answer(f, who.tn, who.m, x.ID, "accepter")
			moduletest.WantCode(t, rec, http.StatusNotFound, name+": answer")
			rec = f.site.Do(who.tn, who.m, http.MethodPost, "/api/v1"+path, "application/json", strings.NewReader(`{"answer":"accepted"}`))
			moduletest.WantCode(t, rec, http.StatusNotFound, name+": API answer")
		}
		rec := f.site.Send(f.b, teacherB, http.MethodGet, "/api/v1"+transfer.Root, nil)
		moduletest.WantCode(t, rec, http.StatusOK, "teacher's list")
		moduletest.WantNotIn(t, rec, "teacher's list", x.ID.String())
		if got := f.transferOf(t, f.b, anatole.key); got.Status != transfer.Asked || got.PupilAnswer != nil {
			t.Fatalf("after the others: %+v", got)
		}
	})

	t.Run("an adult pupil accepts alone; the copy is enqueued with the answer", func(t *testing.T) {
		rec := answer(f, f.b, pupil, x.ID, "accepter")
		moduletest.WantCode(t, rec, http.StatusSeeOther, "accept")
		rec = f.site.Send(f.b, pupil, http.MethodGet, rec.Header().Get("Location"), nil)
		moduletest.WantIn(t, rec, "confirmation", "C&#39;est accepté : le portfolio de Collège Jean-Moulin va être copié")
		got := f.transferOf(t, f.b, anatole.key)
		if got.Status != transfer.Accepted || got.PupilAnswer == nil || *got.PupilAnswer != transfer.Accept || got.PupilAnsweredAt == nil {
			t.Fatalf("after acceptance: %+v", got)
		}
		if n := f.jobsOf(t, got); n != 1 {
			t.Fatalf("%d copy jobs, want 1", n)
		}
		if n := f.site.Count(f.b, `SELECT count(*) FROM audit_log WHERE action = 'portfolio.transfer.answer'`); n != 1 {
			t.Errorf("%d answers in B's audit log", n)
		}
		rec = answer(f, f.b, pupil, x.ID, "refuser")
		moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "second answer")
		moduletest.WantIn(t, rec, "second answer", "n&#39;attend plus de réponse")
	})

	t.Run("the copy: items and documents checked, audit in both, retry idempotent", func(t *testing.T) {
		blobsBefore := f.blobs(t, f.b)
		if err := f.svc.Copy(ctx, x.ID); err != nil {
			t.Fatalf("copy: %v", err)
		}
		got := f.transferOf(t, f.b, anatole.key)
		if got.Status != transfer.Done || got.CopiedItems != 3 || got.CopiedFiles != 1 || got.CopiedAt == nil {
			t.Fatalf("after the copy: %+v", got)
		}
		if n := f.site.Count(f.b, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ? AND origin_uai = ? AND origin_name = 'Collège Jean-Moulin'
			AND source LIKE 'transfer:%' AND NOT visible_to_teachers`, x.ToPerson, string(f.college.UAI)); n != 3 {
			t.Errorf("%d carried items in B, want 3", n)
		}
		if n := f.site.Count(f.b, `SELECT count(*) FROM portfolio_items WHERE school_year = '2025-2026' AND pupil_id = ?`, x.ToPerson); n != 2 {
			t.Errorf("%d items of 2025-2026 in B, want 2 (their year kept)", n)
		}
		var sums []string
		if err := f.site.Reg.DB().ReadTx(ctx, f.b, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT f.sha256 FROM portfolio_files f JOIN portfolio_items i ON i.id = f.item_id WHERE i.pupil_id = ?`, x.ToPerson).Scan(&sums).Error
		}); err != nil || len(sums) != 1 {
			t.Fatalf("files in B: %v %v", sums, err)
		}
		var fileB portfolio.File
		if err := f.site.Reg.DB().ReadTx(ctx, f.b, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT f.* FROM portfolio_files f JOIN portfolio_items i ON i.id = f.item_id WHERE i.pupil_id = ?`, x.ToPerson).Scan(&fileB).Error
		}); err != nil {
			t.Fatal(err)
		}
		content, err := f.folio.Open(ctx, f.b, fileB)
		if err != nil {
			t.Fatalf("B's copy does not open: %v", err)
		}
		content.Close()
		if f.blobs(t, f.b) != blobsBefore+1 {
			t.Errorf("blobs in B: %d, want %d", f.blobs(t, f.b), blobsBefore+1)
		}
		if n := f.site.Count(f.b, `SELECT count(*) FROM audit_log WHERE action = 'portfolio.transfer.received' AND details->>'transfer' = ?`, x.ID.String()); n != 1 {
			t.Errorf("%d lines in B's audit log", n)
		}
		if n := f.site.Count(f.college, `SELECT count(*) FROM audit_log WHERE action = 'portfolio.transfer.sent' AND details->>'transfer' = ?`, x.ID.String()); n != 1 {
			t.Errorf("%d lines in the collège's audit log", n)
		}
		if n := f.site.Count(f.college, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ?`, fromPerson); n != 3 {
			t.Errorf("the collège keeps %d items, want its 3", n)
		}
		// B receives nothing else of the collège.
		for _, table := range []string{"marks", "absences", "messages"} {
			if n := f.site.Count(f.b, `SELECT count(*) FROM `+table); n != 0 {
				t.Errorf("%d rows of %s in B", n, table)
			}
		}
		// Retried (a crash after the commit): nothing twice.
		if err := f.svc.Copy(ctx, x.ID); err != nil {
			t.Fatalf("retry: %v", err)
		}
		f.site.Exec(f.b, `SELECT 1`)
		if err := f.site.Reg.Platform().Exec(`UPDATE platform.portfolio_transfers SET status = 'copying' WHERE id = ?`, x.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Copy(ctx, x.ID); err != nil {
			t.Fatalf("retry while copying: %v", err)
		}
		if n := f.site.Count(f.b, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ?`, x.ToPerson); n != 3 {
			t.Errorf("%d items in B after the retries, want 3", n)
		}
		if n := f.site.Count(f.b, `SELECT count(*) FROM portfolio_files`); n != 1 {
			t.Errorf("%d files in B after the retries, want 1", n)
		}
		if f.blobs(t, f.b) != blobsBefore+1 {
			t.Errorf("blobs in B after the retries: %d", f.blobs(t, f.b))
		}
		if n := f.site.Count(f.college, `SELECT count(*) FROM audit_log WHERE action = 'portfolio.transfer.sent'`); n != 1 {
			t.Errorf("%d lines in the collège's audit log after the retries", n)
		}
		// The question is no longer open: the menu's entry is gone.
		rec := f.site.Send(f.b, pupil, http.MethodGet, "/api/v1"+transfer.Root, nil)
		moduletest.WantNotIn(t, rec, "list after", x.ID.String())
	})

	t.Run("the région's console lists the transfers, without the pupils' names", func(t *testing.T) {
		region := f.site.Env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
		gironde := f.site.Env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
		rec := f.admin(region, transfer.ConsoleRoot)
		moduletest.WantCode(t, rec, http.StatusOK, "région")
		moduletest.WantIn(t, rec, "région", "Collège Jean-Moulin", "Lycée de Bordeaux-Lac", "Portfolio apporté", "3 éléments, 1 documents")
		moduletest.WantNotIn(t, rec, "région", "Anatole", "Quintavalle")
		if rec := f.admin(gironde, transfer.ConsoleRoot); rec.Code == http.StatusOK {
			t.Errorf("a département's administrator reads the région's transfers")
		}
	})
}

// TestTransferMinor: lycée to lycée; a minor's acceptance waits for a legal guardian of B's
// directory; a refusal by either ends it; an unanswered question expires at its date.
func TestTransferMinor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	berenice := pupilSpec{"19900002", "Berenice", minorBirth, "29900002"}
	clovis := pupilSpec{"19900003", "Clovis", minorBirth, "29900003"}
	dorothee := pupilSpec{"19900004", "Dorothee", adultBirth, "29900004"}
	inA := f.importInto(t, f.a, "10001", berenice, clovis, dorothee)
	for _, p := range []pupilSpec{berenice, clovis, dorothee} {
		f.seed(t, f.a, f.personOf(t, f.a, p.key))
	}
	f.importInto(t, f.b, "10002", berenice, clovis, dorothee)

	t.Run("the pupil and a legal guardian both accept", func(t *testing.T) {
		x := f.transferOf(t, f.b, berenice.key)
		rec := answer(f, f.b, inA["Berenice"], x.ID, "accepter")
		moduletest.WantCode(t, rec, http.StatusSeeOther, "pupil accepts")
		rec = f.site.Send(f.b, inA["Berenice"], http.MethodGet, rec.Header().Get("Location"), nil)
		moduletest.WantIn(t, rec, "pupil's confirmation", "Un de vos responsables légaux doit aussi accepter")
		if got := f.transferOf(t, f.b, berenice.key); got.Status != transfer.Asked || f.jobsOf(t, got) != 0 {
			t.Fatalf("a minor's acceptance alone: %+v", got)
		}
		parent := inA["ParentBerenice"]
		rec = f.site.Send(f.b, parent, http.MethodGet, "/api/v1"+transfer.Root, nil)
		moduletest.WantIn(t, rec, "guardian's list", x.ID.String(), `"as_pupil":false`, `"minor":true`)
		// Another pupil's parent does not see it.
		rec = f.site.Send(f.b, inA["ParentClovis"], http.MethodGet, transfer.Root+"/"+x.ID.String(), nil)
		moduletest.WantCode(t, rec, http.StatusNotFound, "another parent")
		rec = f.site.Do(f.b, parent, http.MethodPost, "/api/v1"+transfer.Root+"/"+x.ID.String(), "application/json", strings.NewReader(`{"answer":"accepted"}`))
		moduletest.WantCode(t, rec, http.StatusOK, "guardian accepts")
		moduletest.WantIn(t, rec, "guardian accepts", "va être copié")
		got := f.transferOf(t, f.b, berenice.key)
		if got.Status != transfer.Accepted || got.GuardianAnswer == nil || *got.GuardianAnswer != transfer.Accept || got.GuardianID == nil {
			t.Fatalf("after both: %+v", got)
		}
		if n := f.jobsOf(t, got); n != 1 {
			t.Errorf("%d copy jobs", n)
		}
		// The queue's worker copies it.
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if err := f.queue.Start(qctx); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); got.Status != transfer.Done && time.Now().Before(deadline); { // clock-ok: a wait's timeout, not a date
			time.Sleep(200 * time.Millisecond)
			got = f.transferOf(t, f.b, berenice.key)
		}
		if err := f.queue.Stop(ctx); err != nil {
			t.Error(err)
		}
		if got.Status != transfer.Done || got.CopiedItems != 3 {
			t.Fatalf("after the worker: %+v", got)
		}
		if n := f.site.Count(f.b, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ? AND origin_name = 'Lycée Michel-Montaigne'`, x.ToPerson); n != 3 {
			t.Errorf("%d items carried by the worker", n)
		}
	})

	t.Run("a guardian's refusal ends it", func(t *testing.T) {
		x := f.transferOf(t, f.b, clovis.key)
		rec := answer(f, f.b, inA["ParentClovis"], x.ID, "refuser")
		moduletest.WantCode(t, rec, http.StatusSeeOther, "guardian refuses")
		rec = f.site.Send(f.b, inA["ParentClovis"], http.MethodGet, rec.Header().Get("Location"), nil)
		moduletest.WantIn(t, rec, "refusal", "ne sera pas apporté")
		rec = answer(f, f.b, inA["Clovis"], x.ID, "accepter")
		moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "pupil after the refusal")
		got := f.transferOf(t, f.b, clovis.key)
		if got.Status != transfer.Refused || f.jobsOf(t, got) != 0 || got.PupilAnswer != nil {
			t.Fatalf("after the refusal: %+v", got)
		}
		if err := f.svc.Copy(ctx, x.ID); err == nil {
			t.Errorf("a refused transfer was copied")
		}
		if n := f.site.Count(f.b, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ?`, x.ToPerson); n != 0 {
			t.Errorf("%d items after a refusal", n)
		}
	})

	t.Run("a bad answer is refused with a clear message", func(t *testing.T) {
		x := f.transferOf(t, f.b, dorothee.key)
		rec := f.site.Do(f.b, inA["Dorothee"], http.MethodPost, "/api/v1"+transfer.Root+"/"+x.ID.String(), "application/json", strings.NewReader(`{"answer":"peut-être"}`))
		moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "bad answer")
		moduletest.WantIn(t, rec, "bad answer", "accepted")
	})

	t.Run("an unanswered question expires", func(t *testing.T) {
		x := f.transferOf(t, f.b, dorothee.key)
		f.site.Clock.Set(x.ExpiresAt.Add(-time.Hour))
		if n, err := f.svc.Expire(ctx); err != nil || n != 0 {
			t.Fatalf("before its date: %d expired, %v", n, err)
		}
		f.site.Clock.Set(x.ExpiresAt.Add(time.Hour))
		rec := f.site.Send(f.b, inA["Dorothee"], http.MethodGet, "/api/v1"+transfer.Root, nil)
		moduletest.WantNotIn(t, rec, "list past its date", x.ID.String())
		rec = answer(f, f.b, inA["Dorothee"], x.ID, "accepter")
		moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "answer past its date")
		if n, err := f.svc.Expire(ctx); err != nil || n != 1 {
			t.Fatalf("after its date: %d expired, %v", n, err)
		}
		if got := f.transferOf(t, f.b, dorothee.key); got.Status != transfer.Expired || got.PupilAnswer != nil {
			t.Fatalf("after the expiry: %+v", got)
		}
	})
}

// TestTransferAltered: a document altered in the establishment of origin fails the copy with
// a clear status; the receiving establishment has nothing of it (no row, no blob).
func TestTransferAltered(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	eudes := pupilSpec{"19900005", "Eudes", adultBirth, "29900005"}
	inA := f.importInto(t, f.a, "10001", eudes)
	fromPerson := f.personOf(t, f.a, eudes.key)
	f.seed(t, f.a, fromPerson)
	f.importInto(t, f.b, "10002", eudes)
	x := f.transferOf(t, f.b, eudes.key)
	moduletest.WantCode(t, answer(f, f.b, inA["Eudes"], x.ID, "accepter"), http.StatusSeeOther, "accept")

	var key string
	if err := f.site.Reg.DB().ReadTx(ctx, f.a, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT f.blob_key FROM portfolio_files f JOIN portfolio_items i ON i.id = f.item_id WHERE i.pupil_id = ?`, fromPerson).Scan(&key).Error
	}); err != nil || key == "" {
		t.Fatalf("A's file: %q %v", key, err)
	}
	original, err := f.bucket.ReadAll(ctx, tenant.BlobPrefix(f.a)+key)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.bucket.WriteAll(ctx, tenant.BlobPrefix(f.a)+key, []byte("%PDF-1.4 altered"), nil); err != nil {
		t.Fatal(err)
	}
	blobsBefore := f.blobs(t, f.b)
	err = f.svc.Copy(ctx, x.ID)
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("copy of an altered document: %v, want the job cancelled", err)
	}
	got := f.transferOf(t, f.b, eudes.key)
	if got.Status != transfer.Failed || !strings.Contains(got.Failure, "expose.pdf") || !strings.Contains(got.Failure, "SHA-256") {
		t.Fatalf("after the failure: %+v", got)
	}
	if n := f.site.Count(f.b, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ?`, x.ToPerson); n != 0 {
		t.Errorf("%d items in B after a failed copy", n)
	}
	if n := f.blobs(t, f.b); n != blobsBefore {
		t.Errorf("%d blobs in B after a failed copy, want %d", n, blobsBefore)
	}
	if n := f.site.Count(f.b, `SELECT count(*) FROM audit_log WHERE action = 'portfolio.transfer.received'`); n != 0 {
		t.Errorf("B's audit log records a failed copy as received")
	}

	// The document restored in A, the région retries the copy from its console; a
	// département's administrator cannot; a transfer that did not fail is not retried.
	if err := f.bucket.WriteAll(ctx, tenant.BlobPrefix(f.a)+key, original, nil); err != nil {
		t.Fatal(err)
	}
	region := f.site.Env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	gironde := f.site.Env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	retry := transfer.ConsoleRoot + "/" + x.ID.String() + "/relancer"
	rec := f.admin(region, transfer.ConsoleRoot)
	moduletest.WantIn(t, rec, "the console", "Échec", `href="`+retry+`">Relancer la copie`)
	rec = f.admin(region, retry)
	moduletest.WantCode(t, rec, http.StatusOK, "the confirmation")
	moduletest.WantIn(t, rec, "the confirmation", "Relancer la copie du portfolio ?", "La copie a échoué", "expose.pdf", `action="`+retry+`"`, "Annuler")
	jobsBefore := f.jobsOf(t, got)
	for _, rec := range []*httptest.ResponseRecorder{f.admin(gironde, retry), f.adminPost(gironde, retry)} {
		if rec.Code < 400 {
			t.Errorf("a département's administrator retries a transfer: %d", rec.Code)
		}
	}
	if got := f.transferOf(t, f.b, eudes.key); got.Status != transfer.Failed || f.jobsOf(t, got) != jobsBefore {
		t.Fatalf("after a département's attempt: %+v", got)
	}
	rec = f.adminPost(region, retry)
	moduletest.WantCode(t, rec, http.StatusSeeOther, "the région retries")
	moduletest.WantIn(t, f.admin(region, rec.Header().Get("Location")), "the console after the retry", "La copie est relancée")
	got = f.transferOf(t, f.b, eudes.key)
	if got.Status != transfer.Accepted || got.Failure != "" || f.jobsOf(t, got) != jobsBefore+1 {
		t.Fatalf("after the retry: %+v, %d jobs", got, f.jobsOf(t, got))
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.audit_log WHERE action = 'portfolio.transfer.retry' AND subject = ?`, x.ID.String()); n != 1 {
		t.Errorf("%d audit lines of the retry", n)
	}
	if err := f.svc.Copy(ctx, x.ID); err != nil { // what the job does
		t.Fatalf("the retried copy: %v", err)
	}
	if got = f.transferOf(t, f.b, eudes.key); got.Status != transfer.Done || got.CopiedFiles != 1 {
		t.Fatalf("after the retried copy: %+v", got)
	}
	moduletest.WantCode(t, f.adminPost(region, retry), http.StatusConflict, "retry a done transfer")
	moduletest.WantCode(t, f.adminPost(region, transfer.ConsoleRoot+"/"+uuid.NewString()+"/relancer"), http.StatusNotFound, "retry an unknown transfer")
	moduletest.WantCode(t, f.admin(region, transfer.ConsoleRoot+"/pas-un-id/relancer"), http.StatusNotFound, "a malformed id")
}

// TestCopyGivesUpVisibly: a copy that keeps failing for a reason other than a document
// (here: no blob store) is retried by the queue, then, at its last attempt, marked failed
// with the error, so that the région sees it in its console and can retry it there.
func TestCopyGivesUpVisibly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fanny := pupilSpec{"19900006", "Fanny", adultBirth, "29900006"}
	inA := f.importInto(t, f.a, "10001", fanny)
	f.seed(t, f.a, f.personOf(t, f.a, fanny.key))
	f.importInto(t, f.b, "10002", fanny)
	x := f.transferOf(t, f.b, fanny.key)
	moduletest.WantCode(t, answer(f, f.b, inA["Fanny"], x.ID, "accepter"), http.StatusSeeOther, "accept")

	broken := transfer.NewService(f.site.Reg.DB(), f.site.Reg.Platform(), f.folio, nil, f.site.Clock.Now) // no blob store
	job := func(attempt int) *river.Job[transfer.CopyPortfolio] {
		return &river.Job[transfer.CopyPortfolio]{JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: 10}, Args: transfer.CopyPortfolio{Transfer: x.ID}}
	}
	var cancel *river.JobCancelError
	if err := transfer.WorkCopy(ctx, broken, job(3)); err == nil || errors.As(err, &cancel) {
		t.Fatalf("a failing copy before its last attempt: %v, want an error the queue retries", err)
	}
	if got := f.transferOf(t, f.b, fanny.key); got.Status != transfer.Accepted {
		t.Fatalf("after a failed attempt: %s", got.Status)
	}
	if err := transfer.WorkCopy(ctx, broken, job(10)); !errors.As(err, &cancel) {
		t.Fatalf("the last attempt: %v, want the job cancelled", err)
	}
	got := f.transferOf(t, f.b, fanny.key)
	if got.Status != transfer.Failed || !strings.Contains(got.Failure, "10 essais") || !strings.Contains(got.Failure, "blob store") {
		t.Fatalf("after the last attempt: %s %q", got.Status, got.Failure)
	}
	region := f.site.Env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	moduletest.WantCode(t, f.adminPost(region, transfer.ConsoleRoot+"/"+x.ID.String()+"/relancer"), http.StatusSeeOther, "the région retries")
	if err := transfer.WorkCopy(ctx, f.svc, job(1)); err != nil {
		t.Fatalf("the retried copy: %v", err)
	}
	if got := f.transferOf(t, f.b, fanny.key); got.Status != transfer.Done {
		t.Fatalf("after the retried copy: %s", got.Status)
	}
}
