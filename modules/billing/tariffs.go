package billing

// The région's tariffs: versions in force from the first of a month until the next
// version's. A version that a closed month used is never changed, and no version may take
// effect in a month already closed: a closed month's statements stay what they were.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cartable-ent/cartable/web/fault"
)

// tariffRow is billing_tariffs.
type tariffRow struct {
	ID            int64 `gorm:"primaryKey"`
	EffectiveFrom time.Time
	PlatformMonth int64
	PupilMonth    int64
	SchoolMonth   int64
	GBMonth       int64 `gorm:"column:gb_month"`
	VATBasis      int64 `gorm:"column:vat_basis"`
	SplitKey      string
	CreatedBy     string
	CreatedAt     time.Time
}

func (tariffRow) TableName() string { return "platform.billing_tariffs" }

func (r tariffRow) tariff() Tariff {
	return Tariff{ID: r.ID, EffectiveFrom: r.EffectiveFrom.UTC(), PlatformMonth: Cents(r.PlatformMonth),
		PupilMonth: Cents(r.PupilMonth), SchoolMonth: Cents(r.SchoolMonth), GBMonth: Cents(r.GBMonth),
		VATBasis: r.VATBasis, Key: Key(r.SplitKey), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

// Tariffs lists every version, the newest effective date first.
func (s *Store) Tariffs(ctx context.Context) ([]Tariff, error) {
	var rows []tariffRow
	if err := s.db.WithContext(ctx).Order("effective_from DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("billing: read the tariffs: %w", err)
	}
	out := make([]Tariff, len(rows))
	for i, r := range rows {
		out[i] = r.tariff()
	}
	return out, nil
}

// TariffFor is the version in force during month. With none, the error is a fault.Message
// of kind ErrNotFound that tells the région to set one.
func (s *Store) TariffFor(ctx context.Context, month time.Time) (Tariff, error) {
	return tariffFor(s.db.WithContext(ctx), MonthOf(month))
}

func tariffFor(db *gorm.DB, month time.Time) (Tariff, error) {
	var r tariffRow
	err := db.Where("effective_from <= ?", month).Order("effective_from DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Tariff{}, fault.New(fault.ErrNotFound, "Aucun tarif n'est en vigueur en %s : la région doit d'abord fixer le tarif (Facturation › Tarifs).", formatMonth(month))
	}
	if err != nil {
		return Tariff{}, fmt.Errorf("billing: read the tariff of %s: %w", month.Format("2006-01"), err)
	}
	return r.tariff(), nil
}

// SetTariff records t as the version in force from t.EffectiveFrom (the first of a month),
// replacing the version of that same date if no closed month used it, and writes the audit
// log in the same transaction. A month already closed at or after that date refuses it.
func (s *Store) SetTariff(ctx context.Context, actor string, t Tariff) (Tariff, error) {
	key, err := checkTariff(t)
	if err != nil {
		return Tariff{}, err
	}
	t.Key = key
	from := t.EffectiveFrom
	if from.IsZero() {
		return Tariff{}, fault.Invalidf("EffectiveFrom", "Indiquez le mois à partir duquel ce tarif s'applique.")
	}
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	if from.Day() != 1 {
		return Tariff{}, fault.Invalidf("EffectiveFrom", "Un tarif s'applique à partir du premier jour d'un mois (%s n'en est pas un).", from.Format("02/01/2006"))
	}
	t.EffectiveFrom = from
	var saved tariffRow
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The months rows are locked so that no close runs between the check and the write.
		var closed []time.Time
		if err := tx.Raw(`SELECT month FROM platform.billing_months WHERE month >= ? ORDER BY month FOR SHARE`, from).Scan(&closed).Error; err != nil {
			return err
		}
		if len(closed) > 0 {
			return fault.NewField(fault.ErrConflict, "EffectiveFrom", "Le mois de %s est déjà clos : un nouveau tarif ne peut s'appliquer qu'à partir du mois qui suit le dernier mois clos.", formatMonth(closed[len(closed)-1]))
		}
		saved = tariffRow{EffectiveFrom: from, PlatformMonth: int64(t.PlatformMonth), PupilMonth: int64(t.PupilMonth),
			SchoolMonth: int64(t.SchoolMonth), GBMonth: int64(t.GBMonth), VATBasis: t.VATBasis, SplitKey: string(t.Key),
			CreatedBy: actor, CreatedAt: s.now()}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "effective_from"}},
			DoUpdates: clause.AssignmentColumns([]string{"platform_month", "pupil_month", "school_month", "gb_month", "vat_basis", "split_key", "created_by", "created_at"}),
		}).Create(&saved).Error; err != nil {
			return err
		}
		if err := tx.Where("effective_from = ?", from).Take(&saved).Error; err != nil {
			return err
		}
		return audit(tx, actor, "billing.tariff", RegionPayer, map[string]any{
			"effective_from": from.Format("2006-01-02"), "platform_month": t.PlatformMonth, "pupil_month": t.PupilMonth,
			"school_month": t.SchoolMonth, "gb_month": t.GBMonth, "vat_basis": t.VATBasis, "key": t.Key,
		})
	})
	if err != nil {
		var m *fault.Message
		if errors.As(err, &m) {
			return Tariff{}, err
		}
		return Tariff{}, fmt.Errorf("billing: set the tariff from %s: %w", from.Format("2006-01"), err)
	}
	return saved.tariff(), nil
}
