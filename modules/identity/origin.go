package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	kratos "github.com/ory/kratos-client-go"
)

// Origin is the admin metadata of an identity created by an import.
type Origin struct {
	ImportRun uuid.UUID `json:"import_run"`
	Tenant    uuid.UUID `json:"tenant"`
	AAFID     string    `json:"aaf_id,omitempty"`
}

// Identity is a Kratos identity as the reconciliation and the import retries see it.
type Identity struct {
	ID        uuid.UUID
	Login     string
	CreatedAt time.Time
	UpdatedAt time.Time // an adoption by a retried import updates it
	Origin    *Origin   // nil when not created by an import
}

// LastTouched is when the identity was created or last changed.
func (i Identity) LastTouched() time.Time {
	if i.UpdatedAt.After(i.CreatedAt) {
		return i.UpdatedAt
	}
	return i.CreatedAt
}

func identityOf(ki *kratos.Identity) (Identity, error) {
	id, err := uuid.Parse(ki.Id)
	if err != nil {
		return Identity{}, fmt.Errorf("identity: Kratos id %q: %w", ki.Id, err)
	}
	out := Identity{ID: id}
	if ki.CreatedAt != nil {
		out.CreatedAt = *ki.CreatedAt
	}
	if ki.UpdatedAt != nil {
		out.UpdatedAt = *ki.UpdatedAt
	}
	if traits, ok := ki.Traits.(map[string]any); ok {
		out.Login, _ = traits["username"].(string)
	}
	if ki.MetadataAdmin != nil {
		b, _ := json.Marshal(ki.MetadataAdmin)
		var o Origin
		if json.Unmarshal(b, &o) == nil && o.ImportRun != uuid.Nil {
			out.Origin = &o
		}
	}
	return out, nil
}

// FindByLogin returns the identity whose username is login, or nil.
func (k *Kratos) FindByLogin(ctx context.Context, login string) (*Identity, error) {
	list, resp, err := k.Admin.IdentityAPI.ListIdentities(ctx).CredentialsIdentifier(login).Execute()
	if err != nil {
		return nil, fmt.Errorf("identity: find %s: %w", login, describe(resp, err))
	}
	for i := range list {
		idt, err := identityOf(&list[i])
		if err != nil {
			return nil, err
		}
		if idt.Login == login {
			return &idt, nil
		}
	}
	return nil, nil
}

// Adopt takes over an identity a failed import created: its traits, admin metadata and
// initial password become those of a.
func (k *Kratos) Adopt(ctx context.Context, id uuid.UUID, a NewAccount) error {
	traits := map[string]any{"username": a.Login, "name": map[string]any{"first": a.FirstName, "last": a.LastName}}
	if a.Email != "" {
		traits["email"] = a.Email
	}
	body := kratos.NewUpdateIdentityBody(SchemaID, "active", traits)
	if a.Origin != nil {
		body.MetadataAdmin = a.Origin
	}
	if a.HashedPassword != "" {
		body.Credentials = &kratos.IdentityWithCredentials{Password: &kratos.IdentityWithCredentialsPassword{
			Config: &kratos.IdentityWithCredentialsPasswordConfig{HashedPassword: kratos.PtrString(a.HashedPassword)},
		}}
	}
	if _, resp, err := k.Admin.IdentityAPI.UpdateIdentity(ctx, id.String()).UpdateIdentityBody(*body).Execute(); err != nil {
		return fmt.Errorf("identity: adopt %s: %w", id, describe(resp, err))
	}
	return nil
}

// EachIdentity calls fn with every identity of Kratos, page by page.
func (k *Kratos) EachIdentity(ctx context.Context, fn func([]Identity) error) error {
	token := ""
	for {
		req := k.Admin.IdentityAPI.ListIdentities(ctx).PageSize(500)
		if token != "" {
			req = req.PageToken(token)
		}
		list, resp, err := req.Execute()
		if err != nil {
			return fmt.Errorf("identity: list identities: %w", describe(resp, err))
		}
		page := make([]Identity, 0, len(list))
		for i := range list {
			idt, err := identityOf(&list[i])
			if err != nil {
				return err
			}
			page = append(page, idt)
		}
		if err := fn(page); err != nil {
			return err
		}
		token = nextPageToken(resp)
		if token == "" || len(list) == 0 {
			return nil
		}
	}
}

// nextPageToken reads the page_token of the rel="next" link of a Kratos list answer.
func nextPageToken(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	for _, h := range resp.Header.Values("Link") {
		for _, part := range strings.Split(h, ",") {
			if !strings.Contains(part, `rel="next"`) {
				continue
			}
			start, end := strings.Index(part, "<"), strings.Index(part, ">")
			if start < 0 || end <= start {
				continue
			}
			if u, err := url.Parse(part[start+1 : end]); err == nil {
				return u.Query().Get("page_token")
			}
		}
	}
	return ""
}
