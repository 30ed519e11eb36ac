package attendance

import (
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of documents and declarations in advance. A document travels in the JSON
// body as base64 (a phone's photo of a note), checked by content like the forms'.

// apiUploadLimit is the body limit of the API's requests that may carry a document: the
// document in base64 (4/3 of its bytes) and the other fields.
const apiUploadLimit = MaxFileBytes*4/3 + 64<<10

type apiDocument struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Href        string    `json:"href"` // the download, on the API
}

func apiDocumentsOf(fs []Attachment) []apiDocument {
	out := make([]apiDocument, len(fs))
	for i, f := range fs {
		out[i] = apiDocument{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256,
			Href: "/api/v1/absences/pieces/" + f.ID.String()}
	}
	return out
}

// apiUpload is a document as a request carries it.
type apiUpload struct {
	Name    string `json:"name"`
	Content string `json:"content_base64"`
}

// upload decodes a request's document; field names it in the error.
func (u *apiUpload) upload(field string) (*Upload, error) {
	if u == nil {
		return nil, nil
	}
	data, err := base64.StdEncoding.DecodeString(u.Content)
	if err != nil {
		return nil, fault.Invalidf(field, "le document n'est pas en base64 lisible : %v", err)
	}
	return &Upload{Name: u.Name, Data: data}, nil
}

type apiDeclaration struct {
	ID         uuid.UUID     `json:"id"`
	PupilID    uuid.UUID     `json:"pupil_id"`
	Pupil      string        `json:"pupil"`
	Class      string        `json:"class"`
	Date       string        `json:"date"`
	Start      string        `json:"start"`
	End        string        `json:"end"`
	Guardian   string        `json:"guardian"`
	Motif      string        `json:"motif"`
	Comment    string        `json:"comment"`
	State      string        `json:"state"`
	Answer     string        `json:"answer"`
	AnsweredBy string        `json:"answered_by"`
	CreatedAt  time.Time     `json:"created_at"`
	AnsweredAt *time.Time    `json:"answered_at"`
	Documents  []apiDocument `json:"documents"`
}

func apiDeclarationsOf(ds []Declaration) []apiDeclaration {
	out := make([]apiDeclaration, len(ds))
	for i, d := range ds {
		out[i] = apiDeclaration{ID: d.ID, PupilID: d.PupilID, Pupil: d.Pupil, Class: d.ClassLabel, Date: d.Date.Format(dateLayout),
			Start: d.Start.String(), End: d.End.String(), Guardian: d.Guardian, Motif: d.Motif, Comment: d.Comment, State: d.State,
			Answer: d.Answer, AnsweredBy: d.AnsweredBy, CreatedAt: d.CreatedAt, AnsweredAt: d.AnsweredAt, Documents: apiDocumentsOf(d.Files)}
	}
	return out
}

// apiDeclarations is the family's declarations, the children and the motifs to choose from.
func (h *Handler) apiDeclarations(c echo.Context) error {
	pg, err := h.svc.Declarations(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	children := make([]map[string]any, len(pg.Children))
	for i, ch := range pg.Children {
		children[i] = map[string]any{"id": ch.ID, "name": ch.Name, "class": ch.ClassLabel}
	}
	motifs := make([]map[string]any, len(pg.Motifs))
	for i, m := range pg.Motifs {
		motifs[i] = map[string]any{"id": m.ID, "label": m.Label}
	}
	return c.JSON(http.StatusOK, map[string]any{"children": children, "motifs": motifs, "declarations": apiDeclarationsOf(pg.Declarations),
		"max_document_bytes": MaxFileBytes})
}

// apiDeclare records a legal guardian's declaration of an absence to come.
func (h *Handler) apiDeclare(c echo.Context) error {
	var body struct {
		PupilID  string     `json:"pupil_id"`
		Date     string     `json:"date"`
		Span     string     `json:"span"`
		From     string     `json:"from"`
		To       string     `json:"to"`
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
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	id, err := h.svc.Declare(ctx, t, a, DeclarationForm{Pupil: body.PupilID, Date: body.Date, Span: body.Span, From: body.From, To: body.To,
		Motif: body.MotifID, Comment: body.Comment, File: file})
	var errs FormErrors
	if errors.As(err, &errs) {
		return apiFieldErrors(c, "signalement refusé", errs, map[string]string{"eleve": "pupil_id", "date": "date", "periode": "span",
			"debut": "from", "fin": "to", "motif": "motif_id", "commentaire": "comment", "piece": "document"})
	}
	if err != nil {
		return err
	}
	d, err := h.svc.Declaration(ctx, t, a, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/absences/signalements/"+id.String())
	return c.JSON(http.StatusCreated, apiDeclarationsOf([]Declaration{d})[0])
}

// apiCancelDeclaration cancels a declaration not yet answered.
func (h *Handler) apiCancelDeclaration(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.CancelDeclaration(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiAnswerDeclaration accepts or refuses a declaration (vie scolaire).
func (h *Handler) apiAnswerDeclaration(c echo.Context) error {
	return h.apiAnswerWith(c, h.svc.AnswerDeclaration)
}
