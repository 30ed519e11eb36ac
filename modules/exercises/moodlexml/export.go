package moodlexml

import (
	"bufio"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// Export writes qs as a Moodle XML document, in the shape Moodle's own export has: a
// category question before each change of category ($course$/top/…), fractions as
// percentages with up to 5 decimals (33.33333), texts in CDATA when they hold markup, files
// in base64 with the question's text and the texts that refer to them. Fill-in-the-blanks questions are written
// as cloze (multianswer) questions. Nothing is written when a question cannot be.
func Export(w io.Writer, qs []question.Question) error {
	e := &exporter{}
	e.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n")
	category := ""
	for i, q := range qs {
		if i == 0 && q.Category != "" || i > 0 && q.Category != category {
			category = q.Category
			e.category(category)
		}
		if err := e.question(i+1, q); err != nil {
			name := ""
			if q.Name != "" {
				name = " « " + q.Name + " »"
			}
			return fmt.Errorf("export Moodle XML, question %d%s : %w", i+1, name, err)
		}
	}
	e.raw("</quiz>\n")
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(e.b.String()); err != nil {
		return fmt.Errorf("moodlexml: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("moodlexml: write: %w", err)
	}
	return nil
}

type exporter struct {
	b     strings.Builder
	err   error
	files []question.File // the current question's files
	n     int             // the number of the question written, for Moodle's comment
}

func (e *exporter) raw(s string) { e.b.WriteString(s) }

func (e *exporter) line(indent int, s string) {
	e.b.WriteString(strings.Repeat("  ", indent))
	e.b.WriteString(s)
	e.b.WriteByte('\n')
}

func (e *exporter) category(path string) {
	full := "$course$/top"
	if path != "" {
		full += "/" + path
	}
	e.comment()
	e.line(1, `<question type="category">`)
	e.line(2, "<category>")
	e.line(3, "<text>"+e.cdata(full)+"</text>")
	e.line(2, "</category>")
	e.line(2, `<info format="moodle_auto_format">`)
	e.line(3, "<text></text>")
	e.line(2, "</info>")
	e.line(2, "<idnumber></idnumber>")
	e.line(1, "</question>")
	e.raw("\n")
}

func (e *exporter) comment() {
	e.raw(fmt.Sprintf("<!-- question: %d  -->\n", e.n))
	e.n++
}

// moodleType is the Moodle type a question is written as.
var moodleType = map[question.Type]string{
	question.SingleChoice:   "multichoice",
	question.MultipleChoice: "multichoice",
	question.TrueFalse:      "truefalse",
	question.ShortAnswer:    "shortanswer",
	question.Numerical:      "numerical",
	question.Matching:       "matching",
	question.Ordering:       "ordering",
	question.Blanks:         "multianswer",
	question.Essay:          "essay",
	question.Description:    "description",
}

var blankMark = regexp.MustCompile(`\{\{([0-9]+)\}\}`)

func (e *exporter) question(number int, q question.Question) error {
	typ, ok := moodleType[q.Type]
	if !ok {
		return fmt.Errorf("type « %s » inconnu", q.Type)
	}
	e.files = q.Files
	text := q.Text
	if q.Type == question.Blanks {
		var err error
		if text.Text, err = clozeText(q); err != nil {
			return err
		}
	}
	// Every file goes with the question's text, in their order, so that Parse reads them
	// back in it; a file goes too with each other text that refers to it, where Moodle
	// looks for it.
	e.comment()
	e.line(1, `<question type="`+typ+`">`)
	e.line(2, "<name>")
	e.line(3, "<text>"+e.cdata(q.Name)+"</text>")
	e.line(2, "</name>")
	e.text(2, "questiontext", text, q.Files...)
	e.text(2, "generalfeedback", q.GeneralFeedback)
	grade, penalty := "1.0000000", "0.3333333"
	switch q.Type {
	case question.TrueFalse:
		penalty = "1.0000000"
	case question.Essay:
		penalty = "0.0000000"
	case question.Description:
		grade, penalty = "0.0000000", "0.0000000"
	case question.Blanks:
		points := 0
		for _, b := range q.Blanks {
			points += max(b.Points, 1)
		}
		grade = strconv.Itoa(points) + ".0000000"
	}
	e.line(2, "<defaultgrade>"+grade+"</defaultgrade>")
	e.line(2, "<penalty>"+penalty+"</penalty>")
	e.line(2, "<hidden>0</hidden>")
	e.line(2, "<idnumber></idnumber>")

	switch q.Type {
	case question.SingleChoice, question.MultipleChoice:
		e.line(2, "<single>"+strconv.FormatBool(q.Type == question.SingleChoice)+"</single>")
		e.line(2, "<shuffleanswers>true</shuffleanswers>")
		e.line(2, "<answernumbering>abc</answernumbering>")
		e.line(2, "<showstandardinstruction>0</showstandardinstruction>")
		e.combinedFeedback(true)
		for _, a := range q.Answers {
			e.answer(a.Fraction.Percent(), a.Text, a.Feedback, "")
		}
	case question.TrueFalse:
		right, wrong := "100", "0"
		if !q.Correct {
			right, wrong = "0", "100"
		}
		e.answer(right, question.Text{Text: "true"}, q.TrueFeedback, "")
		e.answer(wrong, question.Text{Text: "false"}, q.FalseFeedback, "")
	case question.ShortAnswer:
		usecase := "0"
		if q.CaseSensitive {
			usecase = "1"
		}
		e.line(2, "<usecase>"+usecase+"</usecase>")
		for _, a := range q.Answers {
			e.answer(a.Fraction.Percent(), question.Text{Text: a.Text.Text}, a.Feedback, "")
		}
	case question.Numerical:
		for _, a := range q.Answers {
			v := strings.TrimSpace(string(a.Value))
			if v == "*" { // any other answer
				e.answer(a.Fraction.Percent(), question.Text{Text: v}, a.Feedback, "")
				continue
			}
			if !isNumber(v) {
				return fmt.Errorf("la réponse « %s » n'est pas un nombre décimal", a.Value)
			}
			tol := ""
			if t := strings.TrimSpace(string(a.Tolerance)); t != "" {
				if !isNumber(t) {
					return fmt.Errorf("la tolérance « %s » n'est pas un nombre décimal", a.Tolerance)
				}
				tol = "<tolerance>" + t + "</tolerance>"
			}
			e.answer(a.Fraction.Percent(), question.Text{Text: v}, a.Feedback, tol)
		}
		e.line(2, "<unitgradingtype>0</unitgradingtype>")
		e.line(2, "<unitpenalty>0.1000000</unitpenalty>")
		e.line(2, "<showunits>3</showunits>")
		e.line(2, "<unitsleft>0</unitsleft>")
	case question.Matching:
		e.line(2, "<shuffleanswers>true</shuffleanswers>")
		e.combinedFeedback(true)
		for _, p := range q.Pairs {
			qt := p.Question
			if qt.IsZero() {
				qt = question.Text{Format: question.HTML}
			}
			e.line(2, `<subquestion format="`+formatName(qt.Format)+`">`)
			e.line(3, "<text>"+e.cdata(qt.Text)+"</text>")
			e.filesOf(3, qt.Text, nil)
			e.line(3, "<answer>")
			e.line(4, "<text>"+e.cdata(p.Answer)+"</text>")
			e.line(3, "</answer>")
			e.line(2, "</subquestion>")
		}
	case question.Ordering:
		e.line(2, "<layouttype>VERTICAL</layouttype>")
		e.line(2, "<selecttype>ALL</selecttype>")
		e.line(2, "<selectcount>0</selectcount>")
		e.line(2, "<gradingtype>ABSOLUTE_POSITION</gradingtype>")
		e.line(2, "<showgrading>SHOW</showgrading>")
		e.line(2, "<numberingstyle>none</numberingstyle>")
		e.combinedFeedback(true)
		for i, it := range q.Items {
			e.answer(strconv.Itoa(i+1)+".0000000", it, question.Text{}, "")
		}
	case question.Essay:
		e.line(2, "<responseformat>editor</responseformat>")
		e.line(2, "<responserequired>1</responserequired>")
		e.line(2, "<responsefieldlines>10</responsefieldlines>")
		e.line(2, "<minwordlimit></minwordlimit>")
		e.line(2, "<maxwordlimit></maxwordlimit>")
		e.line(2, "<attachments>0</attachments>")
		e.line(2, "<attachmentsrequired>0</attachmentsrequired>")
		e.line(2, "<maxbytes>0</maxbytes>")
		e.line(2, "<filetypeslist></filetypeslist>")
		e.text(2, "graderinfo", question.Text{Format: question.HTML})
		e.text(2, "responsetemplate", question.Text{Format: question.HTML})
	}
	e.line(1, "</question>")
	e.raw("\n")
	return e.err
}

// clozeText is a fill-in-the-blanks question's text with each {{n}} written as its cloze code.
func clozeText(q question.Question) (string, error) {
	var err error
	seen := make([]bool, len(q.Blanks))
	s := blankMark.ReplaceAllStringFunc(q.Text.Text, func(m string) string {
		n, _ := strconv.Atoi(m[2 : len(m)-2])
		if n < 1 || n > len(q.Blanks) {
			if err == nil {
				err = fmt.Errorf("le texte marque le trou %s, la question a %d trous", m, len(q.Blanks))
			}
			return m
		}
		seen[n-1] = true
		code, cerr := clozeCode(q.Blanks[n-1], n)
		if cerr != nil && err == nil {
			err = cerr
		}
		return code
	})
	if err != nil {
		return "", err
	}
	for i, ok := range seen {
		if !ok {
			return "", fmt.Errorf("le trou n° %d n'est pas placé dans le texte ({{%d}})", i+1, i+1)
		}
	}
	if len(q.Blanks) == 0 {
		return "", fmt.Errorf("une question à trous a au moins un trou")
	}
	return s, nil
}

func refers(text, name string) bool {
	return strings.Contains(text, "@@PLUGINFILE@@/"+name) ||
		strings.Contains(text, "@@PLUGINFILE@@/"+(&url.URL{Path: name}).EscapedPath())
}

// formatName is Moodle's name of a format.
func formatName(f question.Format) string {
	switch f {
	case question.HTML:
		return "html"
	case question.Plain:
		return "plain_text"
	case question.Markdown:
		return "markdown"
	}
	return "moodle_auto_format"
}

// text writes <tag format="…"><text>…</text><file…/></tag>, with the files extra, or
// when there are none the files t refers to.
func (e *exporter) text(indent int, tag string, t question.Text, extra ...question.File) {
	format := formatName(t.Format)
	if t.IsZero() {
		format = "html" // as Moodle writes empty texts
	}
	e.line(indent, "<"+tag+` format="`+format+`">`)
	e.line(indent+1, "<text>"+e.cdata(t.Text)+"</text>")
	e.filesOf(indent+1, t.Text, extra)
	e.line(indent, "</"+tag+">")
}

// filesOf writes extra, or when there are none the files text refers to.
func (e *exporter) filesOf(indent int, text string, extra []question.File) {
	files := extra
	if files == nil && text != "" {
		for _, f := range e.files {
			if refers(text, f.Name) {
				files = append(files, f)
			}
		}
	}
	for _, f := range files {
		path, name := "/", f.Name
		if i := strings.LastIndexByte(f.Name, '/'); i >= 0 {
			path, name = "/"+f.Name[:i+1], f.Name[i+1:]
		}
		e.line(indent, `<file name="`+attr(name)+`" path="`+attr(path)+`" encoding="base64">`+base64.StdEncoding.EncodeToString(f.Data)+"</file>")
	}
}

// answer writes an <answer> with its text, feedback and extra elements (tolerance).
func (e *exporter) answer(fraction string, t, feedback question.Text, extra string) {
	e.line(2, `<answer fraction="`+fraction+`" format="`+formatName(t.Format)+`">`)
	e.line(3, "<text>"+e.cdata(t.Text)+"</text>")
	e.filesOf(3, t.Text, nil)
	e.text(3, "feedback", feedback)
	if extra != "" {
		e.line(3, extra)
	}
	e.line(2, "</answer>")
}

func (e *exporter) combinedFeedback(shownumcorrect bool) {
	for _, tag := range []string{"correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"} {
		e.text(2, tag, question.Text{Format: question.HTML})
	}
	if shownumcorrect {
		e.line(2, "<shownumcorrect/>")
	}
}

// cdata is s as XML character data: as is when plain, in CDATA when it holds markup, as
// Moodle writes it. A character XML cannot hold makes the export fail.
func (e *exporter) cdata(s string) string {
	if !validXML(s) {
		if e.err == nil {
			e.err = fmt.Errorf("le texte « %s » contient un caractère de contrôle que le XML ne peut pas contenir", truncate(s))
		}
		return ""
	}
	if !strings.ContainsAny(s, "<>&\"'") {
		return s
	}
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

func validXML(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !(r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
	}
	return true
}

func attr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
