package tenant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web/fault"
)

// Handler serves the regional provisioning API (admin host, /api/v1).
type Handler struct {
	reg            *Registry
	maxImportBytes int64
}

// NewHandler returns the API handler; imports larger than maxImportBytes are refused.
func NewHandler(reg *Registry, maxImportBytes int64) *Handler {
	return &Handler{reg: reg, maxImportBytes: maxImportBytes}
}

// APIRoute is one route of the provisioning API.
type APIRoute struct {
	Method, Path string
	Handler      echo.HandlerFunc
}

// APIRoutes are the provisioning API's routes, mounted under the administration host's
// /api/v1 behind its guard (modules/platform declares them).
func (h *Handler) APIRoutes() []APIRoute {
	get, post := http.MethodGet, http.MethodPost
	return []APIRoute{
		{post, "/tenants", h.create},
		{get, "/tenants", h.list},
		{post, "/tenants/import", h.importArchive},
		{get, "/tenants/:uai", h.get},
		{http.MethodDelete, "/tenants/:uai", h.delete},
		{post, "/tenants/:uai/suspend", h.suspend},
		{post, "/tenants/:uai/resume", h.resume},
		{get, "/tenants/:uai/export", h.export},
		{get, "/departements", h.departements},
		{get, "/departements/:code", h.departement},
		{post, "/departements/:code/opt-in", h.optIn},
		{get, "/departements/:code/opt-in", h.departement},
	}
}

// actor names who acts through the API, for the audit log.
func actor(c echo.Context) string {
	if a := scopeOf(c).Actor; a != "" {
		return a
	}
	return "api"
}

// notInScope hides establishments outside the caller's scope as if they did not exist.
func notInScope(uai string) error {
	return fault.New(fault.ErrNotFound, "aucun établissement ouvert avec l'UAI %s dans votre périmètre", uai)
}

// get returns a live tenant the caller may manage.
func (h *Handler) scoped(c echo.Context, uai string) (*Tenant, error) {
	t, err := h.reg.Get(c.Request().Context(), uai)
	if err != nil {
		return nil, err
	}
	if !scopeOf(c).covers(t.OrganisationCode) {
		return nil, notInScope(string(t.UAI))
	}
	return t, nil
}

// decodeJSON reads a JSON body strictly: unknown fields and trailing data are refused.
func decodeJSON(c echo.Context, v any) error {
	if ct := c.Request().Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return fault.New(fault.ErrInvalid, "envoyez du JSON avec l'en-tête Content-Type: application/json (reçu : %s)", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fault.Decoding(err)
	}
	if dec.More() {
		return fault.New(fault.ErrInvalid, "corps JSON illisible : données après l'objet")
	}
	return nil
}

func (h *Handler) create(c echo.Context) error {
	var req NewTenant
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if sc := scopeOf(c); !sc.All {
		uai, err := ParseUAI(req.UAI)
		if err != nil {
			return err
		}
		if Kind(req.Kind) != KindCollege || uai.Departement() != sc.Organisation {
			return fault.New(fault.ErrForbidden, "un administrateur départemental n'ouvre que les collèges de son département (%s)", sc.Organisation)
		}
	}
	t, created, err := h.reg.Provision(c.Request().Context(), req, actor(c))
	if err != nil {
		return err
	}
	if created {
		c.Response().Header().Set("Location", "/api/v1/tenants/"+string(t.UAI))
		return c.JSON(http.StatusCreated, t)
	}
	return c.JSON(http.StatusOK, t)
}

func (h *Handler) list(c echo.Context) error {
	f := ListFilter{Status: Status(c.QueryParam("status")), Organisation: c.QueryParam("organisation")}
	if sc := scopeOf(c); !sc.All {
		f.Organisation = sc.Organisation
	}
	switch f.Status {
	case "", StatusActive, StatusSuspended, StatusDeleted:
	default:
		return fault.Invalidf("status", "statut « %s » inconnu : active, suspended ou deleted", f.Status)
	}
	ts, err := h.reg.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []Tenant{}
	}
	return c.JSON(http.StatusOK, map[string]any{"tenants": ts})
}

