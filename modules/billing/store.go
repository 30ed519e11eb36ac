package billing

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Paris is the time zone of the platform's days and months.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Store reads and writes the billing tables of the platform schema (migration
// platform/0006_billing.sql). Every method takes its time from the store's clock.
type Store struct {
	db  *gorm.DB
	now func() time.Time
}

// NewStore binds the store to the platform pool (tenant.Registry.Platform) and a clock
// (time.Now in production, a test's fixed clock in tests).
func NewStore(db *gorm.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// DB is the platform pool the store writes to.
func (s *Store) DB() *gorm.DB { return s.db }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// MonthOf is the first day of t's month in Europe/Paris, as a date (midnight UTC), the form
// in which months are keyed in the billing tables.
func MonthOf(t time.Time) time.Time {
	p := t.In(Paris)
	return time.Date(p.Year(), p.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// DayOf is t's day in Europe/Paris as a date (midnight UTC).
func DayOf(t time.Time) time.Time {
	p := t.In(Paris)
	return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
}

// txKey carries, in a context, the transaction a read must see (the close's).
type txKey struct{}

// withTx makes the store's reads under ctx run in tx: the close reads the month's usage in
// its own transaction, after locking the metering, so that nothing metered meanwhile is
// left out of the frozen statements.
func withTx(ctx context.Context, tx *gorm.DB) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// conn is the transaction ctx carries (withTx), else the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return s.db.WithContext(ctx)
}
