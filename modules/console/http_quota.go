package console

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// spaceView is the establishment page's file space and, for the région, its quota form.
type spaceView struct {
	files.Usage
	Setting files.Quota
	SetBy   string // « fixé par … le … », or the default
	MaySet  bool
	Typed   string // the form's value: what was typed, or the quota set in Go
	Error   *formError
	Default string
}

// spaceOf reads t's file space (nil without a files layer).
func (h *Handler) spaceOf(c echo.Context, t *tenant.Tenant, quotaErr *formError, typed string) (*spaceView, error) {
	if h.cfg.Space == nil {
		return nil, nil
	}
	ctx := c.Request().Context()
	u, err := h.cfg.Space.Usage(ctx, t)
	if err != nil {
		return nil, err
	}
	q, err := h.cfg.Space.Quota(ctx, t)
	if err != nil {
		return nil, err
	}
	v := &spaceView{Usage: u, Setting: q, MaySet: identity.ViewerOf(c).Can(PermQuota), Error: quotaErr, Typed: typed,
		Default: files.SizeText(files.DefaultQuota), SetBy: "quota par défaut"}
	if q.Set {
		v.SetBy = fmt.Sprintf("fixé par %s le %s", strings.TrimPrefix(q.By, "user:"), h.day(q.At))
		if quotaErr == nil {
			v.Typed = strings.Replace(strconv.FormatFloat(float64(q.Bytes)/(1<<30), 'f', -1, 64), ".", ",", 1)
		}
	}
	return v, nil
}

// setQuota sets the establishment's file quota in Go (empty: the default), then records it
// in the platform's journal.
func (h *Handler) setQuota(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	if h.cfg.Space == nil {
		return fault.New(fault.ErrUnavailable, "le stockage des fichiers n'est pas disponible sur ce serveur")
	}
	typed := trimmed(c, "quota")
	bytes, err := parseGo(typed)
	if err == nil {
		err = h.cfg.Space.SetQuota(c.Request().Context(), t, bytes, tenant.ActorOf(c))
	}
	if fe, ok := userError(err); ok {
		return h.renderTenant(c, fe.Status, t, fe, typed)
	}
	if err != nil {
		return err
	}
	// After the change, as the console's exports and imports: the establishment's own audit
	// log recorded it in the change's transaction.
	if err := h.store.Record(c.Request().Context(), tenant.ActorOf(c), "tenant.quota", string(t.UAI), map[string]any{"bytes": bytes}); err != nil {
		return err
	}
	return redirect(c, "/console/etablissements/"+string(t.UAI), "quota")
}

// parseGo reads a quota in Go, « 25 » or « 2,5 » (empty: 0, the default).
func parseGo(typed string) (int64, error) {
	if typed == "" {
		return 0, nil
	}
	g, err := strconv.ParseFloat(strings.Replace(typed, ",", ".", 1), 64)
	if err != nil || g <= 0 || g > float64(files.MaxQuota>>30) {
		return 0, fault.Invalidf("quota", "« %s » n'est pas un nombre de Go : indiquez par exemple 25 ou 2,5, entre %d et %d (laissez vide pour les %s par défaut)",
			typed, files.MinQuota>>30, files.MaxQuota>>30, files.SizeText(files.DefaultQuota))
	}
	return int64(g * (1 << 30)), nil
}
