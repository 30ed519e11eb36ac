package resources

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// The catalogue's writes (the région's console): publishers, tools and resources. Each
// write is checked whole first (FormErrors names every wrong field, in French), then done in
// one transaction; the snapshot is invalidated after it.

// FormErrors are a form's errors, by field name; empty when the form is right.
type FormErrors map[string]string

func (e FormErrors) Error() string {
	parts := make([]string, 0, len(e))
	for k, v := range e {
		parts = append(parts, k+" : "+v)
	}
	slices.Sort(parts)
	return "formulaire incorrect : " + strings.Join(parts, " ; ")
}

// Unwrap makes FormErrors an invalid request.
func (e FormErrors) Unwrap() error { return fault.ErrInvalid }

func (e FormErrors) orNil() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// MaxCover is the largest cover image (500 Ko), as the schema allows.
const MaxCover = 500 * 1024

// coverTypes are the cover images accepted.
var coverTypes = []string{"image/png", "image/jpeg", "image/webp"}

// checkURL checks a web address: https, or http for localhost and 127.0.0.1 (development
// and tests). "" is "" when optional.
func checkURL(errs FormErrors, field, label, raw string, required bool) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if required {
			errs[field] = label + " est obligatoire."
		}
		return ""
	}
	if msg := urlProblem(raw); msg != "" {
		errs[field] = label + " : " + msg
	}
	return raw
}

func urlProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "« " + raw + " » n'est pas une adresse web complète (attendu : https://…)."
	}
	if len(raw) > 2000 {
		return "l'adresse dépasse 2000 caractères."
	}
	if u.Scheme == "http" {
		h := u.Hostname()
		if h != "localhost" && h != "127.0.0.1" && !(net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback()) {
			return "« " + raw + " » doit commencer par https:// (http n'est accepté que pour localhost)."
		}
	}
	if u.User != nil {
		return "l'adresse ne doit pas contenir d'identifiant ni de mot de passe."
	}
	return ""
}

// lines splits a text area into its non-empty lines (or comma-separated items).
func lines(s string, commas bool) []string {
	f := func(r rune) bool { return r == '\n' || r == '\r' || (commas && r == ',') }
	var out []string
	for _, p := range strings.FieldsFunc(s, f) {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func checkText(errs FormErrors, field, label, v string, min, max int) string {
	v = strings.TrimSpace(v)
	n := utf8.RuneCountInString(v)
	switch {
	case n < min && min > 0:
		errs[field] = label + " est obligatoire."
	case n > max:
		errs[field] = fmt.Sprintf("%s : %d caractères au plus (%d saisis).", label, max, n)
	}
	return v
}

func uniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// PublisherForm is a publisher as the console's form gives it.
type PublisherForm struct {
	Name    string
	Website string
}

// SavePublisher creates a publisher (id Nil) or changes one; it returns its id.
func (c *Catalogue) SavePublisher(ctx context.Context, id uuid.UUID, f PublisherForm) (uuid.UUID, error) {
	errs := FormErrors{}
	p := Publisher{ID: id, Name: checkText(errs, "nom", "Le nom de l'éditeur", f.Name, 1, 200),
		Website: checkURL(errs, "site", "Le site web", f.Website, false)}
	if err := errs.orNil(); err != nil {
		return uuid.Nil, err
	}
	err := c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if id == uuid.Nil {
			p.ID = uuid.New()
			return tx.Exec(`INSERT INTO platform.resource_publishers (id, name, website) VALUES (?, ?, ?)`, p.ID, p.Name, p.Website).Error
		}
		res := tx.Exec(`UPDATE platform.resource_publishers SET name = ?, website = ? WHERE id = ?`, p.Name, p.Website, id)
		if res.Error == nil && res.RowsAffected == 0 {
			return errCatalogueNotFound
		}
		return res.Error
	})
	if uniqueViolation(err) {
		return uuid.Nil, FormErrors{"nom": "Un éditeur porte déjà le nom « " + p.Name + " »."}
	}
	if err != nil {
		return uuid.Nil, c.writeErr(err, "publisher")
	}
	c.Invalidate()
	return p.ID, nil
}

