package grading

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// normalize is s in Unicode NFC (an « é » typed as e + accent equals the precomposed one),
// trimmed, with every run of spaces (tabs, line breaks, non-breaking spaces included)
// collapsed into one space.
func normalize(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// fold is s with every letter replaced by the smallest letter of its case-folding orbit
// (Unicode simple folding, as strings.EqualFold): two strings equal but for case fold to
// the same string. Accents are kept: « É » folds like « é », never like « e ».
func fold(s string) string {
	return strings.Map(foldRune, s)
}

func foldRune(r rune) rune {
	if r < 0x80 { // ASCII: the orbit of a letter is its two cases (K and S have more above 0x80, whose smallest member is ASCII)
		if 'A' <= r && r <= 'Z' {
			return r
		}
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < min {
			min = f
		}
	}
	return min
}

// pattern is an accepted short answer read for matching: the literal runs between its
// wildcards. A pattern without wildcard has one run.
type pattern struct {
	runs []string
}

// compilePattern reads an accepted answer: `*` (or a run of them) is a wildcard, `\*` a
// literal star; the text is normalised, and folded unless caseSensitive.
func compilePattern(answer string, caseSensitive bool) pattern {
	s := normalize(answer)
	var (
		runs []string
		cur  strings.Builder
	)
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '*':
			cur.WriteByte('*')
			i++
		case s[i] == '*':
			runs = append(runs, cur.String())
			cur.Reset()
			for i+1 < len(s) && s[i+1] == '*' {
				i++
			}
		default:
			cur.WriteByte(s[i])
		}
	}
	runs = append(runs, cur.String())
	if !caseSensitive {
		for i := range runs {
			runs[i] = fold(runs[i])
		}
	}
	return pattern{runs: runs}
}

// literal is a text that the pattern matches: its runs end to end (a wildcard matches the
// empty text), or with « … » for each wildcard when joining would collapse spaces
// (« a * b » gives « a … b »). Only for a case-sensitive pattern (runs not folded).
func (p pattern) literal() string {
	s := strings.Join(p.runs, "")
	if n := normalize(s); p.match(n) {
		return n
	}
	return strings.Join(p.runs, "…")
}

// match tells whether the whole of s (normalised, and folded like the pattern) matches.
func (p pattern) match(s string) bool {
	if len(p.runs) == 1 {
		return s == p.runs[0]
	}
	first, last := p.runs[0], p.runs[len(p.runs)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, run := range p.runs[1 : len(p.runs)-1] {
		i := strings.Index(mid, run)
		if i < 0 {
			return false
		}
		mid = mid[i+len(run):]
	}
	return true
}

// bestShortAnswer is the answer with the best fraction among those the typed text matches.
// An empty text matches nothing, not even `*`.
func bestShortAnswer(answers []question.Answer, typed string, caseSensitive bool) (question.Answer, bool) {
	s := normalize(typed)
	if s == "" {
		return question.Answer{}, false
	}
	if !caseSensitive {
		s = fold(s)
	}
	best, found := 0, false
	for i, a := range answers {
		if found && a.Fraction <= answers[best].Fraction {
			continue
		}
		if compilePattern(a.Text.Text, caseSensitive).match(s) {
			best, found = i, true
		}
	}
	if !found {
		return question.Answer{}, false
	}
	return answers[best], true
}
