package grades

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Service runs the marks and report cards of every establishment.
type Service struct {
	db        *tenant.DB
	now       func() time.Time
	guardians Guardians
	figures   *figuresCache // classes' figures by version of the grades data
	notifier  Notifier      // tells pupils and guardians of published marks; nil: nobody
	absences  Absences      // the report cards' absence line; nil: « non renseignées »
	portfolio Portfolio     // published report cards into the pupils' portfolios; nil: not recorded
}

// NewService wires the grades. now is the clock (nil: time.Now); dates are read in the
// establishments' time zone (directory.SchoolZone). Who is a legal guardian is asked of
// the directory's Guardianship.
func NewService(db *tenant.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: func() time.Time { return now().In(directory.SchoolZone) }, guardians: directory.Guardianship{}, figures: newFiguresCache()}
}

// read runs fn in one read-only tenant transaction with the store bound to it.
func (s *Service) read(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.ReadTx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

// write runs fn in one tenant transaction with the store bound to it.
func (s *Service) write(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

// Today is the establishments' current date (Europe/Paris), as a form date.
func (s *Service) Today() string { return s.now().Format("2006-01-02") }

// Actor is who acts: the person in the establishment and their roles.
type Actor struct {
	PersonID uuid.UUID
	Roles    []identity.Role
}

// ActorOf turns the request's viewer into an Actor.
func ActorOf(v *identity.Viewer) Actor {
	if v == nil {
		return Actor{}
	}
	return Actor{PersonID: v.PersonID, Roles: v.Roles}
}

// Oversees tells whether the actor sees and may change every evaluation (direction,
// establishment administrators, platform administrators).
func (a Actor) Oversees() bool {
	for _, r := range a.Roles {
		switch r {
		case identity.RoleDirection, identity.RoleAdmin, identity.RoleAdminRegion, identity.RoleAdminDepartement:
			return true
		}
	}
	return false
}

// Periods returns the current year's periods. A school year gets three trimestres when it is
// created (1 September–30 November, 1 December–end of February, 1 March–31 August, by the
// trigger of migration 0004); reading them never writes.
func (s *Service) Periods(ctx context.Context, t *tenant.Tenant) ([]Period, error) {
	var out []Period
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.periods()
		return err
	})
	return out, err
}

// SetPeriods replaces the current year's periods: kind trimestre (3 periods) or semestre
// (2), each period starting the day after the previous one ends. Refused once a report card
// of the year is published.
func (s *Service) SetPeriods(ctx context.Context, t *tenant.Tenant, kind string, ends []time.Time) ([]Period, error) {
	want := map[string]int{KindTrimestre: 3, KindSemestre: 2}[kind]
	if want == 0 {
		return nil, fault.Invalidf("kind", "découpage « %s » inconnu : trimestre ou semestre", kind)
	}
	if len(ends) != want-1 {
		return nil, fault.Invalidf("ends", "indiquez la date de fin de chaque %s sauf le dernier (%d dates)", kind, want-1)
	}
	var out []Period
	err := s.write(ctx, t, func(st store) error {
		year, err := st.currentYear()
		if err != nil {
			return err
		}
		yearStart, _, err := st.yearBounds(year)
		if err != nil {
			return err
		}
		published, err := st.yearPublications(year)
		if err != nil {
			return err
		}
		if published > 0 {
			return fault.New(fault.ErrConflict, "des bulletins de %s sont déjà publiés : le découpage de l'année ne peut plus changer", year)
		}
		texts, err := st.yearTexts(year)
		if err != nil {
			return err
		}
		if texts > 0 {
			return fault.New(fault.ErrConflict, "des appréciations de %s sont déjà saisies : changer le découpage les effacerait ; videz-les d'abord", year)
		}
		start := yearStart
		yearEnd := time.Date(yearStart.Year()+1, 8, 31, 0, 0, 0, 0, time.UTC)
		for i := 0; i < want; i++ {
			end := yearEnd
			if i < len(ends) {
				end = ends[i]
			}
			if !end.After(start) || !end.Before(yearEnd) && i < len(ends) {
				return fault.Invalidf("ends", "la fin du %de %s (%s) doit suivre son début (%s) et précéder la fin de l'année", i+1, kind, end.Format("02/01/2006"), start.Format("02/01/2006"))
			}
			out = append(out, Period{ID: uuid.New(), SchoolYear: year, Kind: kind, Number: i + 1, StartsOn: start, EndsOn: end})
			start = end.AddDate(0, 0, 1)
		}
		return st.replacePeriods(year, out)
	})
	return out, err
}

