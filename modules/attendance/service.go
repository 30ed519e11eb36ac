package attendance

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Lessons is what the roll call asks the timetable: a day's lessons (each taught one gets a
// register) and the day profile (the end of the morning splits the half-days).
type Lessons interface {
	LessonsOn(ctx context.Context, t *tenant.Tenant, day time.Time) ([]timetable.Lesson, error)
	Profile(ctx context.Context, t *tenant.Tenant) (timetable.Profile, error)
}

// Guardians is what attendance asks the directory about families (in the caller's
// transaction): only legal guardians see a pupil's absences.
type Guardians interface {
	IsLegalGuardian(tx *gorm.DB, guardian, pupil uuid.UUID) (bool, error)
	LegalChildren(tx *gorm.DB, guardian uuid.UUID) ([]directory.Child, error)
}

// Service runs the roll call and absences of every establishment.
type Service struct {
	db        *tenant.DB
	lessons   Lessons
	guardians Guardians
	files     *files.Store // documents of justifications and declarations (SetBucket)
	now       func() time.Time
	notices   *NoticeConfig // the families' notifications (notify.go); nil: nobody is told
}

// NewService wires attendance on the timetable's lessons. now is the clock (nil: time.Now),
// read in Paris.
func NewService(db *tenant.DB, lessons Lessons, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, lessons: lessons, guardians: directory.Guardianship{}, now: func() time.Time { return now().In(directory.SchoolZone) }}
}

func (s *Service) read(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.ReadTx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

func (s *Service) write(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return closedYear(s.db.Tx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) }))
}

// Today is the establishments' current date.
func (s *Service) Today() time.Time { return day(s.now()) }

// Actor is who asks: their person in the establishment and their roles.
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

// Processes tells whether the actor sees and handles every register and absence (vie
// scolaire, direction).
func (a Actor) Processes() bool { return identity.Can(a.Roles, PermProcess) }

// Register is one lesson's roll call.
type Register struct {
	ID         uuid.UUID
	SlotID     uuid.UUID // uuid.Nil for an ad hoc register
	LessonDate time.Time // the occurrence's date as the slot gives it
	OnDate     time.Time
	Start, End Clock
	Afternoon  bool
	ClassID    uuid.UUID
	ClassLabel string
	Subject    string
	TeacherIDs []uuid.UUID
	Teachers   string
	AdHoc      bool
	Label      string
	TakenAt    *time.Time
	TakenBy    string
}

// Taken tells whether the roll was taken.
func (r Register) Taken() bool { return r.TakenAt != nil }

// EndsAt is the lesson's end, in Paris.
func (r Register) EndsAt() time.Time { return r.End.On(r.OnDate) }

// Overdue tells whether the lesson ended at now without its roll taken.
func (r Register) Overdue(now time.Time) bool { return !r.Taken() && !r.EndsAt().After(now) }

// opens tells whether a may open the register: its teachers (and whoever created it), and
// the vie scolaire and direction.
func (r Register) opens(a Actor) bool {
	return a.Processes() || a.PersonID != uuid.Nil && slices.Contains(r.TeacherIDs, a.PersonID)
}

// Mark is what is marked for a pupil: a status and, for a lateness, its minutes.
type Mark struct {
	Status  Status
	Minutes int
}

// Text is the mark in words: "En retard (10 min)".
func (m Mark) Text() string {
	if m.Status == Late && m.Minutes > 0 {
		return m.Status.Label() + " (" + itoa(m.Minutes) + " min)"
	}
	return m.Status.Label()
}

// Entry is a pupil of a register's roster and their mark.
type Entry struct {
	PupilID   uuid.UUID
	FirstName string
	LastName  string
	Status    Status
	Minutes   int
	State     State // of the event the mark belongs to, if any
}

// Change is a correction of a register after it was taken.
type Change struct {
	Pupil, From, To, By string
	At                  time.Time
}

// Roll is a register with its roster and history.
type Roll struct {
	Register
	Entries  []Entry
	Changes  []Change
	Declared map[uuid.UUID]bool // pupils a family's declaration covers (service_declare.go)
}

type change struct {
	pupil    uuid.UUID
	from, to Mark
}

