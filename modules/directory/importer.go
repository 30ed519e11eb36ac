package directory

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/mail"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// File is one import file.
type File struct {
	Name string
	R    io.Reader
}

// ImportOptions tune an import.
type ImportOptions struct {
	DryRun bool   // report what would change, write nothing
	Actor  string // who imports, for the record
	// Scope is whose accounts the importer answers for. An AAF import attaches existing
	// accounts by national join key (a parent known in another establishment keeps one
	// login): it is a platform administrator's work, and it takes only the accounts whose
	// memberships all lie within their scope. Other imports (CSV, the person form) never
	// attach an account: every person they create gets a new one of the establishment's own.
	Scope identity.Scope
}

// Report is what an import did (or, dry, would do).
type Report struct {
	ID              uuid.UUID `json:"id,omitempty"`
	DryRun          bool      `json:"dry_run"`
	Source          string    `json:"source"`
	Files           []string  `json:"files"`
	Created         int       `json:"created"`
	Updated         int       `json:"updated"`
	Deleted         int       `json:"deleted"`
	Unchanged       int       `json:"unchanged"`
	AccountsCreated int       `json:"accounts_created"`
	Warnings        []string  `json:"warnings"`
	CredentialsURL  string    `json:"credentials_url,omitempty"`
}

// Credential is the first-login sheet of one new account.
type Credential struct {
	Login     string `json:"login"`
	Password  string `json:"password"`
	LastName  string `json:"last_name"`
	FirstName string `json:"first_name"`
	Category  string `json:"category"`
	Class     string `json:"class"`
}

// personSpec is a person as the import wants them to be.
type personSpec struct {
	key       string // AAF join key, or CSV identifier
	category  string
	roles     identity.Roles
	title     string
	last      string
	first     string
	birth     *time.Time
	email     string
	mef       string
	functions []string
	classes   []string
	groups    []string
	teachings []teachingSpec
	principal []string
	relations []aaf.Relation
	attrs     Attrs
	// pendingMods: a delta modifies someone known only from the directory; applied in plan.
	pendingMods []aaf.Modification
	origin      string // where the person comes from, for errors: "file.xml, ligne 12"
}

// MaxNameLength is the longest last or first name the directory keeps (characters), as the
// person form allows.
const MaxNameLength = 100

// nameProblem says what is wrong with the names and e-mail of sp, "" when they fit.
func nameProblem(sp *personSpec) string {
	for _, f := range []struct{ label, value string }{{"le nom (sn, nom)", sp.last}, {"le prénom (givenName, prenom)", sp.first}} {
		if n := utf8.RuneCountInString(f.value); n > MaxNameLength {
			return fmt.Sprintf("%s compte %d caractères, %d au plus", f.label, n, MaxNameLength)
		}
	}
	if sp.email != "" && !ValidEmail(sp.email) {
		return fmt.Sprintf("l'adresse électronique (mail, email) « %s » n'est pas valide (forme attendue : prenom.nom@exemple.fr, 200 caractères au plus)", sp.email)
	}
	return ""
}

// ValidEmail tells whether s is a bare e-mail address the identity server accepts: one
// address, no display name, at most 200 characters, a dot in the domain.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 200 {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

type teachingSpec struct {
	code, subject string
	label         string // the subject's name, when the source gives it
	group         bool
}

// plan is the difference between the import and the directory.
type plan struct {
	source   string
	create   []*personSpec
	update   []*personSpec
	remove   []string // keys to deactivate
	same     int
	existing map[string]*Person // by key
	arrived  []Arrival          // the pupils written as new people (writeDirectory)
	subjects map[string]string
	classes  map[string]bool // "classe|CODE" and "groupe|CODE"
	warnings []string
}

// ImportAAF imports AAF files (full or delta) into the establishment's directory and opens
// the accounts of new people. Nothing is written unless every file reads without error; the
// Kratos accounts created are deleted again if the database write fails. Only a platform
// administrator whose scope covers the establishment may run it (see ImportOptions.Scope).
func (s *Service) ImportAAF(ctx context.Context, t *tenant.Tenant, files []File, opt ImportOptions) (*Report, error) {
	if !opt.Scope.Platform() || !opt.Scope.Covers(t) {
		return nil, ErrAAFReserved
	}
	specs, removals, complete, err := readAAF(t, files)
	if err != nil {
		return nil, err
	}
	return s.apply(ctx, t, "aaf", files, specs, removals, complete, opt)
}

// apply plans and, unless dry, writes an import.
func (s *Service) apply(ctx context.Context, t *tenant.Tenant, source string, files []File, specs []*personSpec, removals []string, complete map[string]bool, opt ImportOptions) (*Report, error) {
	rep := &Report{DryRun: opt.DryRun, Source: source}
	for _, f := range files {
		rep.Files = append(rep.Files, f.Name)
	}
	if !opt.DryRun {
		// One change of the directory at a time per establishment, from plan to write: two
		// imports at once would each open accounts for the same new people. A second import
		// is told to wait; a person created by hand waits its turn.
		release, err := s.db.Lock(ctx, t, "directory-import", source == "manual")
		if errors.Is(err, tenant.ErrLocked) {
			return nil, fault.New(fault.ErrConflict, "un import de l'annuaire est déjà en cours dans cet établissement : attendez qu'il se termine (quelques minutes au plus), puis relancez le vôtre ; rien n'a été importé")
		}
		if err != nil {
			return nil, err
		}
		defer release()
	}
	var p *plan
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		p, err = s.plan(tx, source, specs, removals, complete)
		return err
	})
	if err != nil {
		return nil, err
	}
	rep.Created, rep.Updated, rep.Deleted, rep.Unchanged = len(p.create), len(p.update), len(p.remove), p.same
	rep.Warnings = append(rep.Warnings, p.warnings...)
	if rep.Warnings == nil {
		rep.Warnings = []string{}
	}
	if opt.DryRun {
		// Those already known within the importer's scope keep their account.
		err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
			return tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
				known, _, err := s.attachable(ptx, p, opt)
				rep.AccountsCreated = len(p.create) - len(known)
				return err
			})
		})
		return rep, err
	}
	return s.write(ctx, t, p, rep, opt)
}

