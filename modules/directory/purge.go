package directory

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cartable-ent/cartable/tenant"
)

// JobQueue schedules the directory's background work in the caller's transaction, so the
// job exists if and only if the change that needs it commits.
type JobQueue interface {
	// PurgeLeaversAt schedules the purge of the establishment's people who left, at at.
	PurgeLeaversAt(tx *gorm.DB, t *tenant.Tenant, at time.Time) error
	// ExpireCredentialsAt schedules the erasure of the establishment's initial passwords, at at.
	ExpireCredentialsAt(tx *gorm.DB, t *tenant.Tenant, at time.Time) error
}

// SetQueue makes imports schedule their purges and credential expiries on q.
func (s *Service) SetQueue(q JobQueue) { s.queue = q }

// LeaverRecords is what the purge of leavers needs from the platform's account records.
type LeaverRecords interface {
	// ForgetMemberships removes the memberships of these identities in tenantID, then the
	// accounts that belong nowhere else; it returns the identities of the accounts removed.
	ForgetMemberships(tx *gorm.DB, tenantID uuid.UUID, identityIDs []uuid.UUID) ([]uuid.UUID, error)
}

// PurgeResult is what one purge of leavers did.
type PurgeResult struct {
	People     int `json:"people"`
	Identities int `json:"identities"`
}

// purgeBatch bounds the people purged in one transaction.
const purgeBatch = 500

// PurgeLeavers deletes the people of the establishment whose keeping period (purge_after,
// three months after they left) ended at now: their rows in every table that points to
// them (rows that only describe them are deleted, references from others' rows are
// cleared), their membership, and their account and Kratos identity when they belong to
// no other establishment. A Kratos failure after the commit leaves an identity without an
// account row: the orphan reconciliation removes it.
func (s *Service) PurgeLeavers(ctx context.Context, t *tenant.Tenant, now time.Time, records LeaverRecords) (PurgeResult, error) {
	var res PurgeResult
	for {
		var gone []uuid.UUID
		var n int
		err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
			var people []Person
			// FOR UPDATE: a person reactivated meanwhile (an import, the people page) is read
			// again once that commits, and no longer qualifies.
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("NOT active AND purge_after <= ?", now).Order("purge_after").Limit(purgeBatch).Find(&people).Error; err != nil {
				return err
			}
			n = len(people)
			if n == 0 {
				return nil
			}
			ids := make([]uuid.UUID, n)
			var identities []uuid.UUID
			for i, p := range people {
				ids[i] = p.ID
				if p.IdentityID != nil {
					identities = append(identities, *p.IdentityID)
				}
			}
			if err := clearReferences(tx, ids); err != nil {
				return err
			}
			if err := tx.Exec(`DELETE FROM people WHERE id IN ?`, ids).Error; err != nil {
				return fmt.Errorf("delete people: %w", err)
			}
			return tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
				var err error
				gone, err = records.ForgetMemberships(ptx, t.ID, identities)
				return err
			})
		})
		if err != nil {
			return res, fmt.Errorf("directory: purge leavers of %s: %w", t.UAI, err)
		}
		if n == 0 {
			return res, nil
		}
		res.People += n
		if err := s.accounts.DeleteAccounts(ctx, gone); err != nil {
			return res, fmt.Errorf("directory: purge leavers of %s: %w", t.UAI, err)
		}
		res.Identities += len(gone)
		if n < purgeBatch {
			return res, nil
		}
	}
}

// clearReferences walks the foreign keys that point to people (every module's tables):
// ON DELETE CASCADE ones go by themselves, a nullable column is cleared (a teacher who left
// stays the unnamed author of an evaluation), a mandatory one means the row is about the
// person (a pupil's mark) and is deleted.
func clearReferences(tx *gorm.DB, ids []uuid.UUID) error {
	var fks []struct {
		Table   string
		Column  string
		NotNull bool
	}
	err := tx.Raw(`SELECT cl.relname AS table, a.attname AS column, a.attnotnull AS not_null
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND c.confrelid = 'people'::regclass AND c.confdeltype <> 'c'
		ORDER BY a.attnotnull, cl.relname, a.attname`).Scan(&fks).Error
	if err != nil {
		return fmt.Errorf("list references to people: %w", err)
	}
	for _, fk := range fks {
		table, col := pgx.Identifier{fk.Table}.Sanitize(), pgx.Identifier{fk.Column}.Sanitize()
		q := `UPDATE ` + table + ` SET ` + col + ` = NULL WHERE ` + col + ` IN ?`
		if fk.NotNull {
			q = `DELETE FROM ` + table + ` WHERE ` + col + ` IN ?`
		}
		if err := tx.Exec(q, ids).Error; err != nil {
			return fmt.Errorf("clear %s.%s: %w", fk.Table, fk.Column, err)
		}
	}
	return nil
}
