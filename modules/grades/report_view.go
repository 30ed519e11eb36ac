package grades

import (
	"cmp"
	"fmt"
	"math/big"
	"strings"

	"github.com/google/uuid"
)

// reportView is a report card as shown, on screen and in the PDF: every figure already
// written the French way (12,50; "–" for no average).
type reportView struct {
	PupilID   uuid.UUID
	FirstName string
	LastName  string
	Class     string
	Period    Period
	Subjects  []reportSubjectView
	General   string
	ClassAvg  string // over the class's general averages
	ClassMin  string
	ClassMax  string
	Council   []string // splitParagraphs; empty: no comment yet
	Published bool
	Principal string
	Absences  string
}

type reportSubjectView struct {
	Label        string
	Coef         string
	Average      string
	ClassAvg     string
	ClassMin     string
	ClassMax     string
	Appreciation []string // splitParagraphs
}

// Name is the pupil's name as written on the report card: "Zoé Lefèvre".
func (r reportView) Name() string { return strings.TrimSpace(r.FirstName + " " + r.LastName) }

// Title is "Bulletin du 1er trimestre".
func (r reportView) Title() string { return "Bulletin du " + r.Period.Label() }

// Dates is "du 01/09/2026 au 30/11/2026".
func (r reportView) Dates() string { return periodDates(r.Period) }

func periodDates(p Period) string {
	return "du " + p.StartsOn.Format("02/01/2006") + " au " + p.EndsOn.Format("02/01/2006")
}

// AbsencesText is what the report card says of absences until attendance fills them.
func (r reportView) AbsencesText() string {
	if strings.TrimSpace(r.Absences) == "" {
		return "non renseignées"
	}
	return r.Absences
}

// PrincipalText names the professeur principal, or says there is none.
func (r reportView) PrincipalText() string {
	if r.Principal == "" {
		return "non désigné"
	}
	return r.Principal
}

func newReportView(r *PupilReport) reportView {
	v := reportView{PupilID: r.PupilID, FirstName: r.FirstName, LastName: r.LastName, Class: r.ClassLabel, Period: r.Period,
		General: French(r.General), ClassAvg: French(r.ClassStats.Avg), ClassMin: French(r.ClassStats.Min), ClassMax: French(r.ClassStats.Max),
		Council: splitParagraphs(r.Council), Published: r.Published, Principal: tidyPrincipals(r.Principal), Absences: r.Absences}
	for _, s := range r.Subjects {
		v.Subjects = append(v.Subjects, reportSubjectView{Label: s.Label, Coef: s.Coef.Short(), Average: French(s.Average),
			ClassAvg: French(s.Class.Avg), ClassMin: French(s.Class.Min), ClassMax: French(s.Class.Max), Appreciation: splitParagraphs(s.Appreciation)})
	}
	return v
}

// tidyPrincipals tidies "M. Martin, Mme Durand" (an empty title leaves a leading space).
func tidyPrincipals(s string) string {
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// splitParagraphs splits a typed text into its non-empty lines.
func splitParagraphs(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// periodCode is T1, T2, T3 for trimestres, S1, S2 for semestres.
func periodCode(p Period) string {
	if p.Kind == KindSemestre {
		return fmt.Sprintf("S%d", p.Number)
	}
	return fmt.Sprintf("T%d", p.Number)
}

// reportJSON is a report card for the JSON API: figures as exact decimals with two places
// (12.50), null when there is no average.
func reportJSON(r *PupilReport) any {
	type stats struct {
		Average *reportDecimal `json:"average"`
		Min     *reportDecimal `json:"min"`
		Max     *reportDecimal `json:"max"`
		Count   int            `json:"count"`
	}
	type subject struct {
		Code         string         `json:"code"`
		Label        string         `json:"label"`
		Coefficient  reportDecimal  `json:"coefficient"`
		Average      *reportDecimal `json:"average"`
		Class        stats          `json:"class"`
		Appreciation string         `json:"appreciation"`
	}
	type period struct {
		ID         uuid.UUID `json:"id"`
		Label      string    `json:"label"`
		SchoolYear string    `json:"school_year"`
		Kind       string    `json:"kind"`
		Number     int       `json:"number"`
		StartsOn   string    `json:"starts_on"`
		EndsOn     string    `json:"ends_on"`
	}
	out := struct {
		PupilID   uuid.UUID      `json:"pupil_id"`
		FirstName string         `json:"first_name"`
		LastName  string         `json:"last_name"`
		ClassID   uuid.UUID      `json:"class_id"`
		Class     string         `json:"class"`
		Period    period         `json:"period"`
		Subjects  []subject      `json:"subjects"`
		General   *reportDecimal `json:"general_average"`
		ClassGen  stats          `json:"class_general"`
		Council   string         `json:"council_comment"`
		Published bool           `json:"published"`
		Principal string         `json:"principal_teacher"`
		Absences  *string        `json:"absences"` // null until attendance fills it
	}{
		PupilID: r.PupilID, FirstName: r.FirstName, LastName: r.LastName, ClassID: r.ClassID, Class: r.ClassLabel,
		Period: period{ID: r.Period.ID, Label: r.Period.Label(), SchoolYear: r.Period.SchoolYear, Kind: r.Period.Kind, Number: r.Period.Number,
			StartsOn: r.Period.StartsOn.Format("2006-01-02"), EndsOn: r.Period.EndsOn.Format("2006-01-02")},
		Subjects: []subject{}, General: reportDecimalOf(r.General), Council: r.Council, Published: r.Published, Principal: tidyPrincipals(r.Principal),
	}
	statsOf := func(s Stats) stats {
		return stats{reportDecimalOf(s.Avg), reportDecimalOf(s.Min), reportDecimalOf(s.Max), s.Count}
	}
	out.ClassGen = statsOf(r.ClassStats)
	if r.Absences != "" {
		out.Absences = &r.Absences
	}
	for _, s := range r.Subjects {
		out.Subjects = append(out.Subjects, subject{Code: s.Code, Label: cmp.Or(s.Label, s.Code), Coefficient: reportDecimal(s.Coef), Average: reportDecimalOf(s.Average),
			Class: statsOf(s.Class), Appreciation: s.Appreciation})
	}
	return out
}

// reportDecimal is a value with two decimals written as a JSON number: 12.50.
type reportDecimal Hundredths

// MarshalJSON writes the exact decimal as a string ("12.50"), like the marks API: never
// through a float.
func (d reportDecimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strings.Replace(Hundredths(d).String(), ",", ".", 1) + `"`), nil
}

func reportDecimalOf(r *big.Rat) *reportDecimal {
	if r == nil {
		return nil
	}
	d := reportDecimal(Round2(r))
	return &d
}
