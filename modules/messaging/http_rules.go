package messaging

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// rulesView is the rules page: the matrix, a row per sender's profile.
type rulesView struct {
	Profiles []Profile
	Rows     []rulesRow
	Defaults bool
	Saved    bool
	Reset    bool
	Error    string
	Field    string // the link the error is about
}

type rulesRow struct {
	From  Profile
	Cells []rulesCell
}

type rulesCell struct {
	From, To Profile
	Key      string
	Current  Scope
	Choices  []Scope
	Default  Scope
}

func matrix(r Rules) []rulesRow {
	def := DefaultRules()
	var rows []rulesRow
	for _, from := range Profiles {
		row := rulesRow{From: from}
		for _, to := range Profiles {
			cell := rulesCell{From: from, To: to, Key: FormKey(from, to), Current: r.Scope(from, to), Default: def.Scope(from, to)}
			for _, s := range Scopes {
				if s != Family || familyPair(from, to) {
					cell.Choices = append(cell.Choices, s)
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

func (h *Handler) rulesPage(c echo.Context) error {
	r, def, err := h.svc.Rules(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "messagerie_regles.html", "Règles de la messagerie",
		rulesView{Profiles: Profiles, Rows: matrix(r), Defaults: def, Saved: c.QueryParam("enregistre") == "1", Reset: c.QueryParam("reinitialise") == "1"})
}

func (h *Handler) saveRules(c echo.Context) error {
	params, err := c.FormParams()
	if err != nil {
		return fault.Decoding(err)
	}
	f := RulesForm{}
	for k := range params {
		f[k] = params.Get(k)
	}
	_, err = h.svc.SaveRules(c.Request().Context(), web.TenantOf(c), f)
	var m *fault.Message
	if errors.As(err, &m) && errors.Is(err, fault.ErrInvalid) {
		// The refused matrix is shown as posted, the wrong cell named.
		posted := Rules{}
		for _, from := range Profiles {
			for _, to := range Profiles {
				posted[Link{from, to}] = Scope(f[FormKey(from, to)])
			}
		}
		return render(c, http.StatusUnprocessableEntity, "messagerie_regles.html", "Règles de la messagerie",
			rulesView{Profiles: Profiles, Rows: matrix(posted), Error: m.Text, Field: m.Field})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/regles?enregistre=1")
}

func (h *Handler) confirmReset(c echo.Context) error {
	return render(c, http.StatusOK, "messagerie_regles_reinitialiser.html", "Revenir aux règles par défaut", nil)
}

func (h *Handler) resetRules(c echo.Context) error {
	if err := h.svc.ResetRules(c.Request().Context(), web.TenantOf(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/regles?reinitialise=1")
}
