package moodlexml

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// Parse reads a Moodle XML document. qs are the questions read, in the file's order; errs
// are the questions that could not be read, each with what is wrong; err is set when the
// document itself cannot be read (not XML, not a <quiz>, too large), and then nothing is read.
func Parse(r io.Reader) (qs []question.Question, errs []ParseError, err error) {
	root, err := readTree(r)
	if err != nil {
		return nil, nil, err
	}
	category := ""
	number := 0
	for _, el := range root.children("question") {
		typ, _ := el.attr("type")
		if typ == "category" {
			category = categoryPath(el.child("category").textValue())
			continue
		}
		number++
		p := &reader{}
		q, err := p.question(el, typ)
		if err != nil {
			pe := ParseError{Number: number, Name: el.child("name").textValue(), Type: typ, Line: el.line, Message: err.Error()}
			if f, ok := err.(*fault); ok && f.line > 0 {
				pe.Line = f.line
			}
			errs = append(errs, pe)
			continue
		}
		q.Category = category
		qs = append(qs, q)
	}
	return qs, errs, nil
}

// categoryPath is a Moodle category path without its context and « top »:
// « $course$/top/Maths/Algèbre » is « Maths/Algèbre ».
func categoryPath(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "$") {
		if i := strings.Index(s[1:], "$"); i >= 0 {
			s = s[i+2:]
		}
	}
	s = strings.TrimPrefix(s, "/")
	if s == "top" {
		return ""
	}
	return strings.TrimPrefix(s, "top/")
}

// fault is an error in a question, at a line of the document.
type fault struct {
	line int
	msg  string
}

func (f *fault) Error() string { return f.msg }

// faultf is an error at the element n.
func faultf(n *node, format string, a ...any) error {
	f := &fault{msg: fmt.Sprintf(format, a...)}
	if n != nil {
		f.line = n.line
	}
	return f
}

// reader reads one question; it gathers the files of its texts.
type reader struct {
	files []question.File
}

// supported lists the Moodle types Parse reads, for the error on the others.
const supported = "multichoice, truefalse, shortanswer, numerical, matching, ddwtos, gapselect, multianswer, ordering, essay, description"

func (p *reader) question(el *node, typ string) (question.Question, error) {
	var q question.Question
	q.Name = el.child("name").textValue()
	qt := el.child("questiontext")
	textFormat := formatOf(qt, question.HTML)
	var err error
	if q.Text, err = p.richText(qt, question.HTML); err != nil {
		return q, err
	}
	if q.GeneralFeedback, err = p.richText(el.child("generalfeedback"), textFormat); err != nil {
		return q, err
	}
	if (typ == "multianswer" || typ == "ddwtos" || typ == "gapselect") && blankMark.MatchString(q.Text.Text) {
		m := blankMark.FindString(q.Text.Text)
		return q, faultf(qt, "le texte contient « %s », que Cartable réserve à ses trous : remplacez-le", m)
	}
	switch typ {
	case "":
		return q, faultf(el, "l'élément <question> n'a pas d'attribut type")
	case "multichoice":
		err = p.multichoice(el, &q, textFormat)
	case "truefalse":
		err = p.truefalse(el, &q, textFormat)
	case "shortanswer":
		err = p.shortanswer(el, &q, textFormat)
	case "numerical":
		err = p.numerical(el, &q, textFormat)
	case "matching":
		err = p.matching(el, &q, textFormat)
	case "ddwtos":
		err = p.dragWords(el, &q, "dragbox")
	case "gapselect":
		err = p.dragWords(el, &q, "selectoption")
	case "multianswer":
		q.Type = question.Blanks
		q.Text.Text, q.Blanks, err = parseCloze(q.Text.Text)
		if err == nil && len(q.Blanks) == 0 {
			err = faultf(qt, "le texte ne contient aucun trou {1:SHORTANSWER:=…}, {1:MULTICHOICE:…} ou {1:NUMERICAL:…}")
		}
		if err != nil {
			if _, ok := err.(*fault); !ok {
				err = faultf(qt, "%s", err.Error())
			}
		}
	case "ordering":
		err = p.ordering(el, &q, textFormat)
	case "essay":
		q.Type = question.Essay
	case "description":
		q.Type = question.Description
	default:
		return q, faultf(el, "le type de question « %s » n'est pas pris en charge (types lus : %s) : cette question n'est pas importée", typ, supported)
	}
	if err != nil {
		return q, err
	}
	if q.Text.IsZero() {
		return q, faultf(el, "le texte de la question (<questiontext>) est vide")
	}
	q.Files = p.files
	return q, nil
}

