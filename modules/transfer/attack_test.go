package transfer_test

import (
	"context"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
)

// TestAttackJoinKeyOutsideScope: a département's administrator imports into a collège of
// their département an AAF pupil carrying the national join key of a lycée's pupil. The
// importer does not attach her account (its memberships lie outside their scope), so the
// collège's new person is not her: no question may be asked there to bring her portfolio
// (the administrator holds the new account's credentials and would accept it, copying her
// lycée's portfolio into the collège).
func TestAttackJoinKeyOutsideScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	vera := pupilSpec{"19900077", "Vera", adultBirth, "29900077"}
	f.importInto(t, f.a, "10001", vera)
	victim := f.personOf(t, f.a, vera.key)
	f.seed(t, f.a, victim)

	dept := identity.Scope{Departement: f.college.OrganisationCode}
	rep, err := f.site.Env.Directory.ImportAAF(ctx, f.college, export(f.college, "10050", vera), directory.ImportOptions{Scope: dept, Actor: "département"})
	if err != nil {
		t.Fatalf("the département's import: %v", err)
	}
	if rep.AccountsCreated == 0 {
		t.Fatalf("the import attached Véra's lycée account: %+v", rep)
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.portfolio_transfers WHERE from_person = ?`, victim); n != 0 {
		t.Fatalf("%d question(s) asked in the collège to bring the lycée pupil's portfolio, matched by her join key alone", n)
	}
}