// EnsureDay creates the registers of d's lessons that are taught (one per occurrence:
// creating them again changes nothing), brings those not yet taken up to date with the
// timetable, and drops those never taken whose lesson no longer takes place that day.
func (s *Service) EnsureDay(ctx context.Context, t *tenant.Tenant, d time.Time) error {
	d = day(d)
	lessons, err := s.lessons.LessonsOn(ctx, t, d)
	if err != nil {
		return err
	}
	prof, err := s.lessons.Profile(ctx, t)
	if err != nil {
		return err
	}
	var rs []Register
	var keep []string
	for _, l := range lessons {
		if !l.Taught() || !day(l.On).Equal(d) {
			continue
		}
		r := Register{SlotID: l.SlotID, LessonDate: day(l.Date), OnDate: d, Start: l.Start, End: l.End, Afternoon: l.Start >= prof.MorningEnds,
			ClassID: l.Group.ID, ClassLabel: l.Group.Label, Subject: l.Subject.Label}
		names := make([]string, len(l.Teachers))
		for i, p := range l.Teachers {
			r.TeacherIDs, names[i] = append(r.TeacherIDs, p.ID), p.Name
		}
		r.Teachers = strings.Join(names, ", ")
		rs = append(rs, r)
		keep = append(keep, l.SlotID.String()+"/"+day(l.Date).Format(dateLayout))
	}
	return s.write(ctx, t, func(st store) error {
		// Most openings of a day page find every register as it should be: write only what
		// differs (the upsert of a lycée's 300 registers costs tens of milliseconds).
		existing, err := st.registersOn(d, uuid.Nil)
		if err != nil {
			return err
		}
		have := map[string]Register{}
		for _, r := range existing {
			if !r.AdHoc {
				have[r.SlotID.String()+"/"+r.LessonDate.Format(dateLayout)] = r
			}
		}
		var todo []Register
		for i, r := range rs {
			if h, ok := have[keep[i]]; !ok || !h.Taken() && !sameLesson(h, r) {
				todo = append(todo, r)
			}
			delete(have, keep[i])
		}
		created, err := st.upsertRegisters(todo)
		if err != nil {
			return err
		}
		if len(have) > 0 { // registers of that day whose lesson is no longer held then
			if err := st.dropUntaken(d, keep); err != nil {
				return err
			}
		}
		return st.fillRosters(created)
	})
}

// sameLesson tells whether a register already says what the timetable says of its lesson.
func sameLesson(have, want Register) bool {
	return have.OnDate.Equal(want.OnDate) && have.Start == want.Start && have.End == want.End && slices.Equal(have.TeacherIDs, want.TeacherIDs) &&
		have.Afternoon == want.Afternoon
}

// Day lists the registers of d the actor takes (theirs; every one for the vie scolaire when
// all is set), creating the day's registers first.
func (s *Service) Day(ctx context.Context, t *tenant.Tenant, a Actor, d time.Time, all bool) ([]Register, error) {
	if err := s.EnsureDay(ctx, t, d); err != nil {
		return nil, err
	}
	teacher := a.PersonID
	if all && a.Processes() {
		teacher = uuid.Nil
	} else if teacher == uuid.Nil {
		return nil, nil
	}
	var out []Register
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.registersOn(day(d), teacher)
		return err
	})
	return out, err
}

