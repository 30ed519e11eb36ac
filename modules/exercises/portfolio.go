package exercises

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/web/fault"
)

// Portfolio is where a pupil's submitted attempts are recorded (portfolio.Service).
type Portfolio interface {
	Record(tx *gorm.DB, e portfolio.Entry) (uuid.UUID, error)
}

// SetPortfolio records each submitted attempt, and its score again after a teacher's review,
// into the pupil's portfolio, in the submission's transaction (cmd/cartable).
func (s *Service) SetPortfolio(p Portfolio) { s.portfolio = p }

// recordAttempt writes a submitted attempt into its pupil's portfolio: the exercise's title,
// the score (« 7/10 », « 7/10, en attente de correction »). An attempt already recorded in a
// year since closed stays as it was; an establishment without a current year records nothing.
func (s *Service) recordAttempt(st store, attempt uuid.UUID) error {
	if s.portfolio == nil {
		return nil
	}
	var rows []struct {
		PupilID     uuid.UUID
		Title       string
		SubmittedAt *time.Time
		MaxPoints   Points
		ScoreNum    *string
		ScoreDen    *string
		Pending     bool
	}
	if err := st.scan("attempt for the portfolio", &rows, `SELECT a.pupil_id, e.title, a.submitted_at, (a.max_points * 100)::bigint AS max_points,
			a.score_num::text AS score_num, a.score_den::text AS score_den, a.pending
		FROM exercise_attempts a JOIN exercise_assignments s ON s.id = a.assignment_id JOIN exercises e ON e.id = s.exercise_id WHERE a.id = ?`, attempt); err != nil {
		return err
	}
	if len(rows) == 0 || rows[0].SubmittedAt == nil || rows[0].ScoreNum == nil || rows[0].ScoreDen == nil {
		return nil
	}
	r := rows[0]
	score, ok := new(big.Rat).SetString(*r.ScoreNum + "/" + *r.ScoreDen)
	if !ok {
		return fmt.Errorf("exercises: score %s/%s of %s", *r.ScoreNum, *r.ScoreDen, attempt)
	}
	summary := pointsOf(score).Short() + "/" + r.MaxPoints.Short()
	if r.Pending {
		summary += ", en attente de correction"
	}
	_, err := s.portfolio.Record(st.tx, portfolio.Entry{PupilID: r.PupilID, Kind: portfolio.Attempt, Source: "exercises:" + attempt.String(),
		Title: r.Title, Summary: summary, OccurredAt: *r.SubmittedAt})
	if errors.Is(err, fault.ErrConflict) {
		return nil // a closed year's item, or no current year: the portfolio keeps what it has
	}
	return err
}

// pointsOf is an exact score in points rounded to hundredths.
func pointsOf(score *big.Rat) Points {
	h := new(big.Rat).Mul(score, big.NewRat(100, 1))
	n := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(h.Num(), big.NewInt(2)), h.Denom()), new(big.Int).Mul(h.Denom(), big.NewInt(2)))
	return grades.Hundredths(n.Int64())
}
