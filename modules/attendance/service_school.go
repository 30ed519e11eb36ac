package attendance

import (
	"context"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/frsort"
)

// FormErrors are a form's mistakes by field, in French: the form is shown again with them.
type FormErrors map[string]string

func (e FormErrors) Error() string {
	return "formulaire invalide : " + itoa(len(e)) + " champ(s) à corriger"
}

// classRef is a class or group as the ad hoc form offers it.
type classRef struct {
	ID    uuid.UUID
	Label string
}

// AdHocForm is an ad hoc lesson as typed: a replacement, an outing.
type AdHocForm struct {
	ClassID, Date, Start, End, Label string
}

// Classes lists the current year's classes and groups.
func (s *Service) Classes(ctx context.Context, t *tenant.Tenant) ([]classRef, error) {
	var out []classRef
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.classesOfYear()
		return err
	})
	return out, err
}

// CreateAdHoc creates the register of a lesson the timetable does not have (a replacement,
// an outing) for a class or group of the year, taken by its creator.
func (s *Service) CreateAdHoc(ctx context.Context, t *tenant.Tenant, a Actor, f AdHocForm) (uuid.UUID, error) {
	prof, err := s.lessons.Profile(ctx, t)
	if err != nil {
		return uuid.Nil, err
	}
	errs := FormErrors{}
	r := Register{OnDate: s.Today(), Label: strings.TrimSpace(f.Label)}
	if f.Date != "" {
		d, err := time.Parse(dateLayout, f.Date)
		if err != nil {
			errs["date"] = "date « " + f.Date + " » illisible : aaaa-mm-jj"
		}
		r.OnDate = day(d)
	}
	var ok1, ok2 bool
	r.Start, ok1 = timetable.ParseClock(f.Start)
	r.End, ok2 = timetable.ParseClock(f.End)
	switch {
	case !ok1:
		errs["debut"] = "heure de début « " + f.Start + " » illisible : 8:30 ou 8h30"
	case !ok2:
		errs["fin"] = "heure de fin « " + f.End + " » illisible : 8:30 ou 8h30"
	case r.End <= r.Start:
		errs["fin"] = "la fin doit suivre le début"
	}
	if len([]rune(r.Label)) > 120 {
		errs["libelle"] = "120 caractères au plus"
	}
	classID, err := uuid.Parse(f.ClassID)
	if err != nil {
		errs["classe"] = "choisissez une classe ou un groupe"
	}
	r.Afternoon = r.Start >= prof.MorningEnds
	var id uuid.UUID
	err = s.write(ctx, t, func(st store) error {
		classes, err := st.classesOfYear()
		if err != nil {
			return err
		}
		i := slices.IndexFunc(classes, func(c classRef) bool { return c.ID == classID })
		if i < 0 && errs["classe"] == "" {
			errs["classe"] = "cette classe ou ce groupe n'existe pas cette année"
		}
		if len(errs) > 0 {
			return errs
		}
		r.ClassID, r.ClassLabel = classID, classes[i].Label
		if a.PersonID != uuid.Nil {
			r.TeacherIDs = []uuid.UUID{a.PersonID}
			if r.Teachers, err = st.personName(a.PersonID); err != nil {
				return err
			}
		}
		if id, err = st.insertAdHoc(r, a.PersonID); err != nil {
			return err
		}
		return st.fillRosters([]uuid.UUID{id})
	})
	return id, err
}

// Event is an absence, lateness or early departure as lists show it.
type Event struct {
	ID         uuid.UUID
	PupilID    uuid.UUID
	Pupil      string // "Martin Alice"
	ClassLabel string
	Kind       Kind
	Date       time.Time
	Start, End Clock
	Minutes    int
	State      State
	MotifID    uuid.UUID
	Motif      string // "" when none, "Motif confidentiel" for families when it is not shown
	Comment    string
	// Justifications are the legal guardians' justifications and their answers, oldest
	// first (on a pupil's page).
	Justifications []Justification
}

func eventOf(r eventRow, family bool) Event {
	e := Event{ID: r.ID, PupilID: r.PupilID, Pupil: r.LastName + " " + r.FirstName, ClassLabel: r.ClassLabel, Kind: r.Kind, Date: day(r.OnDate),
		Start: Clock(r.Starts), End: Clock(r.Ends), Minutes: r.Minutes, State: r.State, Motif: r.MotifLabel, Comment: r.Comment}
	if r.MotifID != nil {
		e.MotifID = *r.MotifID
	}
	if family && !r.MotifShown && e.Motif != "" {
		e.Motif, e.MotifID = "Motif confidentiel", uuid.Nil // not even which one
	}
	return e
}

