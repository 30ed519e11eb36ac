package portfolio

import (
	"embed"
	"errors"
	"net/http"
	"net/url"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the portfolio's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// uploadLimit is the document form's largest body: the file and the form's few fields.
const uploadLimit = MaxFileBytes + 64<<10

func page(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

func requestActor(c echo.Context) Actor { return ActorOf(identity.ViewerOf(c)) }

func paramID(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, notFound("page")
	}
	return id, nil
}

// bookPage is the data of a portfolio's page.
type bookPage struct {
	Book     *Book
	Subjects []SubjectChoice // the document form's choices (the pupil's own page)
	Usage    Usage
	Form     documentForm
	Error    *fault.Invalid
	Notice   string
	Max      string
}

type documentForm struct{ Title, Subject string }

// home is the portfolio's entry: the pupil's own, a guardian's children, or a teacher's classes.
func (h *Handler) home(c echo.Context) error {
	v := identity.ViewerOf(c)
	switch {
	case v.Has(identity.RoleEleve):
		return h.ownPage(c, http.StatusOK, documentForm{}, nil)
	case v.Has(identity.RoleResponsable):
		kids, err := h.svc.Children(c.Request().Context(), web.TenantOf(c), requestActor(c))
		if err != nil {
			return err
		}
		return page(c, http.StatusOK, "portfolio_children.html", "Portfolios", map[string]any{"Children": kids})
	case v.Can(PermTeach):
		return c.Redirect(http.StatusSeeOther, "/portfolio/classes")
	}
	return notFound("portfolio")
}

// ownPage is the pupil's portfolio with its document form (a refusal said next to its field).
func (h *Handler) ownPage(c echo.Context, status int, f documentForm, refused *fault.Invalid) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	b, subjects, u, err := h.svc.Own(ctx, t, a, yearParam(c))
	if err != nil {
		return err
	}
	return page(c, status, "portfolio_book.html", "Mon portfolio", bookPage{Book: b, Subjects: subjects, Usage: u, Form: f, Error: refused,
		Notice: notice(c.QueryParam("ok")), Max: fault.ByteSize(MaxFileBytes)})
}

// yearParam is the year a portfolio page shows (« annee »; none: the current year). Anything
// but a year's code finds nothing.
func yearParam(c echo.Context) string {
	y := c.QueryParam("annee")
	if y == AllYears {
		return "?"
	}
	return y
}

func notice(code string) string {
	switch code {
	case "ajoute":
		return "Le document a été ajouté à votre portfolio."
	case "supprime":
		return "Le document a été supprimé de votre portfolio."
	case "visibilite":
		return "C'est enregistré : vos professeurs de cette année voient les éléments cochés, et eux seuls."
	}
	return ""
}

// pupil is another pupil's portfolio: a guardian's child, a teacher's pupil.
func (h *Handler) pupil(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	a := requestActor(c)
	if id == a.PersonID {
		to := "/portfolio"
		if y := c.QueryParam("annee"); y != "" {
			to += "?" + url.Values{"annee": {y}}.Encode()
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
	b, err := h.svc.Portfolio(c.Request().Context(), web.TenantOf(c), a, id, yearParam(c))
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "portfolio_book.html", "Portfolio de "+b.Name(), bookPage{Book: b})
}

// classes is a teacher's « Portfolios » page: their classes' pupils this year.
func (h *Handler) classes(c echo.Context) error {
	cls, err := h.svc.TeacherClasses(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "portfolio_classes.html", "Portfolios", map[string]any{"Classes": cls})
}

// readDocument reads the document form (multipart: titre, matiere, fichier).
func readDocument(c echo.Context) (NewDocument, error) {
	sent, err := files.FormFile(c, FieldFile, MaxFileBytes, "envoi trop volumineux : le document doit faire "+fault.ByteSize(MaxFileBytes)+" au plus")
	if err != nil {
		return NewDocument{}, err
	}
	d := NewDocument{Title: c.FormValue(FieldTitle), SubjectCode: c.FormValue(FieldSubject)}
	if sent != nil {
		d.FileName, d.Data = sent.Name, sent.Data
	}
	return d, nil
}

func (h *Handler) addDocument(c echo.Context) error {
	d, err := readDocument(c)
	if err != nil {
		return err
	}
	_, err = h.svc.AddDocument(c.Request().Context(), web.TenantOf(c), requestActor(c), d)
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return h.ownPage(c, http.StatusUnprocessableEntity, documentForm{Title: d.Title, Subject: d.SubjectCode}, inv)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/portfolio?ok=ajoute")
}

func (h *Handler) confirmDelete(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	it, err := h.svc.Document(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "portfolio_delete.html", "Supprimer « "+it.Title+" » ?", map[string]any{"Item": it})
}

func (h *Handler) deleteDocument(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteDocument(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/portfolio?ok=supprime")
}

// visibility saves which items of a year (field annee) the pupil shows their teachers: the
// ticked ones (fields visible), the others hidden.
func (h *Handler) visibility(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return fault.Wrap(fault.ErrInvalid, err, "formulaire illisible : rechargez la page et recommencez")
	}
	var shown []uuid.UUID
	for _, v := range form["visible"] {
		id, err := uuid.Parse(v)
		if err != nil {
			return fault.Invalidf("visible", "élément du portfolio illisible : rechargez la page et recommencez")
		}
		shown = append(shown, id)
	}
	year := form.Get("annee")
	if err := h.svc.SetYearVisible(c.Request().Context(), web.TenantOf(c), requestActor(c), year, shown); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/portfolio?"+url.Values{"annee": {year}, "ok": {"visibilite"}}.Encode())
}

// download serves an item's file with the type stored when it was checked: images inline,
// others as downloads.
func (h *Handler) download(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	f, fc, err := h.svc.Download(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return files.Serve(c, fc, files.Image(f.ContentType))
}
