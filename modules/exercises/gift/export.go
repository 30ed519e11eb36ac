package gift

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// ExportError is a question GIFT cannot express: its index in the list given to Export, its
// name, and why, in French.
type ExportError struct {
	Index   int
	Name    string
	Message string
}

func (e *ExportError) Error() string {
	name := e.Name
	if name == "" {
		name = "sans titre"
	}
	return fmt.Sprintf("question %d (« %s ») : %s", e.Index+1, name, e.Message)
}

// Check tells whether q can be written in GIFT and read back the same (after Normalize):
// nil, or an *ExportError (Index 0) saying why not. GIFT has no ordering question, and
// only one blank per question, which must be followed by text.
func Check(q question.Question) error {
	_, err := write(q)
	return err
}

// Export writes qs in GIFT, a « $CATEGORY: » line before each change of category, so that
// Parse reads them back to the same questions after Normalize. If a question cannot be
// expressed (Check), Export writes nothing and returns one *ExportError per such question
// (joined with errors.Join): the caller may leave them out and export the rest.
func Export(w io.Writer, qs []question.Question) error {
	var out bytes.Buffer
	var errs []error
	category := ""
	for i, q := range qs {
		text, err := write(q)
		if err != nil {
			var e *ExportError
			errors.As(err, &e)
			e.Index = i
			errs = append(errs, e)
			continue
		}
		if c := CleanCategory(q.Category); c != category {
			out.WriteString(strings.TrimSpace("$CATEGORY: "+escape(c)) + "\n\n")
			category = c
		}
		out.WriteString(text)
		out.WriteString("\n\n")
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("gift: écriture du fichier : %w", err)
	}
	return nil
}

// write gives q in GIFT (without its category), checked by reading it back.
func write(q question.Question) (string, error) {
	q = Normalize(q)
	q.Category = ""
	fail := func(format string, args ...any) error {
		return &ExportError{Name: q.Name, Message: fmt.Sprintf(format, args...)}
	}
	var b strings.Builder
	if q.CaseSensitive {
		b.WriteString(CaseMarker + "\n")
	}
	if q.Name != "" {
		b.WriteString("::" + escape(q.Name) + "::")
	}
	def := format(q.Text.Format)
	switch q.Type {
	case question.Ordering:
		return "", fail("GIFT n'a pas de question de type « remettre dans l'ordre » : exportez-la en Moodle XML")
	case question.Blanks:
		if len(q.Blanks) != 1 {
			return "", fail("GIFT n'écrit qu'un trou par question (celle-ci en a %d) : exportez-la en Moodle XML", len(q.Blanks))
		}
		before, after, ok := strings.Cut(q.Text.Text, "{{1}}")
		if !ok || strings.Contains(after, "{{1}}") {
			return "", fail("le texte doit contenir une fois « {{1}} », la place du trou")
		}
		if strings.TrimSpace(after) == "" {
			return "", fail("en GIFT, un trou à la fin du texte se lit comme une question ordinaire : ajoutez du texte après « {{1}} » (un point, par exemple)")
		}
		blank := q.Blanks[0]
		b.WriteString(formatPrefix(question.Text{Text: before, Format: q.Text.Format}, "", true) + escape(before))
		b.WriteString("{")
		switch blank.Kind {
		case question.SingleChoice:
			writeChoices(&b, blank.Answers, true, def, " ")
		case question.ShortAnswer:
			writeShort(&b, blank.Answers, def, " ")
		case question.Numerical:
			b.WriteString("#")
			writeNumerical(&b, blank.Answers, def, " ")
		default:
			return "", fail("un trou GIFT est une réponse courte, un nombre ou un choix unique, pas « %s »", blank.Kind)
		}
		writeGeneral(&b, q, def, " ")
		b.WriteString("}" + escape(after))
		return checked(q, b.String(), fail)
	}
	b.WriteString(writeText(q.Text, "", true))
	switch q.Type {
	case question.Description:
	case question.Essay:
		b.WriteString("{")
		writeGeneral(&b, q, def, "")
		b.WriteString("}")
	case question.TrueFalse:
		answer, right, wrong := "TRUE", q.TrueFeedback, q.FalseFeedback
		if !q.Correct {
			answer, right, wrong = "FALSE", q.FalseFeedback, q.TrueFeedback
		}
		b.WriteString("{" + answer)
		if !wrong.IsZero() || !right.IsZero() {
			b.WriteString("#" + writeText(wrong, def, false))
		}
		if !right.IsZero() {
			b.WriteString("#" + writeText(right, def, false))
		}
		writeGeneral(&b, q, def, "")
		b.WriteString("}")
	case question.SingleChoice, question.MultipleChoice:
		b.WriteString(" {\n")
		writeChoices(&b, q.Answers, q.Type == question.SingleChoice, def, "\n")
		writeGeneral(&b, q, def, "\n")
		b.WriteString("}")
	case question.ShortAnswer:
		b.WriteString(" {\n")
		writeShort(&b, q.Answers, def, "\n")
		writeGeneral(&b, q, def, "\n")
		b.WriteString("}")
	case question.Numerical:
		b.WriteString(" {#\n")
		writeNumerical(&b, q.Answers, def, "\n")
		writeGeneral(&b, q, def, "\n")
		b.WriteString("}")
	case question.Matching:
		b.WriteString(" {\n")
		for _, p := range q.Pairs {
			b.WriteString("\t=" + writeText(p.Question, def, false) + " -> " + escape(p.Answer) + "\n")
		}
		writeGeneral(&b, q, def, "\n")
		b.WriteString("}")
	default:
		return "", fail("type de question « %s » inconnu", q.Type)
	}
	return checked(q, b.String(), fail)
}

