package portfolio

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

// The JSON API of the portfolio (openapi.json): the same service as the pages, the same rules.

type apiFile struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	URL         string    `json:"url"`
}

type apiItem struct {
	ID                uuid.UUID `json:"id"`
	SchoolYear        string    `json:"school_year"`
	Kind              Kind      `json:"kind"`
	SubjectCode       string    `json:"subject_code"`
	Subject           string    `json:"subject"`
	Title             string    `json:"title"`
	Summary           string    `json:"summary"`
	Body              string    `json:"body"`
	VisibleToTeachers bool      `json:"visible_to_teachers"`
	Closed            bool      `json:"closed"`
	OriginUAI         string    `json:"origin_uai"`
	OriginName        string    `json:"origin_name"`
	OccurredAt        time.Time `json:"occurred_at"`
	Files             []apiFile `json:"files"`
}

type apiYear struct {
	Code   string    `json:"code"`
	Closed bool      `json:"closed"`
	Items  []apiItem `json:"items"`
}

type apiBook struct {
	PupilID   uuid.UUID `json:"pupil_id"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Own       bool      `json:"own"`
	Years     []apiYear `json:"years"`
}

func apiItemOf(it Item) apiItem {
	out := apiItem{ID: it.ID, SchoolYear: it.SchoolYear, Kind: it.Kind, SubjectCode: it.SubjectCode, Subject: it.SubjectLabel, Title: it.Title,
		Summary: it.Summary, Body: it.Body, VisibleToTeachers: it.VisibleToTeachers, Closed: it.Closed, OriginUAI: it.OriginUAI,
		OriginName: it.OriginName, OccurredAt: it.OccurredAt, Files: []apiFile{}}
	for _, f := range it.Files {
		out.Files = append(out.Files, apiFile{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, URL: f.Href()})
	}
	return out
}

func apiBookOf(b *Book) apiBook {
	out := apiBook{PupilID: b.PupilID, FirstName: b.FirstName, LastName: b.LastName, Own: b.Own(), Years: []apiYear{}}
	for _, y := range b.Years {
		ay := apiYear{Code: y.Code, Closed: y.Closed, Items: []apiItem{}}
		for _, s := range y.Subjects {
			for _, it := range s.Items {
				ay.Items = append(ay.Items, apiItemOf(it))
			}
		}
		out.Years = append(out.Years, ay)
	}
	return out
}

func (h *Handler) apiOwn(c echo.Context) error {
	a := requestActor(c)
	b, err := h.svc.Portfolio(c.Request().Context(), web.TenantOf(c), a, a.PersonID, AllYears)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiBookOf(b))
}

func (h *Handler) apiPupil(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	b, err := h.svc.Portfolio(c.Request().Context(), web.TenantOf(c), requestActor(c), id, AllYears)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiBookOf(b))
}

func (h *Handler) apiVisibility(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in struct {
		Visible *bool `json:"visible_to_teachers"`
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fault.Decoding(err)
	}
	if in.Visible == nil {
		return fault.Invalidf("visible_to_teachers", "visible_to_teachers : dites true (visible de vos professeurs de cette année) ou false (caché)")
	}
	it, err := h.svc.SetVisible(c.Request().Context(), web.TenantOf(c), requestActor(c), id, *in.Visible)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": it.ID, "visible_to_teachers": it.VisibleToTeachers})
}

// apiAddDocument adds the multipart form's document (titre, matiere, fichier): 201 with the
// item, or 422 naming the field.
func (h *Handler) apiAddDocument(c echo.Context) error {
	d, err := readDocument(c)
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	id, err := h.svc.AddDocument(ctx, t, a, d)
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": "document refusé : rien n'a été enregistré", "fields": map[string]string{inv.Field: inv.Message}})
	}
	if err != nil {
		return err
	}
	it, err := h.svc.Document(ctx, t, a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiItemOf(it))
}

func (h *Handler) apiDeleteDocument(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteDocument(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
