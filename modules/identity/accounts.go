package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/uuid"
	kratos "github.com/ory/kratos-client-go"
)

// NewAccount is an identity to create in Kratos.
type NewAccount struct {
	Login          string
	FirstName      string
	LastName       string
	Email          string
	HashedPassword string // bcrypt; the initial password is never sent in clear
	// Origin is stored in the identity's admin metadata (metadata_admin): which import run
	// of which establishment created it, for which join key. A retry of a failed import
	// recognises its own identities by it, the orphan reconciliation names them.
	Origin *Origin
}

// maxBatch is how many identities one BatchPatchIdentities call carries.
const maxBatch = 500

// CreateAccounts creates identities in batches and returns their ids in input order. If a
// batch fails, the identities created so far by this call are deleted again, so a failed
// call leaves nothing in Kratos.
func (k *Kratos) CreateAccounts(ctx context.Context, accounts []NewAccount) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, 0, len(accounts)) // created so far, for undoing
	var taken []int                            // positions whose login exists already
	takenBefore := 0
	ordered := make([]uuid.UUID, 0, len(accounts)) // in input order
	for start := 0; start < len(accounts); start += maxBatch {
		end := min(start+maxBatch, len(accounts))
		patches := make([]kratos.IdentityPatch, 0, end-start)
		index := map[string]int{} // patch id (a UUID, as Kratos wants) → position in the batch
		for i := start; i < end; i++ {
			a := accounts[i]
			traits := map[string]any{"username": a.Login, "name": map[string]any{"first": a.FirstName, "last": a.LastName}}
			if a.Email != "" {
				traits["email"] = a.Email
			}
			body := kratos.NewCreateIdentityBody(SchemaID, traits)
			if a.Origin != nil {
				body.MetadataAdmin = a.Origin
			}
			if a.HashedPassword != "" {
				body.Credentials = &kratos.IdentityWithCredentials{Password: &kratos.IdentityWithCredentialsPassword{
					Config: &kratos.IdentityWithCredentialsPasswordConfig{HashedPassword: kratos.PtrString(a.HashedPassword)},
				}}
			}
			pid := uuid.NewString()
			index[pid] = i - start
			patches = append(patches, kratos.IdentityPatch{Create: body, PatchId: kratos.PtrString(pid)})
		}
		res, resp, err := k.Admin.IdentityAPI.BatchPatchIdentities(ctx).PatchIdentitiesBody(kratos.PatchIdentitiesBody{Identities: patches}).Execute()
		if err != nil {
			k.DeleteAccounts(context.WithoutCancel(ctx), ids)
			return nil, fmt.Errorf("identity: create accounts %d–%d: %w", start, end-1, describe(resp, err))
		}
		batch := make([]uuid.UUID, end-start)
		created := 0
		var failed []string
		for _, r := range res.Identities {
			pos, ok := index[r.GetPatchId()]
			if r.Identity != nil && ok {
				if id, err := uuid.Parse(*r.Identity); err == nil {
					batch[pos] = id
					created++
					ids = append(ids, id)
					continue
				}
			}
			if ok && isConflict(r.Error) {
				taken = append(taken, start+pos)
				continue
			}
			login := ""
			if ok {
				login = accounts[start+pos].Login
			}
			failed = append(failed, fmt.Sprintf("%s: %v", login, r.Error))
		}
		if len(failed) > 0 || created+len(taken)-takenBefore != end-start {
			k.DeleteAccounts(context.WithoutCancel(ctx), ids)
			return nil, fmt.Errorf("identity: %d account(s) refused by Kratos: %s", len(failed), strings.Join(failed[:min(len(failed), 5)], "; "))
		}
		takenBefore = len(taken)
		ordered = append(ordered, batch...)
	}
	if len(taken) > 0 {
		return ordered, &TakenError{Positions: taken}
	}
	return ordered, nil
}

// TakenError says that some logins of a CreateAccounts call already exist in Kratos. The
// other accounts were created: the ids returned hold uuid.Nil at Positions.
type TakenError struct {
	Positions []int
}

func (e *TakenError) Error() string {
	return fmt.Sprintf("identity: %d login(s) exist already in Kratos", len(e.Positions))
}

// isConflict tells Kratos' "exists already" answer for one patch of a batch.
func isConflict(e any) bool {
	b, _ := json.Marshal(e)
	s := string(b)
	return strings.Contains(s, `"code":409`) || strings.Contains(s, "exists already")
}

// DeleteAccounts removes identities (best effort; used to undo a failed import).
func (k *Kratos) DeleteAccounts(ctx context.Context, ids []uuid.UUID) error {
	var first error
	for _, id := range ids {
		resp, err := k.Admin.IdentityAPI.DeleteIdentity(ctx, id.String()).Execute()
		if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) && first == nil {
			first = fmt.Errorf("identity: delete %s: %w", id, describe(resp, err))
		}
	}
	return first
}

// SetActive activates or deactivates an identity; deactivation also ends its sessions, so
// the person loses access at once.
func (k *Kratos) SetActive(ctx context.Context, id uuid.UUID, active bool) error {
	state := "inactive"
	if active {
		state = "active"
	}
	patch := []kratos.JsonPatch{{Op: "replace", Path: "/state", Value: state}}
	if _, resp, err := k.Admin.IdentityAPI.PatchIdentity(ctx, id.String()).JsonPatch(patch).Execute(); err != nil {
		return fmt.Errorf("identity: set %s %s: %w", id, state, describe(resp, err))
	}
	if !active {
		if resp, err := k.Admin.IdentityAPI.DeleteIdentitySessions(ctx, id.String()).Execute(); err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
			return fmt.Errorf("identity: end sessions of %s: %w", id, describe(resp, err))
		}
		k.ForgetIdentity(id)
	}
	return nil
}

// UpdateNames changes the name traits of an identity.
func (k *Kratos) UpdateNames(ctx context.Context, id uuid.UUID, first, last string) error {
	patch := []kratos.JsonPatch{{Op: "replace", Path: "/traits/name", Value: map[string]any{"first": first, "last": last}}}
	if _, resp, err := k.Admin.IdentityAPI.PatchIdentity(ctx, id.String()).JsonPatch(patch).Execute(); err != nil {
		return fmt.Errorf("identity: rename %s: %w", id, describe(resp, err))
	}
	return nil
}

// RecoveryCode issues a one-time code and the link where to type it, for a person to choose
// a new password (pupils have no e-mail: an administrator hands it over).
func (k *Kratos) RecoveryCode(ctx context.Context, id uuid.UUID) (code, link string, err error) {
	body := kratos.NewCreateRecoveryCodeForIdentityBody(id.String())
	body.ExpiresIn = kratos.PtrString("72h")
	rc, resp, err := k.Admin.IdentityAPI.CreateRecoveryCodeForIdentity(ctx).CreateRecoveryCodeForIdentityBody(*body).Execute()
	if err != nil {
		return "", "", fmt.Errorf("identity: recovery code for %s: %w", id, describe(resp, err))
	}
	return rc.RecoveryCode, rc.RecoveryLink, nil
}

// describe adds Kratos' error body to err.
func describe(resp *http.Response, err error) error {
	if resp == nil || resp.Body == nil {
		return err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	if len(b) == 0 {
		if gerr, ok := err.(*kratos.GenericOpenAPIError); ok {
			b = gerr.Body()
		}
	}
	if len(b) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(b)))
	}
	return err
}
