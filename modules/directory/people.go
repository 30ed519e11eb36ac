package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/csvout"
	"github.com/cartable-ent/cartable/web/fault"
)

// ClassSummary is a class or group with its headcount.
type ClassSummary struct {
	Class
	Pupils int
}

// Classes lists the current year's classes and groups, classes first.
func (s *Service) Classes(ctx context.Context, t *tenant.Tenant) ([]ClassSummary, error) {
	var out []ClassSummary
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT c.id, c.kind, c.code, c.label, c.school_year,
				(SELECT count(*) FROM class_members m JOIN people p ON p.id = m.person_id WHERE m.class_id = c.id AND p.active AND p.category = 'eleve') AS pupils
			FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current
			ORDER BY c.kind, c.code`).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("directory: classes of %s: %w", t.UAI, err)
	}
	return out, nil
}

// ClassView is a class with its pupils and teachers.
type ClassView struct {
	Class    Class
	Pupils   []Person
	Teachers []TeacherOf
}

// TeacherOf is a teacher of a class and the subject taught.
type TeacherOf struct {
	Person
	Subject   string
	Principal bool
}

// ClassDetail returns one class with its active pupils and its teachers.
func (s *Service) ClassDetail(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (*ClassView, error) {
	var v ClassView
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&v.Class).Error; err != nil {
			return notFound(err, "cette classe n'existe pas")
		}
		if err := tx.Raw(`SELECT p.* FROM people p JOIN class_members m ON m.person_id = p.id
			WHERE m.class_id = ? AND p.active AND p.category = 'eleve' ORDER BY lower(p.last_name), lower(p.first_name)`, id).Scan(&v.Pupils).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT p.*, coalesce(s.label, t.subject_code) AS subject,
				EXISTS (SELECT 1 FROM principal_teachers pt WHERE pt.teacher_id = p.id AND pt.class_id = t.class_id) AS principal
			FROM teachings t JOIN people p ON p.id = t.teacher_id LEFT JOIN subjects s ON s.code = t.subject_code
			WHERE t.class_id = ? AND p.active ORDER BY subject, lower(p.last_name)`, id).Scan(&v.Teachers).Error
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Card is a person's card: who they are and their links.
type Card struct {
	Person   Person
	Classes  []Class
	Children []Relative // for a responsable
	Parents  []Relative // for a pupil
	Teaches  []Teaching
}

// Teaching is a class or group taught and its subject.
type Teaching struct {
	ClassID   uuid.UUID
	ClassCode string
	Subject   string
}

// Relative is one side of a family link.
type Relative struct {
	Person
	Legal bool
}