// readAAF reads every file; any syntax error or foreign structure refuses the whole import.
func readAAF(t *tenant.Tenant, files []File) (specs []*personSpec, removals []string, complete map[string]bool, err error) {
	type pending struct {
		e    *aaf.Entry
		file string
	}
	var entries []pending
	structKeys := map[string]bool{}
	complete = map[string]bool{}
	for _, f := range files {
		r := aaf.NewReader(f.R, f.Name)
		full := strings.Contains(f.Name, "_Complet_")
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, nil, fault.Invalidf("files", "%v ; rien n'a été importé", err)
			}
			switch e.Category {
			case aaf.CategoryEtabEducNat:
				uai := e.First("ENTStructureUAI")
				if uai != "" && !strings.EqualFold(uai, string(t.UAI)) {
					return nil, nil, nil, fault.Invalidf("files", "%s, ligne %d : ce fichier concerne l'établissement %s, pas %s ; rien n'a été importé", f.Name, e.Line, uai, t.UAI)
				}
				structKeys[string(t.UAI)] = true
				if j := e.First("ENTStructureJointure"); j != "" {
					structKeys[j] = true
				}
				continue
			case aaf.CategoryEleve, aaf.CategoryPersRelEleve, aaf.CategoryPersEducNat:
				if full {
					complete[categoryOf(e.Category)] = true
				}
				entries = append(entries, pending{e, f.Name})
			default:
				return nil, nil, nil, fault.Invalidf("files", "%s, ligne %d : catégorie « %s » inconnue ; rien n'a été importé", f.Name, e.Line, e.Category)
			}
		}
	}
	// Fold the requests in order: the last word on a person wins.
	type state struct {
		cat     string
		attrs   Attrs
		mods    []aaf.Modification
		deleted bool
		file    string
		line    int
	}
	byKey := map[string]*state{}
	var order []string
	for _, pe := range entries {
		e := pe.e
		st, seen := byKey[e.ID]
		if !seen {
			st = &state{}
			byKey[e.ID] = st
			order = append(order, e.ID)
		}
		st.cat, st.file, st.line = categoryOf(e.Category), pe.file, e.Line
		switch e.Op {
		case aaf.OpAdd:
			st.attrs, st.mods, st.deleted = Attrs(cloneAttrs(e.Attrs)), nil, false
		case aaf.OpModify:
			if st.attrs == nil && !st.deleted {
				st.mods = append(st.mods, modsOf(e)...) // applied to the stored attributes later
			} else {
				applyMods(st.attrs, modsOf(e))
			}
		case aaf.OpDelete:
			st.attrs, st.mods, st.deleted = nil, nil, true
		}
	}
	for _, key := range order {
		st := byKey[key]
		if st.deleted {
			removals = append(removals, key)
			continue
		}
		sp, err := specFromAttrs(key, st.cat, st.attrs, structKeys)
		if err != nil {
			return nil, nil, nil, fault.Invalidf("files", "%s, ligne %d : %v ; rien n'a été importé", st.file, st.line, err)
		}
		sp.origin = fmt.Sprintf("%s, ligne %d", st.file, st.line)
		if st.attrs == nil {
			sp.attrs = nil // a modification of someone we only know from the directory
			sp.pendingMods = st.mods
		}
		specs = append(specs, sp)
	}
	return specs, removals, complete, nil
}

func categoryOf(c aaf.Category) string {
	switch c {
	case aaf.CategoryEleve:
		return CategoryEleve
	case aaf.CategoryPersRelEleve:
		return CategoryResponsable
	}
	return CategoryPersonnel
}

func cloneAttrs(a map[string][]string) map[string][]string {
	out := make(map[string][]string, len(a))
	for k, v := range a {
		out[k] = slices.Clone(v)
	}
	return out
}

// modsOf turns a modifyRequest into modifications (an <attributes> block replaces).
func modsOf(e *aaf.Entry) []aaf.Modification {
	var mods []aaf.Modification
	keys := make([]string, 0, len(e.Attrs))
	for k := range e.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		mods = append(mods, aaf.Modification{Attr: k, Operation: "replace", Values: e.Attrs[k]})
	}
	return append(mods, e.Mods...)
}

func applyMods(a Attrs, mods []aaf.Modification) {
	for _, m := range mods {
		switch m.Operation {
		case "add":
			for _, v := range m.Values {
				if !slices.Contains(a[m.Attr], v) {
					a[m.Attr] = append(a[m.Attr], v)
				}
			}
		case "delete":
			if len(m.Values) == 0 {
				delete(a, m.Attr)
				continue
			}
			a[m.Attr] = slices.DeleteFunc(a[m.Attr], func(v string) bool { return slices.Contains(m.Values, v) })
		default: // replace
			a[m.Attr] = slices.Clone(m.Values)
		}
	}
}

