package timetable

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The management page (day profile, import, every slot by class) and the slot form with
// its exceptions, for direction.

type manageView struct {
	Profile profileView
	Classes []classSlots
	Import  importView
	Columns []string
	Notice  string
}

type classSlots struct {
	Group Group
	Slots []slotLine
}

type slotLine struct {
	ID                                 uuid.UUID
	Day, Time, Subject, Teachers, Room string
	Weeks, Dates                       string
}

type profileView struct {
	Rows              []periodRow
	MorningEnds       string
	WeekA             string
	ABThroughHolidays bool
	Errors            FormErrors
}

type periodRow struct {
	N                int
	Code, Start, End string
	Error            string
}

type importView struct {
	Lines  []string
	More   int
	Report *ImportReport
	Error  string
}

func profileViewOf(p Profile) profileView {
	v := profileView{MorningEnds: p.MorningEnds.String(), ABThroughHolidays: p.ABThroughHolidays}
	if !p.WeekA.IsZero() {
		v.WeekA = p.WeekA.Format(dateLayout)
	}
	for _, pe := range p.Periods {
		v.Rows = append(v.Rows, periodRow{Code: pe.Code, Start: pe.Start.String(), End: pe.End.String()})
	}
	return v.padded()
}

// padded adds empty lines to the profile form: up to twelve periods in all.
func (v profileView) padded() profileView {
	for len(v.Rows) < 12 {
		v.Rows = append(v.Rows, periodRow{})
	}
	for i := range v.Rows {
		v.Rows[i].N = i
		v.Rows[i].Error = v.Errors["periode"+strconv.Itoa(i)]
	}
	return v
}

func (h *Handler) manageData(c echo.Context, pv *profileView, iv importView) (manageView, error) {
	ctx, t := c.Request().Context(), web.TenantOf(c)
	if pv == nil {
		p, err := h.svc.Profile(ctx, t)
		if err != nil {
			return manageView{}, err
		}
		v := profileViewOf(p)
		pv = &v
	}
	slots, err := h.svc.Slots(ctx, t)
	if err != nil {
		return manageView{}, err
	}
	mv := manageView{Profile: *pv, Import: iv, Columns: CSVColumns, Notice: manageNotice(c.QueryParam("ok"))}
	for _, s := range slots {
		if len(mv.Classes) == 0 || mv.Classes[len(mv.Classes)-1].Group.ID != s.Group.ID {
			mv.Classes = append(mv.Classes, classSlots{Group: s.Group})
		}
		cs := &mv.Classes[len(mv.Classes)-1]
		cs.Slots = append(cs.Slots, slotLineOf(s))
	}
	return mv, nil
}

func slotLineOf(s Slot) slotLine {
	names := ""
	for i, p := range s.Teachers {
		if i > 0 {
			names += ", "
		}
		names += p.Name
	}
	return slotLine{ID: s.ID, Day: weekdayName(s.Weekday), Time: s.Start.French() + " – " + s.End.French(), Subject: s.Subject.Label,
		Teachers: names, Room: s.Room, Weeks: s.Weeks.Label(), Dates: "du " + frDate(s.From) + " au " + frDate(s.Until)}
}

func manageNotice(code string) string {
	switch code {
	case "horaires":
		return "Les horaires de la journée ont été enregistrés."
	case "cree":
		return "Le cours a été ajouté."
	case "modifie":
		return "Le cours a été enregistré."
	case "supprime":
		return "Le cours a été supprimé, avec ses modifications ponctuelles."
	case "exception":
		return "La modification du cours a été enregistrée."
	case "exception-supprimee":
		return "La modification ponctuelle a été supprimée : le cours a lieu comme prévu."
	}
	return ""
}

func (h *Handler) manage(c echo.Context) error {
	mv, err := h.manageData(c, nil, importView{})
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "timetable_manage.html", "Gérer l'emploi du temps", mv)
}

func (h *Handler) saveProfile(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	f := ProfileForm{Codes: form["code"], Starts: form["debut"], Ends: form["fin"], MorningEnds: form.Get("fin_matin"), WeekA: form.Get("semaine_a"),
		ABThroughHolidays: form.Get("alternance_vacances") != ""}
	_, err = h.svc.SaveProfile(c.Request().Context(), web.TenantOf(c), f)
	var errs FormErrors
	if !errors.As(err, &errs) {
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/emploi-du-temps/gestion?ok=horaires")
	}
	pv := profileView{MorningEnds: f.MorningEnds, WeekA: f.WeekA, ABThroughHolidays: f.ABThroughHolidays, Errors: errs}
	for i := range f.Codes {
		pv.Rows = append(pv.Rows, periodRow{Code: f.Codes[i], Start: at(f.Starts, i), End: at(f.Ends, i)})
	}
	pv = pv.padded()
	mv, err := h.manageData(c, &pv, importView{})
	if err != nil {
		return err
	}
	return render(c, http.StatusUnprocessableEntity, "timetable_manage.html", "Gérer l'emploi du temps", mv)
}

