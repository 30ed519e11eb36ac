package courses

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The authors' pages: the outline (sections, pages, publication, co-authors), a page's
// blocks, copy and deletion. A refused field re-renders its page with the message.

// outlinePage is the outline editor's data.
type outlinePage struct {
	Course   Course
	Teachers []Person
	Errors   FormErrors
	Notice   string
	IsAuthor bool
}

func (h *Handler) renderOutline(c echo.Context, status int, id uuid.UUID, errs FormErrors) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	co, err := h.svc.Editable(ctx, t, a, id)
	if err != nil {
		return err
	}
	teachers, err := h.svc.Teachers(ctx, t)
	if err != nil {
		return err
	}
	var others []Person
	for _, p := range teachers {
		if p.ID != co.AuthorID {
			others = append(others, p)
		}
	}
	return render(c, status, "courses_outline.html", "Plan du cours « "+co.Title+" »", outlinePage{Course: co, Teachers: others, Errors: errs,
		Notice: notice(c.QueryParam("ok")), IsAuthor: co.AuthorID == a.PersonID})
}

func (h *Handler) outline(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return h.renderOutline(c, http.StatusOK, id, nil)
}

// refused re-renders a page with a field's message when err is a refused field, else
// returns err (nil: done).
func refused(err error, again func(FormErrors) error) (bool, error) {
	var inv *fault.Invalid
	var errs FormErrors
	switch {
	case errors.As(err, &errs):
		return true, again(errs)
	case errors.As(err, &inv):
		return true, again(FormErrors{inv.Field: inv.Message})
	}
	return false, err
}

// onOutline runs a change of course id's outline and goes back to it (#anchor).
func (h *Handler) onOutline(c echo.Context, course uuid.UUID, anchor string, err error) error {
	if done, err := refused(err, func(errs FormErrors) error { return h.renderOutline(c, http.StatusUnprocessableEntity, course, errs) }); done || err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cours/"+course.String()+"/plan?ok=plan"+anchor)
}

func (h *Handler) publish(c echo.Context) error   { return h.setPublished(c, true) }
func (h *Handler) unpublish(c echo.Context) error { return h.setPublished(c, false) }

func (h *Handler) setPublished(c echo.Context, publish bool) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	err = h.svc.SetPublished(c.Request().Context(), web.TenantOf(c), requestActor(c), id, publish)
	if done, err := refused(err, func(errs FormErrors) error { return h.renderOutline(c, http.StatusUnprocessableEntity, id, errs) }); done || err != nil {
		return err
	}
	ok := "publie"
	if !publish {
		ok = "retire"
	}
	return c.Redirect(http.StatusSeeOther, "/cours/"+id.String()+"/plan?ok="+ok)
}

func (h *Handler) addSection(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sec, err := h.svc.AddSection(c.Request().Context(), web.TenantOf(c), requestActor(c), id, c.FormValue("section"))
	return h.onOutline(c, id, "#s-"+sec.String(), err)
}

func (h *Handler) addPage(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	_, course, err := h.svc.AddPage(c.Request().Context(), web.TenantOf(c), requestActor(c), id, c.FormValue("page"))
	if course == uuid.Nil {
		return cmpErr(err, fault.New(fault.ErrNotFound, "section introuvable"))
	}
	return h.onOutline(c, course, "#s-"+id.String(), err)
}

// rename renames a section (in the outline) or a page (in its editor).
func (h *Handler) rename(o Outline) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		course, err := h.svc.Rename(c.Request().Context(), web.TenantOf(c), requestActor(c), o, id, c.FormValue("titre"))
		switch {
		case o == Pages:
			return h.onPage(c, id, "", err)
		case course == uuid.Nil:
			return cmpErr(err, fault.New(fault.ErrNotFound, "section introuvable"))
		}
		return h.onOutline(c, course, "#s-"+id.String(), err)
	}
}

// move moves a section or page (back to the outline) or a block (back to its page).
func (h *Handler) move(o Outline, up bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		it, err := h.svc.Move(c.Request().Context(), web.TenantOf(c), requestActor(c), o, id, up)
		return h.afterChange(c, o, id, it, err)
	}
}

func (h *Handler) remove(o Outline) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		it, err := h.svc.Remove(c.Request().Context(), web.TenantOf(c), requestActor(c), o, id)
		if err == nil && o != Blocks {
			return c.Redirect(http.StatusSeeOther, "/cours/"+it.CourseID.String()+"/plan?ok=plan")
		}
		return h.afterChange(c, o, id, it, err)
	}
}

func (h *Handler) afterChange(c echo.Context, o Outline, id uuid.UUID, it item, err error) error {
	if err != nil {
		return err
	}
	switch o {
	case Blocks:
		return c.Redirect(http.StatusSeeOther, "/cours/pages/"+it.ParentID.String()+"/modifier?ok=page#b-"+id.String())
	case Pages:
		return c.Redirect(http.StatusSeeOther, "/cours/"+it.CourseID.String()+"/plan?ok=plan#p-"+id.String())
	}
	return c.Redirect(http.StatusSeeOther, "/cours/"+it.CourseID.String()+"/plan?ok=plan#s-"+id.String())
}

// pageEditor is a page editor's data.
type pageEditor struct {
	View     PageView
	Blocks   []shownBlock
	Errors   FormErrors
	Notice   string
	Accepted string
	Block    BlockForm        // the add form, kept when refused
	Choices  []ExerciseChoice // the assignments an exercise block may show
	Plugged  bool             // the exercises are there (else no exercise form)
}

