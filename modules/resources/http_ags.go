package resources

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// The media types of LTI Assignment and Grade Services 2.0.
const (
	mediaLineItemContainer = "application/vnd.ims.lis.v2.lineitemcontainer+json"
	mediaLineItem          = "application/vnd.ims.lis.v2.lineitem+json"
	mediaScore             = "application/vnd.ims.lis.v1.score+json"
	mediaResultContainer   = "application/vnd.ims.lis.v2.resultcontainer+json"
)

const agsItems = "/lti/ags/:tenant/:class/lineitems"

// agsRoutes: the token endpoint and the scores' services on the portal (public: the access
// token is checked by the handlers), the teachers' page of scores received.
func (h *Handler) agsRoutes() []module.Route {
	return []module.Route{
		module.Post(module.Portal, "/lti/token", module.Public, h.token),
		module.Get(module.Portal, agsItems, module.Public, h.listLineItems),
		module.Post(module.Portal, agsItems, module.Public, h.createLineItem),
		module.Get(module.Portal, agsItems+"/:item", module.Public, h.getLineItem),
		module.Put(module.Portal, agsItems+"/:item", module.Public, h.updateLineItem),
		module.Delete(module.Portal, agsItems+"/:item", module.Public, h.deleteLineItem),
		module.Post(module.Portal, agsItems+"/:item/scores", module.Public, h.postScore),
		module.Get(module.Portal, agsItems+"/:item/results", module.Public, h.getResults),
		module.Get(module.Tenant, "/ressources/notes", PermView, h.scoresPage),
		module.Post(module.Tenant, "/ressources/notes/:item/brouillon", PermView, h.makeDraft),
	}
}

func (h *Handler) token(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return oauthJSON(c, oauthErr(400, "invalid_request", "the body must be a form"))
	}
	tok, err := h.svc.IssueToken(r.Context(), TokenRequest{GrantType: r.PostFormValue("grant_type"),
		ClientAssertionType: r.PostFormValue("client_assertion_type"), ClientAssertion: r.PostFormValue("client_assertion"),
		Scope: r.PostFormValue("scope")})
	if err != nil {
		return oauthJSON(c, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"access_token": tok.Token, "token_type": "Bearer",
		"expires_in": tok.ExpiresIn, "scope": strings.Join(tok.Scopes, " ")})
}

// oauthJSON answers an error in OAuth 2's JSON shape (the services' errors too).
func oauthJSON(c echo.Context, err error) error {
	if o, ok := isOAuth(err); ok {
		if o.Status == http.StatusUnauthorized {
			c.Response().Header().Set("WWW-Authenticate", `Bearer error="`+o.Code+`"`)
		}
		return c.JSON(o.Status, map[string]string{"error": o.Code, "error_description": o.Description})
	}
	var inv *fault.Invalid
	switch {
	case errors.As(err, &inv):
		return c.JSON(http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": inv.Error()})
	case errors.Is(err, fault.ErrNotFound):
		return c.JSON(http.StatusNotFound, map[string]string{"error": "not_found", "error_description": "not found"})
	case errors.Is(err, fault.ErrInvalid):
		return c.JSON(http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the body cannot be read"})
	}
	return err
}

func bearer(c echo.Context) string {
	scheme, rest, ok := strings.Cut(c.Request().Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(rest)
}

// agsServe checks the token, its scopes and its context, then runs fn.
func (h *Handler) agsServe(c echo.Context, scopes []string, fn func(ac *agsContext) error) error {
	ac, err := h.svc.agsScope(c.Request().Context(), bearer(c), c.Param("tenant"), c.Param("class"))
	if err == nil && !ac.Grant.has(scopes...) {
		err = &OAuthError{Status: http.StatusForbidden, Code: "insufficient_scope", Description: "the access token lacks the scope " + scopes[0]}
	}
	if err == nil {
		err = fn(ac)
	}
	if err != nil {
		return oauthJSON(c, err)
	}
	return nil
}

func itemParam(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("item"))
	if err != nil {
		return uuid.Nil, errNoLineItem
	}
	return id, nil
}

func readJSON(c echo.Context, media string, v any) error {
	if ct, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); ct != media && ct != "application/json" {
		return fault.Invalidf("Content-Type", "the body must be %s", media)
	}
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, 64<<10))
	if err := dec.Decode(v); err != nil {
		return fault.Invalidf("body", "the body is not valid JSON: %v", err)
	}
	return nil
}

