package resources

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// What a launch sends besides the pseudonym (resource_launches.shared).
const (
	SharedName  = "nom"
	SharedEmail = "courriel"
	SharedClass = "classe"
)

// Opening is where the browser goes to open a resource: the tool's login initiation (LTI)
// or the resource's page (a plain link, opened without any personal data).
type Opening struct {
	URL      string
	LTI      bool
	LaunchID uuid.UUID
	Title    string // the resource's
}

var (
	errNoResource   = fault.New(fault.ErrNotFound, "cette ressource n'existe pas ou a été retirée du catalogue")
	errLTIOff       = fault.New(fault.ErrUnavailable, "l'ouverture des ressources n'est pas configurée sur ce serveur (plateforme LTI) : prévenez l'administrateur")
	errNotPlainLink = fault.New(fault.ErrNotFound, "cette ressource s'ouvre avec le bouton « Ouvrir » de la page Mes ressources")
	errNoTarget     = fault.New(fault.ErrNotFound, "cette ressource n'a pas d'adresse dans le catalogue : prévenez le référent ressources")
)

// Open starts the opening of a resource by a: it must be given to them today (Entitled);
// the launch is recorded (the audit). For an LTI tool the launch carries a single-use
// message hint and what the establishment lets the tool know; the opening is the tool's
// login initiation (OIDC third-party login). classID, for a teacher, is the class they open
// it for (uuid.Nil: none); it is sent only when the establishment shares the class.
func (s *Service) Open(ctx context.Context, t *tenant.Tenant, a Actor, resourceID, classID uuid.UUID) (*Opening, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	r, tool, _, ok := snap.Resource(resourceID)
	if !ok || !r.Active {
		return nil, errNoResource
	}
	if tool.LTI() && s.lti.issuer == "" {
		return nil, errLTIOff
	}
	hint, err := randomToken()
	if err != nil {
		return nil, err
	}
	var op *Opening
	err = s.write(ctx, t, func(tx *gorm.DB) error {
		ent, err := Entitled(tx, snap, a.PersonID, a.Profile(), s.Today(), resourceID)
		if err != nil {
			return err
		}
		l := Launch{ID: uuid.New(), PersonID: a.PersonID, SubscriptionID: ent.Subscription.ID, ResourceID: r.ID, ToolID: tool.ID,
			MessageHint: hint, Shared: Strings{}, CreatedAt: s.now()}
		if !tool.LTI() {
			if r.TargetURL == "" {
				return errNoTarget
			}
			done := l.CreatedAt
			l.CompletedAt = &done // nothing more happens: the audit is the row
			op = &Opening{URL: r.TargetURL, LaunchID: l.ID, Title: r.Title}
			return tx.Create(&l).Error
		}
		var share Sharing
		if err := tx.Where("tool_id = ?", tool.ID).Limit(1).Find(&share).Error; err != nil {
			return fmt.Errorf("resources: read the sharing of %s: %w", tool.ID, err)
		}
		if share.ShareName {
			l.Shared = append(l.Shared, SharedName)
		}
		if share.ShareEmail {
			l.Shared = append(l.Shared, SharedEmail)
		}
		if share.ShareClass {
			class, err := launchClass(tx, a, classID)
			if err != nil {
				return err
			}
			if class != uuid.Nil {
				l.ClassID = &class
				l.Shared = append(l.Shared, SharedClass)
			}
		}
		if err := tx.Create(&l).Error; err != nil {
			return fmt.Errorf("resources: record the launch: %w", err)
		}
		u, err := s.loginInitiation(t, tool, r, ent.Subscription, l)
		op = &Opening{URL: u, LTI: true, LaunchID: l.ID, Title: r.Title}
		return err
	})
	return op, err
}

// OpenLink is Open for a plain-link resource (GET, from a link of the médiacentre); an
// LTI resource opens with Open (a form, as it starts a sign-in).
func (s *Service) OpenLink(ctx context.Context, t *tenant.Tenant, a Actor, resourceID uuid.UUID) (*Opening, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	r, tool, _, ok := snap.Resource(resourceID)
	if !ok || !r.Active {
		return nil, errNoResource
	}
	if tool.LTI() {
		return nil, errNotPlainLink
	}
	return s.Open(ctx, t, a, resourceID, uuid.Nil)
}

// errLaunchGone: the page of a launch that is no longer under way.
var errLaunchGone = fault.New(fault.ErrNotFound, "ce lancement n'est plus valable (il a expiré ou a déjà servi) : revenez à « Mes ressources » et ouvrez la ressource à nouveau")

