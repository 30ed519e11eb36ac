package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
)

// actionLabels name the audit log's actions in French.
var actionLabels = map[string]string{
	"tenant.provision":       "Ouverture",
	"tenant.suspend":         "Suspension",
	"tenant.quota":           "Quota de stockage",
	"tenant.resume":          "Réouverture",
	"tenant.delete":          "Suppression",
	"tenant.purge":           "Effacement définitif",
	"tenant.import":          "Restauration depuis une archive",
	"tenant.export":          "Export (archive téléchargée)",
	"departement.opt_in":     "Adhésion du département",
	"directory.import_aaf":   "Import AAF",
	"billing.tariff":         "Tarif de la plateforme",
	"billing.close":          "Clôture du mois (facturation)",
	"billing.invoice":        "Facture d'un département",
	"billing.invoice_status": "État d'une facture",
	"billing.opt_out":        "Fin d'adhésion du département",
}

// journalRow is an audit entry as the console shows it.
type journalRow struct {
	At, Actor, Action, Subject, SubjectPage, Details string
}

// journal returns the latest audit entries of the viewer's scope, about subject when set.
func (h *Handler) journal(c echo.Context, subject string, limit int) ([]journalRow, error) {
	sc := tenant.ScopeOf(c)
	f := JournalFilter{Subject: subject, Limit: limit}
	if !sc.All {
		f.Departement = sc.Organisation
	}
	es, err := h.store.Journal(c.Request().Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]journalRow, 0, len(es))
	for _, e := range es {
		r := journalRow{At: h.stamp(e.At), Actor: strings.TrimPrefix(e.Actor, "user:"), Action: actionLabels[e.Action], Subject: e.Subject,
			Details: details(e.Details)}
		if r.Action == "" {
			r.Action = e.Action
		}
		if _, err := tenant.ParseUAI(e.Subject); err == nil {
			r.SubjectPage = "/console/journal?etablissement=" + e.Subject
		}
		out = append(out, r)
	}
	return out, nil
}

// details shows an entry's details as "key: value" pairs.
func details(raw string) string {
	var m map[string]any
	if json.Unmarshal([]byte(raw), &m) != nil || len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s : %v", k, m[k])
	}
	return strings.Join(parts, " · ")
}

// journalPage is the audit log of the viewer's scope, for one establishment if asked.
func (h *Handler) journalPage(c echo.Context) error {
	subject := strings.ToUpper(strings.TrimSpace(c.QueryParam("etablissement")))
	var problem string
	if subject != "" {
		u, err := tenant.ParseUAI(subject)
		if err != nil {
			fe, _ := userError(err)
			problem, subject = "Établissement : "+fe.Text, ""
		} else {
			subject = string(u)
		}
	}
	rows, err := h.journal(c, subject, 200)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "console_journal.html", "Journal des actions", map[string]any{
		"Rows": rows, "Subject": subject, "Problem": problem})
}
