package directory_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestInitialPasswordsSealedExpiredNotExported: the initial passwords of an import are
// stored encrypted, read back for the sheets, left out of the establishment's export, and
// erased once their 30 days are over.
func TestInitialPasswordsSealedExpiredNotExported(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	l := generate(t, aaf.GenOptions{UAI: "0330021U", Pupils: 4, Parents: 3, Staff: 2, Seed: 3})
	rep, err := f.svc.ImportAAF(ctx, tn, l.files(), directory.ImportOptions{Actor: "test", Scope: regional})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := f.svc.Credentials(ctx, tn, rep.ID)
	if err != nil || len(creds) != rep.AccountsCreated {
		t.Fatalf("credentials: %d, %v; want %d", len(creds), err, rep.AccountsCreated)
	}
	var stored string
	if err := f.reg.DB().ReadTx(ctx, tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT credentials::text FROM import_runs WHERE id = ?`, rep.ID).Scan(&stored).Error
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, `"aesgcm1:`) || strings.Contains(stored, creds[0].Password) || strings.Contains(stored, creds[0].Login) {
		t.Errorf("stored credentials are not sealed: %.80s", stored)
	}

	var archive bytes.Buffer
	if _, err := f.reg.Export(ctx, "0330021U", &archive); err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(&archive)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	sawRuns := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		if strings.Contains(string(b), creds[0].Password) || strings.Contains(string(b), "aesgcm1:") {
			t.Errorf("the export's %s holds the initial passwords", h.Name)
		}
		if h.Name == "tables/import_runs.jsonl" {
			sawRuns = true
			if strings.Contains(string(b), `"credentials"`) {
				t.Errorf("import_runs exported with its credentials column")
			}
		}
	}
	if !sawRuns {
		t.Error("the export has no import_runs table")
	}

	expiry := testenv.SchoolDay.UTC().AddDate(0, 0, 30) // kept 30 days of 24 h (the import counts in UTC)
	if n, err := f.svc.ExpireCredentials(ctx, tn, expiry.Add(-time.Minute)); err != nil || n != 0 {
		t.Fatalf("expire before the date: %d, %v; want 0", n, err)
	}
	if n, err := f.svc.ExpireCredentials(ctx, tn, expiry.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("expire after the date: %d, %v; want 1", n, err)
	}
	if _, err := f.svc.Credentials(ctx, tn, rep.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("credentials after expiry: %v; want not found", err)
	}
}

// TestPurgeLeavers: people past purge_after go with their marks-like rows, membership,
// account and Kratos identity; one who still belongs to another establishment keeps the
// account; nobody goes before the date.
func TestPurgeLeavers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	other := f.provision(t, "0332194F", "Lycée professionnel des Chartrons")
	l := generate(t, aaf.GenOptions{UAI: "0330021U", Pupils: 3, Parents: 2, Staff: 1, Seed: 5})
	if _, err := f.svc.ImportAAF(ctx, tn, l.files(), directory.ImportOptions{Actor: "test", Scope: regional}); err != nil {
		t.Fatal(err)
	}
	people := f.people(t, tn)
	var pupil, parent directory.Person
	for _, p := range people {
		switch {
		case p.Category == directory.CategoryEleve && pupil.IdentityID == nil:
			pupil = p
		case p.Category == directory.CategoryResponsable && parent.IdentityID == nil:
			parent = p
		}
	}
	// The parent also has a child in the other establishment.
	if err := f.reg.Platform().Exec(`INSERT INTO platform.memberships (identity_id, tenant_id, person_id, roles) VALUES (?, ?, ?, '{responsable}')`,
		*parent.IdentityID, other.ID, uuid.New()).Error; err != nil {
		t.Fatal(err)
	}
	left := testenv.SchoolDay.AddDate(0, 3, 0)
	if err := f.reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE people SET active = false, deactivated_at = ?, purge_after = ? WHERE id IN ?`,
			testenv.SchoolDay, left, []uuid.UUID{pupil.ID, parent.ID}).Error
	}); err != nil {
		t.Fatal(err)
	}
	if r, err := f.svc.PurgeLeavers(ctx, tn, left.Add(-time.Hour), identity.Records{}); err != nil || r.People != 0 {
		t.Fatalf("purge before the date: %+v, %v; want nothing", r, err)
	}
	r, err := f.svc.PurgeLeavers(ctx, tn, left.Add(time.Hour), identity.Records{})
	if err != nil || r.People != 2 || r.Identities != 1 {
		t.Fatalf("purge: %+v, %v; want 2 people, 1 identity", r, err)
	}
	if n := f.count(t, tn, `SELECT count(*) FROM people WHERE id IN ?`, []uuid.UUID{pupil.ID, parent.ID}); n != 0 {
		t.Errorf("%d purged people still in the directory", n)
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.accounts WHERE identity_id = ?`, *pupil.IdentityID); n != 0 {
		t.Error("the pupil's account is still there")
	}
	if _, resp, err := f.env.Kratos.Admin.IdentityAPI.GetIdentity(ctx, pupil.IdentityID.String()).Execute(); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the pupil's identity is still in Kratos (%v)", err)
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.memberships WHERE identity_id = ?`, *parent.IdentityID); n != 1 {
		t.Errorf("the parent has %d memberships; want the other establishment's only", n)
	}
	if _, _, err := f.env.Kratos.Admin.IdentityAPI.GetIdentity(ctx, parent.IdentityID.String()).Execute(); err != nil {
		t.Errorf("the parent's identity: %v; want kept", err)
	}
}
