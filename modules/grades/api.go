package grades

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API for mobile apps, on the establishment's host under /api/v1 (documented in
// web/openapi.json). Decimals are strings with a dot and two decimals ("12.50"); an average
// that does not exist is null, never 0.

// apiDecimal writes hundredths with a dot: 1250 → "12.50".
func apiDecimal(h Hundredths) string { return strings.Replace(h.String(), ",", ".", 1) }

// apiAverage writes an exact value rounded to two decimals, nil when there is none.
func apiAverage(r *big.Rat) *string {
	if r == nil {
		return nil
	}
	s := apiDecimal(Round2(r))
	return &s
}

type apiStats struct {
	Average *string `json:"average"`
	Min     *string `json:"min"`
	Max     *string `json:"max"`
	Count   int     `json:"count"`
}

func apiStatsOf(s Stats) apiStats {
	return apiStats{Average: apiAverage(s.Avg), Min: apiAverage(s.Min), Max: apiAverage(s.Max), Count: s.Count}
}

type apiPeriod struct {
	ID       uuid.UUID `json:"id"`
	Label    string    `json:"label"`
	Kind     string    `json:"kind"`
	Number   int       `json:"number"`
	StartsOn string    `json:"starts_on"`
	EndsOn   string    `json:"ends_on"`
	Current  bool      `json:"current"`
}

func apiPeriodOf(p Period, current bool) apiPeriod {
	return apiPeriod{ID: p.ID, Label: p.Label(), Kind: p.Kind, Number: p.Number, StartsOn: p.StartsOn.Format("2006-01-02"),
		EndsOn: p.EndsOn.Format("2006-01-02"), Current: current}
}

type apiEvaluation struct {
	ID           uuid.UUID  `json:"id"`
	ClassID      uuid.UUID  `json:"class_id"`
	Class        string     `json:"class"`
	Subject      string     `json:"subject"`
	SubjectLabel string     `json:"subject_label"`
	TeacherID    *uuid.UUID `json:"teacher_id"`
	Title        string     `json:"title"`
	Date         string     `json:"date"`
	Scale        string     `json:"scale"`
	Coefficient  string     `json:"coefficient"`
	Bonus        bool       `json:"bonus"`
	Published    bool       `json:"published"`
	PublishedAt  *time.Time `json:"published_at"`
}

func apiEvaluationOf(ev Evaluation) apiEvaluation {
	return apiEvaluation{ID: ev.ID, ClassID: ev.ClassID, Class: ev.ClassLabel, Subject: ev.SubjectCode, SubjectLabel: ev.SubjectLabel,
		TeacherID: ev.TeacherID, Title: ev.Title, Date: ev.OnDate.Format("2006-01-02"), Scale: apiDecimal(ev.Scale),
		Coefficient: apiDecimal(ev.Coefficient), Bonus: ev.Bonus, Published: ev.Published, PublishedAt: ev.PublishedAt}
}

// apiMark is a mark: a value ("12.50") or a code (Abs, Disp, NN), and the text as typed.
type apiMark struct {
	Value   *string `json:"value"`
	Code    *string `json:"code"`
	Text    string  `json:"text"`
	Comment string  `json:"comment,omitempty"`
}

func apiMarkOf(m *MarkEntry) *apiMark {
	if m == nil {
		return nil
	}
	out := &apiMark{Text: m.Text(), Comment: m.Comment}
	if m.Code != "" {
		code := m.Code
		out.Code = &code
	} else if m.Value != nil {
		v := apiDecimal(*m.Value)
		out.Value = &v
	}
	return out
}

// apiFieldErrors answers a refused evaluation: 422 with a message per field, named as in the
// JSON body.
func apiFieldErrors(c echo.Context, fe FieldErrors) error {
	names := map[string]string{"classe": "class_id", "matiere": "subject", "titre": "title", "date": "date", "bareme": "scale", "coefficient": "coefficient"}
	fields := map[string]string{}
	for k, v := range fe {
		if n, ok := names[k]; ok {
			k = n
		}
		fields[k] = v
	}
	return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": "évaluation refusée : corrigez les champs signalés", "fields": fields})
}

// apiDecode reads a JSON body into v; the route's body limit (1 Mo, identity.Handle) bounds
// it, and a body over it is a 413 that says the limit.
func apiDecode(c echo.Context, v any) error {
	if err := json.NewDecoder(c.Request().Body).Decode(v); err != nil {
		return web.BadRequest(err)
	}
	return nil
}

// apiText is a JSON string that also accepts a number (20, 0.5) or null, as mobile clients
// send either for a scale, a coefficient or a mark.
type apiText string

// UnmarshalJSON implements json.Unmarshaler.
func (t *apiText) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null":
		*t = ""
	case strings.HasPrefix(s, `"`):
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*t = apiText(v)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("une chaîne ou un nombre est attendu, pas %s", s)
		}
		*t = apiText(n.String())
	}
	return nil
}

