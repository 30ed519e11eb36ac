package grades

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/csvout"
	"github.com/cartable-ent/cartable/web/fault"
)

// The marks pages: a pupil's marks (pupils, legal guardians, staff), the teacher's classes and
// evaluations with the entry grid, and direction's class table, periods and coefficients.
// Names of this file's helpers start with "marks" so that the report-card pages of the same
// package can have their own.

// marksPage renders a page of this module inside the layout.
func marksPage(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

// marksID reads an identifier from the address: anything but a UUID is an unknown address.
func marksID(raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "adresse inconnue")
	}
	return id, nil
}

// marksSubject reads a subject code from the address (path-escaped by the links).
func marksSubject(raw string) (string, error) {
	s, err := url.PathUnescape(raw)
	if err != nil || strings.TrimSpace(s) == "" {
		return "", fault.New(fault.ErrNotFound, "adresse inconnue")
	}
	return s, nil
}

func marksActor(c echo.Context) Actor { return ActorOf(identity.ViewerOf(c)) }

// marksPeriod returns the period named by raw (the current one when raw is empty) and the
// year's periods for the selector. An unknown period is a 404.
func (h *Handler) marksPeriod(c echo.Context, raw string) (*Period, []Period, error) {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	ps, err := h.svc.Periods(ctx, t)
	if err != nil {
		return nil, nil, err
	}
	if raw == "" {
		p, err := h.svc.CurrentPeriod(ctx, t)
		return p, ps, err
	}
	id, err := marksID(raw)
	if err != nil {
		return nil, nil, err
	}
	for i := range ps {
		if ps[i].ID == id {
			return &ps[i], ps, nil
		}
	}
	return nil, nil, fault.New(fault.ErrNotFound, "cette période n'existe pas")
}

// marksPeriodOption is an entry of a period selector.
type marksPeriodOption struct {
	ID       uuid.UUID
	Label    string
	Dates    string
	Selected bool
}

func marksPeriodOptions(ps []Period, sel *Period) []marksPeriodOption {
	out := make([]marksPeriodOption, len(ps))
	for i, p := range ps {
		out[i] = marksPeriodOption{ID: p.ID, Label: p.Label(), Dates: "du " + marksDate(p.StartsOn) + " au " + marksDate(p.EndsOn), Selected: sel != nil && p.ID == sel.ID}
	}
	return out
}

func marksDate(d time.Time) string { return d.Format("02/01/2006") }

// marksPeriodContaining is the period of ps that contains day, if any.
func marksPeriodContaining(ps []Period, day time.Time) *Period {
	for i := range ps {
		if ps[i].Contains(day) {
			return &ps[i]
		}
	}
	return nil
}

// marksStatsView are class figures as shown: two decimals and a comma, "–" when there are none.
type marksStatsView struct {
	Avg, Min, Max string
	Count         int
}

func marksStats(s Stats) marksStatsView {
	return marksStatsView{Avg: French(s.Avg), Min: French(s.Min), Max: French(s.Max), Count: s.Count}
}

// marksAverage is an average as shown: "12,50", or "Pas de moyenne" (never 0).
func marksAverage(r *big.Rat) string {
	if r == nil {
		return "Pas de moyenne"
	}
	return French(r)
}

// marksCodeLabel spells out a mark code.
func marksCodeLabel(code string) string {
	switch code {
	case CodeAbsent:
		return "absent"
	case CodeDispensed:
		return "dispensé"
	case CodeNotMarked:
		return "non noté"
	}
	return ""
}

func marksClassURL(classID uuid.UUID, subject string, p *Period) string {
	u := "/notes/classes/" + classID.String() + "/" + url.PathEscape(subject)
	if p != nil {
		u += "?periode=" + p.ID.String()
	}
	return u
}

// ---------------------------------------------------------------------------------------
// Pupils and guardians: /notes, /notes/eleves/:id

// Child is a pupil of whom the guardian is legal guardian, as the child chooser lists them.
type Child struct {
	ID         uuid.UUID
	FirstName  string
	LastName   string
	ClassLabel string
}

