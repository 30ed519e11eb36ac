package directory_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
)

type timedAccounts struct {
	directory.Accounts
	t testing.TB
}

func (a timedAccounts) CreateAccounts(ctx context.Context, l []identity.NewAccount) ([]uuid.UUID, error) {
	st := time.Now()
	ids, err := a.Accounts.CreateAccounts(ctx, l)
	a.t.Logf("kratos create %d: %v", len(l), time.Since(st))
	return ids, err
}

func TestZZTiming(t *testing.T) {
	st := time.Now()
	for range 54 {
		bcrypt.GenerateFromPassword([]byte("abcdefghij"), 6)
	}
	t.Logf("54 bcrypt %v", time.Since(st))
	f := newFixture(t)
	svc := directory.NewService(f.reg.DB(), timedAccounts{f.env.Kratos, t}, identity.Records{}, nil)
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	st = time.Now()
	rep, err := svc.ImportAAF(context.Background(), tn, smallExport("0330021U", "10001", "19900011", "Isidore", "29900011"), directory.ImportOptions{})
	t.Logf("import %v %v %v", time.Since(st), err, rep.Created)
	st = time.Now()
	ids, err := f.env.Kratos.CreateAccounts(context.Background(), []identity.NewAccount{{Login: "zz.plain", FirstName: "a", LastName: "b"}})
	t.Logf("one plain %v %v", time.Since(st), err)
	f.deleteIdentities(t, ids)
}
