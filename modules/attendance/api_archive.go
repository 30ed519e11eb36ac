package attendance

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
)

type apiYearArchive struct {
	SchoolYear string `json:"school_year"`
	StartsOn   string `json:"starts_on"`
	EndsOn     string `json:"ends_on"`
	ArchivedAt string `json:"archived_at"`
	KeepUntil  string `json:"keep_until"`
	Registers  int    `json:"registers"`
	Entries    int    `json:"entries"`
	CSV        string `json:"csv"` // the registre's download, on the establishment's host
}

// apiArchives lists the archived school years of the registre d'appel.
func (h *Handler) apiArchives(c echo.Context) error {
	years, err := h.svc.Archives(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	out := make([]apiYearArchive, len(years))
	for i, y := range years {
		out[i] = apiYearArchive{SchoolYear: y.SchoolYear, StartsOn: y.StartsOn.Format(dateLayout), EndsOn: y.EndsOn.Format(dateLayout),
			ArchivedAt: y.ArchivedAt.Format("2006-01-02T15:04:05Z07:00"), KeepUntil: y.KeepUntil.Format(dateLayout),
			Registers: y.Registers, Entries: y.Entries, CSV: "/vie-scolaire/registre/" + y.SchoolYear + ".csv"}
	}
	return c.JSON(http.StatusOK, map[string]any{"keep_years": KeepYears, "years": out})
}
