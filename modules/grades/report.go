package grades

import (
	"context"
	"math/big"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// EvalLine is an evaluation as a pupil's page shows it: their mark and the class figures.
type EvalLine struct {
	Evaluation
	Mark  *MarkEntry
	Stats Stats // over the counted marks, on the evaluation's scale
	New   bool  // changed since the viewer's last visit
}

// SubjectLine is one subject of a pupil's period.
type SubjectLine struct {
	Code         string
	Label        string
	Coef         Hundredths // in the general average
	Evaluations  []EvalLine
	Average      *big.Rat // nil: no average
	Class        Stats    // over the subject averages of the pupil's class
	Appreciation string
}

// PupilReport is a pupil's marks and averages for a period; with the conseil's comment and
// appréciations it is the report card.
type PupilReport struct {
	PupilID    uuid.UUID
	FirstName  string
	LastName   string
	ClassID    uuid.UUID
	ClassLabel string
	Period     Period
	Subjects   []SubjectLine
	General    *big.Rat
	ClassStats Stats // over the general averages of the class
	Council    string
	Published  bool // report card published for the class and period
	Principal  string
	Absences   string // the period's absence line (Service.SetAbsences)
}

// book is everything the averages of one class for one period need, loaded in few queries.
type book struct {
	classID   uuid.UUID
	pupils    []pupilRow
	evals     []Evaluation
	evalByID  map[uuid.UUID]*Evaluation
	marks     map[uuid.UUID]map[uuid.UUID]*MarkEntry // evaluation → pupil → mark
	member    map[uuid.UUID]map[uuid.UUID]bool       // class or group → pupils
	coefs     map[string]Hundredths
	avg       map[uuid.UUID]map[string]*big.Rat // pupil → subject → average
	general   map[uuid.UUID]*big.Rat
	subjStats map[string]Stats
	genStats  Stats
	evStats   map[uuid.UUID]Stats
}

type pupilRow struct {
	ID        uuid.UUID
	FirstName string
	LastName  string
}

// loadBook loads a class's pupils, the evaluations of the class and of their groups in the
// period (published only, if asked), the marks, and computes every average.
func loadBook(st store, classID uuid.UUID, p Period, publishedOnly bool) (*book, error) {
	b := &book{classID: classID, evalByID: map[uuid.UUID]*Evaluation{}, marks: map[uuid.UUID]map[uuid.UUID]*MarkEntry{},
		member: map[uuid.UUID]map[uuid.UUID]bool{}, coefs: map[string]Hundredths{}, avg: map[uuid.UUID]map[string]*big.Rat{}, general: map[uuid.UUID]*big.Rat{}}
	var err error
	if b.pupils, err = st.pupils(classID); err != nil {
		return nil, err
	}
	memberships, err := st.memberships(classID)
	if err != nil {
		return nil, err
	}
	var classes []uuid.UUID
	for _, m := range memberships {
		if b.member[m.ClassID] == nil {
			b.member[m.ClassID] = map[uuid.UUID]bool{}
			classes = append(classes, m.ClassID)
		}
		b.member[m.ClassID][m.PersonID] = true
	}
	if len(classes) == 0 {
		classes = []uuid.UUID{classID}
	}
	where := `e.class_id IN ? AND e.on_date BETWEEN ? AND ?`
	if publishedOnly {
		where += ` AND e.published`
	}
	if b.evals, err = st.evaluations(where, classes, p.StartsOn, p.EndsOn); err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(b.evals))
	for i := range b.evals {
		ids[i] = b.evals[i].ID
		b.evalByID[ids[i]] = &b.evals[i]
	}
	marks, err := st.marks(ids, uuid.Nil)
	if err != nil {
		return nil, err
	}
	for i := range marks {
		m := &marks[i]
		if b.marks[m.EvaluationID] == nil {
			b.marks[m.EvaluationID] = map[uuid.UUID]*MarkEntry{}
		}
		b.marks[m.EvaluationID][m.PupilID] = &m.MarkEntry
	}
	if b.coefs, err = st.coefficients(classID); err != nil {
		return nil, err
	}
	b.compute()
	return b, nil
}

// coef is the subject's coefficient in the class's general average (default 1).
func (b *book) coef(subject string) Hundredths {
	if c, ok := b.coefs[subject]; ok {
		return c
	}
	return 100
}

