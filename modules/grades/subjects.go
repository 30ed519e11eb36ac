package grades

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Subject names as people write them. The AAF export gives subjects as BCN matière codes
// (six digits, "061300") with their national label in capitals without accents
// ("MATHEMATIQUES"); establishments may also type their own label ("Maths expertes").

// nationalSubjects are the BCN matière codes found in the AAF exports (see
// modules/directory/aaf), with their names as written in French.
var nationalSubjects = map[string]string{
	"010100": "Philosophie",
	"020100": "Français",
	"020300": "Latin",
	"030201": "Anglais",
	"030402": "Allemand",
	"030602": "Espagnol",
	"040300": "Histoire-géographie",
	"061300": "Mathématiques",
	"062000": "Physique-chimie",
	"062900": "Sciences de la vie et de la Terre",
	"067400": "Numérique et sciences informatiques",
	"071000": "Sciences économiques et sociales",
	"100100": "Éducation physique et sportive",
}

// labelNames are national labels (capitals, accents dropped) with their written names, for
// subjects whose code is not in nationalSubjects.
var labelNames = map[string]string{
	"ARTS PLASTIQUES":                          "Arts plastiques",
	"EDUCATION MORALE ET CIVIQUE":              "Éducation morale et civique",
	"EDUCATION MUSICALE":                       "Éducation musicale",
	"ENSEIGNEMENT SCIENTIFIQUE":                "Enseignement scientifique",
	"GREC":                                     "Grec ancien",
	"HISTOIRE-GEOGRAPHIE":                      "Histoire-géographie",
	"HISTOIRE GEOGRAPHIE":                      "Histoire-géographie",
	"ITALIEN":                                  "Italien",
	"MATHEMATIQUES":                            "Mathématiques",
	"NUMERIQUE ET SCIENCES INFORMATIQUES":      "Numérique et sciences informatiques",
	"PHYSIQUE-CHIMIE":                          "Physique-chimie",
	"SCIENCES DE LA VIE ET DE LA TERRE":        "Sciences de la vie et de la Terre",
	"SCIENCES ECONOMIQUES ET SOCIALES":         "Sciences économiques et sociales",
	"SCIENCES NUMERIQUES ET TECHNOLOGIE":       "Sciences numériques et technologie",
	"EDUCATION PHYSIQUE ET SPORTIVE":           "Éducation physique et sportive",
	"FRANCAIS":                                 "Français",
	"TECHNOLOGIE":                              "Technologie",
	"HISTOIRE-GEOGRAPHIE ENS. MORAL & CIVIQUE": "Histoire-géographie, enseignement moral et civique",
}

// subjectName is the subject as shown: the establishment's own label when someone typed
// one (anything not in capitals), else the national name of its code or label, else its
// label with only a first capital.
func subjectName(code, label string) string {
	label = strings.TrimSpace(label)
	if label != "" && label != code && !shouting(label) {
		return label
	}
	if n, ok := nationalSubjects[code]; ok {
		return n
	}
	if label == "" {
		label = code
	}
	if n, ok := labelNames[unaccented(strings.ToUpper(label))]; ok {
		return n
	}
	if shouting(label) && utf8.RuneCountInString(label) > 4 { // "SVT", "EPS" stay acronyms
		r, size := utf8.DecodeRuneInString(label)
		return string(r) + strings.ToLower(label[size:])
	}
	return label
}

// shouting tells a label in capitals (as the AAF writes them) from one people typed.
func shouting(s string) bool {
	letters := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		letters = letters || unicode.IsLetter(r)
	}
	return letters
}

func unaccented(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ofSubject is "de mathématiques", "d'anglais", "d'histoire-géographie", "de SVT",
// "d'EPS": the subject after "de" in a sentence ("Moyenne d'anglais"), with French elision
// before a vowel or a mute h, in lower case unless it starts with an acronym.
func ofSubject(name string) string {
	if name == "" {
		return "de la matière"
	}
	first, _, _ := strings.Cut(name, " ")
	if !(utf8.RuneCountInString(first) > 1 && shouting(first)) {
		r, size := utf8.DecodeRuneInString(name)
		name = string(unicode.ToLower(r)) + name[size:]
	}
	if elides(name) {
		return "d'" + name
	}
	return "de " + name
}

// elides tells whether "de" elides before word: a vowel (accented or not) or a mute h.
// The few subjects with an aspirated h are listed.
func elides(word string) bool {
	lower := strings.ToLower(word)
	for _, aspirated := range []string{"hongrois", "hindi"} {
		if strings.HasPrefix(unaccented(lower), unaccented(aspirated)) {
			return false
		}
	}
	r, _ := utf8.DecodeRuneInString(unaccented(lower))
	return strings.ContainsRune("aeiouyh", r)
}
