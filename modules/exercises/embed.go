package exercises

import (
	"context"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
)

// What a course page needs of the exercises (issue 13, §7): the teacher's assignments it may
// show, and how each shows to its reader. cmd/cartable adapts these to courses' interface.

// AssignmentsTo lists the teacher's assignments given to at least one of classes, the latest
// opening first.
func (s *Service) AssignmentsTo(ctx context.Context, t *tenant.Tenant, a Actor, classes []uuid.UUID) ([]Assignment, error) {
	if err := mustWrite(a); err != nil {
		return nil, err
	}
	out := []Assignment{}
	if len(classes) == 0 {
		return out, nil
	}
	err := s.read(ctx, t, func(st store) error {
		var ids []uuid.UUID
		if err := st.scan("assignments to classes", &ids, `SELECT x.id FROM exercise_assignments x JOIN exercises e ON e.id = x.exercise_id
			WHERE e.owner_id = ? AND EXISTS (SELECT 1 FROM exercise_assignment_classes ac WHERE ac.assignment_id = x.id AND ac.class_id IN ?)
			ORDER BY x.opens_at DESC, x.id LIMIT 500`, a.PersonID, classes); err != nil {
			return err
		}
		for _, id := range ids {
			as, err := ownAssignment(st, a.PersonID, id)
			if err != nil {
				return err
			}
			out = append(out, as)
		}
		return nil
	})
	return out, err
}

// Embed is an assignment as a course page shows it to one reader: its title to anyone who
// reads the page; to a pupil it is given to (Assigned), its dates and their attempts.
type Embed struct {
	Assignment
	Assigned     bool
	AttemptsUsed int
	Unfinished   bool // an attempt to resume
}

// Embedded describes the assignments ids to the reader a (a page of a course they read:
// the caller checked it). An id that names no assignment is left out.
func (s *Service) Embedded(ctx context.Context, t *tenant.Tenant, a Actor, ids []uuid.UUID) (map[uuid.UUID]Embed, error) {
	out := map[uuid.UUID]Embed{}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.read(ctx, t, func(st store) error {
		for _, id := range ids {
			if _, done := out[id]; done {
				continue
			}
			if a.Pupil() {
				as, err := pupilAssignment(st, a.PersonID, id)
				if err == nil {
					var n struct{ Used, Open int }
					if err := st.scan("attempts used", &n, `SELECT count(*) AS used, count(*) FILTER (WHERE submitted_at IS NULL) AS open FROM exercise_attempts
						WHERE assignment_id = ? AND pupil_id = ?`, id, a.PersonID); err != nil {
						return err
					}
					as.Classes, as.ClassLabels = nil, ""
					out[id] = Embed{Assignment: as, Assigned: true, AttemptsUsed: n.Used, Unfinished: n.Open > 0}
					continue
				}
			}
			var title []string
			if err := st.scan("assignment title", &title, `SELECT e.title FROM exercise_assignments x JOIN exercises e ON e.id = x.exercise_id WHERE x.id = ?`, id); err != nil {
				return err
			}
			if len(title) == 1 {
				out[id] = Embed{Assignment: Assignment{ID: id, Title: title[0]}}
			}
		}
		return nil
	})
	return out, err
}
