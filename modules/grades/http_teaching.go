package grades

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/csvout"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

type teachingRow struct {
	Teaching
	URL    string
	NewURL string
}

func (h *Handler) teaching(c echo.Context) error {
	a := requestActor(c)
	ts, err := h.svc.Teachings(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return err
	}
	rows := make([]teachingRow, len(ts))
	for i, te := range ts {
		rows[i] = teachingRow{Teaching: te, URL: classSubjectURL(te.ClassID, te.SubjectCode, nil),
			NewURL: "/notes/evaluations/nouvelle?" + url.Values{"classe": {te.ClassID.String()}, "matiere": {te.SubjectCode}}.Encode()}
	}
	return render(c, http.StatusOK, "marks_teaching.html", "Notes de mes classes", map[string]any{
		"Rows": rows, "Oversees": a.Oversees()})
}

// sheetOf reads :class, :subject and ?periode= and computes the sheet.
func (h *Handler) sheetOf(c echo.Context) (*subjectSheet, []Period, error) {
	classID, err := parseID(c.Param("class"))
	if err != nil {
		return nil, nil, err
	}
	subject, err := parseSubject(c.Param("subject"))
	if err != nil {
		return nil, nil, err
	}
	p, ps, err := h.choosePeriod(c, c.QueryParam("periode"))
	if err != nil {
		return nil, nil, err
	}
	sh, err := h.svc.subjectSheet(c.Request().Context(), web.TenantOf(c), requestActor(c), classID, subject, p)
	return sh, ps, err
}

type evaluationRow struct {
	ID        uuid.UUID
	Title     string
	Date      string
	Scale     string
	Coef      string
	Bonus     bool
	Published bool
	Count     int
	Stats     statsView
}

type averageRow struct {
	ID      uuid.UUID
	Name    string
	Average string
	None    bool
}

func (h *Handler) classSubject(c echo.Context) error {
	sh, ps, err := h.sheetOf(c)
	if err != nil {
		return err
	}
	te := sh.Teaching
	data := map[string]any{
		"Teaching": te, "Period": sh.Period.Label(), "Periods": periodOptions(ps, &sh.Period),
		"Action": classSubjectURL(te.ClassID, te.SubjectCode, nil), "Class": statsViewOf(sh.Class),
		"NewURL": "/notes/evaluations/nouvelle?" + url.Values{"classe": {te.ClassID.String()}, "matiere": {te.SubjectCode}}.Encode(),
		"CSVURL": "/notes/classes/" + te.ClassID.String() + "/" + url.PathEscape(te.SubjectCode) + "/export.csv?periode=" + sh.Period.ID.String(),
		"Notice": notice(c.QueryParam("ok")),
	}
	var evals []evaluationRow
	for i, ev := range sh.Evaluations {
		evals = append(evals, evaluationRow{ID: ev.ID, Title: ev.Title, Date: frDate(ev.OnDate), Scale: ev.Scale.Short(),
			Coef: ev.Coefficient.Short(), Bonus: ev.Bonus, Published: ev.Published, Count: sh.Counts[i], Stats: statsViewOf(sh.EvalStats[i])})
	}
	var pupils []averageRow
	for _, pu := range sh.Pupils {
		pupils = append(pupils, averageRow{ID: pu.ID, Name: pu.LastName + " " + pu.FirstName, Average: averageText(pu.Average), None: pu.Average == nil})
	}
	data["Evaluations"], data["Pupils"] = evals, pupils
	return render(c, http.StatusOK, "marks_class.html", te.SubjectLabel+" – "+te.ClassLabel, data)
}

// exportCSV writes the class's marks in the subject for the period, for a spreadsheet:
// UTF-8 with a BOM, ";" separated, marks as typed and averages with a decimal comma.
func (h *Handler) exportCSV(c echo.Context) error {
	sh, _, err := h.sheetOf(c)
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
	name := fmt.Sprintf("notes-%s-%s-%s%d.csv", csvFileName(sh.Teaching.ClassCode), csvFileName(sh.Teaching.SubjectCode), sh.Period.Kind[:1], sh.Period.Number)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}