func first(a Attrs, name string) string {
	if v := a[name]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// specFromAttrs maps AAF attributes to a person. attrs may be nil for a pending
// modification: the spec then only carries its key and category.
func specFromAttrs(key, category string, attrs Attrs, structKeys map[string]bool) (*personSpec, error) {
	sp := &personSpec{key: key, category: category, attrs: attrs}
	if attrs == nil {
		return sp, nil
	}
	ours := func(structure string) bool { return len(structKeys) == 0 || structKeys[structure] }
	sp.last, sp.first, sp.title = first(attrs, "sn"), first(attrs, "givenName"), first(attrs, "personalTitle")
	if sp.last == "" {
		return nil, fmt.Errorf("la personne %s n'a pas de nom (attribut sn)", key)
	}
	if sp.first == "" {
		return nil, fmt.Errorf("la personne %s n'a pas de prénom (attribut givenName)", key)
	}
	if d := first(attrs, "ENTPersonDateNaissance"); d != "" {
		b, err := aaf.ParseBirthDate(d)
		if err != nil {
			return nil, fmt.Errorf("personne %s : %v", key, err)
		}
		sp.birth = &b
	}
	sp.email = first(attrs, "mail")
	switch category {
	case CategoryEleve:
		sp.roles = identity.Roles{identity.RoleEleve}
		sp.mef = first(attrs, "ENTEleveMEF")
		for _, r := range aaf.ParseClasses(attrs["ENTEleveClasses"]) {
			if ours(r.Structure) {
				sp.classes = append(sp.classes, r.Code)
			}
		}
		for _, r := range aaf.ParseClasses(attrs["ENTEleveGroupes"]) {
			if ours(r.Structure) {
				sp.groups = append(sp.groups, r.Code)
			}
		}
		for _, v := range attrs["ENTElevePersRelEleve"] {
			if rel, ok := aaf.ParseRelation(v); ok {
				sp.relations = append(sp.relations, rel)
			}
		}
	case CategoryResponsable:
		sp.roles = identity.Roles{identity.RoleResponsable}
	default:
		roles := map[identity.Role]bool{}
		disciplines := map[string]bool{}
		for _, v := range attrs["ENTPersonFonctions"] {
			f, ok := aaf.ParseFunction(v)
			if !ok || !ours(f.Structure) {
				continue
			}
			sp.functions = append(sp.functions, strings.TrimSpace(f.Label+" "+f.DisciplineLabel))
			if f.Code == "ENS" && f.DisciplineLabel != "" {
				disciplines[f.DisciplineLabel] = true
			}
			switch f.Code {
			case "ENS", "DOC":
				roles[identity.RoleEnseignant] = true
			case "EDU":
				roles[identity.RoleVieScolaire] = true
			case "DIR":
				roles[identity.RoleDirection] = true
			}
		}
		if first(attrs, "PersEducNatPresenceDevantEleves") == "O" {
			roles[identity.RoleEnseignant] = true
		}
		for _, attr := range []string{"ENTAuxEnsClassesMatieres", "ENTAuxEnsGroupesMatieres"} {
			for _, v := range attrs[attr] {
				if tr, ok := aaf.ParseTeaching(v); ok && ours(tr.Structure) {
					sp.teachings = append(sp.teachings, teachingSpec{code: tr.Code, subject: tr.Subject, group: attr == "ENTAuxEnsGroupesMatieres"})
					roles[identity.RoleEnseignant] = true
				}
			}
		}
		// AAF teaching values carry subject codes; a teacher of a single discipline names it.
		subjects := map[string]bool{}
		for _, tc := range sp.teachings {
			subjects[tc.subject] = true
		}
		if len(disciplines) == 1 && len(subjects) == 1 {
			for d := range disciplines {
				for i := range sp.teachings {
					sp.teachings[i].label = d
				}
			}
		}
		for _, r := range aaf.ParseClasses(attrs["ENTAuxEnsClassesPrincipal"]) {
			if ours(r.Structure) {
				sp.principal = append(sp.principal, r.Code)
			}
		}
		for _, r := range []identity.Role{identity.RoleEnseignant, identity.RoleVieScolaire, identity.RoleDirection} {
			if roles[r] {
				sp.roles = append(sp.roles, r)
			}
		}
		if len(sp.roles) == 0 {
			sp.roles = identity.Roles{identity.RolePersonnel}
		}
	}
	return sp, nil
}

// plan compares the import with the directory. It reads only.
func (s *Service) plan(tx *gorm.DB, source string, specs []*personSpec, removals []string, complete map[string]bool) (*plan, error) {
	p := &plan{source: source, existing: map[string]*Person{}, subjects: map[string]string{}, classes: map[string]bool{}}
	// A full export must be compared with everyone; otherwise only the people named (and
	// the guardians they point to) matter: adding one person by hand reads one row.
	q := tx.Where("aaf_id IS NOT NULL")
	if len(complete) == 0 {
		keys := append(keysOf(specs), removals...)
		for _, sp := range specs {
			for _, rel := range sp.relations {
				keys = append(keys, rel.RelativeID)
			}
		}
		if len(keys) == 0 {
			keys = []string{""}
		}
		q = tx.Where("aaf_id IN ?", keys)
	}
	var current []Person
	if err := q.Find(&current).Error; err != nil {
		return nil, fmt.Errorf("directory: read people: %w", err)
	}
	for i := range current {
		p.existing[*current[i].AAFID] = &current[i]
	}
	seen := map[string]bool{}
	for _, sp := range specs {
		seen[sp.key] = true
		cur := p.existing[sp.key]
		if sp.attrs == nil { // modification of a stored person
			if cur == nil || cur.SourceAttrs == nil {
				p.warnings = append(p.warnings, fmt.Sprintf("modification ignorée : personne %s inconnue de l'annuaire", sp.key))
				continue
			}
			attrs := Attrs(cloneAttrs(cur.SourceAttrs))
			applyMods(attrs, sp.pendingMods)
			full, err := specFromAttrs(sp.key, sp.category, attrs, nil)
			if err != nil {
				return nil, fault.Invalidf("files", "%v ; rien n'a été importé", err)
			}
			full.origin = sp.origin
			*sp = *full
		}
		if sp.email != "" && !ValidEmail(sp.email) && source == "aaf" {
			// The académie's files are not the establishment's to correct: the address is
			// left out, said in the report, and the person imported.
			p.warnings = append(p.warnings, fmt.Sprintf("%s : adresse électronique « %s » invalide, ignorée", sp.origin, sp.email))
			sp.email = ""
		}
		if msg := nameProblem(sp); msg != "" {
			return nil, fault.Invalidf("files", "%s : %s ; rien n'a été importé", sp.origin, msg)
		}
		switch {
		case cur == nil:
			p.create = append(p.create, sp)
		case cur.Active && sameAttrs(cur.SourceAttrs, sp.attrs) && cur.Source == source:
			p.same++
		default:
			p.update = append(p.update, sp)
		}
		for _, tch := range sp.teachings {
			if tch.label != "" || p.subjects[tch.subject] == "" {
				p.subjects[tch.subject] = cmp.Or(tch.label, tch.subject)
			}
		}
	}
	// Guardians named by modifications applied to stored attributes were not known above.
	var missing []string
	for _, sp := range specs {
		for _, rel := range sp.relations {
			if p.existing[rel.RelativeID] == nil {
				missing = append(missing, rel.RelativeID)
			}
		}
	}
	if len(missing) > 0 && len(complete) == 0 {
		var more []Person
		if err := tx.Where("aaf_id IN ?", missing).Find(&more).Error; err != nil {
			return nil, fmt.Errorf("directory: read guardians: %w", err)
		}
		for i := range more {
			p.existing[*more[i].AAFID] = &more[i]
		}
	}
	for _, key := range removals {
		if cur := p.existing[key]; cur != nil && cur.Active {
			p.remove = append(p.remove, key)
		}
		seen[key] = true
	}
	// A full export lists everyone of its categories: those missing have left.
	for key, cur := range p.existing {
		if !seen[key] && cur.Active && cur.Source == source && complete[cur.Category] {
			p.remove = append(p.remove, key)
		}
	}
	sort.Strings(p.remove)
	return p, nil
}

func sameAttrs(a, b Attrs) bool {
	ja, _ := json.Marshal(map[string][]string(a))
	jb, _ := json.Marshal(map[string][]string(b))
	return string(ja) == string(jb)
}

func keysOf(specs []*personSpec) []string {
	keys := make([]string, len(specs))
	for i, sp := range specs {
		keys[i] = sp.key
	}
	return keys
}

// newAccount is an account to open for a created person.
type newAccount struct {
	spec     *personSpec
	login    string
	password string
	hash     string
	joinKey  *string // recorded on the platform account: AAF imports only, when no account holds it yet
}

// ErrAAFReserved refuses an AAF import to anyone but a platform administrator of the
// establishment: AAF join keys are national, and an establishment could otherwise take an
// account of another one by naming its key.
var ErrAAFReserved = fault.New(fault.ErrForbidden, "Les fichiers AAF rattachent des comptes par leur identifiant national : "+
	"leur import est réservé aux administrateurs de la plateforme (régional, ou départemental pour les collèges de son département). "+
	"Pour ajouter des personnes à votre établissement, utilisez l'import CSV ou « Nouvelle personne » ; rien n'a été importé")

// attachable returns, by join key, the existing accounts an import may take for the people
// it creates, and every join key some account already holds. Only an AAF import attaches,
// and only accounts whose memberships all lie within the importer's scope; the others'
// people get a new account, as if the key were unknown, so that no report tells whether a
// key exists elsewhere.
func (s *Service) attachable(ptx *gorm.DB, p *plan, opt ImportOptions) (map[string]identity.Account, map[string]bool, error) {
	if p.source != "aaf" || !opt.Scope.Platform() || len(p.create) == 0 {
		return map[string]identity.Account{}, map[string]bool{}, nil
	}
	known, err := s.records.AccountsByAAF(ptx, keysOf(p.create))
	if err != nil {
		return nil, nil, err
	}
	ids := make([]uuid.UUID, 0, len(known))
	recorded := make(map[string]bool, len(known))
	for key, a := range known {
		ids = append(ids, a.IdentityID)
		recorded[key] = true
	}
	outside, err := s.records.OutsideScope(ptx, ids, opt.Scope)
	if err != nil {
		return nil, nil, err
	}
	for key, a := range known {
		if outside[a.IdentityID] {
			delete(known, key)
		}
	}
	return known, recorded, nil
}

// write applies a plan: accounts first (undone on failure), then one database transaction
// for the directory and the memberships, then deactivations in Kratos.
func (s *Service) write(ctx context.Context, t *tenant.Tenant, p *plan, rep *Report, opt ImportOptions) (*Report, error) {
	var (
		known   map[string]identity.Account
		opening []*newAccount
	)
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
			var recorded map[string]bool
			var err error
			if known, recorded, err = s.attachable(ptx, p, opt); err != nil {
				return err
			}
			for _, sp := range p.create {
				if _, ok := known[sp.key]; !ok {
					a := &newAccount{spec: sp}
					if key := sp.key; p.source == "aaf" && !recorded[key] {
						a.joinKey = &key
					}
					opening = append(opening, a)
				}
			}
			return s.chooseLogins(ptx, opening)
		})
	})
	if err != nil {
		return nil, err
	}
	// The run's id goes into the admin metadata of the identities it opens: a retry after a
	// crash recognises them.
	rep.ID = uuid.New()
	ids, err := s.createAccounts(ctx, t, rep.ID, opening)
	if err != nil {
		return nil, err
	}
	rep.AccountsCreated = len(opening)
	var deactivated []uuid.UUID
	err = s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var err error
		deactivated, err = s.writeDirectory(tx, t, p, known, opening, ids, rep, opt)
		return err
	})
	// People who come back (deactivated before, in the import again) get their account back,
	// when it lies within the importer's scope.
	var returning []uuid.UUID
	for _, sp := range p.update {
		if cur := p.existing[sp.key]; cur != nil && !cur.Active && cur.IdentityID != nil {
			returning = append(returning, *cur.IdentityID)
		}
	}
	if err != nil {
		if derr := s.accounts.DeleteAccounts(context.WithoutCancel(ctx), ids); derr != nil {
			s.log.Error("import failed and its accounts could not all be removed", "tenant", t.UAI, "err", derr)
		}
		var inv *fault.Invalid
		if errors.As(err, &inv) {
			return nil, err
		}
		return nil, fmt.Errorf("directory: import into %s: %w", t.UAI, err)
	}
	if s.arrivals != nil && len(p.arrived) > 0 {
		// The import has committed: whoever listens (the portfolio's transfer) is told which
		// pupils arrived; their failure does not undo the import.
		if err := s.arrivals(context.WithoutCancel(ctx), t, p.arrived); err != nil {
			s.log.Error("import: telling the pupils' arrival", "tenant", t.UAI, "err", err)
		}
	}
	for _, id := range deactivated {
		if err := s.accounts.SetActive(context.WithoutCancel(ctx), id, false); err != nil {
			s.log.Error("deactivate account", "identity", id, "err", err)
		}
	}
	// The import has committed: nothing below may undo it. A failure here is a warning.
	if len(returning) > 0 {
		serr := s.db.ReadTx(context.WithoutCancel(ctx), t, func(tx *gorm.DB) error {
			return tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
				var err error
				returning, err = s.withinScope(ptx, returning, opt.Scope)
				return err
			})
		})
		if serr != nil {
			s.log.Error("import: scope of the returning accounts", "tenant", t.UAI, "err", serr)
			rep.Warnings = append(rep.Warnings, "les comptes des personnes revenues n'ont pas pu être réactivés sur le serveur d'identité : réactivez-les depuis leur fiche")
			returning = nil
		}
	}
	for _, id := range returning {
		if err := s.accounts.SetActive(context.WithoutCancel(ctx), id, true); err != nil {
			s.log.Error("reactivate account", "identity", id, "err", err)
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("le compte %s n'a pas pu être réactivé sur le serveur d'identité : réactivez la personne depuis sa fiche", id))
		}
	}
	return rep, nil
}

