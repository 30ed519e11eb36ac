package transfer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gocloud.dev/blob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/tenant"
)

// CopyPortfolio is the job that copies an accepted transfer's portfolio into the
// establishment the pupil arrived in; enqueued by the last acceptance, in its transaction.
type CopyPortfolio struct {
	Transfer uuid.UUID `json:"transfer"`
}

// Kind names the job in River.
func (CopyPortfolio) Kind() string { return "portfolio_transfer_copy" }

// SourcePrefix starts the source of a carried item: "transfer:<the item's id in A>", so that
// a retried copy finds what it wrote before.
const SourcePrefix = "transfer:"

// ErrAltered is the failure of a copy that found a document of A whose bytes no longer
// match their checksum.
var ErrAltered = errors.New("transfer: a document does not match its checksum")

// copied is one of A's files, copied into B's blob store and checked.
type copied struct {
	from portfolio.File
	to   files.Stored
}

// Copy carries transfer id's portfolio from A into B: the items not carried yet, with their
// documents, each checked against its SHA-256 in A before anything is written in B; then,
// in one transaction of B, the items, their files, B's audit line and the transfer's status.
// Run again after a failure or a crash, it copies only what is missing. A document altered
// in A fails the transfer (status failed, the reason kept) and writes nothing in B.
func (s *Service) Copy(ctx context.Context, id uuid.UUID) error {
	x, err := s.Of(ctx, id)
	if err != nil {
		return err
	}
	switch x.Status {
	case Done:
		return s.logOrigin(ctx, x)
	case Accepted, Copying:
	default:
		return fmt.Errorf("transfer: copy %s: status %s: %w", id, x.Status, errNotAccepted)
	}
	if s.bucket == nil {
		return errors.New("transfer: no blob store to copy the documents in")
	}
	from, err := tenantByID(s.platform.WithContext(ctx), x.FromTenant)
	if err != nil {
		return err
	}
	to, err := tenantByID(s.platform.WithContext(ctx), x.ToTenant)
	if err != nil {
		return err
	}
	if err := s.setStatus(ctx, id, Copying, ""); err != nil {
		return err
	}

	// What B has already (a retried copy), then what A holds.
	done := map[string]bool{}
	err = s.db.ReadTx(ctx, to, func(tx *gorm.DB) error {
		sources, err := s.portfolio.Sources(tx, x.ToPerson, SourcePrefix)
		if err != nil {
			return err
		}
		for _, src := range sources {
			done[src] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	var items []portfolio.Item
	err = s.db.ReadTx(ctx, from, func(tx *gorm.DB) (err error) {
		items, err = s.portfolio.Items(tx, x.FromPerson)
		return err
	})
	if err != nil {
		return err
	}
	var todo []portfolio.Item
	var checked []files.Checked
	for _, it := range items {
		if !done[SourcePrefix+it.ID.String()] {
			todo = append(todo, it)
			for _, f := range it.Files {
				checked = append(checked, files.Checked{Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, Field: "transfer"})
			}
		}
	}
	if s.space != nil && len(checked) > 0 {
		if err := s.space.Admit(ctx, to, checked); err != nil {
			return s.fail(ctx, x, fmt.Sprintf("l'espace de fichiers de %s est plein : %v", x.ToName, err))
		}
	}

	// The blobs: copied from A's prefix to B's, each hashed on the way and compared with A's row.
	var out []copied
	undo := func() {
		for _, c := range out {
			if err := s.bucket.Delete(context.WithoutCancel(ctx), tenant.BlobPrefix(to)+c.to.Key); err != nil {
				s.log.Error("transfer: remove a copied blob", "transfer", id, "err", err)
			}
		}
	}
	for _, it := range todo {
		for _, f := range it.Files {
			c, err := s.copyBlob(ctx, from, to, f)
			if errors.Is(err, ErrAltered) {
				undo()
				return s.fail(ctx, x, fmt.Sprintf("le document « %s » (%s) de %s ne correspond plus à son empreinte SHA-256 : il a été altéré dans le stockage. Rien n'a été copié.", f.Name, it.Title, x.FromName))
			}
			if err != nil {
				undo()
				return err
			}
			out = append(out, c)
		}
	}
	byItem := map[uuid.UUID][]files.Stored{}
	var nFiles int
	var nBytes int64
	for _, c := range out {
		byItem[c.from.ItemID] = append(byItem[c.from.ItemID], c.to)
		nFiles++
		nBytes += c.to.Size
	}

	// The rows, in one transaction of B.
	now := s.now()
	err = s.db.Tx(ctx, to, func(tx *gorm.DB) error {
		for _, it := range todo {
			item, err := s.portfolio.Record(tx, portfolio.Entry{PupilID: x.ToPerson, Kind: it.Kind, Source: SourcePrefix + it.ID.String(),
				SchoolYear: it.SchoolYear, SubjectCode: it.SubjectCode, Subject: it.SubjectLabel, Title: it.Title, Summary: it.Summary, Body: it.Body,
				OccurredAt: it.OccurredAt, OriginUAI: string(from.UAI), OriginName: from.Name})
			if err != nil {
				return err
			}
			if err := s.portfolio.AttachFiles(tx, item, byItem[it.ID]...); err != nil {
				return err
			}
		}
		if err := audit(tx, now, "transfer", "portfolio.transfer.received", map[string]any{
			"transfer": x.ID, "from": from.UAI, "pupil": x.ToPerson, "items": len(todo), "files": nFiles, "bytes": nBytes}); err != nil {
			return err
		}
		return tenant.WithPlatform(tx, to, func(ptx *gorm.DB) error {
			return ptx.Exec(`UPDATE platform.portfolio_transfers SET status = 'done', copied_items = copied_items + ?, copied_files = copied_files + ?,
				copied_bytes = copied_bytes + ?, copied_at = ?, failure = '', updated_at = ? WHERE id = ?`, len(todo), nFiles, nBytes, now, now, x.ID).Error
		})
	})
	if err != nil {
		undo()
		return fmt.Errorf("transfer: copy %s into %s: %w", id, to.UAI, err)
	}
	x.Status = Done
	return s.logOrigin(ctx, x)
}

var errNotAccepted = errors.New("not accepted")

// copyBlob copies one of A's documents under a new key of B, hashing its bytes on the way.
func (s *Service) copyBlob(ctx context.Context, from, to *tenant.Tenant, f portfolio.File) (copied, error) {
	r, err := s.bucket.NewReader(ctx, tenant.BlobPrefix(from)+f.Key, nil)
	if err != nil {
		return copied{}, fmt.Errorf("transfer: read %s of %s: %w", f.Key, from.UAI, err)
	}
	defer r.Close()
	key := newKey()
	w, err := s.bucket.NewWriter(ctx, tenant.BlobPrefix(to)+key, &blob.WriterOptions{ContentType: f.ContentType})
	if err != nil {
		return copied{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return copied{}, errors.Join(err, w.Close())
	}
	c := copied{from: f, to: files.Stored{Key: key, Name: f.Name, ContentType: f.ContentType, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}}
	if err := w.Close(); err != nil {
		return copied{}, err
	}
	if c.to.SHA256 != f.SHA256 || n != f.Size {
		if err := s.bucket.Delete(context.WithoutCancel(ctx), tenant.BlobPrefix(to)+key); err != nil {
			s.log.Error("transfer: remove an altered copy", "key", key, "err", err)
		}
		return copied{}, ErrAltered
	}
	return c, nil
}

// newKey is a new blob key of the portfolio's documents.
func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return portfolio.Documents.Dir + hex.EncodeToString(b[:])
}

// fail records why the copy failed; the job is not retried (the document will not heal).
func (s *Service) fail(ctx context.Context, x *Transfer, why string) error {
	if err := s.setStatus(ctx, x.ID, Failed, why); err != nil {
		return err
	}
	return river.JobCancel(fmt.Errorf("transfer %s: %s", x.ID, why))
}

func (s *Service) setStatus(ctx context.Context, id uuid.UUID, st Status, failure string) error {
	return s.platform.WithContext(ctx).Exec(`UPDATE platform.portfolio_transfers SET status = ?, failure = ?, updated_at = ? WHERE id = ?`,
		st, failure, s.now(), id).Error
}

// logOrigin writes A's audit line of a done transfer, once.
func (s *Service) logOrigin(ctx context.Context, x *Transfer) error {
	if x.OriginLoggedAt != nil {
		return nil
	}
	from, err := tenantByID(s.platform.WithContext(ctx), x.FromTenant)
	if err != nil {
		return err
	}
	now := s.now()
	return s.db.Tx(ctx, from, func(tx *gorm.DB) error {
		var cur Transfer
		if err := tenant.WithPlatform(tx, from, func(ptx *gorm.DB) error {
			return ptx.Raw(`SELECT * FROM platform.portfolio_transfers WHERE id = ? FOR UPDATE`, x.ID).Scan(&cur).Error
		}); err != nil {
			return err
		}
		if cur.OriginLoggedAt != nil {
			return nil
		}
		if err := audit(tx, now, "transfer", "portfolio.transfer.sent", map[string]any{
			"transfer": x.ID, "to": x.ToUAI, "pupil": x.FromPerson, "items": cur.CopiedItems, "files": cur.CopiedFiles, "bytes": cur.CopiedBytes}); err != nil {
			return err
		}
		return tenant.WithPlatform(tx, from, func(ptx *gorm.DB) error {
			return ptx.Exec(`UPDATE platform.portfolio_transfers SET origin_logged_at = ? WHERE id = ?`, now, x.ID).Error
		})
	})
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

func lower(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToLower(string(r[0])) + string(r[1:])
}

// Jobs is the transfers' work on the job queue (a jobs.Work and jobs.Labelled): the copies,
// and the daily expiry of unanswered questions.
type Jobs struct{ s *Service }

// Jobs returns the transfers' work for jobs.Duties.Modules.
func (s *Service) Jobs() *Jobs { return &Jobs{s: s} }

// ExpireQuestions is the daily job that ends the questions nobody answered in time.
type ExpireQuestions struct{}

// Kind names the job in River.
func (ExpireQuestions) Kind() string { return "portfolio_transfer_expire" }

// AddWorkers adds the workers (jobs.Work).
func (j *Jobs) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &copyWorker{s: j.s})
	river.AddWorker(w, &expireWorker{s: j.s})
}

// PeriodicJobs plans the expiry every day (jobs.Work).
func (j *Jobs) PeriodicJobs() []*river.PeriodicJob {
	const every = 24 * time.Hour
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return ExpireQuestions{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the jobs in the console (jobs.Labelled).
func (j *Jobs) JobLabels() map[string]string {
	return map[string]string{
		CopyPortfolio{}.Kind():   "Copie d'un portfolio apporté d'un autre établissement",
		ExpireQuestions{}.Kind(): "Expiration des propositions de transfert de portfolio sans réponse",
	}
}

type copyWorker struct {
	river.WorkerDefaults[CopyPortfolio]
	s *Service
}

func (w *copyWorker) Work(ctx context.Context, job *river.Job[CopyPortfolio]) error {
	err := w.s.Copy(ctx, job.Args.Transfer)
	var cancel *river.JobCancelError
	switch {
	case err == nil || errors.As(err, &cancel):
		return err
	case errors.Is(err, errNotAccepted) || errors.Is(err, ErrNotFound):
		return river.JobCancel(err)
	case job.Attempt >= job.MaxAttempts:
		// The last attempt: the transfer says it failed and why, so that the région sees it
		// in its console and retries once the cause is fixed, instead of « copie en cours »
		// for good.
		if x, xerr := w.s.Of(ctx, job.Args.Transfer); xerr == nil && x.Status != Done {
			return w.s.fail(ctx, x, fmt.Sprintf("la copie a échoué à chacun de ses %d essais ; dernière erreur : %v", job.Attempt, err))
		}
	}
	return err
}

type expireWorker struct {
	river.WorkerDefaults[ExpireQuestions]
	s *Service
}

func (w *expireWorker) Work(ctx context.Context, _ *river.Job[ExpireQuestions]) error {
	_, err := w.s.Expire(ctx)
	return err
}
