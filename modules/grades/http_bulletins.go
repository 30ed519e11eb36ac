package grades

import "github.com/labstack/echo/v4"

// Placeholders until implemented: each answers 501.

func (h *Handler) bulletinsHome(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) reportCard(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) reportCardPDF(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) classBulletins(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) classBulletinsPDF(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) appreciationsPage(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) saveAppreciations(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) councilPage(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) saveCouncil(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) publish(c echo.Context) error { return echo.ErrNotImplemented }
