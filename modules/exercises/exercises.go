// Package exercises is the interactive exercises (exercices interactifs): each teacher's
// question bank in categories (shareable with the colleagues of the establishment), exercises
// of ordered questions or questions drawn from a category, their assignments to classes and
// groups, the pupils' attempts (saved as they go, the time limit kept by the server), their
// automatic grading with exact arithmetic, the teacher's review, the results per class, and
// the scores made into an evaluation of the grades module.
//
// The GIFT and Moodle XML formats (packages gift, moodlexml) and the grading (package
// grading) are outside: the service takes a Grader, and ImportQuestions takes the questions
// a parser read.
package exercises

import (
	"math/big"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
)

// Permissions of exercises.
const (
	// PermWrite: a question bank, exercises, assignments, results (teachers).
	PermWrite identity.Permission = "exercises.write"
	// PermTake: doing the exercises assigned to one's classes and groups (pupils).
	PermTake identity.Permission = "exercises.take"
)

// Points are an item's worth, in hundredths (numeric(6,2) in the database), as grades'.
type Points = grades.Hundredths

// Grader grades one response: score is the exact fraction of the question's points in
// [0, 1]; graded is false when a teacher grades it (an essay). The real one is package
// grading's Grade.
type Grader func(q question.Question, r question.Response) (score *big.Rat, graded bool)

// Actor is who asks: their person and roles in the establishment.
type Actor struct {
	PersonID uuid.UUID
	Roles    []identity.Role
}

// ActorOf turns the request's viewer into an Actor.
func ActorOf(v *identity.Viewer) Actor {
	if v == nil {
		return Actor{}
	}
	return Actor{PersonID: v.PersonID, Roles: v.Roles}
}

// Writes tells whether the actor has a bank and exercises (teachers).
func (a Actor) Writes() bool { return identity.Can(a.Roles, PermWrite) }

// Pupil tells whether the actor does exercises.
func (a Actor) Pupil() bool {
	return identity.Can(a.Roles, PermTake) && slices.Contains(a.Roles, identity.RoleEleve)
}

// Feedback is when a pupil is shown the right answers and the feedback of their attempt.
type Feedback string

// The feedback modes.
const (
	FeedbackNever      Feedback = "jamais"
	FeedbackEachAnswer Feedback = "apres_reponse" // a question is checked once answered, then locked
	FeedbackAfterClose Feedback = "apres_cloture"
)

// Label is the mode's French name.
func (f Feedback) Label() string {
	switch f {
	case FeedbackNever:
		return "Jamais"
	case FeedbackEachAnswer:
		return "Après chaque réponse"
	case FeedbackAfterClose:
		return "Après la clôture"
	}
	return string(f)
}

// Rule is which attempts make the exercise's grade.
type Rule string

// The grade rules.
const (
	RuleBest    Rule = "meilleure"
	RuleAverage Rule = "moyenne"
	RuleFirst   Rule = "premiere"
	RuleLast    Rule = "derniere"
)

// Label is the rule's French name.
func (r Rule) Label() string {
	switch r {
	case RuleBest:
		return "Meilleure tentative"
	case RuleAverage:
		return "Moyenne des tentatives"
	case RuleFirst:
		return "Première tentative"
	case RuleLast:
		return "Dernière tentative"
	}
	return string(r)
}

// Category is a category of a teacher's bank; Path is « Algèbre/Équations ».
type Category struct {
	ID        uuid.UUID
	OwnerID   uuid.UUID
	Path      string
	Questions int // how many questions it holds (not its subcategories')
}

// BankQuestion is a question of a bank as its lists show it.
type BankQuestion struct {
	ID           uuid.UUID
	OwnerID      uuid.UUID
	Owner        string // « Claire Lefèvre »
	CategoryID   uuid.UUID
	CategoryPath string
	Type         question.Type
	Name         string
	Shared       bool
	Mine         bool // the viewer owns it (edits it); otherwise a colleague's shared one
	UpdatedAt    time.Time
	Question     question.Question `gorm:"-"`
}

// Exercise is an exercise with its items in order.
type Exercise struct {
	ID           uuid.UUID
	OwnerID      uuid.UUID
	Title        string
	Instructions string
	UpdatedAt    time.Time
	Items        []Item `gorm:"-"`
}

// MaxPoints is the exercise's total of points.
func (e Exercise) MaxPoints() Points {
	var n Points
	for _, it := range e.Items {
		n += it.Total()
	}
	return n
}

// Item is an exercise's item: a question (QuestionID) or Count questions drawn from a
// category (CategoryID), each worth Points.
type Item struct {
	Position   int
	QuestionID *uuid.UUID
	CategoryID *uuid.UUID
	Count      int    // drawn items
	Label      string // the question's name, or « 3 questions de Algèbre/Équations »
	Points     Points
}

// Total is what the item is worth in all.
func (it Item) Total() Points {
	if it.CategoryID != nil {
		return it.Points * Points(it.Count)
	}
	return it.Points
}

// Assignment is an exercise given to classes and groups.
type Assignment struct {
	ID               uuid.UUID
	ExerciseID       uuid.UUID
	Title            string // the exercise's
	OwnerID          uuid.UUID
	OpensAt          time.Time
	ClosesAt         time.Time
	AttemptsAllowed  int
	TimeLimit        time.Duration // 0: none
	ShuffleQuestions bool
	ShuffleAnswers   bool
	Feedback         Feedback
	Training         bool
	Rule             Rule
	Classes          []uuid.UUID `gorm:"-"`
	ClassLabels      string      `gorm:"-"` // « 2nde 1, Latin »
}

// Open tells whether pupils may start it at now.
func (a Assignment) Open(now time.Time) bool { return !now.Before(a.OpensAt) && now.Before(a.ClosesAt) }