func writeJSON(c echo.Context, status int, media string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(status, media, b)
}

func (h *Handler) lineItemJSON(ac *agsContext, it *LineItem) map[string]any {
	out := map[string]any{
		"id":           h.svc.lineItemsURL(ac.Tenant.ID, ac.Class.String()) + "/" + it.ID.String(),
		"label":        it.Label,
		"scoreMaximum": floatOf(&it.ScoreMaximum),
	}
	if it.Tag != "" {
		out["tag"] = it.Tag
	}
	if it.ToolResourceID != "" {
		out["resourceId"] = it.ToolResourceID
	}
	if it.ResourceLinkID != "" {
		out["resourceLinkId"] = it.ResourceLinkID
	}
	return out
}

func (h *Handler) listLineItems(c echo.Context) error {
	return h.agsServe(c, []string{ScopeLineItem, ScopeLineItemReadOnly}, func(ac *agsContext) error {
		f := LineItemFilter{ResourceLinkID: c.QueryParam("resource_link_id"), ResourceID: c.QueryParam("resource_id"), Tag: c.QueryParam("tag")}
		if v := c.QueryParam("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				return fault.Invalidf("limit", "limit must be a number from 1 to 1000")
			}
			f.Limit = n
			if v := c.QueryParam("offset"); v != "" {
				if f.Offset, err = strconv.Atoi(v); err != nil || f.Offset < 0 {
					return fault.Invalidf("offset", "offset must be a number from 0")
				}
			}
		}
		items, err := h.svc.LineItems(c.Request().Context(), ac, f)
		if err != nil {
			return err
		}
		if f.Limit > 0 && len(items) > f.Limit {
			items = items[:f.Limit]
			next := *c.Request().URL
			q := next.Query()
			q.Set("offset", strconv.Itoa(f.Offset+f.Limit))
			next.RawQuery = q.Encode()
			c.Response().Header().Set("Link", "<"+h.svc.ags.portal+next.RequestURI()+`>; rel="next"`)
		}
		out := make([]map[string]any, 0, len(items))
		for i := range items {
			out = append(out, h.lineItemJSON(ac, &items[i]))
		}
		return writeJSON(c, http.StatusOK, mediaLineItemContainer, out)
	})
}

func (h *Handler) createLineItem(c echo.Context) error {
	return h.agsServe(c, []string{ScopeLineItem}, func(ac *agsContext) error {
		var in LineItemInput
		if err := readJSON(c, mediaLineItem, &in); err != nil {
			return err
		}
		it, err := h.svc.SaveLineItem(c.Request().Context(), ac, uuid.Nil, in)
		if err != nil {
			return err
		}
		body := h.lineItemJSON(ac, it)
		c.Response().Header().Set("Location", body["id"].(string))
		return writeJSON(c, http.StatusCreated, mediaLineItem, body)
	})
}

func (h *Handler) getLineItem(c echo.Context) error {
	return h.agsServe(c, []string{ScopeLineItem, ScopeLineItemReadOnly}, func(ac *agsContext) error {
		id, err := itemParam(c)
		if err != nil {
			return err
		}
		it, err := h.svc.LineItem(c.Request().Context(), ac, id)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, mediaLineItem, h.lineItemJSON(ac, it))
	})
}

func (h *Handler) updateLineItem(c echo.Context) error {
	return h.agsServe(c, []string{ScopeLineItem}, func(ac *agsContext) error {
		id, err := itemParam(c)
		if err != nil {
			return err
		}
		var in LineItemInput
		if err := readJSON(c, mediaLineItem, &in); err != nil {
			return err
		}
		it, err := h.svc.SaveLineItem(c.Request().Context(), ac, id, in)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, mediaLineItem, h.lineItemJSON(ac, it))
	})
}

