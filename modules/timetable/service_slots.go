package timetable

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// FormErrors are a form's mistakes by field, in French: the form is shown again with them.
type FormErrors map[string]string

func (e FormErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e[k]
	}
	return "formulaire invalide: " + strings.Join(parts, "; ")
}

// Profile returns the establishment's day profile.
func (s *Service) Profile(ctx context.Context, t *tenant.Tenant) (Profile, error) {
	var p Profile
	err := s.read(ctx, t, func(st store) error {
		var err error
		p, err = st.profile()
		return err
	})
	return p, err
}

// ProfileForm is the day profile as typed: one line per period, the end of the morning and
// the Monday of a week A.
type ProfileForm struct {
	Codes, Starts, Ends []string
	MorningEnds         string
	WeekA               string
	// ABThroughHolidays: weeks entirely in holidays flip A/B too (unchecked: they do not).
	ABThroughHolidays bool
}

// SaveProfile replaces the day profile. Empty lines are left out; a period needs a code of
// letters and digits (M1), and a start before its end; periods may not overlap.
func (s *Service) SaveProfile(ctx context.Context, t *tenant.Tenant, f ProfileForm) (Profile, error) {
	errs := FormErrors{}
	var p Profile
	seen := map[string]bool{}
	for i := range f.Codes {
		code := strings.ToUpper(strings.TrimSpace(f.Codes[i]))
		start, end := at(f.Starts, i), at(f.Ends, i)
		if code == "" && start == "" && end == "" {
			continue
		}
		field := fmt.Sprintf("periode%d", i)
		b, ok1 := ParseClock(start)
		e, ok2 := ParseClock(end)
		switch {
		case !validCode(code):
			errs[field] = fmt.Sprintf("Ligne %d : code « %s » : une lettre puis au plus 7 lettres ou chiffres (M1, S4).", i+1, code)
		case seen[code]:
			errs[field] = fmt.Sprintf("Ligne %d : le code %s est déjà utilisé.", i+1, code)
		case !ok1 || !ok2:
			errs[field] = fmt.Sprintf("Ligne %d : heures illisibles (hh:mm).", i+1)
		case e <= b:
			errs[field] = fmt.Sprintf("Ligne %d : la fin (%s) doit suivre le début (%s).", i+1, e.French(), b.French())
		}
		seen[code] = true
		p.Periods = append(p.Periods, Period{Code: code, Start: b, End: e})
	}
	sort.Slice(p.Periods, func(i, j int) bool { return p.Periods[i].Start < p.Periods[j].Start })
	for i := 1; i < len(p.Periods) && len(errs) == 0; i++ {
		if p.Periods[i].Start < p.Periods[i-1].End {
			errs["periodes"] = fmt.Sprintf("%s et %s se chevauchent.", p.Periods[i-1].Code, p.Periods[i].Code)
		}
	}
	p.ABThroughHolidays = f.ABThroughHolidays
	var ok bool
	if p.MorningEnds, ok = ParseClock(f.MorningEnds); !ok {
		errs["matin"] = "Heure illisible (hh:mm)."
	}
	if strings.TrimSpace(f.WeekA) != "" {
		d, err := parseDate(f.WeekA)
		if err != nil {
			errs["semaine_a"] = "Date illisible (jj/mm/aaaa)."
		}
		p.WeekA = Monday(d)
	}
	if len(errs) > 0 {
		return p, errs
	}
	err := s.write(ctx, t, func(st store) error { return st.saveProfile(p) })
	return p, err
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return strings.TrimSpace(xs[i])
	}
	return ""
}

func validCode(c string) bool {
	if c == "" || len(c) > 8 || c[0] < 'A' || c[0] > 'Z' {
		return false
	}
	for _, r := range c {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// parseDate reads jj/mm/aaaa or aaaa-mm-jj (a form's date field).
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{dateLayout, "02/01/2006", "2/1/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q", s)
}

// weekdays are the French names of Monday…Saturday, in order.
var weekdays = []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// parseWeekday reads "lundi"…"samedi" (any case, or 1…6).
func parseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range weekdays {
		if s == n || s == strconv.Itoa(i+1) {
			return weekdayOf(i + 1), true
		}
	}
	return 0, false
}

