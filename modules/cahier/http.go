package cahier

import (
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the cahier's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves the cahier de textes on the establishments' host.
type Handler struct{ svc *Service }

// NewHandler wires the cahier's HTTP side.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

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

// weekOf reads ?semaine=aaaa-mm-jj as the Monday of that week (default: this week).
func (h *Handler) weekOf(c echo.Context) time.Time {
	if d, ok := parseDate(c.QueryParam("semaine")); ok {
		return timetable.Monday(d)
	}
	return timetable.Monday(h.svc.Today())
}

// html is sanitised HTML from the database (rendered and sanitised when saved, markdown.go).
func html(s string) template.HTML { return template.HTML(s) } // #nosec: sanitised when saved

// weekDay is a day of a pupil's week with its séances and the work due that day.
type weekDay struct {
	Date     string
	Sessions []Session
	Work     []Work
}

// home is the cahier's entry: a pupil's week, a guardian's children, or the classes a
// member of staff reads.
func (h *Handler) home(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	v := identity.ViewerOf(c)
	switch {
	case v.Has(identity.RoleEleve):
		monday := h.weekOf(c)
		w, err := h.svc.PupilWeek(ctx, t, a, a.PersonID, monday)
		if err != nil {
			return err
		}
		subjects, err := h.svc.PupilSubjects(ctx, t, a, a.PersonID)
		if err != nil {
			return err
		}
		days := make([]weekDay, 7)
		for i := range days {
			days[i].Date = frDay(monday.AddDate(0, 0, i))
		}
		for _, se := range w.Sessions {
			i := int(se.OnDate.Sub(monday).Hours() / 24)
			days[i].Sessions = append(days[i].Sessions, se)
		}
		for _, wk := range w.Work {
			i := int(wk.DueOn.Sub(monday).Hours() / 24)
			days[i].Work = append(days[i].Work, wk)
		}
		return page(c, http.StatusOK, "cahier_week.html", "Cahier de textes", map[string]any{
			"Days": days, "Me": a.PersonID, "Subjects": subjects, "Week": frDay(monday),
			"Prev": monday.AddDate(0, 0, -7).Format(dateLayout), "Next": monday.AddDate(0, 0, 7).Format(dateLayout), "HTML": html})
	case v.Has(identity.RoleResponsable) && !a.Browses() && !a.Writes():
		kids, err := h.svc.Children(ctx, t, a)
		if err != nil {
			return err
		}
		return page(c, http.StatusOK, "cahier_children.html", "Cahier de textes", map[string]any{"Children": kids})
	}
	classes, err := h.svc.Classes(ctx, t, a)
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "cahier_classes.html", "Cahiers de textes", map[string]any{"Classes": classes, "Writes": a.Writes()})
}

// bookPage shows a cahier de textes (a pupil's or a class's), one subject or all.
func bookPage(c echo.Context, b *Book, title, base string) error {
	return page(c, http.StatusOK, "cahier_book.html", title, map[string]any{"Book": b, "Base": base, "HTML": html})
}

func (h *Handler) pupilBook(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	b, err := h.svc.PupilBook(ctx, t, a, id, c.QueryParam("matiere"))
	if err != nil {
		return err
	}
	name, err := h.svc.PupilName(ctx, t, id)
	if err != nil {
		return err
	}
	b.Title = name
	return bookPage(c, b, "Cahier de textes de "+name, "/cahier/eleves/"+id.String())
}

func (h *Handler) classBook(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	b, err := h.svc.ClassBook(c.Request().Context(), web.TenantOf(c), requestActor(c), id, c.QueryParam("matiere"))
	if err != nil {
		return err
	}
	return h.classBookPage(c, b, id)
}

func (h *Handler) ownToDo(c echo.Context) error { return h.toDoPage(c, requestActor(c).PersonID) }

func (h *Handler) pupilToDo(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return h.toDoPage(c, id)
}

// toDoPage is a pupil's « à faire » by due date; the pupil's own has their ticks.
func (h *Handler) toDoPage(c echo.Context, pupil uuid.UUID) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	work, err := h.svc.ToDo(ctx, t, a, pupil)
	if err != nil {
		return err
	}
	title := "À faire"
	if pupil != a.PersonID {
		name, err := h.svc.PupilName(ctx, t, pupil)
		if err != nil {
			return err
		}
		title = "À faire de " + name
	}
	var days []weekDay
	for _, w := range work {
		if len(days) == 0 || days[len(days)-1].Date != w.Due() {
			days = append(days, weekDay{Date: w.Due()})
		}
		days[len(days)-1].Work = append(days[len(days)-1].Work, w)
	}
	return page(c, http.StatusOK, "cahier_todo.html", title, map[string]any{"Days": days, "Own": pupil == a.PersonID, "Title": title,
		"HTML": html, "Notice": c.QueryParam("ok") != ""})
}