func (h *Handler) get(c echo.Context) error {
	t, err := h.scoped(c, c.Param("uai"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

func (h *Handler) suspend(c echo.Context) error {
	return h.lifecycle(c, h.reg.Suspend)
}

func (h *Handler) resume(c echo.Context) error {
	return h.lifecycle(c, h.reg.Resume)
}

func (h *Handler) delete(c echo.Context) error {
	return h.lifecycle(c, h.reg.Delete)
}

func (h *Handler) lifecycle(c echo.Context, op func(ctx context.Context, uai, actor string) (*Tenant, error)) error {
	if _, err := h.scoped(c, c.Param("uai")); err != nil {
		return err
	}
	t, err := op(c.Request().Context(), c.Param("uai"), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

func (h *Handler) export(c echo.Context) error {
	t, err := h.scoped(c, c.Param("uai"))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("cartable-%s-%s.tar.gz", t.UAI, time.Now().UTC().Format("20060102-150405"))
	hd := c.Response().Header()
	hd.Set("Content-Type", "application/gzip")
	hd.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err = h.reg.Export(c.Request().Context(), string(t.UAI), c.Response())
	return err
}

// importArchive restores an archive sent as the raw body (application/gzip) or as the
// multipart field "archive".
func (h *Handler) importArchive(c echo.Context) error {
	if !scopeOf(c).All {
		return fault.New(fault.ErrForbidden, "la restauration d'un établissement est réservée à l'administration régionale")
	}
	req := c.Request()
	if req.ContentLength > h.maxImportBytes {
		return h.tooLarge()
	}
	body := &limitedBody{r: http.MaxBytesReader(c.Response(), req.Body, h.maxImportBytes)}
	req.Body = body
	var src io.Reader = body
	if strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/form-data") {
		fh, err := c.FormFile("archive")
		if body.tooLarge() {
			return h.tooLarge()
		}
		if err != nil {
			return fault.Invalidf("archive", "joignez l'archive dans le champ « archive » du formulaire")
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		src = f
	}
	t, err := h.reg.Import(req.Context(), src, actor(c))
	if body.tooLarge() {
		return h.tooLarge()
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (h *Handler) tooLarge() error {
	return fault.New(fault.ErrTooLarge, "archive trop volumineuse : %d Mo au plus (CARTABLE_MAX_IMPORT_MB)", h.maxImportBytes>>20)
}

// limitedBody remembers whether the size limit cut the body, whatever the reader above
// made of the error.
type limitedBody struct {
	r   io.ReadCloser
	hit bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.hit = true
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.r.Close() }

func (b *limitedBody) tooLarge() bool { return b.hit }

func (h *Handler) departements(c echo.Context) error {
	os, err := h.reg.Organisations(c.Request().Context())
	if err != nil {
		return err
	}
	deps := []Organisation{}
	for _, o := range os {
		if o.Kind == "departement" {
			deps = append(deps, o)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"departements": deps})
}

func (h *Handler) departement(c echo.Context) error {
	o, err := h.reg.Organisation(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	if o.Kind != "departement" {
		return fault.New(fault.ErrNotFound, "« %s » n'est pas un département", c.Param("code"))
	}
	return c.JSON(http.StatusOK, o)
}

type optInRequest struct {
	EffectiveDate string `json:"effective_date"`
}

func (h *Handler) optIn(c echo.Context) error {
	var req optInRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	day, err := ParseDate(req.EffectiveDate)
	if err != nil {
		return err
	}
	if sc := scopeOf(c); !sc.All && strings.TrimLeft(c.Param("code"), "0") != sc.Organisation {
		return fault.New(fault.ErrForbidden, "un administrateur départemental ne décide que de l'adhésion de son département (%s)", sc.Organisation)
	}
	o, err := h.reg.Organisation(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	if err := scopeOf(c).OptInRefusal(o, day, h.reg.opts.Now()); err != nil {
		return err
	}
	o, err = h.reg.OptIn(c.Request().Context(), o.Code, day, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

// ParseDate reads an effective date as YYYY-MM-DD (or DD/MM/YYYY, as French users type it).
func ParseDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, nil
		}
	}
	return time.Time{}, fault.Invalidf("effective_date", "date « %s » illisible : attendu AAAA-MM-JJ, par exemple 2027-09-01", s)
}

// Scope is who calls the administration API and which establishments they may manage:
// all of them (région, automation) or those of one organisation (a département).
type Scope struct {
	All          bool
	Organisation string
	Actor        string
}

const scopeKey = "cartable.scope"

// SetScope records the caller's scope (set by the authentication middleware).
func SetScope(c echo.Context, s Scope) { c.Set(scopeKey, s) }

func scopeOf(c echo.Context) Scope {
	s, _ := c.Get(scopeKey).(Scope)
	return s
}

// ScopeOf returns the administration API caller's scope (see SetScope).
func ScopeOf(c echo.Context) Scope { return scopeOf(c) }

// covers tells whether the scope may manage an establishment of organisation org.
func (s Scope) covers(org string) bool {
	return s.All || (s.Organisation != "" && s.Organisation == org)
}

// ForScope returns a live tenant that the API caller (see SetScope) may manage.
func (r *Registry) ForScope(c echo.Context, uai string) (*Tenant, error) {
	t, err := r.Get(c.Request().Context(), uai)
	if err != nil {
		return nil, err
	}
	if !scopeOf(c).covers(t.OrganisationCode) {
		return nil, notInScope(string(t.UAI))
	}
	return t, nil
}

// ActorOf names the API caller for the audit log.
func ActorOf(c echo.Context) string { return actor(c) }