// Opened is the opening of a launch a started less than ltiLaunchLife ago and that has not
// served yet (the page « Ouverture de … » that sends the browser on): nobody else's.
func (s *Service) Opened(ctx context.Context, t *tenant.Tenant, a Actor, launchID uuid.UUID) (*Opening, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var op *Opening
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		var ls []Launch
		if err := tx.Where("id = ? AND person_id = ? AND created_at > ?", launchID, a.PersonID, s.now().Add(-ltiLaunchLife)).Find(&ls).Error; err != nil {
			return fmt.Errorf("resources: read the launch: %w", err)
		}
		if len(ls) == 0 || a.PersonID == uuid.Nil {
			return errLaunchGone
		}
		l := ls[0]
		r, tool, _, ok := snap.Resource(l.ResourceID)
		if !ok || !r.Active || tool.ID != l.ToolID {
			return errNoResource
		}
		if !tool.LTI() {
			op = &Opening{URL: r.TargetURL, LaunchID: l.ID, Title: r.Title}
			return nil
		}
		if l.CompletedAt != nil {
			return errLaunchGone
		}
		var subs []Subscription
		if err := tx.Where("id = ?", l.SubscriptionID).Limit(1).Find(&subs).Error; err != nil {
			return fmt.Errorf("resources: read the launch's subscription: %w", err)
		}
		if len(subs) == 0 {
			return errLaunchGone // its subscription was deleted since
		}
		u, err := s.loginInitiation(t, tool, r, &subs[0], l)
		op = &Opening{URL: u, LTI: true, LaunchID: l.ID, Title: r.Title}
		return err
	})
	return op, err
}

// launchClass is the class a launch is for: a pupil's class of the current school year, or
// the class a teacher chose among those they teach (uuid.Nil: none).
func launchClass(tx *gorm.DB, a Actor, chosen uuid.UUID) (uuid.UUID, error) {
	var ids []uuid.UUID
	var err error
	if a.Profile() == ProfileEleve {
		err = tx.Raw(`SELECT c.id FROM class_members m JOIN classes c ON c.id = m.class_id
			JOIN school_years y ON y.code = c.school_year AND y.current
			WHERE m.person_id = ? AND c.kind = 'classe' ORDER BY c.code LIMIT 1`, a.PersonID).Scan(&ids).Error
	} else if chosen != uuid.Nil {
		err = tx.Raw(`SELECT DISTINCT class_id FROM teachings WHERE teacher_id = ? AND class_id = ?`, a.PersonID, chosen).Scan(&ids).Error
		if err == nil && len(ids) == 0 {
			return uuid.Nil, fault.NewField(fault.ErrInvalid, "classe", "Classe : vous n'enseignez pas dans cette classe")
		}
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("resources: read the launch's class: %w", err)
	}
	if len(ids) == 0 {
		return uuid.Nil, nil
	}
	return ids[0], nil
}

// loginHint names a launch for the authentication request: its establishment and its id.
func loginHint(t *tenant.Tenant, launch uuid.UUID) string {
	return t.ID.String() + "." + launch.String()
}

// parseLoginHint reads loginHint's parts.
func parseLoginHint(h string) (tenantID, launch uuid.UUID, ok bool) {
	a, b, found := strings.Cut(h, ".")
	if !found {
		return uuid.Nil, uuid.Nil, false
	}
	tid, err1 := uuid.Parse(a)
	lid, err2 := uuid.Parse(b)
	if err1 != nil || err2 != nil {
		return uuid.Nil, uuid.Nil, false
	}
	return tid, lid, true
}

// deploymentOf is the deployment a subscription launches with: its own, or the tool's first.
func deploymentOf(tool *Tool, sub *Subscription) string {
	if sub.DeploymentID != "" {
		return sub.DeploymentID
	}
	if len(tool.DeploymentIDs) > 0 {
		return tool.DeploymentIDs[0]
	}
	return ""
}

// targetOf is the resource link's target: the resource's own URL, or the tool's launch URL.
func targetOf(tool *Tool, r *Resource) string {
	if r.TargetURL != "" {
		return r.TargetURL
	}
	return tool.LaunchURL
}

// loginInitiation is the tool's login initiation URL for launch l (LTI 1.3 Core, 5.1.1).
func (s *Service) loginInitiation(t *tenant.Tenant, tool *Tool, r *Resource, sub *Subscription, l Launch) (string, error) {
	u, err := url.Parse(tool.LoginURL)
	if err != nil {
		return "", fmt.Errorf("resources: login URL of tool %s: %w", tool.ID, err)
	}
	q := u.Query()
	q.Set("iss", s.lti.issuer)
	q.Set("login_hint", loginHint(t, l.ID))
	q.Set("target_link_uri", targetOf(tool, r))
	q.Set("lti_message_hint", l.MessageHint)
	if tool.ClientID != nil {
		q.Set("client_id", *tool.ClientID)
	}
	q.Set("lti_deployment_id", deploymentOf(tool, sub))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// randomToken is 32 random bytes, base64url.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// registeredRedirect tells whether uri is one of the tool's: its launch URL or one of its
// redirect URLs, compared exactly.
func registeredRedirect(tool *Tool, uri string) bool {
	return uri != "" && (uri == tool.LaunchURL || slices.Contains(tool.RedirectURLs, uri))
}
