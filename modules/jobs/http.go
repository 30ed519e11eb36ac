package jobs

import (
	"embed"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the jobs' pages (the admin console's "Tâches de fond").
//
//go:embed templates/*.html
var Templates embed.FS

// Handler shows the jobs to the regional administrators (jobs concern every establishment,
// so a département's administrator does not see them).
type Handler struct {
	q        *Queue
	regional func(echo.Context) bool
	zone     *time.Location // the console's dates are Paris time
}

// NewHandler serves q's jobs to the callers for whom regional is true (the routes are
// already limited to platform administrators).
func NewHandler(q *Queue, regional func(echo.Context) bool) *Handler {
	zone, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		zone = time.UTC
	}
	return &Handler{q: q, regional: regional, zone: zone}
}

func (h *Handler) jobs(c echo.Context) ([]Job, string, error) {
	if !h.regional(c) {
		return nil, "", fault.New(fault.ErrForbidden, "les tâches de fond concernent tous les établissements : elles sont réservées à l'administration régionale")
	}
	state := c.QueryParam("state")
	if state != "" && !ValidState(state) {
		return nil, "", fault.Invalidf("state", "état inconnu « %s » (attendu : running, retryable, available, scheduled, pending, completed, discarded, cancelled)", state)
	}
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	js, err := h.q.List(c.Request().Context(), state, limit)
	return js, state, err
}

func (h *Handler) list(c echo.Context) error {
	js, _, err := h.jobs(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"jobs": js})
}

// stateLabels are the French names of River's states.
var stateLabels = map[string]string{
	"running": "en cours", "retryable": "en échec, sera réessayée", "available": "prête", "scheduled": "planifiée",
	"pending": "en attente", "completed": "terminée", "discarded": "abandonnée", "cancelled": "annulée",
}

type consoleJob struct {
	Job
	StateLabel string
	When       string
}

// Console is the console page of the jobs (admin host, /console/taches).
func (h *Handler) Console(c echo.Context) error {
	js, state, err := h.jobs(c)
	if err != nil {
		return err
	}
	rows := make([]consoleJob, len(js))
	for i, j := range js {
		when := j.ScheduledAt
		if j.FinalizedAt != nil {
			when = *j.FinalizedAt
		}
		if j.Label == "" {
			j.Label = j.Kind
		}
		rows[i] = consoleJob{Job: j, StateLabel: stateLabels[j.State], When: when.In(h.zone).Format("02/01/2006 15:04")}
	}
	states := make([]map[string]string, 0, len(States))
	for _, s := range States {
		states = append(states, map[string]string{"Value": s, "Label": stateLabels[s]})
	}
	return c.Render(http.StatusOK, "jobs_console.html", web.Page{Title: "Tâches de fond", Data: map[string]any{
		"Jobs": rows, "State": state, "States": states}})
}
