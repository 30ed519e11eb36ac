// Package jobs is Cartable's background work: a River job queue in PostgreSQL (schema
// "river"), the workers of the platform's periodic duties (orphan identities, purges of
// leavers and of deleted establishments, expiry of initial passwords) and the view of the
// jobs' states for platform administrators.
//
// Jobs are enqueued in the transaction of the change that needs them (InsertTx on the
// *sql.Tx under GORM), so a job exists if and only if its cause committed.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// Schema holds River's tables, apart from the platform's and the tenants'.
const Schema = "river"

// Migrate creates the river schema and brings River's tables to the version this binary
// needs (rivermigrate, idempotent).
func Migrate(ctx context.Context, db *sql.DB) (applied int, err error) {
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+Schema); err != nil {
		return 0, fmt.Errorf("jobs: create schema %s: %w", Schema, err)
	}
	m, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Schema: Schema})
	if err != nil {
		return 0, fmt.Errorf("jobs: migrator: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, fmt.Errorf("jobs: migrate River's tables: %w", err)
	}
	return len(res.Versions), nil
}

// Config tunes the queue.
type Config struct {
	Workers int           // jobs worked at once (default 2: the machine is shared with the web server)
	Poll    time.Duration // how often to look for available jobs (default 1 s; database/sql has no LISTEN)
	// OrphanGrace is how old an identity without an account row must be before the
	// reconciliation removes it (default 24 h: an import in progress has not written its
	// accounts yet, and a retry adopts them meanwhile).
	OrphanGrace time.Duration
	Now         func() time.Time // the clock the jobs decide with (default time.Now)
	// JobTimeout bounds a job's run (default 30 min); RescueAfter is how long a job left
	// running by a dead process waits before River retries it (default JobTimeout + 1 h).
	// Tests that kill a worker shorten both.
	JobTimeout  time.Duration
	RescueAfter time.Duration
	Logger      *slog.Logger
}

// Duties are the work the queue does, implemented by the modules and wired in cmd/cartable.
type Duties struct {
	Tenants   TenantLister
	Orphans   OrphanReconciler
	Leavers   LeaverPurger
	Retired   TenantPurger
	Passwords CredentialExpirer
	// Modules are other modules' jobs (notify's e-mails): their workers and periodic jobs.
	Modules []Work
}

// Work is a module's jobs on the queue: it adds its workers and names its periodic jobs.
type Work interface {
	AddWorkers(w *river.Workers)
	PeriodicJobs() []*river.PeriodicJob
}

// TenantLister lists the establishments whose schema exists (active or suspended).
type TenantLister interface {
	Live(ctx context.Context) ([]tenant.Tenant, error)
}

// OrphanReconciler removes Kratos identities that no account row knows and that were
// created before the cutoff; it returns how many it saw and removed.
type OrphanReconciler interface {
	ReconcileOrphans(ctx context.Context, createdBefore time.Time) (seen, removed int, err error)
}

// LeaverPurger deletes the people of t whose keeping period ended at now.
type LeaverPurger interface {
	PurgeLeavers(ctx context.Context, t *tenant.Tenant, now time.Time) (people, identities int, err error)
}

// TenantPurger drops the deleted establishments whose retention ended at now.
type TenantPurger interface {
	Purge(ctx context.Context, now time.Time, actor string) ([]tenant.Tenant, error)
}

// CredentialExpirer erases the initial passwords of t whose keeping period ended at now.
type CredentialExpirer interface {
	ExpireCredentials(ctx context.Context, t *tenant.Tenant, now time.Time) (int, error)
}

// Labelled is a module's Work that names its jobs in French for the console.
type Labelled interface {
	JobLabels() map[string]string
}

// Queue is the job queue: insertion (in the caller's transaction) and, once Started, the
// workers and the periodic schedule.
type Queue struct {
	client *river.Client[*sql.Tx]
	cfg    Config
	labels map[string]string // the French names of the jobs, the modules' included
}