// compute fills every pupil's subject and general averages and the class figures.
func (b *book) compute() {
	bySubject := map[uuid.UUID]map[string][]Mark{}
	for _, ev := range b.evals {
		for pid, m := range b.marks[ev.ID] {
			mk := Mark{Code: m.Code, Scale: ev.Scale, Coef: ev.Coefficient, Bonus: ev.Bonus, Date: ev.OnDate}
			if m.Value != nil {
				mk.Value = *m.Value
			}
			if bySubject[pid] == nil {
				bySubject[pid] = map[string][]Mark{}
			}
			bySubject[pid][ev.SubjectCode] = append(bySubject[pid][ev.SubjectCode], mk)
		}
	}
	averages := map[uuid.UUID]map[string]*big.Rat{}
	for _, p := range b.pupils {
		averages[p.ID] = map[string]*big.Rat{}
		for subject, marks := range bySubject[p.ID] {
			if a, ok := SubjectAverage(marks); ok {
				averages[p.ID][subject] = a
			}
		}
	}
	b.setAverages(averages)
}

// computeFromSums is compute from the sums PostgreSQL made of each pupil's marks
// (store.classSums): the same averages without reading every mark.
func (b *book) computeFromSums(sums map[uuid.UUID]map[string]*subjectMarks) {
	averages := map[uuid.UUID]map[string]*big.Rat{}
	for pid, subjects := range sums {
		averages[pid] = map[string]*big.Rat{}
		for subject, sm := range subjects {
			if a, ok := averageOfSums(sm.sums, sm.bonus); ok {
				averages[pid][subject] = a
			}
		}
	}
	b.setAverages(averages)
}

// setAverages records the pupils' subject averages and computes their general averages and
// the class figures.
func (b *book) setAverages(averages map[uuid.UUID]map[string]*big.Rat) {
	b.avg = averages
	perSubject := map[string][]*big.Rat{}
	var generals []*big.Rat
	for pid, subjects := range averages {
		var ws []Weighted
		for subject, a := range subjects {
			perSubject[subject] = append(perSubject[subject], a)
			ws = append(ws, Weighted{Avg: a, Coef: b.coef(subject)})
		}
		if g, ok := GeneralAverage(ws); ok {
			b.general[pid] = g
			generals = append(generals, g)
		}
	}
	b.subjStats = map[string]Stats{}
	for s, vals := range perSubject {
		b.subjStats[s] = StatsOf(vals)
	}
	b.genStats = StatsOf(generals)
}

// evalStats are the class figures of one evaluation, on its scale (computed once).
func (b *book) evalStats(id uuid.UUID) Stats {
	if st, ok := b.evStats[id]; ok {
		return st
	}
	if b.evStats == nil {
		b.evStats = map[uuid.UUID]Stats{}
	}
	st := b.computeEvalStats(id)
	b.evStats[id] = st
	return st
}

func (b *book) computeEvalStats(id uuid.UUID) Stats {
	// Values of one evaluation share its scale: integer sums, fractions only at the end.
	var st Stats
	var sum, lo, hi int64
	for _, m := range b.marks[id] {
		if m.Code != "" || m.Value == nil {
			continue
		}
		v := int64(*m.Value)
		if st.Count == 0 || v < lo {
			lo = v
		}
		if st.Count == 0 || v > hi {
			hi = v
		}
		sum += v
		st.Count++
	}
	if st.Count > 0 {
		st.Avg = big.NewRat(sum, int64(st.Count)*100)
		st.Min, st.Max = big.NewRat(lo, 100), big.NewRat(hi, 100)
	}
	return st
}

// report builds one pupil's report from the book; seen marks older than since as not new.
func (b *book) report(pupil pupilRow, p Period, since time.Time) PupilReport {
	r := PupilReport{PupilID: pupil.ID, FirstName: pupil.FirstName, LastName: pupil.LastName, ClassID: b.classID, Period: p,
		General: b.general[pupil.ID], ClassStats: b.genStats}
	lines := map[string]*SubjectLine{}
	var order []string
	for i := range b.evals {
		ev := &b.evals[i]
		if !b.member[ev.ClassID][pupil.ID] && ev.ClassID != b.classID {
			continue // a group the pupil is not in
		}
		l := lines[ev.SubjectCode]
		if l == nil {
			l = &SubjectLine{Code: ev.SubjectCode, Label: ev.SubjectLabel, Coef: b.coef(ev.SubjectCode),
				Average: b.avg[pupil.ID][ev.SubjectCode], Class: b.subjStats[ev.SubjectCode]}
			lines[ev.SubjectCode] = l
			order = append(order, ev.SubjectCode)
		}
		m := b.marks[ev.ID][pupil.ID]
		fresh := m != nil && !since.IsZero() && (m.UpdatedAt.After(since) || ev.PublishedAt != nil && ev.PublishedAt.After(since))
		l.Evaluations = append(l.Evaluations, EvalLine{Evaluation: *ev, Mark: m, Stats: b.evalStats(ev.ID), New: fresh})
	}
	sortSubjects(order, func(code string) string { return lines[code].Label })
	for _, s := range order {
		r.Subjects = append(r.Subjects, *lines[s])
	}
	return r
}

