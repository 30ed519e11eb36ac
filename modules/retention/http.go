package retention

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/csvout"
)

// Templates are the retention's pages (the console's « Conservation des données »).
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves the retention's console page to the région's administrators.
type Handler struct {
	report    *Report
	tenantTTL time.Duration // deleted establishments' retention (CARTABLE_TENANT_RETENTION_DAYS)
	now       func() time.Time
}

// NewHandler serves r's report; tenantTTL is how long a deleted establishment is kept.
func NewHandler(r *Report, tenantTTL time.Duration) *Handler {
	return &Handler{report: r, tenantTTL: tenantTTL, now: r.now}
}

// kindView is a kind as the page shows it.
type kindView struct {
	Kind
	Duration string
}

// lineView is a line of the report as the page shows it.
type lineView struct {
	Line
	KindLabel       string
	Size            string
	LastRun, Latest string
}

// since is the first day the report shows at now.
func since(now time.Time) time.Time {
	return now.In(directory.SchoolZone).AddDate(0, 0, -(ReportDays - 1))
}

func (h *Handler) lines(c echo.Context) ([]lineView, time.Time, error) {
	from := since(h.now())
	ls, err := h.report.Lines(c.Request().Context(), from)
	if err != nil {
		return nil, from, err
	}
	out := make([]lineView, len(ls))
	for i, l := range ls {
		k, _ := kindOf(l.Kind)
		v := lineView{Line: l, KindLabel: k.Label, LastRun: stamp(l.LastRun), Latest: "—"}
		if k.Files {
			v.Size = size(l.Bytes)
		}
		if l.LastRemoved != nil {
			v.Latest = stamp(*l.LastRemoved)
		}
		out[i] = v
	}
	return out, from, nil
}

// Page is « Conservation des données » (/console/conservation): each kind's retention and
// the last ReportDays days of purges per establishment and kind.
func (h *Handler) Page(c echo.Context) error {
	rows, from, err := h.lines(c)
	if err != nil {
		return err
	}
	kinds := make([]kindView, len(Kinds))
	for i, k := range Kinds {
		kinds[i] = kindView{Kind: k, Duration: k.Duration}
		if k.Code == KindEstablishments {
			kinds[i].Duration = fmt.Sprintf("%d jours après la suppression (réglage de la plateforme), puis effacement définitif", int(h.tenantTTL.Hours()/24))
		}
	}
	return c.Render(http.StatusOK, "retention_console.html", web.Page{Title: "Conservation des données", Data: map[string]any{
		"Kinds": kinds, "Rows": rows, "From": frenchDay(from), "Days": ReportDays}})
}

// csvHeader is the report's CSV header.
var csvHeader = []string{"UAI", "Établissement", "Donnée", "Code", "Passages", "Supprimés", "Octets", "Dernier passage", "Dernière suppression"}

// CSV downloads the page's report (UTF-8 with BOM, « ; », cells neutralised).
func (h *Handler) CSV(c echo.Context) error {
	rows, from, err := h.lines(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := writeCSV(&b, rows); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="conservation-`+from.Format(time.DateOnly)+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

func writeCSV(w io.Writer, rows []lineView) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	out := csvout.NewWriter(w, ';')
	if err := out.Write(csvHeader); err != nil {
		return err
	}
	for _, r := range rows {
		latest := ""
		if r.LastRemoved != nil {
			latest = r.Latest
		}
		if err := out.Write([]string{r.UAI, r.Name, r.KindLabel, r.Kind, strconv.Itoa(r.Runs), strconv.FormatInt(r.Count, 10),
			strconv.FormatInt(r.Bytes, 10), r.LastRun, latest}); err != nil {
			return err
		}
	}
	return out.Flush()
}

func stamp(t time.Time) string { return t.In(directory.SchoolZone).Format("02/01/2006 15:04") }

func frenchDay(t time.Time) string { return t.In(directory.SchoolZone).Format("02/01/2006") }

// size is a number of bytes as people say it: « 300 o », « 12,5 Ko », « 1,5 Mo », « 2,1 Go ».
func size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d o", n)
	case n < 1e6:
		return decimal(float64(n)/1e3) + " Ko"
	case n < 1e9:
		return decimal(float64(n)/1e6) + " Mo"
	}
	return decimal(float64(n)/1e9) + " Go"
}

// decimal writes v with one decimal and a French comma, without a trailing ",0".
func decimal(v float64) string {
	return strings.TrimSuffix(strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", ",", 1), ",0")
}