// checked reads text back and compares it with q: what GIFT cannot say (a « -> » in a
// short answer, a weight Moodle would refuse…) is refused rather than silently changed.
func checked(q question.Question, text string, fail func(string, ...any) error) (string, error) {
	qs, errs, _ := Parse(strings.NewReader(text))
	if len(errs) > 0 {
		return "", fail("elle ne s'écrit pas en GIFT valide : %s", errs[0].Message)
	}
	if len(qs) != 1 || !reflect.DeepEqual(qs[0], q) {
		return "", fail("elle ne s'écrit pas en GIFT sans la changer (un texte vide, une réponse qui contient « -> », des poids que Moodle refuse…) : exportez-la en Moodle XML")
	}
	return text, nil
}

// format is f, Moodle when empty.
func format(f question.Format) question.Format {
	if f == "" {
		return question.Moodle
	}
	return f
}

// writeText writes a text escaped, with its [format] when it is not def's (the question's
// format; "" for the question text itself, whose default is moodle) or when the text could
// be read as something else (it starts with « [ », « % » or « // »).
func writeText(t question.Text, def question.Format, questionText bool) string {
	if t.Text == "" {
		return ""
	}
	return formatPrefix(t, def, questionText) + escape(t.Text)
}

func formatPrefix(t question.Text, def question.Format, questionText bool) string {
	f, d := format(t.Format), format(def)
	if f != d || strings.HasPrefix(t.Text, "[") || strings.HasPrefix(t.Text, "%") || (questionText && strings.HasPrefix(t.Text, "//")) {
		return "[" + string(f) + "]"
	}
	return ""
}

// escape escapes GIFT's special characters; a line break is written \n.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '~', '=', '#', '{', '}', ':':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sep is "\n" for a block of one answer a line, " " for a block inside a sentence.
func lead(sep string) string {
	if sep == "\n" {
		return "\t"
	}
	return ""
}

func writeFeedback(b *strings.Builder, fb question.Text, def question.Format) {
	if !fb.IsZero() {
		b.WriteString("#" + writeText(fb, def, false))
	}
}

func writeChoices(b *strings.Builder, as []question.Answer, single bool, def question.Format, sep string) {
	for i, a := range as {
		if i > 0 && sep == " " {
			b.WriteString(" ")
		}
		b.WriteString(lead(sep))
		switch {
		case single && a.Fraction == question.FullMark:
			b.WriteString("=")
		case a.Fraction == 0:
			b.WriteString("~")
		default:
			b.WriteString("~%" + a.Fraction.Percent() + "%")
		}
		b.WriteString(writeText(a.Text, def, false))
		writeFeedback(b, a.Feedback, def)
		if sep == "\n" {
			b.WriteString("\n")
		}
	}
}

func writeShort(b *strings.Builder, as []question.Answer, def question.Format, sep string) {
	for i, a := range as {
		if i > 0 && sep == " " {
			b.WriteString(" ")
		}
		b.WriteString(lead(sep) + "=")
		if a.Fraction != question.FullMark {
			b.WriteString("%" + a.Fraction.Percent() + "%")
		}
		// Short answers are plain text: a [format] would only protect a leading « [ ».
		b.WriteString(writeText(question.Text{Text: a.Text.Text, Format: def}, def, false))
		writeFeedback(b, a.Feedback, def)
		if sep == "\n" {
			b.WriteString("\n")
		}
	}
}

func writeNumerical(b *strings.Builder, as []question.Answer, def question.Format, sep string) {
	for i, a := range as {
		if i > 0 && sep == " " {
			b.WriteString(" ")
		}
		b.WriteString(lead(sep))
		if a.Value == AnyValue {
			b.WriteString("~")
			writeFeedback(b, a.Feedback, def)
		} else {
			b.WriteString("=")
			if a.Fraction != question.FullMark {
				b.WriteString("%" + a.Fraction.Percent() + "%")
			}
			b.WriteString(escape(string(a.Value)))
			if a.Tolerance != "" {
				b.WriteString(`:` + escape(string(a.Tolerance)))
			}
			writeFeedback(b, a.Feedback, def)
		}
		if sep == "\n" {
			b.WriteString("\n")
		}
	}
}

func writeGeneral(b *strings.Builder, q question.Question, def question.Format, sep string) {
	if q.GeneralFeedback.IsZero() {
		return
	}
	b.WriteString(lead(sep))
	if sep == " " {
		b.WriteString(" ")
	}
	b.WriteString("####" + writeText(q.GeneralFeedback, def, false))
	if sep == "\n" {
		b.WriteString("\n")
	}
}
