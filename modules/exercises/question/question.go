// Package question is the model of a question of the exercises' banks, shared by the GIFT
// and Moodle XML formats (package gift, package moodlexml), the grading (package grading)
// and the module's store: what a question asks, its answers and their weights, its
// feedback. It depends on the standard library only.
//
// Weights are exact: a Fraction is an integer number of ten-millionths (Moodle keeps its
// fractions with 7 decimals): FullMark = 10,000,000 is 100 %, -5,000,000 is -50 %. Numbers
// (numerical answers, tolerances) are decimal strings read exactly (Decimal.Rat).
package question

import (
	"fmt"
	"math/big"
	"strings"
)

// Type is a question's kind.
type Type string

// The question types.
const (
	SingleChoice   Type = "choix_unique"   // one answer is right (GIFT = and ~, Moodle multichoice single)
	MultipleChoice Type = "choix_multiple" // weighted answers, partial credit, negative weights (GIFT ~%n%)
	TrueFalse      Type = "vrai_faux"      // GIFT {T} / {F}
	ShortAnswer    Type = "reponse_courte" // several accepted answers, case option
	Numerical      Type = "numerique"      // value with tolerance, or a range
	Matching       Type = "appariement"    // pairs sub-question → answer
	Ordering       Type = "ordre"          // items to put in order
	Blanks         Type = "texte_a_trous"  // several blanks in a text, each with its answers
	Essay          Type = "redaction"      // graded by the teacher
	Description    Type = "description"    // text only, no answer, no points (GIFT question without {})
)

// Types lists the types in the order the pages offer them.
var Types = []Type{SingleChoice, MultipleChoice, TrueFalse, ShortAnswer, Numerical, Matching, Ordering, Blanks, Essay, Description}

// Format is how a text is written (GIFT's [html] [markdown] [plain] [moodle]; Moodle XML's
// format attribute).
type Format string

// The text formats.
const (
	HTML     Format = "html"
	Markdown Format = "markdown"
	Plain    Format = "plain"
	Moodle   Format = "moodle" // Moodle's auto-format: plain text with line breaks kept
)

// Text is a piece of text and its format. It is stored as written; pages render it through
// modules/richtext (sanitised), never as raw HTML.
type Text struct {
	Text   string `json:"text"`
	Format Format `json:"format,omitempty"` // empty: Moodle (GIFT's default)
}

// IsZero tells whether the text is empty.
func (t Text) IsZero() bool { return strings.TrimSpace(t.Text) == "" }

// Fraction is a weight in ten-millionths: FullMark is 100 %.
type Fraction int64

// FullMark is 100 %.
const FullMark Fraction = 10_000_000

// Rat is f as an exact fraction of 1.
func (f Fraction) Rat() *big.Rat { return big.NewRat(int64(f), int64(FullMark)) }

