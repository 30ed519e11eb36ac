package retention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
)

// The portfolio of a pupil who left is kept as long as their account: until people's
// purge_after, three months after they left (the directory's purge of leavers, AccountMonths).
// WarnBefore that date the pupil, and their legal guardians while the pupil is a minor, are
// told once (a notification of kind notify.KindRetention, by e-mail when they have an
// address) when it will be deleted and where to download it (the portal's account page,
// « Mes données personnelles »). The portfolio is then deleted just before the person is
// (Leavers), so that the report counts its items and bytes; until then a pupil who comes back
// (reactivated by an import) finds it whole, and is warned again if they leave again.
//
// The two statements below read directory's people and guardianships and portfolio's tables
// directly: the retention is the one place that applies a rule across them.

// Notifier records notifications in the caller's transaction (notify.Service).
type Notifier interface {
	Notify(tx *gorm.DB, t *tenant.Tenant, notices ...notify.Notice) error
}

// Blobs removes an establishment's blobs (the portfolio's files.Store).
type Blobs interface {
	Remove(ctx context.Context, t *tenant.Tenant, keys ...string) error
}

// Portfolios deletes pupils' portfolios within a transaction (portfolio.Service.Purge): the
// items gone, and their files' blob keys and bytes.
type Portfolios interface {
	Purge(tx *gorm.DB, pupils []uuid.UUID) (items int64, keys []string, bytes int64, err error)
}

// Service applies the retention that belongs to no other module.
type Service struct {
	db       *tenant.DB
	report   *Report
	notifier Notifier
	folios   Portfolios
	blobs    Blobs
	account  string // the portal's account page, where a person downloads their data
	now      func() time.Time
}

// Config is what the service is built from.
type Config struct {
	DB         *tenant.DB
	Report     *Report
	Notifier   Notifier   // the warnings; nil: nobody is told (and the warning job refuses to run)
	Portfolios Portfolios // the leavers' portfolios' purge; nil: the purge refuses to run
	Blobs      Blobs      // the portfolio's files; nil: their blobs are left to the orphan sweep
	Account    string     // absolute URL of the account page (https://<base>/compte)
	Now        func() time.Time
}

// NewService builds the retention's work from cfg.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{db: cfg.DB, report: cfg.Report, notifier: cfg.Notifier, folios: cfg.Portfolios, blobs: cfg.Blobs, account: cfg.Account, now: cfg.Now}
}

// Report is the service's report (the console's page reads it).
func (s *Service) Report() *Report { return s.report }

// warned is a pupil told by one run of WarnLeavers.
type warned struct {
	PersonID   uuid.UUID
	FirstName  string
	LastName   string
	BirthDate  *time.Time
	PurgeAfter time.Time
	Items      int
}

// WarnLeavers tells, once per departure, the pupils of t who left and whose portfolio will
// be deleted within WarnBefore of now (and their legal guardians while they are minors).
// It returns how many pupils were told.
func (s *Service) WarnLeavers(ctx context.Context, t *tenant.Tenant, now time.Time) (int, error) {
	if s.notifier == nil {
		return 0, errors.New("retention: no notifier wired: the portfolios' warnings cannot be sent")
	}
	var told []warned
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		// The warning's row is written first, once per purge date: two runs at once tell
		// nobody twice (the second finds the row and returns nothing).
		if err := tx.Raw(`WITH due AS (
				SELECT p.id, p.purge_after FROM people p
				WHERE p.category = 'eleve' AND NOT p.active AND p.purge_after > ? AND p.purge_after <= ?
					AND EXISTS (SELECT 1 FROM portfolio_items i WHERE i.pupil_id = p.id)
			), marked AS (
				INSERT INTO portfolio_purge_warnings (person_id, purge_after, warned_at)
				SELECT id, purge_after, ? FROM due
				ON CONFLICT (person_id) DO UPDATE SET purge_after = EXCLUDED.purge_after, warned_at = EXCLUDED.warned_at
					WHERE portfolio_purge_warnings.purge_after <> EXCLUDED.purge_after
				RETURNING person_id
			)
			SELECT p.id AS person_id, p.first_name, p.last_name, p.birth_date, p.purge_after,
				(SELECT count(*) FROM portfolio_items i WHERE i.pupil_id = p.id) AS items
			FROM marked m JOIN people p ON p.id = m.person_id ORDER BY p.last_name, p.first_name, p.id`,
			now, now.Add(WarnBefore), now).Scan(&told).Error; err != nil {
			return fmt.Errorf("pupils to warn: %w", err)
		}
		if len(told) == 0 {
			return nil
		}
		ids := make([]uuid.UUID, len(told))
		for i, w := range told {
			ids[i] = w.PersonID
		}
		var links []struct{ PupilID, GuardianID uuid.UUID }
		if err := tx.Raw(`SELECT pupil_id, guardian_id FROM guardianships WHERE legal AND pupil_id IN ? ORDER BY guardian_id`, ids).
			Scan(&links).Error; err != nil {
			return fmt.Errorf("legal guardians: %w", err)
		}
		var notices []notify.Notice
		for _, w := range told {
			notices = append(notices, s.pupilNotice(t, w))
			if !minor(w.BirthDate, now) {
				continue
			}
			var guardians []uuid.UUID
			for _, l := range links {
				if l.PupilID == w.PersonID {
					guardians = append(guardians, l.GuardianID)
				}
			}
			if len(guardians) > 0 {
				notices = append(notices, s.guardianNotice(t, w, guardians))
			}
		}
		return s.notifier.Notify(tx, t, notices...)
	})
	if err != nil {
		return 0, fmt.Errorf("retention: warn the pupils who left %s: %w", t.UAI, err)
	}
	return len(told), nil
}