// apiEvaluationBody is the JSON body of POST and PUT /api/v1/evaluations: the fields of
// EvaluationForm.
type apiEvaluationBody struct {
	ClassID     apiText `json:"class_id"`
	Subject     apiText `json:"subject"`
	Title       apiText `json:"title"`
	Date        apiText `json:"date"`
	Scale       apiText `json:"scale"`
	Coefficient apiText `json:"coefficient"`
	Bonus       bool    `json:"bonus"`
	Published   bool    `json:"published"`
}

func (b apiEvaluationBody) form() EvaluationForm {
	return EvaluationForm{ClassID: string(b.ClassID), Subject: string(b.Subject), Title: string(b.Title), Date: string(b.Date),
		Scale: string(b.Scale), Coefficient: string(b.Coefficient), Bonus: b.Bonus, Published: b.Published}
}

// apiPupilID is the pupil of ?eleve=, the signed-in pupil by default.
func apiPupilID(c echo.Context) (uuid.UUID, error) {
	if raw := c.QueryParam("eleve"); raw != "" {
		return parseID(raw)
	}
	if v := identity.ViewerOf(c); v.Member && v.Has(identity.RoleEleve) {
		return v.PersonID, nil
	}
	return uuid.Nil, fault.Invalidf("eleve", "indiquez l'élève : ?eleve=<identifiant> (un responsable choisit parmi ses enfants)")
}

func (h *Handler) apiPeriods(c echo.Context) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	ps, err := h.svc.Periods(ctx, t)
	if err != nil {
		return err
	}
	cur, err := h.svc.CurrentPeriod(ctx, t)
	if err != nil {
		return err
	}
	out := make([]apiPeriod, len(ps))
	for i, p := range ps {
		out[i] = apiPeriodOf(p, p.ID == cur.ID)
	}
	return c.JSON(http.StatusOK, map[string]any{"periods": out})
}

