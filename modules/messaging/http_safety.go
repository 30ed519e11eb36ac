package messaging

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// The safety pages: the settings (direction), suspended accounts (direction), reporting a
// message (its recipients) and the reports (vie scolaire, direction).

// safetyRoutes are the safety's pages and API, one line per route.
func (h *Handler) safetyRoutes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/messagerie/reglages", PermRules, h.settingsPage),
		module.Post(t, "/messagerie/reglages", PermRules, h.saveSettings),
		module.Get(t, "/messagerie/suspensions", PermRules, h.suspensionsPage),
		module.Post(t, "/messagerie/suspensions", PermRules, h.suspend),
		module.Post(t, "/messagerie/suspensions/:id/lever", PermRules, h.lift),
		module.Get(t, "/messagerie/messages/:id/signaler", PermUse, h.reportPage),
		module.Post(t, "/messagerie/messages/:id/signaler", PermUse, h.report),
		module.Get(t, "/messagerie/signalements", PermReports, h.reportsPage),
		module.Get(t, "/messagerie/signalements/:id", PermReports, h.reportedPage),
		module.Post(t, "/messagerie/signalements/:id/traiter", PermReports, h.handleReport),
		module.Get(t, "/messagerie/signalements/:id/pieces/:piece", PermReports, h.reportedDownload),
		module.Get(t, "/api/v1/messagerie/reglages", PermRules, h.apiSettings).AsAPI(),
		module.Put(t, "/api/v1/messagerie/reglages", PermRules, h.apiSaveSettings).AsAPI(),
		module.Get(t, "/api/v1/messagerie/suspensions", PermRules, h.apiSuspensions).AsAPI(),
		module.Put(t, "/api/v1/messagerie/suspensions/:id", PermRules, h.apiSuspend).AsAPI(),
		module.Delete(t, "/api/v1/messagerie/suspensions/:id", PermRules, h.apiLift).AsAPI(),
		module.Post(t, "/api/v1/messages/:id/signalement", PermUse, h.apiReport).AsAPI(),
		module.Get(t, "/api/v1/signalements", PermReports, h.apiReports).AsAPI(),
		module.Get(t, "/api/v1/signalements/:id", PermReports, h.apiReported).AsAPI(),
		module.Post(t, "/api/v1/signalements/:id/traitement", PermReports, h.apiHandleReport).AsAPI(),
	}
}

// formError is a refused form's message and the field it is about.
func formError(err error) (text, field string, ok bool) {
	var m *fault.Message
	if errors.As(err, &m) && (errors.Is(err, fault.ErrInvalid) || errors.Is(err, fault.ErrConflict)) {
		return m.Text, m.Field, true
	}
	return "", "", false
}

