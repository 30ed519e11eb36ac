package identity

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes identity's files of a personal data export.
const ExportAbout = "Votre compte : dans « plateforme/identity.json », votre identifiant de connexion, votre nom et votre courriel " +
	"tels que le service d'identification les garde, vos rattachements aux établissements (rôles, dates), votre rôle " +
	"d'administration éventuel et vos sessions de connexion (date, appareil, adresse IP) ; dans le dossier d'un " +
	"établissement, la date de votre première connexion. Ni mot de passe ni code de récupération : ils ne sont jamais exportés."

// Export is identity's exporter: the account at the platform's level (t nil, person the
// Kratos identity), the first sign-in in an establishment.
func (u *UI) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t != nil {
		return u.exportActivation(ctx, t, person, w)
	}
	s := u.auth.store
	var account struct {
		Login     string    `json:"identifiant"`
		AAFID     *string   `json:"identifiant_annuaire_academique,omitempty" gorm:"column:aaf_id"`
		CreatedAt time.Time `json:"cree_le"`
	}
	if err := s.gdb.WithContext(ctx).Raw(`SELECT login, aaf_id, created_at FROM platform.accounts WHERE identity_id = ?`, person).Scan(&account).Error; err != nil {
		return fmt.Errorf("identity: export account %s: %w", person, err)
	}
	var memberships []struct {
		UAI       string    `json:"etablissement_uai" gorm:"column:uai"`
		Name      string    `json:"etablissement"`
		Roles     Roles     `json:"roles"`
		Active    bool      `json:"actif"`
		UpdatedAt time.Time `json:"modifie_le"`
	}
	if err := s.gdb.WithContext(ctx).Raw(`SELECT t.uai, t.name, m.roles, m.active, m.updated_at FROM platform.memberships m
		JOIN platform.tenants t ON t.id = m.tenant_id WHERE m.identity_id = ? ORDER BY t.uai`, person).Scan(&memberships).Error; err != nil {
		return fmt.Errorf("identity: export memberships %s: %w", person, err)
	}
	var admin []struct {
		Role        string    `json:"role"`
		Departement *string   `json:"departement,omitempty"`
		CreatedAt   time.Time `json:"depuis"`
	}
	if err := s.gdb.WithContext(ctx).Raw(`SELECT role, departement_code AS departement, created_at FROM platform.platform_admins WHERE identity_id = ?`, person).Scan(&admin).Error; err != nil {
		return fmt.Errorf("identity: export platform role %s: %w", person, err)
	}
	if account.Login == "" && len(memberships) == 0 {
		return nil // no account
	}
	out := map[string]any{"compte": account, "rattachements": memberships}
	if len(admin) > 0 {
		out["administration"] = admin
	}
	if k := u.auth.kratos; k != nil {
		id, sessions, err := k.exportOf(ctx, person)
		if err != nil {
			return err
		}
		out["service_d_identification"] = id
		out["sessions"] = sessions
	}
	return w.JSON(out)
}

// exportActivation writes the person's first sign-in in t (account_activations).
func (u *UI) exportActivation(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	a := u.auth.activations
	if a == nil {
		return nil
	}
	var at struct{ ActivatedAt *time.Time }
	if err := a.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT activated_at FROM account_activations WHERE person_id = ?`, person).Scan(&at).Error
	}); err != nil {
		return fmt.Errorf("identity: export activation %s at %s: %w", person, t.UAI, err)
	}
	if at.ActivatedAt == nil {
		return nil
	}
	return w.JSON(map[string]any{"premiere_connexion": at.ActivatedAt})
}

// exportedIdentity is what Kratos keeps of a person, without credentials.
type exportedIdentity struct {
	Traits    any        `json:"attributs"`
	State     string     `json:"etat,omitempty"`
	CreatedAt *time.Time `json:"cree_le,omitempty"`
	UpdatedAt *time.Time `json:"modifie_le,omitempty"`
}

type exportedSession struct {
	AuthenticatedAt *time.Time       `json:"connecte_le,omitempty"`
	ExpiresAt       *time.Time       `json:"expire_le,omitempty"`
	Active          bool             `json:"active"`
	Devices         []exportedDevice `json:"appareils"`
}

type exportedDevice struct {
	IP        string `json:"adresse_ip,omitempty"`
	UserAgent string `json:"navigateur,omitempty"`
	Location  string `json:"lieu,omitempty"`
}

// exportOf reads the identity's traits and sessions from Kratos' admin API.
func (k *Kratos) exportOf(ctx context.Context, id uuid.UUID) (*exportedIdentity, []exportedSession, error) {
	ident, resp, err := k.Admin.IdentityAPI.GetIdentity(ctx, id.String()).Execute()
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("identity: export identity %s: %w", id, err)
	}
	out := &exportedIdentity{Traits: ident.Traits, CreatedAt: ident.CreatedAt, UpdatedAt: ident.UpdatedAt}
	if ident.State != nil {
		out.State = string(*ident.State)
	}
	list, _, err := k.Admin.IdentityAPI.ListIdentitySessions(ctx, id.String()).Execute()
	if err != nil {
		return nil, nil, fmt.Errorf("identity: export sessions %s: %w", id, err)
	}
	sessions := make([]exportedSession, 0, len(list))
	for _, s := range list {
		es := exportedSession{AuthenticatedAt: s.AuthenticatedAt, ExpiresAt: s.ExpiresAt, Active: s.Active != nil && *s.Active, Devices: []exportedDevice{}}
		for _, d := range s.Devices {
			es.Devices = append(es.Devices, exportedDevice{IP: deref(d.IpAddress), UserAgent: deref(d.UserAgent), Location: deref(d.Location)})
		}
		sessions = append(sessions, es)
	}
	return out, sessions, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
