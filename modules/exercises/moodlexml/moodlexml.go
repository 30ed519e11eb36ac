// Package moodlexml reads and writes Moodle's question XML format (the « Moodle XML » of
// Moodle's question bank export), to and from the shared model of package question.
//
// Parse reads a <quiz> of <question type="…">: categories, multichoice, truefalse,
// shortanswer, numerical, matching, ddwtos and gapselect (drag-and-drop and drop-down words
// into the text), multianswer (cloze), ordering, essay and description. A question it cannot
// read is reported as a ParseError (its number, name, type and XML line) and the others
// still import. Export writes questions as Moodle writes them, so that Moodle imports them,
// and so that Parse reads them back to the same questions.
//
// What the model has no place for is read and dropped: <defaultgrade> and <penalty> (the
// exercise gives each question its points), shuffling and numbering options, the combined
// feedbacks (correct, partially correct, incorrect), hints, tags, units of numerical
// questions, the layout of ordering questions.
//
// Canonical forms (what Parse returns, and so what a round trip keeps):
//   - an empty text is the zero question.Text; texts are trimmed, as Moodle does;
//   - Moodle's auto-format (moodle_auto_format) is the empty question.Format;
//   - answers of short answer, numerical and true/false questions, dragged or chosen words,
//     answers and feedbacks inside a cloze text have the empty format;
//   - a cloze blank {:TYPE:…} without a weight has Points 0, {1:TYPE:…} has Points 1;
//   - a category is the path under Moodle's « top »: « Maths/Algèbre ».
//
// Safety: encoding/xml expands no entity but the five predefined ones and the numeric
// ones, reads no DTD and fetches nothing: an entity declared in a DOCTYPE stays undefined,
// and a document that uses one is refused. A document over MaxDocument bytes and a file over MaxFile
// bytes are refused.
package moodlexml

import (
	"errors"
	"fmt"
	"io"
)

// Size limits.
const (
	MaxDocument = 20 << 20 // a whole XML document
	MaxFile     = 5 << 20  // one embedded file, decoded
)

// ParseError is a question Parse could not read; the other questions still import.
type ParseError struct {
	Number  int    // the question's number in the file, from 1 (categories are not counted)
	Name    string // its <name>, if any
	Type    string // its Moodle type attribute
	Line    int    // the line of its <question> element, or of the element at fault
	Message string // in French: what is wrong
}

// Error says where and what, in French.
func (e ParseError) Error() string {
	s := fmt.Sprintf("question %d", e.Number)
	if e.Name != "" {
		s += fmt.Sprintf(" « %s »", e.Name)
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (ligne %d)", e.Line)
	}
	return s + " : " + e.Message
}

// errTooLarge is returned by the size-limited reader.
var errTooLarge = errors.New("moodlexml: document too large")

// limitedReader fails with errTooLarge once more than max bytes have been read.
type limitedReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n > l.max {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.max+1-l.n {
		p = p[:l.max+1-l.n]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, errTooLarge
	}
	return n, err
}
