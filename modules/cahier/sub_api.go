package cahier

import (
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of work handed in (openapi.json): the pupil's submission (GET/PUT), the
// teacher's list and return.

type apiSubmission struct {
	ID          uuid.UUID  `json:"id"`
	WorkID      uuid.UUID  `json:"work_id"`
	PupilID     uuid.UUID  `json:"pupil_id"`
	Pupil       string     `json:"pupil"`
	SubmittedAt time.Time  `json:"submitted_at"`
	FirstAt     time.Time  `json:"first_submitted_at"`
	Late        bool       `json:"late"`
	ReturnedAt  *time.Time `json:"returned_at"`
	Comment     string     `json:"comment"`
	Mark        string     `json:"mark"`
	Text        string     `json:"text"`
	Files       []apiFile  `json:"files,omitempty"` // absent in the teacher's list
}

func apiSubmissionOf(s *Submission) *apiSubmission {
	if s == nil {
		return nil
	}
	out := &apiSubmission{ID: s.ID, WorkID: s.WorkID, PupilID: s.PupilID, Pupil: s.Pupil, SubmittedAt: s.SubmittedAt.In(directory.SchoolZone),
		FirstAt: s.FirstAt.In(directory.SchoolZone), Late: s.Late, Comment: s.Comment, Mark: s.Mark, Text: s.Text, Files: []apiFile{}}
	if s.ReturnedAt != nil {
		r := s.ReturnedAt.In(directory.SchoolZone)
		out.ReturnedAt = &r
	}
	for _, f := range s.Files {
		out.Files = append(out.Files, apiFile{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, URL: s.FileHref(f)})
	}
	return out
}

type apiOwnSubmission struct {
	WorkID     uuid.UUID      `json:"work_id"`
	Expected   Expected       `json:"expected"`
	DueOn      string         `json:"due_on"`
	Deadline   time.Time      `json:"deadline"`
	Submission *apiSubmission `json:"submission"`
}

func (h *Handler) apiOwnSubmission(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	w, sub, err := h.svc.OwnSubmission(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	if sub != nil && sub.Files == nil {
		sub.Files = []portfolio.File{}
	}
	return c.JSON(http.StatusOK, apiOwnSubmission{WorkID: w.ID, Expected: w.Submission, DueOn: w.DueOn.Format(dateLayout), Deadline: deadline(w.DueOn),
		Submission: apiSubmissionOf(sub)})
}

// apiHandIn hands in (or replaces) the pupil's submission: a multipart form with « texte »
// and any number of « fichiers ».
func (h *Handler) apiHandIn(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	sent, err := files.FormFiles(c, "fichiers", portfolio.MaxFileBytes, "envoi trop volumineux : les fichiers doivent faire "+fault.ByteSize(portfolio.MaxFileBytes)+" au plus en tout")
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	_, err = h.svc.HandIn(ctx, t, a, id, c.FormValue("texte"), sent)
	var errs FormErrors
	if errors.As(err, &errs) {
		return refused(c, errs, map[string]string{"texte": "texte", "fichiers": "fichiers", "rendu": "submission"}, "travail rendu")
	}
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": "travail rendu refusé : rien n'a été enregistré", "fields": map[string]string{"fichiers": inv.Message}})
	}
	if err != nil {
		return err
	}
	return h.apiOwnSubmission(c)
}

type apiHanded struct {
	PupilID    uuid.UUID      `json:"pupil_id"`
	Name       string         `json:"name"`
	Submission *apiSubmission `json:"submission"`
}

func (h *Handler) apiWorkSubmissions(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	subs, err := h.svc.WorkSubmissions(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	out := struct {
		WorkID   uuid.UUID   `json:"work_id"`
		Expected Expected    `json:"expected"`
		HandedIn int         `json:"handed_in"`
		Late     int         `json:"late"`
		Pupils   []apiHanded `json:"pupils"`
	}{WorkID: id, Expected: subs.Work.Submission, HandedIn: subs.Count, Late: subs.Late, Pupils: []apiHanded{}}
	for _, p := range subs.Pupils {
		var s *apiSubmission
		if p.Submission != nil {
			s = apiSubmissionOf(p.Submission)
			s.Files = nil // the list: open each submission for its files
		}
		out.Pupils = append(out.Pupils, apiHanded{PupilID: p.PupilID, Name: p.Name, Submission: s})
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) apiReturn(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in struct {
		Comment string `json:"comment"`
		Mark    string `json:"mark"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	err = h.svc.Return(ctx, t, a, id, ReturnForm{Comment: in.Comment, Mark: in.Mark})
	var errs FormErrors
	if errors.As(err, &errs) {
		return refused(c, errs, map[string]string{"commentaire": "comment", "note": "mark"}, "correction")
	}
	if err != nil {
		return err
	}
	v, err := h.svc.SubmissionByID(ctx, t, a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiSubmissionOf(&v.Submission))
}