// PeriodByID returns one period of the current year.
func (s *Service) PeriodByID(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (*Period, error) {
	ps, err := s.Periods(ctx, t)
	if err != nil {
		return nil, err
	}
	return s.choosePeriod(ps, id)
}

// CurrentPeriod is the period containing today, or the last one.
func (s *Service) CurrentPeriod(ctx context.Context, t *tenant.Tenant) (*Period, error) {
	ps, err := s.Periods(ctx, t)
	if err != nil {
		return nil, err
	}
	return s.choosePeriod(ps, uuid.Nil)
}

// choosePeriod returns the period id of ps; for uuid.Nil the current one: the period
// containing today, the first before the year starts, the last after it ends.
func (s *Service) choosePeriod(ps []Period, id uuid.UUID) (*Period, error) {
	if id != uuid.Nil {
		for i := range ps {
			if ps[i].ID == id {
				return &ps[i], nil
			}
		}
		return nil, fault.New(fault.ErrNotFound, "cette période n'existe pas")
	}
	if len(ps) == 0 {
		return nil, fault.New(fault.ErrNotFound, "l'année n'a aucune période : la direction doit choisir trimestres ou semestres")
	}
	today := s.now()
	for i := range ps {
		if ps[i].Contains(today) {
			return &ps[i], nil
		}
	}
	if today.Before(ps[0].StartsOn) {
		return &ps[0], nil
	}
	return &ps[len(ps)-1], nil
}

// Teaching is one class or group × subject a teacher teaches.
type Teaching struct {
	ClassID      uuid.UUID
	ClassCode    string
	ClassLabel   string
	ClassKind    string
	SubjectCode  string
	SubjectLabel string
}

// Teachings lists what the actor teaches; someone who oversees gets every class × subject
// that has a teacher.
func (s *Service) Teachings(ctx context.Context, t *tenant.Tenant, a Actor) ([]Teaching, error) {
	var out []Teaching
	err := s.read(ctx, t, func(st store) error {
		teacher := a.PersonID
		if a.Oversees() {
			teacher = uuid.Nil
		}
		var err error
		out, err = st.teachings(teacher)
		return err
	})
	return out, err
}

// canTeach tells whether the actor may create or change evaluations of this class and subject.
func canTeach(st store, a Actor, classID uuid.UUID, subject string) (bool, error) {
	if a.Oversees() {
		return true, nil
	}
	return st.teaches(a.PersonID, classID, subject)
}

// errNotYours hides evaluations the actor may not change as if they did not exist.
var errNotYours = fault.New(fault.ErrNotFound, "cette évaluation n'existe pas ou ne vous appartient pas")

// EvaluationForm is what a teacher types to create or change an evaluation.
type EvaluationForm struct {
	ClassID     string `form:"classe" json:"class_id"`
	Subject     string `form:"matiere" json:"subject"`
	Title       string `form:"titre" json:"title"`
	Date        string `form:"date" json:"date"`
	Scale       string `form:"bareme" json:"scale"`
	Coefficient string `form:"coefficient" json:"coefficient"`
	Bonus       bool   `form:"bonus" json:"bonus"`
	Published   bool   `form:"publiee" json:"published"`
	// NewID, when set, is the id a new evaluation takes (never read from a request): a
	// caller that creates an evaluation for something of its own (an exercise's marks)
	// derives it, so that a retry after a crash finds the evaluation instead of making a
	// second one.
	NewID uuid.UUID `form:"-" json:"-"`
}

// FieldErrors maps form fields to French messages.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " : " + e[k]
	}
	return strings.Join(parts, " ; ")
}

type evalValues struct {
	classID     uuid.UUID
	date        time.Time
	scale, coef Hundredths
}

