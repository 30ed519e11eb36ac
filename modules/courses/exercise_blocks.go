package courses

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Exercises is what courses needs of the interactive exercises (issue 13, §7) for a page's
// exercise blocks: a block names an assignment of the exercises module. cmd/cartable adapts
// the exercises service to it; without it (SetExercises not called) exercise blocks are refused
// and a copy drops them.
type Exercises interface {
	// Assignable lists the teacher's assignments given to at least one of classes.
	Assignable(ctx context.Context, t *tenant.Tenant, teacher Actor, classes []uuid.UUID) ([]ExerciseChoice, error)
	// Embedded describes the assignments ids to the page's reader: each one's title to
	// anyone; to a pupil it is given to, its dates and their attempts. An id naming no
	// assignment is left out.
	Embedded(ctx context.Context, t *tenant.Tenant, reader Actor, ids []uuid.UUID) (map[uuid.UUID]EmbeddedExercise, error)
}

// ExerciseChoice is an assignment a teacher may show in a page of a course.
type ExerciseChoice struct {
	ID          uuid.UUID
	Title       string
	ClassLabels string // « 2nde 1, Latin »
	OpensAt     time.Time
	ClosesAt    time.Time
}

// Label names the choice in the editor's list.
func (c ExerciseChoice) Label() string {
	return fmt.Sprintf("%s — %s, du %s au %s", c.Title, c.ClassLabels, shortDate(c.OpensAt), shortDate(c.ClosesAt))
}

// EmbeddedExercise is an assignment as one reader of a page sees it.
type EmbeddedExercise struct {
	Title           string
	Assigned        bool // given to the reader, a pupil: the fields below are theirs
	OpensAt         time.Time
	ClosesAt        time.Time
	AttemptsAllowed int
	AttemptsUsed    int
	Unfinished      bool   // an attempt to resume
	StartURL        string // where « Commencer » posts
}

// ExerciseView is an exercise block as its reader sees it: the title, and for a pupil it is
// given to, where it stands and the button if they may go on.
type ExerciseView struct {
	Title        string
	Assigned     bool
	Dates        string // « Ouvert du … au … »
	AttemptsLeft int
	State        string // « Tentative en cours », « Clos depuis le … »
	Button       string // « Commencer », « Reprendre », or "" (no button)
	StartURL     string
}

// viewOf is e as its reader sees it at now.
func viewOf(e EmbeddedExercise, now time.Time) ExerciseView {
	v := ExerciseView{Title: e.Title, Assigned: e.Assigned}
	if !e.Assigned {
		return v
	}
	v.Dates = "Du " + dateTime(e.OpensAt) + " au " + dateTime(e.ClosesAt)
	v.AttemptsLeft = max(e.AttemptsAllowed-e.AttemptsUsed, 0)
	v.StartURL = e.StartURL
	switch {
	case e.Unfinished:
		v.State, v.Button = "Tentative en cours", "Reprendre"
	case now.Before(e.OpensAt):
		v.State = "Ouvre le " + dateTime(e.OpensAt)
	case !now.Before(e.ClosesAt):
		v.State = "Clos depuis le " + dateTime(e.ClosesAt)
	case v.AttemptsLeft == 0:
		v.State = "Toutes vos tentatives sont faites"
	default:
		v.State, v.Button = "Ouvert jusqu'au "+dateTime(e.ClosesAt), "Commencer"
	}
	return v
}

