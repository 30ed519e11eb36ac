package news

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// manage lists the posts the viewer manages (their own, or every post for the direction)
// with read counts, and for the direction the posts waiting for validation.
func (h *Handler) manage(c echo.Context) error {
	a := requestActor(c)
	posts, err := h.svc.Managed(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return err
	}
	var pending, others []Managed
	for _, p := range posts {
		if p.State == Pending && a.Publishes() {
			pending = append(pending, p)
		} else {
			others = append(others, p)
		}
	}
	return render(c, http.StatusOK, "news_manage.html", "Gérer les actualités", map[string]any{
		"Pending": pending, "Posts": others, "Publishes": a.Publishes(), "Notice": notice(c.QueryParam("ok"))})
}

// formPage is the create/edit form's data.
type formPage struct {
	Action    string
	Form      PostForm
	Errors    FormErrors
	Classes   []ClassChoice
	Audiences []Audience
	Publishes bool
	New       bool
	Post      Post // when editing: its files
	MaxFile   string
}

func (h *Handler) renderForm(c echo.Context, status int, post Post, f PostForm, errs FormErrors) error {
	id := post.ID
	classes, err := h.svc.Classes(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	pg := formPage{Form: f, Errors: errs, Classes: classes, Audiences: audiences, Publishes: requestActor(c).Publishes(), New: id == uuid.Nil,
		Post: post, MaxFile: fault.ByteSize(MaxFileBytes)}
	title := "Nouvelle actualité"
	pg.Action = "/actualites/nouvelle"
	if id != uuid.Nil {
		title = "Modifier l'actualité"
		pg.Action = "/actualites/" + id.String() + "/modifier"
	}
	return render(c, status, "news_form.html", title, pg)
}

func (h *Handler) newForm(c echo.Context) error {
	return h.renderForm(c, http.StatusOK, Post{}, PostForm{Audience: string(Everyone)}, nil)
}

func (h *Handler) editForm(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Editable(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return h.renderForm(c, http.StatusOK, p, FormOf(p), nil)
}

func (h *Handler) create(c echo.Context) error { return h.save(c, uuid.Nil) }

func (h *Handler) edit(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return h.save(c, id)
}

// save writes the form and applies the button pressed (brouillon, soumettre, publier).
func (h *Handler) save(c echo.Context, id uuid.UUID) error {
	f := PostForm{Title: c.FormValue("titre"), Body: c.FormValue("texte"), Audience: c.FormValue("destinataires"),
		Class: c.FormValue("classe"), Headline: c.FormValue("une") == "1",
		PublishOn: c.FormValue("publication"), ExpiresOn: c.FormValue("expiration")}
	act := Action(c.FormValue("action"))
	saved, err := h.svc.Save(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f, act)
	var errs FormErrors
	if errors.As(err, &errs) {
		var p Post
		if id != uuid.Nil {
			if p, err = h.svc.Editable(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
				return err
			}
		}
		return h.renderForm(c, http.StatusUnprocessableEntity, p, f, errs)
	}
	if err != nil {
		return err
	}
	ok := map[Action]string{SaveDraft: "brouillon", Submit: "soumise", Publish: "publiee"}[act]
	return c.Redirect(http.StatusSeeOther, "/actualites/gestion?ok="+ok+"#a-"+saved.String())
}

func (h *Handler) confirmDelete(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Editable(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "news_delete.html", "Supprimer l'actualité", p)
}

func (h *Handler) delete(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/actualites/gestion?ok=supprimee")
}

func (h *Handler) publish(c echo.Context) error {
	return h.decide(c, h.svc.Publish, "publiee")
}

func (h *Handler) sendBack(c echo.Context) error {
	return h.decide(c, h.svc.SendBack, "renvoyee")
}

// decision is a direction's answer to a post: Service.Publish or Service.SendBack.
type decision func(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error

func (h *Handler) decide(c echo.Context, fn decision, ok string) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := fn(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/actualites/gestion?ok="+ok)
}