func (h *Handler) renderPage(c echo.Context, status int, id uuid.UUID, errs FormErrors, f BlockForm) error {
	v, err := h.svc.EditablePage(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	choices, err := h.svc.ExerciseChoices(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return render(c, status, "courses_page_edit.html", "Modifier la page « "+v.Page.Title+" »", pageEditor{View: v, Blocks: shownBlocks(v), Errors: errs,
		Notice: notice(c.QueryParam("ok")), Accepted: AcceptedText, Block: f, Choices: choices, Plugged: h.svc.exercises != nil})
}

func (h *Handler) editPage(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return h.renderPage(c, http.StatusOK, id, nil, BlockForm{Kind: string(Text)})
}

// onPage goes back to page id's editor after a change, or shows it with what is wrong.
func (h *Handler) onPage(c echo.Context, id uuid.UUID, anchor string, err error) error {
	return h.onPageForm(c, id, anchor, err, BlockForm{Kind: string(Text)})
}

func (h *Handler) onPageForm(c echo.Context, id uuid.UUID, anchor string, err error, f BlockForm) error {
	if done, err := refused(err, func(errs FormErrors) error { return h.renderPage(c, http.StatusUnprocessableEntity, id, errs, f) }); done || err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cours/pages/"+id.String()+"/modifier?ok=page"+anchor)
}

func blockForm(c echo.Context) BlockForm {
	return BlockForm{Kind: c.FormValue("type"), Body: c.FormValue("texte"), URL: c.FormValue("adresse"), Label: c.FormValue("titre-lien"), Assignment: c.FormValue("affectation")}
}

func (h *Handler) addBlock(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	f := blockForm(c)
	b, err := h.svc.AddBlock(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f)
	return h.onPageForm(c, id, "#b-"+b.ID.String(), err, f)
}

func (h *Handler) attach(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	u := Upload{Alt: c.FormValue("alt")}
	sent, err := files.FormFile(c, "fichier", MaxFileBytes, "envoi trop volumineux : le fichier doit faire "+fault.ByteSize(MaxFileBytes)+" au plus")
	if err != nil {
		return err
	}
	if sent != nil {
		u.Name, u.Data = sent.Name, sent.Data
	}
	b, err := h.svc.Attach(c.Request().Context(), web.TenantOf(c), requestActor(c), id, u)
	return h.onPage(c, id, "#b-"+b.ID.String(), err)
}

func (h *Handler) renderBlock(c echo.Context, status int, b Block, f BlockForm, errs FormErrors) error {
	return render(c, status, "courses_block_form.html", "Modifier le bloc", map[string]any{"Block": b, "Form": f, "Errors": errs})
}

func (h *Handler) blockForm(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	b, err := h.svc.Block(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return h.renderBlock(c, http.StatusOK, b, BlockForm{Kind: string(b.Kind), Body: b.Body, URL: b.URL, Label: b.Label}, nil)
}

func (h *Handler) editBlock(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	f := blockForm(c)
	page, err := h.svc.UpdateBlock(ctx, t, a, id, f)
	if done, err := refused(err, func(errs FormErrors) error {
		b, err := h.svc.Block(ctx, t, a, id)
		if err != nil {
			return err
		}
		f.Kind = string(b.Kind)
		return h.renderBlock(c, http.StatusUnprocessableEntity, b, f, errs)
	}); done || err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cours/pages/"+page.String()+"/modifier?ok=page#b-"+id.String())
}

func (h *Handler) addCoauthor(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	err = h.svc.AddCoauthor(c.Request().Context(), web.TenantOf(c), requestActor(c), id, c.FormValue("coauteur"))
	return h.onOutline(c, id, "#coauteurs", err)
}

func (h *Handler) removeCoauthor(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	person, err := paramID(c, "person")
	if err != nil {
		return err
	}
	a := requestActor(c)
	if err := h.svc.RemoveCoauthor(c.Request().Context(), web.TenantOf(c), a, id, person); err != nil {
		return err
	}
	if person == a.PersonID { // a co-author who left no longer edits it
		return c.Redirect(http.StatusSeeOther, "/cours/gestion?ok=coauteur")
	}
	return c.Redirect(http.StatusSeeOther, "/cours/"+id.String()+"/plan?ok=coauteur#coauteurs")
}

func (h *Handler) renderCopy(c echo.Context, status int, id uuid.UUID, f CopyForm, errs FormErrors) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	co, err := h.svc.Editable(ctx, t, requestActor(c), id)
	if err != nil {
		return err
	}
	years, err := h.svc.Years(ctx, t)
	if err != nil {
		return err
	}
	classes, _, err := h.svc.Choices(ctx, t)
	if err != nil {
		return err
	}
	if f.Year == "" {
		f.Year = years[0]
	}
	chosen := map[string]bool{}
	for _, c := range f.Classes {
		chosen[c] = true
	}
	return render(c, status, "courses_copy.html", "Copier le cours « "+co.Title+" »", map[string]any{"Course": co, "Years": years, "Classes": classes,
		"Form": f, "Chosen": chosen, "Errors": errs})
}

func (h *Handler) copyForm(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return h.renderCopy(c, http.StatusOK, id, CopyForm{}, nil)
}

func (h *Handler) copy(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	f := CopyForm{Year: c.FormValue("annee")}
	if form, err := c.FormParams(); err == nil {
		f.Classes = form["classes"]
	}
	copied, err := h.svc.Copy(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f)
	if done, err := refused(err, func(errs FormErrors) error { return h.renderCopy(c, http.StatusUnprocessableEntity, id, f, errs) }); done || err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cours/"+copied.String()+"/plan?ok=copie")
}

func (h *Handler) confirmDelete(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	co, err := h.svc.Editable(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "courses_delete.html", "Supprimer le cours", co)
}

func (h *Handler) delete(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cours/gestion?ok=supprime")
}
