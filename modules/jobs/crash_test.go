package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	kratos "github.com/ory/kratos-client-go"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/ops/localstack"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// crashingAccounts kills PostgreSQL right after Kratos stored the first chunk of accounts:
// the import then dies with identities in Kratos and nothing in the directory.
type crashingAccounts struct {
	directory.Accounts
	once  sync.Once
	crash func()
}

func (a *crashingAccounts) CreateAccounts(ctx context.Context, l []identity.NewAccount) ([]uuid.UUID, error) {
	ids, err := a.Accounts.CreateAccounts(ctx, l)
	a.once.Do(a.crash)
	return ids, err
}

// adoptionClock records when the retry's first look-up and last adoption happened.
type adoptionClock struct {
	directory.Accounts
	mu          sync.Mutex
	first, last time.Time
}

func (a *adoptionClock) FindByLogin(ctx context.Context, login string) (*identity.Identity, error) {
	a.mu.Lock()
	if a.first.IsZero() {
		a.first = time.Now() // clock-ok: measures the adoption
	}
	a.mu.Unlock()
	return a.Accounts.FindByLogin(ctx, login)
}

func (a *adoptionClock) Adopt(ctx context.Context, id uuid.UUID, acc identity.NewAccount) error {
	err := a.Accounts.Adopt(ctx, id, acc)
	a.mu.Lock()
	a.last = time.Now() // clock-ok: measures the adoption
	a.mu.Unlock()
	return err
}

func countIdentities(t *testing.T, k *identity.Kratos) int {
	t.Helper()
	n := 0
	if err := k.EachIdentity(context.Background(), func(p []identity.Identity) error { n += len(p); return nil }); err != nil {
		t.Fatalf("count identities: %v", err)
	}
	return n
}