func (f *EvaluationForm) validate() (evalValues, FieldErrors) {
	errs := FieldErrors{}
	var v evalValues
	var err error
	if v.classID, err = uuid.Parse(f.ClassID); err != nil {
		errs["classe"] = "Choisissez la classe ou le groupe."
	}
	f.Subject = strings.TrimSpace(f.Subject)
	if f.Subject == "" {
		errs["matiere"] = "Choisissez la matière."
	}
	f.Title = strings.TrimSpace(f.Title)
	if f.Title == "" || len([]rune(f.Title)) > 200 {
		errs["titre"] = "Donnez un titre (200 caractères au plus)."
	}
	if v.date, err = parseDay(f.Date); err != nil {
		errs["date"] = "Date illisible : jj/mm/aaaa."
	}
	v.scale = 2000
	if strings.TrimSpace(f.Scale) != "" {
		sc, ok := ParseHundredths(f.Scale)
		if !ok || sc <= 0 || sc > 100000 {
			errs["bareme"] = "Le barème est un nombre positif de 1 000 au plus, deux décimales au plus (ex. 20)."
		}
		v.scale = sc
	}
	v.coef = 100
	if strings.TrimSpace(f.Coefficient) != "" {
		c, ok := ParseHundredths(f.Coefficient)
		if !ok || c > 10000 {
			errs["coefficient"] = "Le coefficient est un nombre de 0 à 100, deux décimales au plus (ex. 1 ou 0,5)."
		}
		v.coef = c
	}
	if len(errs) > 0 {
		return v, errs
	}
	return v, nil
}

func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, nil
		}
	}
	return time.Time{}, errors.New("bad date")
}

