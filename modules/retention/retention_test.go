package retention_test

// The retention on real PostgreSQL and Kratos: the leavers' portfolios warned once 30 days
// before their purge and purged with the account at purge_after (just before, just after),
// the connection logs at one year, every run reported per establishment and kind, another
// establishment untouched; the console page for the région's administrators only.

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/modules/retention"
	"github.com/cartable-ent/cartable/tenant"
)

// mailQueue records the notifications' e-mail jobs instead of running them.
type mailQueue struct {
	mu   sync.Mutex
	jobs []jobs.Planned
}

func (q *mailQueue) InsertManyTx(_ *gorm.DB, _ *tenant.Tenant, js []jobs.Planned) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, js...)
	return nil
}

// removed records the blobs the purge removes.
type removed struct {
	mu   sync.Mutex
	keys []string
}

func (r *removed) Remove(_ context.Context, t *tenant.Tenant, keys ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		r.keys = append(r.keys, string(t.UAI)+"/"+k)
	}
	return nil
}

// dirPurge is the directory's purge of leavers as cmd/cartable adapts it.
type dirPurge struct{ s *moduletest.Site }

func (d dirPurge) PurgeLeavers(ctx context.Context, t *tenant.Tenant, now time.Time) (int, int, error) {
	r, err := d.s.Env.Directory.PurgeLeavers(ctx, t, now, identity.Records{})
	return r.People, r.Identities, err
}

type site struct {
	*moduletest.Site
	a, b   *tenant.Tenant
	svc    *retention.Service
	report *retention.Report
	mails  *mailQueue
	blobs  *removed
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := moduletest.New(t, moduletest.Options{Templates: []fs.FS{retention.Templates}, LogWarnings: true})
	s.Srv.Admin().Use(s.Auth.Platform)
	st := &site{Site: s, mails: &mailQueue{}, blobs: &removed{}}
	st.a = s.Establishment(1, "Lycée Montaigne")
	st.b = s.Establishment(2, "Lycée Camille-Jullian")
	n := notify.NewService(s.Reg.DB(), s.Clock.Now)
	n.SetQueue(st.mails)
	st.report = retention.NewReport(s.Reg.Platform(), s.Clock.Now)
	st.svc = retention.NewService(retention.Config{DB: s.Reg.DB(), Report: st.report, Notifier: n, Portfolios: portfolio.NewService(s.Reg.DB(), s.Clock.Now), Blobs: st.blobs,
		Account: "http://cartable.test/compte", Now: s.Clock.Now})
	return st
}

// leaver is a pupil of tn who left at now, kept until purge, with a portfolio of n items and
// one file of size bytes, their e-mail set, born on birth; guardian is their legal guardian.
func (s *site) leaver(tn *tenant.Tenant, purge time.Time, n int, bytes int64, birth string) (pupil, guardian directorytest.Member) {
	s.T.Helper()
	pupil = s.Member(tn, identity.RoleEleve, "Léa", "Martin")
	guardian = s.Member(tn, identity.RoleResponsable, "Paul", "Martin")
	s.Exec(tn, `UPDATE people SET email = 'lea@example.test', birth_date = ? WHERE id = ?`, birth, pupil.PersonID)
	s.Exec(tn, `UPDATE people SET email = 'paul@example.test' WHERE id = ?`, guardian.PersonID)
	s.Exec(tn, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1)`, pupil.PersonID, guardian.PersonID)
	now := s.Clock.Now()
	var first uuid.UUID
	for i := 0; i < n; i++ {
		id := uuid.New()
		if i == 0 {
			first = id
		}
		s.Exec(tn, `INSERT INTO portfolio_items (id, pupil_id, school_year, kind, title, occurred_at, created_at, updated_at)
			VALUES (?, ?, ?, 'document', ?, ?, ?, ?)`, id, pupil.PersonID, s.Year(), fmt.Sprintf("Travail %d", i+1), now, now, now)
	}
	if bytes > 0 {
		s.Exec(tn, `INSERT INTO portfolio_files (item_id, blob_key, name, content_type, size, sha256, created_at)
			VALUES (?, ?, 'expose.pdf', 'application/pdf', ?, ?, ?)`, first, "portfolio/"+pupil.PersonID.String(), bytes, strings.Repeat("a", 64), now)
	}
	s.Exec(tn, `UPDATE people SET active = false, deactivated_at = ?, purge_after = ? WHERE id = ?`, now, purge, pupil.PersonID)
	return pupil, guardian
}

// notices are the retention notifications person received in tn.
func (s *site) notices(tn *tenant.Tenant, person uuid.UUID) []string {
	s.T.Helper()
	var out []string
	err := s.Reg.DB().ReadTx(context.Background(), tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT n.title || ' | ' || n.body FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE r.person_id = ? AND n.kind = 'conservation' ORDER BY r.created_at`, person).Scan(&out).Error
	})
	if err != nil {
		s.T.Fatal(err)
	}
	return out
}