// Arrival is a pupil an AAF import brought into an establishment as a new person: their
// people.id there, their national join key (ENTPersonJointure) and their account, when
// they have one (attached from another establishment, or opened by the import).
type Arrival struct {
	PersonID   uuid.UUID
	AAFID      string
	IdentityID *uuid.UUID
}

// Arrivals is told, after an AAF import committed, which pupils it added to t.
type Arrivals func(ctx context.Context, t *tenant.Tenant, pupils []Arrival) error

// SetArrivals makes every committed AAF import tell fn which pupils it added (cmd/cartable
// wires the portfolio's transfer).
func (s *Service) SetArrivals(fn Arrivals) { s.arrivals = fn }

// withinScope keeps the accounts whose every membership the scope covers.
func (s *Service) withinScope(ptx *gorm.DB, ids []uuid.UUID, sc identity.Scope) ([]uuid.UUID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	outside, err := s.records.OutsideScope(ptx, ids, sc)
	if err != nil {
		return nil, err
	}
	var in []uuid.UUID
	for _, id := range ids {
		if !outside[id] {
			in = append(in, id)
		}
	}
	return in, nil
}

// chooseLogins gives each new account a unique "first.last" login (digits appended when
// taken) and a random initial password.
func (s *Service) chooseLogins(ptx *gorm.DB, opening []*newAccount) error {
	bases := make([]string, len(opening))
	uniq := map[string]bool{}
	for i, a := range opening {
		bases[i] = LoginBase(a.spec.first, a.spec.last)
		uniq[bases[i]] = true
	}
	list := make([]string, 0, len(uniq))
	for b := range uniq {
		list = append(list, b)
	}
	taken, err := s.records.TakenLogins(ptx, list)
	if err != nil {
		return err
	}
	for i, a := range opening {
		login := bases[i]
		for n := 2; taken[login]; n++ {
			login = fmt.Sprintf("%s%d", bases[i], n)
		}
		taken[login] = true
		a.login, a.password = login, NewPassword()
	}
	return nil
}

