package messaging

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of the messagerie (mobile apps): the same service, the same rules, as the
// pages. Lists are never null.

func (h *Handler) apiFolder(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	f := Folder(c.QueryParam("dossier"))
	switch f {
	case "":
		f = Inbox
	case Inbox, Outbox, Trash:
	default:
		return fault.Invalidf("dossier", "« dossier » vaut reception, envoyes ou corbeille")
	}
	var before uuid.UUID
	if raw := c.QueryParam("avant"); raw != "" {
		if before, err = uuid.Parse(raw); err != nil {
			return fault.Invalidf("avant", "« avant » doit être l'identifiant d'un message")
		}
	}
	p, err := h.svc.List(c.Request().Context(), web.TenantOf(c), person, f, before)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p.nonNil())
}

func (p *FolderPage) nonNil() *FolderPage {
	if p.Items == nil {
		p.Items = []Item{}
	}
	return p
}

func (h *Handler) apiSearch(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Search(c.Request().Context(), web.TenantOf(c), person, c.QueryParam("q"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p.nonNil())
}

func (h *Handler) apiRecipients(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	cands, err := h.svc.Reachable(c.Request().Context(), web.TenantOf(c), person, c.QueryParam("q"))
	if err != nil {
		return err
	}
	if cands.People == nil {
		cands.People = []Person{}
	}
	if cands.Groups == nil {
		cands.Groups = []Audience{}
	}
	return c.JSON(http.StatusOK, cands)
}

// apiDraft is a message to send, as the API takes it.
type apiDraft struct {
	To      []string  `json:"a"`
	Cc      []string  `json:"cc"`
	Bcc     []string  `json:"cci"`
	Subject string    `json:"objet"`
	Body    string    `json:"message"`
	Format  Format    `json:"format"`
	ReplyTo uuid.UUID `json:"reponse_a"`
	NoReply bool      `json:"sans_reponse"`
}

// draft is the message as Send takes it, with its files.
func (in apiDraft) draft(uploads []files.Upload) Draft {
	if in.Format == "" {
		in.Format = Text
	}
	return Draft{Recipients: map[Role][]string{To: in.To, Cc: in.Cc, Bcc: in.Bcc}, Subject: in.Subject, Body: in.Body, Format: in.Format,
		ReplyTo: in.ReplyTo, NoReply: in.NoReply, Files: uploads}
}

func (h *Handler) apiSend(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	in, uploads, err := readAPIDraft(c)
	if err != nil {
		return err
	}
	sent, err := h.svc.Send(c.Request().Context(), web.TenantOf(c), person, in.draft(uploads))
	if err != nil {
		return err
	}
	return sentJSON(c, sent)
}

func (h *Handler) apiConversation(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	th, err := h.svc.Conversation(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	for i := range th.Messages {
		m := &th.Messages[i]
		if m.To == nil {
			m.To = []Person{}
		}
		if m.Cc == nil {
			m.Cc = []Person{}
		}
	}
	return c.JSON(http.StatusOK, th)
}

// apiMove puts one's copy of message :id in the corbeille or back.
func (h *Handler) apiMove(trash bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		person, err := me(c)
		if err != nil {
			return err
		}
		id, err := parseID(c.Param("id"))
		if err != nil {
			return err
		}
		if err := h.svc.Move(c.Request().Context(), web.TenantOf(c), person, id, trash); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]bool{"trashed": trash})
	}
}

func (h *Handler) apiDelete(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	err = h.svc.Delete(c.Request().Context(), web.TenantOf(c), person, id)
	if errors.Is(err, fault.ErrNotFound) {
		return fault.New(fault.ErrNotFound, "message introuvable dans votre corbeille (seul un message de la corbeille se supprime)")
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// sentJSON answers a send: 201 with what it did (an empty list of inactive recipients, not null).
func sentJSON(c echo.Context, sent *Sent) error {
	if sent.Inactive == nil {
		sent.Inactive = []Person{}
	}
	return c.JSON(http.StatusCreated, sent)
}
