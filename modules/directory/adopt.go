package directory

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// adoptOrRename settles the accounts of a chunk whose login Kratos already has. An identity
// that an import of this establishment created for the same join key, and that no account
// row knows (the import crashed before its transaction committed), is adopted: it gets this
// run's names, metadata and initial password. Any other identity keeps its login, and the
// new account is created under the next free one ("zoe.lefevre2").
func (s *Service) adoptOrRename(ctx context.Context, t *tenant.Tenant, chunk []*newAccount, list []identity.NewAccount, ids []uuid.UUID, positions []int) error {
	for _, pos := range positions {
		a := chunk[pos]
		found, err := s.accounts.FindByLogin(ctx, a.login)
		if err != nil {
			return err
		}
		if found != nil && found.Origin != nil && found.Origin.Tenant == t.ID && found.Origin.AAFID == a.spec.key {
			if err := s.accounts.Adopt(ctx, found.ID, list[pos]); err != nil {
				return err
			}
			ids[pos] = found.ID
			s.log.Info("import adopted an identity of an earlier failed run", "tenant", t.UAI, "identity", found.ID, "run", found.Origin.ImportRun)
			continue
		}
		base := a.login
		for n := 2; ; n++ {
			if n > 50 {
				return fmt.Errorf("directory: no free login for %s", base)
			}
			acc := list[pos]
			acc.Login = fmt.Sprintf("%s%d", base, n)
			got, err := s.accounts.CreateAccounts(ctx, []identity.NewAccount{acc})
			if _, taken := err.(*identity.TakenError); taken {
				continue
			}
			if err != nil {
				return err
			}
			a.login, list[pos], ids[pos] = acc.Login, acc, got[0]
			break
		}
	}
	return nil
}

// scheduleJobs enqueues, in the import's transaction, the erasure of the initial passwords
// it keeps and the purge of the people it deactivated.
func (s *Service) scheduleJobs(tx *gorm.DB, t *tenant.Tenant, expire any, leavers bool, purge time.Time) error {
	if s.queue == nil {
		return nil
	}
	if at, ok := expire.(time.Time); ok {
		if err := s.queue.ExpireCredentialsAt(tx, t, at); err != nil {
			return fmt.Errorf("schedule credentials expiry: %w", err)
		}
	}
	if leavers {
		if err := s.queue.PurgeLeaversAt(tx, t, purge); err != nil {
			return fmt.Errorf("schedule purge of leavers: %w", err)
		}
	}
	return nil
}
