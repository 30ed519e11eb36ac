package attendance

// Families told, through modules/notify: of an absence, at once (Code de l'éducation
// R131-5: « toute absence est immédiatement signalée aux personnes responsables »), and of
// the vie scolaire's answer to their justification.
//
// An absence is not told by the roll's transaction itself: a teacher who ticks the wrong
// pupil and corrects it a minute later must not have alarmed a family. The roll's
// transaction enqueues a job (TellAbsences) for the absences it left untold, scheduled a
// grace period later (NoticeConfig.Grace, 2 minutes by default); the job re-reads them and
// tells the legal guardians of those that still exist and are not justified. It claims each
// absence in absence_notices first, in the transaction that writes the notifications: an
// absence is told once, however many times its roll is saved and whatever lessons it grows
// over; one deleted meanwhile (the mark corrected to present) is told nothing.
//
// Lateness and early departures are not told: the pupil is at school, under the
// establishment's care, and R131-5 speaks of absences; they are many, and a family flooded
// with them would turn off the kind that also carries the absences. They are on the
// family's « Absences » page. The pupil is not told either: the absence is their own, and it
// is the legal guardians who must give its reason (R131-5) and who justify it online.
//
// Quiet hours are respected for the e-mail (notify's rule for every kind): the notification
// is in the application as soon as the grace has passed, and its e-mail leaves then, or at
// the end of the establishment's quiet hours (20:00–07:00 by default) when a roll is saved
// late in the evening. Lessons are within the messaging hours, so a roll taken in class is
// e-mailed within the grace plus the send job's delay, well under 5 minutes.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
)

// Notifier records notifications in the caller's transaction (notify.Service).
type Notifier interface {
	Notify(tx *gorm.DB, t *tenant.Tenant, notices ...notify.Notice) error
}

// JobQueue enqueues a job in the caller's transaction (jobs.Queue).
type JobQueue interface {
	InsertTx(tx *gorm.DB, t *tenant.Tenant, args river.JobArgs, at time.Time) error
}

// Families finds pupils' legal guardians in the caller's transaction (directory).
type Families interface {
	LegalGuardians(tx *gorm.DB, pupils []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error)
}

// TenantFinder finds an establishment for a job (the registry, in cmd/cartable).
type TenantFinder interface {
	Get(ctx context.Context, uai string) (*tenant.Tenant, error)
}

// DefaultGrace is how long an absence waits for a correction before its family is told.
const DefaultGrace = 2 * time.Minute

// NoticeConfig wires the families' notifications.
type NoticeConfig struct {
	Notifier Notifier
	Queue    JobQueue
	Families Families      // nil: the directory's guardianships
	Grace    time.Duration // 0: DefaultGrace
}

// SetNotices turns the families' notifications on (cmd/cartable); without them nobody is
// told.
func (s *Service) SetNotices(cfg NoticeConfig) {
	if cfg.Families == nil {
		cfg.Families = directory.Guardianship{}
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	s.notices = &cfg
}

// TellAbsences is the job that tells families of some absences of one day, once the grace
// period after the roll that gave them has passed.
type TellAbsences struct {
	TenantUAI string      `json:"tenant_uai"`
	Date      string      `json:"date"` // the absences' day, 2006-01-02
	Absences  []uuid.UUID `json:"absences"`
	Due       time.Time   `json:"due"` // the end of the grace period
}

// Kind names the job in River.
func (TellAbsences) Kind() string { return "attendance_tell_absences" }

// planNotices enqueues, in the roll's transaction, the telling of the untold absences of
// pupils on d, after the grace period.
func (s *Service) planNotices(st store, t *tenant.Tenant, pupils []uuid.UUID, d time.Time) error {
	if s.notices == nil {
		return nil
	}
	ids, err := st.untoldAbsences(pupils, d)
	if err != nil || len(ids) == 0 {
		return err
	}
	due := s.now().Add(s.notices.Grace)
	return s.notices.Queue.InsertTx(st.tx, t, TellAbsences{TenantUAI: string(t.UAI), Date: d.Format(dateLayout), Absences: ids, Due: due}, due)
}

// Tell runs a TellAbsences job: before its due time it tells nothing and says how long to
// wait; then it tells the legal guardians of each of its absences still there, not
// justified and not told yet, and returns how many absences it told.
func (s *Service) Tell(ctx context.Context, t *tenant.Tenant, job TellAbsences) (told int, wait time.Duration, err error) {
	if s.notices == nil {
		return 0, 0, errors.New("attendance: notifications are not wired")
	}
	if now := s.now(); now.Before(job.Due) {
		return 0, job.Due.Sub(now), nil
	}
	d, err := time.Parse(dateLayout, job.Date)
	if err != nil {
		return 0, 0, fmt.Errorf("attendance: job's date %q: %w", job.Date, err)
	}
	err = s.write(ctx, t, func(st store) error {
		pupils, err := st.pupilsOfEvents(job.Absences)
		if err != nil || len(pupils) == 0 {
			return err
		}
		// The same locks as a roll's recomputation: the absences are read as a finished roll
		// left them, not halfway through another teacher's save.
		if err := st.lockPupilDays(pupils, d); err != nil {
			return err
		}
		rows, err := st.absencesToTell(job.Absences, s.now())
		if err != nil || len(rows) == 0 {
			return err
		}
		told = len(rows)
		return s.tellFamilies(st, t, rows)
	})
	return told, 0, err
}

// tellFamilies writes the notification of each absence to its pupil's legal guardians.
func (s *Service) tellFamilies(st store, t *tenant.Tenant, rows []absenceToTell) error {
	pupils := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		pupils[i] = r.PupilID
	}
	guardians, err := s.notices.Families.LegalGuardians(st.tx, pupils)
	if err != nil {
		return err
	}
	var notices []notify.Notice
	for _, r := range rows {
		if gs := guardians[r.PupilID]; len(gs) > 0 {
			notices = append(notices, r.notice(gs))
		}
	}
	return s.notices.Notifier.Notify(st.tx, t, notices...)
}

