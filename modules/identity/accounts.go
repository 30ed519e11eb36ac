package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
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
// call leaves nothing in Kratos. Logins that exist already are not an error of the batch:
// the other accounts are created, and a *TakenError names the taken positions (their ids
// are uuid.Nil).
func (k *Kratos) CreateAccounts(ctx context.Context, accounts []NewAccount) ([]uuid.UUID, error) {
	ordered := make([]uuid.UUID, len(accounts)) // in input order
	var created []uuid.UUID                     // so far, for undoing
	var taken []int                             // positions whose login exists already
	fail := func(err error) ([]uuid.UUID, error) {
		k.DeleteAccounts(context.WithoutCancel(ctx), created)
		return nil, err
	}
	for start := 0; start < len(accounts); start += maxBatch {
		end := min(start+maxBatch, len(accounts))
		pending := make([]int, 0, end-start) // positions still to create
		for i := start; i < end; i++ {
			pending = append(pending, i)
		}
		// Kratos 1.3 answers a batch holding a taken login as if the others had been created,
		// but its transaction rolled them back: after such a batch, the ids it gave are
		// checked and the accounts that do not exist are sent again, without the taken ones.
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt == 3 {
				return fail(fmt.Errorf("identity: Kratos did not keep %d account(s) of positions %d–%d after %d attempts", len(pending), start, end-1, attempt))
			}
			list := make([]NewAccount, len(pending))
			for i, pos := range pending {
				list[i] = accounts[pos]
			}
			ids, conflicts, err := k.createBatch(ctx, list)
			if err != nil {
				return fail(fmt.Errorf("identity: create accounts %d–%d: %w", start, end-1, err))
			}
			for _, i := range conflicts {
				taken = append(taken, pending[i])
			}
			var sent []int
			for i, id := range ids {
				if id != uuid.Nil {
					ordered[pending[i]] = id
					sent = append(sent, i)
				}
			}
			if len(conflicts) == 0 {
				for _, i := range sent {
					created = append(created, ids[i])
				}
				break
			}
			kept, err := k.existing(ctx, ids)
			if err != nil {
				return fail(err)
			}
			var again []int
			for _, i := range sent {
				if kept[ids[i]] {
					created = append(created, ids[i])
					continue
				}
				ordered[pending[i]] = uuid.Nil
				again = append(again, pending[i])
			}
			pending = again
		}
	}
	if len(taken) > 0 {
		slices.Sort(taken)
		return ordered, &TakenError{Positions: taken}
	}
	return ordered, nil
}

// createBatch sends one batch; it returns the ids Kratos gave (uuid.Nil for a taken login)
// and the positions of the taken logins. Any other refusal fails the whole batch.
func (k *Kratos) createBatch(ctx context.Context, accounts []NewAccount) ([]uuid.UUID, []int, error) {
	patches := make([]kratos.IdentityPatch, 0, len(accounts))
	index := map[string]int{} // patch id (a UUID, as Kratos wants) → position in the batch
	for i, a := range accounts {
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
		index[pid] = i
		patches = append(patches, kratos.IdentityPatch{Create: body, PatchId: kratos.PtrString(pid)})
	}
	res, resp, err := k.Admin.IdentityAPI.BatchPatchIdentities(ctx).PatchIdentitiesBody(kratos.PatchIdentitiesBody{Identities: patches}).Execute()
	if err != nil {
		return nil, nil, describe(resp, err)
	}
	ids := make([]uuid.UUID, len(accounts))
	var taken []int
	var failed []string
	answered := 0
	for _, r := range res.Identities {
		pos, ok := index[r.GetPatchId()]
		if !ok {
			continue
		}
		answered++
		if r.Identity != nil {
			if id, err := uuid.Parse(*r.Identity); err == nil {
				ids[pos] = id
				continue
			}
		}
		if isConflict(r.Error) {
			taken = append(taken, pos)
			continue
		}
		failed = append(failed, fmt.Sprintf("%s: %v", accounts[pos].Login, r.Error))
	}
	if len(failed) > 0 || answered != len(accounts) {
		// What the batch did create goes with the caller's undo; a batch answered in part is
		// one whose created ids cannot be trusted.
		var made []uuid.UUID
		for _, id := range ids {
			if id != uuid.Nil {
				made = append(made, id)
			}
		}
		k.DeleteAccounts(context.WithoutCancel(ctx), made)
		return nil, nil, fmt.Errorf("%d account(s) refused by Kratos (%d answered of %d): %s", len(failed), answered, len(accounts), strings.Join(failed[:min(len(failed), 5)], "; "))
	}
	return ids, taken, nil
}

// existing tells which of ids (uuid.Nil ignored) Kratos holds.
func (k *Kratos) existing(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	var want []string
	for _, id := range ids {
		if id != uuid.Nil {
			want = append(want, id.String())
		}
	}
	out := map[uuid.UUID]bool{}
	const page = 100
	for start := 0; start < len(want); start += page {
		part := want[start:min(start+page, len(want))]
		list, resp, err := k.Admin.IdentityAPI.ListIdentities(ctx).Ids(part).PageSize(page).Execute()
		if err != nil {
			return nil, fmt.Errorf("identity: check created accounts: %w", describe(resp, err))
		}
		for _, idt := range list {
			if id, err := uuid.Parse(idt.Id); err == nil {
				out[id] = true
			}
		}
	}
	return out, nil
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
