package attendance

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/csvout"
	"github.com/cartable-ent/cartable/web/fault"
)

// eventView is an event as the vie scolaire's and families' lists show it.
type eventView struct {
	ID, Pupil, Href, Class, Kind, When, State, Motif, MotifID, Comment, Action string
	Pending, Justifiable                                                       bool
	Justifications                                                             []justificationView
}

type justificationView struct {
	ID, Guardian, Motif, Comment, State, Answer, AnsweredBy, At, AnsweredAt string
	Declared                                                                bool
	Files                                                                   []fileView
	Event                                                                   eventView
}

func justificationViewOf(j Justification) justificationView {
	v := justificationView{ID: j.ID.String(), Guardian: j.Guardian, Motif: j.Motif, Comment: j.Comment, State: j.StateLabel(), Answer: j.Answer,
		AnsweredBy: j.AnsweredBy, At: frTime(j.CreatedAt), Declared: j.Declared, Files: fileViews(j.Files)}
	if j.AnsweredAt != nil {
		v.AnsweredAt = frTime(*j.AnsweredAt)
	}
	return v
}

func eventViewOf(e Event) eventView {
	v := eventView{ID: e.ID.String(), Pupil: e.Pupil, Href: "/absences/eleves/" + e.PupilID.String(), Class: e.ClassLabel, Kind: e.Kind.Label(),
		When: e.Start.French() + " – " + e.End.French(), State: e.State.Label(), Motif: e.Motif, Comment: e.Comment,
		Action: "/vie-scolaire/absences/" + e.ID.String(), Pending: e.State == Pending, Justifiable: e.Justifiable()}
	for _, j := range e.Justifications {
		v.Justifications = append(v.Justifications, justificationViewOf(j))
	}
	if e.Kind == KindLateness && e.Minutes > 0 {
		v.When = e.Start.French() + " (" + strconv.Itoa(e.Minutes) + " min)"
	}
	if e.MotifID.String() != "00000000-0000-0000-0000-000000000000" {
		v.MotifID = e.MotifID.String()
	}
	return v
}

