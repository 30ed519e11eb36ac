package grades

import "github.com/labstack/echo/v4"

// Placeholders until implemented: each answers 501.

func (h *Handler) apiPeriods(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) apiMarks(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) apiEvaluations(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) apiCreateEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) apiEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) apiUpdateEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) apiDeleteEvaluation(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) apiSaveMarks(c echo.Context) error { return echo.ErrNotImplemented }

func (h *Handler) apiReportCard(c echo.Context) error { return echo.ErrNotImplemented }
