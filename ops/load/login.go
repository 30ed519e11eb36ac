package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/localstack"
)

// session is a signed-in person: their session cookie and, for a teacher, the anti-forgery
// token the grid page gives its form.
type session struct {
	Cookie string
	CSRF   string
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

// browserLogin signs in through Kratos' browser flow as the login page does and returns the
// session cookie's value.
func browserLogin(ctx context.Context, kratosPublic, login, password string) (string, error) {
	return localstack.BrowserLogin(ctx, kratosPublic, login, password, identity.SessionCookie)
}

// signInAll signs every account in, `parallel` at once, and fetches the teachers' grid
// pages for their forms' token. Sessions are keyed by login.
func signInAll(ctx context.Context, st *stack, schools []*school, parallel int) (map[string]*session, error) {
	type job struct {
		slug string
		a    account
		grid string // for a teacher: the grid page to read the token from
	}
	var jobs []job
	for _, s := range schools {
		for _, a := range s.Pupils {
			jobs = append(jobs, job{slug: s.Slug, a: a})
		}
		for _, g := range s.Parents {
			jobs = append(jobs, job{slug: s.Slug, a: g.account})
		}
		for _, t := range s.Teachers {
			jobs = append(jobs, job{slug: s.Slug, a: t.account, grid: "/notes/evaluations/" + t.Evaluation.String() + "/saisie"})
		}
	}
	var mu sync.Mutex
	out := map[string]*session{}
	var firstErr error
	next := make(chan job)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for j := range next {
				s, err := signIn(ctx, st, j.slug, j.a, j.grid)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[j.a.Login] = s
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, ctx.Err()
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn logs one account in, checks the session opens its establishment (GET /api/v1/me),
// and for a teacher reads the anti-forgery token from the grid page, as a browser would.
func signIn(ctx context.Context, st *stack, slug string, a account, grid string) (*session, error) {
	cookie, err := browserLogin(ctx, st.kratos.PublicURL(), a.Login, a.Password)
	if err != nil {
		return nil, err
	}
	s := &session{Cookie: cookie}
	code, body, err := st.get(ctx, slug, "/api/v1/me", cookie)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/me on %s as %s: %d", slug, a.Login, code)
	}
	if grid != "" {
		code, body, err = st.get(ctx, slug, grid, cookie)
		if err != nil {
			return nil, err
		}
		m := csrfField.FindSubmatch(body)
		if code != http.StatusOK || m == nil {
			return nil, fmt.Errorf("GET %s on %s as %s: %d, no _csrf field in the form", grid, slug, a.Login, code)
		}
		s.CSRF = string(m[1])
		if s.CSRF != identity.CSRFToken(cookie) {
			return nil, fmt.Errorf("the grid page's _csrf token is not identity.CSRFToken of the session")
		}
	}
	return s, nil
}

// get sends one GET to an establishment with a session cookie.
func (s *stack) get(ctx context.Context, slug, path, cookie string) (int, []byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base()+path, nil)
	req.Host = s.host(slug)
	req.AddCookie(&http.Cookie{Name: identity.SessionCookie, Value: cookie})
	resp, err := noRedirect.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("GET %s on %s: %w", path, slug, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}
