package moodlexml

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

const full = question.FullMark

func htm(s string) question.Text  { return question.Text{Text: s, Format: question.HTML} }
func auto(s string) question.Text { return question.Text{Text: s} }

func ans(t question.Text, f question.Fraction, fb question.Text) question.Answer {
	return question.Answer{Text: t, Fraction: f, Feedback: fb}
}

func num(v, tol string, f question.Fraction, fb question.Text) question.Answer {
	return question.Answer{Value: question.Decimal(v), Tolerance: question.Decimal(tol), Fraction: f, Feedback: fb}
}

// choices is a blank's list of words, the right one at index right.
func choices(right int, words ...string) []question.Answer {
	out := make([]question.Answer, len(words))
	for i, w := range words {
		out[i] = question.Answer{Text: auto(w)}
		if i == right {
			out[i].Fraction = full
		}
	}
	return out
}

func mustDecode(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// typesXML is what testdata/types.xml holds.
var typesXML = []question.Question{
	{
		Type: question.SingleChoice, Name: "Capitale de la France", Category: "Géographie/Capitales",
		Text:            htm("<p>Quelle est la capitale de la <b>France</b> ?</p>"),
		GeneralFeedback: htm("<p>Paris est la capitale depuis 987.</p>"),
		Answers: []question.Answer{
			ans(htm("Paris"), full, htm("Bravo !")),
			ans(htm("Lyon"), 0, htm("Non, c'est une préfecture.")),
			ans(htm("Marseille"), 0, question.Text{}),
		},
	},
	{
		Type: question.MultipleChoice, Name: "Nombres premiers", Category: "Géographie/Capitales",
		Text: auto("Lesquels sont premiers ?"),
		Answers: []question.Answer{
			ans(auto("2"), 3_333_333, question.Text{}),
			ans(auto("3"), 3_333_333, question.Text{}),
			ans(auto("5"), 3_333_334, question.Text{}),
			ans(auto("4"), -5_000_000, auto("4 = 2 × 2")),
			ans(auto("9"), -full, question.Text{}),
		},
	},
	{
		Type: question.TrueFalse, Name: "Eau", Category: "Sciences",
		Text:    question.Text{Text: "L'eau bout à 100 °C au niveau de la mer.", Format: question.Plain},
		Correct: true, TrueFeedback: htm("Oui."), FalseFeedback: htm("Si, à pression normale."),
	},
	{
		Type: question.TrueFalse, Name: "Soleil", Category: "Sciences",
		Text: question.Text{Text: "Le Soleil tourne autour de la **Terre**.", Format: question.Markdown},
	},
	{
		Type: question.ShortAnswer, Name: "Symbole du fer", Category: "Sciences",
		Text: htm("Symbole chimique du fer ?"), CaseSensitive: true,
		Answers: []question.Answer{
			ans(auto("Fe"), full, htm("Du latin ferrum.")),
			ans(auto("FE"), 5_000_000, question.Text{}),
		},
	},
	{
		Type: question.Numerical, Name: "Pi", Category: "Sciences",
		Text: htm("Donnez π à 0,01 près."),
		Answers: []question.Answer{
			num("3.14", "0.01", full, htm("Exact.")),
			num("3", "0.5", 5_000_000, question.Text{}),
			num("*", "", 0, htm("Relisez le cours.")), // any other answer
		},
	},
	{
		Type: question.Numerical, Name: "Sans tolérance", Category: "Sciences",
		Text:    htm("2 + 2 ?"),
		Answers: []question.Answer{num("4", "", full, question.Text{})},
	},
	{
		Type: question.Matching, Name: "Pays et capitales", Category: "Sciences",
		Text: htm("Associez chaque pays à sa capitale."),
		Pairs: []question.Pair{
			{Question: htm("<p>France</p>"), Answer: "Paris"},
			{Question: htm("Espagne"), Answer: "Madrid"},
			{Answer: "Lisbonne"},
		},
	},
	{
		Type: question.Blanks, Name: "Le chat", Category: "Sciences",
		Text: htm("<p>Le {{1}} est {{2}}.</p>"),
		Blanks: []question.Blank{
			{Kind: question.SingleChoice, Answers: choices(0, "chat", "chien")},
			{Kind: question.SingleChoice, Answers: choices(0, "noir", "blanc")},
		},
	},
	{
		Type: question.Blanks, Name: "Conjugaison", Category: "Sciences",
		Text:   htm("Nous {{1}} à l'école."),
		Blanks: []question.Blank{{Kind: question.SingleChoice, Answers: choices(1, "allons", "allez")}},
	},
	{
		Type: question.Blanks, Name: "Texte à trous", Category: "Sciences",
		Text: htm("<p>La capitale de l'Italie est {{1}}.\nLe symbole du sodium est {{2}}. 2 × 1,5 = {{3}}.\n" +
			"Le ciel est {{4}}.\nLettre : {{5}}.</p>"),
		GeneralFeedback: htm("Fin."),
		Blanks: []question.Blank{
			{Kind: question.ShortAnswer, Points: 1, Answers: []question.Answer{
				ans(auto("Rome"), full, auto("Oui")),
				ans(auto("rome"), 5_000_000, auto("Majuscule !")),
				ans(auto("*"), 0, auto("Non")),
			}},
			{Kind: question.ShortAnswer, CaseSensitive: true, Answers: []question.Answer{ans(auto("Na"), full, question.Text{})}},
			{Kind: question.Numerical, Points: 2, Answers: []question.Answer{
				num("3", "0.1", full, auto("Bien")),
				num("3", "1", 5_000_000, question.Text{}),
			}},
			{Kind: question.SingleChoice, Points: 1, Answers: []question.Answer{
				ans(auto("bleu}"), 0, question.Text{}),
				ans(auto("vert"), 0, question.Text{}),
				ans(auto("bleu"), full, auto("C'est & ça")),
			}},
			{Kind: question.SingleChoice, Points: 1, Answers: choices(0, "a # b", "c")},
		},
	},
	{
		Type: question.Ordering, Name: "Chronologie", Category: "Sciences",
		Text:  htm("Remettez dans l'ordre."),
		Items: []question.Text{auto("Clovis"), auto("Charlemagne"), htm("<p>Hugues Capet</p>")},
	},
	{
		Type: question.Essay, Name: "Rédaction", Category: "Sciences",
		Text:            htm(`<p>Décrivez ce tableau : <img src="@@PLUGINFILE@@/tableau%20bleu.png" alt="tableau"></p>`),
		GeneralFeedback: htm(`<img src="@@PLUGINFILE@@/img/corrige.png">`),
		Files: []question.File{
			{Name: "tableau bleu.png", Data: mustDecode("iVBORw0KGgoAAAAN")},
			{Name: "img/corrige.png", Data: mustDecode("R0lGODlh")},
		},
	},
	{
		Type: question.Description, Name: "Consignes", Category: "Sciences",
		Text: htm("Lisez bien chaque question."),
	},
}

const ch1, ch2 = "Défaut pour 2nde SVT/Chapitre 1 : la cellule", "Défaut pour 2nde SVT/Chapitre 2 : l'ADN"

// moodleExport is what testdata/moodle_export.xml, in the shape of Moodle 4's export, holds.
var moodleExport = []question.Question{
	{
		Type: question.SingleChoice, Name: "Organite de la respiration", Category: ch1,
		Text: htm(`<p dir="ltr" style="text-align: left;">Dans quel organite a lieu la respiration cellulaire ?<br>` +
			`<img src="@@PLUGINFILE@@/mitochondrie.png" alt="schéma" width="120" height="80" class="img-fluid atto_image_button_text-bottom"></p>`),
		Answers: []question.Answer{
			ans(htm(`<p dir="ltr" style="text-align: left;">La mitochondrie</p>`), full, question.Text{}),
			ans(htm(`<p dir="ltr" style="text-align: left;">Le noyau</p>`), 0, htm(`<p dir="ltr" style="text-align: left;">Le noyau contient l'ADN.</p>`)),
			ans(htm(`<p dir="ltr" style="text-align: left;">Le chloroplaste</p>`), 0, question.Text{}),
		},
		Files: []question.File{{Name: "mitochondrie.png", Data: mustDecode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")}},
	},
	{
		Type: question.MultipleChoice, Name: "Constituants d'une cellule animale", Category: ch1,
		Text:            htm("<p>Cochez les constituants d'une cellule animale.</p>"),
		GeneralFeedback: htm("<p>La paroi et les chloroplastes sont propres aux cellules végétales.</p>"),
		Answers: []question.Answer{
			ans(htm("Membrane plasmique"), 3_333_333, question.Text{}),
			ans(htm("Cytoplasme"), 3_333_333, question.Text{}),
			ans(htm("Noyau"), 3_333_333, question.Text{}),
			ans(htm("Paroi"), -full, question.Text{}),
		},
	},
	{
		Type: question.TrueFalse, Name: "Unité du vivant", Category: ch1,
		Text:    htm("<p>La cellule est l'unité de base du vivant.</p>"),
		Correct: true, FalseFeedback: htm("<p>Si : tout être vivant est fait de cellules.</p>"),
	},
	{
		Type: question.ShortAnswer, Name: "Sigle de l'ADN", Category: ch2,
		Text: htm("<p>Que signifie ADN ? (acide …)</p>"),
		Answers: []question.Answer{
			ans(auto("désoxyribonucléique"), full, question.Text{}),
			ans(auto("desoxyribonucleique"), 5_000_000, htm("Attention aux accents.")),
		},
	},
	{
		Type: question.Numerical, Name: "Nombre de chromosomes", Category: ch2,
		Text: htm("<p>Combien de chromosomes dans une cellule humaine ?</p>"),
		Answers: []question.Answer{
			num("46", "0", full, question.Text{}),
			num("23", "0", 5_000_000, htm("<p>23 <b>paires</b>.</p>")),
		},
	},
	{
		Type: question.Matching, Name: "Bases complémentaires", Category: ch2,
		Text: htm("<p>Associez chaque base à sa complémentaire.</p>"),
		Pairs: []question.Pair{
			{Question: htm("<p>A</p>"), Answer: "T"},
			{Question: htm("<p>G</p>"), Answer: "C"},
			{Answer: "U"},
		},
	},
	{
		Type: question.Blanks, Name: "La double hélice", Category: ch2,
		Text: htm("<p>L'ADN est formé de {{1}} brins enroulés en {{2}}, découverte en {{3}}.</p>"),
		Blanks: []question.Blank{
			{Kind: question.SingleChoice, Points: 1, Answers: choices(0, "deux", "trois", "quatre")},
			{Kind: question.ShortAnswer, Points: 1, Answers: []question.Answer{
				ans(auto("hélice"), full, auto("Exact")),
				ans(auto("double hélice"), full, question.Text{}),
			}},
			{Kind: question.Numerical, Points: 2, Answers: []question.Answer{num("1953", "0", full, auto("Watson et Crick"))}},
		},
	},
	{
		Type: question.Ordering, Name: "Étapes de la réplication", Category: ch2,
		Text:  htm("<p>Remettez les étapes dans l'ordre.</p>"),
		Items: []question.Text{auto("Ouverture de la molécule"), auto("Appariement des nucléotides"), auto("Deux molécules identiques")},
	},
	{
		Type: question.Blanks, Name: "Transcription", Category: ch2,
		Text: htm("<p>L'ADN est transcrit en {{1}} dans le {{2}}.</p>"),
		Blanks: []question.Blank{
			{Kind: question.SingleChoice, Answers: choices(0, "ARN", "protéine")},
			{Kind: question.SingleChoice, Answers: choices(0, "noyau", "cytoplasme")},
		},
	},
	{Type: question.Essay, Name: "Synthèse", Category: ch2, Text: htm("<p>Expliquez en 10 lignes le rôle de l'ADN.</p>")},
	{Type: question.Description, Name: "Fin du chapitre", Category: ch2, Text: htm("<p>Bravo, vous avez terminé !</p>")},
}

func parseFile(t *testing.T, name string) []question.Question {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, errs, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	for _, e := range errs {
		t.Errorf("Parse(%s): %v", name, e)
	}
	return qs
}

func js(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func sameQuestions(t *testing.T, what string, got, want []question.Question) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d questions, want %d:\n%s", what, len(got), len(want), js(got))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s: question %d « %s »:\ngot  %s\nwant %s", what, i+1, want[i].Name, js(got[i]), js(want[i]))
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []question.Question
	}{
		{"types.xml", typesXML},
		{"moodle_export.xml", moodleExport},
	} {
		t.Run(tc.file, func(t *testing.T) {
			sameQuestions(t, tc.file, parseFile(t, tc.file), tc.want)
		})
	}
}

// TestRoundTrip exports every test file's questions and reads them back.
func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	if len(files) < 2 {
		t.Fatal("testdata/*.xml missing")
	}
	sets := map[string][]question.Question{"model": modelQuestions}
	for _, f := range files {
		sets[filepath.Base(f)] = parseFile(t, filepath.Base(f))
	}
	for name, qs := range sets {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Export(&buf, qs); err != nil {
				t.Fatalf("Export: %v", err)
			}
			again, errs, err := Parse(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("Parse(Export): %v\n%s", err, buf.String())
			}
			for _, e := range errs {
				t.Errorf("Parse(Export): %v", e)
			}
			sameQuestions(t, "Parse(Export)", again, qs)
			var second bytes.Buffer
			if err := Export(&second, again); err != nil {
				t.Fatal(err)
			}
			if second.String() != buf.String() {
				t.Errorf("the second export differs from the first")
			}
		})
	}
}

