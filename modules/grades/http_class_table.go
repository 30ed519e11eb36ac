package grades

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

type tableView struct {
	Classes  []classOption
	ClassID  uuid.UUID
	Periods  []periodOption
	PeriodID uuid.UUID
	Class    string
	Period   string
	Heads    []tableHead
	Rows     []tableRow
	General  statsView
	Buckets  []bucketView
	Coefs    []coefRow
	Notice   string
	Error    string
}

type tableHead struct {
	Label string
	Coef  string
	Stats statsView
}

type tableRow struct {
	ID      uuid.UUID
	Name    string
	Cells   []string
	General string
}

type bucketView struct {
	Label string
	Count int
	Share string
}

type coefRow struct {
	Code  string
	Label string
	Value string
	Error string
}

func (h *Handler) classTable(c echo.Context) error {
	return h.renderTable(c, http.StatusOK, c.QueryParam("classe"), c.QueryParam("periode"), "", "", "")
}

// renderTable shows the class table; errSubject, when set, is the subject whose coefficient
// typed was refused with errText.
func (h *Handler) renderTable(c echo.Context, status int, rawClass, rawPeriod, errSubject, typed, errText string) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	classes, err := h.svc.currentClasses(ctx, t, "classe")
	if err != nil {
		return err
	}
	p, ps, err := h.choosePeriod(c, rawPeriod)
	if err != nil {
		return err
	}
	chosen, err := chosenClass(classes, rawClass)
	if err != nil {
		return err
	}
	tv := tableView{Classes: classOptions(classes, chosen), Periods: periodOptions(ps, p), PeriodID: p.ID, Period: p.Label(),
		Notice: notice(c.QueryParam("ok"))}
	if chosen == nil {
		return render(c, status, "marks_table.html", "Tableau des moyennes", tv)
	}
	classID := chosen.ID
	tv.ClassID, tv.Class = chosen.ID, chosen.Label
	ct, err := h.svc.Table(ctx, t, requestActor(c), classID, p)
	if err != nil {
		return err
	}
	for _, sh := range ct.Subjects {
		tv.Heads = append(tv.Heads, tableHead{Label: sh.Label, Coef: sh.Coef.Short(), Stats: statsViewOf(sh.Stats)})
	}
	for _, r := range ct.Rows {
		row := tableRow{ID: r.PupilID, Name: r.Name, General: averageText(r.General)}
		for _, a := range r.Averages {
			cell := "–"
			if a != nil {
				cell = French(a)
			}
			row.Cells = append(row.Cells, cell)
		}
		tv.Rows = append(tv.Rows, row)
	}
	tv.General = statsViewOf(ct.General)
	for i, b := range ct.Distribution {
		label := fmt.Sprintf("de %d à moins de %d", b.From, b.To)
		if i == len(ct.Distribution)-1 {
			label = fmt.Sprintf("%d et plus", b.From)
		}
		share := "–"
		if ct.General.Count > 0 {
			share = fmt.Sprintf("%d %%", (b.Count*100+ct.General.Count/2)/ct.General.Count)
		}
		tv.Buckets = append(tv.Buckets, bucketView{Label: label, Count: b.Count, Share: share})
	}
	subjects, err := h.svc.subjectCoefficients(ctx, t, classID)
	if err != nil {
		return err
	}
	for _, s := range subjects {
		cr := coefRow{Code: s.Code, Label: s.Label, Value: s.Coef.Short()}
		if s.Code == errSubject {
			cr.Value, cr.Error = typed, errText
			tv.Error = "Le coefficient de " + s.Label + " n'a pas été enregistré : " + errText
		}
		tv.Coefs = append(tv.Coefs, cr)
	}
	return render(c, status, "marks_table.html", "Tableau des moyennes – "+tv.Class, tv)
}

func (h *Handler) saveCoefficient(c echo.Context) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	rawClass, subject, coef, rawPeriod := c.FormValue("classe"), c.FormValue("matiere"), c.FormValue("coefficient"), c.FormValue("periode")
	classes, err := h.svc.currentClasses(ctx, t, "classe")
	if err != nil {
		return err
	}
	chosen, err := chosenClass(classes, rawClass)
	if err != nil {
		return err
	}
	ok, err := h.svc.subjectExists(ctx, t, subject)
	if err != nil {
		return err
	}
	if chosen == nil || !ok {
		return fault.New(fault.ErrNotFound, "classe ou matière introuvable")
	}
	classID := chosen.ID
	if _, err := parseID(rawPeriod); err != nil {
		rawPeriod = ""
	}
	err = h.svc.SetSubjectCoefficient(ctx, t, requestActor(c), classID, subject, coef)
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return h.renderTable(c, http.StatusUnprocessableEntity, rawClass, rawPeriod, subject, coef,
			"un nombre de 0 à 100, deux décimales au plus (ex. 2 ou 0,5)")
	}
	if err != nil {
		return err
	}
	q := url.Values{"classe": {classID.String()}, "ok": {"coefficient"}}
	if rawPeriod != "" {
		q.Set("periode", rawPeriod)
	}
	return c.Redirect(http.StatusSeeOther, "/notes/tableau?"+q.Encode())
}