// Percent writes f as a percentage with up to 5 decimals, without trailing zeros: 50,
// 33.33333, -100 (GIFT's %n%).
func (f Fraction) Percent() string {
	r := new(big.Rat).SetFrac64(int64(f), 100_000) // percent = f / 100,000
	s := r.FloatString(5)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// ParsePercent reads a percentage (« 50 », « 33.33333 », « -25 », « 12,5 ») into a Fraction,
// exactly when it has at most 5 decimals.
func ParsePercent(s string) (Fraction, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	r, ok := new(big.Rat).SetString(s)
	if !ok || s == "" {
		return 0, fmt.Errorf("« %s » n'est pas un pourcentage", s)
	}
	r.Mul(r, big.NewRat(100_000, 1))
	if !r.IsInt() {
		return 0, fmt.Errorf("« %s » : 5 décimales au plus", s)
	}
	if r.Num().CmpAbs(big.NewInt(100*100_000)) > 0 {
		return 0, fmt.Errorf("« %s » : un poids est compris entre -100 %% et 100 %%", s)
	}
	return Fraction(r.Num().Int64()), nil
}

// Decimal is a number written in decimal ("3.14", "-2", "1e3" is refused), read exactly.
type Decimal string

// Rat is d exactly, or an error saying what is wrong.
func (d Decimal) Rat() (*big.Rat, error) {
	s := strings.ReplaceAll(strings.TrimSpace(string(d)), ",", ".")
	if s == "" || strings.ContainsAny(s, "eE/") {
		return nil, fmt.Errorf("« %s » n'est pas un nombre décimal", string(d))
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("« %s » n'est pas un nombre décimal", string(d))
	}
	return r, nil
}

// Answer is one answer of a choice, true/false, short answer or numerical question, or of a
// blank.
type Answer struct {
	Text     Text     `json:"text"`               // choice and short answer
	Fraction Fraction `json:"fraction"`           // its weight: FullMark for a right answer, 0 for a wrong one
	Feedback Text     `json:"feedback,omitempty"` // shown when this answer is given
	// Numerical answers: the accepted interval is [Value - Tolerance, Value + Tolerance];
	// a GIFT range a..b is Value (a+b)/2 and Tolerance (b-a)/2.
	Value     Decimal `json:"value,omitempty"`
	Tolerance Decimal `json:"tolerance,omitempty"`
}

// Pair is one sub-question of a matching question and the answer it goes with.
type Pair struct {
	Question Text   `json:"question"` // empty: a distractor answer with no question (Moodle)
	Answer   string `json:"answer"`   // plain text
}

// Blank is one blank of a fill-in-the-blanks question: in Question.Text it is written
// {{n}} (n from 1), and it is either typed (short answer, numerical) or chosen from its
// answers (a drop-down list).
type Blank struct {
	Kind    Type     `json:"kind"`             // ShortAnswer, Numerical or SingleChoice
	Points  int      `json:"points,omitempty"` // its share of the question (Moodle cloze), default 1
	Answers []Answer `json:"answers"`
	// CaseSensitive: a typed short-answer blank compares letters' case (Moodle cloze
	// SHORTANSWER_C / SAC); by default case is ignored (SHORTANSWER / SA).
	CaseSensitive bool `json:"case_sensitive,omitempty"`
}

// File is a file a question's texts show, an image mostly: a text refers to it as
// @@PLUGINFILE@@/Name, as Moodle does (Moodle XML <file name="…" encoding="base64">).
// Name is the file's name, after its folder when it is not the top one (« img/chat.png »).
type File struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// Question is one question of a bank.
type Question struct {
	Type            Type   `json:"type"`
	Name            string `json:"name,omitempty"`     // GIFT ::title::, Moodle <name>
	Category        string `json:"category,omitempty"` // GIFT $CATEGORY, « a/b/c »
	Text            Text   `json:"text"`
	GeneralFeedback Text   `json:"general_feedback,omitempty"` // GIFT ####
	// Answers: choices, short answers, numerical answers (a true/false question has none:
	// Correct and its two feedbacks below).
	Answers       []Answer `json:"answers,omitempty"`
	CaseSensitive bool     `json:"case_sensitive,omitempty"` // short answer
	Pairs         []Pair   `json:"pairs,omitempty"`          // matching
	Items         []Text   `json:"items,omitempty"`          // ordering, in the right order
	Blanks        []Blank  `json:"blanks,omitempty"`         // fill-in-the-blanks
	// TrueFeedback and FalseFeedback are a true/false question's feedback when the pupil
	// answers true, and false (GIFT {T#if false#if true} is {T#FalseFeedback#TrueFeedback}).
	TrueFeedback  Text `json:"true_feedback,omitempty"`
	FalseFeedback Text `json:"false_feedback,omitempty"`
	Correct       bool `json:"correct,omitempty"` // true/false: the right answer
	// Files are the files the texts refer to (Moodle XML); GIFT has none.
	Files []File `json:"files,omitempty"`
}

// Response is a pupil's answer to one question, in the question's own order (the page
// shuffles for display, answers are kept by their index in Answers, Items, Pairs).
type Response struct {
	Choices []int    `json:"choices,omitempty"` // choice questions: the indexes in Answers chosen
	Bool    *bool    `json:"bool,omitempty"`    // true/false
	Text    string   `json:"text,omitempty"`    // short answer, numerical, essay
	Matches []string `json:"matches,omitempty"` // matching: per Pairs index, the answer chosen ("" none)
	Order   []int    `json:"order,omitempty"`   // ordering: the indexes in Items in the pupil's order
	Blanks  []string `json:"blanks,omitempty"`  // fill-in-the-blanks: per blank, typed or chosen text
}