// schoolDayOf reads the vie scolaire's day of ?jour= and the justifications waiting (the
// page and the API).
func (h *Handler) schoolDayOf(c echo.Context) (time.Time, *SchoolDay, []Justification, error) {
	d, err := h.dayParam(c)
	if err != nil {
		return d, nil, nil, err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	sd, err := h.svc.SchoolDay(ctx, t, a, d)
	if err != nil {
		return d, nil, nil, err
	}
	js, err := h.svc.PendingJustifications(ctx, t, a)
	return d, sd, js, err
}

// schoolDay is the vie scolaire's day: registers not taken, events to process.
func (h *Handler) schoolDay(c echo.Context) error {
	d, sd, js, err := h.schoolDayOf(c)
	if err != nil {
		return err
	}
	v := struct {
		Nav            dayNav
		Untaken        []registerView
		Pending, Done  []eventView
		Justifications []justificationView
		Declared       []declarationView // waiting for an answer
		DeclaredDay    []declarationView // answered, of the day
		Motifs         []Motif
		Taken, Total   int
		Notice, Return string
	}{Nav: h.navOf("/vie-scolaire", d), Taken: sd.Taken, Total: sd.Total, Motifs: sd.Motifs, Notice: notice(c.QueryParam("ok")),
		Return: d.Format(dateLayout)}
	for _, r := range sd.Untaken {
		v.Untaken = append(v.Untaken, h.registerViewOf(r))
	}
	for _, e := range sd.Pending {
		v.Pending = append(v.Pending, eventViewOf(e))
	}
	for _, e := range sd.Done {
		v.Done = append(v.Done, eventViewOf(e))
	}
	for _, j := range js {
		jv := justificationViewOf(j)
		jv.Event = eventViewOf(j.Event)
		jv.Event.When = frLongDay(j.Event.Date) + ", " + jv.Event.When
		v.Justifications = append(v.Justifications, jv)
	}
	waiting, ofDay, err := h.svc.SchoolDeclarations(c.Request().Context(), web.TenantOf(c), requestActor(c), d)
	if err != nil {
		return err
	}
	v.Declared, v.DeclaredDay = declarationViews(waiting), declarationViews(ofDay)
	return render(c, http.StatusOK, "attendance_school.html", "Vie scolaire – "+v.Nav.Label, v)
}

// decide records a decision on an event and goes back to the day it was made from.
func (h *Handler) decide(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	f := DecisionForm{Motif: c.FormValue("motif"), State: c.FormValue("etat"), Comment: c.FormValue("commentaire")}
	if err := h.svc.Decide(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f); err != nil {
		return err
	}
	back := "/vie-scolaire?ok=decision"
	if d, err := time.Parse(dateLayout, c.FormValue("jour")); err == nil {
		back += "&jour=" + d.Format(dateLayout)
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// answer accepts or refuses a guardian's justification.
func (h *Handler) answer(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var accept bool
	switch c.FormValue("decision") {
	case "accepter":
		accept = true
	case "refuser":
	default:
		return fault.Invalidf("decision", "choisissez d'accepter ou de refuser la justification")
	}
	if err := h.svc.Answer(c.Request().Context(), web.TenantOf(c), requestActor(c), id, accept, c.FormValue("commentaire")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/vie-scolaire?ok=reponse")
}

// monthParam reads ?mois= (aaaa-mm); the current month without it.
func (h *Handler) monthParam(c echo.Context) (time.Time, error) {
	raw := c.QueryParam("mois")
	if raw == "" {
		return h.svc.Today(), nil
	}
	m, err := time.Parse("2006-01", raw)
	if err != nil {
		return time.Time{}, fault.Invalidf("mois", "mois « %s » illisible : indiquez aaaa-mm", raw)
	}
	return m, nil
}

type thresholdRowView struct {
	Href, Pupil, Class, Unjustified, Justified, Hours, Detail string
}

func thresholdRows(th *Threshold) []thresholdRowView {
	var out []thresholdRowView
	for _, r := range th.Rows {
		out = append(out, thresholdRowView{Href: "/absences/eleves/" + r.PupilID.String(), Pupil: r.Pupil, Class: r.ClassLabel,
			Unjustified: Decimal(r.Count.Unjustified), Justified: Decimal(r.Count.Justified), Hours: Hours(r.Count.Minutes),
			Detail: strings.Join(r.Unjustified, ", ")})
	}
	return out
}

// threshold is the month's list of pupils at or above the legal threshold.
func (h *Handler) threshold(c echo.Context) error {
	m, err := h.monthParam(c)
	if err != nil {
		return err
	}
	th, err := h.svc.Threshold(c.Request().Context(), web.TenantOf(c), requestActor(c), m)
	if err != nil {
		return err
	}
	v := struct {
		Month, Method, Prev, Next, CSV, Value string
		Threshold                             int
		Rows                                  []thresholdRowView
	}{Month: frMonth(th.Month), Method: th.Settings.Method.Label(), Threshold: th.Settings.Threshold, Rows: thresholdRows(th),
		Prev: "/vie-scolaire/seuil?mois=" + th.Month.AddDate(0, -1, 0).Format("2006-01"), Next: "/vie-scolaire/seuil?mois=" + th.Month.AddDate(0, 1, 0).Format("2006-01"),
		CSV: "/vie-scolaire/seuil.csv?mois=" + th.Month.Format("2006-01"), Value: th.Month.Format("2006-01")}
	return render(c, http.StatusOK, "attendance_threshold.html", "Seuil d'absentéisme – "+v.Month, v)
}

// thresholdCSV is the same list as a CSV file (UTF-8 with BOM, ";").
func (h *Handler) thresholdCSV(c echo.Context) error {
	m, err := h.monthParam(c)
	if err != nil {
		return err
	}
	th, err := h.svc.Threshold(c.Request().Context(), web.TenantOf(c), requestActor(c), m)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csvout.NewWriter(&b, ';')
	w.Write([]string{"Nom", "Classe", "Demi-journées non justifiées", "Demi-journées justifiées", "Heures d'absence", "Demi-journées non justifiées (détail)"})
	for _, r := range thresholdRows(th) {
		w.Write([]string{r.Pupil, r.Class, r.Unjustified, r.Justified, r.Hours, r.Detail})
	}
	if err := w.Flush(); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="seuil-absenteisme-`+th.Month.Format("2006-01")+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

type settingsView struct {
	Method, Threshold string
	Motifs            []motifRow
	Error             string
	Notice            string
}

// motifRow is a line of the motifs' form; Key names its fields ("nouveau" for the new one).
type motifRow struct {
	MotifForm
	Key, Error string
}

func (h *Handler) renderSettings(c echo.Context, status int, method, threshold, msg string, posted []MotifForm, errs FormErrors) error {
	set, motifs, err := h.svc.Settings(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	v := settingsView{Method: cmpStr(method, string(set.Method)), Threshold: cmpStr(threshold, strconv.Itoa(set.Threshold)), Error: msg,
		Notice: notice(c.QueryParam("ok"))}
	if posted == nil {
		for _, m := range motifs {
			posted = append(posted, MotifForm{ID: m.ID, Label: m.Label, Justifies: m.Justifies, OnReport: m.OnReport, Online: m.Online, Shown: m.Shown, Active: m.Active})
		}
		posted = append(posted, MotifForm{Justifies: true, OnReport: true, Shown: true, Active: true})
	}
	for _, f := range posted {
		key := f.ID.String()
		if f.ID == uuid.Nil {
			key = "nouveau"
		}
		v.Motifs = append(v.Motifs, motifRow{MotifForm: f, Key: key, Error: errs[f.ID.String()]})
	}
	return render(c, status, "attendance_settings.html", "Règles de décompte des absences", v)
}

// settings shows the counting rules and the motifs.
func (h *Handler) settings(c echo.Context) error {
	return h.renderSettings(c, http.StatusOK, "", "", "", nil, nil)
}

// saveMotifs changes the motifs' labels and flags and adds the new one.
func (h *Handler) saveMotifs(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return fault.Wrap(fault.ErrInvalid, err, "formulaire illisible")
	}
	var fs []MotifForm
	for _, key := range form["motif"] {
		f := MotifForm{Label: form.Get("libelle-" + key), Justifies: form.Get("justifie-"+key) != "", OnReport: form.Get("bulletin-"+key) != "",
			Online: form.Get("enligne-"+key) != "", Shown: form.Get("visible-"+key) != "", Active: form.Get("actif-"+key) != ""}
		if key == "nouveau" {
			f.Active = true
		} else if f.ID, err = uuid.Parse(key); err != nil {
			return fault.Invalidf("motif", "motif « %s » inconnu", key)
		}
		fs = append(fs, f)
	}
	err = h.svc.SaveMotifs(c.Request().Context(), web.TenantOf(c), requestActor(c), fs)
	var errs FormErrors
	if errors.As(err, &errs) {
		return h.renderSettings(c, http.StatusUnprocessableEntity, "", "", "Les motifs ne sont pas enregistrés : corrigez les lignes signalées.", fs, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/vie-scolaire/reglages?ok=motifs")
}

// saveSettings changes the method and the threshold.
func (h *Handler) saveSettings(c echo.Context) error {
	method, threshold := c.FormValue("methode"), c.FormValue("seuil")
	err := h.svc.SaveSettings(c.Request().Context(), web.TenantOf(c), requestActor(c), method, threshold)
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return h.renderSettings(c, http.StatusUnprocessableEntity, method, threshold, inv.Message, nil, nil)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/vie-scolaire/reglages?ok=reglages")
}
