package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/tenant"
)

// tariffForm is the tariff form as typed: euros « 1 234,56 », the VAT in %, the key, the
// first month « YYYY-MM ».
type tariffForm struct {
	Effet, Plateforme, Eleve, Etablissement, Go, TVA, Cle string
}

// tariffFields map billing.SetTariff's fields to the form's.
var tariffFields = map[string]string{
	"EffectiveFrom": "effet", "PlatformMonth": "plateforme", "PupilMonth": "eleve", "SchoolMonth": "etablissement",
	"GBMonth": "go", "VATBasis": "tva", "Key": "cle",
}

// tariffView is a tariff version as the page lists it.
type tariffView struct {
	From, Platform, Pupil, School, GB, VAT, Key, By, At string
}

// keyLabels name the split keys in French.
var keyLabels = map[billing.Key]string{
	billing.KeyActivePupils:   "part des élèves actifs",
	billing.KeyEstablishments: "part des établissements",
	billing.KeyAccounts:       "part des comptes",
}

// tariffsPage lists the tariff versions and the form of a new one.
func (h *Handler) tariffsPage(c echo.Context) error {
	next := billing.MonthOf(h.cfg.Now()).AddDate(0, 1, 0)
	return h.renderTariffs(c, http.StatusOK, tariffForm{Effet: next.Format("2006-01"), TVA: "20", Cle: string(billing.KeyActivePupils)}, nil)
}

func (h *Handler) renderTariffs(c echo.Context, status int, f tariffForm, errs map[string]string) error {
	ts, err := h.cfg.Billing.Store.Tariffs(c.Request().Context())
	if err != nil {
		return err
	}
	var rows []tariffView
	for _, t := range ts {
		rows = append(rows, tariffView{From: billing.MonthName(t.EffectiveFrom), Platform: billing.FormatCents(t.PlatformMonth),
			Pupil: billing.FormatCents(t.PupilMonth), School: billing.FormatCents(t.SchoolMonth), GB: billing.FormatCents(t.GBMonth),
			VAT: billing.FormatBasis(t.VATBasis) + " %", Key: keyLabels[t.Key], By: strings.TrimPrefix(t.CreatedBy, "user:"), At: h.stamp(t.CreatedAt)})
	}
	msg := ""
	if c.QueryParam("message") == "tarif" {
		msg = "Le tarif est enregistré."
	}
	keys := []map[string]string{}
	for _, k := range []billing.Key{billing.KeyActivePupils, billing.KeyEstablishments, billing.KeyAccounts} {
		keys = append(keys, map[string]string{"Value": string(k), "Label": keyLabels[k]})
	}
	fields := []tariffField{
		{"effet", "Premier mois d'application", "month", f.Effet, "Format AAAA-MM, par exemple 2027-01.", errs["effet"]},
		{"plateforme", "Coût fixe de la plateforme par mois (€)", "text", f.Plateforme, "En euros, par exemple 1 234,56.", errs["plateforme"]},
		{"eleve", "Prix par élève actif et par mois (€)", "text", f.Eleve, "En euros, par exemple 0,85.", errs["eleve"]},
		{"etablissement", "Prix par établissement et par mois (€)", "text", f.Etablissement, "En euros, par exemple 120,00.", errs["etablissement"]},
		{"go", "Prix par Go-mois de stockage (€)", "text", f.Go, "En euros, par exemple 0,02.", errs["go"]},
		{"tva", "Taux de TVA (%)", "text", f.TVA, "Par exemple 20 ou 5,5.", errs["tva"]},
	}
	return render(c, status, "billing_tariffs.html", "Tarifs", map[string]any{"Tariffs": rows, "F": f, "Fields": fields, "Errors": len(errs) > 0,
		"General": errs["general"], "KeyError": errs["cle"], "Keys": keys, "Flash": msg})
}

// tariffField is one input of the tariff form with its error.
type tariffField struct {
	ID, Label, Type, Value, Hint, Error string
}

// setTariff records the form's tariff (billing.Store.SetTariff, which writes the audit log).
func (h *Handler) setTariff(c echo.Context) error {
	f := tariffForm{Effet: trimmed(c, "effet"), Plateforme: trimmed(c, "plateforme"), Eleve: trimmed(c, "eleve"),
		Etablissement: trimmed(c, "etablissement"), Go: trimmed(c, "go"), TVA: trimmed(c, "tva"), Cle: trimmed(c, "cle")}
	errs := map[string]string{}
	t := billing.Tariff{Key: billing.Key(f.Cle)}
	if m, err := time.Parse("2006-01", f.Effet); err != nil {
		errs["effet"] = "Indiquez le premier mois d'application au format AAAA-MM, par exemple 2027-01."
	} else {
		t.EffectiveFrom = m
	}
	for _, p := range []struct {
		field, typed string
		to           *billing.Cents
	}{{"plateforme", f.Plateforme, &t.PlatformMonth}, {"eleve", f.Eleve, &t.PupilMonth}, {"etablissement", f.Etablissement, &t.SchoolMonth}, {"go", f.Go, &t.GBMonth}} {
		c, msg := parseEuros(p.typed)
		if msg != "" {
			errs[p.field] = msg
		}
		*p.to = c
	}
	if b, msg := parsePercent(f.TVA); msg != "" {
		errs["tva"] = msg
	} else {
		t.VATBasis = b
	}
	if len(errs) == 0 {
		_, err := h.cfg.Billing.Store.SetTariff(c.Request().Context(), tenant.ActorOf(c), t)
		if err == nil {
			return redirect(c, "/console/facturation/tarifs", "tarif")
		}
		fe, ok := userError(err)
		if !ok {
			return err
		}
		field := tariffFields[fe.Field]
		if field == "" {
			field = "general"
		}
		errs[field] = fe.Text
	}
	return h.renderTariffs(c, http.StatusUnprocessableEntity, f, errs)
}

// parseEuros reads an amount of euros as French users type it (« 1 234,56 », « 12 », « 0,5 »,
// a point accepted for the comma, an optional « € ») into cents; msg says in French what is
// wrong.
func parseEuros(s string) (billing.Cents, string) {
	clean := strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "€", "").Replace(strings.TrimSpace(s))
	if clean == "" {
		return 0, "Indiquez un montant en euros, par exemple 1 234,56 (0 si rien)."
	}
	clean = strings.Replace(clean, ",", ".", 1)
	whole, frac, _ := strings.Cut(clean, ".")
	if len(frac) > 2 {
		return 0, "« " + s + " » a plus de deux décimales : un montant s'écrit au centime près, par exemple 1 234,56."
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	if strings.HasPrefix(whole, "-") {
		return 0, "Un montant ne peut pas être négatif (« " + s + " »)."
	}
	w, err1 := strconv.ParseUint(whole, 10, 40)
	f, err2 := strconv.ParseUint(frac, 10, 8)
	if err1 != nil || err2 != nil {
		return 0, "« " + s + " » n'est pas un montant : écrivez des chiffres, par exemple 1 234,56."
	}
	return billing.Cents(w*100 + f), ""
}

// parsePercent reads a VAT rate in % (« 20 », « 5,5 ») into basis points.
func parsePercent(s string) (int64, string) {
	c, msg := parseEuros(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if msg != "" || c > 10000 {
		return 0, "Indiquez le taux de TVA en pourcentage, entre 0 et 100, par exemple 20 ou 5,5."
	}
	return int64(c), ""
}