type apiPupil struct {
	ID        uuid.UUID `json:"id"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	ClassID   uuid.UUID `json:"class_id"`
	Class     string    `json:"class"`
}

type apiEvalLine struct {
	apiEvaluation
	Mark  *apiMark `json:"mark"`
	Stats apiStats `json:"class_stats"` // on the evaluation's scale
	New   bool     `json:"new"`
}

type apiSubject struct {
	Code         string        `json:"code"`
	Label        string        `json:"label"`
	Coefficient  string        `json:"coefficient"`
	Average      *string       `json:"average"`
	Stats        apiStats      `json:"class_stats"` // over the class's subject averages
	Appreciation string        `json:"appreciation,omitempty"`
	Evaluations  []apiEvalLine `json:"evaluations"`
}

type apiReport struct {
	Pupil          apiPupil     `json:"pupil"`
	Period         apiPeriod    `json:"period"`
	Subjects       []apiSubject `json:"subjects"`
	GeneralAverage *string      `json:"general_average"`
	GeneralStats   apiStats     `json:"class_general_stats"`
}

func apiReportOf(r *PupilReport) apiReport {
	out := apiReport{Pupil: apiPupil{ID: r.PupilID, FirstName: r.FirstName, LastName: r.LastName, ClassID: r.ClassID, Class: r.ClassLabel},
		Period: apiPeriodOf(r.Period, false), Subjects: []apiSubject{}, GeneralAverage: apiAverage(r.General), GeneralStats: apiStatsOf(r.ClassStats)}
	for _, sl := range r.Subjects {
		s := apiSubject{Code: sl.Code, Label: sl.Label, Coefficient: apiDecimal(sl.Coef), Average: apiAverage(sl.Average),
			Stats: apiStatsOf(sl.Class), Appreciation: sl.Appreciation, Evaluations: []apiEvalLine{}}
		for _, el := range sl.Evaluations {
			s.Evaluations = append(s.Evaluations, apiEvalLine{apiEvaluation: apiEvaluationOf(el.Evaluation), Mark: apiMarkOf(el.Mark),
				Stats: apiStatsOf(el.Stats), New: el.New})
		}
		out.Subjects = append(out.Subjects, s)
	}
	return out
}

// apiMarks is a pupil's marks and averages for a period (the current one by default).
func (h *Handler) apiMarks(c echo.Context) error {
	pupilID, err := apiPupilID(c)
	if err != nil {
		return err
	}
	p, _, err := h.choosePeriod(c, c.QueryParam("periode"))
	if err != nil {
		return err
	}
	r, err := h.svc.PupilMarks(c.Request().Context(), web.TenantOf(c), requestActor(c), pupilID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiReportOf(r))
}

// apiEvaluations lists the evaluations of a class or group in a subject for a period.
func (h *Handler) apiEvaluations(c echo.Context) error {
	rawClass, subject := c.QueryParam("classe"), c.QueryParam("matiere")
	if rawClass == "" || subject == "" {
		return fault.Invalidf("classe", "indiquez la classe et la matière : ?classe=<identifiant>&matiere=<code>")
	}
	classID, err := parseID(rawClass)
	if err != nil {
		return err
	}
	p, _, err := h.choosePeriod(c, c.QueryParam("periode"))
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	if err := h.svc.checkTeaching(ctx, t, a, classID, subject); err != nil {
		return err
	}
	evs, err := h.svc.ClassEvaluations(ctx, t, a, classID, subject, p)
	if err != nil {
		return err
	}
	out := make([]apiEvaluation, len(evs))
	for i, ev := range evs {
		out[i] = apiEvaluationOf(ev)
	}
	return c.JSON(http.StatusOK, map[string]any{"period": apiPeriodOf(*p, false), "evaluations": out})
}

func (h *Handler) apiCreateEvaluation(c echo.Context) error { return h.apiSaveEvaluation(c, uuid.Nil) }

func (h *Handler) apiUpdateEvaluation(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	if _, err := h.svc.Evaluation(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return h.apiSaveEvaluation(c, id)
}

func (h *Handler) apiSaveEvaluation(c echo.Context, id uuid.UUID) error {
	var body apiEvaluationBody
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	ev, err := h.svc.SaveEvaluation(c.Request().Context(), web.TenantOf(c), requestActor(c), id, body.form())
	var fe FieldErrors
	if errors.As(err, &fe) {
		return apiFieldErrors(c, fe)
	}
	if err != nil {
		return err
	}
	if id == uuid.Nil {
		c.Response().Header().Set("Location", "/api/v1/evaluations/"+ev.ID.String())
		return c.JSON(http.StatusCreated, apiEvaluationOf(*ev))
	}
	return c.JSON(http.StatusOK, apiEvaluationOf(*ev))
}

// apiGrid is an evaluation with one row per pupil and the class figures.
type apiGrid struct {
	Evaluation apiEvaluation `json:"evaluation"`
	Stats      apiStats      `json:"class_stats"` // on the evaluation's scale
	Pupils     []apiGridRow  `json:"pupils"`
}

type apiGridRow struct {
	PupilID   uuid.UUID `json:"pupil_id"`
	LastName  string    `json:"last_name"`
	FirstName string    `json:"first_name"`
	Mark      *apiMark  `json:"mark"`
}

func apiGridOf(g *Grid) apiGrid {
	out := apiGrid{Evaluation: apiEvaluationOf(g.Evaluation), Stats: apiStatsOf(g.Stats), Pupils: []apiGridRow{}}
	for _, r := range g.Rows {
		out.Pupils = append(out.Pupils, apiGridRow{PupilID: r.PupilID, LastName: r.LastName, FirstName: r.FirstName, Mark: apiMarkOf(r.Mark)})
	}
	return out
}

// apiEvaluation is an evaluation with its pupils' marks.
func (h *Handler) apiEvaluation(c echo.Context) error {
	g, err := h.gridOfRequest(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiGridOf(g))
}

func (h *Handler) apiDeleteEvaluation(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.svc.DeleteEvaluation(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiSaveMarks saves a grid: every typed mark is checked, then all are saved, or none (422
// with a message per wrong cell).
func (h *Handler) apiSaveMarks(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	var body struct {
		Marks    map[string]apiText `json:"marks"`
		Comments map[string]string  `json:"comments"`
	}
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	in := GridInput{Marks: map[uuid.UUID]string{}, Comments: map[uuid.UUID]string{}}
	bad := map[string]string{}
	for k, v := range body.Marks {
		pid, err := uuid.Parse(k)
		if err != nil {
			bad[k] = "identifiant d'élève illisible"
			continue
		}
		in.Marks[pid] = string(v)
	}
	for k, v := range body.Comments {
		pid, err := uuid.Parse(k)
		if err != nil {
			bad[k] = "identifiant d'élève illisible"
			continue
		}
		in.Comments[pid] = v
	}
	if len(bad) > 0 {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": "notes refusées : identifiants d'élèves illisibles ; rien n'a été enregistré", "cells": bad})
	}
	g, err := h.svc.SaveMarks(c.Request().Context(), web.TenantOf(c), requestActor(c), id, in)
	var ge *GridError
	if errors.As(err, &ge) {
		cells := map[string]string{}
		for _, r := range ge.Grid.Rows {
			if r.Error != "" {
				cells[r.PupilID.String()] = r.Error
			}
		}
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": ge.Error() + " ; rien n'a été enregistré", "cells": cells})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiGridOf(g))
}

// apiReportCard is a pupil's report card for the period of the path (?eleve=, the signed-in
// pupil by default), as the report cards' reportJSON (http_bulletins.go) writes it. Keep it
// the last function of this file.
func (h *Handler) apiReportCard(c echo.Context) error {
	periodID, err := parseID(c.Param("period"))
	if err != nil {
		return err
	}
	pupilID, err := apiPupilID(c)
	if err != nil {
		return err
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	p, err := h.svc.PeriodByID(ctx, t, periodID)
	if err != nil {
		return err
	}
	r, err := h.svc.ReportCard(ctx, t, requestActor(c), pupilID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reportJSON(r))
}
