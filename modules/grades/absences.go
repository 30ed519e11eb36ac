package grades

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Absences gives report cards their absence line (attendance.Service): the period's
// half-days justified and unjustified and the lateness count, read in the grades' own
// transaction so that a report card is one consistent picture.
type Absences interface {
	ReportAbsences(tx *gorm.DB, pupils []uuid.UUID, from, to time.Time) (map[uuid.UUID]string, error)
}

// SetAbsences wires the absences (cmd/cartable); without them report cards say
// « non renseignées ».
func (s *Service) SetAbsences(a Absences) { s.absences = a }

// fillAbsences writes the period's absence line on each report card.
func (s *Service) fillAbsences(st store, p Period, reports ...*PupilReport) error {
	if s.absences == nil || len(reports) == 0 {
		return nil
	}
	pupils := make([]uuid.UUID, len(reports))
	for i, r := range reports {
		pupils[i] = r.PupilID
	}
	lines, err := s.absences.ReportAbsences(st.tx, pupils, p.StartsOn, p.EndsOn)
	if err != nil {
		return err
	}
	for _, r := range reports {
		r.Absences = lines[r.PupilID]
	}
	return nil
}
