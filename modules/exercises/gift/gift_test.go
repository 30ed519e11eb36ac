package gift

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// Short constructors for the expected questions.
func txt(s string) question.Text                     { return question.Text{Text: s} }
func fmtd(s string, f question.Format) question.Text { return question.Text{Text: s, Format: f} }
func ans(s string, f question.Fraction) question.Answer {
	return question.Answer{Text: txt(s), Fraction: f}
}
func ansFb(s string, f question.Fraction, fb string) question.Answer {
	return question.Answer{Text: txt(s), Fraction: f, Feedback: txt(fb)}
}
func num(v, tol string, f question.Fraction, fb string) question.Answer {
	return question.Answer{Value: question.Decimal(v), Tolerance: question.Decimal(tol), Fraction: f, Feedback: txt(fb)}
}

const full = question.FullMark

func corpusWant() []question.Question {
	geo, sci := "Géographie/Capitales", "Sciences"
	return []question.Question{
		{Type: question.SingleChoice, Name: "Capitale", Category: geo, Text: txt("Quelle est la capitale de la France ?"),
			GeneralFeedback: txt("Paris est la capitale depuis 987."),
			Answers:         []question.Answer{ansFb("Paris", full, "Bravo !"), ansFb("Lyon", 0, "Non, c'est la troisième ville."), ans("Marseille", -5_000_000)}},
		{Type: question.MultipleChoice, Name: "Pondérée", Category: geo, Text: fmtd("<p>Quels nombres sont <b>premiers</b> ?</p>", question.HTML),
			Answers: []question.Answer{
				{Text: fmtd("2", question.HTML), Fraction: 5_000_000},
				{Text: fmtd("3", question.HTML), Fraction: 5_000_000},
				{Text: fmtd("4", question.HTML), Fraction: -full, Feedback: fmtd("4 = 2 × 2", question.Plain)},
				{Text: fmtd("1", question.HTML), Fraction: -1_250_000, Feedback: fmtd("ni premier ni composé", question.HTML)},
			}},
		{Type: question.MultipleChoice, Name: "Partage", Category: geo, Text: txt("Choix à poids décimaux"),
			Answers: []question.Answer{ans("a", 3_333_333), ans("b", 3_333_333), ans("c", 3_333_333), ans("d", 0)}},
		{Type: question.Blanks, Category: geo, Text: txt("Grant est {{1}} dans la tombe de Grant."),
			Blanks: []question.Blank{{Kind: question.SingleChoice, Points: 1, Answers: []question.Answer{ans("enterré", 0), ans("inhumé", full), ans("vivant", 0)}}}},
		{Type: question.TrueFalse, Name: "Vrai", Category: sci, Text: txt("Le soleil est une étoile."), Correct: true},
		{Type: question.TrueFalse, Name: "Faux avec retours", Category: sci, Text: txt("La Terre est plate."),
			GeneralFeedback: txt("Depuis Ératosthène."), TrueFeedback: txt("Non, ronde !"), FalseFeedback: txt("Exact.")},
		{Type: question.TrueFalse, Name: "Vrai court", Category: sci, Text: txt("2 + 2 = 4 :"), Correct: true,
			TrueFeedback: txt("juste"), FalseFeedback: txt("faux")},
		{Type: question.ShortAnswer, Name: "Courte", Category: sci, Text: txt("Qui est enterré dans la tombe de Grant ?"),
			Answers: []question.Answer{ans("Grant", full), ansFb("Ulysses S. Grant", full, "nom complet"), ans("Ulysses", 5_000_000)}},
		{Type: question.ShortAnswer, Name: "Courte sans égal", Category: sci, Text: txt("Nom du satellite de la Terre ?"),
			Answers: []question.Answer{ans("Lune", full)}},
		{Type: question.Numerical, Name: "Numérique", Category: sci, Text: txt("En quelle année est né Ulysses S. Grant ?"),
			Answers: []question.Answer{num("1822", "5", full, "")}},
		{Type: question.Numerical, Name: "Numérique simple", Category: sci, Text: txt("Valeur de pi à 0,01 près ?"),
			GeneralFeedback: txt("pi ≈ 3,14159"), Answers: []question.Answer{num("3.14159", "0.01", full, "")}},
		{Type: question.Numerical, Name: "Intervalle", Category: sci, Text: txt("Un nombre entre 1 et 5 :"),
			Answers: []question.Answer{num("3", "2", full, "")}},
		{Type: question.Numerical, Name: "Intervalle décimal", Category: sci, Text: txt("Entre -0.5 et 2.25 :"),
			Answers: []question.Answer{num("0.875", "1.375", full, "")}},
		{Type: question.Numerical, Name: "Plusieurs réponses numériques", Category: sci, Text: txt("Quand Grant est-il né ?"),
			Answers: []question.Answer{num("1822", "0", full, "Exactement"), num("1822", "2", 5_000_000, "Presque"), num("*", "", 0, "Non, en 1822.")}},
		{Type: question.Blanks, Name: "Numérique dans la phrase", Category: sci, Text: txt("Il y a {{1}} jours dans une semaine."),
			Blanks: []question.Blank{{Kind: question.Numerical, Points: 1, Answers: []question.Answer{num("7", "", full, "")}}}},
		{Type: question.Matching, Name: "Appariement", Category: sci, Text: txt("Associez chaque pays à sa capitale."),
			GeneralFeedback: txt("Trois capitales, une en trop."),
			Pairs:           []question.Pair{{Question: txt("Canada"), Answer: "Ottawa"}, {Question: txt("Italie"), Answer: "Rome"}, {Question: txt("Japon"), Answer: "Tokyo"}, {Answer: "Berlin"}}},
		{Type: question.Essay, Name: "Rédaction", Category: sci, Text: txt("Racontez vos vacances.")},
		{Type: question.Essay, Name: "Rédaction avec retour", Category: sci, Text: txt("Décrivez une cellule."), GeneralFeedback: txt("Noyau, membrane, cytoplasme.")},
		{Type: question.Description, Name: "Description", Category: sci, Text: txt("Les questions suivantes portent sur la Révolution.")},
		{Type: question.Description, Category: sci, Text: txt("Une description sans titre,\nsur deux lignes.")},
		{Type: question.SingleChoice, Name: "Échappements", Category: sci, Text: txt("Les caractères ~ = # { } : et \\ s'écrivent avec une barre.\nNouvelle ligne."),
			Answers: []question.Answer{ansFb("a=b", full, "c#d"), ans("e~f", 0)}},
		{Type: question.SingleChoice, Name: "Formats", Category: sci, Text: fmtd("**Gras** et _italique_", question.Markdown),
			Answers: []question.Answer{{Text: fmtd("<b>oui</b>", question.HTML), Fraction: full, Feedback: txt("bien")}, {Text: fmtd("non", question.Markdown)}}},
		{Type: question.Blanks, Name: "Trou courte", Category: sci, Text: txt("La capitale de l'Italie est {{1}} depuis 1871."),
			Blanks: []question.Blank{{Kind: question.ShortAnswer, Points: 1, Answers: []question.Answer{ans("Rome", full), ans("Roma", full)}}}},
		{Type: question.TrueFalse, Name: "Vrai dans la phrase", Category: sci, Text: txt("Le ciel est _____ aujourd'hui."), Correct: true},
		{Type: question.SingleChoice, Category: sci, Text: fmtd("Une question sans titre au format texte", question.Plain),
			Answers: []question.Answer{{Text: fmtd("oui", question.Plain), Fraction: full}, {Text: fmtd("non", question.Plain)}}},
		{Type: question.Description, Name: "Texte commençant par un crochet", Category: sci, Text: txt("[note] Ceci reste dans le texte.")},
		{Type: question.SingleChoice, Name: "Accolades dans un titre : oui", Category: sci, Text: txt("Question"),
			Answers: []question.Answer{ans("vrai", full), ans("faux", 0)}},
		{Type: question.TrueFalse, Name: "Faux court", Category: sci, Text: txt("La Lune est une planète.")},
		{Type: question.ShortAnswer, Name: "Sensible à la casse", Category: sci, Text: txt("Symbole chimique du fer ?"), CaseSensitive: true,
			Answers: []question.Answer{ans("Fe", full)}},
		{Type: question.MultipleChoice, Name: "Sans catégorie", Text: txt("Choix multiple dans la phrase : _____ sont premiers."),
			Answers: []question.Answer{ans("deux", 5_000_000), ans("trois", 5_000_000), ans("quatre", 0)}},
	}
}

