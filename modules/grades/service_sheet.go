package grades

import (
	"context"
	"math/big"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/google/uuid"
)

// subjectSheet is a class's marks in one subject for a period: the evaluations (drafts
// included), each pupil's marks and subject average, and the class figures, all from the one
// place averages are computed (book). Averages count published evaluations only, as
// everywhere else: a draft counts nowhere.
type subjectSheet struct {
	Teaching    Teaching
	Period      Period
	Evaluations []Evaluation
	EvalStats   []Stats // in Evaluations order, on each evaluation's scale
	Counts      []int   // marks entered per evaluation
	Pupils      []sheetPupil
	Class       Stats // over the pupils' subject averages
}

type sheetPupil struct {
	ID        uuid.UUID
	LastName  string
	FirstName string
	Marks     []*MarkEntry // in Evaluations order; nil: none
	Average   *big.Rat
}

// teachingOf returns the class and subject if the actor teaches that subject there (or
// oversees), and a 404 otherwise, unknown class or subject included.
func teachingOf(st store, a Actor, classID uuid.UUID, subject string) (Teaching, error) {
	var te Teaching
	ok, err := canTeach(st, a, classID, subject)
	if err != nil || !ok {
		if err == nil {
			err = fault.New(fault.ErrNotFound, "classe introuvable, ou vous n'y enseignez pas cette matière")
		}
		return te, err
	}
	te, err = st.teaching(classID, subject)
	if err == nil && te.ClassID == uuid.Nil {
		err = fault.New(fault.ErrNotFound, "classe ou matière introuvable")
	}
	return te, err
}

// checkTeaching answers 404 unless the class and subject exist and the actor teaches
// that subject there (or oversees).
func (s *Service) checkTeaching(ctx context.Context, t *tenant.Tenant, a Actor, classID uuid.UUID, subject string) error {
	return s.read(ctx, t, func(st store) error {
		_, err := teachingOf(st, a, classID, subject)
		return err
	})
}

// subjectSheet computes the sheet of a class (or group) and subject the actor teaches.
func (s *Service) subjectSheet(ctx context.Context, t *tenant.Tenant, a Actor, classID uuid.UUID, subject string, p *Period) (*subjectSheet, error) {
	sh := &subjectSheet{Period: *p}
	err := s.read(ctx, t, func(st store) error {
		var err error
		if sh.Teaching, err = teachingOf(st, a, classID, subject); err != nil {
			return err
		}
		b, err := loadBook(st, classID, *p, false)
		if err != nil {
			return err
		}
		counted, err := loadBook(st, classID, *p, true)
		if err != nil {
			return err
		}
		for _, ev := range b.evals {
			if ev.ClassID == classID && ev.SubjectCode == subject {
				sh.Evaluations = append(sh.Evaluations, ev)
				sh.EvalStats = append(sh.EvalStats, b.evalStats(ev.ID))
				sh.Counts = append(sh.Counts, len(b.marks[ev.ID]))
			}
		}
		for _, pu := range b.pupils {
			sp := sheetPupil{ID: pu.ID, LastName: pu.LastName, FirstName: pu.FirstName, Average: counted.avg[pu.ID][subject],
				Marks: make([]*MarkEntry, len(sh.Evaluations))}
			for i, ev := range sh.Evaluations {
				sp.Marks[i] = b.marks[ev.ID][pu.ID]
			}
			sh.Pupils = append(sh.Pupils, sp)
		}
		sh.Class = counted.subjStats[subject]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}