func (p *reader) multichoice(el *node, q *question.Question, textFormat question.Format) error {
	q.Type = question.SingleChoice
	if single := el.child("single"); single != nil && !isTrue(single.value()) {
		q.Type = question.MultipleChoice
	}
	for _, a := range el.children("answer") {
		ans, err := p.answer(a, textFormat, true)
		if err != nil {
			return err
		}
		if ans.Text.IsZero() {
			continue // Moodle drops empty answers
		}
		q.Answers = append(q.Answers, ans)
	}
	if len(q.Answers) < 2 {
		return faultf(el, "une question à choix (multichoice) a au moins deux réponses <answer>, celle-ci en a %d", len(q.Answers))
	}
	return needRight(el, q.Answers)
}

// needRight refuses answers of which none has a positive weight.
func needRight(el *node, answers []question.Answer) error {
	for _, a := range answers {
		if a.Fraction > 0 {
			return nil
		}
	}
	return faultf(el, "aucune réponse n'est juste : donnez à l'une d'elles un poids positif (fraction=\"100\")")
}

func (p *reader) truefalse(el *node, q *question.Question, textFormat question.Format) error {
	q.Type = question.TrueFalse
	answers := el.children("answer")
	if len(answers) == 0 {
		return faultf(el, "une question vrai/faux (truefalse) a deux réponses <answer> « true » et « false », celle-ci n'en a aucune")
	}
	found := false
	for i, a := range answers {
		ans, err := p.answer(a, textFormat, false)
		if err != nil {
			return err
		}
		isTrueAnswer := false
		switch strings.ToLower(ans.Text.Text) {
		case "true", "vrai":
			isTrueAnswer = true
		case "false", "faux":
		default:
			isTrueAnswer = i == 0 // as Moodle: the first answer is « true »
		}
		if isTrueAnswer {
			found = true
			q.Correct = ans.Fraction > 0
			q.TrueFeedback = ans.Feedback
		} else {
			q.FalseFeedback = ans.Feedback
		}
	}
	if !found {
		return faultf(el, "la réponse « true » manque")
	}
	return nil
}

func (p *reader) shortanswer(el *node, q *question.Question, textFormat question.Format) error {
	q.Type = question.ShortAnswer
	q.CaseSensitive = isTrue(el.child("usecase").value())
	for _, a := range el.children("answer") {
		ans, err := p.answer(a, textFormat, false)
		if err != nil {
			return err
		}
		if ans.Text.IsZero() {
			continue
		}
		if ans.Fraction < 0 {
			return faultf(a, "la réponse « %s » a un poids négatif : une réponse courte a un poids entre 0 et 100", ans.Text.Text)
		}
		q.Answers = append(q.Answers, ans)
	}
	if len(q.Answers) == 0 {
		return faultf(el, "une question à réponse courte (shortanswer) a au moins une réponse <answer>, celle-ci n'en a aucune")
	}
	return needRight(el, q.Answers)
}

func (p *reader) numerical(el *node, q *question.Question, textFormat question.Format) error {
	q.Type = question.Numerical
	for _, a := range el.children("answer") {
		ans, err := p.answer(a, textFormat, false)
		if err != nil {
			return err
		}
		value := ans.Text.Text
		ans.Text = question.Text{}
		if value == "*" { // Moodle's « any other answer » (GIFT's numerical ~#feedback)
			ans.Value = question.Decimal(value)
			q.Answers = append(q.Answers, ans)
			continue
		}
		if !isNumber(value) {
			return faultf(a, "la réponse « %s » n'est pas un nombre décimal (par exemple 3.14)", value)
		}
		ans.Value = question.Decimal(value)
		if tol := a.child("tolerance"); tol != nil {
			t := tol.value()
			if !isNumber(t) || strings.HasPrefix(t, "-") {
				return faultf(tol, "la tolérance « %s » de la réponse %s n'est pas un nombre décimal positif", t, value)
			}
			ans.Tolerance = question.Decimal(t)
		}
		q.Answers = append(q.Answers, ans)
	}
	if len(q.Answers) == 0 {
		return faultf(el, "une question numérique (numerical) a au moins une réponse <answer>, celle-ci n'en a aucune")
	}
	return needRight(el, q.Answers)
}

