package exercises

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// Bounds of a question.
const (
	maxName    = 255
	maxText    = 20000
	maxAnswers = 100
)

var blankMark = regexp.MustCompile(`\{\{([0-9]+)\}\}`)

// checkQuestion says, in French, what is wrong with q for a bank ("" when nothing): the
// pupils' pages and the grader rely on what it checks.
func checkQuestion(q question.Question) string {
	if !slices.Contains(question.Types, q.Type) {
		return fmt.Sprintf("le type « %s » n'existe pas", q.Type)
	}
	if q.Text.IsZero() {
		return "l'énoncé est vide"
	}
	if utf8.RuneCountInString(q.Text.Text) > maxText {
		return "l'énoncé dépasse 20 000 caractères"
	}
	if utf8.RuneCountInString(q.Name) > maxName {
		return "le titre dépasse 255 caractères"
	}
	if len(q.Answers) > maxAnswers || len(q.Pairs) > maxAnswers || len(q.Items) > maxAnswers || len(q.Blanks) > maxAnswers {
		return "100 réponses au plus"
	}
	switch q.Type {
	case question.SingleChoice, question.MultipleChoice:
		if len(q.Answers) < 2 {
			return "une question à choix a au moins deux réponses"
		}
		if !slices.ContainsFunc(q.Answers, func(a question.Answer) bool { return a.Fraction > 0 }) {
			return "aucune réponse n'est juste (poids positif)"
		}
		for i, a := range q.Answers {
			if a.Text.IsZero() {
				return fmt.Sprintf("la réponse %d est vide", i+1)
			}
			if a.Fraction > question.FullMark || a.Fraction < -question.FullMark {
				return fmt.Sprintf("la réponse %d : un poids est compris entre -100 %% et 100 %%", i+1)
			}
		}
	case question.ShortAnswer:
		if msg := checkAnswers(q.Answers, false); msg != "" {
			return msg
		}
	case question.Numerical:
		if msg := checkAnswers(q.Answers, true); msg != "" {
			return msg
		}
	case question.Matching:
		n := 0
		for i, p := range q.Pairs {
			if strings.TrimSpace(p.Answer) == "" {
				return fmt.Sprintf("la paire %d n'a pas de réponse", i+1)
			}
			if !p.Question.IsZero() {
				n++
			}
		}
		if n < 2 {
			return "une question d'appariement a au moins deux paires"
		}
	case question.Ordering:
		if len(q.Items) < 2 {
			return "une question d'ordre a au moins deux éléments"
		}
		for i, it := range q.Items {
			if it.IsZero() {
				return fmt.Sprintf("l'élément %d est vide", i+1)
			}
		}
	case question.Blanks:
		if len(q.Blanks) == 0 {
			return "un texte à trous a au moins un trou"
		}
		seen := map[string]bool{}
		for _, m := range blankMark.FindAllStringSubmatch(q.Text.Text, -1) {
			seen[m[1]] = true
		}
		for i, b := range q.Blanks {
			if !seen[fmt.Sprint(i+1)] {
				return fmt.Sprintf("le trou %d n'est pas dans le texte ({{%d}})", i+1, i+1)
			}
			switch b.Kind {
			case question.ShortAnswer, question.Numerical, question.SingleChoice:
			default:
				return fmt.Sprintf("le trou %d : type « %s » impossible", i+1, b.Kind)
			}
			if msg := checkAnswers(b.Answers, b.Kind == question.Numerical); msg != "" {
				return fmt.Sprintf("le trou %d : %s", i+1, msg)
			}
		}
	}
	return ""
}

func checkAnswers(as []question.Answer, numerical bool) string {
	if len(as) == 0 {
		return "aucune réponse acceptée"
	}
	if !slices.ContainsFunc(as, func(a question.Answer) bool { return a.Fraction > 0 }) {
		return "aucune réponse n'est juste (poids positif)"
	}
	for i, a := range as {
		if numerical {
			if _, err := a.Value.Rat(); err != nil {
				return fmt.Sprintf("la réponse %d : %v", i+1, err)
			}
			if a.Tolerance != "" {
				tol, err := a.Tolerance.Rat()
				if err != nil || tol.Sign() < 0 {
					return fmt.Sprintf("la réponse %d : la tolérance est un nombre positif", i+1)
				}
			}
		} else if a.Text.IsZero() {
			return fmt.Sprintf("la réponse %d est vide", i+1)
		}
	}
	return ""
}

// nameOf is the name a question is listed under: its own, or the start of its text.
func nameOf(q question.Question) string {
	if n := strings.TrimSpace(q.Name); n != "" {
		return n
	}
	text := strings.Join(strings.Fields(q.Text.Text), " ")
	if utf8.RuneCountInString(text) > 60 {
		text = string([]rune(text)[:60]) + "…"
	}
	return text
}

// cleanPath writes a category path as stored: « Algèbre / Équations » → « Algèbre/Équations »;
// ok false when it is empty or too long.
func cleanPath(p string) (string, bool) {
	var parts []string
	for _, s := range strings.Split(p, "/") {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			parts = append(parts, s)
		}
	}
	out := strings.Join(parts, "/")
	return out, out != "" && utf8.RuneCountInString(out) <= 300
}
