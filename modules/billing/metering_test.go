package billing

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/migrations"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/module"
)

// meterEnv is a registry and a billing store on one test clock, with helpers that write
// the metering's inputs directly (memberships, sign-ins, file space).
type meterEnv struct {
	t     testing.TB
	ctx   context.Context
	reg   *tenant.Registry
	clock *testenv.Clock
	store *Store
}

// parisAt is 10:00 (Paris) on the given day of 2026.
func parisAt(month time.Month, day int) time.Time {
	return time.Date(2026, month, day, 10, 0, 0, 0, Paris)
}

func newMeterEnv(t testing.TB, now time.Time, opts tenant.Options) *meterEnv {
	t.Helper()
	clock := testenv.NewClock(now)
	opts.Now = clock.Now
	reg := tenanttest.NewRegistry(t, opts, tenant.PoolOptions{MaxOpenConns: 8})
	tenanttest.OptIn(t, reg, "33")
	return &meterEnv{t: t, ctx: context.Background(), reg: reg, clock: clock, store: NewStore(reg.Platform(), clock.Now)}
}

func (e *meterEnv) exec(q string, args ...any) {
	e.t.Helper()
	if err := e.reg.Platform().Exec(q, args...).Error; err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

func (e *meterEnv) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.reg.Platform().Raw(q, args...).Scan(&n).Error; err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// establishment provisions one, created (as the registry says) on 1 January 2020: GORM
// stamps created_at with the wall clock, which no test may depend on.
func (e *meterEnv) establishment(dep, n int, name, kind string) *tenant.Tenant {
	e.t.Helper()
	tn := tenanttest.Provision(e.t, e.reg, tenanttest.UAI(dep, n), name, kind)
	e.createdOn(tn, time.Date(2020, 1, 1, 12, 0, 0, 0, Paris))
	return tn
}

func (e *meterEnv) createdOn(tn *tenant.Tenant, at time.Time) {
	e.t.Helper()
	e.exec(`UPDATE platform.tenants SET created_at = ? WHERE id = ?`, at, tn.ID)
	tn.CreatedAt = at
}

// member adds an account and an active membership of tn with these roles.
func (e *meterEnv) member(tn *tenant.Tenant, roles ...string) uuid.UUID {
	e.t.Helper()
	id := uuid.New()
	e.exec(`INSERT INTO platform.accounts (identity_id, login) VALUES (?, ?)`, id, "u-"+id.String()[:13])
	e.exec(`INSERT INTO platform.memberships (identity_id, tenant_id, person_id, roles) VALUES (?, ?, ?, ?)`,
		id, tn.ID, uuid.New(), identity.Roles(toRoles(roles)))
	return id
}

func toRoles(rs []string) []module.Role {
	out := make([]module.Role, len(rs))
	for i, r := range rs {
		out[i] = module.Role(r)
	}
	return out
}

// signIn records that id signed in tn at instant at, through the recorder.
func (e *meterEnv) signIn(tn *tenant.Tenant, id uuid.UUID, at time.Time, roles ...string) {
	e.t.Helper()
	r := &SignIns{db: e.store.db, now: func() time.Time { return at }, seen: NewSignIns(e.store).seen}
	if err := r.SignedIn(e.ctx, tn, id, toRoles(roles)); err != nil {
		e.t.Fatal(err)
	}
}

// files sets tn's file space to bytes (one row of file_space).
func (e *meterEnv) files(tn *tenant.Tenant, bytes int64) {
	e.t.Helper()
	err := e.reg.DB().Tx(e.ctx, tn, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO file_space (table_name, content_type, files, bytes) VALUES ('news_files', 'application/pdf', 1, ?)
			ON CONFLICT (table_name, content_type) DO UPDATE SET bytes = excluded.bytes`, bytes).Error
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// closeMonth records month as closed (and the tariff it needs).
func (e *meterEnv) closeMonth(month time.Time) {
	e.t.Helper()
	e.exec(`INSERT INTO platform.billing_tariffs (effective_from, platform_month, pupil_month, school_month, gb_month, vat_basis, split_key, created_by)
		VALUES ('2020-01-01', 100000, 10, 1200, 50, 2000, 'eleves_actifs', 'test') ON CONFLICT (effective_from) DO NOTHING`)
	e.exec(`INSERT INTO platform.billing_months (month, tariff_id, closed_by)
		SELECT ?, id, 'test' FROM platform.billing_tariffs WHERE effective_from = '2020-01-01'`, month)
}

type usageDay struct {
	Profile          string
	Active, Accounts int
	MeteredAt        time.Time
}

func (e *meterEnv) usageDays(tn *tenant.Tenant, day time.Time) map[string]usageDay {
	e.t.Helper()
	var rows []usageDay
	if err := e.reg.Platform().Raw(`SELECT profile, active, accounts, metered_at FROM platform.billing_usage_days WHERE tenant_id = ? AND day = ?`,
		tn.ID, DayOf(day)).Scan(&rows).Error; err != nil {
		e.t.Fatal(err)
	}
	out := map[string]usageDay{}
	for _, r := range rows {
		out[r.Profile] = r
	}
	return out
}

func (e *meterEnv) storageDay(tn *tenant.Tenant, day time.Time) (int64, bool) {
	e.t.Helper()
	var b []int64
	if err := e.reg.Platform().Raw(`SELECT bytes FROM platform.billing_storage_days WHERE tenant_id = ? AND day = ?`, tn.ID, DayOf(day)).Scan(&b).Error; err != nil {
		e.t.Fatal(err)
	}
	if len(b) == 0 {
		return 0, false
	}
	return b[0], true
}

// TestProfileOf: one profile per person, the same in Go and in SQL (MeterDay counts the
// accounts with profileSQL, SignIns records ProfileOf).
func TestProfileOf(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.November, 10), tenant.Options{})
	for _, c := range []struct {
		roles []string
		want  string
	}{
		{[]string{"eleve"}, ProfileEleve},
		{[]string{"responsable", "eleve"}, ProfileEleve},
		{[]string{"enseignant"}, ProfileEnseignant},
		{[]string{"responsable", "enseignant"}, ProfileEnseignant},
		{[]string{"direction", "enseignant"}, ProfileEnseignant},
		{[]string{"direction"}, ProfilePersonnel},
		{[]string{"vie_scolaire", "responsable"}, ProfilePersonnel},
		{[]string{"admin"}, ProfilePersonnel},
		{[]string{"inspecteur"}, ProfilePersonnel},
		{[]string{"personnel"}, ProfilePersonnel},
		{[]string{"responsable"}, ProfileResponsable},
		{[]string{"responsable", "responsable"}, ProfileResponsable},
		{nil, ProfilePersonnel},
	} {
		if got := ProfileOf(toRoles(c.roles)); got != c.want {
			t.Errorf("ProfileOf(%v) = %s, want %s", c.roles, got, c.want)
		}
		var sql string
		if err := e.reg.Platform().Raw(`SELECT `+profileSQL("r")+` FROM (SELECT ?::text[] AS r) x`, identity.Roles(toRoles(c.roles))).Scan(&sql).Error; err != nil {
			t.Fatal(err)
		}
		if sql != c.want {
			t.Errorf("profileSQL(%v) = %s, want %s", c.roles, sql, c.want)
		}
	}
}

// TestMeterDayIdempotent: a day's metering per establishment and profile, storage from
// the tenant's file space; suspended establishments count, deleted ones and those opened
// later do not; re-running the day changes nothing (not even metered_at).
func TestMeterDayIdempotent(t *testing.T) {
	day := parisAt(time.November, 10)
	e := newMeterEnv(t, day, tenant.Options{})
	lycee := e.establishment(33, 21, "Lycée Montaigne", "lycee")
	college := e.establishment(33, 22, "Collège Cheverus", "college")
	later := e.establishment(33, 23, "Lycée ouvert plus tard", "lycee")
	e.createdOn(later, parisAt(time.November, 11))
	gone := e.establishment(33, 24, "Lycée fermé", "lycee")

	p1, p2 := e.member(lycee, "eleve"), e.member(lycee, "eleve")
	e.member(lycee, "eleve") // never signs in
	teacher := e.member(lycee, "enseignant", "responsable")
	e.member(lycee, "responsable")
	e.member(lycee, "direction")
	e.exec(`UPDATE platform.memberships SET active = false WHERE identity_id = ?`, e.member(lycee, "eleve")) // left
	e.signIn(lycee, p1, day, "eleve")
	e.signIn(lycee, p1, day.Add(3*time.Hour), "eleve")  // same day: one
	e.signIn(lycee, p2, day.Add(-9*time.Hour), "eleve") // 01:00 Paris: the same day
	e.signIn(lycee, teacher, day, "enseignant", "responsable")
	e.signIn(lycee, p2, day.AddDate(0, 0, -1), "eleve")   // the day before
	e.signIn(lycee, p2, day.Add(14*time.Hour+1), "eleve") // 00:00 the next day (Paris)
	e.files(lycee, 1_500_000)
	cp := e.member(college, "eleve")
	e.signIn(college, cp, day, "eleve")
	e.files(college, 42)
	if _, err := e.reg.Suspend(e.ctx, string(college.UAI), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.Delete(e.ctx, string(gone.UAI), "test"); err != nil {
		t.Fatal(err)
	}

	if err := e.store.MeterDay(e.ctx, DayOf(day)); err != nil {
		t.Fatalf("MeterDay: %v", err)
	}
	want := map[string][2]int{ProfileEleve: {2, 3}, ProfileEnseignant: {1, 1}, ProfilePersonnel: {0, 1}, ProfileResponsable: {0, 1}}
	first := e.usageDays(lycee, day)
	for _, p := range Profiles {
		got := first[p]
		if w := want[p]; got.Active != w[0] || got.Accounts != w[1] {
			t.Errorf("lycée, %s: %d active, %d accounts; want %d, %d", p, got.Active, got.Accounts, w[0], w[1])
		}
	}
	if b, ok := e.storageDay(lycee, day); !ok || b != 1_500_000 {
		t.Errorf("lycée's storage = %d (%v), want 1500000", b, ok)
	}
	if got := e.usageDays(college, day)[ProfileEleve]; got.Active != 1 || got.Accounts != 1 {
		t.Errorf("suspended collège's pupils: %+v, want 1 active of 1", got)
	}
	if b, _ := e.storageDay(college, day); b != 42 {
		t.Errorf("suspended collège's storage = %d, want 42", b)
	}
	if n := e.count(`SELECT count(*) FROM platform.billing_usage_days WHERE tenant_id IN (?, ?)`, later.ID, gone.ID); n != 0 {
		t.Errorf("%d usage rows for an establishment opened later or deleted", n)
	}

	// Again, and again after the clock moved: the same rows, untouched.
	e.clock.Advance(2 * time.Hour)
	if err := e.store.MeterDay(e.ctx, DayOf(day)); err != nil {
		t.Fatalf("MeterDay again: %v", err)
	}
	again := e.usageDays(lycee, day)
	for _, p := range Profiles {
		if again[p] != first[p] || !again[p].MeteredAt.Equal(first[p].MeteredAt) {
			t.Errorf("re-run changed %s: %+v → %+v", p, first[p], again[p])
		}
	}
	if n := e.count(`SELECT count(*) FROM platform.billing_usage_days`); n != 2*len(Profiles) {
		t.Errorf("%d usage rows, want %d", n, 2*len(Profiles))
	}

	// A change of the data is what changes the figures.
	e.files(lycee, 2_000_000)
	if err := e.store.MeterDay(e.ctx, DayOf(day)); err != nil {
		t.Fatal(err)
	}
	if b, _ := e.storageDay(lycee, day); b != 2_000_000 {
		t.Errorf("storage after more files = %d, want 2000000", b)
	}

	// The job meters yesterday and today.
	jobs := RegisterMeterJobs(e.store, e.reg, nil)
	if err := jobs.MeterRecent(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.usageDays(lycee, day.AddDate(0, 0, -1))[ProfileEleve]; got.Active != 1 {
		t.Errorf("yesterday's active pupils = %d, want 1", got.Active)
	}
}

// TestMeterDayFrozenMonth: a closed month's days are left as they were, and the job does
// not fail for it; the trigger refuses whoever writes them anyway.
func TestMeterDayFrozenMonth(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.December, 1), tenant.Options{})
	lycee := e.establishment(33, 21, "Lycée Montaigne", "lycee")
	p := e.member(lycee, "eleve")
	e.files(lycee, 1000)
	nov30 := DayOf(parisAt(time.November, 30))
	if err := e.store.MeterDay(e.ctx, nov30); err != nil {
		t.Fatal(err)
	}
	e.closeMonth(MonthOf(nov30))

	e.signIn(lycee, p, parisAt(time.November, 30), "eleve") // late news of the closed day
	e.files(lycee, 5000)
	if err := e.store.MeterDay(e.ctx, nov30); err != nil {
		t.Fatalf("MeterDay of a closed month: %v, want nil", err)
	}
	if got := e.usageDays(lycee, nov30)[ProfileEleve]; got.Active != 0 {
		t.Errorf("closed day's active pupils = %d, want 0 (frozen)", got.Active)
	}
	if b, _ := e.storageDay(lycee, nov30); b != 1000 {
		t.Errorf("closed day's storage = %d, want 1000 (frozen)", b)
	}
	// The job (yesterday 30 November closed, today 1 December open) goes on.
	if err := RegisterMeterJobs(e.store, e.reg, nil).MeterRecent(e.ctx); err != nil {
		t.Fatalf("MeterRecent: %v", err)
	}
	if b, ok := e.storageDay(lycee, parisAt(time.December, 1)); !ok || b != 5000 {
		t.Errorf("1 December's storage = %d (%v), want 5000", b, ok)
	}
	// Whoever writes a closed day is refused by the database (BIL01).
	err := e.reg.Platform().Exec(`UPDATE platform.billing_storage_days SET bytes = 1 WHERE day = ?`, nov30).Error
	if !isFrozen(err) {
		t.Errorf("writing a closed day: %v, want BIL01", err)
	}
}

// TestSignInsRecorded: the establishments' middleware records a member's first request of
// the day, with their profile, once; a failure to record is logged and the page served.
func TestSignInsRecorded(t *testing.T) {
	site := moduletest.New(t, moduletest.Options{Now: parisAt(time.November, 10)})
	tn := site.Establishment(21, "Lycée Montaigne")
	store := NewStore(site.Reg.Platform(), site.Clock.Now)
	site.Auth.SetSignIns(NewSignIns(store))
	site.Mount(module.Module{Name: "probe", Routes: []module.Route{
		module.Get(module.Tenant, "/probe", identity.PermHome, func(c echo.Context) error { return c.String(http.StatusOK, "ok") }),
	}})
	pupil := site.Member(tn, identity.RoleEleve, "Jeanne", "Martin")
	teacher := site.Member(tn, identity.RoleEnseignant, "Paul", "Durand")

	rows := func() map[string]string {
		t.Helper()
		var rs []struct {
			IdentityID uuid.UUID
			Day        time.Time
			Profile    string
		}
		if err := site.Reg.Platform().Raw(`SELECT identity_id, day, profile FROM platform.billing_signins WHERE tenant_id = ?`, tn.ID).Scan(&rs).Error; err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rs {
			out[r.IdentityID.String()+" "+r.Day.Format("2006-01-02")] = r.Profile
		}
		return out
	}
	for range 3 {
		moduletest.WantCode(t, site.Do(tn, pupil, http.MethodGet, "/probe", "", nil), http.StatusOK, "the pupil's page")
	}
	moduletest.WantCode(t, site.Do(tn, teacher, http.MethodGet, "/probe", "", nil), http.StatusOK, "the teacher's page")
	got := rows()
	if len(got) != 2 || got[pupil.IdentityID.String()+" 2026-11-10"] != ProfileEleve || got[teacher.IdentityID.String()+" 2026-11-10"] != ProfileEnseignant {
		t.Errorf("sign-ins = %v, want the pupil (eleve) and the teacher (enseignant) on 2026-11-10", got)
	}

	// The next day is another sign-in; if the table cannot be written, the page is served.
	site.Clock.Set(parisAt(time.November, 11))
	if err := site.Reg.Platform().Exec(`ALTER TABLE platform.billing_signins RENAME TO billing_signins_away`).Error; err != nil {
		t.Fatal(err)
	}
	moduletest.WantCode(t, site.Do(tn, pupil, http.MethodGet, "/probe", "", nil), http.StatusOK, "the page while sign-ins cannot be recorded")
	var away int
	site.Reg.Platform().Raw(`SELECT count(*) FROM platform.billing_signins_away WHERE day = '2026-11-11'`).Scan(&away)
	if away != 0 {
		t.Errorf("%d sign-ins of 11 November written while the table was away", away)
	}
	if err := site.Reg.Platform().Exec(`ALTER TABLE platform.billing_signins_away RENAME TO billing_signins`).Error; err != nil {
		t.Fatal(err)
	}
	moduletest.WantCode(t, site.Do(tn, pupil, http.MethodGet, "/probe", "", nil), http.StatusOK, "the pupil's page the next day")
	if p := rows()[pupil.IdentityID.String()+" 2026-11-11"]; p != ProfileEleve {
		t.Errorf("the pupil's sign-in of 11 November: %q, want eleve (recorded at the next request)", p)
	}
}

// BenchmarkSignInCached is the cost the recorder adds to every request after the day's
// first: a cache look-up.
func BenchmarkSignInCached(b *testing.B) {
	e := newMeterEnv(b, parisAt(time.November, 10), tenant.Options{})
	tn := e.establishment(33, 21, "Lycée Montaigne", "lycee")
	r := NewSignIns(e.store)
	id := uuid.New()
	roles := []module.Role{module.RoleEleve}
	if err := r.SignedIn(e.ctx, tn, id, roles); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := r.SignedIn(e.ctx, tn, id, roles); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMeterDay meters one day of 1,000 small establishments: 30 members each, 10 of
// whom signed in, and a file space.
func BenchmarkMeterDay(b *testing.B) {
	// The establishments' schemas hold only what the metering reads: 1,000 full schemas
	// would take the benchmark's time in provisioning.
	small := migrations.Set{{Version: 1, Name: "file_space", SQL: `CREATE TABLE file_space (
		table_name text NOT NULL, content_type text NOT NULL, files bigint NOT NULL, bytes bigint NOT NULL,
		PRIMARY KEY (table_name, content_type));
		INSERT INTO file_space VALUES ('news_files', 'application/pdf', 3, 3000000), ('message_files', 'image/png', 2, 200000)`}}
	day := parisAt(time.November, 10)
	e := newMeterEnv(b, day, tenant.Options{TenantMigrations: small})
	for i := range 1000 {
		tenanttest.Provision(b, e.reg, tenanttest.UAI(33, i), fmt.Sprintf("Lycée d'essai %d", i), "lycee")
	}
	e.exec(`UPDATE platform.tenants SET created_at = '2020-01-01'`)
	e.exec(`WITH people AS (
			SELECT t.id AS tenant_id, gen_random_uuid() AS identity_id, g AS n FROM platform.tenants t, generate_series(1, 30) g),
		a AS (INSERT INTO platform.accounts (identity_id, login) SELECT identity_id, identity_id::text FROM people),
		m AS (INSERT INTO platform.memberships (identity_id, tenant_id, person_id, roles)
			SELECT identity_id, tenant_id, gen_random_uuid(), CASE WHEN n <= 20 THEN '{eleve}'::text[] WHEN n <= 25 THEN '{enseignant}' ELSE '{responsable}' END FROM people)
		INSERT INTO platform.billing_signins (tenant_id, day, identity_id, profile)
			SELECT tenant_id, ?, identity_id, CASE WHEN n <= 20 THEN 'eleve' ELSE 'enseignant' END FROM people WHERE n % 3 = 0`, DayOf(day))
	e.exec(`ANALYZE`)
	b.ResetTimer()
	for range b.N {
		if err := e.store.MeterDay(e.ctx, DayOf(day)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := e.count(`SELECT count(*) FROM platform.billing_storage_days WHERE bytes = 3200000`); n != 1000 {
		b.Fatalf("%d establishments' storage metered, want 1000", n)
	}
}