// SlotForm is a slot as typed in the form or read from a CSV line.
type SlotForm struct {
	ClassID  string
	Subject  string
	Teachers []string // people ids
	Room     string
	Weekday  string // 1…6 or lundi…samedi
	Start    string // hh:mm, or a period's code (its start)
	End      string // hh:mm, or a period's code (its end)
	Weeks    string // all (or empty), A, B
	From     string // empty: the school year's first day
	Until    string // empty: its last day
}

// refs are the names a slot may use, read once per form or import.
type refs struct {
	profile      Profile
	yearStart    time.Time
	yearEnd      time.Time
	groups       map[uuid.UUID]Group
	subjects     map[string]Subject
	teachers     map[uuid.UUID]Person
	teacherLogin map[string]uuid.UUID // lower-cased login → teacher
	groupCodes   map[string][]Group   // upper-cased code → classes and groups of the year
}

// refs reads the school's structure this year: classes and groups, subjects, teachers.
func (st store) refs() (*refs, error) {
	year, start, end, err := st.yearBounds()
	if err != nil {
		return nil, err
	}
	prof, err := st.profile()
	if err != nil {
		return nil, err
	}
	r := &refs{profile: prof, yearStart: start, yearEnd: end, groups: map[uuid.UUID]Group{}, subjects: map[string]Subject{},
		teachers: map[uuid.UUID]Person{}, teacherLogin: map[string]uuid.UUID{}, groupCodes: map[string][]Group{}}
	var groups []Group
	if err := st.tx.Raw(`SELECT id, kind, code, label FROM classes WHERE school_year = ? ORDER BY kind, code`, year).Scan(&groups).Error; err != nil {
		return nil, fmt.Errorf("timetable: classes of %s: %w", year, err)
	}
	for _, g := range groups {
		r.groups[g.ID] = g
		r.groupCodes[strings.ToUpper(g.Code)] = append(r.groupCodes[strings.ToUpper(g.Code)], g)
	}
	var subjects []Subject
	if err := st.tx.Raw(`SELECT code, label FROM subjects ORDER BY label`).Scan(&subjects).Error; err != nil {
		return nil, fmt.Errorf("timetable: subjects: %w", err)
	}
	for _, s := range subjects {
		r.subjects[strings.ToUpper(s.Code)] = s
	}
	var teachers []struct {
		ID          uuid.UUID
		Name, Login string
	}
	if err := st.tx.Raw(`SELECT p.id, ` + personName + ` AS name, p.login FROM people p
		WHERE p.active AND p.category = 'personnel' ORDER BY p.last_name, p.first_name`).Scan(&teachers).Error; err != nil {
		return nil, fmt.Errorf("timetable: teachers: %w", err)
	}
	for _, p := range teachers {
		r.teachers[p.ID] = Person{ID: p.ID, Name: p.Name}
		if p.Login != "" {
			r.teacherLogin[strings.ToLower(p.Login)] = p.ID
		}
	}
	return r, nil
}

