package grades

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/labstack/echo/v4"
)

// classCardsView is the class overview page.
type classCardsView struct {
	Class       *reportClass
	Period      string
	PublishedOn string
	Base        string // /bulletins/<period>/classes/<class>
	Pupils      []classCardsPupil
	Subjects    []classCardsSubject
	CouncilDone int
	CouncilURL  string
	General     string
	GeneralMin  string
	GeneralMax  string
	Notice      string
	Error       string // next to the confirmation box
}

type classCardsPupil struct {
	Name, Card, PDF string
	General         string
	Appreciations   string // "3 / 4"
	Council         bool
}

type classCardsSubject struct {
	Label string
	Done  int
	Total int    // pupils with the subject on their report card
	URL   string // entry page, if the viewer may write there
}

func (h *Handler) classBulletins(c echo.Context) error {
	return h.renderClassCards(c, http.StatusOK, "")
}

// renderClass shows the class overview; errText goes next to the publication box.
func (h *Handler) renderClassCards(c echo.Context, status int, errText string) error {
	bc, err := h.startCardRequest(c)
	if err != nil {
		return err
	}
	cl, reports, err := h.classOfRequest(c, bc, true, mayViewClassCards)
	if err != nil {
		return err
	}
	base := bc.classURL(cl.ID)
	v := classCardsView{Class: cl, Period: bc.period.Label(), Base: base, Error: errText,
		General: French(nil), GeneralMin: French(nil), GeneralMax: French(nil)}
	if cl.Published {
		v.PublishedOn = cl.PublishedAt.In(directory.SchoolZone).Format("02/01/2006 à 15:04")
	}
	if cl.mayWriteCouncil() && !cl.Published {
		v.CouncilURL = base + "/conseil"
	}
	switch c.QueryParam("ok") {
	case "publie":
		v.Notice = "Les bulletins sont publiés : les élèves et leurs responsables légaux peuvent les consulter."
	case "retire":
		v.Notice = "La publication est retirée : les bulletins ne sont plus visibles des élèves ni des familles."
	}
	idx := map[string]int{}
	addSubject := func(code, label string, mine bool) int {
		idx[code] = len(v.Subjects)
		cs := classCardsSubject{Label: label}
		if mine && !cl.Published {
			cs.URL = base + "/appreciations/" + url.PathEscape(code)
		}
		v.Subjects = append(v.Subjects, cs)
		return idx[code]
	}
	for _, s := range cl.Subjects {
		addSubject(s.Code, s.Label, s.Mine)
	}
	for _, r := range reports {
		done, total := 0, 0
		for _, s := range r.Subjects {
			i, ok := idx[s.Code]
			if !ok { // taught in a group: direction may still write its appréciations here
				i = addSubject(s.Code, s.Label, cl.Oversees)
			}
			v.Subjects[i].Total++
			total++
			if s.Appreciation != "" {
				v.Subjects[i].Done++
				done++
			}
		}
		if r.Council != "" {
			v.CouncilDone++
		}
		card := bc.base + "/eleves/" + r.PupilID.String()
		v.Pupils = append(v.Pupils, classCardsPupil{Name: r.LastName + " " + r.FirstName, Card: card, PDF: card + "/pdf", General: French(r.General),
			Appreciations: fmt.Sprintf("%d / %d", done, total), Council: r.Council != ""})
		v.General, v.GeneralMin, v.GeneralMax = French(r.ClassStats.Avg), French(r.ClassStats.Min), French(r.ClassStats.Max)
	}
	return render(c, status, "bulletin_class.html", "Bulletins du "+bc.period.Label()+" – "+cl.Label, v)
}

// publish publishes the class's report cards of the period, once the confirmation box is
// ticked, or withdraws them (direction).
func (h *Handler) publish(c echo.Context) error {
	bc, err := h.startCardRequest(c)
	if err != nil {
		return err
	}
	cl, _, err := h.classOfRequest(c, bc, false, func(b *reportClass) bool { return b.IsClass() && b.Oversees })
	if err != nil {
		return err
	}
	switch c.FormValue("action") {
	case "publier":
		if c.FormValue("confirmation") != "oui" {
			return h.renderClassCards(c, http.StatusUnprocessableEntity, "Cochez la case pour confirmer : rien n'a été publié.")
		}
		if err := h.svc.Publish(bc.ctx, bc.tenant, bc.actor, bc.period, cl.ID, true); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, bc.classURL(cl.ID)+"?ok=publie")
	case "retirer":
		if err := h.svc.Publish(bc.ctx, bc.tenant, bc.actor, bc.period, cl.ID, false); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, bc.classURL(cl.ID)+"?ok=retire")
	}
	return fault.Invalidf("action", "action « %s » inconnue : publier ou retirer", c.FormValue("action"))
}