// Card returns a person's card.
func (s *Service) Card(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (*Card, error) {
	var c Card
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&c.Person).Error; err != nil {
			return notFound(err, "cette personne n'existe pas dans l'annuaire")
		}
		if err := tx.Raw(`SELECT c.* FROM classes c JOIN class_members m ON m.class_id = c.id WHERE m.person_id = ? ORDER BY c.kind, c.code`, id).Scan(&c.Classes).Error; err != nil {
			return err
		}
		if err := childrenOf(tx, id, &c.Children); err != nil {
			return err
		}
		if err := tx.Raw(`SELECT p.*, g.legal FROM guardianships g JOIN people p ON p.id = g.guardian_id WHERE g.pupil_id = ? AND p.active ORDER BY p.last_name`, id).Scan(&c.Parents).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT cl.id AS class_id, cl.code AS class_code, coalesce(s.label, t.subject_code) AS subject FROM teachings t
			JOIN classes cl ON cl.id = t.class_id LEFT JOIN subjects s ON s.code = t.subject_code
			WHERE t.teacher_id = ? ORDER BY cl.code`, id).Scan(&c.Teaches).Error
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// childrenOf reads the active pupils a person is a guardian of (legal or not), for their card
// (MeJSON reads them in its own statement).
func childrenOf(tx *gorm.DB, guardian uuid.UUID, out *[]Relative) error {
	return tx.Raw(`SELECT p.*, g.legal FROM guardianships g JOIN people p ON p.id = g.pupil_id
		WHERE g.guardian_id = ? AND p.active ORDER BY p.first_name`, guardian).Scan(out).Error
}

// IsGuardianOf tells whether guardian is linked to pupil (legal or not, as asked).
func (s *Service) IsGuardianOf(ctx context.Context, t *tenant.Tenant, guardian, pupil uuid.UUID, legalOnly bool) (bool, error) {
	var n int
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		q := `SELECT count(*) FROM guardianships WHERE guardian_id = ? AND pupil_id = ?`
		if legalOnly {
			q += ` AND legal`
		}
		return tx.Raw(q, guardian, pupil).Scan(&n).Error
	})
	return n > 0, err
}

// PeopleFilter narrows People.
type PeopleFilter struct {
	Query    string // part of a name or login
	Category string
	Inactive bool // list the deactivated ones instead
	Limit    int
}

// People lists people for the management page.
func (s *Service) People(ctx context.Context, t *tenant.Tenant, f PeopleFilter) ([]Person, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	var out []Person
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		q := tx.Where("active = ?", !f.Inactive).Order("lower(last_name), lower(first_name)").Limit(f.Limit)
		if f.Category != "" {
			q = q.Where("category = ?", f.Category)
		}
		if qs := strings.TrimSpace(f.Query); qs != "" {
			like := "%" + strings.ToLower(qs) + "%"
			q = q.Where("lower(last_name) LIKE ? OR lower(first_name) LIKE ? OR login LIKE ?", like, like, like)
		}
		return q.Find(&out).Error
	})
	return out, err
}

// PersonForm is what an administrator types to create or edit a person.
type PersonForm struct {
	LastName  string `form:"nom"`
	FirstName string `form:"prenom"`
	Role      string `form:"profil"`
	BirthDate string `form:"date_naissance"`
	Email     string `form:"email"`
}

// FormErrors maps fields to messages.
type FormErrors map[string]string

func (e FormErrors) Error() string {
	var parts []string
	for k, v := range e {
		parts = append(parts, k+": "+v)
	}
	return strings.Join(parts, "; ")
}

func (f *PersonForm) validate() (identity.Role, *time.Time, FormErrors) {
	errs := FormErrors{}
	f.LastName, f.FirstName = strings.TrimSpace(f.LastName), strings.TrimSpace(f.FirstName)
	if f.LastName == "" || len(f.LastName) > 100 {
		errs["nom"] = "Indiquez le nom (100 caractères au plus)."
	}
	if f.FirstName == "" || len(f.FirstName) > 100 {
		errs["prenom"] = "Indiquez le prénom (100 caractères au plus)."
	}
	role := identity.Role(f.Role)
	if !role.Valid() {
		errs["profil"] = "Choisissez un profil dans la liste."
	}
	var birth *time.Time
	if d := strings.TrimSpace(f.BirthDate); d != "" {
		b, err := time.Parse("2006-01-02", d)
		if err != nil {
			if b, err = time.Parse("02/01/2006", d); err != nil {
				errs["date_naissance"] = "Date illisible : jj/mm/aaaa."
			}
		}
		if err == nil {
			birth = &b
		}
	}
	if e := strings.TrimSpace(f.Email); e != "" && !ValidEmail(e) {
		errs["email"] = "Adresse électronique invalide : forme attendue prenom.nom@exemple.fr (200 caractères au plus)."
	}
	if len(errs) > 0 {
		return "", nil, errs
	}
	return role, birth, nil
}

func categoryOfRole(r identity.Role) string {
	switch r {
	case identity.RoleEleve:
		return CategoryEleve
	case identity.RoleResponsable:
		return CategoryResponsable
	}
	return CategoryPersonnel
}

// CreatePerson adds a person by hand and opens their account; it returns the person and
// their first-login credential.
func (s *Service) CreatePerson(ctx context.Context, t *tenant.Tenant, f PersonForm, actor string) (*Person, *Credential, error) {
	role, birth, errs := f.validate()
	if errs != nil {
		return nil, nil, errs
	}
	sp := &personSpec{key: string(t.UAI) + ":manuel:" + uuid.NewString(), category: categoryOfRole(role), roles: identity.Roles{role},
		last: f.LastName, first: f.FirstName, birth: birth, email: strings.TrimSpace(f.Email), attrs: Attrs{}}
	rep, err := s.apply(ctx, t, "manual", nil, []*personSpec{sp}, nil, nil, ImportOptions{Actor: actor})
	if err != nil {
		return nil, nil, err
	}
	var p Person
	var cred *Credential
	err = s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Where("aaf_id = ?", sp.key).Take(&p).Error; err != nil {
			return err
		}
		creds, err := s.credentialsOfRun(tx, rep.ID)
		if len(creds) > 0 {
			cred = &creds[0]
		}
		return err
	})
	return &p, cred, err
}

// UpdatePerson changes a person's names, role, birth date and e-mail. Names and role are
// the account's (its name is seen everywhere it is used, its role is what it may do): they
// change only when every membership of the account lies within the scope by.
func (s *Service) UpdatePerson(ctx context.Context, t *tenant.Tenant, id uuid.UUID, f PersonForm, by identity.Scope) error {
	role, birth, errs := f.validate()
	if errs != nil {
		return errs
	}
	var identityID *uuid.UUID
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var p Person
		if err := tx.Where("id = ?", id).Take(&p).Error; err != nil {
			return notFound(err, "cette personne n'existe pas dans l'annuaire")
		}
		renamed := p.LastName != f.LastName || p.FirstName != f.FirstName
		if p.IdentityID != nil && (renamed || !slices.Equal(p.Roles, identity.Roles{role})) {
			outside, err := s.outsideScope(tx, t, *p.IdentityID, by)
			if err != nil {
				return err
			}
			if outside {
				return identity.ErrOutOfScope("Modifier le nom ou le profil de " + p.FullName())
			}
		}
		if renamed {
			identityID = p.IdentityID
		}
		var email *string
		if e := strings.TrimSpace(f.Email); e != "" {
			email = &e
		}
		roles := identity.Roles{role}
		if err := tx.Model(&p).Updates(map[string]any{"last_name": f.LastName, "first_name": f.FirstName, "roles": roles,
			"category": categoryOfRole(role), "birth_date": birth, "email": email, "updated_at": s.now().UTC()}).Error; err != nil {
			return err
		}
		if p.IdentityID == nil || !p.Active {
			return nil
		}
		return tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
			return s.records.UpsertMemberships(ptx, []identity.Membership{{IdentityID: *p.IdentityID, TenantID: t.ID, PersonID: p.ID, Roles: roles, Active: true}})
		})
	})
	if err != nil {
		return err
	}
	if identityID != nil {
		if err := s.accounts.UpdateNames(ctx, *identityID, f.FirstName, f.LastName); err != nil {
			s.log.Warn("rename account", "identity", identityID, "err", err)
		}
	}
	return nil
}

// SetActive deactivates (access ends at once, data kept three months) or reactivates a person
// in this establishment. The account itself (its state and sessions in Kratos) changes only
// when every membership of it lies within the scope by, and on deactivation only when it is
// active nowhere else: the establishment's staff end or restore the person's access to their
// establishment, never to another.
func (s *Service) SetActive(ctx context.Context, t *tenant.Tenant, id uuid.UUID, active bool, by identity.Scope) error {
	var p Person
	var elsewhere, outside bool
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&p).Error; err != nil {
			return notFound(err, "cette personne n'existe pas dans l'annuaire")
		}
		now := s.now().UTC()
		upd := map[string]any{"active": active, "updated_at": now, "deactivated_at": nil, "purge_after": nil}
		if !active {
			upd["deactivated_at"], upd["purge_after"] = now, now.AddDate(0, 3, 0)
		}
		if err := tx.Model(&p).Updates(upd).Error; err != nil {
			return err
		}
		if p.IdentityID == nil {
			return nil
		}
		return tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
			if err := s.records.UpsertMemberships(ptx, []identity.Membership{{IdentityID: *p.IdentityID, TenantID: t.ID, PersonID: p.ID, Roles: p.Roles, Active: active}}); err != nil {
				return err
			}
			var err error
			if elsewhere, err = s.records.ActiveElsewhere(ptx, *p.IdentityID, t.ID); err != nil {
				return err
			}
			out, err := s.records.OutsideScope(ptx, []uuid.UUID{*p.IdentityID}, by)
			outside = out[*p.IdentityID] || !by.Covers(t)
			return err
		})
	})
	if err != nil || p.IdentityID == nil || outside {
		return err
	}
	if active || !elsewhere {
		return s.accounts.SetActive(ctx, *p.IdentityID, active)
	}
	return nil
}

// RecoveryCode issues a code for the person to choose a new password: whoever holds it
// holds the account, so only when every membership of the account lies within the scope by.
func (s *Service) RecoveryCode(ctx context.Context, t *tenant.Tenant, id uuid.UUID, by identity.Scope) (p *Person, code, link string, err error) {
	p = &Person{}
	var outside bool
	err = s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(p).Error; err != nil {
			return notFound(err, "cette personne n'existe pas dans l'annuaire")
		}
		if p.IdentityID == nil || !p.Active {
			return nil
		}
		var err error
		outside, err = s.outsideScope(tx, t, *p.IdentityID, by)
		return err
	})
	if err != nil {
		return nil, "", "", err
	}
	if p.IdentityID == nil || !p.Active {
		return nil, "", "", fault.New(fault.ErrConflict, "%s n'a pas de compte actif : réactivez-le d'abord", p.FullName())
	}
	if outside {
		return nil, "", "", identity.ErrOutOfScope("Émettre un code de récupération pour " + p.FullName())
	}
	code, link, err = s.accounts.RecoveryCode(ctx, *p.IdentityID)
	return p, code, link, err
}

// AccountOutOfScope tells whether the account of person id holds anything the scope does not
// cover (memberships elsewhere, a platform role): its recovery code, renaming and profile
// are then a platform administrator's (the card says so instead of offering them).
func (s *Service) AccountOutOfScope(ctx context.Context, t *tenant.Tenant, id uuid.UUID, by identity.Scope) (bool, error) {
	var outside bool
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var p struct{ IdentityID *uuid.UUID }
		if err := tx.Raw(`SELECT identity_id FROM people WHERE id = ?`, id).Scan(&p).Error; err != nil || p.IdentityID == nil {
			return err
		}
		var err error
		outside, err = s.outsideScope(tx, t, *p.IdentityID, by)
		return err
	})
	return outside, err
}

// outsideScope tells, inside a tenant transaction, whether the account holds anything the
// scope does not cover (see identity.OutsideScope); a scope that does not cover the
// establishment itself covers none of its accounts.
func (s *Service) outsideScope(tx *gorm.DB, t *tenant.Tenant, identityID uuid.UUID, by identity.Scope) (bool, error) {
	if !by.Covers(t) {
		return true, nil
	}
	var outside map[uuid.UUID]bool
	err := tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
		var err error
		outside, err = s.records.OutsideScope(ptx, []uuid.UUID{identityID}, by)
		return err
	})
	return outside[identityID], err
}

// Me is the signed-in person and, for a responsable, their children here.
type Me struct {
	Person   Person     `json:"person"`
	Roles    []string   `json:"roles"`
	Classes  []string   `json:"classes"`
	Children []Relative `json:"children,omitempty"`
}

// MeJSON is the person behind the session in this establishment as /api/v1/me answers it,
// in JSON: what the app shows and nothing more of the card (its parents and teachings are
// not shown there), in one statement sent in one round trip (tenant.DB.ReadBatch). Every start of the app asks for it, and
// it rarely changes: the answer is kept per person under the version of the data it is
// made of (grades_version, which every statement changing people, memberships, classes or
// guardianships bumps), and a request whose version has not moved reads that one number (the
// person's statement then stops at its one-time filter) and sends the kept answer.
func (s *Service) MeJSON(ctx context.Context, t *tenant.Tenant, personID uuid.UUID) ([]byte, error) {
	key := meKey{schema: t.SchemaName, person: personID}
	kept, ok := s.me.Get(key)
	if !ok {
		kept.version = -1 // no version: read everything
	}
	m, version, err := s.meOf(ctx, t, personID, kept.version)
	switch {
	case err != nil:
		return nil, err
	case m == nil && ok && version == kept.version:
		return kept.body, nil
	case m == nil:
		return nil, fault.New(fault.ErrNotFound, "cette personne n'existe pas dans l'annuaire")
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	// The person's statement runs after the version's, on a snapshot at least as new: what it
	// read is never older than the version it is kept under.
	s.me.Add(key, keptMe{version: version, body: body})
	return body, nil
}

// meKey and keptMe: see MeJSON.
type meKey struct {
	schema string
	person uuid.UUID
}

type keptMe struct {
	version int64
	body    []byte
}

func newKeptMe() *expirable.LRU[meKey, keptMe] {
	return expirable.NewLRU[meKey, keptMe](20_000, nil, 10*time.Minute)
}

// meOf reads the version of the data and, when it differs from unless (the version a kept
// answer was made at; -1: none), the person: m is nil when the version is still unless or
// the person does not exist.
func (s *Service) meOf(ctx context.Context, t *tenant.Tenant, personID uuid.UUID, unless int64) (m *Me, version int64, err error) {
	found := false
	out := &Me{Classes: []string{}}
	id := pgtype.UUID{Bytes: personID, Valid: true} // encoded as is, not through uuid's Valuer
	b := &pgx.Batch{}
	b.Queue(`SELECT coalesce((SELECT v FROM {t}.grades_version), 0)`).QueryRow(func(r pgx.Row) error { return r.Scan(&version) })
	// One statement: the person first (kind 0, with their classes), then their children
	// (kind 1, with the legal flag); none at all when the version is still unless.
	b.Queue(`SELECT 0 AS kind, `+personColumns+`, coalesce((SELECT array_agg(c.code ORDER BY c.kind, c.code) FROM {t}.classes c
			JOIN {t}.class_members cm ON cm.class_id = c.id WHERE cm.person_id = p.id), '{}'), false
		FROM {t}.people p WHERE p.id = $1 AND $2::bigint <> coalesce((SELECT v FROM {t}.grades_version), 0)
		UNION ALL
		SELECT 1, `+personColumns+`, '{}', g.legal FROM {t}.guardianships g JOIN {t}.people p ON p.id = g.pupil_id
		WHERE g.guardian_id = $1 AND p.active AND $2::bigint <> coalesce((SELECT v FROM {t}.grades_version), 0)
		ORDER BY kind, first_name`, id, unless).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var kind int
			var r Relative
			var classes []string
			targets, done := r.scanTargets()
			if err := rows.Scan(append(append([]any{&kind}, targets...), &classes, &r.Legal)...); err != nil {
				return err
			}
			done()
			if kind == 0 {
				found, out.Person = true, r.Person
				out.Classes = append(out.Classes, classes...) // "classes": [] when in none
			} else {
				out.Children = append(out.Children, r)
			}
		}
		return rows.Err()
	})
	if err := s.db.ReadBatch(ctx, t, b); err != nil {
		return nil, 0, fmt.Errorf("directory: me of %s: %w", personID, err)
	}
	if !found {
		return nil, version, nil
	}
	for _, r := range out.Person.Roles {
		out.Roles = append(out.Roles, string(r))
	}
	return out, version, nil
}

// personColumns are the columns of people (as p) that scanTargets reads, in its order: all
// but the source's attributes, which no answer shows.
const personColumns = `p.id, p.identity_id, p.aaf_id, p.category, p.roles, p.title, p.last_name, p.first_name,
	p.birth_date, p.login, p.email, p.mef, p.functions, p.active, p.deactivated_at, p.purge_after, p.source,
	p.created_at, p.updated_at`

// scanTargets are where a row of personColumns is scanned, and done fills p from them.
// Prepared statements answer in PostgreSQL's binary format: the roles (text[]) and the
// functions (jsonb) are read as pgx decodes them, not through the types' sql.Scanner,
// which reads the text format.
func (p *Person) scanTargets() (targets []any, done func()) {
	var roles, functions []string
	return []any{&p.ID, &p.IdentityID, &p.AAFID, &p.Category, &roles, &p.Title, &p.LastName, &p.FirstName,
			&p.BirthDate, &p.Login, &p.Email, &p.MEF, &functions, &p.Active, &p.DeactivatedAt, &p.PurgeAfter, &p.Source,
			&p.CreatedAt, &p.UpdatedAt}, func() {
			p.Roles = make(identity.Roles, len(roles))
			for i, r := range roles {
				p.Roles[i] = identity.Role(r)
			}
			p.Functions = functions
		}
}

// ImportRun is a past import.
type ImportRun struct {
	ID                  uuid.UUID
	At                  time.Time
	Actor               string
	Source              string
	Report              []byte
	CredentialsExpireAt *time.Time
	HasCredentials      bool
}

// ImportRuns lists the establishment's imports, newest first.
func (s *Service) ImportRuns(ctx context.Context, t *tenant.Tenant) ([]ImportRun, error) {
	var out []ImportRun
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id, at, actor, source, report::text AS report, credentials_expire_at,
			credentials IS NOT NULL AND credentials_expire_at > ? AS has_credentials FROM import_runs ORDER BY at DESC LIMIT 50`, s.now()).Scan(&out).Error
	})
	return out, err
}

