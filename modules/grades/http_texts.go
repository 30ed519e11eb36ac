package grades

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// textSheet is an entry page of one text per pupil: appréciations of a subject, or the
// conseil de classe's comments.
type textSheet struct {
	Class     *reportClass
	Period    string
	Back      string
	Subject   string // label; empty for the conseil de classe
	Field     string // the name prefix of the text fields
	Action    string
	Rows      []textSheetRow
	Published bool
	Average   string // what Average means: "Moyenne" (subject) or "Moyenne générale"
	ClassAvg  string // the class figures shown above the table
	ClassMin  string
	ClassMax  string
	Max       int // characters per text
	Notice    string
	Error     string
}

type textSheetRow struct {
	ID       uuid.UUID
	Name     string
	Average  string
	ClassAvg string
	Text     string
	Error    string
}

const (
	appreciationField = "appreciation-"
	councilField      = "avis-"
)

// formTexts reads the fields prefix<pupil id> of the form.
func formTexts(c echo.Context, prefix string) (map[uuid.UUID]string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, web.BadRequest(err)
	}
	out := map[uuid.UUID]string{}
	for k, vals := range form {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || len(vals) == 0 {
			continue
		}
		id, err := uuid.Parse(rest)
		if err != nil {
			return nil, fault.Invalidf(k, "champ « %s » inconnu", k)
		}
		out[id] = vals[0]
	}
	return out, nil
}

func (h *Handler) appreciationsPage(c echo.Context) error {
	return h.appreciations(c, nil, nil)
}

func (h *Handler) saveAppreciations(c echo.Context) error {
	bc, err := h.startCardRequest(c)
	if err != nil {
		return err
	}
	classID, err := paramID(c, "class")
	if err != nil {
		return err
	}
	texts, err := formTexts(c, appreciationField)
	if err != nil {
		return err
	}
	err = h.svc.SaveAppreciations(bc.ctx, bc.tenant, bc.actor, bc.period, classID, c.Param("subject"), texts)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?ok=1")
	}
	return h.appreciations(c, texts, err)
}

// appreciations shows the appréciations of a subject in a class or group (its teacher, or
// direction); after a refused save, what was typed and the errors.
func (h *Handler) appreciations(c echo.Context, typed map[uuid.UUID]string, saveErr error) error {
	bc, err := h.startCardRequest(c)
	if err != nil {
		return err
	}
	code := c.Param("subject")
	cl, reports, err := h.classOfRequest(c, bc, true, func(b *reportClass) bool {
		for _, s := range b.Subjects {
			if s.Code == code && s.Mine {
				return true
			}
		}
		return b.Oversees
	})
	if err != nil {
		return err
	}
	label, err := h.svc.subjectLabel(bc.ctx, bc.tenant, code)
	if err != nil {
		return err
	}
	sheet := textSheet{Class: cl, Period: bc.period.Label(), Subject: label, Field: appreciationField, Action: c.Request().URL.Path,
		Published: cl.Published, Back: "/bulletins", Average: "Moyenne", Max: 1000,
		ClassAvg: French(nil), ClassMin: French(nil), ClassMax: French(nil)}
	if cl.IsClass() && cl.mayView() {
		sheet.Back = bc.classURL(cl.ID)
	}
	for _, r := range reports {
		row := textSheetRow{ID: r.PupilID, Name: r.LastName + " " + r.FirstName, Average: French(nil)}
		for _, s := range r.Subjects {
			if s.Code == code {
				row.Average, row.Text = French(s.Average), s.Appreciation
				sheet.ClassAvg, sheet.ClassMin, sheet.ClassMax = French(s.Class.Avg), French(s.Class.Min), French(s.Class.Max)
			}
		}
		sheet.Rows = append(sheet.Rows, row)
	}
	if c.QueryParam("ok") != "" {
		sheet.Notice = "Appréciations enregistrées."
	}
	status, err := sheet.apply(typed, saveErr)
	if err != nil {
		return err
	}
	return render(c, status, "bulletin_texts.html", "Appréciations – "+label+" – "+cl.Label, sheet)
}

// apply shows a refused save: what was typed and the errors, nothing being saved. It
// returns the status of the page, or the error when the page cannot show it.
func (s *textSheet) apply(typed map[uuid.UUID]string, saveErr error) (int, error) {
	if saveErr == nil {
		return http.StatusOK, nil
	}
	s.Notice = ""
	var fe FieldErrors
	var inv *fault.Invalid
	switch {
	case errors.As(saveErr, &fe):
		s.Error = "Rien n'a été enregistré : corrigez les appréciations signalées."
		if s.Subject == "" {
			s.Error = "Rien n'a été enregistré : corrigez les avis signalés."
		}
		for i := range s.Rows {
			s.Rows[i].Error = fe[s.Rows[i].ID.String()]
		}
	case errors.As(saveErr, &inv):
		s.Error = "Rien n'a été enregistré : " + inv.Message + "."
	case errors.Is(saveErr, fault.ErrConflict):
		// Published meanwhile: say so, and show the texts as they stand.
		s.Published, s.Error = true, "Rien n'a été enregistré : "+saveErr.Error()+"."
		return http.StatusConflict, nil
	default:
		return 0, saveErr
	}
	for i := range s.Rows {
		if t, ok := typed[s.Rows[i].ID]; ok {
			s.Rows[i].Text = t
		}
	}
	return http.StatusUnprocessableEntity, nil
}

func (h *Handler) councilPage(c echo.Context) error { return h.council(c, nil, nil) }

func (h *Handler) saveCouncil(c echo.Context) error {
	bc, err := h.startCardRequest(c)
	if err != nil {
		return err
	}
	classID, err := paramID(c, "class")
	if err != nil {
		return err
	}
	texts, err := formTexts(c, councilField)
	if err != nil {
		return err
	}
	err = h.svc.SaveCouncilComments(bc.ctx, bc.tenant, bc.actor, bc.period, classID, texts)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?ok=1")
	}
	return h.council(c, texts, err)
}

// council shows the conseil de classe's comment of each pupil next to their general
// average (professeur principal of the class, or direction).
func (h *Handler) council(c echo.Context, typed map[uuid.UUID]string, saveErr error) error {
	bc, err := h.startCardRequest(c)
	if err != nil {
		return err
	}
	cl, reports, err := h.classOfRequest(c, bc, true, func(b *reportClass) bool { return b.IsClass() && b.mayWriteCouncil() })
	if err != nil {
		return err
	}
	sheet := textSheet{Class: cl, Period: bc.period.Label(), Field: councilField, Action: c.Request().URL.Path, Published: cl.Published,
		Back: bc.classURL(cl.ID), Average: "Moyenne générale", Max: 2000, ClassAvg: French(nil), ClassMin: French(nil), ClassMax: French(nil)}
	for _, r := range reports {
		sheet.Rows = append(sheet.Rows, textSheetRow{ID: r.PupilID, Name: r.LastName + " " + r.FirstName, Average: French(r.General), Text: r.Council})
		sheet.ClassAvg, sheet.ClassMin, sheet.ClassMax = French(r.ClassStats.Avg), French(r.ClassStats.Min), French(r.ClassStats.Max)
	}
	if c.QueryParam("ok") != "" {
		sheet.Notice = "Avis du conseil de classe enregistrés."
	}
	status, err := sheet.apply(typed, saveErr)
	if err != nil {
		return err
	}
	return render(c, status, "bulletin_texts.html", "Conseil de classe – "+cl.Label, sheet)
}
