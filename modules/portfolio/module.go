package portfolio

import (
	"github.com/cartable-ent/cartable/web/module"
)

// Handler serves the portfolio's pages and API.
type Handler struct{ svc *Service }

// NewHandler serves svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Module declares the portfolio: routes, menu entries, pages, export.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name: "portfolio",
	}
}