func (h *Handler) session(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return h.sessionView(c, id, http.StatusOK, "")
}

// sessionView is a séance's page; fileErr is a refused attachment's message.
func (h *Handler) sessionView(c echo.Context, id uuid.UUID, status int, fileErr string) error {
	a := requestActor(c)
	se, err := h.svc.Session(c.Request().Context(), web.TenantOf(c), a, id)
	if err != nil {
		return err
	}
	archived, err := h.svc.ClassArchived(c.Request().Context(), web.TenantOf(c), se.ClassID)
	if err != nil {
		return err
	}
	mine := se.TeacherID == a.PersonID && !archived
	var choices []Choice
	if se.TeacherID == a.PersonID {
		all, err := h.svc.Choices(c.Request().Context(), web.TenantOf(c), a)
		if err != nil {
			return err
		}
		for _, ch := range all {
			if ch.SubjectCode == se.SubjectCode && ch.ClassID != se.ClassID {
				choices = append(choices, ch)
			}
		}
	}
	return page(c, status, "cahier_session.html", se.Title, map[string]any{"Session": se, "Mine": mine, "Archived": archived,
		"CopyTo": choices, "HTML": html, "Notice": notice(c.QueryParam("ok")), "Files": filesView{Action: "/cahier/seances/" + id.String() + "/pieces",
			List: se.Files, Mine: mine, Error: fileErr, Max: fault.ByteSize(MaxFileBytes)}})
}

func (h *Handler) work(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return h.workView(c, id, http.StatusOK, "")
}

// workView is a piece of work's page; fileErr is a refused attachment's message.
func (h *Handler) workView(c echo.Context, id uuid.UUID, status int, fileErr string) error {
	return h.workViewWith(c, id, status, fileErr, nil)
}

// workViewWith is workView with a refused hand-in's form.
func (h *Handler) workViewWith(c echo.Context, id uuid.UUID, status int, fileErr string, refused *handInBlock) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	w, err := h.svc.Work(ctx, t, a, id)
	if err != nil {
		return err
	}
	archived, err := h.svc.ClassArchived(ctx, t, w.ClassID)
	if err != nil {
		return err
	}
	mine := w.TeacherID == a.PersonID && !archived
	data := map[string]any{"Work": w, "Mine": mine, "Archived": archived, "Tick": a.can(PermTick), "HTML": html, "Notice": notice(c.QueryParam("ok")),
		"Files": filesView{Action: "/cahier/travail/" + id.String() + "/pieces", List: w.Files, Mine: mine, Error: fileErr, Max: fault.ByteSize(MaxFileBytes)}}
	if data["HandIn"], err = h.handIn(c, w, refused); err != nil {
		return err
	}
	if mine {
		wl, err := h.svc.Workload(ctx, t, w.ClassID, w.DueOn, w.PublishAt)
		if err != nil {
			return err
		}
		data["Workload"] = wl
	}
	return page(c, status, "cahier_work.html", "Travail à faire en "+w.SubjectLabel, data)
}

func (h *Handler) tick(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	done := c.FormValue("fait") == "1"
	if err := h.svc.Tick(c.Request().Context(), web.TenantOf(c), requestActor(c), id, done); err != nil {
		return err
	}
	next := "/cahier/a-faire?ok=1#t-" + id.String()
	if c.FormValue("retour") == "travail" {
		next = "/cahier/travail/" + id.String()
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// filesView is the attachments block of a séance's or work's page.
type filesView struct {
	Action string
	List   []File
	Mine   bool
	Error  string
	Max    string
}

// notice is the confirmation shown after a redirect (?ok=…).
func notice(code string) string {
	switch code {
	case "brouillon":
		return "Le brouillon de la séance a été enregistré : les élèves ne le voient pas."
	case "publiee":
		return "La séance a été enregistrée et publiée : les élèves la verront à partir de sa date de visibilité."
	case "copiee":
		return "La séance a été copiée en brouillon, avec le travail à faire qui y était donné et les pièces jointes : vérifiez-la, puis publiez-la."
	case "travail":
		return "Le travail à faire a été enregistré."
	case "rendu":
		return "Votre travail a été rendu : votre enseignant le verra. Vous pouvez le remplacer tant qu'il ne l'a pas corrigé."
	case "corrige":
		return "Le travail a été rendu corrigé à l'élève, qui en est averti."
	case "reglages":
		return "Les réglages du cahier de textes ont été enregistrés."
	}
	return ""
}