func parseFile(t *testing.T, name string) []question.Question {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	qs, errs, err := Parse(bytes.NewReader(data))
	if err != nil || len(errs) > 0 {
		t.Fatalf("Parse(%s): %v %v", name, errs, err)
	}
	return qs
}

func TestParseCorpus(t *testing.T) {
	got := parseFile(t, "testdata/corpus.gift")
	want := corpusWant()
	for i := range want {
		want[i] = Normalize(want[i])
	}
	if len(got) != len(want) {
		t.Fatalf("%d questions, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("question %d (%s):\n got %+v\nwant %+v", i+1, want[i].Name, got[i], want[i])
		}
	}
}

// TestParseCorpusEncodings reads the corpus with a BOM and CRLF line ends: same questions.
func TestParseCorpusEncodings(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus.gift")
	if err != nil {
		t.Fatal(err)
	}
	want := parseFile(t, "testdata/corpus.gift")
	for name, input := range map[string]string{
		"BOM":        "\uFEFF" + string(data),
		"CRLF":       strings.ReplaceAll(string(data), "\n", "\r\n"),
		"BOM + CRLF": "\uFEFF" + strings.ReplaceAll(string(data), "\n", "\r\n"),
		"CR":         strings.ReplaceAll(string(data), "\n", "\r"),
	} {
		got, errs, err := Parse(strings.NewReader(input))
		if err != nil || len(errs) > 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d questions, errors %v %v", name, len(got), errs, err)
		}
	}
}

