package grades

import "github.com/labstack/echo/v4"

// Placeholders until implemented: each answers 501.

func (h *Handler) marksHome(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) pupilMarks(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) teaching(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) classSubject(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) exportCSV(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) newEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) createEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) editEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) updateEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) confirmDeleteEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) deleteEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) grid(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) saveGrid(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) classTable(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) periodsPage(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) savePeriods(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) saveCoefficient(c echo.Context) error { return echo.ErrNotImplemented }
