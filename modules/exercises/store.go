package exercises

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// store is the exercises' SQL, bound to one tenant transaction.
type store struct{ tx *gorm.DB }

func (st store) exec(what, q string, args ...any) error {
	if err := st.tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("exercises: %s: %w", what, err)
	}
	return nil
}

func (st store) scan(what string, out any, q string, args ...any) error {
	if err := st.tx.Raw(q, args...).Scan(out).Error; err != nil {
		return fmt.Errorf("exercises: %s: %w", what, err)
	}
	return nil
}

// pgCode is the SQLSTATE of a PostgreSQL error ("" for another error).
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
