// Package gift reads and writes Moodle's GIFT format
// (https://docs.moodle.org/en/GIFT_format) into and from the shared question model
// (package question): Parse reads a file and reports each malformed question with its line
// while the others still import; Export writes questions back in a form Parse reads to the
// same questions (see Normalize for what "the same" means).
//
// Where Moodle silently reads a typo into a strange question, Parse refuses it with a
// message instead: an answer weight that is not %n%, an unknown [format], a second answer
// block, a title never closed, a short answer with « -> », a multiple choice whose
// positive weights do not total 100 %, a matching with fewer than two sub-questions and
// three answers. Everything Moodle reads correctly is read the same way, with these
// choices where Moodle's model and Cartable's differ:
//   - answers in mid-sentence (Moodle's « missing word ») of a single choice, short answer
//     or numerical block give a Blanks question with one Blank of that Kind, the text
//     holding {{1}} where the block was; for the other types (true/false, multiple choice,
//     matching, essay) the question keeps its type and the text shows « _____ », as Moodle;
//   - a numerical « ~#feedback » is an answer of Value AnyValue (« * ») and weight 0;
//   - numbers may use a decimal comma (« 3,14 »), never an exponent;
//   - categories lose Moodle's « $course$/top/ » (CleanCategory);
//   - the comment CaseMarker before a question makes its short answers case-sensitive
//     (GIFT has no syntax for it; Moodle ignores the comment).
//
// Export refuses, with a French message naming the question (ExportError), what GIFT cannot
// say: ordering questions, several blanks, a blank that ends the text, and whatever would not
// read back the same (Check).
package gift

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// ParseError is a malformed question: its line in the file, its title (or the beginning
// of its text) and what is wrong, in French.
type ParseError struct {
	Line    int
	Title   string
	Message string
}

func (e ParseError) Error() string {
	if e.Title != "" {
		return fmt.Sprintf("ligne %d (« %s ») : %s", e.Line, e.Title, e.Message)
	}
	return fmt.Sprintf("ligne %d : %s", e.Line, e.Message)
}

// CaseMarker is the comment line Export writes before a question whose short answers are
// case-sensitive; GIFT has no syntax for it and Moodle ignores comments, so the file stays
// plain GIFT.
const CaseMarker = "// cartable: réponses sensibles à la casse"

// Placeholders for escaped characters while a question is cut into parts: Unicode
// noncharacters, which no text carries (Parse refuses them in the input).
const (
	phColon   = '\uFDD0'
	phHash    = '\uFDD1'
	phEqual   = '\uFDD2'
	phOpen    = '\uFDD3'
	phClose   = '\uFDD4'
	phTilde   = '\uFDD5'
	phNewline = '\uFDD6'
	phBlank   = '\uFDD7' // where the answer block was, in a mid-sentence question
)

// Parse reads a GIFT file. It returns the questions read, in order, and one ParseError per
// malformed question (the others are still read); err is only a failure to read r.
// The input is UTF-8 (a BOM is skipped; CRLF and CR line ends are read as LF); a line that
// is not UTF-8 (a Windows-1252 file, say) makes its question a ParseError. The questions
// are returned normalised (Normalize).
func Parse(r io.Reader) (qs []question.Question, errs []ParseError, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("gift: lecture du fichier : %w", err)
	}
	s := strings.TrimPrefix(string(data), "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")

	p := parser{}
	for i := 0; i < len(lines); {
		if blank(lines[i]) {
			i++
			continue
		}
		start := i
		for i < len(lines) && !blank(lines[i]) {
			i++
		}
		p.block(lines[start:i], start+1)
	}
	return p.qs, p.errs, nil
}

func blank(line string) bool { return strings.TrimSpace(line) == "" }

type parser struct {
	category string
	qs       []question.Question
	errs     []ParseError
}

