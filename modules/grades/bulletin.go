package grades

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// SaveAppreciations records a teacher's appréciations of a subject for the pupils of a
// class (texts keyed by pupil; an empty text removes it). Refused once published.
func (s *Service) SaveAppreciations(ctx context.Context, t *tenant.Tenant, a Actor, p *Period, classID uuid.UUID, subject string, texts map[uuid.UUID]string) error {
	return s.write(ctx, t, func(st store) error {
		ok, err := canTeach(st, a, classID, subject)
		if err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.ErrNotFound, "classe introuvable, ou vous n'y enseignez pas cette matière")
		}
		return s.saveTexts(st, p, classID, texts, 1000, func(pupil uuid.UUID, text string) error {
			return st.saveAppreciation(p.ID, pupil, subject, nullID(a.PersonID), text, s.now().UTC())
		})
	})
}

// IsPrincipal tells whether the actor is professeur principal of the class.
func (s *Service) IsPrincipal(ctx context.Context, t *tenant.Tenant, a Actor, classID uuid.UUID) (bool, error) {
	var ok bool
	err := s.read(ctx, t, func(st store) error {
		var err error
		ok, err = st.isPrincipal(a.PersonID, classID)
		return err
	})
	return ok, err
}

// SaveCouncilComments records the conseil de classe's comments (professeur principal of the
// class, or direction). Refused once published.
func (s *Service) SaveCouncilComments(ctx context.Context, t *tenant.Tenant, a Actor, p *Period, classID uuid.UUID, texts map[uuid.UUID]string) error {
	return s.write(ctx, t, func(st store) error {
		if !a.Oversees() {
			ok, err := st.isPrincipal(a.PersonID, classID)
			if err != nil {
				return err
			}
			if !ok {
				return fault.New(fault.ErrNotFound, "classe introuvable, ou vous n'en êtes pas le professeur principal : seul le professeur principal (ou la direction) rédige l'avis du conseil de classe")
			}
		}
		return s.saveTexts(st, p, classID, texts, 2000, func(pupil uuid.UUID, text string) error {
			return st.saveCouncilComment(p.ID, pupil, nullID(a.PersonID), text, s.now().UTC())
		})
	})
}

// saveTexts checks the class is not published, every pupil belongs to it and every text
// fits, then writes them all (or nothing).
func (s *Service) saveTexts(st store, p *Period, classID uuid.UUID, texts map[uuid.UUID]string, max int, write func(uuid.UUID, string) error) error {
	// Published for this class, or for the class of any pupil concerned (a group's pupils
	// come from several classes).
	ids := make([]uuid.UUID, 0, len(texts))
	for id := range texts {
		ids = append(ids, id)
	}
	pub, err := st.publishedForTexts(p.ID, classID, ids)
	if err != nil {
		return err
	}
	if pub > 0 {
		return fault.New(fault.ErrConflict, "les bulletins du %s de cette classe sont publiés : demandez à la direction de les dépublier pour modifier", p.Label())
	}
	pupils, err := st.classPupils(classID)
	if err != nil {
		return err
	}
	errs := FieldErrors{}
	for pupil, text := range texts {
		if !pupils[pupil] {
			return fault.Invalidf("eleve", "un élève de la saisie n'appartient pas à cette classe")
		}
		if len([]rune(strings.TrimSpace(text))) > max {
			errs[pupil.String()] = fmt.Sprintf("%d caractères au plus.", max)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for pupil, text := range texts {
		if err := write(pupil, strings.TrimSpace(text)); err != nil {
			return err
		}
	}
	return nil
}

func nullID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// Publish makes a class's report cards of a period visible to pupils and guardians (or
// withdraws them). Direction only.
func (s *Service) Publish(ctx context.Context, t *tenant.Tenant, a Actor, p *Period, classID uuid.UUID, publish bool) error {
	if !a.Oversees() {
		return fault.New(fault.ErrForbidden, "seule la direction publie les bulletins")
	}
	switch {
	case publish && s.portfolio != nil && s.portfolio.Files() != nil:
		return s.publishIntoPortfolios(ctx, t, a, p, classID)
	case !publish && s.portfolio != nil:
		return s.withdrawFromPortfolios(ctx, t, p, classID)
	}
	return s.write(ctx, t, func(st store) error {
		return st.setPublished(p.ID, classID, nullID(a.PersonID), publish)
	})
}

// SetSubjectCoefficient sets a subject's weight in a class's general average (direction).
func (s *Service) SetSubjectCoefficient(ctx context.Context, t *tenant.Tenant, a Actor, classID uuid.UUID, subject, coef string) error {
	if !a.Oversees() {
		return fault.New(fault.ErrForbidden, "seule la direction fixe les coefficients des matières")
	}
	c, ok := ParseHundredths(coef)
	if !ok || c > 10000 {
		return fault.Invalidf("coefficient", "coefficient « %s » invalide : un nombre de 0 à 100, deux décimales au plus", coef)
	}
	return s.write(ctx, t, func(st store) error {
		ok, err := st.classSubjectExists(classID, subject)
		if err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.ErrNotFound, "classe ou matière introuvable")
		}
		return st.setSubjectCoefficient(classID, subject, c)
	})
}