// absenceToTell is an absence as its notification tells it.
type absenceToTell struct {
	ID, PupilID  uuid.UUID
	FirstName    string
	OnDate       time.Time
	Starts, Ends int
	Subjects     string // of its lessons, in order: « Mathématiques, Espagnol »
}

// notice is the absence's notification to the guardians gs.
func (a absenceToTell) notice(gs []uuid.UUID) notify.Notice {
	when := fmt.Sprintf("%s de %s à %s", frLongDay(a.OnDate), Clock(a.Starts).French(), Clock(a.Ends).French())
	body := fmt.Sprintf("%s n'était pas en cours le %s", a.FirstName, when)
	if a.Subjects != "" {
		body += " (" + a.Subjects + ")"
	}
	body += ".\nLa loi demande d'en donner le motif sans tarder : vous pouvez justifier cette absence en ligne."
	return notify.Notice{Kind: notify.KindAbsence, Recipients: gs,
		Title: fmt.Sprintf("Absence : %s, %s, %s–%s", a.FirstName, frLongDay(a.OnDate), Clock(a.Starts).French(), Clock(a.Ends).French()),
		Body:  body, Link: "/absences/" + a.ID.String() + "/justifier"}
}

// notifyAnswer tells the guardian who sent justification id the vie scolaire's answer, in
// the answer's transaction.
func (s *Service) notifyAnswer(st store, t *tenant.Tenant, id uuid.UUID) error {
	if s.notices == nil {
		return nil
	}
	a, err := st.answered(id)
	if err != nil {
		return err
	}
	verb, title := "refusé", "Justification refusée"
	if a.State == "acceptee" {
		verb, title = "accepté", "Justification acceptée"
	}
	of := map[Kind]string{KindAbsence: "de l'absence", KindLateness: "du retard", KindLeftEarly: "du départ anticipé"}[a.Kind]
	body := fmt.Sprintf("La vie scolaire a %s votre justification %s du %s, de %s à %s, pour %s (motif : %s).", verb, of,
		frLongDay(a.OnDate), Clock(a.Starts).French(), Clock(a.Ends).French(), a.FirstName, a.Motif)
	if c := strings.TrimSpace(a.Answer); c != "" {
		body += "\nSon commentaire : « " + c + " »"
	}
	return s.notices.Notifier.Notify(st.tx, t, notify.Notice{Kind: notify.KindJustificationAnswered, Recipients: []uuid.UUID{a.GuardianID},
		Title: fmt.Sprintf("%s : %s, %s", title, a.FirstName, frLongDay(a.OnDate)),
		Body:  body, Link: "/absences/eleves/" + a.PupilID.String()})
}

// answeredJustification is a justification as its answer's notification tells it.
type answeredJustification struct {
	GuardianID, PupilID uuid.UUID
	FirstName, Motif    string
	State, Answer       string
	Kind                Kind
	OnDate              time.Time
	Starts, Ends        int
}

// NoticeJobs is the attendance's work on the job queue (a jobs.Work): the absences' notices.
type NoticeJobs struct {
	svc     *Service
	tenants TenantFinder
}

// Jobs returns the service's job workers, finding establishments with tenants.
func (s *Service) Jobs(tenants TenantFinder) *NoticeJobs {
	return &NoticeJobs{svc: s, tenants: tenants}
}

// AddWorkers adds the absences' notices worker (jobs.Work).
func (j *NoticeJobs) AddWorkers(w *river.Workers) { river.AddWorker(w, &tellWorker{j: j}) }

// PeriodicJobs is none: every notice is enqueued by its roll (jobs.Work).
func (j *NoticeJobs) PeriodicJobs() []*river.PeriodicJob { return nil }

// JobLabels names the job in the console (jobs.Labelled).
func (j *NoticeJobs) JobLabels() map[string]string {
	return map[string]string{TellAbsences{}.Kind(): "Signalement des absences aux familles"}
}

type tellWorker struct {
	river.WorkerDefaults[TellAbsences]
	j *NoticeJobs
}

func (w *tellWorker) Work(ctx context.Context, job *river.Job[TellAbsences]) error {
	t, err := w.j.tenants.Get(ctx, job.Args.TenantUAI)
	if err != nil {
		return err
	}
	_, wait, err := w.j.svc.Tell(ctx, t, job.Args)
	if err == nil && wait > 0 {
		// River ran it early: its clock (PostgreSQL's) is ahead of the application's.
		return river.JobSnooze(wait)
	}
	return err
}

// sortIDs orders ids as lockPupilDays needs them (always the same order: no deadlock).
func sortIDs(ids []uuid.UUID) []uuid.UUID {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(ids)
}