// access decides what the actor may see of a pupil: nothing (error), or their marks as the
// family sees them (the pupil, a legal guardian: published only), as staff of the pupil's
// classes see them (published only), or everything (direction).
func (s *Service) access(st store, a Actor, pupilID uuid.UUID) (view viewKind, err error) {
	if a.Oversees() {
		return viewAll, nil
	}
	// Staff first: a teacher who is also a parent sees their pupils as a teacher.
	if hasRole(a, identity.RoleVieScolaire) {
		return viewStaff, nil
	}
	if hasRole(a, identity.RoleEnseignant) {
		ok, err := st.teachesPupil(a.PersonID, pupilID)
		if err != nil {
			return 0, err
		}
		if ok {
			return viewStaff, nil
		}
	}
	if a.PersonID == pupilID && hasRole(a, identity.RoleEleve) {
		return viewFamily, nil
	}
	if hasRole(a, identity.RoleResponsable) {
		ok, err := s.guardians.IsLegalGuardian(st.tx, a.PersonID, pupilID)
		if err != nil {
			return 0, err
		}
		if ok {
			return viewFamily, nil
		}
	}
	return 0, fault.New(fault.ErrNotFound, "ces notes n'existent pas ou ne vous sont pas accessibles")
}

// viewKind is how much of a pupil's marks a viewer sees.
type viewKind int

const (
	viewFamily viewKind = iota + 1 // published evaluations; report cards once published
	viewStaff                      // published evaluations; report cards while being written
	viewAll                        // everything
)

func hasRole(a Actor, r identity.Role) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// PupilMarks is a pupil's marks page for a period. For the pupil and their guardians it
// shows published evaluations only and marks the new ones since their last visit, which it
// then records.
func (s *Service) PupilMarks(ctx context.Context, t *tenant.Tenant, a Actor, pupilID uuid.UUID, p *Period) (*PupilReport, error) {
	var r *PupilReport
	err := s.write(ctx, t, func(st store) error {
		var err error
		r, err = s.pupilMarks(st, a, pupilID, *p)
		return err
	})
	return r, err
}

// pupilMarks is PupilMarks in the caller's transaction.
func (s *Service) pupilMarks(st store, a Actor, pupilID uuid.UUID, p Period) (*PupilReport, error) {
	view, err := s.access(st, a, pupilID)
	if err != nil {
		return nil, err
	}
	state, err := st.pageState(a.PersonID, pupilID)
	if err != nil {
		return nil, err
	}
	since := state.since(view, p.ID)
	r, err := s.pupilReport(st, pupilID, p, view != viewAll, since, state.version)
	if err != nil {
		return nil, err
	}
	return r, s.noteVisit(st, a, pupilID, p, view, since, r.hasNew())
}

// noteVisit records the visit of a pupil's marks by the pupil or a guardian when it changes
// what the next one shows: the first visit, or one that showed new marks. Without anything
// new since the last visit, marks published later are newer than both, so keeping the older
// visit is the same; and a page view of a family costs no write (no WAL flush) on the most
// read page of the ENT.
func (s *Service) noteVisit(st store, a Actor, pupilID uuid.UUID, p Period, view viewKind, since time.Time, showedNew bool) error {
	if view != viewFamily || !(since.IsZero() || showedNew) {
		return nil
	}
	return st.recordVisit(a.PersonID, pupilID, p.ID, s.now().UTC())
}

// hasNew tells whether any mark of the report is new since the viewer's last visit.
func (r *PupilReport) hasNew() bool {
	for _, l := range r.Subjects {
		for _, e := range l.Evaluations {
			if e.New {
				return true
			}
		}
	}
	return false
}

// pupilReport computes one pupil's marks and averages for the period with their class's
// figures, reading the pupil's own marks only: the figures of the class come from what
// PostgreSQL adds up (store.evaluationStats, store.classSums), not from every mark of the
// class. Marks changed after since (when set) are new; version is the grades data's
// (store.gradesVersion), read by the caller in the same transaction.
func (s *Service) pupilReport(st store, pupilID uuid.UUID, p Period, publishedOnly bool, since time.Time, version int64) (*PupilReport, error) {
	en, err := st.enrolment(pupilID)
	if err != nil {
		return nil, err
	}
	if en.ClassID == uuid.Nil {
		return nil, fault.New(fault.ErrNotFound, "cet élève n'est dans aucune classe cette année")
	}
	if !en.Active || en.Category != "eleve" {
		return nil, fault.New(fault.ErrNotFound, "cet élève n'est pas actif dans sa classe")
	}
	b := &book{classID: en.ClassID, pupils: []pupilRow{en.pupil()}, evalByID: map[uuid.UUID]*Evaluation{},
		marks: map[uuid.UUID]map[uuid.UUID]*MarkEntry{}, member: map[uuid.UUID]map[uuid.UUID]bool{}, general: map[uuid.UUID]*big.Rat{}}
	if b.evals, b.evStats, err = st.pupilEvaluations(pupilID, p, publishedOnly); err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(b.evals))
	for i := range b.evals {
		ids[i] = b.evals[i].ID
		b.evalByID[ids[i]] = &b.evals[i]
		b.member[b.evals[i].ClassID] = map[uuid.UUID]bool{pupilID: true}
	}
	marks, err := st.marks(ids, pupilID)
	if err != nil {
		return nil, err
	}
	for i := range marks {
		b.marks[marks[i].EvaluationID] = map[uuid.UUID]*MarkEntry{pupilID: &marks[i].MarkEntry}
	}
	if b.coefs, err = st.coefficients(en.ClassID); err != nil {
		return nil, err
	}
	if err := s.classFigures(st, b, p, publishedOnly, version); err != nil {
		return nil, err
	}
	r := b.report(en.pupil(), p, since)
	r.ClassLabel = en.ClassLabel
	return &r, nil
}

