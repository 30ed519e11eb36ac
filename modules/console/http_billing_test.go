package console

// The billing pages through the real router, PostgreSQL and Kratos sessions, with simple
// stand-ins for the metering, the dry run, the close and the opt-out (built on the real
// allocation and tariffs): the région sees and does everything, a département's
// administrator sees its own figures only, nothing exists on an establishment's host.

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/billing/billingtest"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/pdfdoc/pdftest"
)

var (
	september = time.Date(2026, time.September, 1, 0, 0, 0, 0, time.UTC)
	october   = time.Date(2026, time.October, 1, 0, 0, 0, 0, time.UTC)
	november  = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
)

// billingSite is the console with the billing wired on stand-ins, three payers' establishments
// and their administrators.
type billingSite struct {
	*moduletest.Site
	store                  *billing.Store
	region, gironde        directorytest.Member
	lycee, verne, perigord *tenant.Tenant
}

func newBillingSite(t *testing.T) *billingSite {
	t.Helper()
	s := moduletest.New(t, moduletest.Options{Now: time.Date(2026, time.November, 18, 10, 0, 0, 0, billing.Paris), Templates: []fs.FS{Templates}, LogWarnings: true})
	s.Srv.Admin().Use(s.Auth.Platform)
	tenanttest.OptIn(t, s.Reg, "33")
	tenanttest.OptIn(t, s.Reg, "24")
	b := &billingSite{Site: s, store: billing.NewStore(s.Reg.Platform(), s.Clock.Now)}
	b.lycee = tenanttest.Provision(t, s.Reg, tenanttest.UAI(33, 1), "Lycée Montaigne", "lycee")
	b.verne = tenanttest.Provision(t, s.Reg, tenanttest.UAI(33, 2), "Collège Jules-Verne", "college")
	b.perigord = tenanttest.Provision(t, s.Reg, tenanttest.UAI(24, 3), "Collège du Périgord", "college")
	b.region = s.Env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	b.gironde = s.Env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")

	usage := func(_ context.Context, m time.Time) ([]billing.Usage, error) { return b.usageOf(m), nil }
	h := NewHandler(Config{Registry: s.Reg, Now: s.Clock.Now, TenantURL: func(slug string) string { return "http://" + slug + ".cartable.test/" },
		Billing: &Billing{
			Store: b.store,
			Usage: usage,
			Preview: func(ctx context.Context, m time.Time) ([]billing.Statement, billing.Tariff, error) {
				tr, err := b.store.TariffFor(ctx, m)
				if err != nil {
					return nil, tr, err
				}
				sts, err := billing.Allocate(m, tr, b.usageOf(m))
				return sts, tr, err
			},
			Close: func(ctx context.Context, m time.Time, actor string) error {
				billingtest.CloseMonth(t, b.store, m, b.usageOf(m))
				return b.store.DB().Exec(`INSERT INTO platform.audit_log (actor, action, subject, details) VALUES (?, 'billing.close', 'region', '{}')`, actor).Error
			},
			OptOut: func(ctx context.Context, code string, eff time.Time, actor string) error {
				return b.store.DB().Exec(`UPDATE platform.organisations SET opt_out_date = ?, opted_out_at = now() WHERE code = ?`, eff, code).Error
			},
		}})
	if err := s.Auth.MountModule(identity.Hosts{Admin: s.Srv.Admin(), Tenant: s.Srv.Tenants()}, h.Module()); err != nil {
		t.Fatal(err)
	}
	return b
}

