package messaging

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// folders are the folders' tabs, in order.
var folders = []Folder{Inbox, Outbox, Drafts, Trash}

// folderView is a folder's page.
type folderView struct {
	*FolderPage
	Folders []Folder
	Before  string // the last one shown, for the next page's link
	Blocked *Block // a suspension's banner (suspend.go)
	Usage   *Usage // the attachments' space, past 80 %
}

func (h *Handler) folderPage(f Folder) echo.HandlerFunc {
	return func(c echo.Context) error {
		person, err := me(c)
		if err != nil {
			return err
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
		v := folderView{FolderPage: p, Folders: folders}
		if v.Blocked, err = h.svc.Blocked(c.Request().Context(), web.TenantOf(c), person); err != nil {
			return err
		}
		if v.Usage, err = h.usage(c); err != nil {
			return err
		}
		if p.More {
			v.Before = p.Items[len(p.Items)-1].Message.String()
		}
		return render(c, http.StatusOK, "messagerie_dossier.html", "Messagerie : "+f.Label(), v)
	}
}

// composeView is the form that writes a message, with its recipient picker.
type composeView struct {
	Action       string // where the form posts
	ReplySubject string // when answering
	Subject      string
	Body         string
	Format       Format
	Chosen       []chosenRole
	Query        string
	Candidates   *Candidates
	AddAs        Role
	Roles        []Role
	Left         []Person // a reply's recipients the rules leave out
	Error        string
	Field        string
	Flow         composeFlow // draft and « sans réponse » (http_drafts.go)
	Blocked      *Block      // a suspension's banner (suspend.go)
	Usage        *Usage      // the attachments' space, past 80 %
	Accepted     string      // what may be attached
}

type chosenRole struct {
	Role  Role
	Items []chosenItem
}

type chosenItem struct{ Token, Label string }

// composeForm is the compose form as posted.
type composeForm struct {
	action string
	query  string
	draft  Draft
}

func readCompose(c echo.Context) (composeForm, error) {
	params, err := c.FormParams()
	if err != nil {
		return composeForm{}, tooLarge(fault.Decoding(err))
	}
	uploads, err := formFiles(c)
	if err != nil {
		return composeForm{}, err
	}
	f := composeForm{action: params.Get("action"), query: params.Get("recherche"), draft: Draft{
		Subject: params.Get("objet"), Body: params.Get("message"), Format: Format(params.Get("format")), Recipients: map[Role][]string{},
		Files: uploads,
	}}
	if f.draft.Format == "" {
		f.draft.Format = Text
	}
	if err := readFlow(params, &f.draft); err != nil {
		return composeForm{}, err
	}
	for _, r := range recipientRoles {
		for _, tk := range params[string(r)] {
			if !slices.Contains(f.draft.Recipients[r], tk) {
				f.draft.Recipients[r] = append(f.draft.Recipients[r], tk)
			}
		}
	}
	// Candidates ticked in the picker join the chosen role (« À » unless said otherwise).
	addAs := Role(params.Get("ajouter_en"))
	if !slices.Contains(recipientRoles, addAs) {
		addAs = To
	}
	for _, tk := range params["choisis"] {
		if !slices.Contains(f.draft.Recipients[addAs], tk) {
			f.draft.Recipients[addAs] = append(f.draft.Recipients[addAs], tk)
		}
	}
	return f, nil
}

// renderCompose shows the compose form for draft, with the picker's results for query.
func (h *Handler) renderCompose(c echo.Context, status int, action string, f composeForm, v composeView) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	v.Action, v.Subject, v.Body, v.Format, v.Query, v.Roles = action, f.draft.Subject, f.draft.Body, f.draft.Format, f.query, recipientRoles
	if v.Blocked, err = h.svc.Blocked(ctx, t, person); err != nil {
		return err
	}
	if v.AddAs == "" {
		v.AddAs = To
	}
	v.Flow = flowOf(c, f.draft)
	var tokens []string
	for _, r := range recipientRoles {
		tokens = append(tokens, f.draft.Recipients[r]...)
	}
	labels, err := h.svc.Describe(ctx, t, tokens)
	if err != nil {
		return err
	}
	for _, r := range recipientRoles {
		cr := chosenRole{Role: r}
		for _, tk := range f.draft.Recipients[r] {
			if l, ok := labels[tk]; ok {
				cr.Items = append(cr.Items, chosenItem{tk, l})
			}
		}
		v.Chosen = append(v.Chosen, cr)
	}
	cands, err := h.svc.Reachable(ctx, t, person, f.query)
	var m *fault.Message
	if errors.As(err, &m) && v.Error == "" {
		v.Error, v.Field = m.Text, m.Field
		cands, err = &Candidates{}, nil
	}
	if err != nil {
		return err
	}
	v.Candidates = cands
	v.Accepted = AcceptedText
	if v.Usage, err = h.usage(c); err != nil {
		return err
	}
	title := "Écrire un message"
	if v.ReplySubject != "" {
		title = "Répondre"
	}
	return render(c, status, "messagerie_ecrire.html", title, v)
}

