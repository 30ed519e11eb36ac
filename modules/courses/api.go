package courses

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of courses (openapi.json): the same service as the pages, the same rules. A
// pupil's progress (seen, resume_page_id) is only ever their own.

type apiPage struct {
	ID    uuid.UUID `json:"id"`
	Title string    `json:"title"`
	Seen  bool      `json:"seen"`
}

type apiSection struct {
	ID    uuid.UUID `json:"id"`
	Title string    `json:"title"`
	Pages []apiPage `json:"pages"`
}

type apiCourse struct {
	ID           uuid.UUID    `json:"id"`
	Title        string       `json:"title"`
	Description  string       `json:"description"`
	Subject      string       `json:"subject"`
	SubjectLabel string       `json:"subject_label"`
	SchoolYear   string       `json:"school_year"`
	State        State        `json:"state"`
	PublishedAt  *time.Time   `json:"published_at"`
	Author       string       `json:"author"`
	Classes      string       `json:"classes"`
	ClassIDs     []uuid.UUID  `json:"class_ids"`
	Edits        bool         `json:"edits"`
	ResumePageID *uuid.UUID   `json:"resume_page_id"`
	Children     string       `json:"children,omitempty"`
	Sections     []apiSection `json:"sections,omitempty"`
}

func apiCourseOf(c Course) apiCourse {
	out := apiCourse{ID: c.ID, Title: c.Title, Description: c.Description, Subject: c.SubjectCode, SubjectLabel: c.SubjectLabel,
		SchoolYear: c.SchoolYear, State: c.State, PublishedAt: c.PublishedAt, Author: c.Author, Classes: c.Classes, ClassIDs: c.Audience,
		Edits: c.Edits, Children: c.Children}
	if out.ClassIDs == nil {
		out.ClassIDs = []uuid.UUID{}
	}
	if c.ResumePage != uuid.Nil {
		out.ResumePageID = &c.ResumePage
	}
	for _, s := range c.Sections {
		as := apiSection{ID: s.ID, Title: s.Title, Pages: []apiPage{}}
		for _, p := range s.Pages {
			as.Pages = append(as.Pages, apiPage{ID: p.ID, Title: p.Title, Seen: p.Seen})
		}
		out.Sections = append(out.Sections, as)
	}
	return out
}

type apiBlock struct {
	ID       uuid.UUID `json:"id"`
	Kind     BlockKind `json:"kind"`
	Body     string    `json:"body,omitempty"`
	BodyHTML string    `json:"body_html,omitempty"`
	URL      string    `json:"url,omitempty"`
	Label    string    `json:"label,omitempty"`
	Provider string    `json:"provider,omitempty"`
	Name     string    `json:"name,omitempty"`
	Type     string    `json:"content_type,omitempty"`
	Size     int64     `json:"size,omitempty"`
	Href     string    `json:"href,omitempty"`
}

func apiBlockOf(b Block) apiBlock {
	out := apiBlock{ID: b.ID, Kind: b.Kind, Body: b.Body, BodyHTML: b.BodyHTML, URL: b.URL, Label: b.Label}
	switch b.Kind {
	case Video:
		out.Provider = b.Provider()
	case Image, Document:
		out.Name, out.Type, out.Size, out.Href = b.Name, b.ContentType, b.Size, b.Href()
	}
	return out
}

func decode(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fault.Decoding(err)
	}
	return nil
}

// apiRefused answers a refused form with its messages by field (the JSON body's names).
func apiRefused(c echo.Context, err error, names map[string]string) (bool, error) {
	var errs FormErrors
	var inv *fault.Invalid
	switch {
	case errors.As(err, &inv):
		errs = FormErrors{inv.Field: inv.Message}
	case !errors.As(err, &errs):
		return false, err
	}
	fields := map[string]string{}
	for k, v := range errs {
		if n, ok := names[k]; ok {
			k = n
		}
		fields[k] = v
	}
	return true, c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": "cours refusé : corrigez les champs signalés ; rien n'a été enregistré", "fields": fields})
}

var courseFields = map[string]string{"titre": "title", "description": "description", "matiere": "subject", "classes": "class_ids", "annee": "school_year"}

