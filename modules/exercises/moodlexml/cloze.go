package moodlexml

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// Moodle's cloze (multianswer) syntax: {weight:TYPE:alternative~alternative…}, an
// alternative being [=|%n%]answer[#feedback]. The text is HTML: answers and feedbacks are
// read with their entities decoded, and \} \# stand for the characters themselves.

// clozeType is what a cloze type becomes in the model.
type clozeType struct {
	kind          question.Type // "" when the model has no such blank
	caseSensitive bool
	name          string // what it is, for the error on an unsupported type
}

var clozeTypes = makeClozeTypes()

func makeClozeTypes() map[string]clozeType {
	clozeTypes := map[string]clozeType{}
	add := func(t clozeType, names ...string) {
		for _, n := range names {
			clozeTypes[n] = t
		}
	}
	add(clozeType{kind: question.ShortAnswer}, "SHORTANSWER", "SA", "MW")
	add(clozeType{kind: question.ShortAnswer, caseSensitive: true}, "SHORTANSWER_C", "SAC", "MWC")
	add(clozeType{kind: question.Numerical}, "NUMERICAL", "NM")
	add(clozeType{kind: question.SingleChoice},
		"MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH",
		"MULTICHOICE_S", "MCS", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS")
	add(clozeType{name: "à plusieurs réponses cochées"},
		"MULTIRESPONSE", "MR", "MULTIRESPONSE_H", "MRH", "MULTIRESPONSE_S", "MRS", "MULTIRESPONSE_HS", "MRHS")
	add(clozeType{name: "à expression régulière"}, "REGEXP", "RX", "REGEXP_C", "RXC")
	return clozeTypes
}

var clozeStart = regexp.MustCompile(`^\{([0-9]*):([A-Z_]+):`)

// A cloze number: Moodle's, without the exponent question.Decimal refuses.
var clozeNumber = regexp.MustCompile(`^(-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+))(?::(-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)))?$`)

var clozePercent = regexp.MustCompile(`^%(-?[0-9]+(?:[.,][0-9]*)?)%`)

// parseCloze replaces each cloze code of text by {{n}} and returns the blanks.
func parseCloze(text string) (string, []question.Blank, error) {
	var out strings.Builder
	var blanks []question.Blank
	for i := 0; i < len(text); {
		c := text[i]
		if c != '{' {
			out.WriteByte(c)
			i++
			continue
		}
		m := clozeStart.FindStringSubmatch(text[i:])
		if m == nil {
			out.WriteByte(c)
			i++
			continue
		}
		t, known := clozeTypes[m[2]]
		if !known {
			out.WriteByte(c) // as Moodle: not a cloze code, the text stays as written
			i++
			continue
		}
		n := len(blanks) + 1
		if t.kind == "" {
			return "", nil, fmt.Errorf("le trou n° %d est de type %s (%s), que Cartable ne prend pas en charge", n, m[2], t.name)
		}
		b := question.Blank{Kind: t.kind, CaseSensitive: t.caseSensitive}
		if m[1] != "" {
			points, err := strconv.Atoi(m[1])
			if err != nil || points < 1 || points > 1000 {
				return "", nil, fmt.Errorf("le trou n° %d a un poids « %s » : écrivez un entier de 1 à 1000", n, m[1])
			}
			b.Points = points
		}
		end, err := clozeAnswers(text, i+len(m[0]), &b, n)
		if err != nil {
			return "", nil, err
		}
		if len(b.Answers) == 0 {
			return "", nil, fmt.Errorf("le trou n° %d n'a aucune réponse", n)
		}
		if err := needRight(nil, b.Answers); err != nil {
			return "", nil, fmt.Errorf("le trou n° %d : %s", n, err.Error())
		}
		blanks = append(blanks, b)
		fmt.Fprintf(&out, "{{%d}}", n)
		i = end
	}
	return out.String(), blanks, nil
}

// clozeAnswers reads the alternatives of blank n from text[pos:], up to the closing }, and
// returns the position after it.
func clozeAnswers(text string, pos int, b *question.Blank, n int) (int, error) {
	unclosed := fmt.Errorf("le trou n° %d n'est pas fermé par une accolade }", n)
	for {
		if pos >= len(text) {
			return 0, unclosed
		}
		var a question.Answer
		if text[pos] == '=' {
			a.Fraction = question.FullMark
			pos++
		} else if m := clozePercent.FindStringSubmatch(text[pos:]); m != nil {
			f, err := parseFraction(m[1])
			if err != nil {
				return 0, fmt.Errorf("le trou n° %d : %s", n, err.Error())
			}
			a.Fraction = f
			pos += len(m[0])
		}
		start := pos
		for pos < len(text) {
			c := text[pos]
			if (c == '~' || c == '#' || c == '}') && pos > start && !clozeEscaped(text, pos) {
				break
			}
			pos++
		}
		if pos >= len(text) {
			return 0, unclosed
		}
		raw := text[start:pos]
		if text[pos] == '#' {
			pos++
			fb := pos
			for pos < len(text) && !((text[pos] == '~' || text[pos] == '}') && text[pos-1] != '\\') {
				pos++
			}
			if pos >= len(text) {
				return 0, unclosed
			}
			if f := clozeUnescape(text[fb:pos]); f != "" {
				a.Feedback = question.Text{Text: f}
			}
		}
		if b.Kind == question.Numerical {
			v := strings.TrimSpace(raw)
			m := clozeNumber.FindStringSubmatch(v)
			switch {
			case m != nil:
				a.Value = question.Decimal(m[1])
				a.Tolerance = question.Decimal(m[2])
				b.Answers = append(b.Answers, a)
			case v == "*" && a.Fraction == 0:
				// Moodle's « any other answer », worth nothing: the model has none.
			default:
				return 0, fmt.Errorf("le trou numérique n° %d : « %s » n'est pas un nombre décimal (écrivez 3.14 ou 3.14:0.01 avec la tolérance)", n, v)
			}
		} else {
			if t := clozeUnescape(raw); t != "" {
				a.Text = question.Text{Text: t}
				b.Answers = append(b.Answers, a)
			}
		}
		c := text[pos]
		pos++
		if c == '}' {
			return pos, nil
		}
	}
}

// clozeEscaped tells whether the character at pos is escaped, as Moodle reads it: after
// a backslash, or after & (the # of an entity &#39;) or &amp;.
func clozeEscaped(text string, pos int) bool {
	prev := text[pos-1]
	return prev == '\\' || prev == '&' || strings.HasSuffix(text[:pos], "&amp;")
}

// As Moodle, \} and \# are read as } and # once the entities are decoded (\~ is not).
var clozeUnquoter = strings.NewReplacer(`\}`, `}`, `\#`, `#`)
var clozeQuoter = strings.NewReplacer(`}`, `\}`, `#`, `\#`)

// clozeUnescape is an answer or feedback as the pupil sees it.
func clozeUnescape(s string) string {
	s = html.UnescapeString(s)
	s = clozeUnquoter.Replace(s)
	return strings.TrimSpace(s)
}

// clozeEscaper writes as entities what would end an answer or a feedback, or start a code.
var clozeEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;",
	"~", "&#126;", "#", "&#35;", "}", "&#125;", `\`, "&#92;", "{", "&#123;")

// clozeEscape writes an answer or feedback so that Moodle and parseCloze read it back:
// } and # quoted with \ (what clozeUnquoter undoes), then as entities.
func clozeEscape(s string, answer bool) string {
	s = clozeEscaper.Replace(clozeQuoter.Replace(s))
	if answer && (strings.HasPrefix(s, "=") || strings.HasPrefix(s, "%")) {
		s = "&#" + strconv.Itoa(int(s[0])) + ";" + s[1:]
	}
	return s
}

// clozeCode writes blank b as Moodle's cloze code.
func clozeCode(b question.Blank, n int) (string, error) {
	var s strings.Builder
	s.WriteByte('{')
	if b.Points != 0 {
		s.WriteString(strconv.Itoa(b.Points))
	}
	switch {
	case b.Kind == question.ShortAnswer && b.CaseSensitive:
		s.WriteString(":SHORTANSWER_C:")
	case b.Kind == question.ShortAnswer:
		s.WriteString(":SHORTANSWER:")
	case b.Kind == question.Numerical:
		s.WriteString(":NUMERICAL:")
	case b.Kind == question.SingleChoice:
		s.WriteString(":MULTICHOICE:")
	default:
		return "", fmt.Errorf("le trou n° %d est de type « %s » : un trou est à réponse courte, numérique ou à choix", n, b.Kind)
	}
	if len(b.Answers) == 0 {
		return "", fmt.Errorf("le trou n° %d n'a aucune réponse", n)
	}
	for i, a := range b.Answers {
		if i > 0 {
			s.WriteByte('~')
		}
		switch a.Fraction {
		case question.FullMark:
			s.WriteByte('=')
		case 0:
		default:
			s.WriteString("%" + a.Fraction.Percent() + "%")
		}
		if b.Kind == question.Numerical {
			v := strings.TrimSpace(string(a.Value))
			if !isNumber(v) || strings.HasPrefix(v, "+") {
				return "", fmt.Errorf("le trou n° %d : « %s » n'est pas un nombre décimal", n, a.Value)
			}
			s.WriteString(v)
			if t := strings.TrimSpace(string(a.Tolerance)); t != "" {
				if !isNumber(t) || strings.HasPrefix(t, "+") {
					return "", fmt.Errorf("le trou n° %d : la tolérance « %s » n'est pas un nombre décimal", n, a.Tolerance)
				}
				s.WriteString(":" + t)
			}
		} else {
			t := strings.TrimSpace(a.Text.Text)
			if t == "" {
				return "", fmt.Errorf("le trou n° %d a une réponse vide", n)
			}
			s.WriteString(clozeEscape(t, true))
		}
		if f := strings.TrimSpace(a.Feedback.Text); f != "" {
			s.WriteString("#" + clozeEscape(f, false))
		}
	}
	s.WriteByte('}')
	return s.String(), nil
}
