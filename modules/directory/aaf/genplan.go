package aaf

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// generator holds the plan of one synthetic lycée: everything shared by
// several entries. Entries themselves are computed one at a time, each from
// its own random stream, so that output is streamed.
type generator struct {
	o    GenOptions
	date time.Time
	year int    // first calendar year of the school year
	key  string // ENTStructureJointure
	name string
	seed uint64
	base [4]uint64 // per kind of person: offset of identifiers
	esc  *strings.Replacer

	female, male, surnames []string
	levels                 []level
	subjects               []subject
	classes                []division
	groups                 []division
	levelClasses           [][]int   // per level: class indexes
	levelOptions           [][][]int // per level, per option: group indexes
	famPupils, famParents  []int     // per family f: pupils [famPupils[f], famPupils[f+1]), same for relatives
	courses                []course  // subjects taught to whole classes
	staff                  []staffMember
}

// division is a class or a group.
type division struct {
	code, label string
	level       int
	subject     int // groups: the subject taught; classes: -1
}

type staffMember struct {
	role      staffRole
	subject   int   // teachers
	classes   []int // teachers: indexes into generator.courses
	groups    []int // teachers: group indexes
	principal []int // teachers: class indexes
}

// course is one subject taught to one class.
type course struct{ class, subject int }

// Random streams: each entry draws from its own stream.
const (
	streamPlan uint64 = iota + 1
	streamFamily
	streamPupil
	streamParent
	streamStaff
	streamDelta
)

func newGenerator(o GenOptions) (*generator, error) {
	if !validUAI(o.UAI) {
		return nil, fmt.Errorf("aaf: invalid UAI %q: seven digits and an upper-case letter expected", o.UAI)
	}
	for _, c := range []struct {
		what string
		n    int
	}{{"pupils", o.Pupils}, {"parents", o.Parents}, {"staff", o.Staff}} {
		if c.n < 0 || c.n > maxGenCount {
			return nil, fmt.Errorf("aaf: number of %s %d out of range [0, %d]", c.what, c.n, maxGenCount)
		}
	}
	h := fnv.New64a()
	h.Write([]byte(o.UAI)) // never fails
	g := &generator{
		o:        o,
		date:     o.Date,
		seed:     mix(uint64(o.Seed)) ^ h.Sum64(),
		esc:      strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;"),
		female:   fields(femaleNames),
		male:     fields(maleNames),
		surnames: fields(surnames),
		levels:   levels(),
		subjects: subjects(),
	}
	if g.date.IsZero() {
		g.date = time.Date(2025, time.September, 1, 0, 0, 0, 0, time.UTC)
	}
	g.year = g.date.Year()
	if g.date.Month() < time.August {
		g.year--
	}
	for kind := range g.base {
		g.base[kind] = mix(g.seed^uint64(kind)<<8) % maxGenCount
	}
	g.key = strconv.FormatUint(10000+mix(g.seed^1)%90000, 10)
	g.name = o.Name
	if g.name == "" {
		names := strings.Split(schoolNames, "|")
		g.name = "Lycée " + names[mix(g.seed^2)%uint64(len(names))]
	}
	r := g.rng(streamPlan, 0)
	g.planDivisions()
	g.planFamilies(r)
	g.planStaff()
	return g, nil
}