// minor tells whether a pupil born on birth is under 18 at now; a pupil whose birth date is
// unknown is taken for a minor (their guardians are told too).
func minor(birth *time.Time, now time.Time) bool {
	if birth == nil {
		return true
	}
	return now.In(directory.SchoolZone).Before(birth.AddDate(18, 0, 0))
}

// frenchDate is a date as the notices say it: « 03/03/2027 ».
func frenchDate(t time.Time) string { return t.In(directory.SchoolZone).Format("02/01/2006") }

func items(n int) string {
	if n == 1 {
		return "1 élément"
	}
	return fmt.Sprintf("%d éléments", n)
}

func (s *Service) pupilNotice(t *tenant.Tenant, w warned) notify.Notice {
	return notify.Notice{Kind: notify.KindRetention, Recipients: []uuid.UUID{w.PersonID},
		Title: "Votre portfolio sera supprimé le " + frenchDate(w.PurgeAfter),
		Body: fmt.Sprintf("Vous avez quitté %s. Comme le prévoit la réglementation (arrêté du 30 novembre 2006, art. 6), votre compte "+
			"et votre portfolio (%s : travaux rendus, résultats d'exercices, bulletins, documents) seront supprimés le %s.\n\n"+
			"Avant cette date, téléchargez-les depuis votre compte, rubrique « Mes données personnelles » : %s\n\n"+
			"Si vous êtes inscrit(e) dans un autre établissement de la région, votre portfolio peut aussi y être transféré : "+
			"acceptez la proposition qui vous y est faite.", t.Name, items(w.Items), frenchDate(w.PurgeAfter), s.account)}
}

func (s *Service) guardianNotice(t *tenant.Tenant, w warned, guardians []uuid.UUID) notify.Notice {
	who := w.FirstName + " " + w.LastName
	return notify.Notice{Kind: notify.KindRetention, Recipients: guardians,
		Title: "Le portfolio de " + who + " sera supprimé le " + frenchDate(w.PurgeAfter),
		Body: fmt.Sprintf("%s a quitté %s. Comme le prévoit la réglementation (arrêté du 30 novembre 2006, art. 6), son compte et son "+
			"portfolio (%s) seront supprimés le %s.\n\nAvant cette date, vous ou votre enfant pouvez les télécharger depuis votre compte, "+
			"rubrique « Mes données personnelles » : %s", who, t.Name, items(w.Items), frenchDate(w.PurgeAfter), s.account)}
}

// purgeBatch bounds the pupils whose portfolio one transaction deletes (a June's leavers).
const purgeBatch = 200

// PurgePortfolios deletes the portfolios of t's pupils who left whose keeping period ended at
// now (purge_after), then their files' blobs, a batch of pupils per transaction; it returns
// the items and bytes removed.
func (s *Service) PurgePortfolios(ctx context.Context, t *tenant.Tenant, now time.Time) (count, bytes int64, err error) {
	for {
		n, c, b, err := s.purgePortfolios(ctx, t, now)
		count, bytes = count+c, bytes+b
		if err != nil || n < purgeBatch {
			return count, bytes, err
		}
	}
}

// purgePortfolios deletes one batch: it returns the pupils, items and bytes.
func (s *Service) purgePortfolios(ctx context.Context, t *tenant.Tenant, now time.Time) (pupils int, count, bytes int64, err error) {
	if s.folios == nil {
		return 0, 0, 0, errors.New("retention: no portfolio wired: the leavers' portfolios cannot be purged")
	}
	var keys []string
	err = s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var ids []uuid.UUID
		// FOR UPDATE: a pupil reactivated meanwhile is read again once that commits.
		if err := tx.Table("people").Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("NOT active AND purge_after <= ? AND EXISTS (SELECT 1 FROM portfolio_items i WHERE i.pupil_id = people.id)", now).
			Order("purge_after, id").Limit(purgeBatch).Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("pupils past their keeping: %w", err)
		}
		pupils = len(ids)
		var err error
		count, keys, bytes, err = s.folios.Purge(tx, ids)
		return err
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("retention: purge the portfolios of %s: %w", t.UAI, err)
	}
	if s.blobs != nil && len(keys) > 0 {
		// A failure leaves blobs no row knows (the rows are gone): the error says so and the
		// job is retried, but finds nothing more to delete.
		if err := s.blobs.Remove(ctx, t, keys...); err != nil {
			return pupils, count, bytes, fmt.Errorf("retention: remove the portfolios' files of %s: %w", t.UAI, err)
		}
	}
	return pupils, count, bytes, nil
}