// LegalChildren lists the active pupils of whom guardianID is a legal guardian, with their
// class this year (empty when none). Only legal guardians see marks and report cards.
func (s *Service) LegalChildren(ctx context.Context, t *tenant.Tenant, guardianID uuid.UUID) ([]Child, error) {
	var out []Child
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT p.id, p.first_name, p.last_name,
				coalesce((SELECT c.label FROM class_members m JOIN classes c ON c.id = m.class_id
					JOIN school_years y ON y.code = c.school_year AND y.current
					WHERE m.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1), '') AS class_label
			FROM guardianships g JOIN people p ON p.id = g.pupil_id
			WHERE g.guardian_id = ? AND g.legal AND p.active AND p.category = 'eleve'
			ORDER BY lower(p.first_name), lower(p.last_name)`, guardianID).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("grades: children of %s: %w", guardianID, err)
	}
	return out, nil
}

// marksHome sends each person to their marks: a pupil sees theirs, a guardian chooses a child,
// teachers and direction go to their classes, vie scolaire looks a pupil up by class.
func (h *Handler) marksHome(c echo.Context) error {
	v, t, ctx := identity.ViewerOf(c), web.TenantOf(c), c.Request().Context()
	switch {
	case v.Member && v.Has(identity.RoleEleve):
		return h.marksShowPupil(c, v.PersonID, "/notes", true)
	case v.Member && v.Has(identity.RoleResponsable):
		children, err := h.svc.LegalChildren(ctx, t, v.PersonID)
		if err != nil {
			return err
		}
		if len(children) == 1 && !v.Can(identity.PermMarksTeach) {
			return c.Redirect(http.StatusSeeOther, "/notes/eleves/"+children[0].ID.String())
		}
		return marksPage(c, http.StatusOK, "marks_children.html", "Notes de mes enfants", map[string]any{
			"Children": children, "Teaches": v.Can(identity.PermMarksTeach)})
	case v.Can(identity.PermMarksTeach):
		return c.Redirect(http.StatusSeeOther, "/notes/enseignement")
	}
	return h.marksLookup(c)
}

// marksLookup lets staff who see every pupil's marks (vie scolaire) find a pupil by class.
func (h *Handler) marksLookup(c echo.Context) error {
	t, ctx := web.TenantOf(c), c.Request().Context()
	classes, err := h.svc.marksClasses(ctx, t, "")
	if err != nil {
		return err
	}
	chosen, err := marksChosenClass(classes, c.QueryParam("classe"))
	if err != nil {
		return err
	}
	data := map[string]any{"Classes": marksClassOptions(classes, chosen)}
	if chosen != nil {
		pupils, err := h.svc.marksPupils(ctx, t, chosen.ID)
		if err != nil {
			return err
		}
		data["Chosen"], data["Pupils"] = chosen.Label, pupils
	}
	return marksPage(c, http.StatusOK, "marks_lookup.html", "Notes des élèves", data)
}

func (h *Handler) pupilMarks(c echo.Context) error {
	id, err := marksID(c.Param("id"))
	if err != nil {
		return err
	}
	v := identity.ViewerOf(c)
	return h.marksShowPupil(c, id, "/notes/eleves/"+id.String(), v.Member && v.PersonID == id)
}

// marksPupilView is a pupil's marks page.
type marksPupilView struct {
	Heading   string
	Action    string // the period selector's address
	Periods   []marksPeriodOption
	Period    string
	Class     string
	General   string
	Classwide marksStatsView // over the class's general averages
	Subjects  []marksSubjectView
	Drafts    bool // the viewer sees unpublished evaluations too
	NewCount  int
	Children  bool // a guardian may go back to the child chooser
	Empty     string
}

type marksSubjectView struct {
	Label   string
	Average string
	Coef    string
	Class   marksStatsView // over the class's subject averages
	Evals   []marksEvalView
}

type marksEvalView struct {
	Title     string
	Date      string
	Coef      string
	Mark      string // "12,50 / 20", "Abs", or "" when none
	CodeLabel string // "absent"… for a code
	Comment   string
	New       bool
	Draft     bool
	Bonus     bool
	Class     marksStatsView // on the evaluation's scale
	Scale     string
}

// marksShowPupil renders a pupil's marks for the period of ?periode=; self tells whether the
// viewer is the pupil.
func (h *Handler) marksShowPupil(c echo.Context, pupilID uuid.UUID, action string, self bool) error {
	v, t, ctx := identity.ViewerOf(c), web.TenantOf(c), c.Request().Context()
	p, ps, err := h.marksPeriod(c, c.QueryParam("periode"))
	if err != nil {
		return err
	}
	r, err := h.svc.PupilMarks(ctx, t, ActorOf(v), pupilID, p)
	if err != nil {
		if self && errors.Is(err, fault.ErrNotFound) {
			return marksPage(c, http.StatusOK, "marks_pupil.html", "Mes notes", marksPupilView{Heading: "Mes notes",
				Empty: "Vous n'êtes inscrit(e) dans aucune classe de l'établissement cette année : aucune note à afficher."})
		}
		return err
	}
	pv := marksPupilView{Heading: "Notes de " + r.FirstName + " " + r.LastName, Action: action, Periods: marksPeriodOptions(ps, p),
		Period: p.Label(), Class: r.ClassLabel, General: marksAverage(r.General), Classwide: marksStats(r.ClassStats)}
	if self {
		pv.Heading = "Mes notes"
	}
	if v.Member && v.Has(identity.RoleResponsable) && !self {
		children, err := h.svc.LegalChildren(ctx, t, v.PersonID)
		if err != nil {
			return err
		}
		pv.Children = len(children) > 1
	}
	for _, sl := range r.Subjects {
		sv := marksSubjectView{Label: sl.Label, Average: marksAverage(sl.Average), Coef: sl.Coef.Short(), Class: marksStats(sl.Class)}
		for _, el := range sl.Evaluations {
			ev := marksEvalView{Title: el.Title, Date: marksDate(el.OnDate), Coef: el.Coefficient.Short(), Scale: el.Scale.Short(),
				New: el.New, Draft: !el.Published, Bonus: el.Bonus, Class: marksStats(el.Stats)}
			if !el.Published {
				pv.Drafts = true
			}
			if el.Mark != nil {
				ev.Comment = el.Mark.Comment
				switch {
				case el.Mark.Code != "":
					ev.Mark, ev.CodeLabel = el.Mark.Code, marksCodeLabel(el.Mark.Code)
				case el.Mark.Value != nil:
					ev.Mark = el.Mark.Value.String() + "\u00a0/\u00a0" + el.Scale.Short() // no break inside "12,50 / 20"
				}
			}
			if ev.New {
				pv.NewCount++
			}
			sv.Evals = append(sv.Evals, ev)
		}
		pv.Subjects = append(pv.Subjects, sv)
	}
	if len(pv.Subjects) == 0 {
		pv.Empty = "Aucune note publiée pour le " + p.Label() + "."
	}
	return marksPage(c, http.StatusOK, "marks_pupil.html", pv.Heading, pv)
}

// ---------------------------------------------------------------------------------------
// Teachers: /notes/enseignement, /notes/classes/:class/:subject, CSV export

type marksTeachingRow struct {
	Teaching
	URL    string
	NewURL string
}

func (h *Handler) teaching(c echo.Context) error {
	a := marksActor(c)
	ts, err := h.svc.Teachings(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return err
	}
	rows := make([]marksTeachingRow, len(ts))
	for i, te := range ts {
		rows[i] = marksTeachingRow{Teaching: te, URL: marksClassURL(te.ClassID, te.SubjectCode, nil),
			NewURL: "/notes/evaluations/nouvelle?" + url.Values{"classe": {te.ClassID.String()}, "matiere": {te.SubjectCode}}.Encode()}
	}
	return marksPage(c, http.StatusOK, "marks_teaching.html", "Notes de mes classes", map[string]any{
		"Rows": rows, "Oversees": a.Oversees()})
}

// marksSheet is a class's marks in one subject for a period: the evaluations (drafts
// included), each pupil's marks and subject average, and the class figures, all from the one
// place averages are computed (book). Averages count published evaluations only, as
// everywhere else: a draft counts nowhere.
type marksSheet struct {
	Teaching    Teaching
	Period      Period
	Evaluations []Evaluation
	EvalStats   []Stats // in Evaluations order, on each evaluation's scale
	Counts      []int   // marks entered per evaluation
	Pupils      []marksSheetPupil
	Class       Stats // over the pupils' subject averages
}

type marksSheetPupil struct {
	ID        uuid.UUID
	LastName  string
	FirstName string
	Marks     []*MarkEntry // in Evaluations order; nil: none
	Average   *big.Rat
}

// marksTeachingOf returns the class and subject if the actor teaches that subject there (or
// oversees), and a 404 otherwise, unknown class or subject included.
func marksTeachingOf(tx *gorm.DB, a Actor, classID uuid.UUID, subject string) (Teaching, error) {
	var te Teaching
	ok, err := canTeach(tx, a, classID, subject)
	if err != nil || !ok {
		if err == nil {
			err = fault.New(fault.ErrNotFound, "classe introuvable, ou vous n'y enseignez pas cette matière")
		}
		return te, err
	}
	err = tx.Raw(`SELECT c.id AS class_id, c.code AS class_code, c.label AS class_label, c.kind AS class_kind,
			s.code AS subject_code, s.label AS subject_label
		FROM classes c CROSS JOIN subjects s WHERE c.id = ? AND s.code = ?`, classID, subject).Scan(&te).Error
	if err == nil && te.ClassID == uuid.Nil {
		err = fault.New(fault.ErrNotFound, "classe ou matière introuvable")
	}
	return te, err
}

// marksCheckTeaching answers 404 unless the class and subject exist and the actor teaches
// that subject there (or oversees).
func (s *Service) marksCheckTeaching(ctx context.Context, t *tenant.Tenant, a Actor, classID uuid.UUID, subject string) error {
	return s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		_, err := marksTeachingOf(tx, a, classID, subject)
		return err
	})
}

// marksSheet computes the sheet of a class (or group) and subject the actor teaches.
func (s *Service) marksSheet(ctx context.Context, t *tenant.Tenant, a Actor, classID uuid.UUID, subject string, p *Period) (*marksSheet, error) {
	sh := &marksSheet{Period: *p}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		if sh.Teaching, err = marksTeachingOf(tx, a, classID, subject); err != nil {
			return err
		}
		b, err := loadBook(tx, classID, *p, false)
		if err != nil {
			return err
		}
		counted, err := loadBook(tx, classID, *p, true)
		if err != nil {
			return err
		}
		for _, ev := range b.evals {
			if ev.ClassID == classID && ev.SubjectCode == subject {
				sh.Evaluations = append(sh.Evaluations, ev)
				sh.EvalStats = append(sh.EvalStats, b.evalStats(ev.ID))
				sh.Counts = append(sh.Counts, len(b.marks[ev.ID]))
			}
		}
		for _, pu := range b.pupils {
			sp := marksSheetPupil{ID: pu.ID, LastName: pu.LastName, FirstName: pu.FirstName, Average: counted.avg[pu.ID][subject],
				Marks: make([]*MarkEntry, len(sh.Evaluations))}
			for i, ev := range sh.Evaluations {
				sp.Marks[i] = b.marks[ev.ID][pu.ID]
			}
			sh.Pupils = append(sh.Pupils, sp)
		}
		sh.Class = counted.subjStats[subject]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// marksSheetOf reads :class, :subject and ?periode= and computes the sheet.
func (h *Handler) marksSheetOf(c echo.Context) (*marksSheet, []Period, error) {
	classID, err := marksID(c.Param("class"))
	if err != nil {
		return nil, nil, err
	}
	subject, err := marksSubject(c.Param("subject"))
	if err != nil {
		return nil, nil, err
	}
	p, ps, err := h.marksPeriod(c, c.QueryParam("periode"))
	if err != nil {
		return nil, nil, err
	}
	sh, err := h.svc.marksSheet(c.Request().Context(), web.TenantOf(c), marksActor(c), classID, subject, p)
	return sh, ps, err
}

type marksEvalRow struct {
	ID        uuid.UUID
	Title     string
	Date      string
	Scale     string
	Coef      string
	Bonus     bool
	Published bool
	Count     int
	Stats     marksStatsView
}

type marksAverageRow struct {
	ID      uuid.UUID
	Name    string
	Average string
	None    bool
}

func (h *Handler) classSubject(c echo.Context) error {
	sh, ps, err := h.marksSheetOf(c)
	if err != nil {
		return err
	}
	te := sh.Teaching
	data := map[string]any{
		"Teaching": te, "Period": sh.Period.Label(), "Periods": marksPeriodOptions(ps, &sh.Period),
		"Action": marksClassURL(te.ClassID, te.SubjectCode, nil), "Class": marksStats(sh.Class),
		"NewURL": "/notes/evaluations/nouvelle?" + url.Values{"classe": {te.ClassID.String()}, "matiere": {te.SubjectCode}}.Encode(),
		"CSVURL": "/notes/classes/" + te.ClassID.String() + "/" + url.PathEscape(te.SubjectCode) + "/export.csv?periode=" + sh.Period.ID.String(),
		"Notice": marksNotice(c.QueryParam("ok")),
	}
	var evals []marksEvalRow
	for i, ev := range sh.Evaluations {
		evals = append(evals, marksEvalRow{ID: ev.ID, Title: ev.Title, Date: marksDate(ev.OnDate), Scale: ev.Scale.Short(),
			Coef: ev.Coefficient.Short(), Bonus: ev.Bonus, Published: ev.Published, Count: sh.Counts[i], Stats: marksStats(sh.EvalStats[i])})
	}
	var pupils []marksAverageRow
	for _, pu := range sh.Pupils {
		pupils = append(pupils, marksAverageRow{ID: pu.ID, Name: pu.LastName + " " + pu.FirstName, Average: marksAverage(pu.Average), None: pu.Average == nil})
	}
	data["Evaluations"], data["Pupils"] = evals, pupils
	return marksPage(c, http.StatusOK, "marks_class.html", te.SubjectLabel+" – "+te.ClassLabel, data)
}

// marksNotice is the confirmation shown after a redirect (?ok=…).
func marksNotice(code string) string {
	switch code {
	case "supprimee":
		return "L'évaluation a été supprimée."
	case "modifiee":
		return "L'évaluation a été enregistrée."
	case "notes":
		return "Les notes ont été enregistrées."
	case "coefficient":
		return "Le coefficient a été enregistré."
	case "periodes":
		return "Le découpage de l'année a été enregistré."
	}
	return ""
}

// exportCSV writes the class's marks in the subject for the period, for a spreadsheet:
// UTF-8 with a BOM, ";" separated, marks as typed and averages with a decimal comma.
func (h *Handler) exportCSV(c echo.Context) error {
	sh, _, err := h.marksSheetOf(c)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\ufeff")
	w := csvout.NewWriter(&b, ';')
	head := []string{"Nom", "Prénom"}
	for _, ev := range sh.Evaluations {
		col := fmt.Sprintf("%s (%s, /%s, coef %s", ev.Title, ev.OnDate.Format("02/01"), ev.Scale.Short(), ev.Coefficient.Short())
		if ev.Bonus {
			col += ", bonus"
		}
		head = append(head, col+")")
	}
	w.Write(append(head, "Moyenne"))
	for _, pu := range sh.Pupils {
		row := []string{pu.LastName, pu.FirstName}
		for _, m := range pu.Marks {
			row = append(row, m.Text())
		}
		avg := ""
		if pu.Average != nil {
			avg = French(pu.Average)
		}
		w.Write(append(row, avg))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	name := fmt.Sprintf("notes-%s-%s-%s%d.csv", marksFileName(sh.Teaching.ClassCode), marksFileName(sh.Teaching.SubjectCode), sh.Period.Kind[:1], sh.Period.Number)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

// marksFileName keeps letters, digits and dashes of s for a file name.
func marksFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	return b.String()
}

// ---------------------------------------------------------------------------------------
// Evaluations: create, change, delete

// marksChoice is an option of the evaluation form's class × subject selector.
type marksChoice struct {
	Value string // "<class id>|<subject code>"
	Label string
}

type marksFormView struct {
	Form    EvaluationForm
	Choice  string
	Choices []marksChoice
	Errors  FieldErrors
	Action  string
	Editing bool
	Cancel  string
}

func marksChoiceOf(classID, subject string) string { return classID + "|" + subject }

// marksForm prepares the evaluation form with the actor's classes × subjects; current, when
// set, is kept among the choices even if nobody teaches it any more (direction's edits).
func (h *Handler) marksForm(c echo.Context, f EvaluationForm, errs FieldErrors, id uuid.UUID, current *Evaluation) (marksFormView, error) {
	ts, err := h.svc.Teachings(c.Request().Context(), web.TenantOf(c), marksActor(c))
	if err != nil {
		return marksFormView{}, err
	}
	fv := marksFormView{Form: f, Choice: marksChoiceOf(f.ClassID, f.Subject), Errors: errs, Action: "/notes/evaluations", Cancel: "/notes/enseignement"}
	seen := map[string]bool{}
	for _, te := range ts {
		v := marksChoiceOf(te.ClassID.String(), te.SubjectCode)
		seen[v] = true
		fv.Choices = append(fv.Choices, marksChoice{Value: v, Label: te.ClassLabel + " – " + te.SubjectLabel})
	}
	if current != nil {
		if v := marksChoiceOf(current.ClassID.String(), current.SubjectCode); !seen[v] {
			fv.Choices = append(fv.Choices, marksChoice{Value: v, Label: current.ClassLabel + " – " + current.SubjectLabel})
		}
	}
	if id != uuid.Nil {
		fv.Action, fv.Editing = "/notes/evaluations/"+id.String(), true
	}
	if current != nil {
		fv.Cancel = marksClassURL(current.ClassID, current.SubjectCode, nil)
	}
	return fv, nil
}

func (h *Handler) newEvaluation(c echo.Context) error {
	f := EvaluationForm{ClassID: c.QueryParam("classe"), Subject: c.QueryParam("matiere"), Date: h.svc.Today(),
		Scale: "20", Coefficient: "1", Published: true}
	fv, err := h.marksForm(c, f, nil, uuid.Nil, nil)
	if err != nil {
		return err
	}
	if f.ClassID != "" && f.Subject != "" {
		fv.Cancel = "/notes/classes/" + url.PathEscape(f.ClassID) + "/" + url.PathEscape(f.Subject)
	}
	return marksPage(c, http.StatusOK, "marks_evaluation_form.html", "Nouvelle évaluation", fv)
}

func (h *Handler) createEvaluation(c echo.Context) error {
	return h.marksSaveEvaluation(c, uuid.Nil, nil)
}

// marksEvaluation reads the evaluation of the :id parameter, if the viewer may change it.
func (h *Handler) marksEvaluation(c echo.Context) (*Evaluation, error) {
	id, err := marksID(c.Param("id"))
	if err != nil {
		return nil, err
	}
	return h.svc.Evaluation(c.Request().Context(), web.TenantOf(c), marksActor(c), id)
}

func (h *Handler) editEvaluation(c echo.Context) error {
	ev, err := h.marksEvaluation(c)
	if err != nil {
		return err
	}
	id := ev.ID
	f := EvaluationForm{ClassID: ev.ClassID.String(), Subject: ev.SubjectCode, Title: ev.Title, Date: ev.OnDate.Format("2006-01-02"),
		Scale: ev.Scale.Short(), Coefficient: ev.Coefficient.Short(), Bonus: ev.Bonus, Published: ev.Published}
	fv, err := h.marksForm(c, f, nil, id, ev)
	if err != nil {
		return err
	}
	return marksPage(c, http.StatusOK, "marks_evaluation_form.html", "Modifier « "+ev.Title+" »", fv)
}

func (h *Handler) updateEvaluation(c echo.Context) error {
	ev, err := h.marksEvaluation(c)
	if err != nil {
		return err
	}
	return h.marksSaveEvaluation(c, ev.ID, ev)
}

// marksSaveEvaluation creates (id == uuid.Nil) or changes an evaluation from the form; a refused
// form comes back with its messages and what was typed.
func (h *Handler) marksSaveEvaluation(c echo.Context, id uuid.UUID, current *Evaluation) error {
	var f EvaluationForm
	if err := c.Bind(&f); err != nil {
		return web.BadRequest(err)
	}
	if choice := c.FormValue("enseignement"); choice != "" {
		f.ClassID, f.Subject, _ = strings.Cut(choice, "|")
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), marksActor(c)
	ev, err := h.svc.SaveEvaluation(ctx, t, a, id, f)
	var fe FieldErrors
	switch {
	case errors.As(err, &fe):
	case errors.Is(err, fault.ErrNotFound):
		// The evaluation itself was checked before: the class × subject is not the actor's.
		fe = FieldErrors{"classe": "Vous n'enseignez pas cette matière dans cette classe ou ce groupe."}
	case err != nil:
		return err
	}
	if fe != nil {
		fv, err := h.marksForm(c, f, fe, id, current)
		if err != nil {
			return err
		}
		title := "Nouvelle évaluation"
		if current != nil {
			title = "Modifier « " + current.Title + " »"
		}
		return marksPage(c, http.StatusUnprocessableEntity, "marks_evaluation_form.html", title, fv)
	}
	if id == uuid.Nil {
		return c.Redirect(http.StatusSeeOther, "/notes/evaluations/"+ev.ID.String()+"/saisie")
	}
	return c.Redirect(http.StatusSeeOther, h.marksEvaluationHome(c, ev)+"&ok=modifiee")
}

// marksEvaluationHome is the class × subject page of the period holding the evaluation.
func (h *Handler) marksEvaluationHome(c echo.Context, ev *Evaluation) string {
	ps, err := h.svc.Periods(c.Request().Context(), web.TenantOf(c))
	p := marksPeriodContaining(ps, ev.OnDate)
	if err != nil || p == nil {
		return marksClassURL(ev.ClassID, ev.SubjectCode, nil) + "?"
	}
	return marksClassURL(ev.ClassID, ev.SubjectCode, p)
}

func (h *Handler) confirmDeleteEvaluation(c echo.Context) error {
	g, err := h.marksGrid(c)
	if err != nil {
		return err
	}
	n := 0
	for _, r := range g.Rows {
		if r.Mark != nil {
			n++
		}
	}
	ev := g.Evaluation
	return marksPage(c, http.StatusOK, "marks_evaluation_delete.html", "Supprimer « "+ev.Title+" »", map[string]any{
		"Evaluation": ev, "Date": marksDate(ev.OnDate), "Marks": n, "Cancel": h.marksEvaluationHome(c, &ev)})
}

func (h *Handler) deleteEvaluation(c echo.Context) error {
	id, err := marksID(c.Param("id"))
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), marksActor(c)
	ev, err := h.svc.Evaluation(ctx, t, a, id)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteEvaluation(ctx, t, a, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, h.marksEvaluationHome(c, ev)+"&ok=supprimee")
}

// ---------------------------------------------------------------------------------------
// The entry grid

type marksGridView struct {
	Evaluation Evaluation
	Date       string
	Scale      string
	Coef       string
	Rows       []marksGridRow
	Errors     []marksGridRow // rows in error, for the summary
	Stats      marksStatsView
	Notice     string
	Back       string
	Refused    bool
}

type marksGridRow struct {
	ID      uuid.UUID
	Name    string
	Input   string
	Comment string
	Error   string
}

func (h *Handler) marksRenderGrid(c echo.Context, status int, g *Grid, refused bool) error {
	ev := g.Evaluation
	gv := marksGridView{Evaluation: ev, Date: marksDate(ev.OnDate), Scale: ev.Scale.Short(), Coef: ev.Coefficient.Short(), Stats: marksStats(g.Stats),
		Back: h.marksEvaluationHome(c, &ev), Refused: refused}
	if !refused {
		gv.Notice = marksNotice(c.QueryParam("ok"))
	}
	for _, r := range g.Rows {
		rv := marksGridRow{ID: r.PupilID, Name: r.LastName + " " + r.FirstName, Input: r.Input, Comment: r.Comment, Error: r.Error}
		gv.Rows = append(gv.Rows, rv)
		if r.Error != "" {
			gv.Errors = append(gv.Errors, rv)
		}
	}
	return marksPage(c, status, "marks_grid.html", "Saisie des notes – "+ev.Title, gv)
}

// marksGrid reads the grid of the :id evaluation, if the viewer may change it.
func (h *Handler) marksGrid(c echo.Context) (*Grid, error) {
	id, err := marksID(c.Param("id"))
	if err != nil {
		return nil, err
	}
	return h.svc.Grid(c.Request().Context(), web.TenantOf(c), marksActor(c), id)
}

func (h *Handler) grid(c echo.Context) error {
	g, err := h.marksGrid(c)
	if err != nil {
		return err
	}
	return h.marksRenderGrid(c, http.StatusOK, g, false)
}

// Grid form fields: note_<pupil id> and comm_<pupil id>.
const (
	marksGridMark    = "note_"
	marksGridComment = "comm_"
)

func (h *Handler) saveGrid(c echo.Context) error {
	id, err := marksID(c.Param("id"))
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return web.BadRequest(err)
	}
	in := GridInput{Marks: map[uuid.UUID]string{}, Comments: map[uuid.UUID]string{}}
	for key, vals := range form {
		target := in.Marks
		rest, ok := strings.CutPrefix(key, marksGridMark)
		if !ok {
			if rest, ok = strings.CutPrefix(key, marksGridComment); !ok {
				continue
			}
			target = in.Comments
		}
		pid, err := uuid.Parse(rest)
		if err != nil || len(vals) == 0 {
			return fault.Invalidf("notes", "champ de saisie inconnu : %s", key)
		}
		target[pid] = vals[0]
	}
	g, err := h.svc.SaveMarks(c.Request().Context(), web.TenantOf(c), marksActor(c), id, in)
	var ge *GridError
	if errors.As(err, &ge) {
		return h.marksRenderGrid(c, http.StatusUnprocessableEntity, ge.Grid, true)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notes/evaluations/"+g.Evaluation.ID.String()+"/saisie?ok=notes")
}

// ---------------------------------------------------------------------------------------
// Direction: class table, coefficients, periods

// marksClass is a class or group of the current year.
type marksClass struct {
	ID    uuid.UUID
	Code  string
	Label string
	Kind  string
}

// marksClasses lists the current year's classes (kind "classe" or "groupe"; "" for both).
func (s *Service) marksClasses(ctx context.Context, t *tenant.Tenant, kind string) ([]marksClass, error) {
	var out []marksClass
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		q := `SELECT c.id, c.code, c.label, c.kind FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current`
		args := []any{}
		if kind != "" {
			q += ` WHERE c.kind = ?`
			args = append(args, kind)
		}
		return tx.Raw(q+` ORDER BY c.kind, c.code`, args...).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("grades: classes: %w", err)
	}
	return out, nil
}

// marksClassOption is an entry of a class selector.
type marksClassOption struct {
	ID       uuid.UUID
	Label    string
	Selected bool
}

func marksClassOptions(classes []marksClass, chosen *marksClass) []marksClassOption {
	out := make([]marksClassOption, len(classes))
	for i, cl := range classes {
		out[i] = marksClassOption{ID: cl.ID, Label: cl.Label, Selected: chosen != nil && cl.ID == chosen.ID}
	}
	return out
}

// marksChosenClass returns the class of classes named by raw, nil when raw is empty, and a
// 404 for anything else.
func marksChosenClass(classes []marksClass, raw string) (*marksClass, error) {
	if raw == "" {
		return nil, nil
	}
	id, err := marksID(raw)
	if err != nil {
		return nil, err
	}
	for i := range classes {
		if classes[i].ID == id {
			return &classes[i], nil
		}
	}
	return nil, fault.New(fault.ErrNotFound, "cette classe n'existe pas cette année")
}

// marksPupils lists the active pupils of a class or group.
func (s *Service) marksPupils(ctx context.Context, t *tenant.Tenant, classID uuid.UUID) ([]pupilRow, error) {
	var out []pupilRow
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT p.id, p.first_name, p.last_name FROM people p JOIN class_members m ON m.person_id = p.id
			WHERE m.class_id = ? AND p.active AND p.category = 'eleve' ORDER BY lower(p.last_name), lower(p.first_name)`, classID).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("grades: pupils of %s: %w", classID, err)
	}
	return out, nil
}