// usageOf is a month's usage: the lycée (the région's), Jules-Verne (Gironde's, from the
// 16th in October) and the Périgord's collège (Dordogne's).
func (b *billingSite) usageOf(m time.Time) []billing.Usage {
	days := time.Date(m.Year(), m.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	verne := days
	if m.Equal(october) {
		verne = 16
	}
	return []billing.Usage{
		{UAI: string(b.lycee.UAI), Name: b.lycee.Name, Kind: "lycee", Payer: billing.RegionPayer, BilledDays: days, DaysInMonth: days, ActivePupils: 800, Accounts: 1500, ByteDays: int64(days) * 20e9},
		{UAI: string(b.verne.UAI), Name: b.verne.Name, Kind: "college", Payer: "33", BilledDays: verne, DaysInMonth: days, ActivePupils: 400, Accounts: 700, ByteDays: int64(days) * 5e9},
		{UAI: string(b.perigord.UAI), Name: b.perigord.Name, Kind: "college", Payer: "24", BilledDays: days, DaysInMonth: days, ActivePupils: 200, Accounts: 300},
	}
}

// admin serves a request on the administration host as m (a session token).
func (b *billingSite) admin(m directorytest.Member, method, path string, form url.Values) *httptest.ResponseRecorder {
	b.T.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, body)
	req.Host = "admin." + moduletest.BaseDomain
	req.Header.Set("X-Session-Token", m.Token)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	b.Srv.ServeHTTP(rec, req)
	return rec
}

func (b *billingSite) get(m directorytest.Member, path string) *httptest.ResponseRecorder {
	b.T.Helper()
	return b.admin(m, http.MethodGet, path, nil)
}

