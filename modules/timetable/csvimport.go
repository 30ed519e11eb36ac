package timetable

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// CSVColumns are the columns of the slots' CSV import, in any order on its header line; the
// first five are required. UTF-8 (with or without BOM) or Windows-1252, ";" or ",".
var CSVColumns = []string{
	"classe",      // code of a class or group of this year (2NDE1, 2NDE-ESP)
	"matiere",     // subject code of the directory (MATHS)
	"jour",        // lundi … samedi (or 1 … 6)
	"debut",       // hh:mm, or a period's code of the day profile (M1: its start)
	"fin",         // hh:mm, or a period's code (M2: its end)
	"enseignants", // teachers' logins, comma separated (may be empty)
	"salle",       // room, 40 characters at most
	"semaines",    // empty (every week), A or B
	"du",          // first date, jj/mm/aaaa (empty: the school year's first day)
	"au",          // last date (empty: the school year's last day)
}

var requiredColumns = CSVColumns[:5]

// maxReported is how many wrong lines an import names; the count says how many more.
const maxReported = 100

// ImportError is a refused import: every wrong line with its file, line and reason.
type ImportError struct {
	Lines []string // "edt.csv, ligne 3 : matière « SVT » inconnue de l'annuaire"
	More  int      // wrong lines not listed
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("import refusé (%d lignes en erreur) : %s", len(e.Lines)+e.More, strings.Join(e.Lines, " ; "))
}

// Unwrap makes the refusal an invalid request (422).
func (e *ImportError) Unwrap() error { return fault.ErrInvalid }

// ImportReport says what an import did.
type ImportReport struct {
	Slots    int // slots written
	Groups   int // classes and groups whose slots were replaced
	Replaced int // slots removed for them
}

// ImportSlots replaces the slots of every class and group named in the file by the file's
// lines, in one transaction: a single wrong line refuses the whole file (every wrong line is
// named, with the file and its line) and nothing is written. Classes absent from the file
// keep their slots, and a line that cannot be held with one of those (the same teacher or
// room, a class and a group sharing pupils) is a wrong line, as is one that cannot be held
// with an earlier line of the file.
func (s *Service) ImportSlots(ctx context.Context, t *tenant.Tenant, name string, r io.Reader) (*ImportReport, error) {
	text, err := directory.CSVText(name, r)
	if err != nil {
		return nil, err
	}
	var rep *ImportReport
	err = s.write(ctx, t, func(st store) error {
		refs, err := st.refs()
		if err != nil {
			return err
		}
		stored, err := st.slots(filter{all: true}, time.Time{}, time.Time{})
		if err != nil {
			return err
		}
		ln, err := st.pupilLinks()
		if err != nil {
			return err
		}
		slots, err := refs.readCSV(name, text, stored, ln)
		if err != nil {
			return err
		}
		rep = &ImportReport{Slots: len(slots)}
		groups := map[uuid.UUID]bool{}
		var ids []uuid.UUID
		for _, sl := range slots {
			if !groups[sl.Group.ID] {
				groups[sl.Group.ID] = true
				ids = append(ids, sl.Group.ID)
			}
		}
		rep.Groups = len(ids)
		n, err := st.deleteSlotsOf(ids)
		if err != nil {
			return err
		}
		rep.Replaced = int(n)
		for _, sl := range slots {
			if err := st.insertSlot(sl); err != nil {
				return err
			}
		}
		return nil
	})
	return rep, err
}

// csvLine is a slot read from a line, with the line for the overlap check.
type csvLine struct {
	line int
	slot Slot
}