func (h *Handler) deleteLineItem(c echo.Context) error {
	return h.agsServe(c, []string{ScopeLineItem}, func(ac *agsContext) error {
		id, err := itemParam(c)
		if err != nil {
			return err
		}
		if err := h.svc.DeleteLineItem(c.Request().Context(), ac, id); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}

func (h *Handler) postScore(c echo.Context) error {
	return h.agsServe(c, []string{ScopeScore}, func(ac *agsContext) error {
		id, err := itemParam(c)
		if err != nil {
			return err
		}
		var in ScoreInput
		if err := readJSON(c, mediaScore, &in); err != nil {
			return err
		}
		if err := h.svc.PostScore(c.Request().Context(), ac, id, in); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}

func (h *Handler) getResults(c echo.Context) error {
	return h.agsServe(c, []string{ScopeResultReadOnly}, func(ac *agsContext) error {
		id, err := itemParam(c)
		if err != nil {
			return err
		}
		res, err := h.svc.Results(c.Request().Context(), ac, id, c.QueryParam("user_id"))
		if err != nil {
			return err
		}
		item := h.svc.lineItemsURL(ac.Tenant.ID, ac.Class.String()) + "/" + id.String()
		out := make([]map[string]any, 0, len(res))
		for _, r := range res {
			row := map[string]any{"id": item + "/results/" + r.UserID, "scoreOf": item, "userId": r.UserID}
			if r.ResultScore != nil {
				row["resultScore"], row["resultMaximum"] = *r.ResultScore, *r.ResultMaximum
			}
			if r.Comment != "" {
				row["comment"] = r.Comment
			}
			out = append(out, row)
		}
		return writeJSON(c, http.StatusOK, mediaResultContainer, out)
	})
}

// scoresPage is the teacher's page of the line items of their classes.
func (h *Handler) scoresPage(c echo.Context) error {
	return h.renderScores(c, http.StatusOK, uuid.Nil, nil, draftForm{})
}

func (h *Handler) renderScores(c echo.Context, status int, failed uuid.UUID, errs map[string]string, f draftForm) error {
	items, err := h.svc.TeacherLineItems(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	fid := ""
	if failed != uuid.Nil {
		fid = failed.String()
	}
	data := map[string]any{"Items": items, "Failed": fid, "Errors": errs, "Form": f, "Today": h.svc.Today().Format("2006-01-02"),
		"Pupil": requestActor(c).Profile() == ProfileEleve}
	switch c.QueryParam("ok") {
	case "cree":
		data["Notice"] = "Le brouillon d'évaluation est créé, non publié : publiez-le depuis les notes quand vous l'avez relu."
	case "maj":
		data["Notice"] = "Les notes du brouillon sont mises à jour avec les derniers scores reçus."
	}
	return c.Render(status, "ags_notes.html", web.Page{Title: "Résultats des ressources", Tenant: web.TenantOf(c), Data: data})
}

// draftForm is the teacher's choice for the draft evaluation.
type draftForm struct {
	Item        uuid.UUID
	Subject     string `form:"matiere"`
	Title       string `form:"titre"`
	Date        string `form:"date"`
	Scale       string `form:"bareme"`
	Coefficient string `form:"coefficient"`
}

func (h *Handler) makeDraft(c echo.Context) error {
	id, err := paramID(c, "item")
	if err != nil {
		return err
	}
	var f draftForm
	if err := c.Bind(&f); err != nil {
		return fault.Decoding(err)
	}
	f.Item = id
	created, err := h.svc.MakeDraft(c.Request().Context(), web.TenantOf(c), requestActor(c), id, DraftForm{Subject: f.Subject,
		Title: f.Title, Date: f.Date, Scale: f.Scale, Coefficient: f.Coefficient})
	var fe DraftErrors
	if errors.As(err, &fe) {
		return h.renderScores(c, http.StatusUnprocessableEntity, id, fe, f)
	}
	if err != nil {
		return err
	}
	ok := "maj"
	if created {
		ok = "cree"
	}
	return c.Redirect(http.StatusSeeOther, "/ressources/notes?ok="+ok+"#li-"+id.String())
}

// agsMenu is the teachers' entry to the scores received (to add to Module's Menu: the
// lead's merge wires it).
func (h *Handler) agsMenu() []module.MenuEntry {
	return []module.MenuEntry{{Text: "Résultats des ressources", Href: "/ressources/notes", Permission: PermView,
		Roles: []module.Role{identity.RoleEnseignant}, Order: 13}}
}