// Evaluation returns one evaluation if the actor may see it as its teacher or overseer.
func (s *Service) Evaluation(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (*Evaluation, error) {
	var ev *Evaluation
	err := s.read(ctx, t, func(st store) error {
		var err error
		ev, err = s.evaluationFor(st, a, id)
		return err
	})
	return ev, err
}

func (s *Service) evaluationFor(st store, a Actor, id uuid.UUID) (*Evaluation, error) {
	evs, err := st.evaluations(`e.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, errNotYours
	}
	ok, err := canTeach(st, a, evs[0].ClassID, evs[0].SubjectCode)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNotYours
	}
	return &evs[0], nil
}

// SaveEvaluation creates (id == uuid.Nil) or changes an evaluation.
func (s *Service) SaveEvaluation(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f EvaluationForm) (*Evaluation, error) {
	v, errs := f.validate()
	if errs != nil {
		return nil, errs
	}
	var out *Evaluation
	err := s.write(ctx, t, func(st store) error {
		ok, err := canTeach(st, a, v.classID, f.Subject)
		if err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.ErrNotFound, "classe introuvable, ou vous n'y enseignez pas cette matière")
		}
		yearOK, err := st.dateInClassYear(v.classID, v.date)
		if err != nil {
			return err
		}
		if !yearOK {
			return FieldErrors{"date": "La date doit être dans l'année scolaire de la classe."}
		}
		now := s.now().UTC()
		var pubAt any
		if f.Published {
			pubAt = now
		}
		if id == uuid.Nil {
			id = f.NewID
			if id == uuid.Nil {
				id = uuid.New()
			}
			var teacher any
			if !a.Oversees() {
				teacher = a.PersonID
			}
			err = st.insertEvaluation(id, v.classID, f.Subject, teacher, f, v, pubAt, now)
		} else {
			var prev *Evaluation
			if prev, err = s.evaluationFor(st, a, id); err != nil {
				return err
			}
			if v.scale < prev.Scale {
				over, err := st.marksAbove(id, v.scale)
				if err != nil {
					return err
				}
				if over > 0 {
					return FieldErrors{"bareme": fmt.Sprintf("%d note(s) dépassent ce barème : corrigez-les d'abord.", over)}
				}
			}
			if err = st.updateEvaluation(id, f, v, now); err == nil && !prev.Published && f.Published {
				err = s.notifyPublished(st, t, a, id)
			}
		}
		if err != nil {
			return err
		}
		out, err = s.evaluationFor(st, a, id)
		return err
	})
	return out, err
}

// DeleteEvaluation removes an evaluation and its marks.
func (s *Service) DeleteEvaluation(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	return s.write(ctx, t, func(st store) error {
		if _, err := s.evaluationFor(st, a, id); err != nil {
			return err
		}
		return st.deleteEvaluation(id)
	})
}

// GridRow is one pupil of the grid entry page.
type GridRow struct {
	PupilID   uuid.UUID
	LastName  string
	FirstName string
	Mark      *MarkEntry `gorm:"-"`
	Input     string     `gorm:"-"` // what was typed (kept when the grid is refused)
	Comment   string     `gorm:"-"`
	Error     string     `gorm:"-"`
}

// Grid is an evaluation with one row per pupil of its class or group.
type Grid struct {
	Evaluation Evaluation
	Rows       []GridRow
	Stats      Stats   // over the counted marks, on the evaluation's scale
	Period     *Period // the period holding the evaluation's date; nil: none
}

// Grid returns the entry grid of an evaluation.
func (s *Service) Grid(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (*Grid, error) {
	var g *Grid
	err := s.read(ctx, t, func(st store) error {
		ev, err := s.evaluationFor(st, a, id)
		if err != nil {
			return err
		}
		if g, err = loadGrid(st, ev); err != nil {
			return err
		}
		g.Period, err = periodOf(st, ev)
		return err
	})
	return g, err
}

// periodOf is the period holding the evaluation's date (nil: none, or no period at all).
func periodOf(st store, ev *Evaluation) (*Period, error) {
	ps, err := st.periods()
	if errors.Is(err, fault.ErrNotFound) {
		return nil, nil // the grid works without periods; its back link then has none
	}
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].Contains(ev.OnDate) {
			return &ps[i], nil
		}
	}
	return nil, nil
}

func loadGrid(st store, ev *Evaluation) (*Grid, error) {
	g := &Grid{Evaluation: *ev}
	pupils, err := st.pupils(ev.ClassID)
	if err != nil {
		return nil, err
	}
	for _, p := range pupils {
		g.Rows = append(g.Rows, GridRow{PupilID: p.ID, LastName: p.LastName, FirstName: p.FirstName})
	}
	marks, err := st.marks([]uuid.UUID{ev.ID}, uuid.Nil)
	if err != nil {
		return nil, err
	}
	byPupil := map[uuid.UUID]*MarkEntry{}
	var values []*big.Rat
	for i := range marks {
		m := &marks[i]
		byPupil[m.PupilID] = &m.MarkEntry
		if m.Value != nil && m.Code == "" {
			values = append(values, new(big.Rat).SetFrac64(int64(*m.Value), 100))
		}
	}
	for i := range g.Rows {
		r := &g.Rows[i]
		r.Mark = byPupil[r.PupilID]
		r.Input = r.Mark.Text()
		if r.Mark != nil {
			r.Comment = r.Mark.Comment
		}
	}
	g.Stats = StatsOf(values)
	return g, nil
}

// GridInput is what the grid page or the API sends: the typed text of each pupil's mark
// ("" clears it) and their comment.
type GridInput struct {
	Marks    map[uuid.UUID]string
	Comments map[uuid.UUID]string
}

// GridError is a refused grid: the grid as typed, with an error next to each wrong cell.
// Nothing was saved.
type GridError struct{ Grid *Grid }

func (e *GridError) Error() string {
	var parts []string
	for _, r := range e.Grid.Rows {
		if r.Error != "" {
			parts = append(parts, r.LastName+" "+r.FirstName+" : "+r.Error)
		}
	}
	return "notes refusées : " + strings.Join(parts, " ; ")
}

// ParseMark reads one cell: a value with two decimals at most in [0, scale] (comma or dot),
// or Abs, Disp, NN (any case). It returns the French message for a wrong cell.
func ParseMark(text string, scale Hundredths) (value *Hundredths, code string, msg string) {
	text = strings.TrimSpace(text)
	switch strings.ToLower(text) {
	case "":
		return nil, "", ""
	case "abs", "a":
		return nil, CodeAbsent, ""
	case "disp", "d":
		return nil, CodeDispensed, ""
	case "nn":
		return nil, CodeNotMarked, ""
	}
	v, ok := ParseHundredths(text)
	if !ok {
		return nil, "", fmt.Sprintf("« %s » n'est pas une note : un nombre (deux décimales au plus, ex. 12,5), Abs, Disp ou NN", text)
	}
	if v > scale {
		return nil, "", fmt.Sprintf("%s dépasse le barème (/%s)", v.Short(), scale.Short())
	}
	return &v, "", ""
}

// SaveMarks validates every cell, then saves the whole grid in one transaction, or nothing:
// a refused grid comes back as *GridError with the typed entries and the errors.
func (s *Service) SaveMarks(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, in GridInput) (*Grid, error) {
	var g *Grid
	err := s.write(ctx, t, func(st store) error {
		ev, err := s.evaluationFor(st, a, id)
		if err != nil {
			return err
		}
		if g, err = loadGrid(st, ev); err != nil {
			return err
		}
		known := map[uuid.UUID]bool{}
		for _, r := range g.Rows {
			known[r.PupilID] = true
		}
		for pid := range in.Marks {
			if !known[pid] {
				return fault.Invalidf("notes", "un élève de la saisie n'appartient pas à %s", ev.ClassLabel)
			}
		}
		bad := false
		type cell struct {
			pupil   uuid.UUID
			value   *Hundredths
			code    string
			comment string
		}
		var cells []cell
		for i := range g.Rows {
			r := &g.Rows[i]
			text, typed := in.Marks[r.PupilID]
			if !typed {
				continue // a pupil left out of the request keeps their mark
			}
			r.Input = text
			if c, ok := in.Comments[r.PupilID]; ok {
				r.Comment = strings.TrimSpace(c)
			}
			if len([]rune(r.Comment)) > 500 {
				r.Error, bad = "Le commentaire dépasse 500 caractères.", true
				continue
			}
			v, code, msg := ParseMark(text, ev.Scale)
			if msg != "" {
				r.Error, bad = msg, true
				continue
			}
			if v == nil && code == "" && r.Comment != "" {
				r.Error, bad = "Un commentaire accompagne une note ou un code (Abs, Disp, NN) : saisissez-en un, ou videz le commentaire.", true
				continue
			}
			cells = append(cells, cell{r.PupilID, v, code, r.Comment})
		}
		if g.Period, err = periodOf(st, ev); err != nil {
			return err
		}
		if bad {
			return &GridError{Grid: g}
		}
		previous := map[uuid.UUID]*MarkEntry{}
		for _, r := range g.Rows {
			previous[r.PupilID] = r.Mark
		}
		var changed []uuid.UUID
		marks := make([]markInput, len(cells))
		for i, c := range cells {
			marks[i] = markInput{Pupil: c.pupil, Value: c.value, Comment: c.comment}
			if c.code != "" {
				marks[i].Code = &c.code
			}
			if (c.value != nil || c.code != "") && markChanged(previous[c.pupil], c.value, c.code) {
				changed = append(changed, c.pupil)
			}
		}
		if err := st.saveMarks(id, marks, s.now().UTC()); err != nil {
			return err
		}
		if err := s.notifyMarks(st, t, ev, g.Rows, changed); err != nil {
			return err
		}
		period := g.Period
		g, err = loadGrid(st, ev)
		if g != nil {
			g.Period = period
		}
		return err
	})
	var ge *GridError
	if errors.As(err, &ge) {
		return ge.Grid, err
	}
	return g, err
}

// ClassEvaluations lists the evaluations of a class or group in a subject for a period.
func (s *Service) ClassEvaluations(ctx context.Context, t *tenant.Tenant, a Actor, classID uuid.UUID, subject string, p *Period) ([]Evaluation, error) {
	var out []Evaluation
	err := s.read(ctx, t, func(st store) error {
		ok, err := canTeach(st, a, classID, subject)
		if err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.ErrNotFound, "vous n'enseignez pas cette matière dans cette classe")
		}
		out, err = st.evaluations(`e.class_id = ? AND e.subject_code = ? AND e.on_date BETWEEN ? AND ?`, classID, subject, p.StartsOn, p.EndsOn)
		return err
	})
	return out, err
}