func TestRoundTripCorpus(t *testing.T) {
	qs := parseFile(t, "testdata/corpus.gift")
	var out bytes.Buffer
	if err := Export(&out, qs); err != nil {
		t.Fatalf("Export: %v", err)
	}
	exported := out.String()
	back, errs, err := Parse(&out)
	if err != nil || len(errs) > 0 {
		t.Fatalf("Parse(Export): %v %v\n%s", errs, err, exported)
	}
	if len(back) != len(qs) {
		t.Fatalf("%d questions back, want %d", len(back), len(qs))
	}
	for i := range qs {
		if !reflect.DeepEqual(back[i], qs[i]) {
			t.Errorf("question %d (%s):\n got %+v\nwant %+v", i+1, qs[i].Name, back[i], qs[i])
		}
	}
	if n := strings.Count(exported, "$CATEGORY:"); n != 3 {
		t.Errorf("%d $CATEGORY lines, want 3 (one per change)", n)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		line        int
		message     string // a part of the message
	}{
		{"missing }", "::A::ok{T}\n\n::B::Question\n{=a ~b\n", 4, "n'est pas fermée"},
		{"missing } then next question", "::B::Question {=a ~b\n::C::Autre {=c ~d}", 2, "s'ouvre avant que celle de la ligne 1"},
		{"missing {", "::B::Question =a ~b}", 1, "sans accolade « { »"},
		{"two blocks", "Question {=a ~b} et {=c ~d}", 1, "qu'un bloc"},
		{"unknown format", "// commentaire\n[texte]Question {=a ~b}", 2, "format « [texte] » inconnu"},
		{"unknown answer format", "Question {\n=a\n~[htm]b\n}", 3, "format « [htm] » inconnu"},
		{"bad weight", "Question {\n~%50%a\n~%abc%b\n}", 3, "poids %abc% invalide"},
		{"weight over 100", "Question {\n~%150%a\n~b\n}", 2, "entre -100 % et 100 %"},
		{"weight not closed", "Question {\n=a\n~%50 b\n}", 3, "n'est pas fermé"},
		{"weight after =", "Question {=%50%a ~b}", 1, "sans poids"},
		{"weights not 100", "Question {\n~%50%a\n~%40%b\n~c\n}", 1, "totalisent 90 %"},
		{"one choice", "Question {~a}", 1, "au moins deux réponses"},
		{"empty choice", "Question {=a ~ ~c}", 1, "réponse vide"},
		{"numerical not a number", "::N::Combien ?\n{#\n=12:1\n=douze\n}", 4, "« douze » n'est pas un nombre"},
		{"numerical exponent", "Combien ?{#1e3}", 1, "« 1e3 » n'est pas un nombre"},
		{"numerical bad tolerance", "Combien ?{#12:x}", 1, "« x » n'est pas un nombre"},
		{"numerical negative tolerance", "Combien ?{#12:-1}", 1, "négative"},
		{"numerical range reversed", "Combien ?{#5..1}", 1, "de la plus grande valeur"},
		{"numerical empty", "Combien ?{#}", 1, "aucune réponse numérique"},
		{"matching 2 pairs", "Associez {\n=a -> b\n=c -> d\n}", 1, "2 paires ici"},
		{"matching 1 question", "Associez {=a -> b = -> d = -> e}", 1, "au moins deux sous-questions"},
		{"matching pair without arrow", "Associez {\n=a -> b\n=c -> d\n=e f\n}", 4, "paire sans « -> »"},
		{"matching empty answer", "Associez {=a -> b =c -> d =e ->}", 1, "pas de réponse"},
		{"title not closed", "\n\n::Titre Question {T}", 3, "jamais fermé"},
		{"short answer empty", "Question {=}", 1, "réponse vide"},
		{"not UTF-8", "::A::ok{T}\n\n::B::Caf\xe9 ?{T}", 3, "pas en UTF-8 (octet 0xE9 après « ::B::Caf »)"},
		{"empty question", "[html]", 1, "question vide"},
		{"reserved character", "Question \uFDD0 {T}", 1, "U+FDD0"},
		{"blank marker in text", "Le \\{\\{1\\}\\} {=a} fin", 1, "{{1}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qs, errs, err := Parse(strings.NewReader(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			var bad []ParseError
			for _, e := range errs {
				if e.Line == tc.line && strings.Contains(e.Message, tc.message) {
					bad = append(bad, e)
				}
			}
			if len(bad) != 1 {
				t.Fatalf("errors %v (questions %d), want one at line %d saying %q", errs, len(qs), tc.line, tc.message)
			}
			t.Log(bad[0].Error())
		})
	}
}

