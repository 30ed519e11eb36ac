package messaging

import (
	"embed"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the messagerie's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves the messagerie on the establishments' host.
type Handler struct {
	svc *Service
}

// NewHandler wires the messagerie's HTTP side.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// me is the viewer's person here: every route needs one (PermUse is only members').
func me(c echo.Context) (uuid.UUID, error) {
	v := identity.ViewerOf(c)
	if v == nil || v.PersonID == uuid.Nil {
		return uuid.Nil, fault.New(fault.ErrForbidden, "vous n'avez pas de messagerie dans cet établissement")
	}
	return v.PersonID, nil
}

func render(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

// parseID reads an identifier from the address: anything but a UUID is an unknown message.
// meAnd is the viewer and the request's :id, read by parse (which names what is not found).
func meAnd(c echo.Context, parse func(string) (uuid.UUID, error)) (person, id uuid.UUID, err error) {
	if person, err = me(c); err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	id, err = parse(c.Param("id"))
	return person, id, err
}

func parseID(raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "message introuvable")
	}
	return id, nil
}
