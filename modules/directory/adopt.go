package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
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
	// Adoption is two Kratos calls per identity (look-up, update): run them side by side.
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		errs    []error
		foreign []int
	)
	work := make(chan int)
	for w := 0; w < adoptWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pos := range work {
				adopted, err := s.adopt(ctx, t, chunk[pos], list[pos])
				mu.Lock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case adopted == uuid.Nil:
					foreign = append(foreign, pos)
				default:
					ids[pos] = adopted
				}
				mu.Unlock()
			}
		}()
	}
	for _, pos := range positions {
		work <- pos
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if len(positions) > len(foreign) {
		s.log.Info("import adopted the identities of an earlier failed run", "tenant", t.UAI, "identities", len(positions)-len(foreign))
	}
	slices.Sort(foreign)
	for _, pos := range foreign {
		a := chunk[pos]
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

// adoptWorkers bounds the Kratos calls of an adoption running at once.
const adoptWorkers = 8

// adopt takes over the identity holding a's login if an import of t created it for the
// same join key; it returns its id, or uuid.Nil when the identity is someone else's.
func (s *Service) adopt(ctx context.Context, t *tenant.Tenant, a *newAccount, acc identity.NewAccount) (uuid.UUID, error) {
	found, err := s.accounts.FindByLogin(ctx, a.login)
	if err != nil {
		return uuid.Nil, err
	}
	if found == nil || found.Origin == nil || found.Origin.Tenant != t.ID || found.Origin.AAFID != a.spec.key {
		return uuid.Nil, nil
	}
	// Only an identity no account row knows is a failed run's leftover to take over.
	var recorded int
	err = s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
			return ptx.Raw(`SELECT count(*) FROM platform.accounts WHERE identity_id = ?`, found.ID).Scan(&recorded).Error
		})
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("directory: is %s recorded: %w", found.ID, err)
	}
	if recorded > 0 {
		return uuid.Nil, nil
	}
	if err := s.accounts.Adopt(ctx, found.ID, acc); err != nil {
		return uuid.Nil, err
	}
	return found.ID, nil
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
