package grades

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/labstack/echo/v4"
)

type periodsView struct {
	Periods []periodOption
	Kind    string
	End1    string
	End2    string
	Errors  map[string]string
	Error   string
	Notice  string
}

func (h *Handler) periodsPage(c echo.Context) error {
	ps, err := h.svc.Periods(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	pv := periodsView{Periods: periodOptions(ps, nil), Notice: notice(c.QueryParam("ok"))}
	if len(ps) > 0 {
		pv.Kind = ps[0].Kind
		pv.End1 = ps[0].EndsOn.Format("2006-01-02")
	}
	if len(ps) > 2 {
		pv.End2 = ps[1].EndsOn.Format("2006-01-02")
	}
	return render(c, http.StatusOK, "marks_periods.html", "Périodes de l'année", pv)
}

func (h *Handler) savePeriods(c echo.Context) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	pv := periodsView{Kind: c.FormValue("decoupage"), End1: c.FormValue("fin1"), End2: c.FormValue("fin2"), Errors: map[string]string{}}
	var ends []time.Time
	want := map[string]int{KindTrimestre: 2, KindSemestre: 1}[pv.Kind]
	if want == 0 {
		pv.Errors["decoupage"] = "Choisissez trimestres ou semestres."
	}
	for i, raw := range []string{pv.End1, pv.End2}[:max(want, 1)] {
		d, err := parseDay(raw)
		if err != nil {
			pv.Errors[fmt.Sprintf("fin%d", i+1)] = "Date illisible : jj/mm/aaaa."
			continue
		}
		ends = append(ends, d)
	}
	status := http.StatusUnprocessableEntity
	if len(pv.Errors) == 0 {
		_, err := h.svc.SetPeriods(ctx, t, pv.Kind, ends)
		var inv *fault.Invalid
		var msg *fault.Message
		switch {
		case err == nil:
			return c.Redirect(http.StatusSeeOther, "/notes/periodes?ok=periodes")
		case errors.As(err, &inv):
			pv.Error = inv.Message
		case errors.As(err, &msg) && errors.Is(err, fault.ErrConflict):
			pv.Error, status = msg.Text, http.StatusConflict
		default:
			return err
		}
	}
	ps, err := h.svc.Periods(ctx, t)
	if err != nil {
		return err
	}
	pv.Periods = periodOptions(ps, nil)
	return render(c, status, "marks_periods.html", "Périodes de l'année", pv)
}