// SchoolDay is what the vie scolaire processes on a day.
type SchoolDay struct {
	Date     time.Time
	Untaken  []Register // registers whose lesson ended without a roll
	Taken    int
	Total    int
	Pending  []Event // events without a decision
	Done     []Event
	Motifs   []Motif
	Settings Settings
}

var errNotYours = fault.New(fault.ErrNotFound, "page introuvable")

// Day is the vie scolaire's day d: registers not taken by the end of their lesson, the
// day's absences, lateness and early departures still to process, those processed.
func (s *Service) SchoolDay(ctx context.Context, t *tenant.Tenant, a Actor, d time.Time) (*SchoolDay, error) {
	if !a.Processes() {
		return nil, errNotYours
	}
	regs, err := s.Day(ctx, t, a, d, true)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &SchoolDay{Date: day(d), Total: len(regs)}
	for _, r := range regs {
		switch {
		case r.Taken():
			out.Taken++
		case r.Overdue(now):
			out.Untaken = append(out.Untaken, r)
		}
	}
	err = s.read(ctx, t, func(st store) error {
		rows, err := st.events(`a.on_date = ?`, day(d).Format(dateLayout))
		if err != nil {
			return err
		}
		for _, r := range rows {
			if e := eventOf(r, false); e.State == Pending {
				out.Pending = append(out.Pending, e)
			} else {
				out.Done = append(out.Done, e)
			}
		}
		if out.Motifs, err = st.motifs(); err != nil {
			return err
		}
		out.Settings, err = st.settings()
		return err
	})
	return out, err
}

// DecisionForm is the vie scolaire's decision on an event: a motif (which justifies it or
// not, by its flag), or "non justifiée" without one; a comment.
type DecisionForm struct {
	Motif, State, Comment string
}

// Decide records the vie scolaire's decision on an event.
func (s *Service) Decide(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f DecisionForm) error {
	if !a.Processes() {
		return errNotYours
	}
	comment := strings.TrimSpace(f.Comment)
	if len([]rune(comment)) > 500 {
		return fault.Invalidf("commentaire", "le commentaire dépasse 500 caractères")
	}
	return s.write(ctx, t, func(st store) error {
		var motif *uuid.UUID
		state := State(f.State)
		if f.Motif != "" {
			motifs, err := st.motifs()
			if err != nil {
				return err
			}
			mid, _ := uuid.Parse(f.Motif)
			i := slices.IndexFunc(motifs, func(m Motif) bool { return m.ID == mid && m.Active })
			if i < 0 {
				return fault.Invalidf("motif", "ce motif n'existe pas dans l'établissement")
			}
			motif, state = &mid, Unjustified
			if motifs[i].Justifies {
				state = Justified
			}
		} else if state != Unjustified && state != Pending {
			return fault.Invalidf("motif", "choisissez un motif, ou « non justifiée »")
		}
		found, err := st.decide(id, motif, state, comment, a.PersonID, s.now())
		if err != nil {
			return err
		}
		if !found {
			return fault.New(fault.ErrNotFound, "cette absence n'existe pas")
		}
		return nil
	})
}

// ThresholdRow is a pupil at or above the month's threshold of unjustified half-days.
type ThresholdRow struct {
	PupilID     uuid.UUID
	Pupil       string
	ClassLabel  string
	Count       Count
	Unjustified []string // the half-days: "lundi 05/10 matin"
}

// Threshold is the month's list of pupils the head must report (L131-8).
type Threshold struct {
	Month    time.Time // its first day
	Settings Settings
	Rows     []ThresholdRow
}

