package aaf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// GenOptions describes the synthetic lycée written by Generate.
type GenOptions struct {
	UAI  string // establishment code (7 digits and a letter), e.g. 0330021U
	Name string // ENTStructureNomCourant; empty: a lycée name chosen from Seed
	// Number of pupils (Eleve), relatives (PersRelEleve) and staff
	// (PersEducNat) of the full export.
	Pupils, Parents, Staff int
	Seed                   int64
	// Delta writes a small change file against the full export of the same
	// options instead of the full export.
	Delta bool
	// Date is the export date, used in file names and to compute ages and
	// the school year. Zero means 1 September 2025, so that output depends
	// only on the options.
	Date time.Time
}

// maxGenCount bounds each population: identifiers have seven digits.
const maxGenCount = 8_000_000

// pupilsPerClass is the target size of a class.
const pupilsPerClass = 35

// Generate writes one ISO-8859-15 AAF file describing a synthetic lycée.
// The same options always give the same bytes.
//
// A full export holds, in this order:
//   - the establishment (EtabEducNat): ENTStructureJointure (a five-digit
//     key, used as <structure> in class, group and teaching values),
//     ENTStructureUAI, ENTStructureNomCourant, ENTStructureTypeStruct "LYC",
//     ENTServAcAcademie "BORDEAUX", ENTStructureClasses and
//     ENTStructureGroupes ("<code>$<label>");
//   - pupils (Eleve) spread over classes 2NDE1…, 1G1…, TG1… of about 35,
//     each in 1 to 3 groups (2ESP1, 1MATHS2, TSES1…), with ENTEleveMEF,
//     ENTEleveLibelleMEF, ENTPersonDateNaissance, ENTEleveMajeur and one
//     ENTElevePersRelEleve per relative of their family ("<id>$1$0$<q>$0$0",
//     q = 1 legal guardian, 2 otherwise);
//   - relatives (PersRelEleve), grouped in families shared by siblings;
//   - staff (PersEducNat): direction (DIR), CPE (EDU), administration (ADF)
//     and about 80% teachers (ENS). Teachers carry ENTAuxEnsClassesMatieres
//     and ENTAuxEnsGroupesMatieres ("<structure>$<class or group>$<subject
//     code>", six-digit subject codes such as 061300 for MATHEMATIQUES),
//     ENTAuxEnsClassesPrincipal ("<structure>$<class>", one teacher per
//     class) and PersEducNatPresenceDevantEleves "O". ENTPersonFonctions
//     uses the UAI as <structure>: "<UAI>$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES",
//     so that readers meet both kinds of structure keys.
//
// A delta export holds, for about 1% of the pupils each: deleteRequests,
// modifyRequests replacing ENTEleveClasses (a class change), and addRequests
// of new pupils joining existing families.
func Generate(w io.Writer, o GenOptions) error {
	g, err := newGenerator(o)
	if err != nil {
		return err
	}
	if o.Delta {
		return g.write(w, g.writeDelta)
	}
	return g.write(w, g.writeStructure, g.writePupils, g.writeParents, g.writeStaff)
}

// GenerateFiles writes the export of Generate as one file per category in
// dir, named like real ones (ENT_<UAI>_Complet_<YYYYMMDD>_<Category>_0001.xml,
// Delta instead of Complet for a delta export), and returns their paths in
// the order EtabEducNat, Eleve, PersRelEleve, PersEducNat. In a delta export
// only the Eleve file has entries. On error, it returns the paths of the
// files already written, so that the caller may remove them.
func GenerateFiles(dir string, o GenOptions) ([]string, error) {
	g, err := newGenerator(o)
	if err != nil {
		return nil, err
	}
	kind := "Complet"
	if o.Delta {
		kind = "Delta"
	}
	files := []struct {
		cat  Category
		part func(*xmlOut)
	}{
		{CategoryEtabEducNat, g.writeStructure},
		{CategoryEleve, g.writePupils},
		{CategoryPersRelEleve, g.writeParents},
		{CategoryPersEducNat, g.writeStaff},
	}
	paths := make([]string, 0, len(files))
	for _, f := range files {
		part := f.part
		if o.Delta {
			part = nil
			if f.cat == CategoryEleve {
				part = g.writeDelta
			}
		}
		name := fmt.Sprintf("ENT_%s_%s_%s_%s_0001.xml", o.UAI, kind, g.date.Format("20060102"), f.cat)
		path := filepath.Join(dir, name)
		if err := g.writeFile(path, part); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func (g *generator) writeFile(path string, part func(*xmlOut)) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("aaf: create %s: %w", path, err)
	}
	var parts []func(*xmlOut)
	if part != nil {
		parts = append(parts, part)
	}
	if err := g.write(f, parts...); err != nil {
		return errors.Join(fmt.Errorf("aaf: write %s: %w", path, err), f.Close())
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("aaf: close %s: %w", path, err)
	}
	return nil
}

