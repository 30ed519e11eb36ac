package exercises

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Marks is what the exercises ask of the grades module to put an assignment's grades into
// an evaluation (*grades.Service has it).
type Marks interface {
	SaveEvaluation(ctx context.Context, t *tenant.Tenant, a grades.Actor, id uuid.UUID, f grades.EvaluationForm) (*grades.Evaluation, error)
	SaveMarks(ctx context.Context, t *tenant.Tenant, a grades.Actor, id uuid.UUID, in grades.GridInput) (*grades.Grid, error)
}

// Service runs the banks, exercises, assignments and attempts of every establishment.
type Service struct {
	db    *tenant.DB
	grade Grader
	marks Marks // nil: « into the marks » is refused
	now   func() time.Time

	portfolio Portfolio // SetPortfolio; nil: attempts are not recorded
}

// NewService wires the exercises on the tenants' database: grade grades the responses
// (package grading's Grade), marks is the grades module (nil: no « into the marks »), now
// is the clock (nil: time.Now).
func NewService(db *tenant.DB, grade Grader, marks Marks, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, grade: grade, marks: marks, now: now}
}

func (s *Service) read(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.ReadTx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

func (s *Service) write(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

// FormErrors are a refused form's messages by field, in French.
type FormErrors map[string]string

func (e FormErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k+" : "+e[k])
	}
	slices.Sort(keys)
	return "formulaire refusé : " + strings.Join(keys, " ; ")
}

// Unwrap makes a refused form an invalid request for the error handler.
func (e FormErrors) Unwrap() error { return fault.ErrInvalid }

func notFound(what string) error { return fault.New(fault.ErrNotFound, "%s introuvable", what) }

func mustWrite(a Actor) error {
	if !a.Writes() {
		return fault.New(fault.ErrForbidden, "seuls les enseignants ont une banque de questions et des exercices")
	}
	return nil
}

func mustTake(a Actor) error {
	if !a.Pupil() {
		return fault.New(fault.ErrForbidden, "seuls les élèves font les exercices")
	}
	return nil
}

// ratOf reads an exact numeric written by PostgreSQL ("12.50", "3").
func ratOf(s string) (*big.Rat, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("exercises: read number %q", s)
	}
	return r, nil
}

// pointsRat is p as an exact number of points.
func pointsRat(p Points) *big.Rat { return big.NewRat(int64(p), 100) }

// ParsePoints reads points as typed (« 2 », « 0,5 »; two decimals at most, 1 000 at most).
func ParsePoints(s string) (Points, bool) {
	p, ok := grades.ParseHundredths(s)
	if !ok || p <= 0 || p > 100000 {
		return 0, false
	}
	return p, true
}

// dateTime writes an instant for the pupils' messages: « lundi 5 octobre à 10 h 00 ».
func dateTime(t time.Time) string {
	t = t.In(directory.SchoolZone)
	days := []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	months := []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	return fmt.Sprintf("%s %d %s %d à %d h %02d", days[t.Weekday()], t.Day(), months[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}
