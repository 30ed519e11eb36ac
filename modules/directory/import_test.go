package directory_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

// export is a generated export read back, to know what users should see.
type export struct {
	pupils, parents, staff []*aaf.Entry
	byID                   map[string]*aaf.Entry
}

func parseExport(t testing.TB, l *lycee) *export {
	t.Helper()
	ex := &export{byID: map[string]*aaf.Entry{}}
	for _, e := range l.entries(t) {
		switch e.Category {
		case aaf.CategoryEleve:
			ex.pupils = append(ex.pupils, e)
		case aaf.CategoryPersRelEleve:
			ex.parents = append(ex.parents, e)
		case aaf.CategoryPersEducNat:
			ex.staff = append(ex.staff, e)
		default:
			continue
		}
		ex.byID[e.ID] = e
	}
	return ex
}

// classOf is the class code of a pupil entry.
func classOf(e *aaf.Entry) string {
	refs := aaf.ParseClasses(e.Attrs["ENTEleveClasses"])
	if len(refs) == 0 {
		return ""
	}
	return refs[0].Code
}

// relationsOf maps a pupil's relatives to "legal guardian or not".
func relationsOf(e *aaf.Entry) map[string]bool {
	out := map[string]bool{}
	for _, v := range e.Attrs["ENTElevePersRelEleve"] {
		if r, ok := aaf.ParseRelation(v); ok {
			out[r.RelativeID] = r.Legal
		}
	}
	return out
}

func parentsOnCard(c *directory.Card) map[string]bool {
	out := map[string]bool{}
	for _, r := range c.Parents {
		out[*r.AAFID] = r.Legal
	}
	return out
}

func classCodes(c *directory.Card, kind string) []string {
	var out []string
	for _, cl := range c.Classes {
		if cl.Kind == kind {
			out = append(out, cl.Code)
		}
	}
	sort.Strings(out)
	return out
}