// TestParseErrorsOthersImport: the malformed questions are reported, the others read.
func TestParseErrorsOthersImport(t *testing.T) {
	input := "::Un::ok {T}\n\n::Deux::cassé {=a ~b\n\n::Trois::ok {F}\n\n::Quatre::[xyz]cassé {T}\n\n::Cinq::ok {}\n"
	qs, errs, err := Parse(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, q := range qs {
		names = append(names, q.Name)
	}
	if strings.Join(names, ",") != "Un,Trois,Cinq" {
		t.Errorf("questions %v, want Un, Trois, Cinq", names)
	}
	if len(errs) != 2 || errs[0].Line != 3 || errs[0].Title != "Deux" || errs[1].Line != 7 || errs[1].Title != "Quatre" {
		t.Errorf("errors %+v, want Deux at line 3 and Quatre at line 7", errs)
	}
	if got := errs[0].Error(); got != "ligne 3 (« Deux ») : l'accolade « { » n'est pas fermée : ajoutez « } » à la fin des réponses (écrivez \\{ pour une accolade dans le texte)" {
		t.Errorf("message %q", got)
	}
}

func TestParseCategoryAndCase(t *testing.T) {
	input := "$CATEGORY: $system$/top/Maths\n::A::Deux ?{=2}\n\n" + CaseMarker + "\n::B::Symbole du fer ?{=Fe}\n\n$CATEGORY: top\n\n::C::Vrai ?{T}"
	qs, errs, _ := Parse(strings.NewReader(input))
	if len(errs) > 0 || len(qs) != 3 {
		t.Fatalf("%d questions, errors %v", len(qs), errs)
	}
	if qs[0].Category != "Maths" || qs[1].Category != "Maths" || qs[2].Category != "" {
		t.Errorf("categories %q %q %q", qs[0].Category, qs[1].Category, qs[2].Category)
	}
	if qs[0].CaseSensitive || !qs[1].CaseSensitive {
		t.Errorf("case sensitive %v %v, want false true", qs[0].CaseSensitive, qs[1].CaseSensitive)
	}
}

func TestExportUnexpressible(t *testing.T) {
	ok := question.Question{Type: question.TrueFalse, Name: "Bon", Text: txt("Vrai ?"), Correct: true}
	ordering := question.Question{Type: question.Ordering, Name: "Planètes", Text: txt("Rangez"), Items: []question.Text{txt("Mercure"), txt("Vénus")}}
	twoBlanks := question.Question{Type: question.Blanks, Name: "Deux trous", Text: txt("{{1}} et {{2}}."), Blanks: []question.Blank{
		{Kind: question.ShortAnswer, Answers: []question.Answer{ans("a", full)}}, {Kind: question.ShortAnswer, Answers: []question.Answer{ans("b", full)}}}}
	blankAtEnd := question.Question{Type: question.Blanks, Name: "Trou final", Text: txt("La réponse est {{1}}"), Blanks: []question.Blank{
		{Kind: question.ShortAnswer, Answers: []question.Answer{ans("a", full)}}}}
	arrow := question.Question{Type: question.ShortAnswer, Name: "Flèche", Text: txt("Écrivez une flèche"), Answers: []question.Answer{ans("a->b", full)}}
	var out bytes.Buffer
	err := Export(&out, []question.Question{ok, ordering, twoBlanks, blankAtEnd, arrow})
	if err == nil || out.Len() != 0 {
		t.Fatalf("Export: %v, wrote %q; want errors and nothing written", err, out.String())
	}
	t.Log(err)
	for _, want := range []string{
		"question 2 (« Planètes ») : GIFT n'a pas de question de type « remettre dans l'ordre »",
		"question 3 (« Deux trous ») : GIFT n'écrit qu'un trou par question (celle-ci en a 2)",
		"question 4 (« Trou final ») : en GIFT, un trou à la fin du texte",
		"question 5 (« Flèche ») : elle ne s'écrit pas en GIFT",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	var e *ExportError
	if !errors.As(err, &e) || e.Index != 1 {
		t.Errorf("errors.As: %+v", e)
	}
	if Check(ok) != nil || Check(ordering) == nil {
		t.Errorf("Check")
	}
}

// TestExportRoundTripModel: questions built in Cartable (formats, case, categories, texts
// that look like GIFT syntax) come back the same.
func TestExportRoundTripModel(t *testing.T) {
	qs := []question.Question{
		{Type: question.ShortAnswer, Name: "Casse", Category: "Chimie", Text: txt("Symbole du fer ?"), CaseSensitive: true,
			Answers: []question.Answer{ans("Fe", full), ans("[Fe]", 5_000_000), ans("%Fe", 2_500_000)}},
		{Type: question.Description, Category: "Chimie", Text: txt("// pas un commentaire")},
		{Type: question.Description, Category: "Chimie/Ions", Text: txt("$CATEGORY: pas une catégorie")},
		{Type: question.Essay, Category: "", Name: "::x::", Text: fmtd("<p>Texte</p>\n<p>suite</p>", question.HTML),
			GeneralFeedback: fmtd("retour", question.Moodle)},
		{Type: question.MultipleChoice, Text: txt("Lesquels ?"), Answers: []question.Answer{ans("%a", 0), ans("b", full), ans("c", -full)}},
		{Type: question.Blanks, Text: fmtd("{{1}} est la capitale.", question.HTML), GeneralFeedback: fmtd("Paris", question.HTML),
			Blanks: []question.Blank{{Kind: question.SingleChoice, Points: 3, Answers: []question.Answer{
				{Text: fmtd("Paris", question.HTML), Fraction: full, Feedback: fmtd("oui", question.Plain)}, {Text: fmtd("Lyon", question.HTML)}}}}},
		{Type: question.TrueFalse, Text: txt("Faux ?"), FalseFeedback: txt("bien vu")},
		{Type: question.Numerical, Text: txt("Combien ?"), Answers: []question.Answer{num("-3,5", "", full, "a"), num("*", "", 0, "")}},
	}
	var out bytes.Buffer
	if err := Export(&out, qs); err != nil {
		t.Fatalf("Export: %v", err)
	}
	back, errs, err := Parse(bytes.NewReader(out.Bytes()))
	if err != nil || len(errs) > 0 || len(back) != len(qs) {
		t.Fatalf("Parse: %d questions, %v %v\n%s", len(back), errs, err, out.String())
	}
	for i := range qs {
		if want := Normalize(qs[i]); !reflect.DeepEqual(back[i], want) {
			t.Errorf("question %d:\n got %+v\nwant %+v\n%s", i+1, back[i], want, out.String())
		}
	}
}

// genGIFT writes n mixed questions.
func genGIFT(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			fmt.Fprintf(&b, "$CATEGORY: Banque/Partie %d\n\n", i/100)
		}
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, "// question %d\n::Q%d::Quelle est la bonne réponse à la question %d ? {\n\t=juste#Bravo\n\t~faux#Non\n\t~%%-50%%très faux\n\t####Explication %d.\n}\n\n", i, i, i, i)
		case 1:
			fmt.Fprintf(&b, "::Q%d::[html]<p>Cochez les bonnes réponses (%d)</p> {\n\t~%%50%%a\n\t~%%50%%b\n\t~%%-100%%c\n}\n\n", i, i)
		case 2:
			fmt.Fprintf(&b, "::Q%d::L'affirmation %d est vraie.{T#Non#Oui}\n\n", i, i)
		case 3:
			fmt.Fprintf(&b, "::Q%d::Qui a écrit Les Misérables ?{=Hugo =Victor Hugo =%%50%%V. Hugo#presque}\n\n", i)
		case 4:
			fmt.Fprintf(&b, "::Q%d::Combien font %d × 2 ?{#\n\t=%d:0\n\t=%%50%%%d..%d\n\t~#Non\n}\n\n", i, i, 2*i, 2*i-1, 2*i+1)
		case 5:
			fmt.Fprintf(&b, "::Q%d::Associez.{\n\t=Canada -> Ottawa\n\t=Italie -> Rome\n\t=Japon -> Tokyo\n}\n\n", i)
		case 6:
			fmt.Fprintf(&b, "::Q%d::La capitale de l'Italie est {=Rome ~Milan ~Turin} depuis 1871.\n\n", i)
		case 7:
			fmt.Fprintf(&b, "::Q%d::Racontez l'épisode %d.{####Un bon récit a un début\\, un milieu et une fin.}\n\n", i, i)
		}
	}
	return b.Bytes()
}