func findPupil(b *book, id uuid.UUID) (pupilRow, bool) {
	for _, p := range b.pupils {
		if p.ID == id {
			return p, true
		}
	}
	return pupilRow{}, false
}

// ClassReports computes the report cards of a whole class for a period, from the published
// evaluations only (a draft counts nowhere). Callers check who may see them.
func (s *Service) ClassReports(ctx context.Context, t *tenant.Tenant, classID uuid.UUID, p *Period) ([]PupilReport, error) {
	var out []PupilReport
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = s.classReports(st, classID, *p)
		return err
	})
	return out, err
}

func (s *Service) classReports(st store, classID uuid.UUID, p Period) ([]PupilReport, error) {
	label, err := st.classLabel(classID)
	if err != nil {
		return nil, err
	}
	b, err := loadBook(st, classID, p, true)
	if err != nil {
		return nil, err
	}
	apps, err := st.appreciations(p.ID, uuid.Nil)
	if err != nil {
		return nil, err
	}
	council, err := st.councilComments(p.ID, uuid.Nil)
	if err != nil {
		return nil, err
	}
	published, err := st.published(p.ID, classID)
	if err != nil {
		return nil, err
	}
	principal, err := st.principals(classID)
	if err != nil {
		return nil, err
	}
	out := make([]PupilReport, 0, len(b.pupils))
	for _, pu := range b.pupils {
		r := b.report(pu, p, time.Time{})
		r.ClassLabel, r.Council, r.Published, r.Principal = label, council[pu.ID], published, principal
		for i := range r.Subjects {
			r.Subjects[i].Appreciation = apps[pu.ID][r.Subjects[i].Code]
		}
		out = append(out, r)
	}
	cards := make([]*PupilReport, len(out))
	for i := range out {
		cards[i] = &out[i]
	}
	return out, s.fillAbsences(st, p, cards...)
}

// ReportCard is one pupil's report card. Pupils and legal guardians see it once published.
func (s *Service) ReportCard(ctx context.Context, t *tenant.Tenant, a Actor, pupilID uuid.UUID, p *Period) (*PupilReport, error) {
	var out *PupilReport
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, _, err = s.reportCard(st, a, pupilID, *p)
		return err
	})
	return out, err
}

// reportCard is ReportCard in the caller's transaction; staff tells whether the actor
// reads it as staff rather than as family.
func (s *Service) reportCard(st store, a Actor, pupilID uuid.UUID, p Period) (r *PupilReport, staff bool, err error) {
	view, err := s.access(st, a, pupilID)
	if err != nil {
		return nil, false, err
	}
	version, err := st.gradesVersion()
	if err != nil {
		return nil, false, err
	}
	if r, err = s.pupilReport(st, pupilID, p, true, time.Time{}, version); err != nil {
		return nil, false, err
	}
	if r.Published, err = st.published(p.ID, r.ClassID); err != nil {
		return nil, false, err
	}
	if view == viewFamily && !r.Published {
		return nil, false, fault.New(fault.ErrNotFound, "le bulletin du %s n'est pas encore publié", p.Label())
	}
	apps, err := st.appreciations(p.ID, pupilID)
	if err != nil {
		return nil, false, err
	}
	council, err := st.councilComments(p.ID, pupilID)
	if err != nil {
		return nil, false, err
	}
	if r.Principal, err = st.principals(r.ClassID); err != nil {
		return nil, false, err
	}
	r.Council = council[pupilID]
	for i := range r.Subjects {
		r.Subjects[i].Appreciation = apps[pupilID][r.Subjects[i].Code]
	}
	if err := s.fillAbsences(st, p, r); err != nil {
		return nil, false, err
	}
	return r, view != viewFamily, nil
}
