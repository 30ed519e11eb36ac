package directory

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/frsort"
)

// Guardianship answers who is a pupil's legal guardian in an establishment: the one place
// that rule is written (only legal guardians see marks and absences and justify absences;
// other relatives, quality ≠ 1 in the AAF, see nothing). Other modules declare the small
// interface they need and are given a Guardianship. Its methods take the caller's tenant
// transaction (from tenant.DB.Tx or ReadTx), so that the answer is part of the page's one
// read and sees the same data as the rest of it.
type Guardianship struct{}

// Child is a pupil as a guardian's child chooser lists them.
type Child struct {
	ID         uuid.UUID
	FirstName  string
	LastName   string
	ClassLabel string     // the pupil's class this school year; empty when none
	BirthDate  *time.Time // nil when the directory does not know it
}

// IsLegalGuardian tells whether guardian is a legal guardian of pupil in the establishment
// of tx.
func (Guardianship) IsLegalGuardian(tx *gorm.DB, guardian, pupil uuid.UUID) (bool, error) {
	var n int
	if err := tx.Raw(`SELECT count(*) FROM guardianships WHERE guardian_id = ? AND pupil_id = ? AND legal`, guardian, pupil).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("directory: is %s a legal guardian of %s: %w", guardian, pupil, err)
	}
	return n > 0, nil
}

// LegalChildren lists the active pupils of whom guardian is a legal guardian in the
// establishment of tx, with their class this year, by first name then last name in French
// order.
func (Guardianship) LegalChildren(tx *gorm.DB, guardian uuid.UUID) ([]Child, error) {
	var out []Child
	if err := tx.Raw(`SELECT p.id, p.first_name, p.last_name, p.birth_date,
			coalesce((SELECT c.label FROM class_members m JOIN classes c ON c.id = m.class_id
				JOIN school_years y ON y.code = c.school_year AND y.current
				WHERE m.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1), '') AS class_label
		FROM guardianships g JOIN people p ON p.id = g.pupil_id
		WHERE g.guardian_id = ? AND g.legal AND p.active AND p.category = 'eleve'`, guardian).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("directory: children of %s: %w", guardian, err)
	}
	frsort.Slice(out, func(c Child) []string { return []string{c.FirstName, c.LastName} })
	return out, nil
}

// LegalGuardians returns, for each of pupils, their active legal guardians in the
// establishment of tx (pupils without one are absent from the map).
func (Guardianship) LegalGuardians(tx *gorm.DB, pupils []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
	out := map[uuid.UUID][]uuid.UUID{}
	if len(pupils) == 0 {
		return out, nil
	}
	rows, err := tx.Raw(`SELECT g.pupil_id, g.guardian_id FROM guardianships g JOIN people p ON p.id = g.guardian_id AND p.active
		WHERE g.legal AND g.pupil_id IN ? ORDER BY g.pupil_id, g.guardian_id`, pupils).Rows()
	if err != nil {
		return nil, fmt.Errorf("directory: legal guardians of %d pupils: %w", len(pupils), err)
	}
	defer rows.Close()
	for rows.Next() {
		var pupil, guardian uuid.UUID
		if err := rows.Scan(&pupil, &guardian); err != nil {
			return nil, fmt.Errorf("directory: legal guardians: %w", err)
		}
		out[pupil] = append(out[pupil], guardian)
	}
	return out, rows.Err()
}