// write writes an AAF document holding the given parts.
func (g *generator) write(w io.Writer, parts ...func(*xmlOut)) error {
	tw := transform.NewWriter(w, charmap.ISO8859_15.NewEncoder())
	bw := bufio.NewWriterSize(tw, 64<<10)
	x := &xmlOut{w: bw, esc: g.esc}
	bw.WriteString("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n<" + rootName + ">\n")
	for _, p := range parts {
		p(x)
	}
	bw.WriteString("</" + rootName + ">\n")
	// bufio.Writer keeps the first error of the writes above.
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("aaf: write export: %w", err)
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("aaf: write export: %w", err)
	}
	return nil
}

func (g *generator) writeStructure(x *xmlOut) {
	classes := make([]string, len(g.classes))
	for i, c := range g.classes {
		classes[i] = c.code + "$" + c.label
	}
	groups := make([]string, len(g.groups))
	for i, d := range g.groups {
		groups[i] = d.code + "$" + d.label
	}
	x.add(CategoryEtabEducNat, g.key, []attr{
		{"ENTStructureJointure", []string{g.key}},
		{"ENTStructureUAI", []string{g.o.UAI}},
		{"ENTStructureNomCourant", []string{g.name}},
		{"ENTStructureTypeStruct", []string{"LYC"}},
		{"ENTServAcAcademie", []string{"BORDEAUX"}},
		{"ENTStructureClasses", classes},
		{"ENTStructureGroupes", groups},
	})
}

func (g *generator) writePupils(x *xmlOut) {
	for i := range g.o.Pupils {
		x.add(CategoryEleve, g.id(1, i), g.pupil(i, familyOf(g.famPupils, i)))
	}
}

func (g *generator) writeParents(x *xmlOut) {
	for j := range g.o.Parents {
		x.add(CategoryPersRelEleve, g.id(2, j), g.parent(j))
	}
}

func (g *generator) writeStaff(x *xmlOut) {
	for s := range g.staff {
		x.add(CategoryPersEducNat, g.id(3, s), g.staffAttrs(s))
	}
}

// writeDelta writes deletions, class changes and new pupils, about 1% of
// the pupils each.
func (g *generator) writeDelta(x *xmlOut) {
	r := g.rng(streamDelta, 0)
	p := g.o.Pupils
	n := max(1, p/100)
	nMod := min(n, p)
	if len(g.classes) < 2 {
		nMod = 0
	}
	nDel := min(n, p-nMod)
	picked := pickDistinct(r, p, nMod+nDel)
	for _, i := range picked[nMod:] {
		x.request("deleteRequest", CategoryEleve, g.id(1, i))
		x.close("deleteRequest")
	}
	for _, i := range picked[:nMod] {
		from := g.classOf(i)
		to := g.otherClass(r, from)
		x.request("modifyRequest", CategoryEleve, g.id(1, i))
		x.mods([]Modification{{Attr: "ENTEleveClasses", Operation: ModReplace, Values: []string{g.key + "$" + g.classes[to].code}}})
		x.close("modifyRequest")
	}
	if len(g.classes) == 0 {
		return
	}
	for k := range n {
		fam := -1
		if f := g.families(); f > 0 {
			fam = r.intn(f)
		}
		x.add(CategoryEleve, g.id(1, p+k), g.pupil(p+k, fam))
	}
}

// otherClass returns a class other than from, of the same level when there
// is one. There must be at least two classes.
func (g *generator) otherClass(r *rng, from int) int {
	var same []int
	for _, c := range g.levelClasses[g.classes[from].level] {
		if c != from {
			same = append(same, c)
		}
	}
	if len(same) > 0 {
		return same[r.intn(len(same))]
	}
	return (from + 1 + r.intn(len(g.classes)-1)) % len(g.classes)
}

// pickDistinct returns k distinct integers of [0, n) in random order.
func pickDistinct(r *rng, n, k int) []int {
	moved := make(map[int]int, k) // sparse Fisher-Yates: position → value
	at := func(i int) int {
		if v, ok := moved[i]; ok {
			return v
		}
		return i
	}
	out := make([]int, k)
	for i := range k {
		j := i + r.intn(n-i)
		out[i] = at(j)
		moved[j] = at(i)
	}
	return out
}

