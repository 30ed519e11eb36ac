package aaf_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/directory/aaf"
)

const fileName = "ENT_0330021U_Complet_Eleve_0001.xml"

// sample is an ISO-8859-15 document: 0xE8 è, 0xE9 é, 0xFB û, 0xA4 € and
// 0xBD œ (the last two differ from ISO-8859-1).
const sample = "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n" + // 1
	"<ficAlimMENESR>\n" + // 2
	"<addRequest>\n" + // 3
	"  <operationalAttributes><attr name=\"categoriePersonne\"><value>Eleve</value></attr></operationalAttributes>\n" +
	"  <identifier><id>1234567</id></identifier>\n" +
	"  <attributes>\n" +
	"    <attr name=\"ENTPersonJointure\"><value>1234567</value></attr>\n" +
	"    <attr name=\"sn\"><value>Lef\xe8vre</value></attr>\n" +
	"    <attr name=\"givenName\"><value>Zo\xe9</value></attr>\n" +
	"    <attr name=\"ENTEleveClasses\"><value>0330021U$2NDE3</value></attr>\n" +
	"    <attr name=\"ENTEleveGroupes\"><value>0330021U$2ESP1</value><value>0330021U$2LAT</value></attr>\n" +
	"    <attr name=\"ENTElevePersRelEleve\"><value>2345678$1$0$1$0$0</value><value>2345679$1$0$2$0$0</value></attr>\n" +
	"    <attr name=\"ENTEleveGroupes\"><value>0330021U$2EURO</value></attr>\n" +
	"    <attr name=\"commentaire\"><value> Co\xfbt : 3,50 \xa4 ; \xbduvre </value></attr>\n" +
	"    <attr name=\"vide\"><value></value><value/></attr>\n" +
	"  </attributes>\n" +
	"</addRequest>\n" +
	"<!-- a modification in the form found in real delta files -->\n" + // 18
	"<modifyRequest>\n" + // 19
	"  <operationalAttributes><attr name=\"categoriePersonne\"><value>Eleve</value></attr></operationalAttributes>\n" +
	"  <identifier><id>1234567</id></identifier>\n" +
	"  <modifications>\n" +
	"    <modification name=\"ENTEleveClasses\" operation=\"replace\"><value>0330021U$2NDE4</value></modification>\n" +
	"    <modification name=\"ENTEleveGroupes\" operation=\"delete\"><value>0330021U$2LAT</value></modification>\n" +
	"    <modification name=\"ENTEleveGroupes\" operation=\"add\"></modification>\n" +
	"  </modifications>\n" +
	"</modifyRequest>\n" +
	"<modifyRequest>\n" + // 28
	"  <operationalAttributes><attr name=\"categoriePersonne\"><value>PersRelEleve</value></attr></operationalAttributes>\n" +
	"  <identifier><id>2345678</id></identifier>\n" +
	"  <attributes><attr name=\"sn\"><value>B\xe9nard</value></attr></attributes>\n" +
	"</modifyRequest>\n" +
	"<deleteRequest>\n" + // 33
	"  <operationalAttributes><attr name=\"categoriePersonne\"><value>Eleve</value></attr></operationalAttributes>\n" +
	"  <identifier>\n    <id>7654321</id>\n  </identifier>\n" +
	"</deleteRequest>\n" +
	"<addRequest><operationalAttributes><attr name=\"categorieStructure\"><value>EtabEducNat</value></attr>" + // 39
	"</operationalAttributes><identifier><id>12345</id></identifier><attributes>" +
	"<attr name=\"ENTStructureUAI\"><value>0330021U</value></attr></attributes><extension><x/></extension></addRequest>\n" +
	"</ficAlimMENESR>\n"

func readAll(t testing.TB, doc []byte, name string) []*aaf.Entry {
	t.Helper()
	r := aaf.NewReader(bytes.NewReader(doc), name)
	var entries []*aaf.Entry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return entries
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		entries = append(entries, e)
	}
}