// TestBillingConsole walks the billing pages as the région and as Gironde's administrator.
func TestBillingConsole(t *testing.T) {
	b := newBillingSite(t)
	billingtest.Tariff(t, b.store, september)
	oct := billingtest.CloseMonth(t, b.store, october, b.usageOf(october)) // région, 24, 33
	billingtest.Invoice(t, b.store, october, "33", "open", "https://invoice.stripe.com/i/gironde-oct", oct[2].Gross)
	billingtest.Invoice(t, b.store, october, "24", "payment_failed", "https://invoice.stripe.com/i/dordogne-oct", oct[1].Gross)
	want := moduletest.WantIn
	wantNot := moduletest.WantNotIn
	code := moduletest.WantCode

	t.Run("the région: a closed month per payer and establishment, the year's chart and its table", func(t *testing.T) {
		rec := b.get(b.region, "/console/facturation?mois=2026-10")
		code(t, rec, http.StatusOK, "overview")
		want(t, rec, "overview", "Facturation — octobre 2026", "Mois clos", "Gironde", "Dordogne", b.lycee.Name, b.verne.Name, b.perigord.Name, "16/31",
			billing.FormatCents(oct[0].Net), billing.FormatCents(oct[1].Net), billing.FormatCents(oct[2].Gross),
			`href="/console/facturation/releves/2026-10?payeur=33"`, `role="img"`, "<title id=\"chart-title\">", "<desc id=\"chart-desc\">",
			`href="/console/facturation/tarifs"`, "/console/facturation/usage.csv?mois=2026-10")
		// The chart's table: October's row has each payer's cost, November's is provisional.
		body := rec.Body.String()
		table := body[strings.Index(body, `<caption id="annee-table">`):]
		row := table[strings.Index(table, "octobre 2026"):]
		row = row[:strings.Index(row, "</tr>")]
		for _, st := range oct {
			if !strings.Contains(row, billing.FormatCents(st.Net)) {
				t.Errorf("the chart's table lacks %s's %s in October: %s", st.Payer, billing.FormatCents(st.Net), row)
			}
		}
		if !strings.Contains(table, "novembre 2026 (provisoire)") {
			t.Errorf("the chart's table lacks the provisional November")
		}
		if strings.Count(body[:strings.Index(body, `<caption id="annee-table">`)], "<rect ") < 6 {
			t.Errorf("the chart has fewer than 6 bars' segments (2 months × 3 payers)")
		}
		rec = b.get(b.region, "/console/facturation")
		code(t, rec, http.StatusOK, "open month")
		want(t, rec, "open month", "novembre 2026", "provisoires", b.verne.Name, "Clore le mois")
	})

	t.Run("Gironde sees its collèges only, never another payer's", func(t *testing.T) {
		rec := b.get(b.gironde, "/console/facturation?mois=2026-10")
		code(t, rec, http.StatusOK, "overview")
		want(t, rec, "overview", b.verne.Name, billing.FormatCents(oct[2].Gross), `href="/console/facturation/releves/2026-10?payeur=33"`)
		wantNot(t, rec, "overview", b.lycee.Name, b.perigord.Name, "Dordogne", "/console/facturation/tarifs", "Clore le mois", billing.FormatCents(oct[0].Net))
		rec = b.get(b.gironde, "/console/facturation/releves/2026-10")
		code(t, rec, http.StatusOK, "own statement")
		want(t, rec, "own statement", "Relevé de répartition — octobre 2026 — Gironde", "TVA (20 %)", oct[2].Lines[0].Label,
			"https://invoice.stripe.com/i/gironde-oct", "émise")
		for _, p := range []string{"/console/facturation/releves/2026-10?payeur=24", "/console/facturation/releves/2026-10.pdf?payeur=24",
			"/console/facturation/releves/2026-10.csv?payeur=region", "/console/facturation/releves/2026-10?payeur=region"} {
			rec := b.get(b.gironde, p)
			code(t, rec, http.StatusNotFound, p)
			wantNot(t, rec, p, "Dordogne", "Lycée")
		}
		for _, p := range []string{"/console/facturation/tarifs", "/console/facturation/cloture?mois=2026-09"} {
			code(t, b.get(b.gironde, p), http.StatusForbidden, p)
		}
		code(t, b.admin(b.gironde, http.MethodPost, "/console/facturation/cloture", url.Values{"mois": {"2026-09"}, "confirmation": {"oui"}}), http.StatusForbidden, "close")
		code(t, b.admin(b.gironde, http.MethodPost, "/console/facturation/tarifs", url.Values{"effet": {"2026-12"}}), http.StatusForbidden, "tariff")
		code(t, b.admin(b.gironde, http.MethodPost, "/console/departements/33/fin-adhesion", url.Values{"opt_out_date": {"2027-09-01"}, "confirmation": {"oui"}}), http.StatusForbidden, "opt-out")
		rec = b.get(b.gironde, "/console/facturation/factures")
		want(t, rec, "invoices", "https://invoice.stripe.com/i/gironde-oct", "émise", "/console/facturation/releves/2026-10.pdf?payeur=33")
		wantNot(t, rec, "invoices", "dordogne-oct", "Dordogne")
		rec = b.get(b.gironde, "/console/facturation/usage.csv?mois=2026-10")
		code(t, rec, http.StatusOK, "usage csv")
		want(t, rec, "usage csv", "\ufeffMois;UAI;", string(b.verne.UAI)+";Collège Jules-Verne;33;16;31;400;700;5,00")
		wantNot(t, rec, "usage csv", string(b.lycee.UAI), string(b.perigord.UAI))
		rec = b.get(b.gironde, "/console/facturation")
		want(t, rec, "open month", b.verne.Name, "provisoire")
		wantNot(t, rec, "open month", b.lycee.Name, b.perigord.Name)
	})

	t.Run("the statement as PDF and CSV", func(t *testing.T) {
		rec := b.get(b.gironde, "/console/facturation/releves/2026-10.pdf")
		code(t, rec, http.StatusOK, "pdf")
		if ct := rec.Header().Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("Content-Type %q", ct)
		}
		text := strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(pdftest.Text(t, rec.Body.Bytes()))
		for _, w := range []string{"Relevé de répartition — octobre 2026 — Gironde", "Total TTC", strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(billing.FormatCents(oct[2].Gross)), "Collège Jules-Verne"} {
			if !strings.Contains(text, w) {
				t.Errorf("the PDF lacks %q:\n%s", w, text)
			}
		}
		rec = b.get(b.region, "/console/facturation/releves/2026-10.csv?payeur=24")
		code(t, rec, http.StatusOK, "csv")
		want(t, rec, "csv", "\ufeffMois;Payeur;UAI;Libellé;Calcul;Montant HT (€)", "2026-10;Dordogne;;Total TTC;;")
	})

	t.Run("the région sets a tariff; a wrong amount is named next to its field", func(t *testing.T) {
		form := url.Values{"effet": {"2026-12"}, "plateforme": {"1 234,56"}, "eleve": {"0,8"}, "etablissement": {"12"}, "go": {"0,02"}, "tva": {"5,5"}, "cle": {"etablissements"}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("eleve", "0,855")
		rec := b.admin(b.region, http.MethodPost, "/console/facturation/tarifs", bad)
		code(t, rec, http.StatusUnprocessableEntity, "bad tariff")
		want(t, rec, "bad tariff", "plus de deux décimales", `id="f-eleve-error"`, `aria-invalid="true"`, `value="1 234,56"`)
		bad.Set("eleve", "0,8")
		bad.Set("effet", "2026-10")
		rec = b.admin(b.region, http.MethodPost, "/console/facturation/tarifs", bad)
		code(t, rec, http.StatusUnprocessableEntity, "closed month's tariff")
		want(t, rec, "closed month's tariff", "déjà clos", `id="f-effet-error"`)
		rec = b.admin(b.region, http.MethodPost, "/console/facturation/tarifs", form)
		code(t, rec, http.StatusSeeOther, "tariff")
		ts, err := b.store.Tariffs(t.Context())
		if err != nil || len(ts) != 2 || ts[0].PlatformMonth != 123456 || ts[0].PupilMonth != 80 || ts[0].SchoolMonth != 1200 || ts[0].GBMonth != 2 || ts[0].VATBasis != 550 || ts[0].Key != billing.KeyEstablishments {
			t.Fatalf("tariffs = %+v, %v", ts, err)
		}
		rec = b.get(b.region, "/console/facturation/tarifs?message=tarif")
		want(t, rec, "tariffs", "Le tarif est enregistré", "décembre 2026", "1 234,56", "5,5 %", "part des établissements")
		rec = b.get(b.region, "/console/journal")
		want(t, rec, "journal", "Tarif de la plateforme")
	})

	t.Run("the close: refusals, dry run, confirmation", func(t *testing.T) {
		rec := b.get(b.region, "/console/facturation/cloture?mois=2026-11")
		want(t, rec, "open month", "pas terminé")
		wantNot(t, rec, "open month", "Je confirme")
		rec = b.get(b.region, "/console/facturation/cloture?mois=2026-10")
		want(t, rec, "closed month", "déjà clos")
		rec = b.get(b.region, "/console/facturation/cloture?mois=2026-08")
		want(t, rec, "no tariff", "Aucun tarif")
		rec = b.get(b.region, "/console/facturation/cloture")
		code(t, rec, http.StatusOK, "dry run of the previous month")
		want(t, rec, "dry run", "Clôture de octobre 2026", "déjà clos")
		rec = b.get(b.region, "/console/facturation/cloture?mois=2026-09")
		code(t, rec, http.StatusOK, "dry run")
		want(t, rec, "dry run", "Simulation", "Gironde", "Dordogne", "Région", "Coûts fixes de la plateforme", "Je confirme la clôture de septembre 2026")
		rec = b.admin(b.region, http.MethodPost, "/console/facturation/cloture", url.Values{"mois": {"2026-09"}})
		code(t, rec, http.StatusUnprocessableEntity, "unconfirmed")
		want(t, rec, "unconfirmed", "Cochez la case", "a été clos")
		if _, closed, _ := b.store.ClosedMonth(t.Context(), september); closed {
			t.Fatal("an unconfirmed close closed the month")
		}
		rec = b.admin(b.region, http.MethodPost, "/console/facturation/cloture", url.Values{"mois": {"2026-09"}, "confirmation": {"oui"}})
		code(t, rec, http.StatusSeeOther, "close")
		if _, closed, _ := b.store.ClosedMonth(t.Context(), september); !closed {
			t.Fatal("the confirmed close left the month open")
		}
		rec = b.get(b.region, rec.Header().Get("Location"))
		want(t, rec, "after the close", "Le mois de septembre 2026 est clos")
		rec = b.admin(b.region, http.MethodPost, "/console/facturation/cloture", url.Values{"mois": {"2026-09"}, "confirmation": {"oui"}})
		code(t, rec, http.StatusConflict, "closed twice")
		want(t, rec, "closed twice", "déjà clos")
	})

	t.Run("the région records Dordogne's opt-out after confirmation", func(t *testing.T) {
		rec := b.get(b.region, "/console/departements/24")
		want(t, rec, "département", "Fin d'adhésion", "Aucune fin d'adhésion", `action="/console/departements/24/fin-adhesion"`)
		rec = b.get(b.gironde, "/console/departements/33")
		wantNot(t, rec, "Gironde's page", "fin-adhesion")
		rec = b.admin(b.region, http.MethodPost, "/console/departements/24/fin-adhesion", url.Values{"opt_out_date": {"2027-09-01"}})
		code(t, rec, http.StatusUnprocessableEntity, "unconfirmed opt-out")
		want(t, rec, "unconfirmed opt-out", "Cochez la case", `value="2027-09-01"`)
		rec = b.admin(b.region, http.MethodPost, "/console/departements/24/fin-adhesion", url.Values{"opt_out_date": {"demain"}, "confirmation": {"oui"}})
		code(t, rec, http.StatusUnprocessableEntity, "unreadable date")
		want(t, rec, "unreadable date", "Date de fin d&#39;adhésion", "illisible")
		rec = b.admin(b.region, http.MethodPost, "/console/departements/24/fin-adhesion", url.Values{"opt_out_date": {"2027-09-01"}, "confirmation": {"oui"}})
		code(t, rec, http.StatusSeeOther, "opt-out")
		rec = b.get(b.region, "/console/departements/24?message=fin")
		want(t, rec, "after the opt-out", "quitte Cartable le 01/09/2027", "La fin d&#39;adhésion du département est enregistrée")
	})

	t.Run("no billing on an establishment's host", func(t *testing.T) {
		for _, p := range []string{"/console/facturation", "/console/facturation/factures", "/console/facturation/releves/2026-10.pdf"} {
			req := httptest.NewRequest(http.MethodGet, p, nil)
			req.Host = moduletest.Host(b.lycee)
			req.Header.Set("X-Session-Token", b.region.Token)
			rec := httptest.NewRecorder()
			b.Srv.ServeHTTP(rec, req)
			code(t, rec, http.StatusNotFound, p)
		}
	})
}

func TestParseEuros(t *testing.T) {
	for typed, want := range map[string]billing.Cents{"1 234,56": 123456, "1\u202f234,56 €": 123456, "12": 1200, "0,5": 50, "0.05": 5, ",5": 50, "0": 0} {
		if got, msg := parseEuros(typed); got != want || msg != "" {
			t.Errorf("parseEuros(%q) = %d, %q; want %d", typed, got, msg, want)
		}
	}
	for _, typed := range []string{"", "12,345", "-3", "douze", "1,2,3"} {
		if _, msg := parseEuros(typed); msg == "" {
			t.Errorf("parseEuros(%q) accepted", typed)
		}
	}
	if b, msg := parsePercent("5,5 %"); b != 550 || msg != "" {
		t.Errorf("parsePercent = %d, %q", b, msg)
	}
	if _, msg := parsePercent("120"); msg == "" {
		t.Error("a VAT of 120 % accepted")
	}
}
