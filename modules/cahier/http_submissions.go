package cahier

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// handInBlock is the work page's « Rendre mon travail » part: the pupil's own submission
// and form, a guardian's children's submissions, the teacher's link to the hand-ins.
type handInBlock struct {
	Expected Expected
	Pupil    bool        // the viewer hands in
	Own      *Submission // the pupil's, nil: none yet
	Text     string      // the form's text (a refused form keeps it)
	Errors   FormErrors
	Children []Submission // a guardian's children's
	Guardian bool         // the viewer is a legal guardian (their children's hand-ins)
	Teacher  bool         // the viewer sees the hand-ins
	Count    int          // the teacher's: handed in
	Of       int          // of so many pupils
	Late     bool         // the due date has passed: a hand-in now is late
	Max      string
	Accepted string
}

// handIn fills the block of work w for the viewer; refused is a refused hand-in's form.
func (h *Handler) handIn(c echo.Context, w Work, refused *handInBlock) (*handInBlock, error) {
	if !w.Submission.Asks() {
		return nil, nil
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	b := &handInBlock{Expected: w.Submission, Late: !h.svc.now().Before(deadline(w.DueOn)),
		Max: fault.ByteSize(portfolio.MaxFileBytes), Accepted: portfolio.Documents.Accepted()}
	if refused != nil {
		b.Text, b.Errors = refused.Text, refused.Errors
	}
	switch {
	case a.can(PermTick):
		_, own, err := h.svc.OwnSubmission(ctx, t, a, w.ID)
		if err != nil {
			return nil, err
		}
		b.Pupil, b.Own = true, own
		if own != nil && refused == nil {
			b.Text = own.Text
		}
	case a.Writes():
		if subs, err := h.svc.WorkSubmissions(ctx, t, a, w.ID); err == nil {
			b.Teacher, b.Count, b.Of = true, subs.Count, len(subs.Pupils)
		} else if !errors.Is(err, fault.ErrNotFound) {
			return nil, err
		}
	case identity.ViewerOf(c).Has(identity.RoleResponsable):
		kids, err := h.svc.ChildrenSubmissions(ctx, t, a, w.ID)
		if err != nil {
			return nil, err
		}
		b.Guardian, b.Children = true, kids
	}
	return b, nil
}

// handInWork is the pupil's « Rendre mon travail »: their text and files, then back to the work.
func (h *Handler) handInWork(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	sent, err := files.FormFiles(c, "fichiers", portfolio.MaxFileBytes, "envoi trop volumineux : les fichiers doivent faire "+fault.ByteSize(portfolio.MaxFileBytes)+" au plus en tout")
	var inv *fault.Invalid
	var big *fault.Message
	if errors.As(err, &big) && errors.Is(err, fault.ErrTooLarge) { // nothing was read: the text is lost with the body
		return h.workViewWith(c, id, http.StatusRequestEntityTooLarge, "", &handInBlock{Errors: FormErrors{"fichiers": "Fichiers : " + big.Text + "."}})
	}
	if err != nil {
		return err
	}
	text := c.FormValue("texte")
	_, err = h.svc.HandIn(c.Request().Context(), web.TenantOf(c), requestActor(c), id, text, sent)
	var errs FormErrors
	if errors.As(err, &errs) {
		return h.workViewWith(c, id, http.StatusUnprocessableEntity, "", &handInBlock{Text: text, Errors: errs})
	}
	if errors.As(err, &inv) { // the establishment's space is full
		return h.workViewWith(c, id, http.StatusUnprocessableEntity, "", &handInBlock{Text: text, Errors: FormErrors{"fichiers": "Fichiers : " + inv.Message}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cahier/travail/"+id.String()+"?ok=rendu#rendu")
}

// workSubmissions is the teacher's list of a piece of work's hand-ins.
func (h *Handler) workSubmissions(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	subs, err := h.svc.WorkSubmissions(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "submission_list.html", "Travaux rendus : "+subs.Work.SubjectLabel+", "+subs.Work.ClassLabel,
		map[string]any{"Subs": subs, "Notice": notice(c.QueryParam("ok"))})
}

// submissionPage is one submission: the pupil's, a guardian's (read-only), the teacher's with
// the return form.
type submissionPage struct {
	View   *SubmissionView
	Form   ReturnForm
	Errors FormErrors
	Notice string
}

func (h *Handler) submission(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return h.submissionView(c, id, http.StatusOK, nil, nil)
}

func (h *Handler) submissionView(c echo.Context, id uuid.UUID, status int, f *ReturnForm, errs FormErrors) error {
	v, err := h.svc.SubmissionByID(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	pg := submissionPage{View: v, Errors: errs, Notice: notice(c.QueryParam("ok"))}
	if f != nil {
		pg.Form = *f
	} else {
		pg.Form = ReturnForm{Comment: v.Submission.Comment}
	}
	return page(c, status, "submission.html", "Travail rendu par "+v.Submission.Pupil, pg)
}

// returnSubmission is the teacher's « Rendre corrigé ».
func (h *Handler) returnSubmission(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	f := ReturnForm{Comment: c.FormValue("commentaire"), Mark: c.FormValue("note")}
	err = h.svc.Return(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f)
	var errs FormErrors
	if errors.As(err, &errs) {
		return h.submissionView(c, id, http.StatusUnprocessableEntity, &f, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cahier/rendus/"+id.String()+"?ok=corrige")
}

// submissionFile serves a file of a submission to whoever reads the submission.
func (h *Handler) submissionFile(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	file, err := uuid.Parse(c.Param("file"))
	if err != nil {
		return notFound("fichier")
	}
	f, fc, err := h.svc.SubmissionFile(c.Request().Context(), web.TenantOf(c), requestActor(c), id, file)
	if err != nil {
		return err
	}
	return files.Serve(c, fc, files.Image(f.ContentType))
}