// slotFormView is the slot form, and on an existing slot its exceptions.
type slotFormView struct {
	ID         uuid.UUID
	Form       SlotForm
	Errors     FormErrors
	Choices    *Choices
	Days       []dayOption
	Action     string
	Exceptions []exceptionLine
	Exception  ExceptionForm
	ExcErrors  FormErrors
	Notice     string
}

type dayOption struct {
	Value, Label string
	Selected     bool
}

type exceptionLine struct {
	Date, DateValue, Kind, Detail, Note string
}

// Selected tells whether the form names the teacher.
func (v slotFormView) Selected(id uuid.UUID) bool {
	return slices.Contains(v.Form.Teachers, id.String())
}

func slotFormOf(s Slot) SlotForm {
	f := SlotForm{ClassID: s.Group.ID.String(), Subject: s.Subject.Code, Room: s.Room, Weekday: strconv.Itoa(isoWeekday(s.Weekday)),
		Start: s.Start.String(), End: s.End.String(), Weeks: string(s.Weeks), From: s.From.Format(dateLayout), Until: s.Until.Format(dateLayout)}
	for _, p := range s.Teachers {
		f.Teachers = append(f.Teachers, p.ID.String())
	}
	return f
}

func readSlotForm(c echo.Context) (SlotForm, error) {
	form, err := c.FormParams()
	if err != nil {
		return SlotForm{}, err
	}
	return SlotForm{ClassID: form.Get("classe"), Subject: form.Get("matiere"), Teachers: form["enseignants"], Room: form.Get("salle"),
		Weekday: form.Get("jour"), Start: form.Get("debut"), End: form.Get("fin"), Weeks: form.Get("semaines"), From: form.Get("du"), Until: form.Get("au")}, nil
}

