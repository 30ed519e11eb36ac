package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/cartable-ent/cartable/modules/identity"
)

// A route of the mix: how to build its next request and how many of every 20 it is.
type route struct {
	Key    string // short name, also a -route value
	Label  string
	Weight int
	next   func(rng *rand.Rand) vegeta.Target
}

// Route keys, in the order the report prints them.
const (
	routeMarks  = "marks"
	routeCard   = "card"
	routeGrid   = "grid"
	routePDF    = "pdf"
	routeMe     = "me"
	routeMixAll = "mix"
)

// routes builds the mix over the signed-in people: each route cycles through its people.
func routes(st *stack, schools []*school, sessions map[string]*session) []*route {
	type pupilReq struct{ host, cookie string }
	type cardReq struct{ host, cookie, path string }
	type gridReq struct {
		host, cookie, csrf, path string
		pupils                   []string
	}
	var pupils []pupilReq
	var cards []cardReq
	var grids []gridReq
	var everyone []pupilReq
	for _, s := range schools {
		host := st.host(s.Slug)
		for _, a := range s.Pupils {
			pupils = append(pupils, pupilReq{host, sessions[a.Login].Cookie})
		}
		for _, g := range s.Parents {
			cards = append(cards, cardReq{host, sessions[g.Login].Cookie, "/bulletins/" + s.Period.String() + "/eleves/" + g.Child.String()})
		}
		for _, t := range s.Teachers {
			gr := gridReq{host: host, cookie: sessions[t.Login].Cookie, csrf: sessions[t.Login].CSRF, path: "/notes/evaluations/" + t.Evaluation.String() + "/saisie"}
			for _, p := range t.Pupils {
				gr.pupils = append(gr.pupils, p.String())
			}
			grids = append(grids, gr)
		}
	}
	for _, p := range pupils {
		everyone = append(everyone, p)
	}
	for _, c := range cards {
		everyone = append(everyone, pupilReq{c.host, c.cookie})
	}
	for _, g := range grids {
		everyone = append(everyone, pupilReq{g.host, g.cookie})
	}
	get := func(host, cookie, path string) vegeta.Target {
		h := http.Header{}
		h.Set("Host", host)
		h.Set("Cookie", identity.SessionCookie+"="+cookie)
		h.Set("Accept-Encoding", "gzip")
		return vegeta.Target{Method: http.MethodGet, URL: st.base() + path, Header: h}
	}
	var mu sync.Mutex
	counters := map[string]int{}
	// nextOf returns the index of the next person of a route (round robin).
	nextOf := func(key string, n int) int {
		mu.Lock()
		defer mu.Unlock()
		i := counters[key] % n
		counters[key]++
		return i
	}
	return []*route{
		{Key: routeMarks, Label: "pupil marks page   GET /notes", Weight: 8, next: func(*rand.Rand) vegeta.Target {
			p := pupils[nextOf(routeMarks, len(pupils))]
			return get(p.host, p.cookie, "/notes")
		}},
		{Key: routeCard, Label: "parent report card GET /bulletins/{p}/eleves/{id}", Weight: 3, next: func(*rand.Rand) vegeta.Target {
			c := cards[nextOf(routeCard, len(cards))]
			return get(c.host, c.cookie, c.path)
		}},
		{Key: routeGrid, Label: "teacher grid save  POST /notes/evaluations/{id}/saisie", Weight: 2, next: func(rng *rand.Rand) vegeta.Target {
			g := grids[nextOf(routeGrid, len(grids))]
			form := url.Values{"_csrf": {g.csrf}}
			for _, p := range g.pupils {
				form.Set("note_"+p, fmt.Sprintf("%d,%d", 6+rng.IntN(14), rng.IntN(2)*5))
			}
			t := get(g.host, g.cookie, g.path)
			t.Method, t.Body = http.MethodPost, []byte(form.Encode())
			t.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			t.Header.Set("Origin", "http://"+g.host)
			return t
		}},
		{Key: routePDF, Label: "report-card PDF    GET /bulletins/{p}/eleves/{id}/pdf", Weight: 1, next: func(*rand.Rand) vegeta.Target {
			c := cards[nextOf(routePDF, len(cards))]
			return get(c.host, c.cookie, c.path+"/pdf")
		}},
		{Key: routeMe, Label: "GET /api/v1/me", Weight: 6, next: func(*rand.Rand) vegeta.Target {
			p := everyone[nextOf(routeMe, len(everyone))]
			return get(p.host, p.cookie, "/api/v1/me")
		}},
	}
}