func validUAI(s string) bool {
	if len(s) != 8 || s[7] < 'A' || s[7] > 'Z' {
		return false
	}
	for _, c := range s[:7] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (g *generator) subjectIndex(key string) int {
	for i, s := range g.subjects {
		if s.key == key {
			return i
		}
	}
	panic("aaf: unknown subject key " + key) // a bug in gendata.go
}

// planDivisions creates about one class per 35 pupils, spread over the three
// levels, and per level one to a few groups per option.
func (g *generator) planDivisions() {
	n := (g.o.Pupils + pupilsPerClass - 1) / pupilsPerClass
	g.levelClasses = make([][]int, len(g.levels))
	g.levelOptions = make([][][]int, len(g.levels))
	for l, lv := range g.levels {
		count := n / len(g.levels)
		if l < n%len(g.levels) {
			count++
		}
		for k := 1; k <= count; k++ {
			g.levelClasses[l] = append(g.levelClasses[l], len(g.classes))
			g.classes = append(g.classes, division{
				code:  lv.code + strconv.Itoa(k),
				label: lv.label + " " + strconv.Itoa(k),
				level: l, subject: -1,
			})
		}
		if count == 0 {
			continue
		}
		perOption := max(1, count/2)
		for _, key := range fields(lv.options) {
			s := g.subjectIndex(key)
			var idx []int
			for k := 1; k <= perOption; k++ {
				idx = append(idx, len(g.groups))
				g.groups = append(g.groups, division{
					code:  lv.prefix + key + strconv.Itoa(k),
					label: g.subjects[s].label + " " + lv.code + " GROUPE " + strconv.Itoa(k),
					level: l, subject: s,
				})
			}
			g.levelOptions[l] = append(g.levelOptions[l], idx)
		}
	}
}

// planFamilies groups pupils and relatives in families: a family has at
// least one pupil and one relative; siblings share relatives. There are
// about 1.25 pupils per family and at most 3 when relatives allow it.
func (g *generator) planFamilies(r *rng) {
	p, q := g.o.Pupils, g.o.Parents
	if p == 0 || q == 0 {
		return
	}
	f := (p*4 + 2) / 5
	f = max(f, (p+2)/3)
	f = max(1, min(f, p, q))
	g.famPupils = prefixSums(spread(r, p, f))
	g.famParents = prefixSums(spread(r, q, f))
}

// spread splits total into n parts of at least 1, as even as possible:
// parts reach k+1 only once all parts have reached k, in random order.
func spread(r *rng, total, n int) []int {
	parts := make([]int, n)
	order := make([]int, n)
	for i := range parts {
		parts[i] = 1
		order[i] = i
	}
	for extra := total - n; extra > 0; {
		r.shuffle(order)
		for _, i := range order {
			if extra == 0 {
				break
			}
			parts[i]++
			extra--
		}
	}
	return parts
}

func prefixSums(parts []int) []int {
	s := make([]int, len(parts)+1)
	for i, v := range parts {
		s[i+1] = s[i] + v
	}
	return s
}

func (g *generator) families() int { return max(0, len(g.famPupils)-1) }

// familyOf returns the family of item i given the family prefix sums, or -1.
func familyOf(sums []int, i int) int {
	n := len(sums) - 1
	if n <= 0 {
		return -1
	}
	f := sort.Search(n, func(f int) bool { return sums[f+1] > i })
	if f == n {
		return -1
	}
	return f
}

// classCourses lists the subjects taught to whole classes.
func (g *generator) classCourses() []course {
	var cs []course
	for c, d := range g.classes {
		for _, key := range fields(g.levels[d.level].class) {
			cs = append(cs, course{class: c, subject: g.subjectIndex(key)})
		}
	}
	return cs
}

// planStaff decides roles, then shares teachers among subjects in
// proportion to the weekly hours to teach, then classes and groups among
// the teachers of each subject, and one principal teacher per class.
func (g *generator) planStaff() {
	s := g.o.Staff
	nDir := min(s, 1)
	if s >= 40 {
		nDir = 2
	}
	nCPE := 0
	if s >= 3 {
		nCPE = 1 + s/60
	}
	nAdmin := s * 15 / 100
	nTeach := s - nDir - nCPE - nAdmin
	for range nDir {
		g.staff = append(g.staff, staffMember{role: roleDirection, subject: -1})
	}
	for range nCPE {
		g.staff = append(g.staff, staffMember{role: roleCPE, subject: -1})
	}
	for range nAdmin {
		g.staff = append(g.staff, staffMember{role: roleAdmin, subject: -1})
	}

	g.courses = g.classCourses()
	courses := g.courses
	demand := make([]int, len(g.subjects))
	for _, c := range courses {
		demand[c.subject] += g.subjects[c.subject].hours
	}
	for _, d := range g.groups {
		demand[d.subject] += g.subjects[d.subject].hours
	}
	alloc := allocate(demand, nTeach)
	bySubject := make([][]int, len(g.subjects)) // staff indexes
	for subj, n := range alloc {
		for range n {
			bySubject[subj] = append(bySubject[subj], len(g.staff))
			g.staff = append(g.staff, staffMember{role: roleTeacher, subject: subj})
		}
	}
	// Remaining teachers (no course at all, e.g. no pupils) teach maths.
	for len(g.staff) < s {
		g.staff = append(g.staff, staffMember{role: roleTeacher, subject: g.subjectIndex("MATHS")})
	}
	next := make([]int, len(g.subjects))
	teachersOf := make([][]int, len(g.classes))
	for ci, c := range courses {
		ts := bySubject[c.subject]
		if len(ts) == 0 {
			continue
		}
		t := ts[next[c.subject]%len(ts)]
		next[c.subject]++
		g.staff[t].classes = append(g.staff[t].classes, ci)
		teachersOf[c.class] = append(teachersOf[c.class], t)
	}
	for gi, d := range g.groups {
		ts := bySubject[d.subject]
		if len(ts) == 0 {
			continue
		}
		t := ts[next[d.subject]%len(ts)]
		next[d.subject]++
		g.staff[t].groups = append(g.staff[t].groups, gi)
	}
	for c, ts := range teachersOf {
		best := -1
		for _, t := range ts {
			if best < 0 || len(g.staff[t].principal) < len(g.staff[best].principal) {
				best = t
			}
		}
		if best >= 0 {
			g.staff[best].principal = append(g.staff[best].principal, c)
		}
	}
}

// allocate shares n teachers among subjects in proportion to demand, at
// least one per subject in demand when there are enough teachers.
func allocate(demand []int, n int) []int {
	alloc := make([]int, len(demand))
	var active []int
	total := 0
	for i, d := range demand {
		if d > 0 {
			active = append(active, i)
			total += d
		}
	}
	if n <= 0 || total == 0 {
		return alloc
	}
	if n < len(active) {
		sort.SliceStable(active, func(a, b int) bool { return demand[active[a]] > demand[active[b]] })
		for _, i := range active[:n] {
			alloc[i] = 1
		}
		return alloc
	}
	rest := n - len(active)
	type rem struct{ i, r int }
	var rems []rem
	given := 0
	for _, i := range active {
		q := rest * demand[i]
		alloc[i] = 1 + q/total
		given += q / total
		rems = append(rems, rem{i, q % total})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < rest; k++ {
		alloc[rems[k].i]++
		given++
	}
	return alloc
}

// rng is a small deterministic random source. It only uses the PCG
// generator's raw output, whose sequence is fixed by its algorithm, so that
// output does not change with the Go version.
type rng struct{ src rand.PCG }

func (g *generator) rng(stream, index uint64) *rng {
	r := &rng{}
	hi := mix(g.seed ^ mix(stream))
	r.src.Seed(hi, mix(hi^index))
	return r
}

func (r *rng) intn(n int) int { return int(r.src.Uint64() % uint64(n)) }

func (r *rng) shuffle(s []int) {
	for i := len(s) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}

// mix is the SplitMix64 finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