// slot checks a form against the school's structure: the slot, or the errors by field
// (classe, matiere, enseignants, salle, jour, debut, fin, semaines, du, au).
func (r *refs) slot(f SlotForm) (Slot, FormErrors) {
	errs := FormErrors{}
	s := Slot{Room: strings.TrimSpace(f.Room), Weeks: EveryWeek}
	if id, err := uuid.Parse(strings.TrimSpace(f.ClassID)); err != nil || r.groups[id].ID == uuid.Nil {
		errs["classe"] = "Choisissez une classe ou un groupe de cette année."
	} else {
		s.Group = r.groups[id]
	}
	if sub, ok := r.subjects[strings.ToUpper(strings.TrimSpace(f.Subject))]; ok {
		s.Subject = sub
	} else {
		errs["matiere"] = fmt.Sprintf("Matière « %s » inconnue de l'annuaire.", strings.TrimSpace(f.Subject))
	}
	for _, raw := range f.Teachers {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		id, err := uuid.Parse(strings.TrimSpace(raw))
		p, ok := r.teachers[id]
		if err != nil || !ok {
			errs["enseignants"] = "Un des enseignants choisis n'est pas un personnel actif de l'établissement."
			continue
		}
		s.Teachers = append(s.Teachers, p)
	}
	if len(s.Room) > 40 {
		errs["salle"] = "Le nom de la salle dépasse 40 caractères."
	}
	var ok bool
	if s.Weekday, ok = parseWeekday(f.Weekday); !ok {
		errs["jour"] = fmt.Sprintf("Jour « %s » inconnu : lundi à samedi.", strings.TrimSpace(f.Weekday))
	}
	start, okS := r.clock(f.Start, true)
	end, okE := r.clock(f.End, false)
	switch {
	case !okS:
		errs["debut"] = fmt.Sprintf("Début « %s » illisible : hh:mm ou le code d'une heure de cours (M1).", strings.TrimSpace(f.Start))
	case !okE:
		errs["fin"] = fmt.Sprintf("Fin « %s » illisible : hh:mm ou le code d'une heure de cours (M2).", strings.TrimSpace(f.End))
	case end <= start:
		errs["fin"] = fmt.Sprintf("La fin (%s) doit suivre le début (%s).", end.French(), start.French())
	}
	s.Start, s.End = start, end
	switch strings.ToUpper(strings.TrimSpace(f.Weeks)) {
	case "", "ALL", "TOUTES":
		s.Weeks = EveryWeek
	case "A":
		s.Weeks = WeekA
	case "B":
		s.Weeks = WeekB
	default:
		errs["semaines"] = fmt.Sprintf("Semaines « %s » : vide (toutes), A ou B.", strings.TrimSpace(f.Weeks))
	}
	s.From, s.Until = r.yearStart, r.yearEnd
	if strings.TrimSpace(f.From) != "" {
		d, err := parseDate(f.From)
		if err != nil {
			errs["du"] = fmt.Sprintf("Date de début « %s » illisible (jj/mm/aaaa).", strings.TrimSpace(f.From))
		}
		s.From = d
	}
	if strings.TrimSpace(f.Until) != "" {
		d, err := parseDate(f.Until)
		if err != nil {
			errs["au"] = fmt.Sprintf("Date de fin « %s » illisible (jj/mm/aaaa).", strings.TrimSpace(f.Until))
		}
		s.Until = d
	}
	if errs["du"] == "" && errs["au"] == "" && s.Until.Before(s.From) {
		errs["au"] = fmt.Sprintf("La fin de validité (%s) précède son début (%s).", s.Until.Format("02/01/2006"), s.From.Format("02/01/2006"))
	}
	if len(errs) > 0 {
		return s, errs
	}
	return s, nil
}

// clock reads a time or a period's code: its start (start) or end.
func (r *refs) clock(s string, start bool) (Clock, bool) {
	if c, ok := ParseClock(s); ok {
		return c, true
	}
	p, ok := r.profile.Period(strings.TrimSpace(s))
	if !ok {
		return 0, false
	}
	if start {
		return p.Start, true
	}
	return p.End, true
}

// Choices are what the slot form offers: the year's classes and groups, subjects, teachers,
// the periods of the day and the year's bounds.
type Choices struct {
	Groups    []Group
	Subjects  []Subject
	Teachers  []Person
	Profile   Profile
	YearStart time.Time
	YearEnd   time.Time
}

// Choices reads what the slot form offers.
func (s *Service) Choices(ctx context.Context, t *tenant.Tenant) (*Choices, error) {
	var c *Choices
	err := s.read(ctx, t, func(st store) error {
		r, err := st.refs()
		if err != nil {
			return err
		}
		c = r.choices()
		return nil
	})
	return c, err
}

func (r *refs) choices() *Choices {
	c := &Choices{Profile: r.profile, YearStart: r.yearStart, YearEnd: r.yearEnd}
	for _, g := range r.groups {
		c.Groups = append(c.Groups, g)
	}
	sort.Slice(c.Groups, func(i, j int) bool {
		a, b := c.Groups[i], c.Groups[j]
		return a.Kind < b.Kind || a.Kind == b.Kind && a.Label < b.Label
	})
	for _, sub := range r.subjects {
		c.Subjects = append(c.Subjects, sub)
	}
	sort.Slice(c.Subjects, func(i, j int) bool { return c.Subjects[i].Label < c.Subjects[j].Label })
	for _, p := range r.teachers {
		c.Teachers = append(c.Teachers, p)
	}
	sort.Slice(c.Teachers, func(i, j int) bool { return c.Teachers[i].Name < c.Teachers[j].Name })
	return c
}