var errCatalogueNotFound = fault.New(fault.ErrNotFound, "cet élément n'est pas dans le catalogue")

func (c *Catalogue) writeErr(err error, what string) error {
	if errors.Is(err, fault.ErrNotFound) || errors.Is(err, fault.ErrInvalid) {
		return err
	}
	return fmt.Errorf("resources: save %s: %w", what, err)
}

// ToolForm is a tool as the console's form gives it. RedirectURLs and DeploymentIDs are
// one per line.
type ToolForm struct {
	PublisherID   string
	Name          string
	Kind          string
	LoginURL      string
	LaunchURL     string
	RedirectURLs  string
	JWKSURL       string
	PublicKey     string
	DeploymentIDs string
	Scores        bool
}

// checkPublicKey parses a tool's public key (PEM) with jwx: "" when right, else the problem.
func checkPublicKey(pem string) string {
	k, err := jwk.ParseKey([]byte(pem), jwk.WithPEM(true))
	if err != nil {
		return "la clé publique n'a pas pu être lue : collez une clé publique au format PEM complète, de « -----BEGIN PUBLIC KEY----- » à « -----END PUBLIC KEY----- »."
	}
	if priv, err := jwk.IsPrivateKey(k); err == nil && priv {
		return "c'est une clé privée : collez la clé publique de l'outil (ne transmettez jamais la clé privée)."
	}
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b)
}