// Threshold lists the pupils with at least the establishment's threshold of unjustified
// half-days in the month of month (counted by the establishment's method).
func (s *Service) Threshold(ctx context.Context, t *tenant.Tenant, a Actor, month time.Time) (*Threshold, error) {
	if !a.Processes() {
		return nil, errNotYours
	}
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	out := &Threshold{Month: first}
	err := s.read(ctx, t, func(st store) error {
		var err error
		if out.Settings, err = st.settings(); err != nil {
			return err
		}
		rows, err := st.slotsOf(nil, first, last)
		if err != nil {
			return err
		}
		limit := big.NewRat(int64(out.Settings.Threshold), 1)
		var ids []uuid.UUID
		for pupil, slots := range byPupil(rows, false) {
			c := HalfDays(slots, out.Settings.Method)
			if c.Unjustified.Cmp(limit) >= 0 {
				ids = append(ids, pupil)
				out.Rows = append(out.Rows, ThresholdRow{PupilID: pupil, Count: c, Unjustified: unjustifiedHalves(slots)})
			}
		}
		people, err := st.pupils(ids)
		if err != nil {
			return err
		}
		for i := range out.Rows {
			p := people[out.Rows[i].PupilID]
			out.Rows[i].Pupil, out.Rows[i].ClassLabel = p.LastName+" "+p.FirstName, p.ClassLabel
		}
		return nil
	})
	frsort.Slice(out.Rows, func(r ThresholdRow) []string { return []string{r.ClassLabel, r.Pupil} })
	slices.SortStableFunc(out.Rows, func(a, b ThresholdRow) int { return b.Count.Unjustified.Cmp(a.Count.Unjustified) })
	return out, err
}

// byPupil groups marks by pupil as half-days count them; report keeps only the events
// whose motif counts on the report card.
func byPupil(rows []slotRow, report bool) map[uuid.UUID][]Slot {
	out := map[uuid.UUID][]Slot{}
	for _, r := range rows {
		absent := r.Status == Absent && (!report || r.OnReport)
		out[r.PupilID] = append(out[r.PupilID], Slot{Date: day(r.OnDate), Afternoon: r.Afternoon, Minutes: r.Minutes,
			Absent: absent, Justified: r.State == Justified})
	}
	return out
}