func (p *reader) matching(el *node, q *question.Question, textFormat question.Format) error {
	q.Type = question.Matching
	questions := 0
	for _, sq := range el.children("subquestion") {
		text, err := p.richText(sq, textFormat)
		if err != nil {
			return err
		}
		answer := sq.child("answer").textValue()
		if text.IsZero() && answer == "" {
			continue
		}
		if answer == "" {
			return faultf(sq, "la sous-question « %s » n'a pas de réponse <answer>", text.Text)
		}
		if !text.IsZero() {
			questions++
		}
		q.Pairs = append(q.Pairs, question.Pair{Question: text, Answer: answer})
	}
	if questions == 0 {
		return faultf(el, "une question d'appariement (matching) a au moins une sous-question <subquestion>, celle-ci n'en a aucune")
	}
	return nil
}

var dragPlace = regexp.MustCompile(`\[\[([0-9]+)\]\]`)

// dragWords reads ddwtos (words dragged into the text) and gapselect (drop-down lists in
// the text): [[n]] places the n-th word, and the blank offers the words of its group.
func (p *reader) dragWords(el *node, q *question.Question, box string) error {
	q.Type = question.Blanks
	type word struct {
		text  string
		group string
	}
	var words []word
	for _, b := range el.children(box) {
		g := b.child("group").value()
		if g == "" {
			g = "1"
		}
		words = append(words, word{b.child("text").value(), g})
	}
	var err error
	q.Text.Text = dragPlace.ReplaceAllStringFunc(q.Text.Text, func(m string) string {
		n, _ := strconv.Atoi(m[2 : len(m)-2])
		if n < 1 || n > len(words) {
			if err == nil {
				err = faultf(el.child("questiontext"), "%s renvoie au mot n° %d, la question n'en a que %d (<%s>)", m, n, len(words), box)
			}
			return m
		}
		right := words[n-1]
		if right.text == "" {
			if err == nil {
				err = faultf(el.child("questiontext"), "%s renvoie au mot n° %d, qui est vide", m, n)
			}
			return m
		}
		var b question.Blank
		b.Kind = question.SingleChoice
		for i, w := range words {
			if w.group != right.group || w.text == "" {
				continue
			}
			a := question.Answer{Text: question.Text{Text: w.text}}
			if i == n-1 {
				a.Fraction = question.FullMark
			}
			b.Answers = append(b.Answers, a)
		}
		q.Blanks = append(q.Blanks, b)
		return fmt.Sprintf("{{%d}}", len(q.Blanks))
	})
	if err != nil {
		return err
	}
	if len(q.Blanks) == 0 {
		return faultf(el.child("questiontext"), "le texte ne contient aucun emplacement [[1]]")
	}
	return nil
}

func (p *reader) ordering(el *node, q *question.Question, textFormat question.Format) error {
	q.Type = question.Ordering
	// Moodle's qtype_ordering reads the answers in the document's order (fraction is
	// their rank, rewritten on save).
	for _, a := range el.children("answer") {
		t, err := p.richText(a, textFormat)
		if err != nil {
			return err
		}
		if !t.IsZero() {
			q.Items = append(q.Items, t)
		}
	}
	if len(q.Items) < 2 {
		return faultf(el, "une question à remettre en ordre (ordering) a au moins deux éléments <answer>, celle-ci en a %d", len(q.Items))
	}
	return nil
}

// answer reads an <answer>: its weight, its text (rich: with format and files, as in
// multichoice; otherwise plain) and its feedback.
func (p *reader) answer(a *node, textFormat question.Format, rich bool) (question.Answer, error) {
	var ans question.Answer
	fr, _ := a.attr("fraction")
	var err error
	if ans.Fraction, err = parseFraction(fr); err != nil {
		return ans, faultf(a, "%s", err.Error())
	}
	if rich {
		if ans.Text, err = p.richText(a, textFormat); err != nil {
			return ans, err
		}
	} else if t := a.child("text").value(); t != "" {
		ans.Text = question.Text{Text: t}
	}
	ans.Feedback, err = p.richText(a.child("feedback"), textFormat)
	return ans, err
}