// LoginBase is "first.last" in lower-case ASCII: "Zoé L'Hôte" → "zoe.l-hote".
func LoginBase(first, last string) string {
	f, l := tenant.Slugify(first), tenant.Slugify(last)
	base := strings.Trim(f+"."+l, ".")
	if len(base) > 40 {
		base = strings.TrimRight(base[:40], ".-")
	}
	if len(base) < 3 {
		base = "compte-" + base
	}
	return base
}

const passwordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no 0/o, 1/l/i: read from paper

// NewPassword returns a random initial password of 10 characters (~50 bits).
func NewPassword() string {
	b := make([]byte, 10)
	max := big.NewInt(int64(len(passwordAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = passwordAlphabet[n.Int64()]
	}
	return string(b)
}

// hashPasswords hashes the initial passwords on every core.
func (s *Service) hashPasswords(opening []*newAccount) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	jobs := make(chan *newAccount)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range jobs {
				h, err := bcrypt.GenerateFromPassword([]byte(a.password), s.InitialHashCost)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					continue
				}
				a.hash = string(h)
			}
		}()
	}
	for _, a := range opening {
		jobs <- a
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

// accountChunk is how many accounts are hashed, then sent to Kratos, at a time.
const accountChunk = 500

// createAccounts hashes the initial passwords and creates the accounts, chunk by chunk: the
// next chunk is hashed while Kratos stores the current one. On failure every account this
// call created is deleted again.
func (s *Service) createAccounts(ctx context.Context, t *tenant.Tenant, run uuid.UUID, opening []*newAccount) ([]uuid.UUID, error) {
	if len(opening) == 0 {
		return nil, nil
	}
	type hashed struct {
		chunk []*newAccount
		err   error
	}
	ready := make(chan hashed, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ready)
		for start := 0; start < len(opening); start += accountChunk {
			chunk := opening[start:min(start+accountChunk, len(opening))]
			select {
			case ready <- hashed{chunk, s.hashPasswords(chunk)}:
			case <-stop:
				return
			}
		}
	}()
	ids := make([]uuid.UUID, 0, len(opening))
	for h := range ready {
		err := h.err
		if err == nil {
			list := make([]identity.NewAccount, len(h.chunk))
			for i, a := range h.chunk {
				list[i] = identity.NewAccount{Login: a.login, FirstName: a.spec.first, LastName: a.spec.last, Email: a.spec.email, HashedPassword: a.hash,
					Origin: &identity.Origin{ImportRun: run, Tenant: t.ID, AAFID: a.spec.key}}
			}
			var got []uuid.UUID
			got, err = s.accounts.CreateAccounts(ctx, list)
			var taken *identity.TakenError
			if errors.As(err, &taken) {
				err = s.adoptOrRename(ctx, t, h.chunk, list, got, taken.Positions)
			}
			if err == nil {
				ids = append(ids, got...)
				continue
			}
			for _, id := range got { // what this chunk did create goes with the undo below
				if id != uuid.Nil {
					ids = append(ids, id)
				}
			}
		}
		if derr := s.accounts.DeleteAccounts(context.WithoutCancel(ctx), ids); derr != nil {
			s.log.Error("undo accounts of a failed import", "err", derr)
		}
		return nil, fault.Wrap(fault.ErrUnavailable, err, "les comptes n'ont pas pu être créés sur le serveur d'identité ; rien n'a été importé : réessayez dans quelques minutes")
	}
	return ids, nil
}