// Roll opens a register for the actor: its roster (completed with pupils who joined the
// class, until the roll is taken), marks and history. Someone who may not open it is told it
// does not exist.
func (s *Service) Roll(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (*Roll, error) {
	var out *Roll
	err := s.write(ctx, t, func(st store) error {
		r, err := st.register(id, false)
		if err != nil {
			return err
		}
		if !r.opens(a) {
			return errNoRegister
		}
		if !r.Taken() {
			if err := st.fillRosters([]uuid.UUID{id}); err != nil {
				return err
			}
		}
		out = &Roll{Register: r}
		if out.Entries, err = st.entries(id); err != nil {
			return err
		}
		if out.Declared, err = st.declaredPupils(r); err != nil {
			return err
		}
		out.Changes, err = st.changes(id)
		return err
	})
	return out, err
}

// RollErrors are the wrong lines of a roll, by pupil.
type RollErrors map[uuid.UUID]string

func (e RollErrors) Error() string {
	return "appel invalide : " + itoa(len(e)) + " ligne(s) à corriger"
}

// SaveRoll records the marks of a register's pupils (those not given keep theirs). Saving
// the same marks again changes nothing; once the roll was taken, each change is kept in the
// history with who and when. It returns how many marks changed. The events follow: an
// absence spans the pupil's consecutive missed lessons of the day.
func (s *Service) SaveRoll(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, marks map[uuid.UUID]Mark) (int, error) {
	for p, m := range marks {
		if m.Status != Late {
			m.Minutes = 0
		}
		marks[p] = m
	}
	var n int
	err := s.write(ctx, t, func(st store) error {
		r, err := st.register(id, true)
		if err != nil {
			return err
		}
		if !r.opens(a) {
			return errNoRegister
		}
		entries, err := st.entries(id)
		if err != nil {
			return err
		}
		changes, err := diff(entries, marks)
		if err != nil {
			return err
		}
		n = len(changes)
		now := s.now()
		if len(changes) > 0 {
			if err := st.saveMarks(id, changes); err != nil {
				return err
			}
			if r.Taken() {
				if err := st.logChanges(id, changes, a.PersonID, now); err != nil {
					return err
				}
			}
			pupils := make([]uuid.UUID, len(changes))
			for i, c := range changes {
				pupils[i] = c.pupil
			}
			if err := s.recompute(st, pupils, r.OnDate); err != nil {
				return err
			}
			if err := s.planNotices(st, t, pupils, r.OnDate); err != nil {
				return err
			}
		}
		if !r.Taken() {
			return st.markTaken(id, a.PersonID, now)
		}
		return nil
	})
	return n, err
}

// diff checks the marks against the roster and returns what changes.
func diff(entries []Entry, marks map[uuid.UUID]Mark) ([]change, error) {
	errs := RollErrors{}
	in := map[uuid.UUID]bool{}
	var out []change
	for _, e := range entries {
		in[e.PupilID] = true
		m, ok := marks[e.PupilID]
		if !ok {
			continue
		}
		switch {
		case m.Status == "":
			errs[e.PupilID] = "choisissez présent, absent, en retard ou parti"
		case m.Status == Late && (m.Minutes < 1 || m.Minutes > 600):
			errs[e.PupilID] = "indiquez les minutes de retard (de 1 à 600)"
		case m != (Mark{e.Status, e.Minutes}):
			out = append(out, change{pupil: e.PupilID, from: Mark{e.Status, e.Minutes}, to: m})
		}
	}
	for p := range marks {
		if !in[p] {
			return nil, fault.Invalidf("eleve", "un élève envoyé n'est pas dans la liste de cet appel : rechargez la page")
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	slices.SortFunc(out, func(a, b change) int { return strings.Compare(a.pupil.String(), b.pupil.String()) })
	return out, nil
}

// recompute rebuilds the events of pupils on d from their marks in every register of the
// day: each run of consecutive missed lessons is one absence (keeping the motif and state
// of the absence it grows from, the first already decided one when two merge), each
// lateness or early departure its own event; events no mark gives any more are deleted.
func (s *Service) recompute(st store, pupils []uuid.UUID, d time.Time) error {
	if err := st.lockPupilDays(pupils, d); err != nil {
		return err
	}
	entries, err := st.dayEntries(pupils, d)
	if err != nil {
		return err
	}
	var links []dayEntry
	claimed := map[uuid.UUID]bool{} // an absence split in two stays with its first part
	link := func(e dayEntry, id *uuid.UUID) {
		if (e.AbsenceID == nil) != (id == nil) || e.AbsenceID != nil && *e.AbsenceID != *id {
			e.AbsenceID = id
			links = append(links, e)
		}
	}
	for i := 0; i < len(entries); {
		e := entries[i]
		switch e.Status {
		case Absent:
			j := i
			for j < len(entries) && entries[j].PupilID == e.PupilID && entries[j].Status == Absent {
				j++
			}
			run := entries[i:j]
			id, err := s.absenceOf(st, run, d, claimed)
			if err != nil {
				return err
			}
			for _, r := range run {
				link(r, &id)
			}
			i = j
			continue
		case Late, LeftEarly:
			k := kindOf(e.Status)
			var id uuid.UUID
			if e.AbsenceID != nil && e.AbsenceKind == k {
				id = *e.AbsenceID
				if err := st.spanEvent(id, Clock(e.Starts), Clock(e.Ends), e.Minutes); err != nil {
					return err
				}
			} else if id, err = st.newEvent(e.PupilID, k, d, Clock(e.Starts), Clock(e.Ends), e.Minutes); err != nil {
				return err
			}
			link(e, &id)
		default:
			link(e, nil)
		}
		i++
	}
	if err := st.linkEntries(links); err != nil {
		return err
	}
	return st.dropOrphans(pupils, d)
}

// absenceOf is the absence a run of missed lessons belongs to: the first already decided one
// among those its lessons had and no earlier run claimed, else the first of them, else a new
// one; spanning the run.
func (s *Service) absenceOf(st store, run []dayEntry, d time.Time, claimed map[uuid.UUID]bool) (uuid.UUID, error) {
	var keep *uuid.UUID
	for _, e := range run {
		if e.AbsenceID == nil || e.AbsenceKind != KindAbsence || claimed[*e.AbsenceID] {
			continue
		}
		if keep == nil {
			keep = e.AbsenceID
		}
		if e.AbsenceState != Pending {
			keep = e.AbsenceID
			break
		}
	}
	start, end := Clock(run[0].Starts), Clock(run[len(run)-1].Ends)
	if keep == nil {
		id, err := st.newEvent(run[0].PupilID, KindAbsence, d, start, end, 0)
		if err == nil {
			err = s.applyDeclaration(st, id, run[0].PupilID, d, start, end) // service_declare.go
		}
		claimed[id] = true
		return id, err
	}
	claimed[*keep] = true
	return *keep, st.spanEvent(*keep, start, end, 0)
}

func itoa(n int) string { return strconv.Itoa(n) }
