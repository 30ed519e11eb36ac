package directory_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestAccountScope: imports and actions on accounts stay within the actor's scope (an
// establishment's staff: their establishment; a département: its collèges; the région: all).
func TestAccountScope(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tenanttest.OptIn(t, f.reg, "33")
	uaiA, uaiB, uaiC := "0330021U", tenanttest.UAI(33, 22), tenanttest.UAI(33, 23)
	a := f.provision(t, uaiA, "Lycée Michel-Montaigne")
	b := f.provision(t, uaiB, "Lycée de Bordeaux-Lac")
	c := tenanttest.Provision(t, f.reg, uaiC, "Collège Jean-Moulin", "college")
	staffA, staffC := identity.Scope{Tenant: a.ID}, identity.Scope{Tenant: c.ID}
	gironde := identity.Scope{Departement: "33"}
	const parent = "29900001"

	repA, err := f.svc.ImportAAF(ctx, a, smallExport(uaiA, "10001", "19900001", "Anatole", parent), directory.ImportOptions{Scope: regional})
	if err != nil {
		t.Fatalf("import A: %v", err)
	}
	wantCounts(t, repA, 2, 0, 0, 0, 2)
	pA := f.people(t, a)[parent]

	t.Run("AAF imports are platform administrators' work", func(t *testing.T) {
		for name, sc := range map[string]identity.Scope{"staff of B": {Tenant: b.ID}, "no scope": {}, "département on a lycée": gironde} {
			for _, dry := range []bool{true, false} {
				_, err := f.svc.ImportAAF(ctx, b, smallExport(uaiB, "10002", "19900002", "Berenice", parent), directory.ImportOptions{DryRun: dry, Scope: sc})
				if !errors.Is(err, fault.ErrForbidden) || !strings.Contains(err.Error(), "administrateurs de la plateforme") {
					t.Errorf("%s (dry %v): err = %v, want the refusal", name, dry, err)
				}
			}
		}
		if n := f.count(t, b, `SELECT count(*) FROM people`); n != 0 {
			t.Errorf("%d people in B after refused imports", n)
		}
	})

	t.Run("a département attaches only accounts within its collèges", func(t *testing.T) {
		dry, err := f.svc.ImportAAF(ctx, c, smallExport(uaiC, "10003", "19900003", "Clovis", parent), directory.ImportOptions{DryRun: true, Scope: gironde})
		if err != nil {
			t.Fatal(err)
		}
		wantCounts(t, dry, 2, 0, 0, 0, 2) // the lycée's parent counts as a new account: nothing tells it exists
		rep, err := f.svc.ImportAAF(ctx, c, smallExport(uaiC, "10003", "19900003", "Clovis", parent), directory.ImportOptions{Scope: gironde})
		if err != nil {
			t.Fatal(err)
		}
		wantCounts(t, rep, 2, 0, 0, 0, 2)
		pC := f.people(t, c)[parent]
		if *pC.IdentityID == *pA.IdentityID {
			t.Fatalf("the département attached a lycée's account to its collège")
		}
		if pC.Login == pA.Login {
			t.Errorf("two accounts with login %s", pA.Login)
		}
		if n := f.platformCount(t, `SELECT count(*) FROM platform.memberships WHERE identity_id = ?`, *pA.IdentityID); n != 1 {
			t.Errorf("the lycée parent's account has %d memberships, want 1", n)
		}
	})

	// The région attaches the parent to B: one account in two lycées.
	if _, err := f.svc.ImportAAF(ctx, b, smallExport(uaiB, "10002", "19900002", "Berenice", parent), directory.ImportOptions{Scope: regional}); err != nil {
		t.Fatal(err)
	}
	if pB := f.people(t, b)[parent]; *pB.IdentityID != *pA.IdentityID {
		t.Fatalf("the région's import did not attach the parent's account")
	}
	pupilA := f.people(t, a)["19900001"]

	t.Run("actions on a shared account need a scope covering all its establishments", func(t *testing.T) {
		form := directory.PersonForm{LastName: "Autre", FirstName: pA.FirstName, Role: "responsable"}
		for _, tc := range []struct {
			name    string
			scope   identity.Scope
			allowed bool
		}{
			{"staff of A", staffA, false},
			{"staff of the collège", staffC, false},
			{"département", gironde, false},
			{"région", regional, true},
		} {
			_, code, _, err := f.svc.RecoveryCode(ctx, a, pA.ID, tc.scope)
			if tc.allowed != (err == nil && code != "") {
				t.Errorf("%s: recovery code: err = %v", tc.name, err)
			}
			if !tc.allowed && (!errors.Is(err, fault.ErrForbidden) || !strings.Contains(err.Error(), "administrateur de la plateforme")) {
				t.Errorf("%s: refusal = %v", tc.name, err)
			}
			err = f.svc.UpdatePerson(ctx, a, pA.ID, form, tc.scope)
			if tc.allowed != (err == nil) {
				t.Errorf("%s: rename: err = %v", tc.name, err)
			}
		}
		// The e-mail and the birth date are the establishment's own record.
		p := f.people(t, a)[parent]
		own := directory.PersonForm{LastName: p.LastName, FirstName: p.FirstName, Role: "responsable", Email: "parent@example.org"}
		if err := f.svc.UpdatePerson(ctx, a, pA.ID, own, staffA); err != nil {
			t.Errorf("staff of A changing the e-mail only: %v", err)
		}
		// Their own pupil stays theirs.
		if _, _, _, err := f.svc.RecoveryCode(ctx, a, pupilA.ID, staffA); err != nil {
			t.Errorf("staff of A, recovery code of their own pupil: %v", err)
		}
	})

	t.Run("deactivating a shared account in A ends A's membership only", func(t *testing.T) {
		if err := f.svc.SetActive(ctx, a, pA.ID, false, staffA); err != nil {
			t.Fatal(err)
		}
		if n := f.platformCount(t, `SELECT count(*) FROM platform.memberships WHERE identity_id = ? AND active`, *pA.IdentityID); n != 1 {
			t.Errorf("%d active memberships, want B's", n)
		}
		if err := f.svc.SetActive(ctx, a, pA.ID, true, staffA); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("CSV and the person form never attach, and record no join key", func(t *testing.T) {
		rep, err := f.svc.ImportCSV(ctx, a, []directory.File{csvFile("p.csv", "Z1;responsable;Quintavalle;Ombeline;;;;;")}, directory.ImportOptions{Scope: staffA})
		if err != nil {
			t.Fatal(err)
		}
		wantCounts(t, rep, 1, 0, 0, 0, 1)
		z := f.people(t, a)[uaiA+":Z1"]
		if *z.IdentityID == *pA.IdentityID || z.Login == pA.Login {
			t.Errorf("CSV person took the parent's account or login %s", z.Login)
		}
		if n := f.platformCount(t, `SELECT count(*) FROM platform.accounts WHERE identity_id = ? AND aaf_id IS NULL`, *z.IdentityID); n != 1 {
			t.Errorf("the CSV account records a join key")
		}
	})
}

// TestLoginHeldElsewhereNotNamed: when the identity server refuses a login that some other
// identity holds, the import fails without naming that login.
func TestLoginHeldElsewhereNotNamed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	login := directory.LoginBase("Ombeline", "Quintavalle")
	ids, err := f.env.Kratos.CreateAccounts(ctx, []identity.NewAccount{{Login: login, FirstName: "Ombeline", LastName: "Quintavalle"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.deleteIdentities(t, ids) })
	_, err = f.svc.ImportCSV(ctx, a, []directory.File{csvFile("p.csv", "Z1;responsable;Quintavalle;Ombeline;;;;;")}, directory.ImportOptions{Scope: identity.Scope{Tenant: a.ID}})
	if !errors.Is(err, fault.ErrUnavailable) || strings.Contains(err.Error(), login) {
		t.Errorf("err = %v, want a refusal that does not name %s", err, login)
	}
}