// marksCoefficients lists the subjects of a class for its coefficients: those taught there
// and those with a coefficient set, each with its coefficient (default 1).
func (s *Service) marksCoefficients(ctx context.Context, t *tenant.Tenant, classID uuid.UUID) ([]SubjectHead, error) {
	var rows []struct {
		Code  string
		Label string
		Coef  *int64
	}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT s.code, s.label, (sc.coefficient * 100)::bigint AS coef FROM subjects s
			LEFT JOIN subject_coefficients sc ON sc.subject_code = s.code AND sc.class_id = ?
			WHERE sc.class_id IS NOT NULL OR EXISTS (SELECT 1 FROM teachings te WHERE te.class_id = ? AND te.subject_code = s.code)
			ORDER BY s.label`, classID, classID).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("grades: coefficients of %s: %w", classID, err)
	}
	out := make([]SubjectHead, len(rows))
	for i, r := range rows {
		out[i] = SubjectHead{Code: r.Code, Label: r.Label, Coef: 100}
		if r.Coef != nil {
			out[i].Coef = Hundredths(*r.Coef)
		}
	}
	return out, nil
}

// marksSubjectExists tells whether the establishment has this subject.
func (s *Service) marksSubjectExists(ctx context.Context, t *tenant.Tenant, code string) (bool, error) {
	var n int
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM subjects WHERE code = ?`, code).Scan(&n).Error
	})
	return n > 0, err
}

