package news

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of news (openapi.json): the same service as the pages, the same rules.

type apiFile struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Alt         string    `json:"alt"`
	Href        string    `json:"href"`
}

type apiPost struct {
	ID          uuid.UUID  `json:"id"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`      // Markdown
	BodyHTML    string     `json:"body_html"` // rendered and sanitised
	Audience    Audience   `json:"audience"`
	ClassID     *uuid.UUID `json:"class_id"`
	Target      string     `json:"target"`
	State       State      `json:"state"`
	Headline    bool       `json:"headline"`
	PublishOn   *string    `json:"publish_on"`
	ExpiresOn   *string    `json:"expires_on"`
	PublishedAt *time.Time `json:"published_at"`
	Author      string     `json:"author"`
	Read        bool       `json:"read"`
	Files       []apiFile  `json:"files"`
}

type apiManaged struct {
	apiPost
	Readers      int  `json:"readers"`
	AudienceSize int  `json:"audience_size"`
	Current      bool `json:"current"`
}

func apiPostOf(p Post) apiPost {
	f := FormOf(p)
	out := apiPost{ID: p.ID, Title: p.Title, Body: p.Body, BodyHTML: p.BodyHTML, Audience: p.Audience, Target: p.Target(), State: p.State,
		Headline: p.Headline, PublishedAt: p.PublishedAt, Author: p.Author, Read: p.Read, Files: []apiFile{}}
	if p.ClassID != uuid.Nil {
		out.ClassID = &p.ClassID
	}
	if f.PublishOn != "" {
		out.PublishOn = &f.PublishOn
	}
	if f.ExpiresOn != "" {
		out.ExpiresOn = &f.ExpiresOn
	}
	if out.PublishedAt != nil {
		t := out.PublishedAt.In(directory.SchoolZone)
		out.PublishedAt = &t
	}
	for _, fl := range p.Files {
		out.Files = append(out.Files, apiFile{ID: fl.ID, Name: fl.Name, ContentType: fl.ContentType, Size: fl.Size, Alt: fl.Alt, Href: fl.Href()})
	}
	return out
}

func (h *Handler) apiList(c echo.Context) error {
	posts, err := h.svc.Shown(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	out := make([]apiPost, len(posts))
	for i, p := range posts {
		out[i] = apiPostOf(p)
	}
	return c.JSON(http.StatusOK, map[string]any{"posts": out})
}

func (h *Handler) apiShow(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.View(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiPostOf(p))
}

func (h *Handler) apiManaged(c echo.Context) error {
	posts, err := h.svc.Managed(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	out := make([]apiManaged, len(posts))
	for i, p := range posts {
		out[i] = apiManaged{apiPost: apiPostOf(p.Post), Readers: p.Readers, AudienceSize: p.Audience, Current: p.Current}
	}
	return c.JSON(http.StatusOK, map[string]any{"posts": out})
}

// apiInput is a post as the API writes it.
type apiInput struct {
	Title     string `json:"title"`
	Body      string `json:"body"`
	Audience  string `json:"audience"`
	ClassID   string `json:"class_id"`
	Headline  bool   `json:"headline"`
	PublishOn string `json:"publish_on"`
	ExpiresOn string `json:"expires_on"`
	Action    string `json:"action"`
}

// apiFieldNames are the form's field names as the JSON body names them.
var apiFieldNames = map[string]string{"titre": "title", "texte": "body", "destinataires": "audience", "classe": "class_id",
	"publication": "publish_on", "expiration": "expires_on"}

func (h *Handler) apiCreate(c echo.Context) error { return h.apiSave(c, uuid.Nil, http.StatusCreated) }

func (h *Handler) apiUpdate(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return h.apiSave(c, id, http.StatusOK)
}

func (h *Handler) apiSave(c echo.Context, id uuid.UUID, status int) error {
	var in apiInput
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fault.Decoding(err)
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	f := PostForm{Title: in.Title, Body: in.Body, Audience: in.Audience, Class: in.ClassID, Headline: in.Headline, PublishOn: in.PublishOn, ExpiresOn: in.ExpiresOn}
	saved, err := h.svc.Save(ctx, t, a, id, f, Action(in.Action))
	var errs FormErrors
	if errors.As(err, &errs) {
		fields := map[string]string{}
		for k, v := range errs {
			fields[apiFieldNames[k]] = v
		}
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": "actualité refusée : corrigez les champs signalés ; rien n'a été enregistré", "fields": fields})
	}
	if err != nil {
		return err
	}
	p, err := h.svc.Editable(ctx, t, a, saved)
	if errors.Is(err, fault.ErrForbidden) { // a contributor's post once published: they read it
		p, err = h.svc.View(ctx, t, a, saved)
	}
	if err != nil {
		return err
	}
	return c.JSON(status, apiPostOf(p))
}

func (h *Handler) apiDelete(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiPublish(c echo.Context) error { return h.apiDecide(c, h.svc.Publish) }

func (h *Handler) apiSendBack(c echo.Context) error { return h.apiDecide(c, h.svc.SendBack) }

func (h *Handler) apiDecide(c echo.Context, fn decision) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := fn(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
