package transfer

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// PermConsole is the région's list of transfers on the administration host: the région's
// administrators only (a transfer crosses départements and the région's lycées).
const PermConsole module.Permission = "transfer.console"

// ConsoleRoot is the console's page of transfers.
const ConsoleRoot = "/console/transferts"

// consoleLimit is how many transfers the page lists, newest first.
const consoleLimit = 200

type consolePage struct {
	Transfers []Transfer
	Counts    []statusCount
	Notice    string
}

type statusCount struct {
	Status Status
	N      int
}

func stamp(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.In(directory.SchoolZone).Format("02/01/2006 à 15:04")
}

func answerText(a *Answer) string {
	switch {
	case a == nil:
		return "pas de réponse"
	case *a == Accept:
		return "accepté"
	}
	return "refusé"
}

// AskedText is when the question was asked, in French.
func (x Transfer) AskedText() string { return stamp(&x.AskedAt) }

// CopiedText is when the copy ended, in French.
func (x Transfer) CopiedText() string { return stamp(x.CopiedAt) }

// PupilAnswerText is the pupil's answer in French.
func (x Transfer) PupilAnswerText() string { return answerText(x.PupilAnswer) }

// GuardianAnswerText is the guardian's answer in French.
func (x Transfer) GuardianAnswerText() string { return answerText(x.GuardianAnswer) }

// console lists the latest transfers with their states, without the pupils' names: the
// région follows the transfers, it does not need to know whose they are.
func (h *Handler) console(c echo.Context) error {
	xs, err := h.svc.List(c.Request().Context(), consoleLimit)
	if err != nil {
		return err
	}
	by := map[Status]int{}
	for _, x := range xs {
		by[x.Status]++
	}
	p := consolePage{Transfers: xs}
	if c.QueryParam("ok") == "relance" {
		p.Notice = "La copie est relancée : son état s'affiche ci-dessous dans quelques instants."
	}
	for _, st := range []Status{Asked, Accepted, Copying, Done, Refused, Expired, Failed} {
		if by[st] > 0 {
			p.Counts = append(p.Counts, statusCount{st, by[st]})
		}
	}
	return c.Render(http.StatusOK, "transfer_console.html", web.Page{Title: "Transferts de portfolios", Data: p})
}