func (g *generator) classOf(i int) int { return i % len(g.classes) }

// pupil returns the attributes of pupil i, member of family fam (-1: none).
func (g *generator) pupil(i, fam int) []attr {
	r := g.rng(streamPupil, uint64(i))
	female := r.intn(2) == 0
	given := g.pick(r, female)
	surname := g.surnames[r.intn(len(g.surnames))]
	var relations []string
	if fam >= 0 {
		fi := g.family(fam)
		surname = fi.surname
		for j := g.famParents[fam]; j < g.famParents[fam+1]; j++ {
			q := fi.quality(j - g.famParents[fam])
			relations = append(relations, g.id(2, j)+"$1$0$"+strconv.Itoa(q)+"$0$0")
		}
	}
	attrs := []attr{
		{"ENTPersonJointure", []string{g.id(1, i)}},
		{"sn", []string{surname}},
		{"givenName", []string{given}},
		{"ENTPersonStructRattach", []string{g.key}},
	}
	if len(g.classes) == 0 {
		return append(attrs, attr{"ENTElevePersRelEleve", relations})
	}
	c := g.classes[g.classOf(i)]
	lv := g.levels[c.level]
	year := g.year - lv.age
	switch v := r.intn(100); {
	case v < 8:
		year-- // repeated a year
	case v < 11:
		year++ // skipped a year
	}
	birth := g.birth(r, year)
	adult := "N"
	if !birth.AddDate(18, 0, 0).After(g.date) {
		adult = "O"
	}
	opts := g.levelOptions[c.level]
	order := make([]int, len(opts))
	for k := range order {
		order[k] = k
	}
	r.shuffle(order)
	var groups []string
	for _, o := range order[:min(len(order), 1+r.intn(3))] {
		groups = append(groups, g.key+"$"+g.groups[opts[o][r.intn(len(opts[o]))]].code)
	}
	return append(attrs,
		attr{"ENTPersonDateNaissance", []string{birth.Format("02/01/2006")}},
		attr{"ENTEleveMajeur", []string{adult}},
		attr{"ENTEleveMEF", []string{lv.mef}},
		attr{"ENTEleveLibelleMEF", []string{lv.mefLabel}},
		attr{"ENTEleveClasses", []string{g.key + "$" + c.code}},
		attr{"ENTEleveGroupes", groups},
		attr{"ENTElevePersRelEleve", relations},
	)
}

// familyInfo is what pupils and relatives of one family share.
type familyInfo struct {
	surname      string
	firstFemale  bool // the first relative is a woman
	otherSurname bool // the second relative has another surname
	secondLegal  bool // the second relative is a legal guardian
}

func (g *generator) family(f int) familyInfo {
	r := g.rng(streamFamily, uint64(f))
	return familyInfo{
		surname:      g.surnames[r.intn(len(g.surnames))],
		firstFemale:  r.intn(2) == 0,
		otherSurname: r.intn(2) == 0,
		secondLegal:  r.intn(10) != 0,
	}
}

// quality returns the ENTElevePersRelEleve quality of the k-th relative of
// the family: 1 (legal guardian) for the first one and most second ones, 2
// for the others.
func (fi familyInfo) quality(k int) int {
	if k == 0 || (k == 1 && fi.secondLegal) {
		return 1
	}
	return 2
}

func (g *generator) parent(j int) []attr {
	r := g.rng(streamParent, uint64(j))
	female := r.intn(2) == 0
	surname := g.surnames[r.intn(len(g.surnames))]
	if fam := familyOf(g.famParents, j); fam >= 0 {
		fi := g.family(fam)
		switch k := j - g.famParents[fam]; {
		case k == 0:
			female, surname = fi.firstFemale, fi.surname
		case k == 1:
			female = !fi.firstFemale || r.intn(8) == 0
			if !fi.otherSurname {
				surname = fi.surname
			}
		}
	}
	return []attr{
		{"ENTPersonJointure", []string{g.id(2, j)}},
		{"personalTitle", []string{title(female)}},
		{"sn", []string{surname}},
		{"givenName", []string{g.pick(r, female)}},
		{"ENTPersonDateNaissance", []string{g.birth(r, g.year-33-r.intn(22)).Format("02/01/2006")}},
		{"ENTPersonStructRattach", []string{g.key}},
	}
}