// maxAttempts bounds the retries of a failing job; River waits attempt⁴ seconds (with
// jitter) between attempts, so 10 attempts span about three hours.
const maxAttempts = 10

// New binds a queue to the application's pool (db is the *sql.DB under GORM).
func New(db *sql.DB, d Duties, cfg Config) (*Queue, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.OrphanGrace <= 0 {
		cfg.OrphanGrace = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &orphansWorker{d: d, cfg: cfg})
	river.AddWorker(workers, &leaversWorker{d: d, cfg: cfg})
	river.AddWorker(workers, &tenantsWorker{d: d, cfg: cfg})
	river.AddWorker(workers, &credentialsWorker{d: d, cfg: cfg})
	var more []*river.PeriodicJob
	names := maps.Clone(labels)
	for _, m := range d.Modules {
		m.AddWorkers(workers)
		more = append(more, m.PeriodicJobs()...)
		if l, ok := m.(Labelled); ok {
			maps.Copy(names, l.JobLabels())
		}
	}
	periodic := func(every time.Duration, args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
			// One per period: a duty still retrying is not doubled by the next tick.
			return args, &river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		}, &river.PeriodicJobOpts{RunOnStart: true})
	}
	client, err := river.NewClient(riverdatabasesql.New(db), &river.Config{
		Schema:            Schema,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:           workers,
		FetchPollInterval: cfg.Poll,
		MaxAttempts:       maxAttempts,
		// A duty walks every identity or establishment of the région: minutes, not River's
		// default minute. Stuck jobs still end (River rescues them after this).
		JobTimeout:           cmp.Or(cfg.JobTimeout, 30*time.Minute),
		RescueStuckJobsAfter: cfg.RescueAfter,
		ErrorHandler:         failureLog{cfg.Logger},
		Logger:               slog.New(warnings{cfg.Logger.Handler()}), // River reports its routine at INFO every few seconds
		PeriodicJobs: append([]*river.PeriodicJob{
			periodic(time.Hour, ReconcileOrphans{}),
			periodic(24*time.Hour, PurgeLeavers{}),
			periodic(24*time.Hour, PurgeTenants{}),
			periodic(6*time.Hour, ExpireCredentials{}),
		}, more...),
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: client: %w", err)
	}
	return &Queue{client: client, cfg: cfg, labels: names}, nil
}

// Start runs the workers and the periodic schedule until Stop or ctx's end.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop lets running jobs finish (within ctx) and stops the workers.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// Insert enqueues a job outside any transaction (commands, tests).
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, at time.Time) (int64, error) {
	res, err := q.client.Insert(ctx, args, &river.InsertOpts{ScheduledAt: at, MaxAttempts: maxAttempts})
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// InsertTx enqueues a job in the caller's GORM transaction: it commits or rolls back with
// it. Inside a tenant transaction the job is written with the application's role (River's
// schema is not the tenant's), then the tenant scope comes back.
func (q *Queue) InsertTx(tx *gorm.DB, t *tenant.Tenant, args river.JobArgs, at time.Time) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return errors.New("jobs: InsertTx needs a GORM transaction on database/sql")
	}
	insert := func(*gorm.DB) error {
		_, err := q.client.InsertTx(tx.Statement.Context, sqlTx, args, &river.InsertOpts{ScheduledAt: at, MaxAttempts: maxAttempts})
		if err != nil {
			return fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
		}
		return nil
	}
	if t == nil {
		return insert(tx)
	}
	return tenant.WithPlatform(tx, t, insert)
}

// Planned is a job to enqueue and when it may run.
type Planned struct {
	Args river.JobArgs
	At   time.Time
}