func TestReaderSample(t *testing.T) {
	entries := readAll(t, []byte(sample), fileName)
	want := []*aaf.Entry{
		{
			Op: aaf.OpAdd, Category: aaf.CategoryEleve, ID: "1234567", Line: 3,
			Attrs: map[string][]string{
				"ENTPersonJointure":    {"1234567"},
				"sn":                   {"Lefèvre"},
				"givenName":            {"Zoé"},
				"ENTEleveClasses":      {"0330021U$2NDE3"},
				"ENTEleveGroupes":      {"0330021U$2ESP1", "0330021U$2LAT", "0330021U$2EURO"},
				"ENTElevePersRelEleve": {"2345678$1$0$1$0$0", "2345679$1$0$2$0$0"},
				"commentaire":          {"Coût : 3,50 € ; œuvre"},
				"vide":                 {"", ""},
			},
		},
		{
			Op: aaf.OpModify, Category: aaf.CategoryEleve, ID: "1234567", Line: 19,
			Mods: []aaf.Modification{
				{Attr: "ENTEleveClasses", Operation: "replace", Values: []string{"0330021U$2NDE4"}},
				{Attr: "ENTEleveGroupes", Operation: "delete", Values: []string{"0330021U$2LAT"}},
				{Attr: "ENTEleveGroupes", Operation: "add"},
			},
		},
		{
			Op: aaf.OpModify, Category: aaf.CategoryPersRelEleve, ID: "2345678", Line: 28,
			Attrs: map[string][]string{"sn": {"Bénard"}},
		},
		{Op: aaf.OpDelete, Category: aaf.CategoryEleve, ID: "7654321", Line: 33},
		{
			Op: aaf.OpAdd, Category: aaf.CategoryEtabEducNat, ID: "12345", Line: 39,
			Attrs: map[string][]string{"ENTStructureUAI": {"0330021U"}},
		},
	}
	if len(entries) != len(want) {
		t.Fatalf("got %d entries, want %d", len(entries), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(entries[i], want[i]) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, entries[i], want[i])
		}
	}
	if got := entries[0].First("ENTEleveGroupes"); got != "0330021U$2ESP1" {
		t.Errorf("First(ENTEleveGroupes) = %q", got)
	}
	if got := entries[0].First("absent"); got != "" {
		t.Errorf("First(absent) = %q", got)
	}
	if got := entries[3].First("sn"); got != "" {
		t.Errorf("First on a deleteRequest = %q", got)
	}
}

func TestReaderEncodings(t *testing.T) {
	doc := func(decl, name string) []byte {
		return []byte(decl + "<ficAlimMENESR><addRequest><operationalAttributes><attr name=\"categoriePersonne\">" +
			"<value>PersEducNat</value></attr></operationalAttributes><identifier><id>1</id></identifier>" +
			"<attributes><attr name=\"givenName\"><value>" + name + "</value></attr></attributes></addRequest></ficAlimMENESR>")
	}
	tests := []struct {
		name string
		doc  []byte
		want string
	}{
		{"utf-8 declared", doc(`<?xml version="1.0" encoding="UTF-8"?>`, "Éléonore Noël"), "Éléonore Noël"},
		{"no declaration is utf-8", doc("", "Éléonore"), "Éléonore"},
		{"utf-8 with byte order mark", doc("\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", "Zoé"), "Zoé"},
		{"iso-8859-1", doc(`<?xml version="1.0" encoding="ISO-8859-1"?>`, "\xc9l\xe9onore \xbc"), "Éléonore ¼"},
		{"iso-8859-15 lower case", doc(`<?xml version="1.0" encoding="iso-8859-15"?>`, "\xc9l\xe9onore \xbc"), "Éléonore Œ"},
		{"latin9 alias", doc(`<?xml version="1.0" encoding="latin9"?>`, "B\xe9n\xe9dicte \xa4"), "Bénédicte €"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := readAll(t, tt.doc, fileName)
			if len(entries) != 1 {
				t.Fatalf("got %d entries", len(entries))
			}
			if got := entries[0].First("givenName"); got != tt.want {
				t.Errorf("givenName = %q, want %q", got, tt.want)
			}
		})
	}
}

const head = "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n<ficAlimMENESR>\n" // lines 1-2

const opEleve = "<operationalAttributes><attr name=\"categoriePersonne\"><value>Eleve</value></attr></operationalAttributes>\n"

