package directory_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestCreateAccountsAroundATakenLogin: Kratos 1.3 answers a batch holding a taken login with
// ids for the others that its rolled-back transaction did not keep; an import that trusted
// them recorded accounts without identities (seen when a crashed import was retried).
// CreateAccounts checks and sends them again: every id it returns exists.
func TestCreateAccountsAroundATakenLogin(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	env := directorytest.NewEnv(t, reg)
	ctx := context.Background()
	k := env.Kratos
	if _, err := k.CreateAccounts(ctx, []identity.NewAccount{{Login: "deja.pris", FirstName: "Déjà", LastName: "Pris"}}); err != nil {
		t.Fatal(err)
	}
	var list []identity.NewAccount
	for _, login := range []string{"nouveau.un", "deja.pris", "nouveau.deux", "nouveau.trois"} {
		list = append(list, identity.NewAccount{Login: login, FirstName: "N", LastName: "Ouveau"})
	}
	ids, err := k.CreateAccounts(ctx, list)
	var taken *identity.TakenError
	if !errors.As(err, &taken) || !slices.Equal(taken.Positions, []int{1}) {
		t.Fatalf("CreateAccounts = %v; want the 2nd login taken", err)
	}
	for i, id := range ids {
		if i == 1 {
			if id != uuid.Nil {
				t.Errorf("the taken login got id %s", id)
			}
			continue
		}
		if _, _, err := k.Admin.IdentityAPI.GetIdentity(ctx, id.String()).Execute(); err != nil {
			t.Errorf("%s: id %s returned, but Kratos does not hold it: %v", list[i].Login, id, err)
		}
	}
}