// apiList lists the viewer's courses, or with ?eleve= a guardian's child's.
func (h *Handler) apiList(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	var cs []Course
	var err error
	if raw := c.QueryParam("eleve"); raw != "" {
		child, perr := uuid.Parse(raw)
		if perr != nil {
			return fault.New(fault.ErrNotFound, "élève introuvable")
		}
		_, cs, err = h.svc.ChildCourses(ctx, t, a, child)
	} else {
		cs, err = h.svc.List(ctx, t, a)
	}
	if err != nil {
		return err
	}
	out := make([]apiCourse, len(cs))
	for i, co := range cs {
		out[i] = apiCourseOf(co)
	}
	return c.JSON(http.StatusOK, map[string]any{"courses": out})
}

func (h *Handler) apiShow(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	co, err := h.svc.Course(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiCourseOf(co))
}

type apiCourseInput struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Subject     string   `json:"subject"`
	ClassIDs    []string `json:"class_ids"`
}

func (h *Handler) apiCreate(c echo.Context) error { return h.apiSave(c, uuid.Nil) }

func (h *Handler) apiUpdate(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return h.apiSave(c, id)
}

func (h *Handler) apiSave(c echo.Context, id uuid.UUID) error {
	var in apiCourseInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	f := CourseForm{Title: in.Title, Description: in.Description, Subject: in.Subject, Classes: in.ClassIDs}
	status, saved := http.StatusOK, id
	var err error
	if id == uuid.Nil {
		status = http.StatusCreated
		saved, err = h.svc.Create(ctx, t, a, f)
	} else {
		err = h.svc.Update(ctx, t, a, id, f)
	}
	if done, err := apiRefused(c, err, courseFields); done || err != nil {
		return err
	}
	co, err := h.svc.Course(ctx, t, a, saved)
	if err != nil {
		return err
	}
	return c.JSON(status, apiCourseOf(co))
}

func (h *Handler) apiDelete(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiPublish(publish bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		if err := h.svc.SetPublished(c.Request().Context(), web.TenantOf(c), requestActor(c), id, publish); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

type apiCopyInput struct {
	SchoolYear string   `json:"school_year"`
	ClassIDs   []string `json:"class_ids"`
}

func (h *Handler) apiCopy(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in apiCopyInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	copied, err := h.svc.Copy(ctx, t, a, id, CopyForm{Year: in.SchoolYear, Classes: in.ClassIDs})
	if done, err := apiRefused(c, err, courseFields); done || err != nil {
		return err
	}
	co, err := h.svc.Course(ctx, t, a, copied)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiCourseOf(co))
}

type apiTitle struct {
	Title string `json:"title"`
}

func (h *Handler) apiAddSection(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in apiTitle
	if err := decode(c, &in); err != nil {
		return err
	}
	sec, err := h.svc.AddSection(c.Request().Context(), web.TenantOf(c), requestActor(c), id, in.Title)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": sec})
}

func (h *Handler) apiAddPage(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in apiTitle
	if err := decode(c, &in); err != nil {
		return err
	}
	page, _, err := h.svc.AddPage(c.Request().Context(), web.TenantOf(c), requestActor(c), id, in.Title)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": page})
}

// apiPage returns a page with its blocks; a pupil's opening is recorded for them.
func (h *Handler) apiPage(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.svc.Page(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	out := map[string]any{"id": v.Page.ID, "title": v.Page.Title, "course_id": v.Course.ID, "section": v.Section.Title, "blocks": []apiBlock{}}
	bs := make([]apiBlock, len(v.Blocks))
	for i, b := range v.Blocks {
		bs[i] = apiBlockOf(b)
	}
	out["blocks"] = bs
	if v.Prev != nil {
		out["previous_page_id"] = v.Prev.ID
	}
	if v.Next != nil {
		out["next_page_id"] = v.Next.ID
	}
	return c.JSON(http.StatusOK, out)
}

type apiBlockInput struct {
	Kind  string `json:"kind"`
	Body  string `json:"body"`
	URL   string `json:"url"`
	Label string `json:"label"`
}

var blockFields = map[string]string{"texte": "body", "adresse": "url", "titre-lien": "label", "type": "kind", "fichier": "file", "alt": "alt"}

func (h *Handler) apiAddBlock(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in apiBlockInput
	if err := decode(c, &in); err != nil {
		return err
	}
	b, err := h.svc.AddBlock(c.Request().Context(), web.TenantOf(c), requestActor(c), id, BlockForm{Kind: in.Kind, Body: in.Body, URL: in.URL, Label: in.Label})
	if done, err := apiRefused(c, err, blockFields); done || err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiBlockOf(b))
}