type marksTableView struct {
	Classes  []marksClassOption
	ClassID  uuid.UUID
	Periods  []marksPeriodOption
	PeriodID uuid.UUID
	Class    string
	Period   string
	Heads    []marksTableHead
	Rows     []marksTableRow
	General  marksStatsView
	Buckets  []marksBucket
	Coefs    []marksCoefRow
	Notice   string
	Error    string
}

type marksTableHead struct {
	Label string
	Coef  string
	Stats marksStatsView
}

type marksTableRow struct {
	ID      uuid.UUID
	Name    string
	Cells   []string
	General string
}

type marksBucket struct {
	Label string
	Count int
	Share string
}

type marksCoefRow struct {
	Code  string
	Label string
	Value string
	Error string
}

func (h *Handler) classTable(c echo.Context) error {
	return h.marksRenderTable(c, http.StatusOK, c.QueryParam("classe"), c.QueryParam("periode"), "", "", "")
}

// marksRenderTable shows the class table; errSubject, when set, is the subject whose coefficient
// typed was refused with errText.
func (h *Handler) marksRenderTable(c echo.Context, status int, rawClass, rawPeriod, errSubject, typed, errText string) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	classes, err := h.svc.marksClasses(ctx, t, "classe")
	if err != nil {
		return err
	}
	p, ps, err := h.marksPeriod(c, rawPeriod)
	if err != nil {
		return err
	}
	chosen, err := marksChosenClass(classes, rawClass)
	if err != nil {
		return err
	}
	tv := marksTableView{Classes: marksClassOptions(classes, chosen), Periods: marksPeriodOptions(ps, p), PeriodID: p.ID, Period: p.Label(),
		Notice: marksNotice(c.QueryParam("ok"))}
	if chosen == nil {
		return marksPage(c, status, "marks_table.html", "Tableau des moyennes", tv)
	}
	classID := chosen.ID
	tv.ClassID, tv.Class = chosen.ID, chosen.Label
	ct, err := h.svc.Table(ctx, t, marksActor(c), classID, p)
	if err != nil {
		return err
	}
	for _, sh := range ct.Subjects {
		tv.Heads = append(tv.Heads, marksTableHead{Label: sh.Label, Coef: sh.Coef.Short(), Stats: marksStats(sh.Stats)})
	}
	for _, r := range ct.Rows {
		row := marksTableRow{ID: r.PupilID, Name: r.Name, General: marksAverage(r.General)}
		for _, a := range r.Averages {
			cell := "–"
			if a != nil {
				cell = French(a)
			}
			row.Cells = append(row.Cells, cell)
		}
		tv.Rows = append(tv.Rows, row)
	}
	tv.General = marksStats(ct.General)
	for i, b := range ct.Distribution {
		label := fmt.Sprintf("de %d à moins de %d", b.From, b.To)
		if i == len(ct.Distribution)-1 {
			label = fmt.Sprintf("%d et plus", b.From)
		}
		share := "–"
		if ct.General.Count > 0 {
			share = fmt.Sprintf("%d %%", (b.Count*100+ct.General.Count/2)/ct.General.Count)
		}
		tv.Buckets = append(tv.Buckets, marksBucket{Label: label, Count: b.Count, Share: share})
	}
	subjects, err := h.svc.marksCoefficients(ctx, t, classID)
	if err != nil {
		return err
	}
	for _, s := range subjects {
		cr := marksCoefRow{Code: s.Code, Label: s.Label, Value: s.Coef.Short()}
		if s.Code == errSubject {
			cr.Value, cr.Error = typed, errText
			tv.Error = "Le coefficient de " + s.Label + " n'a pas été enregistré : " + errText
		}
		tv.Coefs = append(tv.Coefs, cr)
	}
	return marksPage(c, status, "marks_table.html", "Tableau des moyennes – "+tv.Class, tv)
}