// writeDirectory writes people, classes, links, the import record and the memberships, in
// the caller's tenant transaction. It returns the identities to deactivate.
func (s *Service) writeDirectory(tx *gorm.DB, t *tenant.Tenant, p *plan, known map[string]identity.Account, opening []*newAccount, ids []uuid.UUID, rep *Report, opt ImportOptions) ([]uuid.UUID, error) {
	now := s.now().UTC()
	year, err := s.ensureSchoolYear(tx)
	if err != nil {
		return nil, err
	}
	identityOf := map[string]uuid.UUID{}
	loginOf := map[string]string{}
	for k, a := range known {
		identityOf[k], loginOf[k] = a.IdentityID, a.Login
	}
	newAccounts := make([]identity.Account, len(opening))
	for i, a := range opening {
		identityOf[a.spec.key], loginOf[a.spec.key] = ids[i], a.login
		newAccounts[i] = identity.Account{IdentityID: ids[i], Login: a.login, AAFID: a.joinKey}
	}

	// Subjects, classes and groups named by the import.
	for code, label := range p.subjects {
		if err := tx.Exec(`INSERT INTO subjects (code, label) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label
			WHERE subjects.label = subjects.code AND EXCLUDED.label <> EXCLUDED.code`, code, label).Error; err != nil {
			return nil, err
		}
	}
	classID, err := s.ensureClasses(tx, year, append(slices.Clone(p.create), p.update...))
	if err != nil {
		return nil, err
	}

	// People.
	personID := map[string]uuid.UUID{}
	for k, cur := range p.existing {
		personID[k] = cur.ID
	}
	var toCreate []Person
	for _, sp := range p.create {
		key := sp.key
		pr := personFromSpec(sp, p.source)
		pr.ID, pr.AAFID, pr.CreatedAt, pr.UpdatedAt = uuid.New(), &key, now, now
		if id, ok := identityOf[key]; ok {
			pr.IdentityID, pr.Login = &id, loginOf[key]
		}
		personID[key] = pr.ID
		toCreate = append(toCreate, pr)
	}
	if err := tx.CreateInBatches(toCreate, 500).Error; err != nil {
		return nil, fmt.Errorf("create people: %w", err)
	}
	p.arrived = p.arrived[:0]
	for _, pr := range toCreate {
		if pr.Category == CategoryEleve && p.source == "aaf" {
			p.arrived = append(p.arrived, Arrival{PersonID: pr.ID, AAFID: *pr.AAFID, IdentityID: pr.IdentityID})
		}
	}
	for _, sp := range p.update {
		pr := personFromSpec(sp, p.source)
		err := tx.Model(&Person{}).Where("id = ?", personID[sp.key]).Updates(map[string]any{
			"category": pr.Category, "roles": pr.Roles, "title": pr.Title, "last_name": pr.LastName, "first_name": pr.FirstName,
			"birth_date": pr.BirthDate, "email": pr.Email, "mef": pr.MEF, "functions": pr.Functions, "active": true,
			"deactivated_at": nil, "purge_after": nil, "source": p.source, "source_attrs": pr.SourceAttrs, "updated_at": now,
		}).Error
		if err != nil {
			return nil, fmt.Errorf("update person %s: %w", sp.key, err)
		}
	}
	var deactivated []uuid.UUID
	var leaving []identity.Membership
	purge := now.AddDate(0, 3, 0) // RGPD: kept three months after leaving, then purged
	for _, key := range p.remove {
		cur := p.existing[key]
		if err := tx.Model(&Person{}).Where("id = ?", cur.ID).Updates(map[string]any{
			"active": false, "deactivated_at": now, "purge_after": purge, "updated_at": now,
		}).Error; err != nil {
			return nil, err
		}
		if cur.IdentityID != nil {
			leaving = append(leaving, identity.Membership{IdentityID: *cur.IdentityID, TenantID: t.ID, PersonID: cur.ID, Roles: cur.Roles, Active: false})
		}
	}

	// Links of everyone created or updated: replaced as a whole.
	touched := append(slices.Clone(p.create), p.update...)
	if err := s.writeLinks(tx, touched, personID, classID, rep); err != nil {
		return nil, err
	}

	// Platform: accounts and memberships, in the same transaction.
	var ms []identity.Membership
	for _, sp := range touched {
		if id, ok := identityOf[sp.key]; ok {
			ms = append(ms, identity.Membership{IdentityID: id, TenantID: t.ID, PersonID: personID[sp.key], Roles: sp.roles, Active: true})
		} else if cur := p.existing[sp.key]; cur != nil && cur.IdentityID != nil {
			ms = append(ms, identity.Membership{IdentityID: *cur.IdentityID, TenantID: t.ID, PersonID: cur.ID, Roles: sp.roles, Active: true})
		}
	}
	err = tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
		if err := s.records.InsertAccounts(ptx, newAccounts); err != nil {
			return err
		}
		if err := s.records.UpsertMemberships(ptx, append(ms, leaving...)); err != nil {
			return err
		}
		var candidates []uuid.UUID
		for _, m := range leaving {
			elsewhere, err := s.records.ActiveElsewhere(ptx, m.IdentityID, t.ID)
			if err != nil {
				return err
			}
			if !elsewhere {
				candidates = append(candidates, m.IdentityID)
			}
		}
		// The account itself (its Kratos state) changes only within the importer's scope.
		deactivated, err = s.withinScope(ptx, candidates, opt.Scope)
		return err
	})
	if err != nil {
		return nil, err
	}

	// The record of the import, with the credentials of the new accounts.
	creds := credentialsOf(opening, touched)
	if rep.ID == uuid.Nil {
		rep.ID = uuid.New()
	}
	reportJSON, _ := json.Marshal(rep)
	files := rep.Files
	if files == nil {
		files = []string{} // a JSON array, never null: a JSON null would not restore from an export
	}
	filesJSON, _ := json.Marshal(files)
	var credJSON any
	var expire any
	if len(creds) > 0 {
		sealed, err := s.sealCredentials(rep.ID, creds)
		if err != nil {
			return nil, fmt.Errorf("seal credentials: %w", err)
		}
		credJSON, expire = sealed, now.AddDate(0, 0, 30)
	}
	err = tx.Exec(`INSERT INTO import_runs (id, at, actor, source, files, report, credentials, credentials_expire_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		rep.ID, now, opt.Actor, p.source, string(filesJSON), string(reportJSON), credJSON, expire).Error
	if err != nil {
		return nil, fmt.Errorf("record import: %w", err)
	}
	if err := s.scheduleJobs(tx, t, expire, len(p.remove) > 0, purge); err != nil {
		return nil, err
	}
	return deactivated, nil
}

func personFromSpec(sp *personSpec, source string) Person {
	pr := Person{Category: sp.category, Roles: sp.roles, Title: sp.title, LastName: sp.last, FirstName: sp.first,
		BirthDate: sp.birth, Functions: Strings(sp.functions), Active: true, Source: source, SourceAttrs: sp.attrs}
	if sp.email != "" {
		pr.Email = &sp.email
	}
	if sp.mef != "" {
		pr.MEF = &sp.mef
	}
	if pr.Functions == nil {
		pr.Functions = Strings{}
	}
	return pr
}

// ensureClasses creates the classes and groups named by specs and returns their ids by
// "classe|CODE" / "groupe|CODE".
func (s *Service) ensureClasses(tx *gorm.DB, year string, specs []*personSpec) (map[string]uuid.UUID, error) {
	want := map[string]bool{}
	for _, sp := range specs {
		for _, c := range sp.classes {
			want["classe|"+c] = true
		}
		for _, c := range sp.groups {
			want["groupe|"+c] = true
		}
		for _, c := range sp.principal {
			want["classe|"+c] = true
		}
		for _, tc := range sp.teachings {
			if tc.group {
				want["groupe|"+tc.code] = true
			} else {
				want["classe|"+tc.code] = true
			}
		}
	}
	for k := range want {
		kind, code, _ := strings.Cut(k, "|")
		if err := tx.Exec(`INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, ?, ?, ?, ?) ON CONFLICT (school_year, kind, code) DO NOTHING`,
			uuid.New(), kind, code, code, year).Error; err != nil {
			return nil, fmt.Errorf("create class %s: %w", code, err)
		}
	}
	var rows []Class
	if err := tx.Where("school_year = ?", year).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]uuid.UUID, len(rows))
	for _, c := range rows {
		out[c.Kind+"|"+c.Code] = c.ID
	}
	return out, nil
}

// writeLinks replaces the class memberships, teachings, principal-teacher and family links
// of the given people.
func (s *Service) writeLinks(tx *gorm.DB, specs []*personSpec, personID map[string]uuid.UUID, classID map[string]uuid.UUID, rep *Report) error {
	if len(specs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, 0, len(specs))
	for _, sp := range specs {
		ids = append(ids, personID[sp.key])
	}
	for _, q := range []string{
		`DELETE FROM class_members WHERE person_id IN ?`,
		`DELETE FROM teachings WHERE teacher_id IN ?`,
		`DELETE FROM principal_teachers WHERE teacher_id IN ?`,
		`DELETE FROM guardianships WHERE pupil_id IN ?`,
	} {
		for start := 0; start < len(ids); start += 5000 {
			if err := tx.Exec(q, ids[start:min(start+5000, len(ids))]).Error; err != nil {
				return err
			}
		}
	}
	type member struct{ ClassID, PersonID uuid.UUID }
	type teaching struct {
		TeacherID, ClassID uuid.UUID
		SubjectCode        string
	}
	type principal struct{ TeacherID, ClassID uuid.UUID }
	type guardianship struct {
		PupilID, GuardianID uuid.UUID
		Legal               bool
		Quality             int
	}
	var members []member
	var teachings []teaching
	var principals []principal
	var guards []guardianship
	seenM, seenT, seenG := map[member]bool{}, map[teaching]bool{}, map[[2]uuid.UUID]bool{}
	for _, sp := range specs {
		pid := personID[sp.key]
		add := func(kind, code string) {
			m := member{classID[kind+"|"+code], pid}
			if !seenM[m] {
				seenM[m] = true
				members = append(members, m)
			}
		}
		for _, c := range sp.classes {
			add("classe", c)
		}
		for _, c := range sp.groups {
			add("groupe", c)
		}
		for _, tc := range sp.teachings {
			kind := "classe"
			if tc.group {
				kind = "groupe"
			}
			tt := teaching{pid, classID[kind+"|"+tc.code], tc.subject}
			if !seenT[tt] {
				seenT[tt] = true
				teachings = append(teachings, tt)
			}
		}
		for _, c := range sp.principal {
			principals = append(principals, principal{pid, classID["classe|"+c]})
		}
		for _, rel := range sp.relations {
			gid, ok := personID[rel.RelativeID]
			if !ok {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("élève %s %s : responsable %s absent de l'annuaire, lien ignoré", sp.first, sp.last, rel.RelativeID))
				continue
			}
			k := [2]uuid.UUID{pid, gid}
			if !seenG[k] {
				seenG[k] = true
				guards = append(guards, guardianship{pid, gid, rel.Legal, rel.Quality})
			}
		}
	}
	if err := insertRows(tx, "class_members", members); err != nil {
		return err
	}
	if err := insertRows(tx, "teachings", teachings); err != nil {
		return err
	}
	if err := insertRows(tx, "principal_teachers", principals); err != nil {
		return err
	}
	return insertRows(tx, "guardianships", guards)
}

func insertRows[T any](tx *gorm.DB, table string, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Table(table).CreateInBatches(rows, 1000).Error; err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	return nil
}

// credentialsOf lists the first-login sheets, pupils by class then name.
func credentialsOf(opening []*newAccount, touched []*personSpec) []Credential {
	classOfPupil := map[string]string{}
	for _, sp := range touched {
		if sp.category == CategoryEleve && len(sp.classes) > 0 {
			classOfPupil[sp.key] = sp.classes[0]
		}
	}
	childrenClasses := map[string][]string{}
	for _, sp := range touched {
		for _, rel := range sp.relations {
			if c := classOfPupil[sp.key]; c != "" && !slices.Contains(childrenClasses[rel.RelativeID], c) {
				childrenClasses[rel.RelativeID] = append(childrenClasses[rel.RelativeID], c)
			}
		}
	}
	out := make([]Credential, 0, len(opening))
	for _, a := range opening {
		class := classOfPupil[a.spec.key]
		if a.spec.category == CategoryResponsable {
			class = strings.Join(childrenClasses[a.spec.key], ", ")
		}
		out = append(out, Credential{Login: a.login, Password: a.password, LastName: a.spec.last, FirstName: a.spec.first, Category: a.spec.category, Class: class})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Class != out[j].Class {
			return out[i].Class < out[j].Class
		}
		return out[i].LastName+out[i].FirstName < out[j].LastName+out[j].FirstName
	})
	return out
}