func (h *Handler) slotPage(c echo.Context, status int, v slotFormView) error {
	ch, err := h.svc.Choices(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	v.Choices = ch
	for i, d := range weekdays {
		n := strconv.Itoa(i + 1)
		v.Days = append(v.Days, dayOption{Value: n, Label: d, Selected: v.Form.Weekday == n || v.Form.Weekday == d})
	}
	title := "Nouveau cours"
	v.Action = "/emploi-du-temps/gestion/creneaux"
	if v.ID != uuid.Nil {
		title, v.Action = "Modifier le cours", "/emploi-du-temps/gestion/creneaux/"+v.ID.String()
		sl, exc, err := h.svc.Slot(c.Request().Context(), web.TenantOf(c), v.ID)
		if err != nil {
			return err
		}
		for _, e := range exc {
			v.Exceptions = append(v.Exceptions, exceptionLineOf(sl, e))
		}
	}
	return render(c, status, "timetable_slot_form.html", title, v)
}

func exceptionLineOf(s Slot, e Exception) exceptionLine {
	l := exceptionLine{Date: frLongDay(e.Date), DateValue: e.Date.Format(dateLayout), Note: e.Note}
	switch e.Kind {
	case Cancelled:
		l.Kind = "Annulé"
	case Moved:
		l.Kind = "Déplacé"
		l.Detail = "le " + frLongDay(e.NewDate) + ", " + e.NewStart.French() + " – " + e.NewEnd.French()
		if e.NewRoom != "" {
			l.Detail += ", salle " + e.NewRoom
		}
	case Replaced:
		l.Kind = "Remplacement"
		if e.Replacement != nil {
			l.Detail = "par " + e.Replacement.Name
		}
	}
	return l
}

func (h *Handler) newSlot(c echo.Context) error {
	f := SlotForm{ClassID: c.QueryParam("classe"), Weekday: "1"}
	return h.slotPage(c, http.StatusOK, slotFormView{Form: f})
}

func (h *Handler) createSlot(c echo.Context) error { return h.writeSlot(c, uuid.Nil) }

func (h *Handler) updateSlot(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return h.writeSlot(c, id)
}

func (h *Handler) writeSlot(c echo.Context, id uuid.UUID) error {
	f, err := readSlotForm(c)
	if err != nil {
		return err
	}
	if id != uuid.Nil { // an unknown slot is a 404, not a form to correct
		if _, _, err := h.svc.Slot(c.Request().Context(), web.TenantOf(c), id); err != nil {
			return err
		}
	}
	_, err = h.svc.SaveSlot(c.Request().Context(), web.TenantOf(c), id, f)
	var errs FormErrors
	switch {
	case errors.As(err, &errs):
		return h.slotPage(c, http.StatusUnprocessableEntity, slotFormView{ID: id, Form: f, Errors: errs})
	case err != nil:
		return err
	case id == uuid.Nil:
		return c.Redirect(http.StatusSeeOther, "/emploi-du-temps/gestion?ok=cree")
	}
	return c.Redirect(http.StatusSeeOther, "/emploi-du-temps/gestion?ok=modifie")
}

func (h *Handler) editSlot(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sl, _, err := h.svc.Slot(c.Request().Context(), web.TenantOf(c), id)
	if err != nil {
		return err
	}
	return h.slotPage(c, http.StatusOK, slotFormView{ID: id, Form: slotFormOf(sl), Exception: ExceptionForm{Kind: string(Cancelled)},
		Notice: manageNotice(c.QueryParam("ok"))})
}

func (h *Handler) confirmDeleteSlot(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sl, exc, err := h.svc.Slot(c.Request().Context(), web.TenantOf(c), id)
	if err != nil {
		return err
	}
	l := slotLineOf(sl)
	v := confirmView{Question: "Supprimer ce cours ?", Warning: "Le cours disparaît de toutes les semaines.",
		What:   sl.Group.Label + " – " + l.Subject + ", le " + l.Day + " de " + l.Time,
		Action: "/emploi-du-temps/gestion/creneaux/" + id.String() + "/supprimer", Button: "Supprimer le cours", Back: "/emploi-du-temps/gestion/creneaux/" + id.String()}
	if l.Room != "" {
		v.What += ", salle " + l.Room
	}
	v.What += " (" + l.Weeks + ", " + l.Dates + ")."
	if len(exc) > 0 {
		v.Warning = fmt.Sprintf("Le cours disparaît de toutes les semaines, avec ses %d modification(s) ponctuelle(s).", len(exc))
	}
	return render(c, http.StatusOK, "timetable_confirm_delete.html", "Supprimer le cours", v)
}

func (h *Handler) deleteSlot(c echo.Context) error {
	return deleteParam(c, h.svc.DeleteSlot, "/emploi-du-temps/gestion?ok=supprime")
}

// deleteParam deletes the address's :id with del (after its confirmation page), then goes to next.
func deleteParam(c echo.Context, del func(context.Context, *tenant.Tenant, uuid.UUID) error, next string) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := del(c.Request().Context(), web.TenantOf(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (h *Handler) saveException(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sl, _, err := h.svc.Slot(c.Request().Context(), web.TenantOf(c), id)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	f := ExceptionForm{Date: form.Get("date"), Kind: form.Get("type"), NewDate: form.Get("nouvelle_date"), NewStart: form.Get("nouveau_debut"),
		NewEnd: form.Get("nouvelle_fin"), NewRoom: form.Get("nouvelle_salle"), Replacement: form.Get("remplacant"), Note: form.Get("remarque")}
	err = h.svc.SaveException(c.Request().Context(), web.TenantOf(c), id, f)
	var errs FormErrors
	switch {
	case errors.As(err, &errs):
		return h.slotPage(c, http.StatusUnprocessableEntity, slotFormView{ID: id, Form: slotFormOf(sl), Exception: f, ExcErrors: errs})
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/emploi-du-temps/gestion/creneaux/"+id.String()+"?ok=exception")
}

func (h *Handler) deleteException(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteException(c.Request().Context(), web.TenantOf(c), id, c.FormValue("date")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/emploi-du-temps/gestion/creneaux/"+id.String()+"?ok=exception-supprimee")
}

// importCSV replaces the slots of the classes of an uploaded CSV file (field "fichier").
func (h *Handler) importCSV(c echo.Context) error {
	iv := importView{}
	fh, err := c.FormFile("fichier")
	if err != nil {
		iv.Error = "Aucun fichier reçu : choisissez un fichier CSV (colonnes décrites ci-dessous)."
	} else {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		rep, err := h.svc.ImportSlots(c.Request().Context(), web.TenantOf(c), fh.Filename, f)
		var bad *ImportError
		switch {
		case errors.As(err, &bad):
			iv.Lines, iv.More = bad.Lines, bad.More
		case err != nil && userText(err) != "":
			iv.Error = userText(err) // the file's encoding or size
		case err != nil:
			return err
		default:
			iv.Report = rep
		}
	}
	mv, err := h.manageData(c, nil, iv)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if iv.Report == nil {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, "timetable_manage.html", "Gérer l'emploi du temps", mv)
}

// userText is the French text of an error meant for the user, "" for any other.
func userText(err error) string {
	var inv *fault.Invalid
	var msg *fault.Message
	switch {
	case errors.As(err, &inv):
		return inv.Message
	case errors.As(err, &msg):
		return msg.Text
	}
	return ""
}
