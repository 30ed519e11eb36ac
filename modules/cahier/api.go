package cahier

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of the cahier (openapi.json): the same service as the pages, the same rules.

type apiWork struct {
	ID              uuid.UUID  `json:"id"`
	SessionID       *uuid.UUID `json:"session_id"`
	ClassID         uuid.UUID  `json:"class_id"`
	Class           string     `json:"class"`
	SubjectCode     string     `json:"subject_code"`
	Subject         string     `json:"subject"`
	Teacher         string     `json:"teacher"`
	Kind            string     `json:"kind"`
	Description     string     `json:"description"`
	DescriptionHTML string     `json:"description_html"`
	DueOn           string     `json:"due_on"`
	NextLesson      bool       `json:"next_lesson"`
	Minutes         int        `json:"minutes"`
	PublishAt       time.Time  `json:"publish_at"`
	Expected        Expected   `json:"submission_expected"` // what pupils hand in (sub.go)
	Done            *bool      `json:"done"`                // the pupil's own tick; null for everyone else
	Files           *[]apiFile `json:"files,omitempty"`     // read alone or in its séance (GET /seances/{id})
}

// apiFile is an attachment of a séance or a piece of work, with its download address.
type apiFile struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	URL         string    `json:"url"`
}

func apiFileOf(f File) apiFile {
	return apiFile{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, URL: f.Href()}
}

func apiFiles(fs []File) []apiFile {
	out := make([]apiFile, len(fs))
	for i, f := range fs {
		out[i] = apiFileOf(f)
	}
	return out
}

type apiSession struct {
	ID          uuid.UUID  `json:"id"`
	ClassID     uuid.UUID  `json:"class_id"`
	Class       string     `json:"class"`
	SubjectCode string     `json:"subject_code"`
	Subject     string     `json:"subject"`
	Teacher     string     `json:"teacher"`
	SlotID      *uuid.UUID `json:"slot_id"`
	Date        string     `json:"date"`
	Starts      string     `json:"starts"`
	Ends        string     `json:"ends"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	BodyHTML    string     `json:"body_html"`
	Links       []Link     `json:"links"`
	State       State      `json:"state"`
	PublishAt   time.Time  `json:"publish_at"`
	Work        []apiWork  `json:"work"`
	Files       []apiFile  `json:"files"`
}

type apiWorkload struct {
	Date       string `json:"date"`
	Minutes    int    `json:"minutes"`
	Threshold  int    `json:"threshold"`
	Over       bool   `json:"over"`
	Disconnect bool   `json:"disconnect"`
}

func apiWorkOf(w Work, own bool) apiWork {
	out := apiWork{ID: w.ID, ClassID: w.ClassID, Class: w.ClassLabel, SubjectCode: w.SubjectCode, Subject: w.SubjectLabel, Teacher: w.Teacher,
		Kind: w.Kind, Description: w.Description, DescriptionHTML: w.DescriptionHTML, DueOn: w.DueOn.Format(dateLayout), NextLesson: w.NextLesson,
		Minutes: w.Minutes, PublishAt: w.PublishAt.In(directory.SchoolZone), Expected: w.Submission}
	if w.SessionID != uuid.Nil {
		out.SessionID = &w.SessionID
	}
	if own {
		done := w.Done
		out.Done = &done
	}
	if w.Files != nil {
		fs := apiFiles(w.Files)
		out.Files = &fs
	}
	return out
}

func apiWorks(ws []Work, own bool) []apiWork {
	out := make([]apiWork, len(ws))
	for i, w := range ws {
		out[i] = apiWorkOf(w, own)
	}
	return out
}

func apiSessionOf(se Session) apiSession {
	out := apiSession{ID: se.ID, ClassID: se.ClassID, Class: se.ClassLabel, SubjectCode: se.SubjectCode, Subject: se.SubjectLabel, Teacher: se.Teacher,
		Date: se.OnDate.Format(dateLayout), Starts: se.Starts, Ends: se.Ends, Title: se.Title, Body: se.Body, BodyHTML: se.BodyHTML,
		Links: se.Links, State: se.State, PublishAt: se.PublishAt.In(directory.SchoolZone), Work: apiWorks(se.Work, false), Files: apiFiles(se.Files)}
	if out.Links == nil {
		out.Links = []Link{}
	}
	if se.SlotID != uuid.Nil {
		out.SlotID = &se.SlotID
	}
	return out
}

func apiSessions(ss []Session) []apiSession {
	out := make([]apiSession, len(ss))
	for i, se := range ss {
		out[i] = apiSessionOf(se)
	}
	return out
}

func apiWorkloadOf(w *Workload) apiWorkload {
	return apiWorkload{Date: w.Day.Format(dateLayout), Minutes: w.Minutes, Threshold: w.Threshold, Over: w.Over, Disconnect: w.Disconnect}
}

// pupilParam is ?eleve= (a guardian's child), the viewer by default.
func pupilParam(c echo.Context) (uuid.UUID, error) {
	raw := c.QueryParam("eleve")
	if raw == "" {
		return requestActor(c).PersonID, nil
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, fault.Invalidf("eleve", "eleve : identifiant d'élève illisible")
	}
	return id, nil
}

func (h *Handler) apiWeek(c echo.Context) error {
	pupil, err := pupilParam(c)
	if err != nil {
		return err
	}
	a := requestActor(c)
	w, err := h.svc.PupilWeek(c.Request().Context(), web.TenantOf(c), a, pupil, h.weekOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"monday": w.Monday.Format(dateLayout), "sessions": apiSessions(w.Sessions), "work": apiWorks(w.Work, pupil == a.PersonID)})
}

func (h *Handler) apiToDo(c echo.Context) error {
	pupil, err := pupilParam(c)
	if err != nil {
		return err
	}
	a := requestActor(c)
	ws, err := h.svc.ToDo(c.Request().Context(), web.TenantOf(c), a, pupil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"work": apiWorks(ws, pupil == a.PersonID)})
}

func (h *Handler) apiClassBook(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	b, err := h.svc.ClassBook(c.Request().Context(), web.TenantOf(c), requestActor(c), id, c.QueryParam("matiere"))
	if err != nil {
		return err
	}
	subjects := make([]map[string]string, len(b.Subjects))
	for i, s := range b.Subjects {
		subjects[i] = map[string]string{"code": s.SubjectCode, "label": s.SubjectLabel}
	}
	return c.JSON(http.StatusOK, map[string]any{"class": b.Title, "subject": b.Subject, "subjects": subjects, "sessions": apiSessions(b.Sessions)})
}

func (h *Handler) apiSession(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	se, err := h.svc.Session(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiSessionOf(se))
}

// apiSessionInput is a séance as the API writes it.
type apiSessionInput struct {
	SlotID      string `json:"slot_id"`
	Date        string `json:"date"`
	ClassID     string `json:"class_id"`
	SubjectCode string `json:"subject_code"`
	Starts      string `json:"starts"`
	Ends        string `json:"ends"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	Links       []Link `json:"links"`
	VisibleFrom string `json:"visible_from"`
	Publish     bool   `json:"publish"`
}