func (h *Handler) saveCoefficient(c echo.Context) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	rawClass, subject, coef, rawPeriod := c.FormValue("classe"), c.FormValue("matiere"), c.FormValue("coefficient"), c.FormValue("periode")
	classes, err := h.svc.marksClasses(ctx, t, "classe")
	if err != nil {
		return err
	}
	chosen, err := marksChosenClass(classes, rawClass)
	if err != nil {
		return err
	}
	ok, err := h.svc.marksSubjectExists(ctx, t, subject)
	if err != nil {
		return err
	}
	if chosen == nil || !ok {
		return fault.New(fault.ErrNotFound, "classe ou matière introuvable")
	}
	classID := chosen.ID
	if _, err := marksID(rawPeriod); err != nil {
		rawPeriod = ""
	}
	err = h.svc.SetSubjectCoefficient(ctx, t, marksActor(c), classID, subject, coef)
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return h.marksRenderTable(c, http.StatusUnprocessableEntity, rawClass, rawPeriod, subject, coef,
			"un nombre de 0 à 100, deux décimales au plus (ex. 2 ou 0,5)")
	}
	if err != nil {
		return err
	}
	q := url.Values{"classe": {classID.String()}, "ok": {"coefficient"}}
	if rawPeriod != "" {
		q.Set("periode", rawPeriod)
	}
	return c.Redirect(http.StatusSeeOther, "/notes/tableau?"+q.Encode())
}