func dateTime(t time.Time) string {
	t = t.In(directory.SchoolZone)
	return fmt.Sprintf("%s %d %s %d à %d h %02d", weekdays[t.Weekday()], t.Day(), months[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}

func shortDate(t time.Time) string {
	t = t.In(directory.SchoolZone)
	return fmt.Sprintf("%d %s", t.Day(), months[t.Month()-1])
}

var (
	weekdays = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	months   = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// SetExercises plugs the exercises in: pages may then show exercise blocks.
func (s *Service) SetExercises(x Exercises) { s.exercises = x }

// ExerciseChoices are the assignments the teacher may add to page: theirs, given to one of
// the classes of its course (none if the course has no class yet).
func (s *Service) ExerciseChoices(ctx context.Context, t *tenant.Tenant, a Actor, page uuid.UUID) ([]ExerciseChoice, error) {
	if s.exercises == nil {
		return nil, nil
	}
	v, err := s.EditablePage(ctx, t, a, page)
	if err != nil {
		return nil, err
	}
	return s.exercises.Assignable(ctx, t, a, v.Course.Audience)
}

// addExercise adds at the end of page a block showing the teacher's assignment, which must
// be given to one of the course's classes.
func (s *Service) addExercise(ctx context.Context, t *tenant.Tenant, a Actor, page uuid.UUID, f BlockForm) (Block, error) {
	if s.exercises == nil {
		return Block{}, fault.Invalidf("type", "Type de bloc : les exercices interactifs ne sont pas encore disponibles sur ce serveur.")
	}
	id, err := uuid.Parse(f.Assignment)
	if err != nil {
		return Block{}, FormErrors{"affectation": "Exercice : choisissez dans la liste un exercice donné aux classes du cours."}
	}
	choices, err := s.ExerciseChoices(ctx, t, a, page)
	if err != nil {
		return Block{}, err
	}
	at := slices.IndexFunc(choices, func(c ExerciseChoice) bool { return c.ID == id })
	if at < 0 {
		return Block{}, FormErrors{"affectation": "Exercice : cet exercice n'est pas l'un des vôtres donnés aux classes du cours ; donnez-le d'abord à l'une d'elles (Exercices › Donner), puis choisissez-le dans la liste."}
	}
	b := Block{ID: uuid.New(), PageID: page, CreatedAt: s.now(), Kind: Exercise, Label: choices[at].Title, AssignmentID: &id}
	_, err = s.editing(ctx, t, a, pages, page, func(st store, _ item) (err error) {
		if b.Position, err = st.nextPosition(blocks, page); err != nil {
			return err
		}
		return st.insertBlock(b)
	})
	return b, err
}

// embed fills v's exercise blocks as its reader a sees them.
func (s *Service) embed(ctx context.Context, t *tenant.Tenant, a Actor, v *PageView) error {
	var ids []uuid.UUID
	for _, b := range v.Blocks {
		if b.AssignmentID != nil {
			ids = append(ids, *b.AssignmentID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found := map[uuid.UUID]EmbeddedExercise{}
	if s.exercises != nil {
		var err error
		if found, err = s.exercises.Embedded(ctx, t, a, ids); err != nil {
			return err
		}
	}
	now := s.now()
	v.Exercises = map[uuid.UUID]ExerciseView{}
	for _, b := range v.Blocks {
		if b.AssignmentID == nil {
			continue
		}
		e, ok := found[*b.AssignmentID]
		if !ok {
			e = EmbeddedExercise{Title: b.Label}
		}
		v.Exercises[b.ID] = viewOf(e, now)
	}
	return nil
}

// keptExercises are the assignments whose blocks a copy by a for classes keeps: theirs, given
// to one of those classes. Any other exercise block becomes a note (copyOutline).
func (s *Service) keptExercises(ctx context.Context, t *tenant.Tenant, a Actor, classes []string) ([]uuid.UUID, error) {
	keep := []uuid.UUID{}
	var ids []uuid.UUID
	for _, c := range classes {
		if id, err := uuid.Parse(c); err == nil {
			ids = append(ids, id)
		}
	}
	if s.exercises == nil || len(ids) == 0 {
		return keep, nil
	}
	choices, err := s.exercises.Assignable(ctx, t, a, ids)
	if err != nil {
		return nil, err
	}
	for _, c := range choices {
		keep = append(keep, c.ID)
	}
	return keep, nil
}

// droppedNote is the text a copy puts in place of an exercise block it does not keep.
func droppedNote(title string) string {
	return "Exercice « " + title + " » non repris dans cette copie : il est donné à d'autres classes que celles du cours. " +
		"Donnez-le aux classes du cours (Exercices › Donner), puis remplacez ce texte par un bloc d'exercice."
}
