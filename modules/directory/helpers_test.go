package directory_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

// fixture is a fresh platform database with the test run's Kratos and a directory service.
type fixture struct {
	env *directorytest.Env
	reg *tenant.Registry
	svc *directory.Service
	// productionCost is the service's default bcrypt cost of initial passwords.
	productionCost int
}

// testHashCost is bcrypt's minimum cost: under the race detector one hash at the
// production cost 6 takes about 130 ms, four times what it takes at cost 4.
const testHashCost = 4

// newFixture opens a fresh registry. The Kratos of the test run is shared by every test
// while logins are only unique within one platform database: when the test ends, the
// identities it opened are deleted, so that the next test may generate the same logins.
// Tests using it must therefore not run in parallel.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	env := directorytest.NewEnv(t, reg)
	f := &fixture{env: env, reg: reg, svc: env.Directory, productionCost: env.Directory.InitialHashCost}
	f.svc.InitialHashCost = testHashCost
	t.Cleanup(func() {
		var ids []uuid.UUID
		if err := reg.Platform().Raw(`SELECT identity_id FROM platform.accounts`).Scan(&ids).Error; err != nil {
			t.Errorf("cleanup: list accounts: %v", err)
			return
		}
		f.deleteIdentities(t, ids)
	})
	return f
}

// deleteIdentities removes identities from Kratos, four at a time.
func (f *fixture) deleteIdentities(t testing.TB, ids []uuid.UUID) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []uuid.UUID
			for i := w; i < len(ids); i += 4 {
				mine = append(mine, ids[i])
			}
			errs[w] = f.env.Kratos.DeleteAccounts(context.Background(), mine)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Errorf("cleanup: delete identities: %v", err)
	}
}

func (f *fixture) provision(t testing.TB, uai, name string) *tenant.Tenant {
	t.Helper()
	return tenanttest.Provision(t, f.reg, uai, name, "lycee")
}

// count runs a count query in the tenant's schema.
func (f *fixture) count(t testing.TB, tn *tenant.Tenant, query string, args ...any) int {
	t.Helper()
	var n int
	err := f.reg.DB().ReadTx(context.Background(), tn, func(tx *gorm.DB) error {
		return tx.Raw(query, args...).Scan(&n).Error
	})
	if err != nil {
		t.Fatalf("count %q: %v", query, err)
	}
	return n
}

// platformCount runs a count query on the platform schema.
func (f *fixture) platformCount(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.reg.Platform().Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("count %q: %v", query, err)
	}
	return n
}

// people returns every person of the establishment (active or not) by AAF id (the join
// key, or UAI:identifiant for the CSV), as the management page lists them.
func (f *fixture) people(t testing.TB, tn *tenant.Tenant) map[string]directory.Person {
	t.Helper()
	out := map[string]directory.Person{}
	for _, inactive := range []bool{false, true} {
		list, err := f.svc.People(context.Background(), tn, directory.PeopleFilter{Inactive: inactive, Limit: 500})
		if err != nil {
			t.Fatalf("people: %v", err)
		}
		if len(list) == 500 {
			t.Fatalf("people: more than 500 people, the helper cannot see them all")
		}
		for _, p := range list {
			if p.AAFID == nil {
				t.Fatalf("person %s has no AAF id", p.FullName())
			}
			out[*p.AAFID] = p
		}
	}
	return out
}

func (f *fixture) card(t testing.TB, tn *tenant.Tenant, id uuid.UUID) *directory.Card {
	t.Helper()
	c, err := f.svc.Card(context.Background(), tn, id)
	if err != nil {
		t.Fatalf("card %s: %v", id, err)
	}
	return c
}

// classByCode returns the id of the current class (or group) with this code.
func (f *fixture) classByCode(t testing.TB, tn *tenant.Tenant, kind, code string) uuid.UUID {
	t.Helper()
	list, err := f.svc.Classes(context.Background(), tn)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Kind == kind && c.Code == code {
			return c.ID
		}
	}
	t.Fatalf("no %s %s among %d classes and groups", kind, code, len(list))
	return uuid.Nil
}