func (g *generator) staffAttrs(s int) []attr {
	m := g.staff[s]
	r := g.rng(streamStaff, uint64(s))
	female := r.intn(2) == 0
	function := g.o.UAI + "$" + m.role.function()
	front := "N"
	if m.role == roleTeacher {
		sub := g.subjects[m.subject]
		function += "$" + sub.discipline + "$" + sub.disciplineLabel
		front = "O"
	}
	attrs := []attr{
		{"ENTPersonJointure", []string{g.id(3, s)}},
		{"personalTitle", []string{title(female)}},
		{"sn", []string{g.surnames[r.intn(len(g.surnames))]}},
		{"givenName", []string{g.pick(r, female)}},
		{"ENTPersonDateNaissance", []string{g.birth(r, g.year-25-r.intn(38)).Format("02/01/2006")}},
		{"ENTPersonStructRattach", []string{g.key}},
		{"ENTPersonFonctions", []string{function}},
		{"PersEducNatPresenceDevantEleves", []string{front}},
	}
	if m.role != roleTeacher {
		return attrs
	}
	var classes, groups, principal []string
	for _, ci := range m.classes {
		c := g.courses[ci]
		classes = append(classes, g.key+"$"+g.classes[c.class].code+"$"+g.subjects[c.subject].code)
	}
	for _, gi := range m.groups {
		d := g.groups[gi]
		groups = append(groups, g.key+"$"+d.code+"$"+g.subjects[d.subject].code)
	}
	for _, c := range m.principal {
		principal = append(principal, g.key+"$"+g.classes[c].code)
	}
	return append(attrs,
		attr{"ENTAuxEnsClassesMatieres", classes},
		attr{"ENTAuxEnsGroupesMatieres", groups},
		attr{"ENTAuxEnsClassesPrincipal", principal},
	)
}

func title(female bool) string {
	if female {
		return "Mme"
	}
	return "M."
}

func (g *generator) pick(r *rng, female bool) string {
	if female {
		return g.female[r.intn(len(g.female))]
	}
	return g.male[r.intn(len(g.male))]
}

func (g *generator) birth(r *rng, year int) time.Time {
	return time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.intn(365))
}

// id returns the identifier (and ENTPersonJointure) of the i-th person of a
// kind: 1 pupils, 2 relatives, 3 staff. Identifiers have eight digits, the
// first one being the kind, and depend on Seed and UAI.
func (g *generator) id(kind, i int) string {
	n := 1_000_000 + (g.base[kind]+uint64(i))%maxGenCount
	return strconv.Itoa(kind) + strconv.FormatUint(n, 10)
}

// attr is one attribute to write.
type attr struct {
	name   string
	values []string
}

// xmlOut writes AAF requests. Write errors are kept by the bufio.Writer and
// reported by its Flush.
type xmlOut struct {
	w   *bufio.Writer
	esc *strings.Replacer
}

func (x *xmlOut) add(cat Category, id string, attrs []attr) {
	x.request("addRequest", cat, id)
	x.w.WriteString("  <attributes>\n")
	for _, a := range attrs {
		if len(a.values) == 0 {
			continue
		}
		x.w.WriteString(`    <attr name="` + a.name + `">`)
		x.values(a.values)
		x.w.WriteString("</attr>\n")
	}
	x.w.WriteString("  </attributes>\n")
	x.close("addRequest")
}

func (x *xmlOut) request(tag string, cat Category, id string) {
	name := "categoriePersonne"
	if cat == CategoryEtabEducNat {
		name = "categorieStructure"
	}
	x.w.WriteString("<" + tag + ">\n  <operationalAttributes><attr name=\"" + name + "\"><value>" +
		string(cat) + "</value></attr></operationalAttributes>\n  <identifier><id>")
	x.esc.WriteString(x.w, id)
	x.w.WriteString("</id></identifier>\n")
}

func (x *xmlOut) mods(mods []Modification) {
	x.w.WriteString("  <modifications>\n")
	for _, m := range mods {
		x.w.WriteString(`    <modification name="` + m.Attr + `" operation="` + m.Operation + `">`)
		x.values(m.Values)
		x.w.WriteString("</modification>\n")
	}
	x.w.WriteString("  </modifications>\n")
}

func (x *xmlOut) values(values []string) {
	for _, v := range values {
		x.w.WriteString("<value>")
		x.esc.WriteString(x.w, v)
		x.w.WriteString("</value>")
	}
}

func (x *xmlOut) close(tag string) { x.w.WriteString("</" + tag + ">\n") }