// richText reads an element holding <text> and <file>s, with a format attribute (def when
// there is none).
func (p *reader) richText(n *node, def question.Format) (question.Text, error) {
	if n == nil {
		return question.Text{}, nil
	}
	for _, f := range n.children("file") {
		if err := p.file(f); err != nil {
			return question.Text{}, err
		}
	}
	t := n.child("text").value()
	if t == "" {
		return question.Text{}, nil
	}
	return question.Text{Text: t, Format: formatOf(n, def)}, nil
}

// formatOf is the format attribute of n, def when there is none.
func formatOf(n *node, def question.Format) question.Format {
	if n == nil {
		return def
	}
	f, ok := n.attr("format")
	if !ok {
		return def
	}
	switch f {
	case "html":
		return question.HTML
	case "moodle_auto_format", "wiki_like":
		return ""
	case "plain_text":
		return question.Plain
	case "markdown":
		return question.Markdown
	}
	return question.HTML // as Moodle: an unknown format is HTML
}

// file reads a <file name="…" path="/" encoding="base64">.
func (p *reader) file(f *node) error {
	name, _ := f.attr("name")
	name = strings.TrimSpace(name)
	if name == "" {
		return faultf(f, "un fichier <file> n'a pas de nom (attribut name)")
	}
	if enc, _ := f.attr("encoding"); enc != "base64" {
		return faultf(f, "le fichier « %s » n'est pas encodé en base64 (encoding=\"%s\")", name, enc)
	}
	if path, ok := f.attr("path"); ok {
		name = strings.TrimPrefix(strings.TrimSpace(path), "/") + name
	}
	raw := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, f.data.String())
	if base64.StdEncoding.DecodedLen(len(raw)) > MaxFile+2 {
		return faultf(f, "le fichier « %s » dépasse %d Mio : réduisez l'image avant de l'exporter", name, MaxFile>>20)
	}
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return faultf(f, "le fichier « %s » n'est pas du base64 valide", name)
	}
	if len(data) > MaxFile {
		return faultf(f, "le fichier « %s » dépasse %d Mio : réduisez l'image avant de l'exporter", name, MaxFile>>20)
	}
	for _, old := range p.files {
		if old.Name == name {
			if bytes.Equal(old.Data, data) {
				return nil // the same file in two texts, as Export writes it
			}
			return faultf(f, "deux fichiers différents s'appellent « %s »", name)
		}
	}
	p.files = append(p.files, question.File{Name: name, Data: data})
	return nil
}

// isTrue reads Moodle's booleans: « true », « 1 »; « false », « 0 » and empty are false.
func isTrue(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && s != "0" && s != "false"
}

var numberRE = regexp.MustCompile(`^[-+]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$`)

// isNumber tells whether s is a decimal number question.Decimal reads (no exponent).
func isNumber(s string) bool { return numberRE.MatchString(s) }

// parseFraction reads Moodle's fraction attribute, a percentage (« 100 », « 33.33333 »,
// « -50 »), rounded to the model's ten-millionths of a mark.
func parseFraction(s string) (question.Fraction, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if !isNumber(s) {
		return 0, fmt.Errorf("le poids fraction=\"%s\" n'est pas un pourcentage (par exemple 100, 50 ou -33.33333)", s)
	}
	r, _ := new(big.Rat).SetString(strings.ReplaceAll(strings.TrimPrefix(s, "+"), ",", "."))
	r.Mul(r, big.NewRat(int64(question.FullMark)/100, 1))
	if new(big.Rat).Abs(r).Cmp(new(big.Rat).SetInt64(int64(question.FullMark))) > 0 {
		return 0, fmt.Errorf("le poids fraction=\"%s\" sort de l'intervalle de -100 à 100", s)
	}
	n, err := strconv.ParseInt(r.FloatString(0), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("le poids fraction=\"%s\" n'est pas lisible", s)
	}
	return question.Fraction(n), nil
}