func anyLegal(relations map[string]bool) bool {
	for _, legal := range relations {
		if legal {
			return true
		}
	}
	return false
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func wantCounts(t testing.TB, rep *directory.Report, created, updated, deleted, unchanged, accounts int) {
	t.Helper()
	got := [5]int{rep.Created, rep.Updated, rep.Deleted, rep.Unchanged, rep.AccountsCreated}
	want := [5]int{created, updated, deleted, unchanged, accounts}
	if got != want {
		t.Errorf("report created/updated/deleted/unchanged/accounts_created = %v, want %v (warnings %v)", got, want, rep.Warnings)
	}
}

// TestImportAAFLycee imports a generated lycée, imports it again, then applies its delta,
// and checks what administrators, pupils and parents see after each step.
func TestImportAAFLycee(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.svc.InitialHashCost = f.productionCost // pupils sign in with the hashes the service makes by default
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	opts := aaf.GenOptions{UAI: "0330021U", Pupils: 60, Parents: 90, Staff: 12, Seed: 7}
	full := generate(t, opts)
	ex := parseExport(t, full)
	total := len(ex.pupils) + len(ex.parents) + len(ex.staff)
	if len(ex.pupils) != 60 || len(ex.parents) != 90 || len(ex.staff) != 12 {
		t.Fatalf("generated %d pupils, %d parents, %d staff", len(ex.pupils), len(ex.parents), len(ex.staff))
	}
	creds := map[string]directory.Credential{} // by login
	var people map[string]directory.Person

	ok := t.Run("full import", func(t *testing.T) {
		rep, err := f.svc.ImportAAF(ctx, tn, full.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		wantCounts(t, rep, total, 0, 0, 0, total)
		if len(rep.Warnings) != 0 {
			t.Errorf("warnings: %v", rep.Warnings)
		}
		if rep.DryRun || rep.Source != "aaf" || !slices.Equal(rep.Files, full.names) || rep.ID == uuid.Nil {
			t.Errorf("report = %+v", rep)
		}
		people = f.people(t, tn)
		if len(people) != total {
			t.Fatalf("%d people in the directory, want %d", len(people), total)
		}

		// Credentials: one sheet per new account, matching the person's login.
		list, err := f.svc.Credentials(ctx, tn, rep.ID)
		if err != nil {
			t.Fatalf("credentials: %v", err)
		}
		if len(list) != total {
			t.Errorf("%d credentials, want %d", len(list), total)
		}
		for _, c := range list {
			if c.Login == "" || len(c.Password) != 10 {
				t.Errorf("credential %+v: empty login or password", c)
			}
			if _, dup := creds[c.Login]; dup {
				t.Errorf("login %s issued twice", c.Login)
			}
			creds[c.Login] = c
		}
		for key, p := range people {
			c, ok := creds[p.Login]
			if !ok || p.IdentityID == nil || !p.Active {
				t.Errorf("%s (%s): login %q, identity %v, active %v, no credential", p.FullName(), key, p.Login, p.IdentityID, p.Active)
				continue
			}
			if c.FirstName != p.FirstName || c.LastName != p.LastName || c.Category != p.Category {
				t.Errorf("credential %+v is not %s's", c, p.FullName())
			}
			if e := ex.byID[key]; e.Category == aaf.CategoryEleve && c.Class != classOf(e) {
				t.Errorf("credential of pupil %s: class %q, want %q", p.FullName(), c.Class, classOf(e))
			}
		}
		if n := f.platformCount(t, `SELECT count(*) FROM platform.accounts`); n != total {
			t.Errorf("%d platform accounts, want %d", n, total)
		}
		if n := f.platformCount(t, `SELECT count(*) FROM platform.memberships WHERE tenant_id = ? AND active`, tn.ID); n != total {
			t.Errorf("%d active memberships, want %d", n, total)
		}

		// Classes and their headcounts.
		wantPupils := map[string]int{}
		for _, e := range ex.pupils {
			wantPupils[classOf(e)]++
		}
		classes, err := f.svc.Classes(ctx, tn)
		if err != nil {
			t.Fatal(err)
		}
		gotPupils := map[string]int{}
		groups := 0
		for _, c := range classes {
			if c.Kind == "classe" {
				gotPupils[c.Code] = c.Pupils
			} else {
				groups++
			}
		}
		if fmt.Sprint(gotPupils) != fmt.Sprint(wantPupils) {
			t.Errorf("classes and headcounts = %v, want %v", gotPupils, wantPupils)
		}
		if groups == 0 {
			t.Error("no group created")
		}

		// A class lists its pupils and teachers, with its professeur principal.
		code := classOf(ex.pupils[0])
		view, err := f.svc.ClassDetail(ctx, tn, f.classByCode(t, tn, "classe", code))
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Pupils) != wantPupils[code] {
			t.Errorf("class %s lists %d pupils, want %d", code, len(view.Pupils), wantPupils[code])
		}
		for _, p := range view.Pupils {
			if e := ex.byID[*p.AAFID]; e.Category != aaf.CategoryEleve || classOf(e) != code {
				t.Errorf("class %s lists %s", code, p.FullName())
			}
		}
		wantTeachers, wantPrincipal := map[string]bool{}, ""
		for _, e := range ex.staff {
			for _, v := range e.Attrs["ENTAuxEnsClassesMatieres"] {
				if tr, ok := aaf.ParseTeaching(v); ok && tr.Code == code {
					wantTeachers[e.ID] = true
				}
			}
			for _, r := range aaf.ParseClasses(e.Attrs["ENTAuxEnsClassesPrincipal"]) {
				if r.Code == code {
					wantPrincipal = e.ID
				}
			}
		}
		gotTeachers, gotPrincipal := map[string]bool{}, map[string]bool{}
		for _, tc := range view.Teachers {
			gotTeachers[*tc.AAFID] = true
			if tc.Principal {
				gotPrincipal[*tc.AAFID] = true
			}
			if tc.Subject == "" {
				t.Errorf("teacher %s of %s without subject", tc.FullName(), code)
			}
		}
		if len(wantTeachers) == 0 || !sameSet(gotTeachers, wantTeachers) {
			t.Errorf("class %s: teachers %v, want %v", code, gotTeachers, wantTeachers)
		}
		if wantPrincipal == "" || !sameSet(gotPrincipal, map[string]bool{wantPrincipal: true}) {
			t.Errorf("class %s: professeur principal %v, want %s", code, gotPrincipal, wantPrincipal)
		}

		// Pupils have their legal guardians; siblings share a parent.
		children := map[string][]string{}
		for _, e := range ex.pupils {
			want := relationsOf(e)
			card := f.card(t, tn, people[e.ID].ID)
			if got := parentsOnCard(card); !sameSet(got, want) {
				t.Errorf("pupil %s: parents %v, want %v", e.ID, got, want)
			}
			if !anyLegal(want) {
				t.Errorf("pupil %s has no legal guardian in the export", e.ID)
			}
			if got := classCodes(card, "classe"); !slices.Equal(got, []string{classOf(e)}) {
				t.Errorf("pupil %s: classes %v, want %s", e.ID, got, classOf(e))
			}
			if len(classCodes(card, "groupe")) == 0 {
				t.Errorf("pupil %s is in no group", e.ID)
			}
			for id := range want {
				children[id] = append(children[id], e.ID)
			}
		}
		siblings := 0
		for parent, kids := range children {
			if len(kids) < 2 {
				continue
			}
			siblings++
			card := f.card(t, tn, people[parent].ID)
			var got []string
			for _, c := range card.Children {
				got = append(got, *c.AAFID)
			}
			sort.Strings(got)
			sort.Strings(kids)
			if !slices.Equal(got, kids) {
				t.Errorf("parent %s: children %v, want %v", parent, got, kids)
			}
		}
		if siblings == 0 {
			t.Error("no parent with two children in the generated lycée")
		}

		// A teacher's card lists what they teach.
		for _, e := range ex.staff {
			if len(e.Attrs["ENTAuxEnsClassesMatieres"]) > 0 {
				card := f.card(t, tn, people[e.ID].ID)
				if len(card.Teaches) == 0 || !slices.Contains(card.Person.Roles, identity.RoleEnseignant) {
					t.Errorf("teacher %s: teaches %v, roles %v", e.ID, card.Teaches, card.Person.Roles)
				}
				break
			}
		}

		// A pupil signs in with the sheet and enters the lycée.
		pupil := people[ex.pupils[0].ID]
		c := creds[pupil.Login]
		token, err := f.env.TryLogin(c.Login, c.Password)
		if err != nil || token == "" {
			t.Fatalf("pupil %s cannot sign in: %v", c.Login, err)
		}
		s, err := f.env.Kratos.Check(ctx, "", token)
		if err != nil || s.IdentityID != *pupil.IdentityID || s.Login != c.Login {
			t.Fatalf("session = %+v, %v; want identity %s", s, err, pupil.IdentityID)
		}
		est, err := identity.NewStore(f.reg.Platform()).Establishments(ctx, s.IdentityID)
		if err != nil || len(est) != 1 || est[0].UAI != tn.UAI || !slices.Equal(est[0].Roles, identity.Roles{identity.RoleEleve}) {
			t.Errorf("establishments of the pupil = %+v, %v", est, err)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("same files again change nothing", func(t *testing.T) {
		before := f.identities(t)
		accounts := f.platformCount(t, `SELECT count(*) FROM platform.accounts`)
		rep, err := f.svc.ImportAAF(ctx, tn, full.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		wantCounts(t, rep, 0, 0, 0, total, 0)
		if n := f.platformCount(t, `SELECT count(*) FROM platform.accounts`); n != accounts {
			t.Errorf("%d platform accounts after re-import, want %d", n, accounts)
		}
		if got := newIdentities(before, f.identities(t), bases(full.entries(t))); len(got) != 0 {
			t.Errorf("re-import opened identities %v", got)
		}
		if _, err := f.svc.Credentials(ctx, tn, rep.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("credentials of a run that opened no account: %v, want not found", err)
		}
		again := f.people(t, tn)
		for key, p := range people {
			q := again[key]
			if !q.Active || q.Login != p.Login || *q.IdentityID != *p.IdentityID || !q.UpdatedAt.Equal(p.UpdatedAt) {
				t.Errorf("%s changed: %+v → %+v", key, p, q)
			}
		}
		// The passwords handed out the first time still work.
		for _, e := range []*aaf.Entry{ex.pupils[1], ex.parents[0], ex.staff[0]} {
			c := creds[people[e.ID].Login]
			if _, err := f.env.TryLogin(c.Login, c.Password); err != nil {
				t.Errorf("%s cannot sign in after the re-import: %v", c.Login, err)
			}
		}
	})
	if !ok {
		return
	}

	var dels, adds []*aaf.Entry
	moves := map[string]string{} // pupil → new class
	ok = t.Run("delta", func(t *testing.T) {
		dopts := opts
		dopts.Delta = true
		delta := generate(t, dopts)
		for _, e := range delta.entries(t) {
			switch e.Op {
			case aaf.OpDelete:
				dels = append(dels, e)
			case aaf.OpAdd:
				adds = append(adds, e)
			case aaf.OpModify:
				for _, m := range e.Mods {
					if m.Attr == "ENTEleveClasses" {
						moves[e.ID] = aaf.ParseClasses(m.Values)[0].Code
					}
				}
			}
		}
		if len(dels) == 0 || len(adds) == 0 || len(moves) == 0 {
			t.Fatalf("delta: %d deletions, %d additions, %d moves", len(dels), len(adds), len(moves))
		}
		// The leaving pupils are signed in.
		tokens := map[string]string{}
		for _, e := range dels {
			c := creds[people[e.ID].Login]
			tokens[e.ID] = f.env.Login(t, c.Login, c.Password)
		}
		moved := map[string]*directory.Card{}
		for id := range moves {
			moved[id] = f.card(t, tn, people[id].ID)
		}

		rep, err := f.svc.ImportAAF(ctx, tn, delta.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
		if err != nil {
			t.Fatalf("import delta: %v", err)
		}
		wantCounts(t, rep, len(adds), len(moves), len(dels), 0, len(adds))
		if len(rep.Warnings) != 0 {
			t.Errorf("warnings: %v", rep.Warnings)
		}
		after := f.people(t, tn)
		now := testenv.SchoolDay // the directory's clock

		for _, e := range dels {
			p := after[e.ID]
			card := f.card(t, tn, p.ID)
			if card.Person.Active || card.Person.DeactivatedAt == nil || card.Person.PurgeAfter == nil {
				t.Errorf("leaving pupil %s: active %v, deactivated %v, purge %v", e.ID, card.Person.Active, card.Person.DeactivatedAt, card.Person.PurgeAfter)
				continue
			}
			if want := card.Person.DeactivatedAt.AddDate(0, 3, 0); card.Person.PurgeAfter.Sub(want).Abs() > time.Second {
				t.Errorf("leaving pupil %s: purge after %v, want %v", e.ID, card.Person.PurgeAfter, want)
			}
			if d := card.Person.PurgeAfter.Sub(now); d < 88*24*time.Hour || d > 93*24*time.Hour {
				t.Errorf("leaving pupil %s: purge in %v, want about three months", e.ID, d)
			}
			if _, err := f.env.Kratos.Check(ctx, "", tokens[e.ID]); !errors.Is(err, identity.ErrNoSession) {
				t.Errorf("leaving pupil %s: session still accepted (%v)", e.ID, err)
			}
			c := creds[p.Login]
			if tok, err := f.env.TryLogin(c.Login, c.Password); err == nil {
				t.Errorf("leaving pupil %s can still sign in (token %q)", e.ID, tok)
			}
			if n := f.platformCount(t, `SELECT count(*) FROM platform.memberships WHERE identity_id = ? AND active`, *p.IdentityID); n != 0 {
				t.Errorf("leaving pupil %s keeps %d active memberships", e.ID, n)
			}
			view, err := f.svc.ClassDetail(ctx, tn, f.classByCode(t, tn, "classe", classOf(ex.byID[e.ID])))
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range view.Pupils {
				if q.ID == p.ID {
					t.Errorf("leaving pupil %s still listed in class %s", e.ID, view.Class.Code)
				}
			}
			// Their parents stay.
			for id := range relationsOf(ex.byID[e.ID]) {
				if !after[id].Active {
					t.Errorf("parent %s of leaving pupil %s deactivated", id, e.ID)
				}
			}
		}

		for id, to := range moves {
			card := f.card(t, tn, after[id].ID)
			if got := classCodes(card, "classe"); !slices.Equal(got, []string{to}) {
				t.Errorf("moved pupil %s: classes %v, want [%s] (was %s)", id, got, to, classOf(ex.byID[id]))
			}
			if got, was := classCodes(card, "groupe"), classCodes(moved[id], "groupe"); !slices.Equal(got, was) {
				t.Errorf("moved pupil %s: groups %v, were %v", id, got, was)
			}
			if got, was := parentsOnCard(card), parentsOnCard(moved[id]); !sameSet(got, was) {
				t.Errorf("moved pupil %s: parents %v, were %v", id, got, was)
			}
			if !card.Person.Active {
				t.Errorf("moved pupil %s deactivated", id)
			}
		}

		list, err := f.svc.Credentials(ctx, tn, rep.ID)
		if err != nil || len(list) != len(adds) {
			t.Fatalf("credentials of the delta: %d, %v; want %d", len(list), err, len(adds))
		}
		byLogin := map[string]directory.Credential{}
		for _, c := range list {
			byLogin[c.Login] = c
		}
		for _, e := range adds {
			p, ok := after[e.ID]
			if !ok || !p.Active || p.IdentityID == nil {
				t.Errorf("new pupil %s: %+v", e.ID, p)
				continue
			}
			card := f.card(t, tn, p.ID)
			if got := classCodes(card, "classe"); !slices.Equal(got, []string{classOf(e)}) {
				t.Errorf("new pupil %s: classes %v, want %s", e.ID, got, classOf(e))
			}
			if got, want := parentsOnCard(card), relationsOf(e); !sameSet(got, want) {
				t.Errorf("new pupil %s: parents %v, want %v", e.ID, got, want)
			}
			c, ok := byLogin[p.Login]
			if !ok {
				t.Errorf("new pupil %s: no credential for %s", e.ID, p.Login)
				continue
			}
			if _, err := f.env.TryLogin(c.Login, c.Password); err != nil {
				t.Errorf("new pupil %s cannot sign in: %v", e.ID, err)
			}
		}
		classes, err := f.svc.Classes(ctx, tn)
		if err != nil {
			t.Fatal(err)
		}
		headcount := 0
		for _, c := range classes {
			if c.Kind == "classe" {
				headcount += c.Pupils
			}
		}
		if want := len(ex.pupils) - len(dels) + len(adds); headcount != want {
			t.Errorf("%d pupils in classes after the delta, want %d", headcount, want)
		}
	})
	if !ok {
		return
	}

	// The next full export lists the leaving pupils again (the delta was a mistake): they
	// are back, and sign in with their password as before.
	t.Run("full export after the delta", func(t *testing.T) {
		rep, err := f.svc.ImportAAF(ctx, tn, full.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		wantCounts(t, rep, 0, len(dels)+len(moves), len(adds), total-len(dels)-len(moves), 0)
		after := f.people(t, tn)
		for _, e := range dels {
			p := after[e.ID]
			if !p.Active || p.PurgeAfter != nil || p.DeactivatedAt != nil {
				t.Errorf("returning pupil %s: active %v, deactivated %v, purge %v", e.ID, p.Active, p.DeactivatedAt, p.PurgeAfter)
			}
			if n := f.platformCount(t, `SELECT count(*) FROM platform.memberships WHERE identity_id = ? AND active`, *p.IdentityID); n != 1 {
				t.Errorf("returning pupil %s: %d active memberships", e.ID, n)
			}
			ident, _, err := f.env.Kratos.Admin.IdentityAPI.GetIdentity(ctx, p.IdentityID.String()).Execute()
			if err != nil {
				t.Fatal(err)
			}
			if ident.GetState() != "active" {
				t.Errorf("returning pupil %s: Kratos identity %s is %q", e.ID, ident.Id, ident.GetState())
			}
			c := creds[p.Login]
			if _, err := f.env.TryLogin(c.Login, c.Password); err != nil {
				t.Errorf("returning pupil %s (%s) cannot sign in: %v", e.ID, c.Login, err)
			}
		}
		for _, e := range adds {
			if p := after[e.ID]; p.Active {
				t.Errorf("pupil %s, absent from the full export, still active", e.ID)
			}
		}
	})
}

// TestImportAAFRefusesBadFiles feeds broken exports: each is refused with the file and the
// line, and nothing is written anywhere.
func TestImportAAFRefusesBadFiles(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	good := generate(t, aaf.GenOptions{UAI: "0330021U", Pupils: 30, Parents: 45, Staff: 6, Seed: 11})
	candidates := bases(good.entries(t))
	lineOf := func(b []byte, off int) int { return bytes.Count(b[:off], []byte("\n")) + 1 }
	// requestLine is the line of the request holding the byte at off.
	requestLine := func(b []byte, off int) int { return lineOf(b, bytes.LastIndex(b[:off], []byte("<addRequest>"))) }
	foreign := tenanttest.UAI(33, 9876)

	cases := []struct {
		name string
		cat  aaf.Category
		// edit breaks the file and returns what the message must name.
		edit func(b []byte) ([]byte, []string)
	}{
		{"truncated in the middle", aaf.CategoryEleve, func(b []byte) ([]byte, []string) {
			cut := len(b) / 2
			return b[:cut], []string{fmt.Sprintf("ligne %d :", lineOf(b, cut)), "tronqué"}
		}},
		{"31 February", aaf.CategoryPersEducNat, func(b []byte) ([]byte, []string) {
			tag := []byte(`<attr name="ENTPersonDateNaissance"><value>`)
			i := bytes.Index(b, tag) + len(tag)
			out := slices.Concat(b[:i], []byte("31/02/2009"), b[i+len("dd/mm/yyyy"):])
			return out, []string{fmt.Sprintf("ligne %d :", requestLine(b, i)), "31/02/2009"}
		}},
		{"another establishment", aaf.CategoryEtabEducNat, func(b []byte) ([]byte, []string) {
			i := bytes.Index(b, []byte("0330021U"))
			out := slices.Concat(b[:i], []byte(foreign), b[i+8:])
			return out, []string{fmt.Sprintf("ligne %d :", requestLine(b, i)), foreign}
		}},
		{"pupil without name", aaf.CategoryEleve, func(b []byte) ([]byte, []string) {
			i := bytes.Index(b, []byte(`<attr name="sn">`))
			out := slices.Concat(b[:i], []byte(`<attr name="snx">`), b[i+len(`<attr name="sn">`):])
			return out, []string{fmt.Sprintf("ligne %d :", requestLine(b, i)), "sn"}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := &lycee{names: good.names, data: slices.Clone(good.data)}
			k := good.index(t, tc.cat)
			var parts []string
			bad.data[k], parts = tc.edit(good.data[k])
			parts = append(parts, good.names[k]+", ligne", "rien n'a été importé")
			before := f.identities(t)
			_, err := f.svc.ImportAAF(ctx, tn, bad.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
			wantInvalid(t, err, parts...)
			f.wantNothingWritten(t, tn, before, candidates)
		})
	}
	// The good export still imports afterwards.
	rep, err := f.svc.ImportAAF(ctx, tn, good.files(), directory.ImportOptions{Scope: regional})
	if err != nil {
		t.Fatalf("good export after the bad ones: %v", err)
	}
	wantCounts(t, rep, 81, 0, 0, 0, 81)
}

// wantNothingWritten checks the establishment is empty, the platform has no account and
// Kratos no new identity with one of the candidate logins.
func (f *fixture) wantNothingWritten(t testing.TB, tn *tenant.Tenant, before map[string]string, candidates map[string]bool) {
	t.Helper()
	for _, table := range []string{"people", "classes", "class_members", "guardianships", "teachings", "import_runs"} {
		if n := f.count(t, tn, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%d rows in %s", n, table)
		}
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.accounts`); n != 0 {
		t.Errorf("%d platform accounts", n)
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.memberships`); n != 0 {
		t.Errorf("%d memberships", n)
	}
	if got := newIdentities(before, f.identities(t), candidates); len(got) != 0 {
		t.Errorf("%d identities left in Kratos: %v", len(got), got[:min(5, len(got))])
	}
}

// TestImportAAFLoginTakenInKratosOnly: a login that Kratos has and the platform does not
// know, on an identity no import of this establishment created (made by hand, or by
// another establishment's failed import), is neither taken over nor a reason to fail: the
// new person of the second batch gets the next free login and the other identity is left
// alone. (An identity of this establishment's own failed run is adopted:
// modules/jobs/crash_test.go.)
func TestImportAAFLoginTakenInKratosOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	l := generate(t, aaf.GenOptions{UAI: "0330021U", Pupils: 200, Parents: 290, Staff: 20, Seed: 3})
	ex := parseExport(t, l)
	// Accounts open in file order: pupils, parents, staff. Find someone beyond the first
	// batch whose login is theirs alone, hence exactly LoginBase.
	people := slices.Concat(ex.pupils, ex.parents, ex.staff)
	count := map[string]int{}
	for _, e := range people {
		count[directory.LoginBase(e.First("givenName"), e.First("sn"))]++
	}
	victim := ""
	for _, e := range people[500:] {
		if b := directory.LoginBase(e.First("givenName"), e.First("sn")); count[b] == 1 {
			victim = b
			break
		}
	}
	if victim == "" {
		t.Fatal("no unique login beyond the first batch")
	}
	// An identity that Kratos has and the platform does not know: the import picks the same
	// login and Kratos answers "exists already".
	ids, err := f.env.Kratos.CreateAccounts(ctx, []identity.NewAccount{{Login: victim, FirstName: "Hors", LastName: "Plateforme"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.deleteIdentities(t, ids) })

	rep, err := f.svc.ImportAAF(ctx, tn, l.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if rep.AccountsCreated != len(people) {
		t.Errorf("%d accounts created; want %d", rep.AccountsCreated, len(people))
	}
	if got := f.identitiesWithLogin(t, victim); !slices.Equal(got, []string{ids[0].String()}) {
		t.Errorf("identities named %s: %v, want only the pre-existing %s", victim, got, ids[0])
	}
	if got := f.identitiesWithLogin(t, victim+"2"); len(got) != 1 {
		t.Errorf("identities named %s2: %v; want the new person's", victim, got)
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.accounts WHERE login = ?`, victim+"2"); n != 1 {
		t.Errorf("%d accounts %s2; want 1", n, victim)
	}
}

// failingRecords are the real account records whose InsertAccounts fails, as a database
// write failing after the accounts were opened in Kratos.
type failingRecords struct {
	identity.Records
	got []identity.Account
}

var errRecords = errors.New("disk full")

func (r *failingRecords) InsertAccounts(tx *gorm.DB, as []identity.Account) error {
	r.got = append(r.got, as...)
	return errRecords
}

// TestImportAAFDatabaseFailureRemovesAccounts: when the database transaction fails after
// the accounts were opened, they are deleted from Kratos and the same import then succeeds.
func TestImportAAFDatabaseFailureRemovesAccounts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	l := generate(t, aaf.GenOptions{UAI: "0330021U", Pupils: 20, Parents: 30, Staff: 4, Seed: 5})
	rec := &failingRecords{}
	svc := directory.NewService(f.reg.DB(), f.env.Kratos, rec, nil, f.env.Clock.Now)
	svc.InitialHashCost = testHashCost
	before := f.identities(t)

	_, err := svc.ImportAAF(ctx, tn, l.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
	if !errors.Is(err, errRecords) {
		t.Fatalf("import error = %v, want %v", err, errRecords)
	}
	if len(rec.got) != 54 {
		t.Fatalf("%d accounts reached the database write, want 54", len(rec.got))
	}
	for _, a := range rec.got {
		_, resp, err := f.env.Kratos.Admin.IdentityAPI.GetIdentity(ctx, a.IdentityID.String()).Execute()
		if err == nil || resp == nil || resp.StatusCode != 404 {
			t.Errorf("identity %s (%s) still in Kratos: %v", a.IdentityID, a.Login, err)
		}
	}
	f.wantNothingWritten(t, tn, before, bases(l.entries(t)))

	rep, err := f.svc.ImportAAF(ctx, tn, l.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
	if err != nil {
		t.Fatalf("import after the failure: %v", err)
	}
	wantCounts(t, rep, 54, 0, 0, 0, 54)
}

// TestImportAAFDryRun: a dry run reports what the real run then does, and writes nothing.
func TestImportAAFDryRun(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	opts := aaf.GenOptions{UAI: "0330021U", Pupils: 40, Parents: 60, Staff: 8, Seed: 21}
	full := generate(t, opts)
	before := f.identities(t)

	dry, err := f.svc.ImportAAF(ctx, tn, full.files(), directory.ImportOptions{DryRun: true, Actor: "admin", Scope: regional})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !dry.DryRun || dry.ID != uuid.Nil {
		t.Errorf("dry report = %+v", dry)
	}
	wantCounts(t, dry, 108, 0, 0, 0, 108)
	f.wantNothingWritten(t, tn, before, bases(full.entries(t)))
	if n := f.count(t, tn, `SELECT count(*) FROM school_years`); n != 0 {
		t.Errorf("dry run created %d school years", n)
	}

	real, err := f.svc.ImportAAF(ctx, tn, full.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	wantCounts(t, real, dry.Created, dry.Updated, dry.Deleted, dry.Unchanged, dry.AccountsCreated)

	// The delta, dry then real.
	opts.Delta = true
	delta := generate(t, opts)
	people := f.people(t, tn)
	dryDelta, err := f.svc.ImportAAF(ctx, tn, delta.files(), directory.ImportOptions{DryRun: true, Scope: regional})
	if err != nil {
		t.Fatalf("dry delta: %v", err)
	}
	if dryDelta.Created == 0 || dryDelta.Deleted == 0 || dryDelta.Updated == 0 {
		t.Errorf("dry delta report = %+v", dryDelta)
	}
	for key, p := range f.people(t, tn) {
		if q := people[key]; q.Active != p.Active || !q.UpdatedAt.Equal(p.UpdatedAt) {
			t.Errorf("dry delta changed %s", key)
		}
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.accounts`); n != 108 {
		t.Errorf("dry delta: %d accounts, want 108", n)
	}
	realDelta, err := f.svc.ImportAAF(ctx, tn, delta.files(), directory.ImportOptions{Scope: regional})
	if err != nil {
		t.Fatalf("delta: %v", err)
	}
	wantCounts(t, realDelta, dryDelta.Created, dryDelta.Updated, dryDelta.Deleted, dryDelta.Unchanged, dryDelta.AccountsCreated)
}

// aafFile is a small hand-written AAF export.
func aafFile(requests ...string) []byte {
	return []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ficAlimMENESR>\n" + strings.Join(requests, "") + "</ficAlimMENESR>\n")
}

// addRequest writes an addRequest; attrs are name, value, name, value…
func addRequest(cat aaf.Category, id string, attrs ...string) string {
	var b strings.Builder
	kind := "categoriePersonne"
	if cat == aaf.CategoryEtabEducNat {
		kind = "categorieStructure"
	}
	fmt.Fprintf(&b, "<addRequest>\n<operationalAttributes><attr name=%q><value>%s</value></attr></operationalAttributes>\n<identifier><id>%s</id></identifier>\n<attributes>\n", kind, cat, id)
	for i := 0; i+1 < len(attrs); i += 2 {
		fmt.Fprintf(&b, "<attr name=%q><value>%s</value></attr>\n", attrs[i], attrs[i+1])
	}
	b.WriteString("</attributes>\n</addRequest>\n")
	return b.String()
}

// smallExport is one lycée with one pupil and their parent.
func smallExport(uai, structKey, pupilID, pupilFirst, parentID string) []directory.File {
	etab := aafFile(addRequest(aaf.CategoryEtabEducNat, structKey, "ENTStructureJointure", structKey, "ENTStructureUAI", uai, "ENTStructureNomCourant", "Lycée "+uai))
	pupil := aafFile(addRequest(aaf.CategoryEleve, pupilID, "ENTPersonJointure", pupilID, "sn", "Quintavalle", "givenName", pupilFirst,
		"ENTPersonDateNaissance", "14/05/2009", "ENTEleveClasses", structKey+"$2NDE1", "ENTElevePersRelEleve", parentID+"$1$0$1$0$0"))
	parent := aafFile(addRequest(aaf.CategoryPersRelEleve, parentID, "ENTPersonJointure", parentID, "personalTitle", "Mme", "sn", "Quintavalle", "givenName", "Ombeline"))
	name := func(cat aaf.Category) string { return fmt.Sprintf("ENT_%s_Complet_20250901_%s_0001.xml", uai, cat) }
	return []directory.File{
		{Name: name(aaf.CategoryEtabEducNat), R: bytes.NewReader(etab)},
		{Name: name(aaf.CategoryEleve), R: bytes.NewReader(pupil)},
		{Name: name(aaf.CategoryPersRelEleve), R: bytes.NewReader(parent)},
	}
}

// TestParentInTwoLycees: a parent whose children are in two lycées has one account (one
// login, one identity) and two memberships; the second import does not issue them a new
// password.
func TestParentInTwoLycees(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	uaiA, uaiB := "0330021U", tenanttest.UAI(33, 22)
	a := f.provision(t, uaiA, "Lycée Michel-Montaigne")
	b := f.provision(t, uaiB, "Lycée de Bordeaux-Lac")
	const parent = "29900001"

	repA, err := f.svc.ImportAAF(ctx, a, smallExport(uaiA, "10001", "19900001", "Anatole", parent), directory.ImportOptions{Scope: regional})
	if err != nil {
		t.Fatalf("import A: %v", err)
	}
	wantCounts(t, repA, 2, 0, 0, 0, 2)
	credsA, err := f.svc.Credentials(ctx, a, repA.ID)
	if err != nil {
		t.Fatal(err)
	}
	pA := f.people(t, a)[parent]
	var parentCred directory.Credential
	for _, c := range credsA {
		if c.Login == pA.Login {
			parentCred = c
		}
	}
	if parentCred.Password == "" || parentCred.Class != "2NDE1" {
		t.Fatalf("parent credential in A: %+v among %+v", parentCred, credsA)
	}

	dry, err := f.svc.ImportAAF(ctx, b, smallExport(uaiB, "10002", "19900002", "Berenice", parent), directory.ImportOptions{DryRun: true, Scope: regional})
	if err != nil {
		t.Fatalf("dry import B: %v", err)
	}
	repB, err := f.svc.ImportAAF(ctx, b, smallExport(uaiB, "10002", "19900002", "Berenice", parent), directory.ImportOptions{Scope: regional})
	if err != nil {
		t.Fatalf("import B: %v", err)
	}
	wantCounts(t, repB, 2, 0, 0, 0, 1)
	credsB, err := f.svc.Credentials(ctx, b, repB.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(credsB) != 1 || credsB[0].FirstName != "Berenice" {
		t.Errorf("credentials of B = %+v, want the pupil's only", credsB)
	}

	pB := f.people(t, b)[parent]
	if pA.IdentityID == nil || pB.IdentityID == nil || *pA.IdentityID != *pB.IdentityID || pA.Login != pB.Login {
		t.Fatalf("parent in A: %v %s; in B: %v %s", pA.IdentityID, pA.Login, pB.IdentityID, pB.Login)
	}
	id := *pA.IdentityID
	if n := f.platformCount(t, `SELECT count(*) FROM platform.accounts WHERE aaf_id = ?`, parent); n != 1 {
		t.Errorf("%d platform accounts for the parent", n)
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.memberships WHERE identity_id = ? AND active`, id); n != 2 {
		t.Errorf("%d active memberships for the parent, want 2", n)
	}
	if got := f.identitiesWithLogin(t, pA.Login); !slices.Equal(got, []string{id.String()}) {
		t.Errorf("Kratos identities named %s: %v, want [%s]", pA.Login, got, id)
	}
	// The parent signs in with the password of the first sheet and sees both lycées and,
	// in each, their child there.
	token, err := f.env.TryLogin(parentCred.Login, parentCred.Password)
	if err != nil {
		t.Fatalf("parent sign-in: %v", err)
	}
	s, err := f.env.Kratos.Check(ctx, "", token)
	if err != nil || s.IdentityID != id {
		t.Fatalf("parent session %+v, %v", s, err)
	}
	est, err := identity.NewStore(f.reg.Platform()).Establishments(ctx, id)
	if err != nil || len(est) != 2 {
		t.Errorf("parent's establishments = %+v, %v", est, err)
	}
	for _, side := range []struct {
		tn    *tenant.Tenant
		p     directory.Person
		child string
	}{{a, pA, "Anatole"}, {b, pB, "Berenice"}} {
		card := f.card(t, side.tn, side.p.ID)
		if len(card.Children) != 1 || card.Children[0].FirstName != side.child || !card.Children[0].Legal {
			t.Errorf("parent's card in %s: children %+v, want %s", side.tn.UAI, card.Children, side.child)
		}
	}

	// A's next full export no longer has the family: the parent leaves A but keeps their
	// account, their session and their place in B.
	repA2, err := f.svc.ImportAAF(ctx, a, smallExport(uaiA, "10001", "19900003", "Clovis", "29900003"), directory.ImportOptions{Scope: regional})
	if err != nil {
		t.Fatalf("import A again: %v", err)
	}
	wantCounts(t, repA2, 2, 0, 2, 0, 2)
	if card := f.card(t, a, pA.ID); card.Person.Active {
		t.Error("the parent is still active in A")
	}
	if _, err := f.env.Kratos.Check(ctx, "", token); err != nil {
		t.Errorf("the parent's session ended when leaving A only: %v", err)
	}
	if _, err := f.env.TryLogin(parentCred.Login, parentCred.Password); err != nil {
		t.Errorf("the parent cannot sign in after leaving A only: %v", err)
	}
	est, err = identity.NewStore(f.reg.Platform()).Establishments(ctx, id)
	if err != nil || len(est) != 1 || est[0].UAI != b.UAI {
		t.Errorf("parent's establishments after leaving A = %+v, %v", est, err)
	}

	t.Run("dry run counts the accounts the import opens", func(t *testing.T) {
		// Here one account (the pupil's), not two: the parent has one already.
		wantCounts(t, dry, repB.Created, repB.Updated, repB.Deleted, repB.Unchanged, repB.AccountsCreated)
	})
}

// TestIsolation: people imported into one lycée are invisible from another.
func TestIsolation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	b := f.provision(t, tenanttest.UAI(33, 23), "Lycée de Bordeaux-Lac")
	rep, err := f.svc.ImportAAF(ctx, a, smallExport("0330021U", "10001", "19900011", "Isidore", "29900011"), directory.ImportOptions{Scope: regional})
	if err != nil {
		t.Fatal(err)
	}
	peopleA := f.people(t, a)
	if len(peopleA) != 2 {
		t.Fatalf("%d people in A", len(peopleA))
	}
	for _, inactive := range []bool{false, true} {
		list, err := f.svc.People(ctx, b, directory.PeopleFilter{Inactive: inactive})
		if err != nil || len(list) != 0 {
			t.Errorf("people of B (inactive %v) = %v, %v", inactive, list, err)
		}
	}
	if list, err := f.svc.Classes(ctx, b); err != nil || len(list) != 0 {
		t.Errorf("classes of B = %v, %v", list, err)
	}
	for key, p := range peopleA {
		if _, err := f.svc.Card(ctx, b, p.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("card of A's %s read on B: %v, want not found", key, err)
		}
		if ok, err := f.svc.IsGuardianOf(ctx, b, p.ID, p.ID, false); ok || err != nil {
			t.Errorf("guardianship of A's %s seen from B: %v %v", key, ok, err)
		}
	}
	if _, err := f.svc.ClassDetail(ctx, b, f.classByCode(t, a, "classe", "2NDE1")); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("A's class read on B: %v, want not found", err)
	}
	if _, err := f.svc.Credentials(ctx, b, rep.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("A's credentials read on B: %v, want not found", err)
	}
	if runs, err := f.svc.ImportRuns(ctx, b); err != nil || len(runs) != 0 {
		t.Errorf("import runs of B = %v, %v", runs, err)
	}
}

// pausedAccounts holds CreateAccounts until released, to run a second import meanwhile.
type pausedAccounts struct {
	directory.Accounts
	inside  chan struct{}
	release chan struct{}
}

func (a pausedAccounts) CreateAccounts(ctx context.Context, l []identity.NewAccount) ([]uuid.UUID, error) {
	a.inside <- struct{}{}
	<-a.release
	return a.Accounts.CreateAccounts(ctx, l)
}

// TestImportsOneAtATime: two imports into one establishment at once once opened every new
// account twice. The second is refused with a message saying an import is running; once the
// first has ended it runs and changes nothing; Kratos holds one identity per account.
func TestImportsOneAtATime(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")
	l := generate(t, aaf.GenOptions{UAI: "0330021U", Pupils: 10, Parents: 15, Staff: 3, Seed: 7})
	paused := pausedAccounts{Accounts: f.env.Kratos, inside: make(chan struct{}), release: make(chan struct{})}
	slow := directory.NewService(f.reg.DB(), paused, identity.Records{}, nil, f.env.Clock.Now)
	slow.InitialHashCost = testHashCost
	before := f.identities(t)

	first := make(chan error, 1)
	go func() {
		_, err := slow.ImportAAF(ctx, tn, l.files(), directory.ImportOptions{Actor: "admin", Scope: regional})
		first <- err
	}()
	<-paused.inside // the first import is opening its accounts

	_, err := f.svc.ImportAAF(ctx, tn, l.files(), directory.ImportOptions{Actor: "autre admin", Scope: regional})
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "déjà en cours") {
		t.Errorf("second import during the first: %v; want a conflict saying an import is running", err)
	}
	if rep, err := f.svc.ImportAAF(ctx, tn, l.files(), directory.ImportOptions{Actor: "autre admin", DryRun: true, Scope: regional}); err != nil || !rep.DryRun {
		t.Errorf("a dry run during an import: %v; want it to run (it writes nothing)", err)
	}
	close(paused.release)
	if err := <-first; err != nil {
		t.Fatalf("first import: %v", err)
	}
	rep, err := f.svc.ImportAAF(ctx, tn, l.files(), directory.ImportOptions{Actor: "autre admin", Scope: regional})
	if err != nil || rep.Created != 0 || rep.AccountsCreated != 0 {
		t.Fatalf("the second import, retried after the first: %+v, %v; want nothing new", rep, err)
	}
	// Identities created meanwhile by this import (other tests share the Kratos): those whose
	// login is built on the name of a person of the file.
	bases := map[string]bool{}
	for _, e := range l.entries(t) {
		bases[directory.LoginBase(e.First("givenName"), e.First("sn"))] = true
	}
	created := 0
	for id, login := range f.identities(t) {
		if _, old := before[id]; !old && bases[strings.TrimRight(login, "0123456789")] {
			created++
		}
	}
	if accounts := f.platformCount(t, `SELECT count(*) FROM platform.accounts`); created != accounts {
		t.Errorf("%d identities created for %d accounts", created, accounts)
	}
}

// TestLoginLookupUsesIndex: an import looks the new logins up by their base ("zoe.martin" for
// "zoe.martin2"); with 20,000 accounts on the platform the plan reads the index, not every
// account.
func TestLoginLookupUsesIndex(t *testing.T) {
	f := newFixture(t)
	db := f.reg.Platform()
	if err := db.Exec(`INSERT INTO platform.accounts (identity_id, login)
		SELECT gen_random_uuid(), 'eleve.' || md5(n::text) || 'x' || CASE WHEN n % 3 = 0 THEN '2' ELSE '' END
		FROM generate_series(1, 20000) n`).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec(`DELETE FROM platform.accounts WHERE login LIKE 'eleve.%'`) })
	if err := db.Exec(`ANALYZE platform.accounts`).Error; err != nil {
		t.Fatal(err)
	}
	var plan []string
	if err := db.Raw(`EXPLAIN SELECT login FROM platform.accounts WHERE regexp_replace(login, '[0-9]+$', '') IN ('zoe.martin', 'eleve.cfcd208495d565ef66e7dff9f98764dax')`).Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "accounts_login_base") || strings.Contains(text, "Seq Scan") {
		t.Errorf("the login look-up does not use its index:\n%s", text)
	}
}