// unjustifiedHalves names the half-days with an unjustified absence.
func unjustifiedHalves(slots []Slot) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range slots {
		if !s.Absent || s.Justified {
			continue
		}
		k := frShortDay(s.Date) + " " + map[bool]string{false: "matin", true: "après-midi"}[s.Afternoon]
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// ReportFigures are the figures of pupils' report cards from from to to (a period's dates),
// read in the caller's tenant transaction: half-days justified and unjustified by the
// establishment's method, hours missed and lateness, of the events whose motif counts on the
// report card. Grades calls it when it builds report cards.
func (s *Service) ReportFigures(tx *gorm.DB, pupils []uuid.UUID, from, to time.Time) (map[uuid.UUID]Figures, error) {
	out := map[uuid.UUID]Figures{}
	if len(pupils) == 0 {
		return out, nil
	}
	st := store{tx}
	set, err := st.settings()
	if err != nil {
		return nil, err
	}
	rows, err := st.slotsOf(pupils, day(from), day(to))
	if err != nil {
		return nil, err
	}
	late := map[uuid.UUID]int{}
	for _, r := range rows {
		if r.Status == Late && r.OnReport {
			late[r.PupilID]++
		}
	}
	slots := byPupil(rows, true)
	for _, p := range pupils {
		out[p] = Figures{Count: HalfDays(slots[p], set.Method), Lateness: late[p]}
	}
	return out, nil
}

// ReportAbsences is ReportFigures as the report card's line (Figures.Text), so that grades
// can declare the interface it needs without attendance's types:
//
//	type Absences interface {
//		ReportAbsences(tx *gorm.DB, pupils []uuid.UUID, from, to time.Time) (map[uuid.UUID]string, error)
//	}
func (s *Service) ReportAbsences(tx *gorm.DB, pupils []uuid.UUID, from, to time.Time) (map[uuid.UUID]string, error) {
	figs, err := s.ReportFigures(tx, pupils, from, to)
	out := make(map[uuid.UUID]string, len(figs))
	for p, f := range figs {
		out[p] = f.Text()
	}
	return out, err
}

// PeriodFigures is ReportFigures of one pupil from from to to, for whoever may see the
// pupil's absences (Pupil says who).
func (s *Service) PeriodFigures(ctx context.Context, t *tenant.Tenant, a Actor, pupil uuid.UUID, from, to time.Time) (Figures, error) {
	if to.Before(from) {
		return Figures{}, fault.Invalidf("au", "la date de fin précède la date de début")
	}
	var f Figures
	err := s.read(ctx, t, func(st store) error {
		if _, err := s.pupilFor(st, a, pupil); err != nil {
			return err
		}
		m, err := s.ReportFigures(st.tx, []uuid.UUID{pupil}, from, to)
		f = m[pupil]
		return err
	})
	return f, err
}

// Settings reads the establishment's counting rules.
func (s *Service) Settings(ctx context.Context, t *tenant.Tenant) (Settings, []Motif, error) {
	var set Settings
	var motifs []Motif
	err := s.read(ctx, t, func(st store) error {
		var err error
		if set, err = st.settings(); err != nil {
			return err
		}
		motifs, err = st.motifs()
		return err
	})
	return set, motifs, err
}

// SaveSettings changes the counting method and the monthly threshold.
func (s *Service) SaveSettings(ctx context.Context, t *tenant.Tenant, a Actor, method, threshold string) error {
	if !a.Processes() {
		return errNotYours
	}
	set := Settings{Method: Method(method)}
	if set.Method != Gross && set.Method != Calculated {
		return fault.Invalidf("methode", "choisissez la méthode brute ou calculée")
	}
	n, err := strconv.Atoi(strings.TrimSpace(threshold))
	if err != nil || n < 1 || n > 40 {
		return fault.Invalidf("seuil", "le seuil « %s » doit être un nombre de demi-journées entre 1 et 40", threshold)
	}
	set.Threshold = n
	return s.write(ctx, t, func(st store) error { return st.saveSettings(set) })
}

// PupilAbsences is a pupil's events of the school year, with the year's and the month's
// counts, as the pupil, their legal guardians and the vie scolaire see them.
type PupilAbsences struct {
	Pupil      string
	ClassLabel string
	Events     []Event
	Year       Figures
	Month      Figures
	Method     Method
}

var errNoPupil = fault.New(fault.ErrNotFound, "élève introuvable")

// Pupil reads a pupil's absences for the actor: the pupil, a legal guardian, the vie
// scolaire and direction; anyone else is told the pupil does not exist. Legal guardians
// and the pupil see "Motif confidentiel" for a motif not shown to families.
func (s *Service) Pupil(ctx context.Context, t *tenant.Tenant, a Actor, pupil uuid.UUID) (*PupilAbsences, error) {
	out := &PupilAbsences{}
	err := s.read(ctx, t, func(st store) error {
		family := !a.Processes()
		p, err := s.pupilFor(st, a, pupil)
		if err != nil {
			return err
		}
		out.Pupil, out.ClassLabel = p.FirstName+" "+p.LastName, p.ClassLabel
		var y struct{ StartsOn, EndsOn time.Time }
		if err := st.tx.Raw(`SELECT starts_on, ends_on FROM school_years WHERE current`).Scan(&y).Error; err != nil {
			return err
		}
		if y.StartsOn.IsZero() {
			return nil
		}
		rows, err := st.events(`a.pupil_id = ? AND a.on_date BETWEEN ? AND ?`, pupil, day(y.StartsOn).Format(dateLayout), day(y.EndsOn).Format(dateLayout))
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(rows))
		for i, r := range rows {
			out.Events, ids[i] = append(out.Events, eventOf(r, family)), r.ID
		}
		if len(ids) > 0 {
			js, err := st.justificationsOf(ids)
			if err != nil {
				return err
			}
			for _, j := range js {
				i := slices.IndexFunc(out.Events, func(e Event) bool { return e.ID == j.AbsenceID })
				out.Events[i].Justifications = append(out.Events[i].Justifications, j)
			}
		}
		figs, err := s.ReportFigures(st.tx, []uuid.UUID{pupil}, y.StartsOn, y.EndsOn)
		if err != nil {
			return err
		}
		out.Year = figs[pupil]
		today := s.Today()
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
		if figs, err = s.ReportFigures(st.tx, []uuid.UUID{pupil}, first, first.AddDate(0, 1, -1)); err != nil {
			return err
		}
		out.Month = figs[pupil]
		set, err := st.settings()
		out.Method = set.Method
		return err
	})
	return out, err
}

