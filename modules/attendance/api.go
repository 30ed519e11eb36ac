package attendance

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of attendance (mobile apps), on the establishment's host under /api/v1 and
// described in openapi.json: the pages' Service calls, with the same permissions and
// isolation. Dates are aaaa-mm-jj, times hh:mm, half-days decimal strings with a dot ("1.5").

type apiRegister struct {
	ID         uuid.UUID   `json:"id"`
	Date       string      `json:"date"`
	Start      string      `json:"start"`
	End        string      `json:"end"`
	ClassID    uuid.UUID   `json:"class_id"`
	Class      string      `json:"class"`
	Subject    string      `json:"subject"`
	TeacherIDs []uuid.UUID `json:"teacher_ids"`
	Teachers   string      `json:"teachers"`
	AdHoc      bool        `json:"ad_hoc"`
	Label      string      `json:"label"`
	TakenAt    *time.Time  `json:"taken_at"`
	TakenBy    string      `json:"taken_by"`
	Overdue    bool        `json:"overdue"`
}

func (h *Handler) apiRegisterOf(r Register) apiRegister {
	ids := r.TeacherIDs
	if ids == nil {
		ids = []uuid.UUID{}
	}
	return apiRegister{ID: r.ID, Date: r.OnDate.Format(dateLayout), Start: r.Start.String(), End: r.End.String(), ClassID: r.ClassID,
		Class: r.ClassLabel, Subject: r.Subject, TeacherIDs: ids, Teachers: r.Teachers, AdHoc: r.AdHoc, Label: r.Label,
		TakenAt: r.TakenAt, TakenBy: r.TakenBy, Overdue: r.Overdue(h.svc.now())}
}

func (h *Handler) apiRegistersOf(rs []Register) []apiRegister {
	out := make([]apiRegister, len(rs))
	for i, r := range rs {
		out[i] = h.apiRegisterOf(r)
	}
	return out
}

type apiEntry struct {
	PupilID   uuid.UUID `json:"pupil_id"`
	LastName  string    `json:"last_name"`
	FirstName string    `json:"first_name"`
	Status    Status    `json:"status"`
	Minutes   int       `json:"minutes"`
	State     State     `json:"state,omitempty"` // of the event the mark gives
}