// readCSV reads every line of the file against the school's structure and the stored slots
// (those of the classes the file does not name stay): the slots, or an ImportError naming
// every wrong line.
func (r *refs) readCSV(name, text string, stored []Slot, ln pupilLinks) ([]Slot, error) {
	var problems []csvProblemAt
	report := func(line int, format string, args ...any) {
		problems = append(problems, csvProblemAt{line, fmt.Sprintf(format, args...)})
	}
	refused := func() error { return refusal(name, problems) }
	sep := ';'
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, ",") > strings.Count(first, ";") {
		sep = ','
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma, cr.FieldsPerRecord, cr.TrimLeadingSpace = sep, -1, true
	header, err := cr.Read()
	if err != nil {
		report(1, "en-tête illisible (%s) ; colonnes attendues : %s", csvProblem(err), strings.Join(CSVColumns, ";"))
		return nil, refused()
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range requiredColumns {
		if _, ok := col[need]; !ok {
			report(1, "colonne « %s » absente (colonnes : %s)", need, strings.Join(CSVColumns, ";"))
		}
	}
	if len(problems) > 0 {
		return nil, refused()
	}
	var read []csvLine
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil { // FieldPos panics after an error: the line is the error's
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			report(line, "%s", csvProblem(err))
			if pe == nil || pe.Err == csv.ErrQuote { // the reader cannot go on past an open quote
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		sl, wrong := r.csvSlot(get)
		if len(wrong) > 0 {
			report(line, "%s", strings.Join(wrong, " ; "))
			continue
		}
		sl.ID = uuid.New()
		read = append(read, csvLine{line, sl})
	}
	if len(read) == 0 && len(problems) == 0 {
		report(2, "aucun cours dans le fichier")
	}
	r.csvClashes(read, stored, ln, report)
	if len(problems) > 0 {
		return nil, refused()
	}
	out := make([]Slot, len(read))
	for i, l := range read {
		out[i] = l.slot
	}
	return out, nil
}

// csvClashes reports each line that cannot be held with an earlier line of the file or with
// a stored slot that stays (one of a class the file does not name).
func (r *refs) csvClashes(read []csvLine, stored []Slot, ln pupilLinks, report func(int, string, ...any)) {
	named := map[uuid.UUID]bool{}
	for _, l := range read {
		named[l.slot.Group.ID] = true
	}
	var kept []Slot
	for _, s := range stored {
		if !named[s.Group.ID] {
			kept = append(kept, s)
		}
	}
	staying := byWeekday(kept)
	earlier := map[time.Weekday][]csvLine{}
	for _, l := range read {
		clash := ""
		for _, prev := range earlier[l.slot.Weekday] {
			if msg := r.clash(l.slot, prev.slot, ln); msg != "" {
				clash = fmt.Sprintf("%s, ligne %d du fichier", lowerFirst(msg), prev.line)
				break
			}
		}
		if clash == "" {
			if _, msg := r.firstClash(l.slot, staying[l.slot.Weekday], ln); msg != "" {
				clash = lowerFirst(msg) + ", cours déjà enregistré d'une classe que le fichier ne remplace pas"
			}
		}
		if clash != "" {
			report(l.line, "%s", clash)
		}
		earlier[l.slot.Weekday] = append(earlier[l.slot.Weekday], l)
	}
}

// csvProblemAt is a wrong line and what is wrong with it.
type csvProblemAt struct {
	line int
	msg  string
}

// refusal is the ImportError of the file's problems, in the order of its lines.
func refusal(name string, problems []csvProblemAt) error {
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].line < problems[j].line })
	bad := &ImportError{}
	for _, p := range problems {
		if len(bad.Lines) < maxReported {
			bad.Lines = append(bad.Lines, fmt.Sprintf("%s, ligne %d : %s", name, p.line, p.msg))
		} else {
			bad.More++
		}
	}
	return bad
}

// csvProblem says what the CSV reader refused (the directory's words for it).
func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return directory.CSVProblem(err)
}

// csvFields are the form's fields in the order the messages list them.
var csvFields = []string{"classe", "matiere", "enseignants", "salle", "jour", "debut", "fin", "semaines", "du", "au"}

// csvSlot reads one line: the slot, or what is wrong with it.
func (r *refs) csvSlot(get func(string) string) (Slot, []string) {
	var problems []string
	f := SlotForm{Subject: get("matiere"), Room: get("salle"), Weekday: get("jour"), Start: get("debut"), End: get("fin"),
		Weeks: get("semaines"), From: get("du"), Until: get("au")}
	code := strings.ToUpper(get("classe"))
	switch gs := r.groupCodes[code]; {
	case code == "":
		problems = append(problems, "classe vide")
	case len(gs) == 0:
		problems = append(problems, fmt.Sprintf("classe ou groupe « %s » inconnu cette année", get("classe")))
	case len(gs) > 1:
		problems = append(problems, fmt.Sprintf("« %s » est le code d'une classe et d'un groupe : renommez l'un des deux dans l'annuaire", get("classe")))
	default:
		f.ClassID = gs[0].ID.String()
	}
	for _, login := range strings.Split(get("enseignants"), ",") {
		login = strings.TrimSpace(login)
		if login == "" {
			continue
		}
		id, ok := r.teacherLogin[strings.ToLower(login)]
		if !ok {
			problems = append(problems, fmt.Sprintf("enseignant « %s » : aucun personnel actif n'a cet identifiant", login))
			continue
		}
		f.Teachers = append(f.Teachers, id.String())
	}
	sl, errs := r.slot(f)
	for _, field := range csvFields {
		if msg, ok := errs[field]; ok && (field != "classe" || f.ClassID != "") {
			problems = append(problems, lowerFirst(strings.TrimSuffix(msg, ".")))
		}
	}
	return sl, problems
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'A' && r[0] <= 'Z' || r[0] == 'É' {
		r[0] = []rune(strings.ToLower(string(r[0])))[0]
	}
	return string(r)
}

// sharedTeacher is a teacher of both slots, if any.
func sharedTeacher(a, b Slot) (Person, bool) {
	for _, p := range a.Teachers {
		for _, q := range b.Teachers {
			if p.ID == q.ID {
				return p, true
			}
		}
	}
	return Person{}, false
}

// meet tells whether two slots can take place at the same time: same day, times, weeks and
// dates that intersect (a class or a teacher cannot be in both).
func meet(a, b Slot) bool {
	return a.Weekday == b.Weekday && a.Start < b.End && b.Start < a.End &&
		(a.Weeks == EveryWeek || b.Weeks == EveryWeek || a.Weeks == b.Weeks) &&
		!a.Until.Before(b.From) && !b.Until.Before(a.From)
}
