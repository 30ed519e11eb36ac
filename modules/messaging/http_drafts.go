package messaging

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// composeFlow is what the compose form shows of drafts and announcements.
type composeFlow struct {
	DraftID     uuid.UUID // the saved draft being edited (uuid.Nil: none yet)
	NoReply     bool      // « Les destinataires ne peuvent pas répondre » is ticked
	MayAnnounce bool      // the box is offered (staff)
}

// Editing tells whether the form edits a saved draft.
func (f composeFlow) Editing() bool { return f.DraftID != uuid.Nil }

// readFlow reads the compose form's draft id and « sans réponse » box.
func readFlow(params url.Values, d *Draft) error {
	d.NoReply = params.Get(fieldNoReply) != ""
	if raw := params.Get("brouillon"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			return errDraftNotFound
		}
		d.draftID = id
	}
	return nil
}

// flowOf is the compose form's draft part for the viewer; the service decides again.
func flowOf(c echo.Context, d Draft) composeFlow {
	v := identity.ViewerOf(c)
	may := v.Has(identity.RoleDirection) || v.Has(identity.RoleVieScolaire) || v.Has(identity.RoleEnseignant)
	return composeFlow{DraftID: d.draftID, NoReply: d.NoReply, MayAnnounce: may || d.NoReply}
}

// saveDraftForm saves the compose form as a draft (« Enregistrer le brouillon »); a refusal
// brings the form back with what was typed.
func (h *Handler) saveDraftForm(c echo.Context, action string, f composeForm, v composeView) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	id, err := h.svc.SaveDraft(c.Request().Context(), web.TenantOf(c), person, f.draft.draftID, f.draft)
	var m *fault.Message
	if errors.As(err, &m) && (errors.Is(err, fault.ErrInvalid) || errors.Is(err, fault.ErrConflict)) {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, fault.ErrConflict) {
			status = http.StatusConflict
		}
		v.Error, v.Field = m.Text, m.Field
		return h.renderCompose(c, status, action, f, v)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/brouillons?enregistre="+id.String())
}

// draftsView is the Brouillons folder.
type draftsView struct {
	Folder  Folder
	Folders []Folder
	Items   []DraftItem
	Saved   uuid.UUID // just saved
}

func (h *Handler) draftsPage(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	items, err := h.svc.Drafts(c.Request().Context(), web.TenantOf(c), person)
	if err != nil {
		return err
	}
	v := draftsView{Folder: Drafts, Folders: folders, Items: items}
	v.Saved, _ = uuid.Parse(c.QueryParam("enregistre"))
	return render(c, http.StatusOK, "messagerie_brouillons.html", "Messagerie : Brouillons", v)
}

// draftPage reopens a draft in the compose form (the reply form for a reply's draft).
func (h *Handler) draftPage(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return errDraftNotFound
	}
	d, err := h.svc.LoadDraft(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	action, v := "/messagerie/nouveau", composeView{}
	if d.ReplyTo != uuid.Nil {
		action, v.ReplySubject = "/messagerie/messages/"+d.ReplyTo.String()+"/repondre", d.ReplySubject
	}
	return h.renderCompose(c, http.StatusOK, action, composeForm{draft: d.Draft}, v)
}

type draftDeleteView struct {
	ID    uuid.UUID
	Title string
}

func (h *Handler) confirmDeleteDraft(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return errDraftNotFound
	}
	d, err := h.svc.LoadDraft(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	title := DraftItem{Subject: d.Subject, ReplySubject: d.ReplySubject}.Title()
	return render(c, http.StatusOK, "messagerie_brouillon_supprimer.html", "Supprimer le brouillon", draftDeleteView{id, title})
}

func (h *Handler) deleteDraft(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return errDraftNotFound
	}
	if err := h.svc.DeleteDraft(c.Request().Context(), web.TenantOf(c), person, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/brouillons")
}

// confirmRecall asks before recalling a sent message, or says why it no longer can be.
func (h *Handler) confirmRecall(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	r, err := h.svc.CheckRecall(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "messagerie_rappeler.html", "Rappeler le message", r)
}

func (h *Handler) recall(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	r, err := h.svc.Recall(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/conversations/"+r.Conversation.String())
}