func TestReaderErrors(t *testing.T) {
	valid := "<addRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n</addRequest>\n" // 4 lines
	many := strings.Repeat("<value>x</value>", aaf.MaxValues+1)
	tests := []struct {
		name string
		doc  string
		line int
		msg  string
	}{
		{"empty file", "", 1, "fichier vide"},
		{"prolog only", "<?xml version=\"1.0\"?>\n\n", 3, "fichier vide"},
		{"wrong root", "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n<annuaire>\n</annuaire>\n", 2, "élément racine <annuaire> inattendu"},
		{"unknown request", head + valid + "<searchRequest>\n</searchRequest>\n</ficAlimMENESR>\n", 7, "type de requête <searchRequest> inconnu"},
		{"missing identifier", head + valid + "<addRequest>\n" + opEleve + "<attributes/>\n</addRequest>\n</ficAlimMENESR>\n", 7, "sans identifiant"},
		{"empty id", head + "<deleteRequest>\n" + opEleve + "<identifier><id> </id></identifier>\n</deleteRequest>\n</ficAlimMENESR>\n", 3, "sans identifiant"},
		{"missing category", head + valid + valid + "<addRequest>\n<identifier><id>9</id></identifier>\n</addRequest>\n</ficAlimMENESR>\n", 11, "sans catégorie"},
		{"attr without name", head + "<addRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n<attributes>\n<attr><value>x</value></attr>\n</attributes>\n</addRequest>\n</ficAlimMENESR>\n", 7, "balise <attr> sans attribut name"},
		{"unknown operation", head + "<modifyRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n<modifications>\n\n<modification name=\"sn\" operation=\"upsert\"><value>x</value></modification>\n</modifications>\n</modifyRequest>\n</ficAlimMENESR>\n", 8, "opération \"upsert\" inconnue"},
		{"element in value", head + "<addRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n<attributes><attr name=\"sn\"><value>a<b/></value></attr></attributes>\n</addRequest>\n</ficAlimMENESR>\n", 6, "balise <b> inattendue dans <value>"},
		{"text outside value", head + "<addRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n<attributes><attr name=\"sn\">\nDUPONT</attr></attributes>\n</addRequest>\n</ficAlimMENESR>\n", 7, "texte hors de <value>"},
		{"truncated file", head + valid + "<addRequest>\n" + opEleve + "<identifier><id>2</id></identifier>\n<attributes>\n<attr name=\"sn\"><value>DUP", 11, "fichier tronqué"},
		{"missing root end", head + valid, 7, "fichier tronqué"},
		{"mismatched tag", head + valid + "<addRequest>\n" + opEleve + "<identifier><id>2</id></id>\n</addRequest>\n</ficAlimMENESR>\n", 9, "XML invalide : la balise <identifier> est fermée par </id>"},
		{"unknown entity", head + "\n\n<addRequest>&eacute;</addRequest></ficAlimMENESR>", 5, "XML invalide : entité &eacute; inconnue"},
		{"unknown encoding", "<?xml version=\"1.0\" encoding=\"EBCDIC-FR\"?>\n<ficAlimMENESR/>\n", 1, "encodage \"EBCDIC-FR\" non pris en charge"},
		{"latin-1 bytes without declaration", "<ficAlimMENESR>\n<addRequest>\n" + opEleve + "<identifier><id>Zo\xe9</id></identifier></addRequest></ficAlimMENESR>", 4, "XML invalide"},
		{"text in root", head + valid + "bonjour\n</ficAlimMENESR>\n", 7, "texte inattendu dans <ficAlimMENESR>"},
		{"element after root", head + "</ficAlimMENESR>\n\n<addRequest/>\n", 5, "après la fin de l'élément racine"},
		{"too many values", head + "<addRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n<attributes><attr name=\"x\">" + many + "</attr></attributes></addRequest></ficAlimMENESR>", 6, "plus de 10000 valeurs"},
		{"value too long", head + "<addRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n<attributes>\n<attr name=\"x\"><value>" + strings.Repeat("a", aaf.MaxValueBytes+1) + "</value></attr></attributes></addRequest></ficAlimMENESR>", 7, "valeur de plus de 65536 octets"},
		{"entry too large", head + "<addRequest>\n<!-- " + strings.Repeat("comment ", aaf.MaxEntryBytes/8+10000) + " -->\n</addRequest></ficAlimMENESR>", 4, "requête trop volumineuse"},
		{"unknown element in attributes", head + "<addRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n<attributes>\n<atr name=\"sn\"><value>x</value></atr></attributes></addRequest></ficAlimMENESR>", 7, "balise <atr> inattendue dans <attributes>"},
		{"utf-8 declared iso-8859-15", head + "<addRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n<attributes><attr name=\"sn\"><value>Lef\xc3\xa8vre</value></attr></attributes></addRequest></ficAlimMENESR>", 6, "se déclare en ISO-8859-15 mais il est encodé en UTF-8"},
		{"too deep", head + "<addRequest>\n" + opEleve + "<identifier><id>1</id></identifier>\n<ext>" + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + "</ext></addRequest></ficAlimMENESR>", 6, "imbriqué sur plus de 64 niveaux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := aaf.NewReader(strings.NewReader(tt.doc), fileName)
			var err error
			for range 10 {
				if _, err = r.Next(); err != nil {
					break
				}
			}
			var se *aaf.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v (%T), want *aaf.SyntaxError", err, err)
			}
			if se.File != fileName || se.Line != tt.line || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("error = %q (line %d), want line %d and %q", err, se.Line, tt.line, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("%s, ligne %d : ", fileName, se.Line)) {
				t.Errorf("Error() = %q", err)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("second Next = %v, want the same error", again)
			}
		})
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestReaderIOError(t *testing.T) {
	cause := errors.New("disk on fire")
	r := aaf.NewReader(io.MultiReader(strings.NewReader(head), failingReader{cause}), fileName)
	_, err := r.Next()
	var se *aaf.SyntaxError
	if !errors.As(err, &se) || !errors.Is(err, cause) || !strings.Contains(se.Msg, "lecture du fichier interrompue") || strings.Contains(se.Msg, "disk on fire") {
		t.Fatalf("error = %v, want a *SyntaxError wrapping the read error, its message in French without it", err)
	}
}

