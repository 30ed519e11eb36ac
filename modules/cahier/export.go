package cahier

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// exportAbout describes the cahier's file of a personal data export (its README).
const exportAbout = `Cahier de textes. Pour un élève : le travail à faire donné à ses classes et groupes ` +
	`(matière, type, consigne, date d'échéance, rendu attendu), ses cases « fait », et ses travaux rendus ` +
	`(texte, dates de rendu, en retard ou non, date de correction, commentaire et note de l'enseignant) ` +
	`avec le nom et l'empreinte SHA-256 de leurs fichiers : un travail rendu est un élément du portfolio ` +
	`(portfolio_item), et ses fichiers sont dans la partie du portfolio, une seule fois. Pour un enseignant : les séances ` +
	`(date, horaires, titre, contenu) et le travail à faire qu'il a écrits.`

type exportWork struct {
	ID          uuid.UUID `json:"id"`
	Class       string    `json:"class"`
	Subject     string    `json:"subject"`
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	DueOn       string    `json:"due_on"`
	Expected    Expected  `json:"submission_expected"`
	Done        *bool     `json:"done,omitempty"` // the pupil's own tick
}

type exportSubmission struct {
	WorkID      uuid.UUID  `json:"work_id"`
	Subject     string     `json:"subject"`
	Work        string     `json:"work"`
	DueOn       string     `json:"due_on"`
	SubmittedAt time.Time  `json:"submitted_at"`
	FirstAt     time.Time  `json:"first_submitted_at"`
	Late        bool       `json:"late"`
	Text        string     `json:"text"`
	ReturnedAt  *time.Time `json:"returned_at"`
	Comment     string     `json:"comment"`
	Mark        string     `json:"mark"`
	// The submission is this item of the portfolio, whose part of the export has the files.
	PortfolioItem *uuid.UUID   `json:"portfolio_item,omitempty"`
	Files         []exportName `json:"files"`
}

// exportName names a submission's file, which the portfolio's part of the export holds.
type exportName struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

type exportSession struct {
	ID      uuid.UUID `json:"id"`
	Class   string    `json:"class"`
	Subject string    `json:"subject"`
	Date    string    `json:"date"`
	Starts  string    `json:"starts"`
	Ends    string    `json:"ends"`
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	State   State     `json:"state"`
}

type exportFile struct {
	ToDo        []exportWork       `json:"work_to_do"`
	Submissions []exportSubmission `json:"submissions"`
	Sessions    []exportSession    `json:"sessions_written"`
	WorkWritten []exportWork       `json:"work_written"`
}

// Export writes what the cahier holds about person: as a pupil, the work addressed to their
// classes and groups, their ticks and their submissions with their files; as a teacher, the
// séances and work they wrote. Nothing of anyone else: not classmates' submissions or ticks.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil // nothing at the platform's level
	}
	out := exportFile{ToDo: []exportWork{}, Submissions: []exportSubmission{}, Sessions: []exportSession{}, WorkWritten: []exportWork{}}
	var subs []Submission
	var works []Work
	byID := map[uuid.UUID]Work{}
	err := s.read(ctx, t, func(st store) error {
		var err error
		if works, err = st.exportWorks(`w.class_id IN (SELECT m.class_id FROM class_members m WHERE m.person_id = @me) AND `+workVisible, person, s.now()); err != nil {
			return err
		}
		for _, wk := range works {
			done := wk.Done
			out.ToDo = append(out.ToDo, exportWork{ID: wk.ID, Class: wk.ClassLabel, Subject: wk.SubjectLabel, Kind: wk.Kind,
				Description: wk.Description, DueOn: wk.DueOn.Format(dateLayout), Expected: wk.Submission, Done: &done})
		}
		if subs, err = st.submissions(`s.pupil_id = ?`, person); err != nil {
			return err
		}
		for i := range subs {
			if err := s.withFiles(st, &subs[i]); err != nil {
				return err
			}
		}
		for _, wk := range works {
			byID[wk.ID] = wk
		}
		for _, sub := range subs { // work of a class the pupil left
			if _, ok := byID[sub.WorkID]; !ok {
				if byID[sub.WorkID], err = st.workOf(sub.WorkID); err != nil {
					return err
				}
			}
		}
		written, err := st.exportWorks(`w.teacher_id = @me`, person, s.now())
		if err != nil {
			return err
		}
		for _, wk := range written {
			out.WorkWritten = append(out.WorkWritten, exportWork{ID: wk.ID, Class: wk.ClassLabel, Subject: wk.SubjectLabel, Kind: wk.Kind,
				Description: wk.Description, DueOn: wk.DueOn.Format(dateLayout), Expected: wk.Submission})
		}
		return st.tx.Raw(`SELECT se.id, c.label AS class, coalesce(sub.label, se.subject_code) AS subject, to_char(se.on_date, 'YYYY-MM-DD') AS date,
			coalesce(to_char(se.starts_at, 'HH24:MI'), '') AS starts, coalesce(to_char(se.ends_at, 'HH24:MI'), '') AS ends, se.title, se.body, se.state
			FROM cahier_sessions se JOIN classes c ON c.id = se.class_id LEFT JOIN subjects sub ON sub.code = se.subject_code
			WHERE se.teacher_id = ? ORDER BY se.on_date, se.starts_at, se.id`, person).Scan(&out.Sessions).Error
	})
	if err != nil {
		return fmt.Errorf("cahier: export of %s: %w", person, err)
	}
	for _, sub := range subs {
		e := exportSubmission{WorkID: sub.WorkID, SubmittedAt: sub.SubmittedAt, FirstAt: sub.FirstAt, Late: sub.Late, Text: sub.Text,
			ReturnedAt: sub.ReturnedAt, Comment: sub.Comment, Mark: sub.Mark, PortfolioItem: sub.ItemID, Files: []exportName{}}
		if wk, ok := byID[sub.WorkID]; ok {
			e.Subject, e.Work, e.DueOn = wk.SubjectLabel, wk.Description, wk.DueOn.Format(dateLayout)
		}
		for _, f := range sub.Files {
			e.Files = append(e.Files, exportName{Name: f.Name, SHA256: f.SHA256})
		}
		out.Submissions = append(out.Submissions, e)
	}
	return w.JSON(out)
}

// exportWorks reads every piece of work of where (no page limit), with @me's ticks.
func (st store) exportWorks(where string, me uuid.UUID, now time.Time) ([]Work, error) {
	var out []Work
	if err := st.tx.Raw(`SELECT `+workColumns+`, EXISTS (SELECT 1 FROM cahier_done d WHERE d.pupil_id = @me AND d.work_id = w.id) AS done`+workFrom+
		`WHERE `+where+` ORDER BY w.due_on, sub.label, w.id`, map[string]any{"me": me, "now": now}).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("cahier: export work: %w", err)
	}
	return out, nil
}