// modelQuestions are built as the GIFT reader or the store would: empty formats,
// unplaced files, escapes a cloze must write.
var modelQuestions = []question.Question{
	{Type: question.SingleChoice, Text: auto("Sans nom ni catégorie"), Answers: []question.Answer{ans(auto("a"), full, question.Text{}), ans(auto("b"), 0, auto("non"))}},
	{Type: question.ShortAnswer, Category: "Français/Grammaire", Name: "Accord", Text: auto("Le pluriel de « cheval » ?"),
		Answers: []question.Answer{ans(auto("chevaux"), full, question.Text{})}},
	{Type: question.TrueFalse, Category: "Français/Grammaire", Text: auto("« Les » est un article."), Correct: true, FalseFeedback: auto("Si.")},
	{Type: question.Blanks, Text: auto("Écrivez {{1}}, {{2}} et {{3}} ; 1/3 ≈ {{4}}."),
		Blanks: []question.Blank{
			{Kind: question.ShortAnswer, Answers: []question.Answer{
				ans(auto("=a~b#c}d{e\\f&g<h>\"i"), full, auto("ok ~ } # \\ & <b>gras</b>")),
				ans(auto("%50%"), 3_333_333, question.Text{}),
			}},
			{Kind: question.SingleChoice, Points: 3, Answers: choices(1, "un", "deux", "trois")},
			{Kind: question.ShortAnswer, Points: 1, CaseSensitive: true, Answers: []question.Answer{ans(auto("Lyon"), full, question.Text{})}},
			{Kind: question.Numerical, Answers: []question.Answer{num("0.333", "0.001", full, question.Text{}), num("-0,3", "", -2_500_000, auto("Presque"))}},
		}},
	{Type: question.Essay, Text: htm(`<p>Voir <img src="@@PLUGINFILE@@/a.png"></p>`), GeneralFeedback: htm(`<img src="@@PLUGINFILE@@/d/b.png">`),
		Files: []question.File{{Name: "a.png", Data: []byte{1, 2, 3}}, {Name: "d/b.png", Data: []byte{4}}, {Name: "seul.pdf", Data: []byte("%PDF")}}},
	{Type: question.MultipleChoice, Category: "Maths", Text: htm("]]> dans le texte <b>"),
		Answers: []question.Answer{ans(htm(`<img src="@@PLUGINFILE@@/c.png">`), full, htm(`<img src="@@PLUGINFILE@@/c.png">`)), ans(auto("x"), -full, question.Text{})},
		Files:   []question.File{{Name: "c.png", Data: []byte{9, 9}}}},
	{Type: question.Matching, Category: "Maths", Text: auto("Associez"), Pairs: []question.Pair{{Question: auto("1+1"), Answer: "2"}, {Answer: "3 & <4>"}}},
	{Type: question.Ordering, Category: "Maths", Text: auto("Du plus petit au plus grand"), Items: []question.Text{auto("1"), auto("2"), htm("<i>3</i>")}},
	{Type: question.Numerical, Text: auto("Combien ?"), Answers: []question.Answer{num("12.5", "", full, question.Text{})}},
	{Type: question.Description, Text: question.Text{Text: "Texte *markdown*", Format: question.Markdown}},
}