// Credentials returns the first-login sheets of an import while they are kept.
func (s *Service) Credentials(ctx context.Context, t *tenant.Tenant, run uuid.UUID) ([]Credential, error) {
	var out []Credential
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var n int
		if err := tx.Raw(`SELECT count(*) FROM import_runs WHERE id = ?`, run).Scan(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fault.New(fault.ErrNotFound, "cet import n'existe pas")
		}
		var err error
		out, err = s.credentialsOfRun(tx, run)
		if err == nil && out == nil {
			return fault.New(fault.ErrNotFound, "les identifiants de cet import ont été effacés (ils sont gardés 30 jours) ou il n'a créé aucun compte ; émettez un code de récupération depuis la fiche de la personne")
		}
		return err
	})
	return out, err
}

// WriteCredentialsCSV writes the first-login sheets as a spreadsheet reads them: UTF-8 with a
// BOM, ";" separated, columns login;password;nom;prenom;profil;classe; formula-like cells
// (a name typed as "=…") are neutralised.
func WriteCredentialsCSV(w io.Writer, creds []Credential) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csvout.NewWriter(w, ';')
	if err := cw.Write([]string{"login", "password", "nom", "prenom", "profil", "classe"}); err != nil {
		return err
	}
	for _, c := range creds {
		if err := cw.Write([]string{c.Login, c.Password, c.LastName, c.FirstName, c.Category, c.Class}); err != nil {
			return err
		}
	}
	return cw.Flush()
}

func notFound(err error, msg string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fault.New(fault.ErrNotFound, "%s", msg)
	}
	return err
}
