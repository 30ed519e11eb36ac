package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// InvoiceMonth is the job that invoices a closed month's départements through Stripe
// (Closer.Invoice); enqueued by the close in its transaction, and run again by ResumeInvoices
// until the month is invoiced.
type InvoiceMonth struct {
	Month string `json:"month"` // YYYY-MM
}

// Kind names the job in River.
func (InvoiceMonth) Kind() string { return "billing_invoice_month" }

// ResumeInvoices is the hourly job that invoices every closed month whose invoicing did not
// finish (a crash, Stripe unreachable): invoiced_at still unset.
type ResumeInvoices struct{}

// Kind names the job in River.
func (ResumeInvoices) Kind() string { return "billing_resume_invoices" }

// Queue enqueues a job in the caller's transaction ((*jobs.Queue).InsertTx).
type Queue interface {
	InsertTx(tx *gorm.DB, t *tenant.Tenant, args river.JobArgs, at time.Time) error
}

// Jobs is billing's work on the job queue (a jobs.Work and jobs.Labelled).
type Jobs struct {
	closer *Closer
	log    *slog.Logger
}

// RegisterJobs returns billing's jobs for jobs.Duties.Modules, and, when queue is not nil,
// makes every Close enqueue the month's InvoiceMonth in its transaction.
func RegisterJobs(c *Closer, queue Queue, log *slog.Logger) *Jobs {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if queue != nil {
		c.enqueue = func(tx *gorm.DB, month time.Time) error {
			return queue.InsertTx(tx, nil, InvoiceMonth{Month: month.Format("2006-01")}, c.store.Now())
		}
	}
	return &Jobs{closer: c, log: log}
}

// AddWorkers adds billing's workers (jobs.Work).
func (j *Jobs) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &invoiceWorker{j: j})
	river.AddWorker(w, &resumeWorker{j: j})
}

// PeriodicJobs plans the resumption of unfinished invoicing every hour (jobs.Work).
func (j *Jobs) PeriodicJobs() []*river.PeriodicJob {
	const every = time.Hour
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return ResumeInvoices{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the jobs in the console (jobs.Labelled).
func (j *Jobs) JobLabels() map[string]string {
	return map[string]string{
		InvoiceMonth{}.Kind():   "Facturation Stripe d'un mois clos aux départements",
		ResumeInvoices{}.Kind(): "Reprise des facturations Stripe inachevées",
	}
}

type invoiceWorker struct {
	river.WorkerDefaults[InvoiceMonth]
	j *Jobs
}

func (w *invoiceWorker) Work(ctx context.Context, job *river.Job[InvoiceMonth]) error {
	month, err := time.Parse("2006-01", job.Args.Month)
	if err != nil {
		return river.JobCancel(fmt.Errorf("billing: job %s: month %q: %w", job.Kind, job.Args.Month, err))
	}
	return w.j.closer.Invoice(ctx, month)
}

type resumeWorker struct {
	river.WorkerDefaults[ResumeInvoices]
	j *Jobs
}

func (w *resumeWorker) Work(ctx context.Context, _ *river.Job[ResumeInvoices]) error {
	months, err := w.j.closer.store.MonthsToInvoice(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range months {
		if err := w.j.closer.Invoice(ctx, m); err != nil {
			w.j.log.Error("billing: invoicing a closed month", "month", m.Format("2006-01"), "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
