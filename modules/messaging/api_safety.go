package messaging

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The safety's JSON API: the same service as the pages. Lists are never null.

// settingsJSON is the settings as the API gives them.
type settingsJSON struct {
	HoursFrom      string      `json:"hours_from"`
	HoursTo        string      `json:"hours_to"`
	RetentionYears int         `json:"retention_years"`
	Suspension     *Suspension `json:"suspension"`
}

func toJSON(s Settings) settingsJSON {
	from, to := s.Hours.Text()
	return settingsJSON{HoursFrom: from, HoursTo: to, RetentionYears: s.RetentionYears, Suspension: s.Suspension}
}

// decodeJSON reads a request's JSON body strictly (unknown fields refused).
func decodeJSON(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fault.Decoding(err)
	}
	return nil
}

func (h *Handler) apiSettings(c echo.Context) error {
	s, err := h.svc.Settings(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toJSON(s))
}

func (h *Handler) apiSaveSettings(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	var in SettingsInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	s, err := h.svc.SaveSettings(c.Request().Context(), web.TenantOf(c), person, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toJSON(s))
}

func (h *Handler) apiSuspensions(c echo.Context) error {
	l, err := h.svc.Suspensions(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	if l == nil {
		l = []SuspendedAccount{}
	}
	return c.JSON(http.StatusOK, map[string][]SuspendedAccount{"accounts": l})
}

func personParam(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "cette personne n'est pas dans l'annuaire de l'établissement")
	}
	return id, nil
}

func (h *Handler) apiSuspend(c echo.Context) error {
	by, err := me(c)
	if err != nil {
		return err
	}
	target, err := personParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	if err := h.svc.SuspendAccount(ctx, t, by, target, in.Reason); err != nil {
		return err
	}
	return h.apiSuspensions(c)
}

func (h *Handler) apiLift(c echo.Context) error {
	target, err := personParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.LiftSuspension(c.Request().Context(), web.TenantOf(c), target); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiReport(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	report, err := h.svc.Report(c.Request().Context(), web.TenantOf(c), person, id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]uuid.UUID{"id": report})
}

func (h *Handler) apiReports(c echo.Context) error {
	rs, err := h.svc.Reports(c.Request().Context(), web.TenantOf(c), c.QueryParam("traites") == "1")
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []Report{}
	}
	return c.JSON(http.StatusOK, map[string][]Report{"reports": rs})
}

func (h *Handler) apiReported(c echo.Context) error {
	id, err := parseReport(c.Param("id"))
	if err != nil {
		return err
	}
	rt, err := h.svc.ReportedConversation(c.Request().Context(), web.TenantOf(c), id)
	if err != nil {
		return err
	}
	if rt.Thread != nil {
		for i := range rt.Thread.Messages {
			m := &rt.Thread.Messages[i]
			if m.To == nil {
				m.To = []Person{}
			}
			if m.Cc == nil {
				m.Cc = []Person{}
			}
		}
	}
	return c.JSON(http.StatusOK, rt)
}

func (h *Handler) apiHandleReport(c echo.Context) error {
	by, err := me(c)
	if err != nil {
		return err
	}
	id, err := parseReport(c.Param("id"))
	if err != nil {
		return err
	}
	var in struct {
		Comment string `json:"comment"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	if err := h.svc.HandleReport(ctx, t, by, id, in.Comment); err != nil {
		return err
	}
	rt, err := h.svc.ReportedConversation(ctx, t, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rt.Report)
}