// block reads the lines of one question (questions are separated by blank lines); first
// is the number of its first line.
func (p *parser) block(lines []string, first int) {
	body := make([]string, len(lines))
	caseSensitive := false
	for k, l := range lines {
		if !utf8.ValidString(l) {
			p.errs = append(p.errs, ParseError{Line: first + k, Message: notUTF8(l)})
			return
		}
		if i := strings.IndexFunc(l, reserved); i >= 0 {
			r, _ := utf8.DecodeRuneInString(l[i:])
			p.errs = append(p.errs, ParseError{Line: first + k, Message: fmt.Sprintf(
				"le caractère U+%04X est réservé et ne peut pas figurer dans un fichier GIFT : supprimez-le", r)})
			return
		}
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "//") {
			caseSensitive = caseSensitive || t == CaseMarker
			continue // a comment: the line stays, empty, so that lines keep their numbers
		}
		body[k] = l
	}
	for k, l := range body {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if c, ok := strings.CutPrefix(t, "$CATEGORY:"); ok {
			p.category = CleanCategory(restore(unescape(c)))
			body[k] = "" // lines that follow in the same block are a question
		}
		break
	}
	text := strings.Join(body, "\n")
	if strings.TrimSpace(text) == "" {
		return
	}
	qp := questionParser{s: unescape(text), first: first}
	q, err := qp.parse()
	if err != nil {
		p.errs = append(p.errs, *err)
		return
	}
	q.Category = p.category
	if caseSensitive && (q.Type == question.ShortAnswer || q.Type == question.Blanks) {
		q.CaseSensitive = true
	}
	p.qs = append(p.qs, Normalize(q))
}

func reserved(r rune) bool { return r >= '\uFDD0' && r <= '\uFDEF' }

// notUTF8 says where a line stops being UTF-8.
func notUTF8(l string) string {
	i := 0
	for i < len(l) {
		r, n := utf8.DecodeRuneInString(l[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	before := []rune(l[:i])
	if len(before) > 20 {
		before = before[len(before)-20:]
	}
	return fmt.Sprintf("le texte n'est pas en UTF-8 (octet 0x%02X après « %s ») : le fichier est sans doute "+
		"en Windows-1252 ; enregistrez-le en UTF-8 et importez-le de nouveau", l[i], string(before))
}

// unescape replaces GIFT's escapes by placeholders: \\ is a backslash, \~ \= \# \{ \} \:
// the character itself, \n a line break; any other backslash stays.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		ph := rune(0)
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
			i++
			continue
		case ':':
			ph = phColon
		case '#':
			ph = phHash
		case '=':
			ph = phEqual
		case '{':
			ph = phOpen
		case '}':
			ph = phClose
		case '~':
			ph = phTilde
		case 'n':
			ph = phNewline
		default:
			b.WriteByte('\\')
			continue
		}
		b.WriteRune(ph)
		i++
	}
	return b.String()
}

var placeholders = strings.NewReplacer(
	string(phColon), ":", string(phHash), "#", string(phEqual), "=", string(phOpen), "{",
	string(phClose), "}", string(phTilde), "~", string(phNewline), "\n")

// restore gives escaped characters back and trims the text.
func restore(s string) string { return strings.TrimSpace(placeholders.Replace(s)) }

// piece is a part of a question's text and its offset in it (for line numbers).
type piece struct {
	s   string
	off int
}

func (p piece) sub(i, j int) piece { return piece{p.s[i:j], p.off + i} }
func (p piece) from(i int) piece   { return piece{p.s[i:], p.off + i} }

// trim trims spaces and keeps the offset right.
func (p piece) trim() piece {
	l := len(p.s) - len(strings.TrimLeftFunc(p.s, unicode.IsSpace))
	return piece{strings.TrimRightFunc(p.s[l:], unicode.IsSpace), p.off + l}
}

// cut splits p at the first sep.
func (p piece) cut(sep string) (before, after piece, found bool) {
	i := strings.Index(p.s, sep)
	if i < 0 {
		return p, piece{"", p.off + len(p.s)}, false
	}
	return p.sub(0, i), p.from(i + len(sep)), true
}

// answer is one answer of a block: its mark ('=', '~' or 0 before any mark) and the rest.
type answer struct {
	mark byte
	body piece
}