func TestViews(t *testing.T) {
	t.Run("classes", func(t *testing.T) {
		got := aaf.ParseClasses([]string{"0330021U$2NDE3", "12345$1G1$X", "sans-dollar", "$vide", "vide$"})
		want := []aaf.StructRef{{"0330021U", "2NDE3"}, {"12345", "1G1$X"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseClasses = %v, want %v", got, want)
		}
	})
	t.Run("teaching", func(t *testing.T) {
		tests := []struct {
			in   string
			want aaf.TeachingRef
			ok   bool
		}{
			{"12345$2NDE1$061300", aaf.TeachingRef{"12345", "2NDE1", "061300"}, true},
			{"0330021U$1MATHS2$MATHS$MATHEMATIQUES", aaf.TeachingRef{"0330021U", "1MATHS2", "MATHS$MATHEMATIQUES"}, true},
			{"12345$2NDE1", aaf.TeachingRef{}, false},
			{"12345$$061300", aaf.TeachingRef{}, false},
		}
		for _, tt := range tests {
			got, ok := aaf.ParseTeaching(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseTeaching(%q) = %v, %v", tt.in, got, ok)
			}
		}
	})
	t.Run("relation", func(t *testing.T) {
		tests := []struct {
			in   string
			want aaf.Relation
			ok   bool
		}{
			{"2345678$1$0$1$0$0", aaf.Relation{"2345678", 1, true}, true},
			{"2345678$1$0$2$0$0", aaf.Relation{"2345678", 2, false}, true},
			{"2345678$2$1$1", aaf.Relation{"2345678", 1, true}, true},
			{"2345678$1$0", aaf.Relation{}, false},
			{"2345678$1$0$x$0$0", aaf.Relation{}, false},
			{"$1$0$1$0$0", aaf.Relation{}, false},
		}
		for _, tt := range tests {
			got, ok := aaf.ParseRelation(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseRelation(%q) = %v, %v", tt.in, got, ok)
			}
		}
	})
	t.Run("function", func(t *testing.T) {
		tests := []struct {
			in   string
			want aaf.Function
			ok   bool
		}{
			{"0330021U$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES", aaf.Function{"0330021U", "ENS", "ENSEIGNEMENT", "L1300", "MATHEMATIQUES"}, true},
			{"0330021U$DIR", aaf.Function{Structure: "0330021U", Code: "DIR"}, true},
			{"0330021U", aaf.Function{}, false},
		}
		for _, tt := range tests {
			got, ok := aaf.ParseFunction(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseFunction(%q) = %v, %v", tt.in, got, ok)
			}
		}
	})
	t.Run("birth date", func(t *testing.T) {
		got, err := aaf.ParseBirthDate("29/02/2008")
		if err != nil || !got.Equal(time.Date(2008, 2, 29, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("ParseBirthDate = %v, %v", got, err)
		}
		for _, bad := range []string{"2008-02-29", "31/02/2008", "1/2/2008", ""} {
			if _, err := aaf.ParseBirthDate(bad); err == nil {
				t.Errorf("ParseBirthDate(%q) succeeded", bad)
			}
		}
	})
	t.Run("category", func(t *testing.T) {
		for _, c := range []aaf.Category{aaf.CategoryEleve, aaf.CategoryPersRelEleve, aaf.CategoryPersEducNat, aaf.CategoryEtabEducNat} {
			if !c.Valid() {
				t.Errorf("%s not valid", c)
			}
		}
		if aaf.Category("eleve").Valid() || aaf.Category("").Valid() {
			t.Error("unknown category valid")
		}
	})
}

// population indexes a generated export.
type population struct {
	byCat     map[aaf.Category][]*aaf.Entry
	ids       map[string]*aaf.Entry
	structure *aaf.Entry
	classes   map[string]bool // "<structure key>$<class>"
	groups    map[string]bool
}

func index(t *testing.T, entries []*aaf.Entry) population {
	t.Helper()
	p := population{byCat: map[aaf.Category][]*aaf.Entry{}, ids: map[string]*aaf.Entry{}, classes: map[string]bool{}, groups: map[string]bool{}}
	for _, e := range entries {
		if e.Op != aaf.OpAdd || !e.Category.Valid() {
			t.Fatalf("unexpected entry %+v", e)
		}
		if p.ids[e.ID] != nil {
			t.Fatalf("duplicate id %s", e.ID)
		}
		p.ids[e.ID] = e
		p.byCat[e.Category] = append(p.byCat[e.Category], e)
	}
	if n := len(p.byCat[aaf.CategoryEtabEducNat]); n != 1 {
		t.Fatalf("%d structures", n)
	}
	p.structure = p.byCat[aaf.CategoryEtabEducNat][0]
	key := p.structure.First("ENTStructureJointure")
	for _, v := range p.structure.Attrs["ENTStructureClasses"] {
		code, _, _ := strings.Cut(v, "$")
		p.classes[key+"$"+code] = true
	}
	for _, v := range p.structure.Attrs["ENTStructureGroupes"] {
		code, _, _ := strings.Cut(v, "$")
		p.groups[key+"$"+code] = true
	}
	return p
}

func generate(t testing.TB, o aaf.GenOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := aaf.Generate(&buf, o); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return buf.Bytes()
}

func TestGenerateRoundTrip(t *testing.T) {
	o := aaf.GenOptions{UAI: "0330021U", Name: "Lycée Montaigne", Pupils: 420, Parents: 700, Staff: 60, Seed: 7}
	doc := generate(t, o)
	if !bytes.HasPrefix(doc, []byte(`<?xml version="1.0" encoding="ISO-8859-15"?>`)) {
		t.Fatalf("prolog: %q", doc[:60])
	}
	if bytes.Contains(doc, []byte("é")) || !bytes.Contains(doc, []byte("\xe9")) {
		t.Error("output is not ISO-8859-15 encoded")
	}
	p := index(t, readAll(t, doc, "gen.xml"))
	for cat, want := range map[aaf.Category]int{aaf.CategoryEleve: o.Pupils, aaf.CategoryPersRelEleve: o.Parents, aaf.CategoryPersEducNat: o.Staff} {
		if got := len(p.byCat[cat]); got != want {
			t.Errorf("%s: %d entries, want %d", cat, got, want)
		}
	}
	s := p.structure
	if s.First("ENTStructureUAI") != o.UAI || s.First("ENTStructureNomCourant") != o.Name ||
		s.First("ENTStructureTypeStruct") != "LYC" || s.First("ENTServAcAcademie") != "BORDEAUX" || s.ID != s.First("ENTStructureJointure") {
		t.Errorf("structure: %+v", s.Attrs)
	}
	if n := len(p.classes); n != 12 { // 420 / 35
		t.Errorf("%d classes, want 12", n)
	}

	perClass := map[string]int{}
	referenced := map[string]int{} // relative id → number of pupils
	legal, notLegal := 0, 0
	for _, e := range p.byCat[aaf.CategoryEleve] {
		if e.ID != e.First("ENTPersonJointure") {
			t.Fatalf("pupil %s: jointure %s", e.ID, e.First("ENTPersonJointure"))
		}
		classes := e.Attrs["ENTEleveClasses"]
		if len(classes) != 1 || !p.classes[classes[0]] {
			t.Fatalf("pupil %s: classes %v not in the structure", e.ID, classes)
		}
		perClass[classes[0]]++
		groups := e.Attrs["ENTEleveGroupes"]
		if len(groups) < 1 || len(groups) > 3 {
			t.Errorf("pupil %s: %d groups", e.ID, len(groups))
		}
		for _, ref := range aaf.ParseClasses(groups) {
			if !p.groups[ref.Structure+"$"+ref.Code] {
				t.Errorf("pupil %s: unknown group %v", e.ID, ref)
			}
		}
		if _, err := aaf.ParseBirthDate(e.First("ENTPersonDateNaissance")); err != nil {
			t.Error(err)
		}
		if e.First("ENTEleveMEF") == "" || e.First("sn") == "" || e.First("givenName") == "" {
			t.Errorf("pupil %s: incomplete %v", e.ID, e.Attrs)
		}
		rels := e.Attrs["ENTElevePersRelEleve"]
		if len(rels) == 0 {
			t.Errorf("pupil %s has no relative", e.ID)
		}
		for _, v := range rels {
			rel, ok := aaf.ParseRelation(v)
			if !ok {
				t.Fatalf("pupil %s: bad relation %q", e.ID, v)
			}
			if r := p.ids[rel.RelativeID]; r == nil || r.Category != aaf.CategoryPersRelEleve {
				t.Fatalf("pupil %s: relative %s does not exist", e.ID, rel.RelativeID)
			}
			referenced[rel.RelativeID]++
			if rel.Legal {
				legal++
			} else {
				notLegal++
			}
		}
	}
	for c, n := range perClass {
		if n < 30 || n > 40 {
			t.Errorf("class %s has %d pupils", c, n)
		}
	}
	for _, e := range p.byCat[aaf.CategoryPersRelEleve] {
		if n := referenced[e.ID]; n < 1 || n > 3 {
			t.Errorf("relative %s referenced by %d pupils", e.ID, n)
		}
	}
	if notLegal == 0 || notLegal*4 > legal {
		t.Errorf("%d legal and %d non-legal relations", legal, notLegal)
	}

	teachers := 0
	principals := map[string]int{}
	functions := map[string]int{}
	for _, e := range p.byCat[aaf.CategoryPersEducNat] {
		fn, ok := aaf.ParseFunction(e.First("ENTPersonFonctions"))
		if !ok || fn.Structure != o.UAI {
			t.Fatalf("staff %s: function %q", e.ID, e.First("ENTPersonFonctions"))
		}
		functions[fn.Code]++
		if fn.Code != "ENS" {
			continue
		}
		teachers++
		if e.First("PersEducNatPresenceDevantEleves") != "O" || fn.Discipline == "" || fn.DisciplineLabel == "" {
			t.Errorf("teacher %s: %v", e.ID, e.Attrs)
		}
		for _, v := range append(e.Attrs["ENTAuxEnsClassesMatieres"], e.Attrs["ENTAuxEnsGroupesMatieres"]...) {
			ref, ok := aaf.ParseTeaching(v)
			if !ok || !(p.classes[ref.Structure+"$"+ref.Code] || p.groups[ref.Structure+"$"+ref.Code]) || len(ref.Subject) != 6 {
				t.Errorf("teacher %s: bad teaching %q", e.ID, v)
			}
		}
		for _, v := range e.Attrs["ENTAuxEnsClassesPrincipal"] {
			principals[v]++
		}
	}
	if teachers*100 < o.Staff*75 || teachers*100 > o.Staff*90 {
		t.Errorf("%d teachers of %d staff", teachers, o.Staff)
	}
	for _, code := range []string{"DIR", "EDU", "ADF"} {
		if functions[code] == 0 {
			t.Errorf("no %s staff: %v", code, functions)
		}
	}
	for c := range p.classes {
		if principals[c] != 1 {
			t.Errorf("class %s has %d principal teachers", c, principals[c])
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	o := aaf.GenOptions{UAI: "0330021U", Pupils: 200, Parents: 330, Staff: 25, Seed: 42}
	a, b := generate(t, o), generate(t, o)
	if !bytes.Equal(a, b) {
		t.Error("same options gave different bytes")
	}
	o.Seed = 43
	if bytes.Equal(a, generate(t, o)) {
		t.Error("another seed gave the same bytes")
	}
	o.Seed, o.Delta = 42, true
	if !bytes.Equal(generate(t, o), generate(t, o)) {
		t.Error("same delta options gave different bytes")
	}
}

func TestGenerateSmallAndEdgeCases(t *testing.T) {
	tests := []aaf.GenOptions{
		{UAI: "0330021U"},
		{UAI: "0330021U", Pupils: 1, Parents: 1, Staff: 1},
		{UAI: "0330021U", Pupils: 10, Staff: 3},
		{UAI: "0330021U", Parents: 5, Staff: 2},
		{UAI: "0330021U", Pupils: 5, Parents: 40, Staff: 10},
		{UAI: "0330021U", Pupils: 40, Parents: 2, Staff: 40},
		{UAI: "0330021U", Pupils: 1, Parents: 1, Delta: true},
		{UAI: "0330021U", Delta: true},
	}
	for _, o := range tests {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			entries := readAll(t, generate(t, o), "gen.xml")
			counts := map[aaf.Category]int{}
			for _, e := range entries {
				counts[e.Category]++
			}
			if o.Delta {
				return
			}
			want := map[aaf.Category]int{aaf.CategoryEtabEducNat: 1, aaf.CategoryEleve: o.Pupils, aaf.CategoryPersRelEleve: o.Parents, aaf.CategoryPersEducNat: o.Staff}
			for c, n := range want {
				if counts[c] != n {
					t.Errorf("%s: %d, want %d", c, counts[c], n)
				}
			}
		})
	}
	for _, o := range []aaf.GenOptions{{UAI: "033002U"}, {UAI: "0330021u"}, {UAI: "0330021U", Pupils: -1}} {
		if err := aaf.Generate(io.Discard, o); err == nil {
			t.Errorf("Generate(%+v) succeeded", o)
		}
	}
}

func TestGenerateFilesAndDelta(t *testing.T) {
	dir := t.TempDir()
	date := time.Date(2026, time.January, 12, 0, 0, 0, 0, time.UTC)
	o := aaf.GenOptions{UAI: "0330021U", Pupils: 500, Parents: 820, Staff: 45, Seed: 3, Date: date}
	paths, err := aaf.GenerateFiles(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	var all []*aaf.Entry
	for i, cat := range []string{"EtabEducNat", "Eleve", "PersRelEleve", "PersEducNat"} {
		want := filepath.Join(dir, "ENT_0330021U_Complet_20260112_"+cat+"_0001.xml")
		if paths[i] != want {
			t.Errorf("path %d = %s, want %s", i, paths[i], want)
		}
		data, err := os.ReadFile(paths[i])
		if err != nil {
			t.Fatal(err)
		}
		entries := readAll(t, data, filepath.Base(paths[i]))
		for _, e := range entries {
			if string(e.Category) != cat {
				t.Errorf("%s holds a %s entry", paths[i], e.Category)
			}
		}
		all = append(all, entries...)
	}
	// One file or four: the same entries.
	if got, want := len(all), len(readAll(t, generate(t, o), "gen.xml")); got != want {
		t.Errorf("files hold %d entries, Generate %d", got, want)
	}
	p := index(t, all)

	o.Delta = true
	paths, err = aaf.GenerateFiles(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(paths[1], "ENT_0330021U_Delta_20260112_Eleve_0001.xml") {
		t.Errorf("delta path %s", paths[1])
	}
	ops := map[aaf.Op]int{}
	for i, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		entries := readAll(t, data, filepath.Base(path))
		if i != 1 && len(entries) != 0 {
			t.Errorf("%s: %d entries, want none", path, len(entries))
		}
		for _, e := range entries {
			ops[e.Op]++
			known := p.ids[e.ID] != nil
			switch e.Op {
			case aaf.OpDelete:
				if !known || e.Category != aaf.CategoryEleve {
					t.Errorf("delete of unknown pupil %s", e.ID)
				}
			case aaf.OpModify:
				if !known || len(e.Mods) != 1 || e.Mods[0].Attr != "ENTEleveClasses" || e.Mods[0].Operation != aaf.ModReplace {
					t.Fatalf("modify %+v", e)
				}
				if old := p.ids[e.ID].First("ENTEleveClasses"); !p.classes[e.Mods[0].Values[0]] || e.Mods[0].Values[0] == old {
					t.Errorf("pupil %s: class change %s → %v", e.ID, old, e.Mods[0].Values)
				}
			case aaf.OpAdd:
				if known || !p.classes[e.First("ENTEleveClasses")] {
					t.Errorf("add of pupil %s (exists: %v, class %s)", e.ID, known, e.First("ENTEleveClasses"))
				}
				for _, v := range e.Attrs["ENTElevePersRelEleve"] {
					if rel, _ := aaf.ParseRelation(v); p.ids[rel.RelativeID] == nil {
						t.Errorf("new pupil %s: unknown relative %s", e.ID, rel.RelativeID)
					}
				}
			}
		}
	}
	if ops[aaf.OpAdd] != 5 || ops[aaf.OpModify] != 5 || ops[aaf.OpDelete] != 5 {
		t.Errorf("delta operations %v, want 5 of each", ops)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(head + "</ficAlimMENESR>"))
	f.Add([]byte(sample[:len(sample)/2]))
	f.Add([]byte(strings.Replace(sample, "ISO-8859-15", "UTF-16", 1)))
	f.Add([]byte(strings.Replace(sample, "<id>1234567</id>", "", 1)))
	f.Add([]byte(strings.Replace(sample, "categoriePersonne", "categorie", 1)))
	f.Add([]byte(strings.Replace(sample, "</attr>", "</value>", 1)))
	f.Add([]byte("<ficAlimMENESR><addRequest><identifier><id>1</id></identifier><x><y><z/></y></x></addRequest>"))
	f.Add(generate(f, aaf.GenOptions{UAI: "0330021U", Pupils: 3, Parents: 4, Staff: 3, Seed: 1}))
	f.Add(generate(f, aaf.GenOptions{UAI: "0330021U", Pupils: 3, Parents: 4, Seed: 1, Delta: true}))
	f.Fuzz(func(t *testing.T, doc []byte) {
		r := aaf.NewReader(bytes.NewReader(doc), "fuzz.xml")
		for n := 0; ; n++ {
			if n > len(doc) {
				t.Fatalf("%d entries from %d bytes: the reader does not progress", n, len(doc))
			}
			e, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var se *aaf.SyntaxError
				if !errors.As(err, &se) || se.Line < 0 || se.File != "fuzz.xml" {
					t.Fatalf("error %v (%T) is not a *SyntaxError with a line", err, err)
				}
				return
			}
			if e.ID == "" || e.Category == "" || e.Line < 1 {
				t.Fatalf("incomplete entry %+v", e)
			}
		}
	})
}

func BenchmarkReader(b *testing.B) {
	doc := generate(b, aaf.GenOptions{UAI: "0330021U", Pupils: 1500, Parents: 2500, Staff: 150, Seed: 1})
	b.SetBytes(int64(len(doc)))
	entries := 0
	for b.Loop() {
		r := aaf.NewReader(bytes.NewReader(doc), "bench.xml")
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			entries++
		}
	}
	b.ReportMetric(float64(entries)/b.Elapsed().Seconds(), "entries/s")
}