func TestGeneratedFile(t *testing.T) {
	qs, errs, err := Parse(bytes.NewReader(genGIFT(1000)))
	if err != nil || len(errs) > 0 || len(qs) != 1000 {
		t.Fatalf("%d questions, %v %v", len(qs), errs, err)
	}
}

func BenchmarkParse1000(b *testing.B) {
	data := genGIFT(1000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		qs, errs, err := Parse(bytes.NewReader(data))
		if err != nil || len(errs) > 0 || len(qs) != 1000 {
			b.Fatalf("%d questions, %v %v", len(qs), errs, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	corpus, err := os.ReadFile("testdata/corpus.gift")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(corpus))
	for _, q := range strings.Split(string(corpus), "\n\n") {
		f.Add(q)
	}
	for _, s := range []string{"{", "}", "::", "{#}", "{#..}", "a{~%%}", "{=a->b =c->d =e->f}", "\\", "{T#", "x {=a} y", "[html]", "{####}", "$CATEGORY:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		qs, _, err := Parse(strings.NewReader(input))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := Export(&out, qs); err != nil {
			t.Fatalf("Export of parsed questions: %v\ninput %q", err, input)
		}
		back, errs, _ := Parse(&out)
		if len(errs) > 0 || !reflect.DeepEqual(back, qs) {
			t.Fatalf("round trip: %v\ninput %q\nexport %q\n got %+v\nwant %+v", errs, input, out.String(), back, qs)
		}
	})
}