func (h *Handler) composePage(c echo.Context) error {
	return h.renderCompose(c, http.StatusOK, "/messagerie/nouveau", composeForm{draft: Draft{Format: Text}}, composeView{})
}

func (h *Handler) compose(c echo.Context) error {
	f, err := readCompose(c)
	if err != nil {
		return err
	}
	return h.submit(c, "/messagerie/nouveau", f, composeView{})
}

// submit runs the compose form's action: search, add the ticked candidates, or send.
func (h *Handler) submit(c echo.Context, action string, f composeForm, v composeView) error {
	if f.action == "brouillon" {
		return h.saveDraftForm(c, action, f, v)
	}
	if f.action != "envoyer" {
		return h.renderCompose(c, http.StatusOK, action, f, v)
	}
	person, err := me(c)
	if err != nil {
		return err
	}
	sent, err := h.svc.Send(c.Request().Context(), web.TenantOf(c), person, f.draft)
	var m *fault.Message
	if errors.As(err, &m) && (errors.Is(err, fault.ErrInvalid) || errors.Is(err, fault.ErrConflict)) {
		// The form comes back with what was typed: a refused recipient, or the account's
		// sending budget spent (409), loses nothing.
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
	return c.Redirect(http.StatusSeeOther, "/messagerie/conversations/"+sent.Conversation.String()+"?envoye="+url.QueryEscape(sent.Message.String()))
}

func (h *Handler) replyPage(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	all, _ := strconv.ParseBool(c.QueryParam("tous"))
	d, left, subject, err := h.svc.ReplyDraft(c.Request().Context(), web.TenantOf(c), person, id, all)
	if err != nil {
		return err
	}
	return h.renderCompose(c, http.StatusOK, "/messagerie/messages/"+id.String()+"/repondre", composeForm{draft: d},
		composeView{ReplySubject: subject, Left: left})
}

func (h *Handler) reply(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	f, err := readCompose(c)
	if err != nil {
		return err
	}
	f.draft.ReplyTo = id
	// The conversation's subject is the reply's: only a participant has one.
	_, _, subject, err := h.svc.ReplyDraft(c.Request().Context(), web.TenantOf(c), person, id, false)
	if err != nil {
		return err
	}
	return h.submit(c, "/messagerie/messages/"+id.String()+"/repondre", f, composeView{ReplySubject: subject})
}

// threadView is a conversation's page.
type threadView struct {
	*Thread
	Sent *Sent // just sent from this page's viewer
}

func (h *Handler) conversationPage(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	th, err := h.svc.Conversation(ctx, t, person, id)
	if err != nil {
		return err
	}
	v := threadView{Thread: th}
	if raw := c.QueryParam("envoye"); raw != "" {
		if msg, err := uuid.Parse(raw); err == nil {
			if v.Sent, err = h.svc.Delivery(ctx, t, person, msg); errors.Is(err, fault.ErrNotFound) {
				v.Sent = nil
			} else if err != nil {
				return err
			}
		}
	}
	return render(c, http.StatusOK, "messagerie_conversation.html", th.Subject, v)
}

// moveTo handles the corbeille's buttons: trash or restore one's copy of message :id.
func (h *Handler) moveTo(trash bool) echo.HandlerFunc {
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
		if trash {
			return c.Redirect(http.StatusSeeOther, "/messagerie")
		}
		return c.Redirect(http.StatusSeeOther, "/messagerie/corbeille")
	}
}

type deleteView struct {
	ID      uuid.UUID
	Subject string
}

func (h *Handler) confirmDelete(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	subject, err := h.svc.InTrash(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "messagerie_supprimer.html", "Supprimer définitivement", deleteView{id, subject})
}

func (h *Handler) deleteMessage(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), web.TenantOf(c), person, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messagerie/corbeille")
}

// searchView is the search page: the form, and the results once searched.
type searchView struct {
	Query string
	Page  *FolderPage
	Error string
}

func (h *Handler) searchPage(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	v := searchView{Query: c.QueryParam("q")}
	status := http.StatusOK
	if v.Query != "" {
		v.Page, err = h.svc.Search(c.Request().Context(), web.TenantOf(c), person, v.Query)
		var m *fault.Message
		if errors.As(err, &m) && errors.Is(err, fault.ErrInvalid) {
			v.Error, status = m.Text, http.StatusUnprocessableEntity
		} else if err != nil {
			return err
		}
	}
	return render(c, status, "messagerie_recherche.html", "Chercher dans mes messages", v)
}