type apiChange struct {
	Pupil string    `json:"pupil"`
	From  string    `json:"from"`
	To    string    `json:"to"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

type apiRoll struct {
	apiRegister
	Entries []apiEntry  `json:"entries"`
	Changes []apiChange `json:"changes"`
}

func (h *Handler) apiRollOf(r *Roll) apiRoll {
	out := apiRoll{apiRegister: h.apiRegisterOf(r.Register), Entries: []apiEntry{}, Changes: []apiChange{}}
	for _, e := range r.Entries {
		out.Entries = append(out.Entries, apiEntry{PupilID: e.PupilID, LastName: e.LastName, FirstName: e.FirstName, Status: e.Status,
			Minutes: e.Minutes, State: e.State})
	}
	for _, ch := range r.Changes {
		out.Changes = append(out.Changes, apiChange(ch))
	}
	return out
}

type apiJustification struct {
	ID         uuid.UUID     `json:"id"`
	Guardian   string        `json:"guardian"`
	Motif      string        `json:"motif"`
	Comment    string        `json:"comment"`
	State      string        `json:"state"`
	Answer     string        `json:"answer"`
	AnsweredBy string        `json:"answered_by"`
	CreatedAt  time.Time     `json:"created_at"`
	AnsweredAt *time.Time    `json:"answered_at"`
	Documents  []apiDocument `json:"documents"`
	Event      *apiEvent     `json:"event,omitempty"` // in the vie scolaire's day
}

func apiJustificationOf(j Justification) apiJustification {
	return apiJustification{ID: j.ID, Guardian: j.Guardian, Motif: j.Motif, Comment: j.Comment, State: j.State, Answer: j.Answer,
		AnsweredBy: j.AnsweredBy, CreatedAt: j.CreatedAt, AnsweredAt: j.AnsweredAt, Documents: apiDocumentsOf(j.Files)}
}

type apiEvent struct {
	ID             uuid.UUID          `json:"id"`
	PupilID        uuid.UUID          `json:"pupil_id"`
	Pupil          string             `json:"pupil"`
	Class          string             `json:"class"`
	Kind           Kind               `json:"kind"`
	Date           string             `json:"date"`
	Start          string             `json:"start"`
	End            string             `json:"end"`
	Minutes        int                `json:"minutes"`
	State          State              `json:"state"`
	MotifID        *uuid.UUID         `json:"motif_id"`
	Motif          string             `json:"motif"`
	Comment        string             `json:"comment"`
	Justifiable    bool               `json:"justifiable"`
	Justifications []apiJustification `json:"justifications"`
}

func apiEventOf(e Event) apiEvent {
	out := apiEvent{ID: e.ID, PupilID: e.PupilID, Pupil: e.Pupil, Class: e.ClassLabel, Kind: e.Kind, Date: e.Date.Format(dateLayout),
		Start: e.Start.String(), End: e.End.String(), Minutes: e.Minutes, State: e.State, Motif: e.Motif, Comment: e.Comment,
		Justifiable: e.Justifiable(), Justifications: []apiJustification{}}
	if e.MotifID != uuid.Nil {
		id := e.MotifID
		out.MotifID = &id
	}
	for _, j := range e.Justifications {
		out.Justifications = append(out.Justifications, apiJustificationOf(j))
	}
	return out
}

func apiEventsOf(es []Event) []apiEvent {
	out := make([]apiEvent, len(es))
	for i, e := range es {
		out[i] = apiEventOf(e)
	}
	return out
}

type apiMotif struct {
	ID        uuid.UUID `json:"id"`
	Label     string    `json:"label"`
	Justifies bool      `json:"justifies"`
	OnReport  bool      `json:"on_report"`
	Online    bool      `json:"online"`
	Shown     bool      `json:"shown"`
	Active    bool      `json:"active"`
}

func apiMotifsOf(ms []Motif) []apiMotif {
	out := make([]apiMotif, len(ms))
	for i, m := range ms {
		out[i] = apiMotif{ID: m.ID, Label: m.Label, Justifies: m.Justifies, OnReport: m.OnReport, Online: m.Online, Shown: m.Shown, Active: m.Active}
	}
	return out
}

// apiHalfDays writes half-days with a dot: "1.5".
func apiHalfDays(r *big.Rat) string { return strings.Replace(Decimal(r), ",", ".", 1) }

type apiFigures struct {
	Justified   string `json:"justified"`   // half-days
	Unjustified string `json:"unjustified"` // half-days
	Minutes     int    `json:"minutes"`     // lessons missed
	Lateness    int    `json:"lateness"`
	Text        string `json:"text"` // the report card's line
}

func apiFiguresOf(f Figures) apiFigures {
	return apiFigures{Justified: apiHalfDays(f.Justified), Unjustified: apiHalfDays(f.Unjustified), Minutes: f.Minutes, Lateness: f.Lateness, Text: f.Text()}
}

// apiDecode reads a JSON body into v, refusing unknown fields; the route's body limit bounds
// it.
func apiDecode(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fault.Decoding(err)
	}
	return nil
}

// apiFieldErrors answers a refused form: 422 with a message per field, named as in the JSON
// body (names maps the service's French field names).
func apiFieldErrors(c echo.Context, what string, errs FormErrors, names map[string]string) error {
	fields := map[string]string{}
	for k, v := range errs {
		if n, ok := names[k]; ok {
			k = n
		}
		fields[k] = v
	}
	return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": what + " : corrigez les champs signalés ; rien n'a été enregistré", "fields": fields})
}

// Roll call (teachers; the vie scolaire too).

func (h *Handler) apiMyDay(c echo.Context) error {
	d, regs, err := h.teacherDay(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"date": d.Format(dateLayout), "registers": h.apiRegistersOf(regs)})
}

func (h *Handler) apiRoll(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	r, err := h.svc.Roll(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.apiRollOf(r))
}

// apiRollBody is the JSON body of a roll: the marks of the pupils that change (or all).
type apiRollBody struct {
	Marks []struct {
		PupilID string `json:"pupil_id"`
		Status  string `json:"status"`
		Minutes int    `json:"minutes"`
	} `json:"marks"`
}

// apiLine is a refused line of a roll: its place in the body, the pupil, what is wrong.
type apiLine struct {
	Line    int    `json:"line"` // from 1, in the body's marks
	PupilID string `json:"pupil_id"`
	Error   string `json:"error"` // French, naming the pupil
}

// apiSaveRoll records a roll: every line is checked, then all are saved, or none (422 with
// the wrong lines). Sending the same marks again changes nothing (changed: 0).
func (h *Handler) apiSaveRoll(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var body apiRollBody
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	marks, lineOf := map[uuid.UUID]Mark{}, map[uuid.UUID]int{}
	var bad []apiLine
	for i, m := range body.Marks {
		pid, err := uuid.Parse(m.PupilID)
		switch {
		case err != nil:
			bad = append(bad, apiLine{Line: i + 1, PupilID: m.PupilID, Error: "ligne " + strconv.Itoa(i+1) + " : identifiant d'élève « " + m.PupilID + " » illisible"})
			continue
		case lineOf[pid] > 0:
			bad = append(bad, apiLine{Line: i + 1, PupilID: m.PupilID, Error: "ligne " + strconv.Itoa(i+1) + " : élève déjà marqué ligne " + strconv.Itoa(lineOf[pid])})
			continue
		}
		st, _ := ParseStatus(m.Status) // "" when unknown: the service names the line
		marks[pid], lineOf[pid] = Mark{Status: st, Minutes: m.Minutes}, i+1
	}
	if len(bad) > 0 {
		return apiRollRefused(c, bad)
	}
	n, err := h.svc.SaveRoll(ctx, t, a, id, marks)
	var errs RollErrors
	if errors.As(err, &errs) {
		r, err := h.svc.Roll(ctx, t, a, id)
		if err != nil {
			return err
		}
		for _, e := range r.Entries {
			if msg, ok := errs[e.PupilID]; ok {
				bad = append(bad, apiLine{Line: lineOf[e.PupilID], PupilID: e.PupilID.String(), Error: e.LastName + " " + e.FirstName + " : " + msg})
			}
		}
		return apiRollRefused(c, bad)
	}
	if err != nil {
		return err
	}
	r, err := h.svc.Roll(ctx, t, a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"changed": n, "roll": h.apiRollOf(r)})
}

func apiRollRefused(c echo.Context, lines []apiLine) error {
	return c.JSON(http.StatusUnprocessableEntity, map[string]any{
		"error": "L'appel n'est pas enregistré : " + strconv.Itoa(len(lines)) + " ligne(s) à corriger ; rien n'a été enregistré", "lines": lines})
}

// apiAdHocForm is what an ad hoc register needs: today and the year's classes and groups.
func (h *Handler) apiAdHocForm(c echo.Context) error {
	classes, err := h.svc.Classes(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(classes))
	for i, cl := range classes {
		out[i] = map[string]any{"id": cl.ID, "label": cl.Label}
	}
	return c.JSON(http.StatusOK, map[string]any{"date": h.svc.Today().Format(dateLayout), "classes": out})
}

func (h *Handler) apiCreateAdHoc(c echo.Context) error {
	var body struct {
		ClassID string `json:"class_id"`
		Date    string `json:"date"`
		Start   string `json:"start"`
		End     string `json:"end"`
		Label   string `json:"label"`
	}
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	id, err := h.svc.CreateAdHoc(ctx, t, a, AdHocForm(body))
	var errs FormErrors
	if errors.As(err, &errs) {
		return apiFieldErrors(c, "appel ponctuel refusé", errs, map[string]string{"classe": "class_id", "debut": "start", "fin": "end", "libelle": "label"})
	}
	if err != nil {
		return err
	}
	r, err := h.svc.Roll(ctx, t, a, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/appel/registres/"+id.String())
	return c.JSON(http.StatusCreated, h.apiRollOf(r))
}

// Vie scolaire.

func (h *Handler) apiSchoolDay(c echo.Context) error {
	d, sd, js, err := h.schoolDayOf(c)
	if err != nil {
		return err
	}
	justifications := make([]apiJustification, len(js))
	for i, j := range js {
		ev := apiEventOf(j.Event)
		justifications[i] = apiJustificationOf(j)
		justifications[i].Event = &ev
	}
	waiting, ofDay, err := h.svc.SchoolDeclarations(c.Request().Context(), web.TenantOf(c), requestActor(c), d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"date": d.Format(dateLayout), "taken": sd.Taken, "total": sd.Total,
		"untaken": h.apiRegistersOf(sd.Untaken), "pending": apiEventsOf(sd.Pending), "done": apiEventsOf(sd.Done),
		"justifications": justifications, "motifs": apiMotifsOf(sd.Motifs),
		"declarations_waiting": apiDeclarationsOf(waiting), "declarations_of_day": apiDeclarationsOf(ofDay)})
}

func (h *Handler) apiDecide(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		MotifID string `json:"motif_id"`
		State   string `json:"state"`
		Comment string `json:"comment"`
	}
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	f := DecisionForm{Motif: body.MotifID, State: body.State, Comment: body.Comment}
	if err := h.svc.Decide(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiAnswer(c echo.Context) error { return h.apiAnswerWith(c, h.svc.Answer) }

// apiAnswerWith reads an answer, {accept, comment}, to the justification or declaration of
// the address's id and gives it to answer.
func (h *Handler) apiAnswerWith(c echo.Context, answer func(context.Context, *tenant.Tenant, Actor, uuid.UUID, bool, string) error) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		Accept  *bool  `json:"accept"`
		Comment string `json:"comment"`
	}
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	if body.Accept == nil {
		return fault.Invalidf("accept", "indiquez accept : true pour accepter, false pour refuser")
	}
	if err := answer(c.Request().Context(), web.TenantOf(c), requestActor(c), id, *body.Accept, body.Comment); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiThreshold(c echo.Context) error {
	m, err := h.monthParam(c)
	if err != nil {
		return err
	}
	th, err := h.svc.Threshold(c.Request().Context(), web.TenantOf(c), requestActor(c), m)
	if err != nil {
		return err
	}
	rows := make([]map[string]any, len(th.Rows))
	for i, r := range th.Rows {
		halves := r.Unjustified
		if halves == nil {
			halves = []string{}
		}
		rows[i] = map[string]any{"pupil_id": r.PupilID, "pupil": r.Pupil, "class": r.ClassLabel, "unjustified": apiHalfDays(r.Count.Unjustified),
			"justified": apiHalfDays(r.Count.Justified), "minutes": r.Count.Minutes, "half_days": halves}
	}
	return c.JSON(http.StatusOK, map[string]any{"month": th.Month.Format("2006-01"), "method": th.Settings.Method,
		"threshold": th.Settings.Threshold, "pupils": rows})
}

func (h *Handler) apiSettings(c echo.Context) error {
	set, motifs, err := h.svc.Settings(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"method": set.Method, "threshold": set.Threshold, "motifs": apiMotifsOf(motifs)})
}

func (h *Handler) apiSaveSettings(c echo.Context) error {
	var body struct {
		Method    string `json:"method"`
		Threshold int    `json:"threshold"`
	}
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	err := h.svc.SaveSettings(c.Request().Context(), web.TenantOf(c), requestActor(c), body.Method, strconv.Itoa(body.Threshold))
	if err != nil {
		return err
	}
	return h.apiSettings(c)
}

// apiSaveMotifs changes the motifs sent and adds those without id (active); the others are
// left as they are. A refused line is named by its place: motifs[2].
func (h *Handler) apiSaveMotifs(c echo.Context) error {
	var body struct {
		Motifs []struct {
			ID        *uuid.UUID `json:"id"`
			Label     string     `json:"label"`
			Justifies bool       `json:"justifies"`
			OnReport  bool       `json:"on_report"`
			Online    bool       `json:"online"`
			Shown     bool       `json:"shown"`
			Active    bool       `json:"active"`
		} `json:"motifs"`
	}
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	fs := make([]MotifForm, len(body.Motifs))
	for i, m := range body.Motifs {
		fs[i] = MotifForm{Label: m.Label, Justifies: m.Justifies, OnReport: m.OnReport, Online: m.Online, Shown: m.Shown, Active: m.Active}
		if m.ID == nil || *m.ID == uuid.Nil {
			fs[i].Active = true
		} else {
			fs[i].ID = *m.ID
		}
	}
	err := h.svc.SaveMotifs(c.Request().Context(), web.TenantOf(c), requestActor(c), fs)
	var errs FormErrors
	if errors.As(err, &errs) {
		lines := FormErrors{}
		for i, f := range fs {
			if msg, ok := errs[f.ID.String()]; ok {
				lines["motifs["+strconv.Itoa(i)+"]"] = msg
			}
		}
		return apiFieldErrors(c, "motifs refusés", lines, nil)
	}
	if err != nil {
		return err
	}
	return h.apiSettings(c)
}

// Families (and the vie scolaire: any pupil's).

// apiPupils are the pupils whose absences the viewer follows one by one: a pupil themselves, a
// legal guardian's children (the vie scolaire reaches every pupil from its day).
func (h *Handler) apiPupils(c echo.Context) error {
	ps, err := h.svc.FamilyPupils(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = map[string]any{"id": p.ID, "name": p.Name, "class": p.ClassLabel}
	}
	return c.JSON(http.StatusOK, map[string]any{"pupils": out})
}

func (h *Handler) apiPupil(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.svc.Pupil(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"pupil_id": id, "pupil": p.Pupil, "class": p.ClassLabel, "method": p.Method,
		"year": apiFiguresOf(p.Year), "month": apiFiguresOf(p.Month), "events": apiEventsOf(p.Events)})
}

// apiFigures are a pupil's report-card figures from ?du= to ?au=.
func (h *Handler) apiFigures(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var dates [2]time.Time
	for i, name := range []string{"du", "au"} {
		raw := c.QueryParam(name)
		if dates[i], err = time.Parse(dateLayout, raw); err != nil {
			return fault.Invalidf(name, "%s « %s » illisible : indiquez une date aaaa-mm-jj", name, raw)
		}
	}
	f, err := h.svc.PeriodFigures(c.Request().Context(), web.TenantOf(c), requestActor(c), id, dates[0], dates[1])
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		PupilID uuid.UUID `json:"pupil_id"`
		From    string    `json:"from"`
		To      string    `json:"to"`
		apiFigures
	}{id, dates[0].Format(dateLayout), dates[1].Format(dateLayout), apiFiguresOf(f)})
}

// apiJustifyPage is an event as its legal guardian justifies it: its history, the motifs
// usable online.
func (h *Handler) apiJustifyPage(c echo.Context, status int) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	pg, err := h.svc.JustifyForm(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	motifs := make([]map[string]any, len(pg.Motifs))
	for i, m := range pg.Motifs {
		motifs[i] = map[string]any{"id": m.ID, "label": m.Label}
	}
	return c.JSON(status, map[string]any{"event": apiEventOf(pg.Event), "motifs": motifs})
}

func (h *Handler) apiJustifyForm(c echo.Context) error { return h.apiJustifyPage(c, http.StatusOK) }

func (h *Handler) apiJustify(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		MotifID  string     `json:"motif_id"`
		Comment  string     `json:"comment"`
		Document *apiUpload `json:"document"`
	}
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	file, err := body.Document.upload("document")
	if err != nil {
		return err
	}
	err = h.svc.Justify(c.Request().Context(), web.TenantOf(c), requestActor(c), id, JustificationForm{Motif: body.MotifID, Comment: body.Comment, File: file})
	var errs FormErrors
	if errors.As(err, &errs) {
		return apiFieldErrors(c, "justification refusée", errs, map[string]string{"motif": "motif_id", "commentaire": "comment", "piece": "document"})
	}
	if err != nil {
		return err
	}
	return h.apiJustifyPage(c, http.StatusCreated)
}
