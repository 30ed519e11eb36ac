package attendance

import (
	"bytes"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// archives lists the closed school years of the registre d'appel.
func (h *Handler) archives(c echo.Context) error {
	years, err := h.svc.Archives(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "attendance_archive.html", "Registre d'appel archivé", struct {
		Years     []YearArchive
		KeepYears int
	}{years, KeepYears})
}

var archiveFileRE = regexp.MustCompile(`^([0-9]{4}-[0-9]{4})\.csv$`)

// archiveCSV downloads a closed year's registre d'appel (/vie-scolaire/registre/2025-2026.csv).
func (h *Handler) archiveCSV(c echo.Context) error {
	m := archiveFileRE.FindStringSubmatch(c.Param("file"))
	if m == nil {
		return fault.New(fault.ErrNotFound, "registre inconnu : %q (attendu : 2025-2026.csv)", c.Param("file"))
	}
	year := m[1]
	var b bytes.Buffer
	if err := h.svc.WriteArchiveCSV(c.Request().Context(), web.TenantOf(c), requestActor(c), year, &b); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="registre-appel-`+year+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}