type marksPeriodsView struct {
	Periods []marksPeriodOption
	Kind    string
	End1    string
	End2    string
	Errors  map[string]string
	Error   string
	Notice  string
}

func (h *Handler) periodsPage(c echo.Context) error {
	ps, err := h.svc.Periods(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	pv := marksPeriodsView{Periods: marksPeriodOptions(ps, nil), Notice: marksNotice(c.QueryParam("ok"))}
	if len(ps) > 0 {
		pv.Kind = ps[0].Kind
		pv.End1 = ps[0].EndsOn.Format("2006-01-02")
	}
	if len(ps) > 2 {
		pv.End2 = ps[1].EndsOn.Format("2006-01-02")
	}
	return marksPage(c, http.StatusOK, "marks_periods.html", "Périodes de l'année", pv)
}

func (h *Handler) savePeriods(c echo.Context) error {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	pv := marksPeriodsView{Kind: c.FormValue("decoupage"), End1: c.FormValue("fin1"), End2: c.FormValue("fin2"), Errors: map[string]string{}}
	var ends []time.Time
	want := map[string]int{KindTrimestre: 2, KindSemestre: 1}[pv.Kind]
	if want == 0 {
		pv.Errors["decoupage"] = "Choisissez trimestres ou semestres."
	}
	for i, raw := range []string{pv.End1, pv.End2}[:max(want, 1)] {
		d, err := parseDay(raw)
		if err != nil {
			pv.Errors[fmt.Sprintf("fin%d", i+1)] = "Date illisible : jj/mm/aaaa."
			continue
		}
		ends = append(ends, d)
	}
	status := http.StatusUnprocessableEntity
	if len(pv.Errors) == 0 {
		_, err := h.svc.SetPeriods(ctx, t, pv.Kind, ends)
		var inv *fault.Invalid
		var msg *fault.Message
		switch {
		case err == nil:
			return c.Redirect(http.StatusSeeOther, "/notes/periodes?ok=periodes")
		case errors.As(err, &inv):
			pv.Error = inv.Message
		case errors.As(err, &msg) && errors.Is(err, fault.ErrConflict):
			pv.Error, status = msg.Text, http.StatusConflict
		default:
			return err
		}
	}
	ps, err := h.svc.Periods(ctx, t)
	if err != nil {
		return err
	}
	pv.Periods = marksPeriodOptions(ps, nil)
	return marksPage(c, status, "marks_periods.html", "Périodes de l'année", pv)
}