var apiSessionFields = map[string]string{"cours": "slot_id", "classe": "class_id", "date": "date", "debut": "starts", "titre": "title",
	"contenu": "body", "liens": "links", "visible": "visible_from"}

var apiWorkFields = map[string]string{"seance": "session_id", "classe": "class_id", "type": "kind", "consigne": "description",
	"echeance": "due_on", "duree": "minutes", "publication": "publish_at", "rendu": "submission"}

// refused answers a refused form: 422 with a message per JSON field.
func refused(c echo.Context, errs FormErrors, names map[string]string, what string) error {
	fields := map[string]string{}
	for k, v := range errs {
		fields[names[k]] = v
	}
	return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": what + " refusé : corrigez les champs signalés ; rien n'a été enregistré", "fields": fields})
}

func decode(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fault.Decoding(err)
	}
	return nil
}

func (h *Handler) apiCreateSession(c echo.Context) error {
	return h.apiSaveSession(c, uuid.Nil, http.StatusCreated)
}

func (h *Handler) apiUpdateSession(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return h.apiSaveSession(c, id, http.StatusOK)
}

func (h *Handler) apiSaveSession(c echo.Context, id uuid.UUID, status int) error {
	var in apiSessionInput
	if err := decode(c, &in); err != nil {
		return err
	}
	f := SessionForm{Slot: in.SlotID, Date: in.Date, Starts: in.Starts, Ends: in.Ends, Title: in.Title, Body: in.Body, VisibleFrom: in.VisibleFrom}
	if in.ClassID != "" {
		f.Choice = in.ClassID + "|" + in.SubjectCode
	}
	for _, l := range in.Links {
		f.Links += l.Title + " " + l.URL + "\n"
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	saved, err := h.svc.SaveSession(ctx, t, a, id, f, in.Publish)
	var errs FormErrors
	if errors.As(err, &errs) {
		return refused(c, errs, apiSessionFields, "séance")
	}
	if err != nil {
		return err
	}
	se, err := h.svc.Session(ctx, t, a, saved)
	if err != nil {
		return err
	}
	return c.JSON(status, apiSessionOf(se))
}

func (h *Handler) apiDeleteSession(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteSession(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiCopySession(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in struct {
		ClassID string `json:"class_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	class, err := uuid.Parse(in.ClassID)
	if err != nil {
		return fault.Invalidf("class_id", "class_id : choisissez une classe ou un groupe")
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	copied, err := h.svc.CopySession(ctx, t, a, id, class)
	var inv *fault.Invalid
	if errors.As(err, &inv) && inv.Field == "classe" {
		return fault.Invalidf("class_id", "%s", inv.Message)
	}
	if err != nil {
		return err
	}
	se, err := h.svc.Session(ctx, t, a, copied)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiSessionOf(se))
}

// apiWorkInput is a piece of work as the API writes it.
type apiWorkInput struct {
	SessionID   string `json:"session_id"`
	ClassID     string `json:"class_id"`
	SubjectCode string `json:"subject_code"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Due         string `json:"due"`
	DueOn       string `json:"due_on"`
	Minutes     int    `json:"minutes"`
	PublishAt   string `json:"publish_at"`
	Submission  string `json:"submission"`
}

func (h *Handler) apiCreateWork(c echo.Context) error {
	var in apiWorkInput
	if err := decode(c, &in); err != nil {
		return err
	}
	f := WorkForm{Session: in.SessionID, Kind: in.Kind, Description: in.Description, Due: in.Due, DueOn: in.DueOn, Minutes: itoa(in.Minutes), PublishAt: in.PublishAt,
		Submission: in.Submission}
	if in.ClassID != "" {
		f.Choice = in.ClassID + "|" + in.SubjectCode
	}
	if in.Minutes < 0 {
		f.Minutes = "-"
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	saved, wl, err := h.svc.SaveWork(ctx, t, a, uuid.Nil, f)
	var errs FormErrors
	if errors.As(err, &errs) {
		return refused(c, errs, apiWorkFields, "travail")
	}
	if err != nil {
		return err
	}
	w, err := h.svc.Work(ctx, t, a, saved)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"work": apiWorkOf(w, false), "workload": apiWorkloadOf(wl)})
}

func (h *Handler) apiWork(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	a := requestActor(c)
	w, err := h.svc.Work(c.Request().Context(), web.TenantOf(c), a, id)
	if err != nil {
		return err
	}
	out := apiWorkOf(w, a.can(PermTick))
	if out.Files == nil {
		fs := []apiFile{}
		out.Files = &fs
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) apiAttachSession(c echo.Context) error { return h.apiAttach(c, true) }

func (h *Handler) apiAttachWork(c echo.Context) error { return h.apiAttach(c, false) }

// apiAttach adds the multipart form's file (field fichier) to the teacher's séance or work:
// 201 with the file, or 422 naming the field (type, size, name, the establishment's quota).
func (h *Handler) apiAttach(c echo.Context, session bool) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	sent, err := files.FormFile(c, "fichier", MaxFileBytes, "envoi trop volumineux : le fichier doit faire "+fault.ByteSize(MaxFileBytes)+" au plus")
	if err != nil {
		return err
	}
	if sent == nil {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": "pièce jointe refusée : rien n'a été enregistré",
			"fields": map[string]string{"fichier": "fichier : envoyez le fichier dans le champ « fichier » du formulaire multipart"}})
	}
	f, err := h.svc.Attach(c.Request().Context(), web.TenantOf(c), requestActor(c), id, session, "fichier", sent.Name, sent.Data)
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": "pièce jointe refusée : rien n'a été enregistré", "fields": map[string]string{inv.Field: inv.Message}})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiFileOf(f))
}

func (h *Handler) apiDetach(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := h.svc.Detach(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiDeleteWork(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteWork(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiTick(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in struct {
		Done bool `json:"done"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := h.svc.Tick(c.Request().Context(), web.TenantOf(c), requestActor(c), id, in.Done); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiWorkload(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	class, err := uuid.Parse(c.QueryParam("classe"))
	if err != nil {
		return fault.Invalidf("classe", "classe : identifiant de classe ou de groupe illisible")
	}
	d, ok := parseDate(c.QueryParam("date"))
	if !ok {
		return fault.Invalidf("date", "date : indiquez le jour voulu (aaaa-mm-jj)")
	}
	if err := h.svc.mayWrite(ctx, t, a, class); err != nil {
		return err
	}
	wl, err := h.svc.Workload(ctx, t, class, d, h.svc.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiWorkloadOf(wl))
}
