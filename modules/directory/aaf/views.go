package aaf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StructRef is a "<structure>$<code>" value, as in ENTEleveClasses and
// ENTEleveGroupes. Structure is the structure's join key as written in the
// file: its ENTStructureJointure or its UAI.
type StructRef struct {
	Structure string
	Code      string
}

// ParseClasses decodes "<structure>$<code>" values. Values without a '$' or
// with an empty part are skipped.
func ParseClasses(values []string) []StructRef {
	refs := make([]StructRef, 0, len(values))
	for _, v := range values {
		s, c, ok := strings.Cut(v, "$")
		if ok && s != "" && c != "" {
			refs = append(refs, StructRef{Structure: s, Code: c})
		}
	}
	return refs
}

// TeachingRef is a "<structure>$<class or group>$<subject>" value, as in
// ENTAuxEnsClassesMatieres and ENTAuxEnsGroupesMatieres.
type TeachingRef struct {
	Structure string
	Code      string // class or group code
	Subject   string // subject code (or label, depending on the source)
}

// ParseTeaching decodes a "<structure>$<class>$<subject>" value. Everything
// after the second '$' is the subject.
func ParseTeaching(v string) (TeachingRef, bool) {
	f := strings.SplitN(v, "$", 3)
	if len(f) != 3 || f[0] == "" || f[1] == "" || f[2] == "" {
		return TeachingRef{}, false
	}
	return TeachingRef{Structure: f[0], Code: f[1], Subject: f[2]}, true
}

// Relation is an ENTElevePersRelEleve value: a link from a pupil to a
// relative.
type Relation struct {
	RelativeID string // the relative's ENTPersonJointure
	Quality    int    // 1 = legal guardian
	Legal      bool   // Quality == 1
}

// ParseRelation decodes "<relativeId>$1$0$<quality>$0$0". Only the first and
// fourth fields are read; the others may be anything or missing.
func ParseRelation(v string) (Relation, bool) {
	f := strings.Split(v, "$")
	if len(f) < 4 || f[0] == "" {
		return Relation{}, false
	}
	q, err := strconv.Atoi(f[3])
	if err != nil {
		return Relation{}, false
	}
	return Relation{RelativeID: f[0], Quality: q, Legal: q == 1}, true
}

// Function is an ENTPersonFonctions value.
type Function struct {
	Structure       string // join key or UAI of the structure
	Code            string // e.g. ENS, DIR, EDU, ADF
	Label           string // e.g. ENSEIGNEMENT
	Discipline      string // e.g. L1300
	DisciplineLabel string // e.g. MATHEMATIQUES
}

// ParseFunction decodes "<structure>$<code>$<label>$<discipline>$<label>".
// The structure and code are required; missing trailing fields are empty.
func ParseFunction(v string) (Function, bool) {
	f := strings.SplitN(v, "$", 5)
	if len(f) < 2 || f[0] == "" || f[1] == "" {
		return Function{}, false
	}
	f = append(f, make([]string, 5-len(f))...)
	return Function{Structure: f[0], Code: f[1], Label: f[2], Discipline: f[3], DisciplineLabel: f[4]}, true
}

// ParseBirthDate decodes an ENTPersonDateNaissance value (dd/mm/yyyy) as a
// date at midnight UTC.
func ParseBirthDate(s string) (time.Time, error) {
	t, err := time.Parse("02/01/2006", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("date de naissance %q invalide (jj/mm/aaaa attendu)", s) // French, shown as is
	}
	return t, nil
}
