package grades

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// home sends each person to their marks: a pupil sees theirs, a guardian chooses a child,
// teachers and direction go to their classes, vie scolaire looks a pupil up by class.
func (h *Handler) home(c echo.Context) error {
	v, t, ctx := identity.ViewerOf(c), web.TenantOf(c), c.Request().Context()
	switch {
	case v.Member && v.Has(identity.RoleEleve):
		return h.showPupilMarks(c, v.PersonID, "/notes", true)
	case v.Member && v.Has(identity.RoleResponsable):
		children, err := h.svc.LegalChildren(ctx, t, v.PersonID)
		if err != nil {
			return err
		}
		if len(children) == 1 && !v.Can(identity.PermMarksTeach) {
			return c.Redirect(http.StatusSeeOther, "/notes/eleves/"+children[0].ID.String())
		}
		return render(c, http.StatusOK, "marks_children.html", "Notes de mes enfants", map[string]any{
			"Children": children, "Teaches": v.Can(identity.PermMarksTeach)})
	case v.Can(identity.PermMarksTeach):
		return c.Redirect(http.StatusSeeOther, "/notes/enseignement")
	}
	return h.pupilLookup(c)
}

// pupilLookup lets staff who see every pupil's marks (vie scolaire) find a pupil by class.
func (h *Handler) pupilLookup(c echo.Context) error {
	t, ctx := web.TenantOf(c), c.Request().Context()
	classes, err := h.svc.currentClasses(ctx, t, "")
	if err != nil {
		return err
	}
	chosen, err := chosenClass(classes, c.QueryParam("classe"))
	if err != nil {
		return err
	}
	data := map[string]any{"Classes": classOptions(classes, chosen)}
	if chosen != nil {
		pupils, err := h.svc.pupilsOf(ctx, t, chosen.ID)
		if err != nil {
			return err
		}
		data["Chosen"], data["Pupils"] = chosen.Label, pupils
	}
	return render(c, http.StatusOK, "marks_lookup.html", "Notes des élèves", data)
}

func (h *Handler) pupilMarks(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	v := identity.ViewerOf(c)
	return h.showPupilMarks(c, id, "/notes/eleves/"+id.String(), v.Member && v.PersonID == id)
}

// pupilMarksView is a pupil's marks page.
type pupilMarksView struct {
	Heading   string
	Action    string // the period selector's address
	Periods   []periodOption
	Period    string
	Class     string
	General   string
	Classwide statsView // over the class's general averages
	Subjects  []subjectMarksView
	Latest    []latestMark // the summary's latest marks, newest first
	Drafts    bool         // the viewer sees unpublished evaluations too
	NewCount  int
	Children  bool // a guardian may go back to the child chooser
	Empty     string
}

type subjectMarksView struct {
	Label    string
	Of       string // "d'anglais": the subject inside a sentence
	Average  string
	Coef     string
	Class    statsView // over the class's subject averages
	Evals    []evalMarkView
	NewCount int
}

// latestMark is a line of the summary's latest marks.
type latestMark struct {
	evalMarkView
	Subject string
	on      time.Time // the evaluation's date
	entered time.Time // when the mark was last changed
}

// latestShown is how many marks the summary lists.
const latestShown = 5

type evalMarkView struct {
	Title     string
	Date      string
	Coef      string
	Mark      string // "12,50 / 20", "Abs", or "" when none
	CodeLabel string // "absent"… for a code
	Comment   string
	New       bool
	Draft     bool
	Bonus     bool
	Class     statsView // on the evaluation's scale
	Scale     string
}

