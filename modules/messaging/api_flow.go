package messaging

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of drafts and recall: the same service as the pages.

// apiDraftOut is a saved draft as the API returns it.
type apiDraftOut struct {
	ID        uuid.UUID  `json:"id"`
	To        []string   `json:"a"`
	Cc        []string   `json:"cc"`
	Bcc       []string   `json:"cci"`
	Subject   string     `json:"objet"`
	Body      string     `json:"message"`
	Format    Format     `json:"format"`
	ReplyTo   *uuid.UUID `json:"reponse_a,omitempty"`
	NoReply   bool       `json:"sans_reponse"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func draftOut(d *SavedDraft) apiDraftOut {
	out := apiDraftOut{ID: d.ID, To: nonNil(d.Recipients[To]), Cc: nonNil(d.Recipients[Cc]), Bcc: nonNil(d.Recipients[Bcc]),
		Subject: d.Subject, Body: d.Body, Format: d.Format, NoReply: d.NoReply, UpdatedAt: d.UpdatedAt}
	if d.ReplyTo != uuid.Nil {
		out.ReplyTo = &d.ReplyTo
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// readDraftBody reads a draft's body, in the send's shape (readAPIDraft) but without files:
// a draft keeps none.
func readDraftBody(c echo.Context) (Draft, error) {
	in, uploads, err := readAPIDraft(c)
	if err != nil {
		return Draft{}, err
	}
	if len(uploads) > 0 {
		return Draft{}, fault.Invalidf("pieces", "un brouillon ne garde pas de pièces jointes : joignez-les au moment d'envoyer le message")
	}
	return in.draft(nil), nil
}

func parseDraft(raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, errDraftNotFound
	}
	return id, nil
}

func (h *Handler) apiDrafts(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	items, err := h.svc.Drafts(c.Request().Context(), web.TenantOf(c), person)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string][]DraftItem{"items": items})
}

// saveAPIDraft saves the body as draft id (uuid.Nil: new) and answers with it.
func (h *Handler) saveAPIDraft(c echo.Context, id uuid.UUID, status int) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	d, err := readDraftBody(c)
	if err != nil {
		return err
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	if id, err = h.svc.SaveDraft(ctx, t, person, id, d); err != nil {
		return err
	}
	saved, err := h.svc.LoadDraft(ctx, t, person, id)
	if err != nil {
		return err
	}
	return c.JSON(status, draftOut(saved))
}

func (h *Handler) apiCreateDraft(c echo.Context) error {
	return h.saveAPIDraft(c, uuid.Nil, http.StatusCreated)
}

func (h *Handler) apiUpdateDraft(c echo.Context) error {
	id, err := parseDraft(c.Param("id"))
	if err != nil {
		return err
	}
	return h.saveAPIDraft(c, id, http.StatusOK)
}

func (h *Handler) apiDraft(c echo.Context) error {
	person, id, err := meAnd(c, parseDraft)
	if err != nil {
		return err
	}
	d, err := h.svc.LoadDraft(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, draftOut(d))
}

func (h *Handler) apiDeleteDraft(c echo.Context) error {
	person, id, err := meAnd(c, parseDraft)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteDraft(c.Request().Context(), web.TenantOf(c), person, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiSendDraft(c echo.Context) error {
	person, id, err := meAnd(c, parseDraft)
	if err != nil {
		return err
	}
	sent, err := h.svc.SendDraft(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	return sentJSON(c, sent)
}

func (h *Handler) apiRecall(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	r, err := h.svc.Recall(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