// split cuts an answer block before each of the marks; the text before the first mark
// counts as an answer only when it is not blank (as Moodle does).
func split(p piece, marks string) []answer {
	var as []answer
	start, mark := 0, byte(0)
	for i := 0; i <= len(p.s); i++ {
		if i < len(p.s) && strings.IndexByte(marks, p.s[i]) < 0 {
			continue
		}
		part := p.sub(start, i)
		if mark != 0 || strings.TrimSpace(part.s) != "" {
			as = append(as, answer{mark, part.trim()})
		}
		if i < len(p.s) {
			mark, start = p.s[i], i+1
		}
	}
	return as
}

type questionParser struct {
	s     string // the question's lines, escapes replaced by placeholders
	first int    // its first line's number
	title string
	open  int // the offset of the answer block's « { »
}

func (qp *questionParser) fail(off int, format string, args ...any) *ParseError {
	return &ParseError{Line: qp.first + strings.Count(qp.s[:off], "\n"), Title: qp.title, Message: fmt.Sprintf(format, args...)}
}

func (qp *questionParser) parse() (question.Question, *ParseError) {
	var q question.Question
	all := piece{qp.s, 0}.trim()
	rest := all
	if strings.HasPrefix(all.s, "::") {
		name, after, ok := all.from(2).cut("::")
		if !ok {
			return q, qp.fail(all.off, "le titre ouvert par « :: » n'est jamais fermé : fermez-le par « :: » (écrivez \\: pour un deux-points)")
		}
		q.Name = restore(name.s)
		qp.title = q.Name
		rest = after
	}
	if qp.title == "" {
		before, _, _ := strings.Cut(rest.s, "{")
		qp.title = shorten(restore(before))
	}

	open, close := strings.IndexByte(rest.s, '{'), strings.IndexByte(rest.s, '}')
	switch {
	case open < 0 && close < 0:
		q.Type = question.Description
		t, err := qp.text(rest, question.Moodle)
		q.Text = t
		if err == nil && q.Name == "" && t.IsZero() {
			return q, qp.fail(rest.off, "question vide : écrivez son texte")
		}
		return q, err
	case close < 0:
		return q, qp.fail(rest.off+open, "l'accolade « { » n'est pas fermée : ajoutez « } » à la fin des réponses (écrivez \\{ pour une accolade dans le texte)")
	case open < 0 || close < open:
		return q, qp.fail(rest.off+close, "accolade « } » sans accolade « { » avant elle : ajoutez « { » au début des réponses (écrivez \\} pour une accolade dans le texte)")
	}
	if i := strings.IndexByte(rest.s[open+1:close], '{'); i >= 0 {
		return q, qp.fail(rest.off+open+1+i, "une nouvelle accolade « { » s'ouvre avant que celle de la ligne %d soit fermée : fermez-la par « } » (écrivez \\{ pour une accolade dans le texte)",
			qp.first+strings.Count(qp.s[:rest.off+open], "\n"))
	}
	after := rest.from(close + 1)
	if i := strings.IndexAny(after.s, "{}"); i >= 0 {
		return q, qp.fail(after.off+i, "une question GIFT n'a qu'un bloc de réponses entre accolades : séparez les questions par une ligne vide (écrivez \\{ et \\} pour des accolades dans le texte)")
	}
	qp.open = rest.off + open
	block := rest.sub(open+1, close)
	var general piece
	if k := strings.LastIndex(block.s, "####"); k >= 0 {
		general = block.from(k + 4)
		block = block.sub(0, k)
	}
	block = block.trim()
	midSentence := strings.TrimSpace(after.s) != ""

	// The question's text, with a placeholder where the block was if it was mid-sentence:
	// its format is the default of every other text of the question.
	textPiece := rest.sub(0, open)
	if midSentence {
		textPiece = piece{rest.s[:open] + string(phBlank) + after.s, rest.off}
	}
	text, err := qp.text(textPiece, question.Moodle)
	if err != nil {
		return q, err
	}
	def := text.Format
	q.Text = text
	if q.GeneralFeedback, err = qp.text(general, def); err != nil {
		return q, err
	}

	switch {
	case block.s == "":
		q.Type = question.Essay
	case block.s[0] == '#':
		q.Type = question.Numerical
		q.Answers, err = qp.numerical(block.from(1), def)
	case strings.Contains(block.s, "~"):
		q.Type, q.Answers, err = qp.choice(block, def)
	case strings.Contains(block.s, "=") && strings.Contains(block.s, "->"):
		q.Type = question.Matching
		q.Pairs, err = qp.matching(block, def)
	default:
		check := block.s
		if i := strings.IndexByte(check, '#'); i > 0 {
			check = strings.TrimSpace(check[:i])
		}
		switch check {
		case "T", "TRUE", "F", "FALSE":
			q.Type = question.TrueFalse
			err = qp.trueFalse(&q, block, def)
		default:
			q.Type = question.ShortAnswer
			q.Answers, err = qp.shortAnswer(block, def)
		}
	}
	if err != nil {
		return q, err
	}

	if !midSentence {
		return q, nil
	}
	switch q.Type {
	case question.SingleChoice, question.ShortAnswer, question.Numerical:
		if strings.Count(q.Text.Text, "{{1}}") > 0 {
			return q, qp.fail(textPiece.off, "le texte contient « {{1}} », qui marque le trou : écrivez-le autrement")
		}
		q.Text.Text = strings.Replace(q.Text.Text, string(phBlank), "{{1}}", 1)
		q.Blanks = []question.Blank{{Kind: q.Type, Points: 1, Answers: q.Answers}}
		q.Type, q.Answers = question.Blanks, nil
	default:
		// Moodle's "missing word" for the other types: the text shows a line.
		q.Text.Text = strings.Replace(q.Text.Text, string(phBlank), "_____", 1)
	}
	return q, nil
}