func formStatus(err error) int {
	if errors.Is(err, fault.ErrConflict) {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// settingsView is the settings page.
type settingsView struct {
	Input        SettingsInput
	Retention    string // as typed
	Suspension   *Suspension
	Saved        bool
	Error, Field string
}

const settingsTitle = "Réglages de la messagerie"

func (h *Handler) settingsPage(c echo.Context) error {
	set, err := h.svc.Settings(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	in := set.Input()
	return render(c, http.StatusOK, "messagerie_reglages.html", settingsTitle,
		settingsView{Input: in, Retention: strconv.Itoa(in.RetentionYears), Suspension: set.Suspension, Saved: c.QueryParam("enregistre") == "1"})
}

func (h *Handler) saveSettings(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	in := SettingsInput{HoursFrom: c.FormValue("debut"), HoursTo: c.FormValue("fin"), Suspended: c.FormValue("suspendue") == "1", Reason: c.FormValue("motif")}
	raw := strings.TrimSpace(c.FormValue("conservation"))
	ctx, t := c.Request().Context(), web.TenantOf(c)
	years, convErr := strconv.Atoi(raw)
	if convErr == nil {
		in.RetentionYears = years
		_, err = h.svc.SaveSettings(ctx, t, person, in)
	} else {
		err = fault.NewField(fault.ErrInvalid, fieldRetention, "la durée de conservation est un nombre d'années, de %d à %d", minRetentionYears, maxRetentionYears)
	}
	if text, field, ok := formError(err); ok {
		set, lerr := h.svc.Settings(ctx, t)
		if lerr != nil {
			return lerr
		}
		return render(c, formStatus(err), "messagerie_reglages.html", settingsTitle,
			settingsView{Input: in, Retention: raw, Suspension: set.Suspension, Error: text, Field: field})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/reglages?enregistre=1")
}

// suspensionsView is the suspended accounts' page, with the search for a person to suspend.
type suspensionsView struct {
	Accounts     []SuspendedAccount
	Query        string
	Found        []Person
	Searched     bool
	Done         string
	Error, Field string
	Person       string // the person the error is about
}

func (h *Handler) suspensionsPage(c echo.Context) error {
	v := suspensionsView{Query: strings.TrimSpace(c.QueryParam("q"))}
	switch c.QueryParam("fait") {
	case "suspendu":
		v.Done = "Le compte est suspendu : il ne peut plus envoyer de messages."
	case "leve":
		v.Done = "La suspension est levée : le compte peut de nouveau envoyer des messages."
	}
	return h.renderSuspensions(c, http.StatusOK, v)
}

func (h *Handler) renderSuspensions(c echo.Context, status int, v suspensionsView) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	var err error
	if v.Accounts, err = h.svc.Suspensions(ctx, t); err != nil {
		return err
	}
	if v.Query != "" {
		v.Searched = true
		if v.Found, err = h.svc.FindPeople(ctx, t, v.Query); err != nil {
			return err
		}
	}
	return render(c, status, "messagerie_suspensions.html", "Comptes suspendus de la messagerie", v)
}

func (h *Handler) suspend(c echo.Context) error {
	by, err := me(c)
	if err != nil {
		return err
	}
	target, err := uuid.Parse(c.FormValue("personne"))
	if err != nil {
		return fault.New(fault.ErrNotFound, "cette personne n'est pas dans l'annuaire de l'établissement")
	}
	err = h.svc.SuspendAccount(c.Request().Context(), web.TenantOf(c), by, target, c.FormValue("motif"))
	if text, field, ok := formError(err); ok {
		return h.renderSuspensions(c, formStatus(err), suspensionsView{Query: c.FormValue("q"), Error: text, Field: field, Person: target.String()})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/suspensions?fait=suspendu")
}

func (h *Handler) lift(c echo.Context) error {
	target, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return fault.New(fault.ErrNotFound, "ce compte n'est pas suspendu")
	}
	if err := h.svc.LiftSuspension(c.Request().Context(), web.TenantOf(c), target); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/suspensions?fait=leve")
}

// reportView is the form that reports a message.
type reportView struct {
	Message      uuid.UUID
	Subject      string
	Reason       string
	Done         bool // just reported
	Error, Field string
}

func (h *Handler) reportPage(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	// Only a participant has the conversation's subject (anyone else: not found).
	_, _, subject, err := h.svc.ReplyDraft(c.Request().Context(), web.TenantOf(c), person, id, false)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "messagerie_signaler.html", "Signaler ce message à la vie scolaire",
		reportView{Message: id, Subject: subject, Done: c.QueryParam("fait") == "1"})
}

func (h *Handler) report(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	reason := c.FormValue("motif")
	_, err = h.svc.Report(ctx, t, person, id, reason)
	if text, field, ok := formError(err); ok {
		_, _, subject, serr := h.svc.ReplyDraft(ctx, t, person, id, false)
		if serr != nil {
			return serr
		}
		return render(c, formStatus(err), "messagerie_signaler.html", "Signaler ce message à la vie scolaire",
			reportView{Message: id, Subject: subject, Reason: reason, Error: text, Field: field})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/messages/"+id.String()+"/signaler?fait=1")
}

// reportsView is the vie scolaire's list of reports.
type reportsView struct {
	Handled bool
	Reports []Report
}

func (h *Handler) reportsPage(c echo.Context) error {
	handled := c.QueryParam("traites") == "1"
	rs, err := h.svc.Reports(c.Request().Context(), web.TenantOf(c), handled)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "messagerie_signalements.html", "Messages signalés", reportsView{Handled: handled, Reports: rs})
}

// reportedView is one report with its conversation, read-only.
type reportedView struct {
	*ReportedThread
	Comment      string
	Done         bool
	Error, Field string
}

func parseReport(raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, reportNotFound
	}
	return id, nil
}

func (h *Handler) reportedPage(c echo.Context) error {
	id, err := parseReport(c.Param("id"))
	if err != nil {
		return err
	}
	rt, err := h.svc.ReportedConversation(c.Request().Context(), web.TenantOf(c), id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "messagerie_signalement.html", "Signalement : "+rt.Report.Subject, reportedView{ReportedThread: rt, Done: c.QueryParam("traite") == "1"})
}

func (h *Handler) handleReport(c echo.Context) error {
	by, err := me(c)
	if err != nil {
		return err
	}
	id, err := parseReport(c.Param("id"))
	if err != nil {
		return err
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	comment := c.FormValue("commentaire")
	err = h.svc.HandleReport(ctx, t, by, id, comment)
	if text, field, ok := formError(err); ok {
		rt, rerr := h.svc.ReportedConversation(ctx, t, id)
		if rerr != nil {
			return rerr
		}
		return render(c, formStatus(err), "messagerie_signalement.html", "Signalement : "+rt.Report.Subject,
			reportedView{ReportedThread: rt, Comment: comment, Error: text, Field: field})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/signalements/"+id.String()+"?traite=1")
}

// reportedDownload serves an attachment of a reported conversation to the vie scolaire.
func (h *Handler) reportedDownload(c echo.Context) error {
	report, err := parseReport(c.Param("id"))
	if err != nil {
		return err
	}
	id, err := parseID(c.Param("piece"))
	if err != nil {
		return err
	}
	_, fc, err := h.svc.ReportedDownload(c.Request().Context(), web.TenantOf(c), report, id)
	if err != nil {
		return err
	}
	return files.Serve(c, fc, false)
}