// pupilFor reads a pupil for the actor: the pupil, a legal guardian, the vie scolaire and
// direction; anyone else, and an identifier that is not a pupil's, is told the pupil does
// not exist.
func (s *Service) pupilFor(st store, a Actor, pupil uuid.UUID) (pupilRef, error) {
	if !a.Processes() && a.PersonID != pupil {
		ok, err := s.guardians.IsLegalGuardian(st.tx, a.PersonID, pupil)
		if err != nil {
			return pupilRef{}, err
		}
		if !ok || a.PersonID == uuid.Nil {
			return pupilRef{}, errNoPupil
		}
	}
	people, err := st.pupils([]uuid.UUID{pupil})
	if err != nil {
		return pupilRef{}, err
	}
	p, ok := people[pupil]
	if !ok || p.Category != "eleve" {
		return pupilRef{}, errNoPupil
	}
	return p, nil
}

// Children lists a legal guardian's children, for their "Absences" page.
func (s *Service) Children(ctx context.Context, t *tenant.Tenant, a Actor) ([]childRef, error) {
	var out []childRef
	if a.PersonID == uuid.Nil {
		return nil, nil
	}
	err := s.read(ctx, t, func(st store) error {
		kids, err := s.guardians.LegalChildren(st.tx, a.PersonID)
		for _, k := range kids {
			out = append(out, childRef{ID: k.ID, Name: k.FirstName + " " + k.LastName, ClassLabel: k.ClassLabel})
		}
		return err
	})
	return out, err
}

// FamilyPupils lists the pupils whose absences a follows one by one: themselves for a pupil,
// then a legal guardian's children.
func (s *Service) FamilyPupils(ctx context.Context, t *tenant.Tenant, a Actor) ([]childRef, error) {
	var self []childRef
	err := s.read(ctx, t, func(st store) error {
		people, err := st.pupils([]uuid.UUID{a.PersonID})
		if p, ok := people[a.PersonID]; ok && p.Category == "eleve" {
			self = append(self, childRef{ID: p.ID, Name: p.FirstName + " " + p.LastName, ClassLabel: p.ClassLabel})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	kids, err := s.Children(ctx, t, a)
	return append(self, kids...), err
}

type childRef struct {
	ID               uuid.UUID
	Name, ClassLabel string
}

var weekdayNames = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// frShortDay is "lundi 05/10".
func frShortDay(d time.Time) string { return weekdayNames[d.Weekday()] + " " + d.Format("02/01") }

// MotifForm is a motif as the settings form sends it; ID uuid.Nil adds one.
type MotifForm struct {
	ID                                         uuid.UUID
	Label                                      string
	Justifies, OnReport, Online, Shown, Active bool
}

// SaveMotifs changes the establishment's motifs and adds the new one (a form line with a
// label and no identifier). Motifs are never deleted (absences keep theirs): one no longer
// used is deactivated. Labels are required, 80 characters at most, and distinct.
func (s *Service) SaveMotifs(ctx context.Context, t *tenant.Tenant, a Actor, forms []MotifForm) error {
	if !a.Processes() {
		return errNotYours
	}
	errs := FormErrors{}
	seen := map[string]bool{}
	var keep []MotifForm
	for _, f := range forms {
		f.Label = strings.TrimSpace(f.Label)
		key := f.ID.String()
		switch {
		case f.ID == uuid.Nil && f.Label == "":
			continue // the empty line for a new motif
		case f.Label == "":
			errs[key] = "le libellé est obligatoire"
		case len([]rune(f.Label)) > 80:
			errs[key] = "80 caractères au plus"
		case seen[strings.ToLower(f.Label)]:
			errs[key] = "le motif « " + f.Label + " » est déjà dans la liste"
		}
		seen[strings.ToLower(f.Label)] = true
		keep = append(keep, f)
	}
	if len(errs) > 0 {
		return errs
	}
	return s.write(ctx, t, func(st store) error {
		// A label must stay distinct from the motifs the form did not send too.
		existing, err := st.motifs()
		if err != nil {
			return err
		}
		posted := map[uuid.UUID]bool{}
		for _, f := range keep {
			posted[f.ID] = true
		}
		for _, m := range existing {
			if !posted[m.ID] && seen[strings.ToLower(m.Label)] {
				for _, f := range keep {
					if strings.EqualFold(f.Label, m.Label) {
						errs[f.ID.String()] = "le motif « " + m.Label + " » est déjà dans la liste"
					}
				}
			}
		}
		if len(errs) > 0 {
			return errs
		}
		for _, f := range keep {
			if err := st.saveMotif(f); err != nil {
				return err
			}
		}
		return nil
	})
}
