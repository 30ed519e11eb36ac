package console

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// restoring is the API's rule: restoring an establishment is the région's work.
func restoring(c echo.Context) error {
	if !regional(c) {
		return fault.New(fault.ErrForbidden, "la restauration d'un établissement est réservée à l'administration régionale ; demandez-la-lui en lui transmettant l'archive")
	}
	return nil
}

func (h *Handler) restorePage(c echo.Context) error {
	if err := restoring(c); err != nil {
		return err
	}
	return h.renderRestore(c, http.StatusOK, nil)
}

func (h *Handler) renderRestore(c echo.Context, status int, fe *formError) error {
	return render(c, status, "console_restore.html", "Restaurer un établissement", map[string]any{
		"Error": fe, "MaxMB": h.cfg.MaxImportBytes >> 20})
}

// restore recreates an establishment from an export archive: the registry checks every
// entry's size and checksum before writing anything, then restores it in one transaction.
func (h *Handler) restore(c echo.Context) error {
	if err := restoring(c); err != nil {
		return err
	}
	refuse := func(err error) error {
		if fe, ok := userError(err); ok {
			return h.renderRestore(c, fe.Status, fe)
		}
		return err
	}
	fh, err := c.FormFile("archive")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return refuse(fault.NewField(fault.ErrTooLarge, "archive", "archive trop volumineuse : %d Mo au plus (CARTABLE_MAX_IMPORT_MB)", h.cfg.MaxImportBytes>>20))
		}
		return refuse(fault.Invalidf("archive", "aucune archive reçue : choisissez le fichier .tar.gz exporté puis cliquez sur « Restaurer »"))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	t, err := h.cfg.Registry.Import(c.Request().Context(), f, tenant.ActorOf(c))
	if err != nil {
		return refuse(err)
	}
	return redirect(c, "/console/etablissements/"+string(t.UAI), "restaure")
}