// ClassTable is direction's view of a class: every pupil's subject and general averages,
// each subject's class figures, and the distribution of general averages.
type ClassTable struct {
	ClassLabel   string
	Period       Period
	Subjects     []SubjectHead
	Rows         []ClassTableRow
	General      Stats
	Distribution []Bucket
}

// SubjectHead is a column of the class table.
type SubjectHead struct {
	Code, Label string
	Coef        Hundredths
	Stats       Stats
}

// ClassTableRow is a pupil's line.
type ClassTableRow struct {
	PupilID  uuid.UUID
	Name     string
	Averages []*big.Rat // in Subjects order; nil: no average
	General  *big.Rat
}

// Bucket counts general averages in [From, To).
type Bucket struct {
	From, To int
	Count    int
}

// Table computes the class table (direction).
func (s *Service) Table(ctx context.Context, t *tenant.Tenant, a Actor, classID uuid.UUID, p *Period) (*ClassTable, error) {
	if !a.Oversees() {
		return nil, fault.New(fault.ErrForbidden, "le tableau de classe est réservé à la direction")
	}
	reports, err := s.ClassReports(ctx, t, classID, p)
	if err != nil {
		return nil, err
	}
	ct := &ClassTable{Period: *p}
	seen := map[string]int{}
	for _, r := range reports {
		ct.ClassLabel = r.ClassLabel
		ct.General = r.ClassStats
		for _, sl := range r.Subjects {
			if _, ok := seen[sl.Code]; !ok {
				seen[sl.Code] = len(ct.Subjects)
				ct.Subjects = append(ct.Subjects, SubjectHead{Code: sl.Code, Label: sl.Label, Coef: sl.Coef, Stats: sl.Class})
			}
		}
	}
	for _, r := range reports {
		row := ClassTableRow{PupilID: r.PupilID, Name: r.LastName + " " + r.FirstName, Averages: make([]*big.Rat, len(ct.Subjects)), General: r.General}
		for _, sl := range r.Subjects {
			row.Averages[seen[sl.Code]] = sl.Average
		}
		ct.Rows = append(ct.Rows, row)
	}
	bounds := []int{0, 5, 8, 10, 12, 14, 16, 21}
	for i := 0; i+1 < len(bounds); i++ {
		ct.Distribution = append(ct.Distribution, Bucket{From: bounds[i], To: bounds[i+1]})
	}
	for _, r := range ct.Rows {
		if r.General == nil {
			continue
		}
		for i := range ct.Distribution {
			if r.General.Cmp(big.NewRat(int64(ct.Distribution[i].To), 1)) < 0 {
				ct.Distribution[i].Count++
				break
			}
		}
	}
	return ct, nil
}