func parseString(s string) ([]question.Question, []ParseError, error) {
	return Parse(strings.NewReader(s))
}

func TestParseErrors(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	for _, tc := range []struct {
		name    string
		doc     string
		fatal   string   // the document's error, or
		errs    []string // the questions' errors
		imports int      // and how many questions still import
	}{
		{name: "not XML", doc: "::Titre:: Question GIFT {=oui ~non}", fatal: "n'est pas un XML valide"},
		{name: "empty", doc: "", fatal: "n'est pas un XML valide (aucun élément)"},
		{name: "truncated", doc: head + "<quiz>\n<question type=\"essay\">", fatal: "ligne 3"},
		{name: "not a quiz", doc: head + "<html><body/></html>", fatal: "commence par <quiz>"},
		{name: "other encoding", doc: `<?xml version="1.0" encoding="UTF-16"?><quiz/>`, fatal: "UTF-8"},
		{name: "external entity", doc: head + `<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
			"\n<quiz><question type=\"essay\"><questiontext><text>&xxe;</text></questiontext></question></quiz>", fatal: "n'est pas un XML valide"},
		{name: "unknown type", doc: head + "<quiz>\n" +
			"<question type=\"essay\"><questiontext><text>Un</text></questiontext></question>\n" +
			"<question type=\"calculated\">\n<name><text>Aire</text></name><questiontext><text>{a} × {b}</text></questiontext></question>\n" +
			"<question type=\"essay\"><questiontext><text>Trois</text></questiontext></question>\n</quiz>",
			errs: []string{"question 2 « Aire » (ligne 4) : le type de question « calculated » n'est pas pris en charge"}, imports: 2},
		{name: "missing type", doc: head + "<quiz><question><questiontext><text>x</text></questiontext></question></quiz>",
			errs: []string{"question 1 (ligne 2) : l'élément <question> n'a pas d'attribut type"}},
		{name: "missing answer", doc: head + "<quiz>\n<question type=\"shortanswer\"><name><text>Vide</text></name>\n" +
			"<questiontext><text>?</text></questiontext></question>\n</quiz>",
			errs: []string{"question 1 « Vide » (ligne 3) : une question à réponse courte (shortanswer) a au moins une réponse"}},
		{name: "one choice", doc: head + "<quiz>\n<question type=\"multichoice\"><questiontext><text>?</text></questiontext>\n" +
			"<answer fraction=\"100\"><text>seule</text></answer></question>\n</quiz>",
			errs: []string{"question 1 (ligne 3) : une question à choix (multichoice) a au moins deux réponses"}},
		{name: "no right answer", doc: head + "<quiz><question type=\"multichoice\"><questiontext><text>?</text></questiontext>" +
			"<answer fraction=\"0\"><text>a</text></answer><answer fraction=\"0\"><text>b</text></answer></question></quiz>",
			errs: []string{"aucune réponse n'est juste"}},
		{name: "bad fraction", doc: head + "<quiz>\n<question type=\"multichoice\"><questiontext><text>?</text></questiontext>\n" +
			"<answer fraction=\"cent\"><text>a</text></answer><answer fraction=\"150\"><text>b</text></answer></question>\n</quiz>",
			errs: []string{"(ligne 4) : le poids fraction=\"cent\" n'est pas un pourcentage"}},
		{name: "fraction over 100", doc: head + "<quiz><question type=\"shortanswer\"><questiontext><text>?</text></questiontext>" +
			"<answer fraction=\"150\"><text>b</text></answer></question></quiz>",
			errs: []string{"le poids fraction=\"150\" sort de l'intervalle de -100 à 100"}},
		{name: "empty text", doc: head + "<quiz><question type=\"essay\"><name><text>Rien</text></name><questiontext><text> </text></questiontext></question></quiz>",
			errs: []string{"question 1 « Rien » (ligne 2) : le texte de la question (<questiontext>) est vide"}},
		{name: "numerical not a number", doc: head + "<quiz>\n<question type=\"numerical\"><questiontext><text>?</text></questiontext>\n" +
			"<answer fraction=\"100\"><text>1e3</text></answer></question></quiz>",
			errs: []string{"(ligne 4) : la réponse « 1e3 » n'est pas un nombre décimal"}},
		{name: "cloze multiresponse", doc: head + "<quiz><question type=\"multianswer\"><questiontext><text>{1:MR:=a~=b~c}</text></questiontext></question></quiz>",
			errs: []string{"le trou n° 1 est de type MR (à plusieurs réponses cochées)"}},
		{name: "cloze unclosed", doc: head + "<quiz><question type=\"multianswer\"><questiontext><text>a {1:SA:=b</text></questiontext></question></quiz>",
			errs: []string{"le trou n° 1 n'est pas fermé par une accolade }"}},
		{name: "cloze bad number", doc: head + "<quiz><question type=\"multianswer\"><questiontext><text>{1:NM:=trois}</text></questiontext></question></quiz>",
			errs: []string{"le trou numérique n° 1 : « trois » n'est pas un nombre décimal"}},
		{name: "cloze none", doc: head + "<quiz><question type=\"multianswer\"><questiontext><text>aucun trou</text></questiontext></question></quiz>",
			errs: []string{"le texte ne contient aucun trou"}},
		{name: "drag place out of range", doc: head + "<quiz><question type=\"ddwtos\"><questiontext><text>[[2]]</text></questiontext>" +
			"<dragbox><text>a</text></dragbox></question></quiz>",
			errs: []string{"[[2]] renvoie au mot n° 2, la question n'en a que 1"}},
		{name: "file not base64", doc: head + "<quiz><question type=\"essay\"><questiontext><text>x</text><file name=\"a.png\" encoding=\"base64\">!!</file></questiontext></question></quiz>",
			errs: []string{"le fichier « a.png » n'est pas du base64 valide"}},
		{name: "two different files of one name", doc: head + "<quiz><question type=\"essay\"><questiontext><text>x</text>" +
			"<file name=\"a.png\" path=\"/\" encoding=\"base64\">AAAA</file></questiontext><generalfeedback><text>y</text>" +
			"<file name=\"a.png\" path=\"/\" encoding=\"base64\">AQID</file></generalfeedback></question></quiz>",
			errs: []string{"deux fichiers différents s'appellent « a.png »"}},
		{name: "cloze text with a blank mark", doc: head + "<quiz><question type=\"multianswer\"><questiontext><text>{{1}} {1:SA:=a}</text></questiontext></question></quiz>",
			errs: []string{"le texte contient « {{1}} », que Cartable réserve à ses trous"}},
		{name: "truefalse without answers", doc: head + "<quiz><question type=\"truefalse\"><questiontext><text>x</text></questiontext></question></quiz>",
			errs: []string{"celle-ci n'en a aucune"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qs, errs, err := parseString(tc.doc)
			if tc.fatal != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fatal) {
					t.Fatalf("err = %v, want one saying %q", err, tc.fatal)
				}
				if qs != nil || errs != nil {
					t.Errorf("a refused document gives nothing, got %d questions, %d errors", len(qs), len(errs))
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors = %v, want %d", errs, len(tc.errs))
			}
			for i, want := range tc.errs {
				if got := errs[i].Error(); !strings.Contains(got, want) {
					t.Errorf("error %d = %q, want it to contain %q", i, got, want)
				}
			}
			if len(qs) != tc.imports {
				t.Errorf("%d questions imported, want %d", len(qs), tc.imports)
			}
		})
	}
}

func TestSizeLimits(t *testing.T) {
	t.Run("document", func(t *testing.T) {
		doc := "<quiz><!--" + strings.Repeat("x", MaxDocument) + "--></quiz>"
		_, _, err := parseString(doc)
		if err == nil || !strings.Contains(err.Error(), "dépasse 20 Mio") {
			t.Fatalf("err = %v, want the 20 Mio limit", err)
		}
	})
	t.Run("file", func(t *testing.T) {
		big := base64.StdEncoding.EncodeToString(make([]byte, MaxFile+1))
		doc := "<quiz><question type=\"essay\"><questiontext><text>x</text><file name=\"gros.png\" encoding=\"base64\">" + big +
			"</file></questiontext></question><question type=\"essay\"><questiontext><text>y</text></questiontext></question></quiz>"
		qs, errs, err := parseString(doc)
		if err != nil {
			t.Fatal(err)
		}
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "le fichier « gros.png » dépasse 5 Mio") {
			t.Fatalf("errs = %v, want the 5 Mio limit", errs)
		}
		if len(qs) != 1 {
			t.Errorf("%d questions, want the other one", len(qs))
		}
	})
	t.Run("file at the limit", func(t *testing.T) {
		ok := base64.StdEncoding.EncodeToString(make([]byte, MaxFile))
		doc := "<quiz><question type=\"essay\"><questiontext><text>x</text><file name=\"juste.png\" encoding=\"base64\">" + ok +
			"</file></questiontext></question></quiz>"
		qs, errs, err := parseString(doc)
		if err != nil || len(errs) != 0 || len(qs) != 1 || len(qs[0].Files[0].Data) != MaxFile {
			t.Fatalf("a file of exactly 5 Mio: err %v, errs %v", err, errs)
		}
	})
}

func TestLatin1(t *testing.T) {
	doc := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><quiz><question type=\"essay\"><questiontext><text>\xc9t\xe9</text></questiontext></question></quiz>")
	qs, errs, err := Parse(bytes.NewReader(doc))
	if err != nil || len(errs) != 0 || len(qs) != 1 || qs[0].Text.Text != "Été" {
		t.Fatalf("got %v %v %v", qs, errs, err)
	}
}

func TestExportShape(t *testing.T) {
	var buf bytes.Buffer
	if err := Export(&buf, modelQuestions); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>` + "\n<quiz>\n",
		"<text>$course$/top/Français/Grammaire</text>",
		"<text>$course$/top</text>", // back to the top category
		`~%33.33333%&#37;50%}`,
		`<answer fraction="-100" format="moodle_auto_format">`,
		`{3:MULTICHOICE:un~=deux~trois}`,
		`{1:SHORTANSWER_C:=Lyon}`,
		`{:NUMERICAL:=0.333:0.001~%-25%-0,3#Presque}`,
		`<file name="b.png" path="/d/" encoding="base64">BA==</file>`,
		"<![CDATA[]]]]><![CDATA[> dans le texte <b>]]>",
		"<single>false</single>",
		`<answer fraction="2.0000000" format="moodle_auto_format">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the export lacks %s", want)
		}
	}
	// Every file goes with the question's text, and with each other text that refers to it.
	if n := strings.Count(out, `name="c.png"`); n != 3 {
		t.Errorf("c.png written %d times, want 3 (question text, answer and its feedback)", n)
	}
	if !strings.Contains(out, `<file name="seul.pdf" path="/" encoding="base64">`) {
		t.Error("the file no text refers to is lost")
	}
}

func TestExportErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    question.Question
		want string
	}{
		{"unknown type", question.Question{Type: "quiz", Name: "X", Text: auto("x")}, "question 1 « X » : type « quiz » inconnu"},
		{"blank not placed", question.Question{Type: question.Blanks, Text: auto("rien"), Blanks: []question.Blank{{Kind: question.ShortAnswer, Answers: choices(0, "a")}}}, "le trou n° 1 n'est pas placé"},
		{"blank out of range", question.Question{Type: question.Blanks, Text: auto("{{2}}"), Blanks: []question.Blank{{Kind: question.ShortAnswer, Answers: choices(0, "a")}}}, "la question a 1 trous"},
		{"bad number", question.Question{Type: question.Numerical, Text: auto("x"), Answers: []question.Answer{num("abc", "", full, question.Text{})}}, "« abc » n'est pas un nombre"},
		{"control character", question.Question{Type: question.Essay, Text: auto("a\x00b")}, "caractère de contrôle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Export(&bytes.Buffer{}, []question.Question{tc.q})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	// The seeds are the test files' questions one by one: Go's fuzzer stalls on seeds of
	// several kilobytes (golang/go#51484).
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, q := range strings.Split(string(b), "<question ")[1:] {
			q = q[:strings.LastIndex(q, "</question>")+len("</question>")]
			f.Add([]byte("<quiz><question " + q + "</quiz>"))
		}
	}
	f.Add([]byte("<quiz><question type=\"multianswer\"><questiontext><text>{1:SA:=a~%50%b#c}{:NM:=1:0.5}</text></questiontext></question></quiz>"))
	f.Add([]byte("<quiz><question type=\"ddwtos\"><questiontext><text>[[1]][[2]]</text></questiontext><dragbox><text>a</text><group>2</group></dragbox></question></quiz>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		qs, _, err := Parse(bytes.NewReader(doc))
		if err != nil {
			return
		}
		// What Parse reads, Export writes, and Parse reads back the same.
		var buf bytes.Buffer
		if err := Export(&buf, qs); err != nil {
			t.Fatalf("Export of parsed questions: %v", err)
		}
		again, errs, err := Parse(&buf)
		if err != nil || len(errs) > 0 {
			t.Fatalf("Parse(Export): %v %v\n%s", err, errs, buf.String())
		}
		if !reflect.DeepEqual(again, qs) && !(len(again) == 0 && len(qs) == 0) {
			t.Fatalf("round trip differs:\n%s\n%s", js(qs), js(again))
		}
	})
}

// BenchmarkParse reads 1,078 questions (the 14 of types.xml, 77 times).
func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile("testdata/types.xml")
	if err != nil {
		b.Fatal(err)
	}
	s := string(src)
	body := s[strings.Index(s, "<question "):strings.LastIndex(s, "</quiz>")]
	doc := []byte("<quiz>" + strings.Repeat(body, 77) + "</quiz>")
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		qs, errs, err := Parse(bytes.NewReader(doc))
		if err != nil || len(errs) > 0 || len(qs) != 77*len(typesXML) {
			b.Fatalf("%d questions, %v %v", len(qs), errs, err)
		}
	}
}

// BenchmarkExport writes the same 1,078 questions.
func BenchmarkExport(b *testing.B) {
	var qs []question.Question
	for range 77 {
		qs = append(qs, typesXML...)
	}
	for b.Loop() {
		if err := Export(io.Discard, qs); err != nil {
			b.Fatal(err)
		}
	}
}
