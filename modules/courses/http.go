package courses

import (
	"embed"
	"errors"
	"html/template"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are courses' pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves courses on the establishments' host.
type Handler struct{ svc *Service }

// NewHandler wires courses' HTTP side.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// uploadLimit is the file form's largest body: the file and the form's few fields.
const uploadLimit = MaxFileBytes + 64<<10

func render(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

func requestActor(c echo.Context) Actor { return ActorOf(identity.ViewerOf(c)) }

func paramID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "introuvable")
	}
	return id, nil
}

// notice is the confirmation shown after a redirect (?ok=…).
func notice(code string) string {
	return map[string]string{
		"cree": "Le cours a été créé : ajoutez ses sections et ses pages.", "enregistre": "Le cours a été enregistré.",
		"publie": "Le cours a été publié : ses classes et groupes le voient.", "retire": "Le cours n'est plus publié : c'est un brouillon.",
		"copie": "La copie a été créée comme brouillon.", "supprime": "Le cours a été supprimé.", "plan": "Le plan du cours a été mis à jour.",
		"page": "La page a été mise à jour.", "coauteur": "Les co-auteurs ont été mis à jour.", "oubli": "Votre progression dans ce cours a été effacée.",
	}[code]
}

// list is the reader's page: a pupil's courses (with « Reprendre »), a guardian's chooser of
// their children, the direction's every course, a teacher's own.
func (h *Handler) list(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	if a.Guardian() && !a.Pupil() && !a.ReadsAll() && !a.Writes() {
		kids, err := h.svc.Children(ctx, t, a)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, "courses_children.html", "Cours", map[string]any{"Children": kids})
	}
	cs, err := h.svc.List(ctx, t, a)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "courses_list.html", "Cours", map[string]any{"Courses": cs, "Pupil": a.Pupil(), "Writes": a.Writes()})
}

// child is a guardian's page of one child's courses, read-only.
func (h *Handler) child(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	kid, cs, err := h.svc.ChildCourses(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "courses_child.html", "Cours de "+kid.FirstName+" "+kid.LastName, map[string]any{"Child": kid, "Courses": cs})
}

func (h *Handler) manage(c echo.Context) error {
	cs, err := h.svc.Managed(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "courses_manage.html", "Mes cours", map[string]any{"Courses": cs, "Notice": notice(c.QueryParam("ok"))})
}

// show is a course's outline as its readers see it; a pupil sees their own progress.
func (h *Handler) show(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	a := requestActor(c)
	co, err := h.svc.Course(c.Request().Context(), web.TenantOf(c), a, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "courses_course.html", co.Title, map[string]any{"Course": co, "Pupil": a.Pupil() && !co.Edits,
		"Notice": notice(c.QueryParam("ok")), "Resume": resumeTitle(co)})
}

// resumeTitle is the title of the pupil's last opened page, "" if none.
func resumeTitle(co Course) string {
	for _, s := range co.Sections {
		for _, p := range s.Pages {
			if p.ID == co.ResumePage {
				return p.Title
			}
		}
	}
	return ""
}

// page is a page of a course as its readers see it.
func (h *Handler) page(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.svc.Page(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "courses_page.html", v.Page.Title+" — "+v.Course.Title, map[string]any{"View": v, "Blocks": shownBlocks(v)})
}

// shownBlock is a block with its text as HTML, sanitised when it was saved (markdown.go), or
// its exercise as the reader sees it.
type shownBlock struct {
	Block
	HTML     template.HTML
	Exercise *ExerciseView
}

func shownBlocks(v PageView) []shownBlock {
	out := make([]shownBlock, len(v.Blocks))
	for i, b := range v.Blocks {
		out[i] = shownBlock{Block: b, HTML: template.HTML(b.BodyHTML)} // #nosec: sanitised when saved
		if e, ok := v.Exercises[b.ID]; ok {
			out[i].Exercise = &e
		}
	}
	return out
}

// formPage is the course form's data (new and edit).
type formPage struct {
	Action   string
	New      bool
	Form     CourseForm
	Errors   FormErrors
	Classes  []Choice
	Subjects []Subject
	Course   Course
}

// Checked tells whether the form chose class id.
func (p formPage) Checked(id uuid.UUID) bool {
	for _, c := range p.Form.Classes {
		if c == id.String() {
			return true
		}
	}
	return false
}

func (h *Handler) renderForm(c echo.Context, status int, co Course, f CourseForm, errs FormErrors) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	classes, subjects, err := h.svc.Choices(ctx, t)
	if err != nil {
		return err
	}
	pg := formPage{Action: "/cours/nouveau", New: co.ID == uuid.Nil, Form: f, Errors: errs, Subjects: subjects, Course: co}
	year := co.SchoolYear
	if pg.New { // a new course is of the current year
		years, err := h.svc.Years(ctx, t)
		if err != nil {
			return err
		}
		year = years[0]
	}
	for _, cl := range classes {
		if cl.SchoolYear == year {
			pg.Classes = append(pg.Classes, cl)
		}
	}
	title := "Nouveau cours"
	if !pg.New {
		title, pg.Action = "Modifier le cours", "/cours/"+co.ID.String()+"/modifier"
	}
	return render(c, status, "courses_form.html", title, pg)
}

func courseForm(c echo.Context) CourseForm {
	f := CourseForm{Title: c.FormValue("titre"), Description: c.FormValue("description"), Subject: c.FormValue("matiere")}
	if form, err := c.FormParams(); err == nil {
		f.Classes = form["classes"]
	}
	return f
}

func (h *Handler) newForm(c echo.Context) error {
	return h.renderForm(c, http.StatusOK, Course{}, CourseForm{}, nil)
}

func (h *Handler) create(c echo.Context) error {
	f := courseForm(c)
	id, err := h.svc.Create(c.Request().Context(), web.TenantOf(c), requestActor(c), f)
	var errs FormErrors
	if errors.As(err, &errs) {
		return h.renderForm(c, http.StatusUnprocessableEntity, Course{}, f, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cours/"+id.String()+"/plan?ok=cree")
}

func (h *Handler) editForm(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	co, err := h.svc.Editable(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return h.renderForm(c, http.StatusOK, co, FormOf(co), nil)
}

func (h *Handler) edit(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	f := courseForm(c)
	err = h.svc.Update(ctx, t, a, id, f)
	var errs FormErrors
	if errors.As(err, &errs) {
		co, err := h.svc.Editable(ctx, t, a, id)
		if err != nil {
			return err
		}
		return h.renderForm(c, http.StatusUnprocessableEntity, co, f, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cours/"+id.String()+"/plan?ok=enregistre")
}

// download serves an image inline (its page shows it) or a document as a download, with
// the type stored when it was checked.
func (h *Handler) download(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	b, fc, err := h.svc.Download(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return files.Serve(c, fc, b.Kind == Image)
}

// forget erases the pupil's own progress in a course.
func (h *Handler) forget(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.ForgetProgress(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cours/"+id.String()+"?ok=oubli")
}