// shorten gives the beginning of a text, to name a question that has no title.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// text reads a text and its optional [format] (def when none) and gives its escapes back.
func (qp *questionParser) text(p piece, def question.Format) (question.Text, *ParseError) {
	p = p.trim()
	f := def
	if strings.HasPrefix(p.s, "[") {
		if e := strings.IndexByte(p.s, ']'); e > 0 {
			switch name := p.s[1:e]; question.Format(name) {
			case question.HTML, question.Markdown, question.Plain, question.Moodle:
				f, p = question.Format(name), p.from(e+1)
			default:
				if letters(name) {
					return question.Text{}, qp.fail(p.off, "format « [%s] » inconnu : les formats sont [html], [markdown], [plain] et [moodle] (pour un texte qui commence par « [%s] », écrivez [moodle][%s])", name, name, name)
				}
			}
		}
	}
	return question.Text{Text: restore(p.s), Format: f}, nil
}

func letters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// weight reads an optional %n% at the start of an answer.
func (qp *questionParser) weight(p piece, def question.Fraction) (question.Fraction, piece, *ParseError) {
	if !strings.HasPrefix(p.s, "%") {
		return def, p, nil
	}
	w, rest, ok := p.from(1).cut("%")
	if !ok {
		return 0, p, qp.fail(p.off, "le poids « %s » n'est pas fermé par « %% » : écrivez par exemple %%50%%", restore(p.s))
	}
	f, err := question.ParsePercent(restore(w.s))
	if err != nil {
		return 0, p, qp.fail(p.off, "poids %%%s%% invalide : %v (écrivez par exemple %%50%% ou %%-33.33333%%)", restore(w.s), err)
	}
	return f, rest.trim(), nil
}

// withFeedback reads « text#feedback ».
func (qp *questionParser) withFeedback(p piece, def question.Format) (question.Text, question.Text, *ParseError) {
	t, fb, _ := p.cut("#")
	text, err := qp.text(t, def)
	if err != nil {
		return text, question.Text{}, err
	}
	feedback, err := qp.text(fb, def)
	return text, feedback, err
}