// SaveTool creates a tool (id Nil: its client id, a first deployment id when none is given
// and its pseudonym salt are made here) or changes one (the kind, client id and salt stay).
func (c *Catalogue) SaveTool(ctx context.Context, id uuid.UUID, f ToolForm) (uuid.UUID, error) {
	errs := FormErrors{}
	db := c.db.WithContext(ctx)
	var old *Tool
	if id != uuid.Nil {
		var t Tool
		if err := db.Where("id = ?", id).Take(&t).Error; err != nil {
			if isNotFound(err) {
				return uuid.Nil, errCatalogueNotFound
			}
			return uuid.Nil, fmt.Errorf("resources: read tool: %w", err)
		}
		old = &t
		f.Kind = t.Kind
	}
	t := Tool{ID: id, Name: checkText(errs, "nom", "Le nom de l'outil", f.Name, 1, 200), Kind: f.Kind}
	pub, err := uuid.Parse(f.PublisherID)
	if err != nil {
		errs["editeur"] = "Choisissez l'éditeur de l'outil."
	} else {
		var n int64
		if err := db.Table("platform.resource_publishers").Where("id = ?", pub).Count(&n).Error; err != nil {
			return uuid.Nil, fmt.Errorf("resources: read publisher: %w", err)
		}
		if n == 0 {
			errs["editeur"] = "Cet éditeur n'existe pas (plus) : choisissez-en un de la liste."
		}
		t.PublisherID = pub
	}
	if old != nil && old.PublisherID != t.PublisherID {
		var n int64
		if err := db.Table("platform.resources").Where("tool_id = ?", id).Count(&n).Error; err != nil {
			return uuid.Nil, fmt.Errorf("resources: read resources: %w", err)
		}
		if n > 0 {
			errs["editeur"] = fmt.Sprintf("L'outil sert déjà %d ressource(s) de son éditeur : il ne peut pas changer d'éditeur.", n)
		}
	}
	switch f.Kind {
	case ToolLink:
	case ToolLTI:
		t.LoginURL = checkURL(errs, "connexion", "L'adresse d'initiation de connexion (OIDC)", f.LoginURL, true)
		t.LaunchURL = checkURL(errs, "lancement", "L'adresse de lancement", f.LaunchURL, true)
		for _, u := range lines(f.RedirectURLs, false) {
			if msg := urlProblem(u); msg != "" {
				errs["redirections"] = "Une adresse de redirection : " + msg
				break
			}
			t.RedirectURLs = append(t.RedirectURLs, u)
		}
		t.JWKSURL = checkURL(errs, "jwks", "L'adresse JWKS", f.JWKSURL, false)
		t.PublicKey = strings.TrimSpace(f.PublicKey)
		if t.PublicKey != "" {
			if msg := checkPublicKey(t.PublicKey); msg != "" {
				errs["cle"] = "Clé publique : " + msg
			}
		}
		if t.JWKSURL == "" && t.PublicKey == "" && errs["jwks"] == "" {
			errs["jwks"] = "Donnez l'adresse JWKS de l'outil ou, à défaut, sa clé publique (PEM)."
		}
		t.DeploymentIDs = lines(f.DeploymentIDs, false)
		for _, d := range t.DeploymentIDs {
			if utf8.RuneCountInString(d) > 200 {
				errs["deploiements"] = "Un identifiant de déploiement dépasse 200 caractères."
			}
		}
		if len(t.DeploymentIDs) == 0 {
			if old != nil {
				errs["deploiements"] = "Gardez au moins un identifiant de déploiement : les abonnements des établissements en utilisent un."
			} else {
				t.DeploymentIDs = Strings{randomHex(8)}
			}
		}
		t.Scores = f.Scores
	default:
		errs["type"] = "Choisissez le type de l'outil : LTI 1.3 ou lien simple."
	}
	if err := errs.orNil(); err != nil {
		return uuid.Nil, err
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if old == nil {
			t.ID = uuid.New()
			salt := make([]byte, 32)
			if _, err := rand.Read(salt); err != nil {
				return err
			}
			var client *string
			if t.Kind == ToolLTI {
				s := randomHex(16)
				client = &s
			}
			return tx.Exec(`INSERT INTO platform.resource_tools (id, publisher_id, name, kind, client_id, login_url, launch_url,
				redirect_urls, jwks_url, public_key, deployment_ids, scores, pseudonym_salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				t.ID, t.PublisherID, t.Name, t.Kind, client, t.LoginURL, t.LaunchURL, Strings(t.RedirectURLs), t.JWKSURL, t.PublicKey,
				Strings(t.DeploymentIDs), t.Scores, salt).Error
		}
		return tx.Exec(`UPDATE platform.resource_tools SET publisher_id = ?, name = ?, login_url = ?, launch_url = ?, redirect_urls = ?,
			jwks_url = ?, public_key = ?, deployment_ids = ?, scores = ?, updated_at = now() WHERE id = ?`,
			t.PublisherID, t.Name, t.LoginURL, t.LaunchURL, Strings(t.RedirectURLs), t.JWKSURL, t.PublicKey, Strings(t.DeploymentIDs), t.Scores, id).Error
	})
	if err != nil {
		return uuid.Nil, c.writeErr(err, "tool")
	}
	c.Invalidate()
	return t.ID, nil
}

// ResourceForm is a resource as the console's form gives it. Subjects and levels are
// separated by commas or lines. Cover is the uploaded image (nil: unchanged), checked here.
type ResourceForm struct {
	ToolID      string
	Title       string
	Type        string
	Subjects    string
	Levels      string
	Description string
	TargetURL   string
	Cover       []byte
	CoverSize   int64 // the upload's size, as the request said (the body may be cut at MaxCover+1)
	RemoveCover bool
}

// checkCover checks an uploaded cover: its size and its sniffed type.
func checkCover(errs FormErrors, data []byte, size int64) string {
	if size > MaxCover || len(data) > MaxCover {
		errs["couverture"] = fmt.Sprintf("L'image de couverture pèse %s : 500 Ko au plus.", fault.ByteSize(max(size, int64(len(data)))))
		return ""
	}
	if len(data) == 0 {
		errs["couverture"] = "Le fichier de couverture est vide."
		return ""
	}
	m := mimetype.Detect(data)
	for _, t := range coverTypes {
		if m.Is(t) {
			return t
		}
	}
	errs["couverture"] = "Le fichier de couverture n'est pas une image PNG, JPEG ou WebP (type reconnu : " + m.String() + ")."
	return ""
}

// SaveResource creates a resource (id Nil) or changes one; its publisher is its tool's.
func (c *Catalogue) SaveResource(ctx context.Context, id uuid.UUID, f ResourceForm) (uuid.UUID, error) {
	errs := FormErrors{}
	db := c.db.WithContext(ctx)
	if id != uuid.Nil {
		var n int64
		if err := db.Table("platform.resources").Where("id = ?", id).Count(&n).Error; err != nil {
			return uuid.Nil, fmt.Errorf("resources: read resource: %w", err)
		}
		if n == 0 {
			return uuid.Nil, errCatalogueNotFound
		}
	}
	r := Resource{ID: id, Title: checkText(errs, "titre", "Le titre", f.Title, 1, 300), Type: f.Type,
		Description: checkText(errs, "description", "La description", f.Description, 0, 4000),
		Subjects:    lines(f.Subjects, true), Levels: lines(f.Levels, true)}
	if TypeLabel(f.Type) == f.Type {
		errs["type_ressource"] = "Choisissez le type de la ressource dans la liste."
	}
	for _, s := range append(slices.Clone(r.Subjects), r.Levels...) {
		if utf8.RuneCountInString(s) > 100 {
			errs["matieres"] = "Une matière ou un niveau dépasse 100 caractères."
		}
	}
	var tool Tool
	if tid, err := uuid.Parse(f.ToolID); err != nil {
		errs["outil"] = "Choisissez l'outil qui ouvre la ressource."
	} else if err := db.Where("id = ?", tid).Take(&tool).Error; err != nil {
		if !isNotFound(err) {
			return uuid.Nil, fmt.Errorf("resources: read tool: %w", err)
		}
		errs["outil"] = "Cet outil n'existe pas (plus) : choisissez-en un de la liste."
	}
	r.ToolID, r.PublisherID = tool.ID, tool.PublisherID
	r.TargetURL = checkURL(errs, "adresse", "L'adresse de la ressource", f.TargetURL, tool.Kind == ToolLink)
	if f.Cover != nil || f.CoverSize > 0 {
		r.CoverType = checkCover(errs, f.Cover, f.CoverSize)
		r.Cover = f.Cover
	}
	if err := errs.orNil(); err != nil {
		return uuid.Nil, err
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		if id == uuid.Nil {
			r.ID = uuid.New()
			var cover any
			if r.CoverType != "" {
				cover = r.Cover
			}
			return tx.Exec(`INSERT INTO platform.resources (id, publisher_id, tool_id, title, type, subjects, levels, description, target_url, cover, cover_type)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.PublisherID, r.ToolID, r.Title, r.Type, r.Subjects, r.Levels, r.Description, r.TargetURL, cover, r.CoverType).Error
		}
		if err := tx.Exec(`UPDATE platform.resources SET publisher_id = ?, tool_id = ?, title = ?, type = ?, subjects = ?, levels = ?, description = ?,
			target_url = ?, updated_at = now() WHERE id = ?`, r.PublisherID, r.ToolID, r.Title, r.Type, r.Subjects, r.Levels, r.Description, r.TargetURL, id).Error; err != nil {
			return err
		}
		switch {
		case r.CoverType != "":
			return tx.Exec(`UPDATE platform.resources SET cover = ?, cover_type = ? WHERE id = ?`, r.Cover, r.CoverType, id).Error
		case f.RemoveCover:
			return tx.Exec(`UPDATE platform.resources SET cover = NULL, cover_type = '' WHERE id = ?`, id).Error
		}
		return nil
	})
	if uniqueViolation(err) {
		return uuid.Nil, FormErrors{"titre": "Cet éditeur a déjà une ressource intitulée « " + r.Title + " »."}
	}
	if err != nil {
		return uuid.Nil, c.writeErr(err, "resource")
	}
	c.Invalidate()
	return r.ID, nil
}

// SetActive withdraws a resource from the catalogue (no new subscription, no launch) or
// puts it back.
func (c *Catalogue) SetActive(ctx context.Context, id uuid.UUID, active bool) error {
	res := c.db.WithContext(ctx).Exec(`UPDATE platform.resources SET active = ?, updated_at = now() WHERE id = ?`, active, id)
	if res.Error != nil {
		return fmt.Errorf("resources: withdraw resource: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return errCatalogueNotFound
	}
	c.Invalidate()
	return nil
}

// sortBy sorts s by key.
func sortBy[T any](s []T, key func(T) string) {
	slices.SortStableFunc(s, func(a, b T) int { return strings.Compare(key(a), key(b)) })
}