// routeOf tells which route a result belongs to (vegeta keeps the method and URL).
func routeOf(r *vegeta.Result) string {
	path := r.URL
	if u, err := url.Parse(r.URL); err == nil {
		path = u.Path
	}
	switch {
	case r.Method == http.MethodPost:
		return routeGrid
	case path == "/api/v1/me":
		return routeMe
	case strings.HasPrefix(path, "/notes"):
		return routeMarks
	case strings.HasSuffix(path, "/pdf"):
		return routePDF
	}
	return routeCard
}

// succeeded: a 2xx, or for the grid save the redirect to the saved grid (post/redirect/get;
// a refused grid is a 422, an expired session a redirect to the login page).
func succeeded(key string, r *vegeta.Result) bool {
	if key == routeGrid {
		return r.Code == http.StatusSeeOther && strings.Contains(r.Headers.Get("Location"), "ok=notes")
	}
	return r.Code >= 200 && r.Code < 300
}

// targeter cycles through the routes by weight; with one route, it sends only that one.
func targeter(rs []*route, seed uint64) vegeta.Targeter {
	var order []*route
	for _, r := range rs {
		for range r.Weight {
			order = append(order, r)
		}
	}
	rand.New(rand.NewPCG(seed, 1)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, 2))
	n := 0
	return func(t *vegeta.Target) error {
		mu.Lock()
		r := order[n%len(order)]
		n++
		*t = r.next(rng)
		mu.Unlock()
		return nil
	}
}

// stats are one route's figures in one run.
type stats struct {
	Requests, OK int
	Latencies    []time.Duration
	Failures     map[string]int // "422", "0 connection refused", …
	first, last  time.Time
}

func (s *stats) add(key string, r *vegeta.Result) {
	s.Requests++
	s.Latencies = append(s.Latencies, r.Latency)
	if s.first.IsZero() || r.Timestamp.Before(s.first) {
		s.first = r.Timestamp
	}
	if r.End().After(s.last) {
		s.last = r.End()
	}
	if succeeded(key, r) {
		s.OK++
		return
	}
	if s.Failures == nil {
		s.Failures = map[string]int{}
	}
	what := fmt.Sprint(r.Code)
	if r.Code == 0 {
		what = "0 " + r.Error
	} else if key == routeGrid && r.Code == http.StatusSeeOther {
		what = "303 to " + r.Headers.Get("Location")
	} else if ra := r.Headers.Get("Retry-After"); ra != "" {
		what += " (Retry-After " + ra + ")" // the server's answer to overload, not a crash
	}
	s.Failures[what]++
}

// quantile of the latencies (sorted by finish).
func (s *stats) quantile(q float64) time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	return s.Latencies[min(len(s.Latencies)-1, int(q*float64(len(s.Latencies))))]
}

func (s *stats) finish() {
	sort.Slice(s.Latencies, func(i, j int) bool { return s.Latencies[i] < s.Latencies[j] })
}

// Throughput is successful requests per second over the run's wall time.
func (s *stats) Throughput(wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return float64(s.OK) / wall.Seconds()
}

// attackRun is one attack: a rate (0 = closed loop of `clients`), a duration and the routes hit.
type attackRun struct {
	Name    string
	Rate    int
	Clients int
	Alone   string // the route's key when it ran alone
	Wall    time.Duration
	Routes  map[string]*stats // by route key, plus routeMixAll for the whole run
}

// attack runs one vegeta attack and gathers its results per route. Redirects are not
// followed (the grid save's 303 is its answer; a redirect to the login page is a failure).
func attack(ctx context.Context, name string, tr vegeta.Targeter, rate, clients int, dur time.Duration) *attackRun {
	opts := []func(*vegeta.Attacker){
		vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(30 * time.Second), vegeta.KeepAlive(true), vegeta.MaxBody(0),
	}
	pacer := vegeta.ConstantPacer{Freq: rate, Per: time.Second}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)))
	} else {
		opts = append(opts, vegeta.MaxWorkers(1000))
	}
	a := vegeta.NewAttacker(opts...)
	out := &attackRun{Name: name, Rate: rate, Clients: clients, Routes: map[string]*stats{routeMixAll: {}}}
	results := a.Attack(tr, pacer, dur, name)
	start := time.Now()
	for {
		select {
		case <-ctx.Done():
			a.Stop()
			for range results {
			}
			return out
		case r, ok := <-results:
			if !ok {
				out.Wall = time.Since(start)
				for _, s := range out.Routes {
					s.finish()
				}
				return out
			}
			key := routeOf(r)
			if out.Routes[key] == nil {
				out.Routes[key] = &stats{}
			}
			out.Routes[key].add(key, r)
			all := out.Routes[routeMixAll]
			all.Requests++
			all.Latencies = append(all.Latencies, r.Latency)
			if succeeded(key, r) {
				all.OK++
			}
		}
	}
}