func (qp *questionParser) choice(block piece, def question.Format) (question.Type, []question.Answer, *ParseError) {
	typ := question.MultipleChoice
	if strings.Contains(block.s, "=") {
		typ = question.SingleChoice
	}
	var answers []question.Answer
	var positive question.Fraction
	npositive := 0
	for _, a := range split(block, "~=") {
		var f question.Fraction
		body := a.body
		var err *ParseError
		if a.mark == '=' {
			if strings.HasPrefix(body.s, "%") {
				return typ, nil, qp.fail(body.off, "dans un choix, « = » marque la bonne réponse, sans poids : écrivez « ~%%n%%réponse » pour une réponse pondérée")
			}
			f = question.FullMark
		} else if f, body, err = qp.weight(body, 0); err != nil {
			return typ, nil, err
		}
		text, feedback, err := qp.withFeedback(body, def)
		if err != nil {
			return typ, nil, err
		}
		if text.IsZero() {
			return typ, nil, qp.fail(a.body.off, "réponse vide après « %c » : écrivez la réponse ou supprimez le « %c »", a.mark, a.mark)
		}
		if f > 0 {
			positive += f
			npositive++
		}
		answers = append(answers, question.Answer{Text: text, Fraction: f, Feedback: feedback})
	}
	if len(answers) < 2 {
		return typ, nil, qp.fail(qp.open, "une question à choix a au moins deux réponses")
	}
	// Moodle refuses a multiple choice whose positive weights do not add up to 100 %
	// (rounding allowed: 3 × 33.33333 %).
	if typ == question.MultipleChoice {
		if d := positive - question.FullMark; d > question.Fraction(npositive) || -d > question.Fraction(npositive) {
			return typ, nil, qp.fail(qp.open, "les poids positifs des réponses totalisent %s %% : ils doivent totaliser 100 %% (ou marquez la seule bonne réponse par « = »)", positive.Percent())
		}
	}
	return typ, answers, nil
}

func (qp *questionParser) shortAnswer(block piece, def question.Format) ([]question.Answer, *ParseError) {
	if i := strings.Index(block.s, "->"); i >= 0 {
		// A short answer (or its feedback) with « -> » would be read back as a matching.
		return nil, qp.fail(block.off+i, "« -> » sépare une sous-question de sa réponse dans un appariement : écrivez « {=sous-question -> réponse …} » avec au moins trois paires ; dans une réponse courte, évitez « -> »")
	}
	var answers []question.Answer
	for _, a := range split(block, "=") {
		f, body, err := qp.weight(a.body, question.FullMark)
		if err != nil {
			return nil, err
		}
		text, feedback, err := qp.withFeedback(body, def)
		if err != nil {
			return nil, err
		}
		if text.IsZero() {
			return nil, qp.fail(a.body.off, "réponse vide après « = » : écrivez la réponse ou supprimez le « = »")
		}
		answers = append(answers, question.Answer{Text: question.Text{Text: text.Text}, Fraction: f, Feedback: feedback})
	}
	if len(answers) == 0 {
		return nil, qp.fail(qp.open, "aucune réponse entre les accolades : écrivez « {=réponse} », ou « {} » pour une rédaction")
	}
	return answers, nil
}

func (qp *questionParser) trueFalse(q *question.Question, block piece, def question.Format) *ParseError {
	answer, feedbacks, _ := block.cut("#")
	wrongP, rightP, _ := feedbacks.cut("#")
	wrong, err := qp.text(wrongP, def)
	if err != nil {
		return err
	}
	right, err := qp.text(rightP, def)
	if err != nil {
		return err
	}
	switch strings.TrimSpace(answer.s) {
	case "T", "TRUE":
		q.Correct, q.TrueFeedback, q.FalseFeedback = true, right, wrong
	default:
		q.Correct, q.TrueFeedback, q.FalseFeedback = false, wrong, right
	}
	return nil
}

func (qp *questionParser) matching(block piece, def question.Format) ([]question.Pair, *ParseError) {
	var pairs []question.Pair
	questions := 0
	for _, a := range split(block, "=") {
		sub, ans, ok := a.body.cut("->")
		if !ok {
			return nil, qp.fail(a.body.off, "paire sans « -> » : écrivez « =sous-question -> réponse »")
		}
		text, err := qp.text(sub, def)
		if err != nil {
			return nil, err
		}
		answer := restore(ans.s)
		if answer == "" {
			return nil, qp.fail(a.body.off, "la paire « %s » n'a pas de réponse après « -> »", text.Text)
		}
		if !text.IsZero() {
			questions++
		}
		pairs = append(pairs, question.Pair{Question: text, Answer: answer})
	}
	if questions < 2 || len(pairs) < 3 {
		return nil, qp.fail(qp.open, "un appariement a au moins deux sous-questions et trois réponses (%d paires ici) : ajoutez des paires « =sous-question -> réponse » ou des réponses en trop « = -> réponse »", len(pairs))
	}
	return pairs, nil
}

