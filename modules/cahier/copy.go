package cahier

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// CopySession copies a séance of the actor's to another class or group they teach the same
// subject to, as a draft on that class's first lesson of the subject from the séance's date
// (or the same date and times when none is found within three weeks), with the work set in
// it and the attachments of both. A piece of work due « pour la prochaine séance » is due
// for the target class's next lesson of the subject after the copy (its original date kept
// when that class has none within six weeks); one due on a date keeps it. Attachments are
// stored again under new keys: each copy is a file of its own, counted in the
// establishment's space (a copy that does not fit is refused, nothing copied). It returns
// the copy.
func (s *Service) CopySession(ctx context.Context, t *tenant.Tenant, a Actor, id, class uuid.UUID) (uuid.UUID, error) {
	src, err := s.Session(ctx, t, a, id)
	if err != nil {
		return uuid.Nil, err
	}
	if src.TeacherID != a.PersonID {
		return uuid.Nil, fault.New(fault.ErrForbidden, "vous ne pouvez copier que vos propres séances")
	}
	if class == src.ClassID {
		return uuid.Nil, fault.Invalidf("classe", "Copier vers : choisissez une autre classe que celle de la séance.")
	}
	f := FormOfSession(src)
	f.Slot, f.Choice, f.VisibleFrom = "", class.String()+"|"+src.SubjectCode, ""
	lessons, err := s.lessons.LessonsOfGroup(ctx, t, class, src.OnDate, src.OnDate.AddDate(0, 0, 21))
	if err != nil {
		return uuid.Nil, err
	}
	for _, l := range lessons {
		if l.Taught() && l.Subject.Code == src.SubjectCode && l.HasTeacher(a.PersonID) {
			f.Slot, f.Date = l.SlotID.String(), l.Date.Format(dateLayout)
			break
		}
	}
	var work []Work
	for _, w := range src.Work {
		if w.TeacherID == a.PersonID {
			work = append(work, w)
		}
	}
	workFiles, err := s.filesOfWork(ctx, t, work)
	if err != nil {
		return uuid.Nil, err
	}
	copied, err := s.SaveSession(ctx, t, a, uuid.Nil, f, false)
	var errs FormErrors
	if errors.As(err, &errs) {
		for _, m := range errs {
			return uuid.Nil, fault.Invalidf("classe", "Copier vers : %s", m)
		}
	}
	if err != nil {
		return uuid.Nil, err
	}
	if err := s.copyContents(ctx, t, a, copied, src.Files, work, workFiles); err != nil {
		// The séance copied alone would be half a copy: it goes (its rows with it).
		return uuid.Nil, errors.Join(err, s.DeleteSession(ctx, t, a, copied))
	}
	return copied, nil
}

// filesOfWork are the attachments of work, by piece of work.
func (s *Service) filesOfWork(ctx context.Context, t *tenant.Tenant, work []Work) (map[uuid.UUID][]File, error) {
	out := map[uuid.UUID][]File{}
	if len(work) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(work))
	for i, w := range work {
		ids[i] = w.ID
	}
	var fs []File
	if err := s.read(ctx, t, func(st store) (err error) { fs, err = st.filesOf("work_id", ids); return err }); err != nil {
		return nil, err
	}
	for _, f := range fs {
		out[*f.WorkID] = append(out[*f.WorkID], f)
	}
	return out, nil
}

// copyContents writes into the copied séance copies of the work set in the original and of
// the attachments of both, in one transaction once the attachments' blobs are copied.
func (s *Service) copyContents(ctx context.Context, t *tenant.Tenant, a Actor, copied uuid.UUID, sessionFiles []File, work []Work, workFiles map[uuid.UUID][]File) error {
	if len(work) == 0 && len(sessionFiles) == 0 {
		return nil
	}
	target, err := s.Session(ctx, t, a, copied)
	if err != nil {
		return err
	}
	now := s.now()
	after := at(target.OnDate, target.Ends) // « la prochaine séance » is the next lesson after the copy
	publish := now
	if target.PublishAt.After(now) {
		publish = target.PublishAt
	}
	rows := make([]workRow, len(work))
	var originals []File // the files to copy, in the order of their new rows
	var owners []File    // the new rows, without their keys yet
	for _, fl := range sessionFiles {
		originals = append(originals, fl)
		owners = append(owners, File{ID: uuid.New(), SessionID: &copied})
	}
	for i, w := range work {
		due, next := w.DueOn, false
		if w.NextLesson {
			d, ok, err := s.nextLesson(ctx, t, target.ClassID, target.SubjectCode, after)
			if err != nil {
				return err
			}
			if ok {
				due, next = d, true
			}
		}
		rows[i] = workRow{ID: uuid.New(), SessionID: &copied, ClassID: target.ClassID, SubjectCode: target.SubjectCode, TeacherID: a.PersonID,
			Kind: w.Kind, Description: w.Description, DescriptionHTML: w.DescriptionHTML, DueOn: due, NextLesson: next, Minutes: w.Minutes,
			PublishAt: publish, Submission: w.Submission, CreatedAt: now, UpdatedAt: now}
		for _, fl := range workFiles[w.ID] {
			originals = append(originals, fl)
			owners = append(owners, File{ID: uuid.New(), WorkID: &rows[i].ID})
		}
	}
	record := func(stored []files.Stored) error {
		return s.write(ctx, t, func(st store) error {
			for i := range rows {
				if err := st.tx.Create(&rows[i]).Error; err != nil {
					return fmt.Errorf("cahier: copy work: %w", err)
				}
			}
			for i, c := range stored {
				f := owners[i]
				f.Key, f.Name, f.ContentType, f.Size, f.SHA256, f.CreatedAt = c.Key, c.Name, c.ContentType, c.Size, c.SHA256, now
				if err := st.tx.Create(&f).Error; err != nil {
					return fmt.Errorf("cahier: copy file: %w", err)
				}
			}
			return nil
		})
	}
	if len(originals) == 0 {
		return record(nil)
	}
	if s.files == nil {
		return errNoStore
	}
	src := make([]files.Stored, len(originals))
	for i, fl := range originals {
		src[i] = fl.stored()
	}
	return s.files.Copying(ctx, t, src, "classe", record)
}