// TestParseMoodleExport reads a file as Moodle writes it (comment per question, context
// in the category, %100% and empty feedbacks « # », [html] everywhere).
func TestParseMoodleExport(t *testing.T) {
	qs := parseFile(t, "testdata/moodle_export.gift")
	html := func(s string) question.Text { return fmtd(s, question.HTML) }
	cat := "Default for 2nde/Algèbre"
	want := []question.Question{
		{Type: question.Numerical, Name: "Racine", Category: cat, Text: html("<p>Racine carrée de 16 ?</p>"), Answers: []question.Answer{
			{Value: "4", Tolerance: "0", Fraction: full},
			{Value: "-4", Tolerance: "0", Fraction: 5_000_000, Feedback: html("<p>Aussi une racine, mais pas la principale.</p>")},
			{Value: AnyValue, Feedback: html("<p>Non.</p>")}}},
		{Type: question.MultipleChoice, Name: "Premiers", Category: cat, Text: html("<p>Nombres premiers ?</p>"), Answers: []question.Answer{
			{Text: html("2"), Fraction: 5_000_000}, {Text: html("3"), Fraction: 5_000_000}, {Text: html("4"), Fraction: -full}}},
		{Type: question.ShortAnswer, Name: "Capitale", Category: cat, Text: html("<p>Capitale de l'Italie ?</p>"), Answers: []question.Answer{
			{Text: txt("Rome"), Fraction: full}, {Text: txt("Roma"), Fraction: 5_000_000, Feedback: html("<p>En italien.</p>")}}},
		{Type: question.TrueFalse, Name: "VF", Category: cat, Text: html("<p>0 est pair.</p>"), Correct: true,
			TrueFeedback: html("<p>Oui.</p>"), FalseFeedback: html("<p>Si, 0 = 2 × 0.</p>")},
		{Type: question.Matching, Name: "Pays", Category: cat, Text: html("<p>Associez.</p>"), GeneralFeedback: html("<p>Trois capitales.</p>"),
			Pairs: []question.Pair{{Question: html("<p>France</p>"), Answer: "Paris"}, {Question: html("<p>Italie</p>"), Answer: "Rome"}, {Question: html("<p>Espagne</p>"), Answer: "Madrid"}}},
		{Type: question.Essay, Name: "Rédaction", Category: cat, Text: html("<p>Expliquez.</p>")},
	}
	if !reflect.DeepEqual(qs, want) {
		t.Errorf("got\n%+v\nwant\n%+v", qs, want)
	}
}