// runs are the report's rows of tn and kind: "count/bytes" per run, in order.
func (s *site) runs(tn *tenant.Tenant, kind string) []string {
	s.T.Helper()
	var out []string
	if err := s.Reg.Platform().Raw(`SELECT count || '/' || bytes FROM platform.retention_runs WHERE tenant_id = ? AND kind = ? ORDER BY id`,
		tn.ID, kind).Scan(&out).Error; err != nil {
		s.T.Fatal(err)
	}
	return out
}

func TestLeaverPortfolioWarnedOnceThenPurged(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	start := s.Clock.Now()
	purge := start.Add(40 * 24 * time.Hour)
	pupil, guardian := s.leaver(s.a, purge, 2, 1234, "2010-03-14")
	adult, adultGuardian := s.leaver(s.a, purge, 1, 0, "2007-01-02") // 19 at the warning: their guardian is not told
	other, otherGuardian := s.leaver(s.b, purge, 3, 99, "2010-05-05")
	stays := s.Member(s.a, identity.RoleEleve, "Jean", "Reste")
	s.Exec(s.a, `INSERT INTO portfolio_items (pupil_id, school_year, kind, title, occurred_at, created_at, updated_at)
		VALUES (?, ?, 'document', 'Toujours là', now(), now(), now())`, stays.PersonID, s.Year())

	warn := func(at time.Time) int {
		t.Helper()
		n, err := s.svc.WarnLeavers(ctx, s.a, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Just before the warning's window: nobody is told.
	if n := warn(purge.Add(-retention.WarnBefore - time.Minute)); n != 0 {
		t.Fatalf("%d warned 30 days and a minute before the purge, want 0", n)
	}
	if got := s.notices(s.a, pupil.PersonID); len(got) != 0 {
		t.Fatalf("notices before the window: %q", got)
	}
	// Just inside it: the pupil and their guardian (a minor's) are told, with the date and the link.
	if n := warn(purge.Add(-retention.WarnBefore + time.Minute)); n != 2 {
		t.Fatalf("%d warned inside the window, want 2", n)
	}
	date := purge.In(time.FixedZone("CET", 3600)).Format("02/01/2006")
	got := s.notices(s.a, pupil.PersonID)
	if len(got) != 1 || !strings.Contains(got[0], "Votre portfolio sera supprimé le "+date) || !strings.Contains(got[0], "http://cartable.test/compte") ||
		!strings.Contains(got[0], "« Mes données personnelles »") || !strings.Contains(got[0], "2 éléments") {
		t.Errorf("pupil's notices = %q", got)
	}
	if got := s.notices(s.a, guardian.PersonID); len(got) != 1 || !strings.Contains(got[0], "Le portfolio de Léa-") || !strings.Contains(got[0], date) {
		t.Errorf("guardian's notices = %q", got)
	}
	if got := s.notices(s.a, adult.PersonID); len(got) != 1 {
		t.Errorf("adult pupil's notices = %q", got)
	}
	if got := s.notices(s.a, adultGuardian.PersonID); len(got) != 0 {
		t.Errorf("an adult's guardian was told: %q", got)
	}
	// The pupil who left has an e-mail: it goes (their departure does not stop this kind).
	if n := s.Count(s.a, `SELECT count(*) FROM notification_mails WHERE person_id = ? AND address = 'lea@example.test'`, pupil.PersonID); n != 1 {
		t.Errorf("%d e-mails to the pupil who left, want 1", n)
	}
	if len(s.mails.jobs) == 0 {
		t.Error("no e-mail job enqueued")
	}
	// Once: the next days tell nobody again.
	if n := warn(purge.Add(-24 * time.Hour)); n != 0 {
		t.Fatalf("%d warned again, want 0", n)
	}
	if got := s.notices(s.a, pupil.PersonID); len(got) != 1 {
		t.Errorf("pupil told %d times", len(got))
	}
	// The other establishment's pupil, in the same situation, was not touched.
	if got := s.notices(s.b, other.PersonID); len(got) != 0 {
		t.Errorf("other establishment's pupil told: %q", got)
	}
	if got := s.notices(s.b, otherGuardian.PersonID); len(got) != 0 {
		t.Errorf("other establishment's guardian told: %q", got)
	}

	purger := s.svc.Leavers(dirPurge{s.Site})
	// Just before purge_after: nothing goes, the run is reported with zeros.
	if people, _, err := purger.PurgeLeavers(ctx, s.a, purge.Add(-time.Minute)); err != nil || people != 0 {
		t.Fatalf("purge before the date: %d people, %v", people, err)
	}
	if n := s.Count(s.a, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ?`, pupil.PersonID); n != 2 {
		t.Fatalf("%d items left before the date, want 2", n)
	}
	// Just after: the portfolios, their files and the people go.
	if people, _, err := purger.PurgeLeavers(ctx, s.a, purge.Add(time.Minute)); err != nil || people != 2 {
		t.Fatalf("purge after the date: %d people, %v; want 2", people, err)
	}
	if n := s.Count(s.a, `SELECT count(*) FROM portfolio_items WHERE pupil_id IN (?, ?)`, pupil.PersonID, adult.PersonID); n != 0 {
		t.Errorf("%d items of the leavers left", n)
	}
	if n := s.Count(s.a, `SELECT count(*) FROM people WHERE id IN (?, ?)`, pupil.PersonID, adult.PersonID); n != 0 {
		t.Errorf("%d leavers left", n)
	}
	if n := s.Count(s.a, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ?`, stays.PersonID); n != 1 {
		t.Errorf("the pupil who stays has %d items, want 1", n)
	}
	if want := string(s.a.UAI) + "/portfolio/" + pupil.PersonID.String(); len(s.blobs.keys) != 1 || s.blobs.keys[0] != want {
		t.Errorf("blobs removed = %q, want [%s]", s.blobs.keys, want)
	}
	if got, want := s.runs(s.a, retention.KindPortfolio), []string{"0/0", "3/1234"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("portfolio report = %v, want %v", got, want)
	}
	if got, want := s.runs(s.a, retention.KindAccounts), []string{"0/0", "2/0"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("accounts report = %v, want %v", got, want)
	}
	// The other establishment: all there, nothing reported.
	if n := s.Count(s.b, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ?`, other.PersonID); n != 3 {
		t.Errorf("other establishment's pupil has %d items, want 3", n)
	}
	if got := s.runs(s.b, retention.KindPortfolio); len(got) != 0 {
		t.Errorf("other establishment reported %v", got)
	}
}

func TestLeaverBackThenGoneAgainIsWarnedAgain(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	purge := s.Clock.Now().Add(20 * 24 * time.Hour)
	pupil, _ := s.leaver(s.a, purge, 1, 0, "2011-01-01")
	// The daily job, at the clock's date.
	j := s.svc.Jobs(onlyA{s.a}, nil)
	if len(j.PeriodicJobs()) != 2 || j.JobLabels()[retention.WarnPortfolios{}.Kind()] == "" || j.JobLabels()[retention.PurgeConnections{}.Kind()] == "" {
		t.Fatalf("jobs: %d periodic, labels %v", len(j.PeriodicJobs()), j.JobLabels())
	}
	if err := j.Warn(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.notices(s.a, pupil.PersonID); len(got) != 1 {
		t.Fatalf("told %d times by the job, want 1", len(got))
	}
	// Back (an import reactivates them), then gone again with a new date: told again.
	later := purge.Add(60 * 24 * time.Hour)
	s.Exec(s.a, `UPDATE people SET active = true, purge_after = NULL WHERE id = ?`, pupil.PersonID)
	if n, err := s.svc.WarnLeavers(ctx, s.a, s.Clock.Now()); err != nil || n != 0 {
		t.Fatalf("warned %d while active, %v; want 0", n, err)
	}
	s.Exec(s.a, `UPDATE people SET active = false, purge_after = ? WHERE id = ?`, later, pupil.PersonID)
	if n, err := s.svc.WarnLeavers(ctx, s.a, later.Add(-24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("warned %d for the new date, %v; want 1", n, err)
	}
	if got := s.notices(s.a, pupil.PersonID); len(got) != 2 {
		t.Errorf("told %d times, want 2", len(got))
	}
}

func TestConnectionLogsKeptOneYear(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	// The clock: 2026-10-05 in Paris.
	for _, tn := range []*tenant.Tenant{s.a, s.b} {
		for _, day := range []string{"2025-10-04", "2025-10-05", "2026-10-01"} {
			if err := s.Reg.Platform().Exec(`INSERT INTO platform.billing_signins (tenant_id, day, identity_id, profile) VALUES (?, ?, ?, 'eleve')`,
				tn.ID, day, uuid.New()).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	j := s.svc.Jobs(onlyA{s.a}, nil)
	if err := j.PurgeConnectionLogs(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(tn *tenant.Tenant) []string {
		var days []string
		s.Reg.Platform().Raw(`SELECT day::text FROM platform.billing_signins WHERE tenant_id = ? ORDER BY day`, tn.ID).Scan(&days)
		return days
	}
	// A year and a day ago goes; exactly a year ago stays (kept « un an au plus »).
	if got := count(s.a); fmt.Sprint(got) != "[2025-10-05 2026-10-01]" {
		t.Errorf("A's sign-ins left: %v", got)
	}
	// B is not live (onlyA): its old sign-ins go in the sweep of the others, reported too.
	if got := count(s.b); fmt.Sprint(got) != "[2025-10-05 2026-10-01]" {
		t.Errorf("B's sign-ins left: %v", got)
	}
	if got := s.runs(s.b, retention.KindConnections); fmt.Sprint(got) != "[1/0]" {
		t.Errorf("B's report = %v", got)
	}
	if got := s.runs(s.a, retention.KindConnections); fmt.Sprint(got) != "[1/0]" {
		t.Errorf("A's report = %v", got)
	}
}

// onlyA lists one establishment.
type onlyA struct{ t *tenant.Tenant }

func (o onlyA) Live(context.Context) ([]tenant.Tenant, error) { return []tenant.Tenant{*o.t}, nil }

func TestReportRefusesUnknownKinds(t *testing.T) {
	s := newSite(t)
	if err := s.report.Purged(context.Background(), s.a, "inconnu", 1, 0); err == nil {
		t.Error("an unknown kind was recorded")
	}
	for _, k := range retention.Kinds {
		if k.Label == "" || k.Duration == "" || k.Basis == "" || k.Applied == "" {
			t.Errorf("kind %s is not described: %+v", k.Code, k)
		}
	}
}

func TestConsolePage(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	h := retention.NewHandler(s.report, 90*24*time.Hour)
	if err := s.Auth.MountModule(identity.Hosts{Admin: s.Srv.Admin(), Tenant: s.Srv.Tenants()}, h.Module(s.svc)); err != nil {
		t.Fatal(err)
	}
	if err := s.report.Purged(ctx, s.a, retention.KindMessages, 12, 3<<20); err != nil {
		t.Fatal(err)
	}
	if err := s.report.Purged(ctx, s.a, retention.KindMessages, 3, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.report.Purged(ctx, s.b, retention.KindAccounts, 4, 0); err != nil {
		t.Fatal(err)
	}
	// A run older than the page's 30 days is not counted.
	if err := s.Reg.Platform().Exec(`INSERT INTO platform.retention_runs (day, tenant_id, kind, count, bytes, ran_at) VALUES (?, ?, 'messages', 1000, 0, ?)`,
		"2026-09-05", s.a.ID, time.Date(2026, 9, 5, 3, 0, 0, 0, time.UTC)).Error; err != nil {
		t.Fatal(err)
	}
	region := s.Env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	gironde := s.Env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	direction := s.Member(s.a, identity.RoleDirection, "Anne", "Chef")

	rec := admin(s, region, "/console/conservation")
	moduletest.WantCode(t, rec, http.StatusOK, "région's page")
	moduletest.WantIn(t, rec, "région's page", "<h1>Conservation des données</h1>", "Arrêté du 30 novembre 2006", "90 jours après la suppression",
		"Registre d&#39;appel", "10 ans", "Lycée Montaigne", "Lycée Camille-Jullian", "<td>15</td>", "3,1 Mo", "<td>4</td>", "rapport.csv")
	moduletest.WantNotIn(t, rec, "région's page", "1015")

	rec = admin(s, region, "/console/conservation/rapport.csv")
	moduletest.WantCode(t, rec, http.StatusOK, "CSV")
	body := rec.Body.String()
	if !strings.HasPrefix(body, "\uFEFFUAI;Établissement;") || !strings.Contains(body, string(s.a.UAI)+";Lycée Montaigne;Messages de la messagerie;messages;2;15;3145728;") {
		t.Errorf("CSV = %q", body)
	}

	rec = admin(s, gironde, "/console/conservation")
	if rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Errorf("département's administrator: %d, want 403 or 404", rec.Code)
	}
	moduletest.WantNotIn(t, rec, "département's page", "Lycée Montaigne")
	rec = admin(s, gironde, "/console/conservation/rapport.csv")
	if rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Errorf("département's CSV: %d, want 403 or 404", rec.Code)
	}
	// Nothing of it on an establishment's host, whoever asks.
	rec = s.Get(direction, "/console/conservation")
	moduletest.WantCode(t, rec, http.StatusNotFound, "establishment's host")
}

func admin(s *site, m directorytest.Member, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Host = "admin." + moduletest.BaseDomain
	req.Header.Set("X-Session-Token", m.Token)
	rec := httptest.NewRecorder()
	s.Srv.ServeHTTP(rec, req)
	return rec
}

// TestDeletedEstablishmentReported: the registry's purge of a deleted establishment, past its
// retention, is reported once for it; a day before, nothing is purged nor reported.
func TestDeletedEstablishmentReported(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	gone, err := s.Reg.Delete(ctx, string(s.b.UAI), "test")
	if err != nil {
		t.Fatal(err)
	}
	purger := s.svc.Establishments(s.Reg)
	if done, err := purger.Purge(ctx, gone.PurgeAfter.Add(-24*time.Hour), "test"); err != nil || len(done) != 0 {
		t.Fatalf("purge a day early: %v, %v", done, err)
	}
	if done, err := purger.Purge(ctx, gone.PurgeAfter.Add(time.Minute), "test"); err != nil || len(done) != 1 {
		t.Fatalf("purge: %v, %v", done, err)
	}
	if got := s.runs(s.b, retention.KindEstablishments); fmt.Sprint(got) != "[1/0]" {
		t.Errorf("report of the deleted establishment = %v", got)
	}
	if got := s.runs(s.a, retention.KindEstablishments); len(got) != 0 {
		t.Errorf("the live establishment reported %v", got)
	}
}

// TestPortfolioPurgeInBatches: more leavers than one transaction takes are all purged.
func TestPortfolioPurgeInBatches(t *testing.T) {
	s := newSite(t)
	now := s.Clock.Now()
	s.Exec(s.a, `WITH p AS (
			INSERT INTO people (category, last_name, first_name, active, deactivated_at, purge_after)
			SELECT 'eleve', 'Parti', 'n' || g, false, ?, ? FROM generate_series(1, 450) g RETURNING id
		)
		INSERT INTO portfolio_items (pupil_id, school_year, kind, title, occurred_at, created_at, updated_at)
		SELECT id, ?, 'document', 'Travail', ?, ?, ? FROM p`, now.AddDate(0, -3, 0), now.Add(-time.Hour), s.Year(), now, now, now)
	count, bytes, err := s.svc.PurgePortfolios(context.Background(), s.a, now)
	if err != nil || count != 450 || bytes != 0 {
		t.Fatalf("purged %d items, %d bytes, %v; want 450", count, bytes, err)
	}
	if n := s.Count(s.a, `SELECT count(*) FROM portfolio_items`); n != 0 {
		t.Errorf("%d items left", n)
	}
}
