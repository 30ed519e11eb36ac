package attendance

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// declarationView is a declaration as the family's and the vie scolaire's pages show it.
type declarationView struct {
	ID, Pupil, PupilHref, Class, When, Guardian, Motif, Comment, State, Answer, AnsweredBy, At string
	Waiting                                                                                    bool
	Files                                                                                      []fileView
}

func declarationViews(ds []Declaration) []declarationView {
	var out []declarationView
	for _, d := range ds {
		out = append(out, declarationView{ID: d.ID.String(), Pupil: d.Pupil, PupilHref: "/absences/eleves/" + d.PupilID.String(), Class: d.ClassLabel,
			When: frLongDay(d.Date) + ", " + d.When(), Guardian: d.Guardian, Motif: d.Motif, Comment: d.Comment, State: d.StateLabel(),
			Answer: d.Answer, AnsweredBy: d.AnsweredBy, At: frTime(d.CreatedAt), Waiting: d.Waiting(), Files: fileViews(d.Files)})
	}
	return out
}

// declarations is the family's page of absences declared in advance, with the form.
func (h *Handler) declarations(c echo.Context) error {
	return h.renderDeclarations(c, http.StatusOK, DeclarationForm{Span: "journee", Pupil: c.QueryParam("eleve")}, nil)
}

func (h *Handler) renderDeclarations(c echo.Context, status int, f DeclarationForm, errs FormErrors) error {
	pg, err := h.svc.Declarations(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	v := struct {
		Children               []childRef
		Motifs                 []Motif
		Declarations           []declarationView
		Form                   DeclarationForm
		Errors                 FormErrors
		Notice, Today, MaxFile string
	}{Children: pg.Children, Motifs: pg.Motifs, Declarations: declarationViews(pg.Declarations), Form: f, Errors: errs,
		Notice: notice(c.QueryParam("ok")), Today: h.svc.Today().Format(dateLayout), MaxFile: MaxFileText}
	return render(c, status, "attendance_declare.html", "Signaler une absence à venir", v)
}

// declare records a declaration and goes back to the list.
func (h *Handler) declare(c echo.Context) error {
	file, err := formUpload(c, "piece")
	if err != nil {
		return err
	}
	f := DeclarationForm{Pupil: c.FormValue("eleve"), Date: c.FormValue("date"), Span: c.FormValue("periode"), From: c.FormValue("debut"),
		To: c.FormValue("fin"), Motif: c.FormValue("motif"), Comment: c.FormValue("commentaire"), File: file}
	_, err = h.svc.Declare(c.Request().Context(), web.TenantOf(c), requestActor(c), f)
	var errs FormErrors
	if errors.As(err, &errs) {
		return h.renderDeclarations(c, http.StatusUnprocessableEntity, f, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/absences/signalements?ok=signalement")
}

// confirmCancel asks before a declaration is cancelled.
func (h *Handler) confirmCancel(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Declaration(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	v := declarationViews([]Declaration{d})[0]
	return render(c, http.StatusOK, "attendance_cancel.html", "Annuler un signalement d'absence", v)
}

// cancel deletes a declaration not yet answered.
func (h *Handler) cancel(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.CancelDeclaration(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/absences/signalements?ok=annulation")
}

// answerDeclaration accepts or refuses a declaration (vie scolaire).
func (h *Handler) answerDeclaration(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var accept bool
	switch c.FormValue("decision") {
	case "accepter":
		accept = true
	case "refuser":
	default:
		return fault.Invalidf("decision", "choisissez d'accepter ou de refuser le signalement")
	}
	if err := h.svc.AnswerDeclaration(c.Request().Context(), web.TenantOf(c), requestActor(c), id, accept, c.FormValue("commentaire")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/vie-scolaire?ok=reponse")
}