// TestCrashMidImportStrandsNothing kills the real PostgreSQL (immediate shutdown) in the
// middle of an import of 4,000 people, restarts it, retries the import and checks that it
// completes, adopting the identities the failed run left, with as many identities in Kratos
// as accounts; then the reconciliation finds nothing left to remove. The cluster is the
// test's own (Kratos' database on it too), so other packages' tests are not disturbed.
func TestCrashMidImportStrandsNothing(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dir := t.TempDir()
	pg, err := localstack.StartPostgres(ctx, localstack.Options{Dir: filepath.Join(dir, "pg"), Logger: log})
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	super := pg.SuperuserDSN("postgres")
	appDSN, err := localstack.EnsureDatabaseOn(ctx, super, "cartable", "cartable_app", "app-password")
	if err != nil {
		t.Fatal(err)
	}
	kDSN, err := localstack.EnsureDatabaseOn(ctx, super, "kratos", "kratos_crash", "kratos-password")
	if err != nil {
		t.Fatal(err)
	}
	kr, err := localstack.StartKratos(ctx, localstack.KratosOptions{Dir: filepath.Join(dir, "kratos"), DSN: kDSN,
		BaseDomain: "cartable.test", PublicBaseURL: "http://auth.cartable.test/", UIBaseURL: "http://cartable.test", Logger: log})
	if err != nil {
		t.Fatalf("start Kratos: %v", err)
	}
	t.Cleanup(func() { _ = kr.Stop() })
	k := identity.NewKratos(kr.PublicURL(), kr.AdminURL(), time.Millisecond)

	gdb := tenanttest.OpenDSN(t, appDSN, tenant.PoolOptions{})
	reg := tenanttest.RegistryOn(t, gdb, tenant.Options{})
	sqlDB, _ := gdb.DB()
	if _, err := jobs.Migrate(ctx, sqlDB); err != nil {
		t.Fatal(err)
	}
	tn := tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	var xml bytes.Buffer
	if err := aaf.Generate(&xml, aaf.GenOptions{UAI: "0330021U", Pupils: 1500, Parents: 2350, Staff: 150, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	files := func() []directory.File {
		return []directory.File{{Name: "ENT_0330021U_Complet_Tous_0001.xml", R: bytes.NewReader(xml.Bytes())}}
	}
	pinned := func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }
	before := countIdentities(t, k)

	crashing := &crashingAccounts{Accounts: k, crash: pg.Crash}
	svc := directory.NewService(reg.DB(), crashing, identity.Records{}, log, pinned)
	svc.InitialHashCost = 4
	if _, err := svc.ImportAAF(ctx, tn, files(), directory.ImportOptions{Actor: "test", Scope: identity.Scope{All: true}}); err == nil {
		t.Fatal("the import went through although PostgreSQL was killed")
	}

	restart := time.Now() // clock-ok: measures the recovery
	pg, err = localstack.StartPostgres(ctx, localstack.Options{Dir: filepath.Join(dir, "pg"), Logger: log})
	if err != nil {
		t.Fatalf("restart PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	var stranded int
	for deadline := time.Now().Add(time.Minute); ; { // clock-ok: a wait's deadline
		n := 0
		err := k.EachIdentity(ctx, func(p []identity.Identity) error { n += len(p); return nil })
		if err == nil {
			stranded = n - before
			break
		}
		if time.Now().After(deadline) { // clock-ok: a wait's deadline
			t.Fatalf("Kratos does not answer after the restart: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	restarted := time.Since(restart)
	if stranded == 0 {
		t.Fatal("the crash left no identity in Kratos: it did not happen mid-import")
	}

	adoption := &adoptionClock{Accounts: k}
	retry := directory.NewService(reg.DB(), adoption, identity.Records{}, log, pinned)
	retry.InitialHashCost = 4
	var rep *directory.Report
	for deadline := time.Now().Add(time.Minute); ; { // clock-ok: a wait's deadline
		rep, err = retry.ImportAAF(ctx, tn, files(), directory.ImportOptions{Actor: "test", Scope: identity.Scope{All: true}})
		if err == nil || time.Now().After(deadline) { // clock-ok: a wait's deadline
			break
		}
		time.Sleep(500 * time.Millisecond) // the pool reconnects
	}
	if err != nil {
		t.Fatalf("retry after the crash: %v", err)
	}
	recovered := time.Since(restart)
	const people = 1500 + 2350 + 150
	if rep.Created != people || rep.AccountsCreated != people {
		t.Fatalf("retry created %d people, %d accounts; want %d", rep.Created, rep.AccountsCreated, people)
	}
	var accounts int64
	if err := gdb.Raw(`SELECT count(*) FROM platform.accounts`).Scan(&accounts).Error; err != nil {
		t.Fatal(err)
	}
	after := countIdentities(t, k)
	if int64(after) != accounts {
		t.Errorf("Kratos holds %d identities, the platform %d accounts; want equal", after, accounts)
	}
	// Every account's identity exists (a batch with a taken login once gave ids Kratos had
	// not kept: see TestCreateAccountsAroundATakenLogin).
	listed := map[uuid.UUID]bool{}
	if err := k.EachIdentity(ctx, func(p []identity.Identity) error {
		for _, i := range p {
			listed[i.ID] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	if err := gdb.Raw(`SELECT identity_id FROM platform.accounts`).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, id := range ids {
		if !listed[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d accounts have no identity in Kratos", missing, len(ids))
	}
	orphans := identity.Orphans{Kratos: k, DB: gdb}
	seen, removed, err := orphans.ReconcileOrphans(ctx, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || removed != 0 || seen != after {
		t.Errorf("reconciliation after the retry: saw %d, removed %d, err %v; want %d seen, 0 removed", seen, removed, err, after)
	}
	t.Logf("identities before the import %d, stranded by the crash %d, after the retry %d (accounts %d); recovered in %s: PostgreSQL restart and Kratos answering %s, retried import of %d people %s, of which adopting the %d stranded identities %s",
		before, stranded, after, accounts, recovered.Round(time.Millisecond), restarted.Round(time.Millisecond), people, (recovered - restarted).Round(time.Millisecond),
		stranded, adoption.last.Sub(adoption.first).Round(time.Millisecond))

	// An orphan left by something else (no account row, no import) goes once past the grace period.
	body := kratos.NewCreateIdentityBody(identity.SchemaID, map[string]any{"username": "orphelin.test", "name": map[string]any{"first": "O", "last": "T"}})
	if _, _, err := k.Admin.IdentityAPI.CreateIdentity(ctx).CreateIdentityBody(*body).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, removed, _ := orphans.ReconcileOrphans(ctx, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); removed != 0 {
		t.Errorf("an orphan younger than the grace period was removed")
	}
	if _, removed, err := orphans.ReconcileOrphans(ctx, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)); removed != 1 || err != nil {
		t.Errorf("reconciliation removed %d, err %v; want the 1 orphan", removed, err)
	}
	if n := countIdentities(t, k); int64(n) != accounts {
		t.Errorf("after the reconciliation Kratos holds %d identities, want %d", n, accounts)
	}
}