func (qp *questionParser) numerical(block piece, def question.Format) ([]question.Answer, *ParseError) {
	var wrong piece
	hasWrong := false
	if i := strings.IndexByte(block.s, '~'); i >= 0 {
		wrong, block, hasWrong = block.from(i+1), block.sub(0, i), true
	}
	var answers []question.Answer
	for _, a := range split(block, "=") {
		f, body, err := qp.weight(a.body, question.FullMark)
		if err != nil {
			return nil, err
		}
		num, fb, _ := body.cut("#")
		feedback, err := qp.text(fb, def)
		if err != nil {
			return nil, err
		}
		ans := question.Answer{Fraction: f, Feedback: feedback}
		n := restore(num.s)
		if i := strings.Index(n, ".."); i > 0 {
			ans.Value, ans.Tolerance, err = qp.numRange(num.off, n[:i], n[i+2:])
		} else if i := strings.IndexByte(n, ':'); i > 0 {
			ans.Value, ans.Tolerance = question.Decimal(strings.TrimSpace(n[:i])), question.Decimal(strings.TrimSpace(n[i+1:]))
			if err = qp.decimal(num.off, string(ans.Value)); err == nil {
				err = qp.decimal(num.off, string(ans.Tolerance))
			}
			if err == nil && strings.HasPrefix(string(ans.Tolerance), "-") {
				err = qp.fail(num.off, "la marge d'erreur « %s » est négative", ans.Tolerance)
			}
		} else {
			ans.Value = question.Decimal(n)
			err = qp.decimal(num.off, n)
		}
		if err != nil {
			return nil, err
		}
		answers = append(answers, ans)
	}
	if len(answers) == 0 {
		return nil, qp.fail(qp.open, "aucune réponse numérique : écrivez par exemple {#3.14:0.01} ou {#1..5}")
	}
	if hasWrong {
		_, fb, _ := wrong.cut("#")
		feedback, err := qp.text(fb, def)
		if err != nil {
			return nil, err
		}
		answers = append(answers, question.Answer{Value: AnyValue, Feedback: feedback})
	}
	return answers, nil
}

// AnyValue is the Value of a numerical answer that matches any other answer (GIFT's
// « ~#feedback », Moodle's « * »); it carries the feedback for a wrong answer.
const AnyValue question.Decimal = "*"

func isDecimal(s string) bool {
	digits, dot := 0, false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case (r == '.' || r == ',') && !dot:
			dot = true
		case (r == '-' || r == '+') && i == 0:
		default:
			return false
		}
	}
	return digits > 0
}

func (qp *questionParser) decimal(off int, s string) *ParseError {
	if !isDecimal(s) {
		return qp.fail(off, "« %s » n'est pas un nombre : écrivez par exemple 3.14, 3.14:0.01 (valeur et marge) ou 1..5 (intervalle)", s)
	}
	return nil
}

// numRange reads min..max into its middle and half-width, exactly.
func (qp *questionParser) numRange(off int, lo, hi string) (question.Decimal, question.Decimal, *ParseError) {
	lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
	if err := qp.decimal(off, lo); err != nil {
		return "", "", err
	}
	if err := qp.decimal(off, hi); err != nil {
		return "", "", err
	}
	a, _ := question.Decimal(lo).Rat()
	b, _ := question.Decimal(hi).Rat()
	if a.Cmp(b) > 0 {
		return "", "", qp.fail(off, "l'intervalle %s..%s va de la plus grande valeur à la plus petite : écrivez %s..%s", lo, hi, hi, lo)
	}
	places := max(decimals(lo), decimals(hi)) + 1
	mid := a.Add(a, b)
	mid.Quo(mid, ratTwo)
	b2, _ := question.Decimal(hi).Rat()
	a2, _ := question.Decimal(lo).Rat()
	half := b2.Sub(b2, a2)
	half.Quo(half, ratTwo)
	return question.Decimal(decimalString(mid, places)), question.Decimal(decimalString(half, places)), nil
}