// showPupilMarks renders a pupil's marks for the period of ?periode=; self tells whether the
// viewer is the pupil.
func (h *Handler) showPupilMarks(c echo.Context, pupilID uuid.UUID, action string, self bool) error {
	v, t, ctx := identity.ViewerOf(c), web.TenantOf(c), c.Request().Context()
	periodID, err := periodParam(c.QueryParam("periode"))
	if err != nil {
		return err
	}
	guardian := v.Member && v.Has(identity.RoleResponsable) && !self
	var kept keptPage
	pg, err := h.svc.MarksPage(ctx, t, ActorOf(v), pupilID, periodID, guardian, func(k PageKey) (bool, bool) {
		var ok bool
		kept, ok = h.pages.Get(keptPageKey{k, self, action})
		return kept.showedNew, ok
	})
	if err != nil {
		if self && pg.Period != nil && errors.Is(err, fault.ErrNotFound) {
			return render(c, http.StatusOK, "marks_pupil.html", "Mes notes", pupilMarksView{Heading: "Mes notes",
				Empty: "Vous n'êtes inscrit(e) dans aucune classe de l'établissement cette année : aucune note à afficher."})
		}
		return err
	}
	if pg.Report == nil {
		return web.RenderContent(c, http.StatusOK, kept.title, kept.content)
	}
	r, p, ps := pg.Report, pg.Period, pg.Periods
	pv := pupilMarksView{Heading: "Notes de " + r.FirstName + " " + r.LastName, Action: action, Periods: periodOptions(ps, p),
		Period: p.Label(), Class: r.ClassLabel, General: averageText(r.General), Classwide: statsViewOf(r.ClassStats)}
	if self {
		pv.Heading = "Mes notes"
	}
	pv.Children = len(pg.Children) > 1
	for _, sl := range r.Subjects {
		sv := subjectMarksView{Label: sl.Label, Of: ofSubject(sl.Label), Average: averageText(sl.Average), Coef: sl.Coef.Short(), Class: statsViewOf(sl.Class)}
		for _, el := range sl.Evaluations {
			ev := evalMarkView{Title: el.Title, Date: frDate(el.OnDate), Coef: el.Coefficient.Short(), Scale: el.Scale.Short(),
				New: el.New, Draft: !el.Published, Bonus: el.Bonus, Class: statsViewOf(el.Stats)}
			if !el.Published {
				pv.Drafts = true
			}
			if el.Mark != nil {
				ev.Comment = el.Mark.Comment
				switch {
				case el.Mark.Code != "":
					ev.Mark, ev.CodeLabel = el.Mark.Code, codeLabel(el.Mark.Code)
				case el.Mark.Value != nil:
					ev.Mark = el.Mark.Value.String() + "\u00a0/\u00a0" + el.Scale.Short() // no break inside "12,50 / 20"
				}
			}
			if ev.New {
				pv.NewCount++
				sv.NewCount++
			}
			if ev.Mark != "" {
				pv.Latest = append(pv.Latest, latestMark{evalMarkView: ev, Subject: sl.Label, on: el.OnDate, entered: el.Mark.UpdatedAt})
			}
			sv.Evals = append(sv.Evals, ev)
		}
		pv.Subjects = append(pv.Subjects, sv)
	}
	if len(pv.Subjects) == 0 {
		pv.Empty = "Aucune note publiée pour le " + p.Label() + "."
	}
	pv.Latest = newestFirst(pv.Latest, latestShown)
	content, err := web.ContentOf(c, "marks_pupil.html", pv)
	if err != nil {
		return err
	}
	h.pages.Add(keptPageKey{pg.Key, self, action}, keptPage{title: pv.Heading, content: content, showedNew: r.hasNew()})
	return web.RenderContent(c, http.StatusOK, pv.Heading, content)
}

// newestFirst keeps the n latest marks, the most recent evaluation first (same day: the mark
// entered last first).
func newestFirst(ms []latestMark, n int) []latestMark {
	slices.SortStableFunc(ms, func(a, b latestMark) int {
		if c := b.on.Compare(a.on); c != 0 {
			return c
		}
		return b.entered.Compare(a.entered)
	})
	return ms[:min(n, len(ms))]
}
