package grades

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// cardRequest is what every report card route starts from.
type cardRequest struct {
	ctx    context.Context
	tenant *tenant.Tenant
	viewer *identity.Viewer
	actor  Actor
	period *Period
	base   string // /bulletins/<period>
}

// startCardRequest reads the viewer and the :period of the address.
func (h *Handler) startCardRequest(c echo.Context) (*cardRequest, error) {
	bc := &cardRequest{ctx: c.Request().Context(), tenant: web.TenantOf(c), viewer: identity.ViewerOf(c)}
	bc.actor = ActorOf(bc.viewer)
	id, err := paramID(c, "period")
	if err != nil {
		return nil, err
	}
	if bc.period, err = h.svc.PeriodByID(bc.ctx, bc.tenant, id); err != nil {
		return nil, err
	}
	bc.base = "/bulletins/" + bc.period.ID.String()
	return bc, nil
}

// classURL is the overview of a class's report cards for the period.
func (bc *cardRequest) classURL(classID uuid.UUID) string {
	return bc.base + "/classes/" + classID.String()
}

// classOfRequest reads :class and loads it if allow accepts the actor there; with reports,
// it also computes the class's report cards.
func (h *Handler) classOfRequest(c echo.Context, bc *cardRequest, withReports bool, allow func(*reportClass) bool) (*reportClass, []PupilReport, error) {
	classID, err := paramID(c, "class")
	if err != nil {
		return nil, nil, err
	}
	if !withReports {
		cl, err := h.svc.reportClassOf(bc.ctx, bc.tenant, bc.actor, bc.period, classID, allow)
		return cl, nil, err
	}
	return h.svc.reportClassWithCards(bc.ctx, bc.tenant, bc.actor, bc.period, classID, allow)
}

func mayViewClassCards(b *reportClass) bool { return b.IsClass() && b.mayView() }

type homePupil struct {
	Name    string
	Class   string
	Periods []homePupilPeriod
}

type homePupilPeriod struct {
	Label     string
	Published bool
	URL       string // the report card page
}

type homePeriod struct {
	Label   string
	Dates   string
	Classes []homeClass
}

type homeClass struct {
	Label         string
	IsClass       bool
	Published     bool
	URL           string // the class overview
	Appreciations []pageLink
	CouncilURL    string
}

type pageLink struct{ Text, URL string }

// reportCardsHome lists the published report cards of a pupil (or of a guardian's legal
// children) per period, and for staff the periods × their classes.
func (h *Handler) reportCardsHome(c echo.Context) error {
	v := identity.ViewerOf(c)
	a := ActorOf(v)
	staff := v.Can(identity.PermMarksTeach)
	b, err := h.svc.reportBoardOf(c.Request().Context(), web.TenantOf(c), a, staff)
	if err != nil {
		return err
	}
	var pupils []homePupil
	for _, p := range b.Pupils {
		hp := homePupil{Name: strings.TrimSpace(p.FirstName + " " + p.LastName)}
		if p.ClassLabel != nil {
			hp.Class = *p.ClassLabel
		}
		for _, per := range b.Periods {
			pp := homePupilPeriod{Label: per.Label()}
			if p.ClassID != nil && b.isPublished(per.ID, *p.ClassID) {
				pp.Published, pp.URL = true, "/bulletins/"+per.ID.String()+"/eleves/"+p.ID.String()
			}
			hp.Periods = append(hp.Periods, pp)
		}
		pupils = append(pupils, hp)
	}
	var periods []homePeriod
	if staff {
		for _, per := range b.Periods {
			hp := homePeriod{Label: per.Label(), Dates: periodDates(per)}
			base := "/bulletins/" + per.ID.String() + "/classes/"
			for _, cl := range b.Classes {
				hc := homeClass{Label: cl.Label, IsClass: cl.Kind == "classe", Published: b.isPublished(per.ID, cl.ID)}
				if hc.IsClass {
					hc.URL = base + cl.ID.String()
				}
				for _, s := range cl.Subjects {
					hc.Appreciations = append(hc.Appreciations, pageLink{Text: s.Label, URL: base + cl.ID.String() + "/appreciations/" + url.PathEscape(s.Code)})
				}
				if cl.Principal && hc.IsClass {
					hc.CouncilURL = base + cl.ID.String() + "/conseil"
				}
				hp.Classes = append(hp.Classes, hc)
			}
			periods = append(periods, hp)
		}
	}
	family := hasRole(a, identity.RoleEleve) || hasRole(a, identity.RoleResponsable)
	return render(c, http.StatusOK, "bulletin_home.html", "Bulletins", map[string]any{
		"Pupils": pupils, "Periods": periods, "Staff": staff, "Oversees": a.Oversees(), "Family": family,
	})
}