// Slots lists every slot of the establishment, by class, day and start.
func (s *Service) Slots(ctx context.Context, t *tenant.Tenant) ([]Slot, error) {
	var out []Slot
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.slots(filter{all: true}, time.Time{}, time.Time{})
		return err
	})
	return out, err
}

// Slot reads one slot with its exceptions.
func (s *Service) Slot(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (Slot, []Exception, error) {
	var sl Slot
	var exc []Exception
	err := s.read(ctx, t, func(st store) error {
		var err error
		sl, err = st.slot(id)
		if err != nil {
			return err
		}
		exc, err = st.exceptions([]Slot{sl}, time.Time{}, time.Time{})
		return err
	})
	return sl, exc, err
}

func (st store) slot(id uuid.UUID) (Slot, error) {
	got, err := st.slots(filter{slotID: id}, time.Time{}, time.Time{})
	if err != nil {
		return Slot{}, err
	}
	if len(got) == 0 {
		return Slot{}, errSlotNotFound
	}
	return got[0], nil
}

// SaveSlot creates (id uuid.Nil) or rewrites a slot; a form in error changes nothing and
// returns FormErrors.
func (s *Service) SaveSlot(ctx context.Context, t *tenant.Tenant, id uuid.UUID, f SlotForm) (Slot, error) {
	var out Slot
	err := s.write(ctx, t, func(st store) error {
		r, err := st.refs()
		if err != nil {
			return err
		}
		sl, errs := r.slot(f)
		if errs != nil {
			return errs
		}
		sl.ID = id
		if err := st.checkClash(r, sl); err != nil {
			return err
		}
		if id == uuid.Nil {
			sl.ID = uuid.New()
			out = sl
			return st.insertSlot(sl)
		}
		sl.ID = id
		out = sl
		return st.updateSlot(sl)
	})
	return out, err
}

// checkClash refuses sl (FormErrors "creneau") when it cannot be held with a stored slot
// other than itself.
func (st store) checkClash(r *refs, sl Slot) error {
	stored, err := st.slots(filter{all: true, weekday: sl.Weekday}, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	ln, err := st.pupilLinks()
	if err != nil {
		return err
	}
	if _, msg := r.firstClash(sl, stored, ln); msg != "" {
		return FormErrors{"creneau": msg + " : changez le jour, l'horaire, les semaines, les dates ou la salle."}
	}
	return nil
}

// DeleteSlot removes a slot and its exceptions.
func (s *Service) DeleteSlot(ctx context.Context, t *tenant.Tenant, id uuid.UUID) error {
	return s.write(ctx, t, func(st store) error { return st.deleteSlot(id) })
}

// ExceptionForm is a change of one occurrence as typed.
type ExceptionForm struct {
	Date        string // the occurrence's date (the slot's)
	Kind        string // annule, deplace, remplace
	NewDate     string // deplace: empty keeps the date
	NewStart    string // deplace: empty keeps the time (hh:mm or a period's code)
	NewEnd      string
	NewRoom     string // deplace: empty keeps the room
	Replacement string // remplace: a teacher's id
	Note        string
}

// SaveException records what happens to the slot's occurrence of the form's date, replacing
// what was recorded for it. The date must be one the slot gives.
func (s *Service) SaveException(ctx context.Context, t *tenant.Tenant, slotID uuid.UUID, f ExceptionForm) error {
	return s.write(ctx, t, func(st store) error {
		sl, err := st.slot(slotID)
		if err != nil {
			return err
		}
		r, err := st.refs()
		if err != nil {
			return err
		}
		e, errs := r.exception(sl, f)
		if errs != nil {
			return errs
		}
		return st.saveException(e)
	})
}

func (r *refs) exception(sl Slot, f ExceptionForm) (Exception, FormErrors) {
	errs := FormErrors{}
	e := Exception{SlotID: sl.ID, Kind: ExceptionKind(strings.TrimSpace(f.Kind)), Note: strings.TrimSpace(f.Note)}
	d, err := parseDate(f.Date)
	switch {
	case err != nil:
		errs["date"] = "Date illisible (jj/mm/aaaa)."
	case r.profile.off(d):
		h, _ := r.profile.HolidayOn(d)
		errs["date"] = fmt.Sprintf("Le %s est pendant « %s » : aucun cours n'a lieu.", d.Format("02/01/2006"), h.Label)
	case !sl.heldOn(d, r.profile.Calendar):
		errs["date"] = fmt.Sprintf("Ce créneau n'a pas cours le %s : choisissez un %s de %s.", d.Format("02/01/2006"), weekdays[isoWeekday(sl.Weekday)-1], sl.Weeks.Label())
	}
	e.Date = day(d)
	if len([]rune(e.Note)) > 200 {
		errs["note"] = "La remarque dépasse 200 caractères."
	}
	switch e.Kind {
	case Cancelled:
	case Moved:
		e.NewDate, e.NewStart, e.NewEnd, e.NewRoom = e.Date, sl.Start, sl.End, strings.TrimSpace(f.NewRoom)
		if strings.TrimSpace(f.NewDate) != "" {
			nd, err := parseDate(f.NewDate)
			if err != nil {
				errs["nouvelle_date"] = "Date illisible (jj/mm/aaaa)."
			}
			e.NewDate = day(nd)
		}
		if strings.TrimSpace(f.NewStart) != "" || strings.TrimSpace(f.NewEnd) != "" {
			b, ok1 := r.clock(f.NewStart, true)
			en, ok2 := r.clock(f.NewEnd, false)
			if !ok1 || !ok2 || en <= b {
				errs["nouvel_horaire"] = "Indiquez un début et une fin lisibles (hh:mm), la fin après le début."
			}
			e.NewStart, e.NewEnd = b, en
		}
		if len(e.NewRoom) > 40 {
			errs["nouvelle_salle"] = "Le nom de la salle dépasse 40 caractères."
		}
		if e.NewDate.Equal(e.Date) && e.NewStart == sl.Start && e.NewEnd == sl.End && (e.NewRoom == "" || e.NewRoom == sl.Room) && len(errs) == 0 {
			errs["nouvelle_date"] = "Indiquez une autre date, un autre horaire ou une autre salle."
		}
	case Replaced:
		id, err := uuid.Parse(strings.TrimSpace(f.Replacement))
		p, ok := r.teachers[id]
		if err != nil || !ok {
			errs["remplacant"] = "Choisissez le professeur remplaçant parmi les personnels actifs."
		} else {
			e.Replacement = &p
		}
	default:
		errs["type"] = "Choisissez : annulé, déplacé ou remplacé."
	}
	if len(errs) > 0 {
		return e, errs
	}
	return e, nil
}

// DeleteException removes what was recorded for the slot's occurrence of date.
func (s *Service) DeleteException(ctx context.Context, t *tenant.Tenant, slotID uuid.UUID, date string) error {
	d, err := parseDate(date)
	if err != nil {
		return fault.New(fault.ErrNotFound, "date illisible")
	}
	return s.write(ctx, t, func(st store) error { return st.deleteException(slotID, d) })
}

// Browse reads what staff choose a week from: the year's classes, groups and teachers, and
// the rooms the slots name.
func (s *Service) Browse(ctx context.Context, t *tenant.Tenant) (*Choices, []string, error) {
	var c *Choices
	var rooms []string
	err := s.read(ctx, t, func(st store) error {
		r, err := st.refs()
		if err != nil {
			return err
		}
		c = r.choices()
		if err := st.tx.Raw(`SELECT DISTINCT room FROM lesson_slots WHERE room <> '' ORDER BY room`).Scan(&rooms).Error; err != nil {
			return fmt.Errorf("timetable: rooms: %w", err)
		}
		return nil
	})
	return c, rooms, err
}
