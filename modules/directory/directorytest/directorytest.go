// Package directorytest gives tests real people: accounts in the test run's Kratos, people
// in an establishment's directory, memberships, and session tokens from a real login.
package directorytest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	kratos "github.com/ory/kratos-client-go"
	"golang.org/x/crypto/bcrypt"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/localstack"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
)

// Env is a registry with the test run's Kratos and a directory service.
type Env struct {
	Reg       *tenant.Registry
	Kratos    *identity.Kratos
	Directory *directory.Service
	Clock     *testenv.Clock // the directory's clock; give it to the other services too
	PublicURL string
	AdminURL  string
}

// NewEnv binds a directory service to reg and the test run's Kratos, with a clock pinned at
// testenv.SchoolDay.
func NewEnv(t testing.TB, reg *tenant.Registry) *Env {
	return NewEnvAt(t, reg, testenv.NewClock(testenv.SchoolDay))
}

// NewEnvAt is NewEnv with the directory's clock.
func NewEnvAt(t testing.TB, reg *tenant.Registry, clock *testenv.Clock) *Env {
	t.Helper()
	pub, adm := testenv.Kratos(t)
	k := identity.NewKratos(pub, adm, time.Millisecond) // no session cache: tests see revocations at once
	return &Env{Reg: reg, Kratos: k, Directory: directory.NewService(reg.DB(), k, identity.Records{}, nil, clock.Now),
		Clock: clock, PublicURL: pub, AdminURL: adm}
}

// Member is a person with an account, signed in.
type Member struct {
	PersonID   uuid.UUID
	IdentityID uuid.UUID
	Login      string
	Password   string
	Token      string // Kratos session token
}

// AddMember creates a person with role in t through the directory (the real path), then
// signs them in.
func (e *Env) AddMember(t testing.TB, tn *tenant.Tenant, role identity.Role, first, last string) Member {
	t.Helper()
	ctx := context.Background()
	p, cred, err := e.Directory.CreatePerson(ctx, tn, directory.PersonForm{LastName: last, FirstName: first + "-" + suffix(), Role: string(role)}, "test")
	if err != nil {
		t.Fatalf("create %s %s: %v", role, last, err)
	}
	m := Member{PersonID: p.ID, IdentityID: *p.IdentityID, Login: cred.Login, Password: cred.Password}
	m.Token = e.Login(t, m.Login, m.Password)
	return m
}

// AddPlatformAdmin opens an account that administers the région or one département.
func (e *Env) AddPlatformAdmin(t testing.TB, role identity.Role, dep string) Member {
	t.Helper()
	ctx := context.Background()
	login, password := "admin-"+suffix(), directory.NewPassword()
	hash, _ := bcrypt.GenerateFromPassword([]byte(password), 4)
	ids, err := e.Kratos.CreateAccounts(ctx, []identity.NewAccount{{Login: login, FirstName: "Admin", LastName: "Test", HashedPassword: string(hash)}})
	if err != nil {
		t.Fatal(err)
	}
	store := identity.NewStore(e.Reg.Platform())
	if err := store.CreatePlatformAccount(ctx, identity.Account{IdentityID: ids[0], Login: login}); err != nil {
		t.Fatal(err)
	}
	if err := store.GrantPlatformRole(ctx, ids[0], role, dep); err != nil {
		t.Fatal(err)
	}
	return Member{IdentityID: ids[0], Login: login, Password: password, Token: e.Login(t, login, password)}
}

// Login signs in through Kratos' API flow and returns the session token.
func (e *Env) Login(t testing.TB, login, password string) string {
	t.Helper()
	ctx := context.Background()
	flow, _, err := e.Kratos.Public.FrontendAPI.CreateNativeLoginFlow(ctx).Execute()
	if err != nil {
		t.Fatalf("login flow: %v", err)
	}
	body := kratos.UpdateLoginFlowWithPasswordMethodAsUpdateLoginFlowBody(kratos.NewUpdateLoginFlowWithPasswordMethod(login, "password", password))
	res, resp, err := e.Kratos.Public.FrontendAPI.UpdateLoginFlow(ctx).Flow(flow.Id).UpdateLoginFlowBody(body).Execute()
	if err != nil || resp.StatusCode != http.StatusOK || res.SessionToken == nil {
		t.Fatalf("login %s: %v (status %v)", login, err, resp)
	}
	return *res.SessionToken
}

// TryLogin is Login that reports failure instead of failing the test.
func (e *Env) TryLogin(login, password string) (string, error) {
	ctx := context.Background()
	flow, _, err := e.Kratos.Public.FrontendAPI.CreateNativeLoginFlow(ctx).Execute()
	if err != nil {
		return "", err
	}
	body := kratos.UpdateLoginFlowWithPasswordMethodAsUpdateLoginFlowBody(kratos.NewUpdateLoginFlowWithPasswordMethod(login, "password", password))
	res, _, err := e.Kratos.Public.FrontendAPI.UpdateLoginFlow(ctx).Flow(flow.Id).UpdateLoginFlowBody(body).Execute()
	if err != nil {
		return "", err
	}
	return res.GetSessionToken(), nil
}

func suffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// BrowserCookie signs in through Kratos' browser flow, as a browser would on the login page,
// and returns the value of the session cookie (cartable_session).
func (e *Env) BrowserCookie(t testing.TB, login, password string) string {
	t.Helper()
	cookie, err := localstack.BrowserLogin(context.Background(), e.PublicURL, login, password, identity.SessionCookie)
	if err != nil {
		t.Fatalf("browser login of %s: %v", login, err)
	}
	return cookie
}