// cardOfRequest reads :period and :id and returns that pupil's report card for the viewer,
// in one transaction.
func (h *Handler) cardOfRequest(c echo.Context) (*cardRequest, *PupilReport, bool, error) {
	bc := &cardRequest{ctx: c.Request().Context(), tenant: web.TenantOf(c), viewer: identity.ViewerOf(c)}
	bc.actor = ActorOf(bc.viewer)
	periodID, err := paramID(c, "period")
	if err != nil {
		return nil, nil, false, err
	}
	pupilID, err := paramID(c, "id")
	if err != nil {
		return nil, nil, false, err
	}
	r, staff, err := h.svc.ReportCardPage(bc.ctx, bc.tenant, bc.actor, pupilID, periodID)
	if err != nil {
		return nil, nil, false, err
	}
	bc.period, bc.base = &r.Period, "/bulletins/"+r.Period.ID.String()
	return bc, r, staff, nil
}

func (h *Handler) reportCard(c echo.Context) error {
	bc, r, staff, err := h.cardOfRequest(c)
	if err != nil {
		return err
	}
	v := newReportView(r)
	data := map[string]any{"Card": v, "PDF": bc.base + "/eleves/" + r.PupilID.String() + "/pdf"}
	if staff && bc.viewer.Can(identity.PermMarksTeach) {
		data["ClassURL"] = bc.classURL(r.ClassID)
	}
	return render(c, http.StatusOK, "bulletin_card.html", v.Title()+" – "+v.Name(), data)
}

func (h *Handler) reportCardPDF(c echo.Context) error {
	_, r, _, err := h.cardOfRequest(c)
	if err != nil {
		return err
	}
	v := newReportView(r)
	name := "bulletin-" + strings.ToUpper(r.LastName) + "-" + r.FirstName + "-" + periodCode(r.Period) + ".pdf"
	return sendPDF(c, name, v.Title()+" – "+v.Name(), []reportView{v})
}

func (h *Handler) classBulletinsPDF(c echo.Context) error {
	bc, err := h.startCardRequest(c)
	if err != nil {
		return err
	}
	cl, reports, err := h.classOfRequest(c, bc, true, mayViewClassCards)
	if err != nil {
		return err
	}
	if len(reports) == 0 {
		return fault.New(fault.ErrNotFound, "la classe %s n'a aucun élève : pas de bulletin à imprimer", cl.Label)
	}
	cards := make([]reportView, len(reports))
	for i := range reports {
		cards[i] = newReportView(&reports[i])
	}
	name := "bulletins-" + cl.Label + "-" + periodCode(*bc.period) + ".pdf"
	return sendPDF(c, name, "Bulletins du "+bc.period.Label()+" – "+cl.Label, cards)
}

// sendPDF answers the report cards as a PDF download.
func sendPDF(c echo.Context, fileName, title string, cards []reportView) error {
	var buf bytes.Buffer
	if err := writeReportCardsPDF(&buf, web.TenantOf(c).Name, title, cards); err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Content-Disposition", attachmentHeader(fileName))
	hd.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}
