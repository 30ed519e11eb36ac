package notify

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the notifications' pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Mailbox lists what a development mailbox received (MailpitArrivals).
type Mailbox interface {
	Messages(ctx context.Context, limit int) ([]Received, int, error)
}

// Handler serves the notifications on the establishments' host.
type Handler struct {
	svc     *Service
	mailbox Mailbox // nil outside make dev
	log     *slog.Logger
}

// NewHandler wires the notifications' HTTP side; mailbox, when not nil, adds the page of
// the mails a development mailbox received to the console (make dev only).
func NewHandler(svc *Service, mailbox Mailbox, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{svc: svc, mailbox: mailbox, log: log}
}

// me is the viewer's person here: every route needs one (PermOwn is only members').
func me(c echo.Context) (uuid.UUID, error) {
	v := identity.ViewerOf(c)
	if v == nil || v.PersonID == uuid.Nil {
		return uuid.Nil, fault.New(fault.ErrForbidden, "vous n'avez pas de notifications dans cet établissement")
	}
	return v.PersonID, nil
}

func render(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

// menuText is the menu entry with the unread count; the count failing leaves the plain text
// (the menu must not break a page).
func (h *Handler) menuText(c echo.Context) string {
	v := identity.ViewerOf(c)
	t := web.TenantOf(c)
	if v == nil || v.PersonID == uuid.Nil || t == nil {
		return "Notifications"
	}
	n, err := h.svc.MenuUnread(c.Request().Context(), t, v.PersonID)
	if err != nil {
		h.log.WarnContext(c.Request().Context(), "unread notifications count", "err", err)
		return "Notifications"
	}
	return menuLabel(n)
}

func menuLabel(n int) string {
	switch n {
	case 0:
		return "Notifications"
	case 1:
		return "Notifications (1 non lue)"
	}
	return fmt.Sprintf("Notifications (%d non lues)", n)
}

type listPage struct {
	*Page
	Before string // the last one shown, for the next page's link
}

// listOf reads the viewer's notifications before the request's ?avant= (page and API).
func (h *Handler) listOf(c echo.Context) (*Page, error) {
	person, err := me(c)
	if err != nil {
		return nil, err
	}
	before, err := beforeParam(c.QueryParam("avant"))
	if err != nil {
		return nil, err
	}
	return h.svc.List(c.Request().Context(), web.TenantOf(c), person, before)
}

func (h *Handler) list(c echo.Context) error {
	p, err := h.listOf(c)
	if err != nil {
		return err
	}
	lp := listPage{Page: p}
	if p.More {
		lp.Before = p.Items[len(p.Items)-1].ID.String()
	}
	return render(c, http.StatusOK, "notifications.html", "Notifications", lp)
}

// beforeParam reads ?avant= (pagination): empty is the newest page.
func beforeParam(raw string) (uuid.UUID, error) {
	if raw == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, fault.Invalidf("avant", "« avant » doit être l'identifiant d'une notification")
	}
	return id, nil
}

func parseID(raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "notification introuvable")
	}
	return id, nil
}

func (h *Handler) markRead(c echo.Context) error {
	if _, err := h.markOneRead(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications")
}

// markOneRead marks the viewer's notification :id read (the page's and the API's) and
// returns the viewer's person.
func (h *Handler) markOneRead(c echo.Context) (uuid.UUID, error) {
	person, err := me(c)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := parseID(c.Param("id"))
	if err != nil {
		return uuid.Nil, err
	}
	return person, h.svc.MarkRead(c.Request().Context(), web.TenantOf(c), person, id)
}

func (h *Handler) markAllRead(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	if _, err := h.svc.MarkAllRead(c.Request().Context(), web.TenantOf(c), person); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications")
}

// choiceRow is one kind on the preferences page.
type choiceRow struct {
	Kind    Kind
	Current Delivery
}

type preferencesPage struct {
	Rows       []choiceRow
	Deliveries []Delivery
	Saved      bool
	Error      string
	Quiet      *quietForm // for who sets the establishment's quiet hours
}

type quietForm struct {
	From, To string
	Saved    bool
	Error    string
}

func (h *Handler) preferencesPage(c echo.Context) error {
	return h.renderPreferences(c, http.StatusOK, c.QueryParam("enregistre") == "1", "", c.QueryParam("silence") == "1", "")
}

func (h *Handler) renderPreferences(c echo.Context, status int, saved bool, msg string, quietSaved bool, quietMsg string) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	prefs, err := h.svc.Preferences(ctx, t, person)
	if err != nil {
		return err
	}
	p := preferencesPage{Deliveries: Deliveries, Saved: saved, Error: msg}
	for _, k := range Kinds {
		p.Rows = append(p.Rows, choiceRow{Kind: k, Current: prefs[k]})
	}
	if identity.ViewerOf(c).Can(PermSettings) {
		q, err := h.svc.QuietHours(ctx, t)
		if err != nil {
			return err
		}
		from, to := q.Text()
		p.Quiet = &quietForm{From: from, To: to, Saved: quietSaved, Error: quietMsg}
	}
	return render(c, status, "preferences.html", "Préférences de notification", p)
}

func (h *Handler) savePreferences(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return web.BadRequest(err)
	}
	in := map[string]string{}
	for k, vs := range form {
		if k == "_csrf" || len(vs) == 0 {
			continue
		}
		in[k] = vs[0]
	}
	err = h.svc.SetPreferences(c.Request().Context(), web.TenantOf(c), person, in)
	if msg, ok := invalidMessage(err); ok {
		return h.renderPreferences(c, http.StatusUnprocessableEntity, false, msg, false, "")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications/preferences?enregistre=1")
}

func (h *Handler) saveQuietHours(c echo.Context) error {
	err := h.svc.SetQuietHours(c.Request().Context(), web.TenantOf(c), c.FormValue("debut"), c.FormValue("fin"))
	if msg, ok := invalidMessage(err); ok {
		return h.renderPreferences(c, http.StatusUnprocessableEntity, false, "", false, msg)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications/preferences?silence=1")
}

// invalidMessage is the French message of a refused form.
func invalidMessage(err error) (string, bool) {
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return inv.Message, true
	}
	return "", false
}

type devMailsPage struct {
	Mails []Received
	Total int
	Error string
}

// devMails lists what the development mailbox received (its own web page is not served).
func (h *Handler) devMails(c echo.Context) error {
	// The mails name every establishment's people: the région's administrators only.
	if v := identity.ViewerOf(c); v == nil || v.PlatformRole != identity.RoleAdminRegion {
		return fault.New(fault.ErrForbidden, "page réservée aux administrateurs régionaux")
	}
	ms, total, err := h.mailbox.Messages(c.Request().Context(), 100)
	p := devMailsPage{Mails: ms, Total: total}
	if err != nil {
		h.log.WarnContext(c.Request().Context(), "development mailbox", "err", err)
		p.Error = "La boîte de développement (mailpit) ne répond pas : est-elle démarrée par make dev ?"
	}
	return c.Render(http.StatusOK, "dev_mails.html", web.Page{Title: "Courriels envoyés (développement)", Data: p})
}