// identities lists every identity of the Kratos (id → username), page by page.
func (f *fixture) identities(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	token := ""
	for {
		req := f.env.Kratos.Admin.IdentityAPI.ListIdentities(context.Background()).PageSize(1000)
		if token != "" {
			req = req.PageToken(token)
		}
		list, resp, err := req.Execute()
		if err != nil {
			t.Fatalf("list identities: %v", err)
		}
		for _, id := range list {
			out[id.Id] = usernameOf(id.Traits)
		}
		token = nextPageToken(resp)
		if token == "" || len(list) == 0 {
			return out
		}
	}
}

var linkNext = regexp.MustCompile(`<([^>]*)>;\s*rel="next"`)

func nextPageToken(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	for _, h := range resp.Header.Values("Link") {
		if m := linkNext.FindStringSubmatch(h); m != nil {
			if u, err := url.Parse(m[1]); err == nil {
				return u.Query().Get("page_token")
			}
		}
	}
	return ""
}

func usernameOf(traits any) string {
	if m, ok := traits.(map[string]any); ok {
		s, _ := m["username"].(string)
		return s
	}
	return ""
}

// newIdentities returns the usernames of the identities of after that are not in before
// and whose login is built on one of bases ("first.last", digits appended or not): those
// the import could have opened (the tests of other packages share the Kratos and open
// identities of their own meanwhile).
func newIdentities(before, after map[string]string, bases map[string]bool) []string {
	var out []string
	for id, name := range after {
		if _, old := before[id]; old {
			continue
		}
		if bases[strings.TrimRight(name, "0123456789")] {
			out = append(out, name)
		}
	}
	return out
}

// identitiesWithLogin counts the identities whose username is login.
func (f *fixture) identitiesWithLogin(t testing.TB, login string) []string {
	t.Helper()
	list, _, err := f.env.Kratos.Admin.IdentityAPI.ListIdentities(context.Background()).CredentialsIdentifier(login).Execute()
	if err != nil {
		t.Fatalf("identities of %s: %v", login, err)
	}
	var ids []string
	for _, id := range list {
		ids = append(ids, id.Id)
	}
	return ids
}

// lycee is a generated AAF export kept in memory.
type lycee struct {
	names []string
	data  [][]byte
}

// generate writes a synthetic export with aaf.GenerateFiles into a temporary folder and
// reads it back.
func generate(t testing.TB, o aaf.GenOptions) *lycee {
	t.Helper()
	paths, err := aaf.GenerateFiles(t.TempDir(), o)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	l := &lycee{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		l.names = append(l.names, filepath.Base(p))
		l.data = append(l.data, b)
	}
	return l
}

// files returns fresh readers on the export.
func (l *lycee) files() []directory.File {
	out := make([]directory.File, len(l.names))
	for i := range l.names {
		out[i] = directory.File{Name: l.names[i], R: bytes.NewReader(l.data[i])}
	}
	return out
}

// index returns the position of the file of category cat.
func (l *lycee) index(t testing.TB, cat aaf.Category) int {
	t.Helper()
	for i, n := range l.names {
		if strings.Contains(n, "_"+string(cat)+"_") {
			return i
		}
	}
	t.Fatalf("no %s file among %v", cat, l.names)
	return -1
}

// entries reads back every request of the export, in file order.
func (l *lycee) entries(t testing.TB) []*aaf.Entry {
	t.Helper()
	var out []*aaf.Entry
	for i := range l.names {
		r := aaf.NewReader(bytes.NewReader(l.data[i]), l.names[i])
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("read back %s: %v", l.names[i], err)
			}
			out = append(out, e)
		}
	}
	return out
}

// bases returns the login bases of the people of the export.
func bases(entries []*aaf.Entry) map[string]bool {
	out := map[string]bool{}
	for _, e := range entries {
		if e.Category != aaf.CategoryEtabEducNat && e.Attrs != nil {
			out[directory.LoginBase(e.First("givenName"), e.First("sn"))] = true
		}
	}
	return out
}

// wantInvalid checks that err is a *fault.Invalid whose message holds every part.
func wantInvalid(t testing.TB, err error, parts ...string) {
	t.Helper()
	var inv *fault.Invalid
	if !errors.As(err, &inv) {
		t.Fatalf("error = %v (%T), want a *fault.Invalid", err, err)
	}
	for _, p := range parts {
		if !strings.Contains(inv.Message, p) {
			t.Errorf("message %q does not contain %q", inv.Message, p)
		}
	}
}

// regional is the scope of the région's administrators (and the CLI): AAF imports run in it.
var regional = identity.Scope{All: true}