// InsertManyTx enqueues jobs in the caller's GORM transaction in one statement (InsertTx's
// rules); a module that enqueues thousands at once (notify) needs it.
func (q *Queue) InsertManyTx(tx *gorm.DB, t *tenant.Tenant, jobs []Planned) error {
	if len(jobs) == 0 {
		return nil
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return errors.New("jobs: InsertManyTx needs a GORM transaction on database/sql")
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: j.Args, InsertOpts: &river.InsertOpts{ScheduledAt: j.At, MaxAttempts: maxAttempts}}
	}
	insert := func(*gorm.DB) error {
		if _, err := q.client.InsertManyFastTx(tx.Statement.Context, sqlTx, params); err != nil {
			return fmt.Errorf("jobs: enqueue %d %s: %w", len(jobs), jobs[0].Args.Kind(), err)
		}
		return nil
	}
	if t == nil {
		return insert(tx)
	}
	return tenant.WithPlatform(tx, t, insert)
}

// PurgeLeaversAt schedules the purge of t's leavers (directory.JobQueue).
func (q *Queue) PurgeLeaversAt(tx *gorm.DB, t *tenant.Tenant, at time.Time) error {
	return q.InsertTx(tx, t, PurgeLeavers{TenantUAI: string(t.UAI)}, at)
}

// ExpireCredentialsAt schedules the erasure of t's initial passwords (directory.JobQueue).
func (q *Queue) ExpireCredentialsAt(tx *gorm.DB, t *tenant.Tenant, at time.Time) error {
	return q.InsertTx(tx, t, ExpireCredentials{TenantUAI: string(t.UAI)}, at)
}

// Job is one job as administrators see it.
type Job struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Label       string     `json:"label"`
	State       string     `json:"state"`
	Attempt     int        `json:"attempt"`
	MaxAttempts int        `json:"max_attempts"`
	Args        string     `json:"args"`
	CreatedAt   time.Time  `json:"created_at"`
	ScheduledAt time.Time  `json:"scheduled_at"`
	FinalizedAt *time.Time `json:"finalized_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
}

// States are River's job states, in the order the console shows them.
var States = []string{"running", "retryable", "available", "scheduled", "pending", "completed", "discarded", "cancelled"}

// List returns the latest jobs (newest first), of one state when state is not empty.
func (q *Queue) List(ctx context.Context, state string, limit int) ([]Job, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	p := river.NewJobListParams().First(limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if state != "" {
		p = p.States(rivertype.JobState(state))
	}
	res, err := q.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		j := Job{ID: r.ID, Kind: r.Kind, Label: q.labels[r.Kind], State: string(r.State), Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
			Args: string(r.EncodedArgs), CreatedAt: r.CreatedAt, ScheduledAt: r.ScheduledAt, FinalizedAt: r.FinalizedAt}
		if n := len(r.Errors); n > 0 {
			// The raw error (it may name internal hosts) is in the server's log, not here.
			last := r.Errors[n-1]
			j.LastError = fmt.Sprintf("échec de l'essai %d le %s UTC : le détail est dans le journal du serveur (tâche n° %d)",
				last.Attempt, last.At.UTC().Format("02/01/2006 15:04"), r.ID)
		}
		out = append(out, j)
	}
	return out, nil
}

// ValidState tells a River job state.
func ValidState(s string) bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

// warnings passes on a handler's records from WARN up.
type warnings struct{ slog.Handler }

func (w warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnings) WithAttrs(as []slog.Attr) slog.Handler { return warnings{w.Handler.WithAttrs(as)} }

func (w warnings) WithGroup(name string) slog.Handler { return warnings{w.Handler.WithGroup(name)} }

// failureLog writes a failed attempt to the server's log (River reports them at INFO, below
// what is kept): the console and the API show only where to look.
type failureLog struct{ log *slog.Logger }

func (f failureLog) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	f.log.ErrorContext(ctx, "background job failed", "job", job.ID, "kind", job.Kind, "attempt", job.Attempt, "err", err)
	return nil
}

func (f failureLog) HandlePanic(ctx context.Context, job *rivertype.JobRow, v any, trace string) *river.ErrorHandlerResult {
	f.log.ErrorContext(ctx, "background job panicked", "job", job.ID, "kind", job.Kind, "attempt", job.Attempt, "panic", v, "trace", trace)
	return nil
}
