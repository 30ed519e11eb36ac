package exercises

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Attempt is a pupil's attempt at an assignment.
type Attempt struct {
	ID            uuid.UUID
	AssignmentID  uuid.UUID
	PupilID       uuid.UUID
	Number        int
	StartedAt     time.Time
	Deadline      time.Time // min(start + time limit, closing), kept by the server
	SubmittedAt   *time.Time
	AutoSubmitted bool     // submitted by the server at its deadline
	MaxPoints     Points   // what its questions are worth
	Score         *big.Rat `gorm:"-"` // points obtained, exact; nil until submitted
	Pending       bool     // an essay awaits the teacher's review (counted 0 meanwhile)
}

// attemptRow is an attempt as stored: its exact score as numerator and denominator.
type attemptRow struct {
	Attempt
	ScoreNum *string
	ScoreDen *string
}

// Ratio is the score as a fraction of the maximum in [0, 1]; nil until submitted.
func (at Attempt) Ratio() *big.Rat {
	if at.Score == nil || at.MaxPoints == 0 {
		return nil
	}
	return new(big.Rat).Quo(at.Score, pointsRat(at.MaxPoints))
}

// attempt is the row's Attempt with its score read.
func (r attemptRow) attempt() (Attempt, error) {
	at := r.Attempt
	if r.ScoreNum == nil || r.ScoreDen == nil {
		return at, nil
	}
	n, err := ratOf(*r.ScoreNum)
	if err != nil {
		return at, err
	}
	d, err := ratOf(*r.ScoreDen)
	if err != nil {
		return at, err
	}
	at.Score = n.Quo(n, d)
	return at, nil
}

// AttemptView is an attempt as its pupil sees it: the questions without their right answers
// nor feedback, but where the assignment's feedback mode shows them at that moment.
type AttemptView struct {
	Attempt
	Title        string
	Instructions string
	Feedback     Feedback
	ClosesAt     time.Time
	Questions    []ShownQuestion
}

// Shown is a choice, a matching prompt or an ordering item as shown, with its index in the
// question's own lists (what a Response names).
type Shown struct {
	Index int
	Text  question.Text
}

// ShownBlank is a blank as shown: typed, or chosen from Options (sorted).
type ShownBlank struct {
	Kind    question.Type
	Options []string
}

// ShownQuestion is one question of an attempt as its pupil sees it. It holds no weight, no
// right answer, no feedback: those are in Correction, set only when the pupil may see them.
type ShownQuestion struct {
	Position   int
	Type       question.Type
	Text       question.Text
	Points     Points
	Choices    []Shown  // choice questions, in the order shown
	Prompts    []Shown  // matching: the sub-questions, in the order shown
	Options    []string // matching: the answers to choose from, sorted
	Items      []Shown  // ordering: the items to order, shuffled
	Blanks     []ShownBlank
	Response   *question.Response
	SavedAt    *time.Time
	Locked     bool // checked (feedback after each answer): no more changes
	Correction *Correction
}

// Correction is a question's correction: the whole question (right answers, feedback), the
// score and the teacher's comment.
type Correction struct {
	Question question.Question
	Score    *big.Rat // fraction of the points in [0, 1]; nil while an essay awaits review
	Obtained *big.Rat // points obtained; nil likewise
	Comment  string
}

// responseRow is one question of an attempt as stored.
type responseRow struct {
	AttemptID       uuid.UUID
	Position        int
	ItemPosition    int
	QuestionID      *uuid.UUID
	Question        string // JSON
	Points          Points
	AnswerOrder     string // JSON array
	Response        *string
	SavedAt         *time.Time
	Locked          bool
	Graded          bool
	AutoNum         *string
	AutoDen         *string
	OverridePoints  *Points
	OverrideComment string
	Reviewed        bool
	q               question.Question
	order           []int
}

const responseColumns = `attempt_id, position, item_position, question_id, question::text AS question, (points * 100)::bigint AS points,
	array_to_json(answer_order)::text AS answer_order, response::text AS response, saved_at, locked, graded, auto_num::text AS auto_num,
	auto_den::text AS auto_den, (override_points * 100)::bigint AS override_points, override_comment, reviewed`

func (st store) responses(attempt uuid.UUID) ([]responseRow, error) {
	var rows []responseRow
	if err := st.scan("attempt questions", &rows, `SELECT `+responseColumns+` FROM exercise_responses WHERE attempt_id = ? ORDER BY position`, attempt); err != nil {
		return nil, err
	}
	for i := range rows {
		if err := json.Unmarshal([]byte(rows[i].Question), &rows[i].q); err != nil {
			return nil, fmt.Errorf("exercises: frozen question %d of %s: %w", rows[i].Position, attempt, err)
		}
		if err := json.Unmarshal([]byte(rows[i].AnswerOrder), &rows[i].order); err != nil {
			return nil, fmt.Errorf("exercises: answer order %d of %s: %w", rows[i].Position, attempt, err)
		}
	}
	return rows, nil
}

// response is the row's saved response (nil: none).
func (r responseRow) response() (*question.Response, error) {
	if r.Response == nil {
		return nil, nil
	}
	var out question.Response
	if err := json.Unmarshal([]byte(*r.Response), &out); err != nil {
		return nil, fmt.Errorf("exercises: response %d of %s: %w", r.Position, r.AttemptID, err)
	}
	return &out, nil
}

// auto is the grader's fraction (nil: not graded).
func (r responseRow) auto() (*big.Rat, error) {
	if !r.Graded || r.AutoNum == nil || r.AutoDen == nil {
		return nil, nil
	}
	n, err := ratOf(*r.AutoNum)
	if err != nil {
		return nil, err
	}
	d, err := ratOf(*r.AutoDen)
	if err != nil {
		return nil, err
	}
	return n.Quo(n, d), nil
}

// obtained is the points the row brings: the teacher's override, else points × the grader's
// fraction; nil while an essay awaits review.
func (r responseRow) obtained() (*big.Rat, error) {
	if r.OverridePoints != nil {
		return pointsRat(*r.OverridePoints), nil
	}
	f, err := r.auto()
	if err != nil || f == nil {
		return nil, err
	}
	return f.Mul(f, pointsRat(r.Points)), nil
}

const attemptColumns = `id, assignment_id, pupil_id, number, started_at, deadline, submitted_at, auto_submitted,
	(max_points * 100)::bigint AS max_points, score_num::text AS score_num, score_den::text AS score_den, pending`

func (st store) attempts(where string, args ...any) ([]Attempt, error) {
	var rows []attemptRow
	if err := st.scan("attempts", &rows, `SELECT `+attemptColumns+` FROM exercise_attempts a WHERE `+where, args...); err != nil {
		return nil, err
	}
	out := make([]Attempt, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.attempt(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// expire submits, as saved, the unfinished attempts matching where (on exercise_attempts a)
// whose deadline has passed: at their deadline, auto_submitted.
func (s *Service) expire(st store, where string, args ...any) error {
	late, err := st.attempts(`a.submitted_at IS NULL AND a.deadline <= ? AND (`+where+`) ORDER BY a.id FOR UPDATE`, append([]any{s.now()}, args...)...)
	if err != nil {
		return err
	}
	for _, at := range late {
		if err := s.finalize(st, at, at.Deadline, true); err != nil {
			return err
		}
	}
	return nil
}

// finalize grades the attempt's questions not graded yet and submits it at at.
func (s *Service) finalize(st store, at Attempt, when time.Time, auto bool) error {
	rows, err := st.responses(at.ID)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Graded {
			continue
		}
		if err := s.gradeRow(st, r); err != nil {
			return err
		}
	}
	if err := st.exec("submit attempt", `UPDATE exercise_attempts SET submitted_at = ?, auto_submitted = ?, score_num = 0, score_den = 1 WHERE id = ?`, when, auto, at.ID); err != nil {
		return err
	}
	if err := rescore(st, at.ID); err != nil {
		return err
	}
	return s.recordAttempt(st, at.ID)
}

// gradeRow grades one question through the Grader (no response: 0).
func (s *Service) gradeRow(st store, r responseRow) error {
	resp, err := r.response()
	if err != nil {
		return err
	}
	var score *big.Rat
	graded := true
	switch {
	case resp == nil:
		score = new(big.Rat)
	default:
		score, graded = s.grade(r.q, *resp)
	}
	if !graded {
		return nil // an essay: the teacher's
	}
	if score == nil || score.Sign() < 0 {
		score = new(big.Rat)
	}
	if score.Cmp(big.NewRat(1, 1)) > 0 {
		score = big.NewRat(1, 1)
	}
	return st.exec("grade question", `UPDATE exercise_responses SET graded = true, auto_num = ?::numeric, auto_den = ?::numeric WHERE attempt_id = ? AND position = ?`,
		score.Num().String(), score.Denom().String(), r.AttemptID, r.Position)
}

// rescore writes a submitted attempt's exact score from its questions.
func rescore(st store, attempt uuid.UUID) error {
	rows, err := st.responses(attempt)
	if err != nil {
		return err
	}
	total := new(big.Rat)
	pending := false
	for _, r := range rows {
		got, err := r.obtained()
		if err != nil {
			return err
		}
		if got == nil {
			pending = true
			continue
		}
		total.Add(total, got)
	}
	return st.exec("score attempt", `UPDATE exercise_attempts SET score_num = ?::numeric, score_den = ?::numeric, pending = ? WHERE id = ? AND submitted_at IS NOT NULL`,
		total.Num().String(), total.Denom().String(), pending, attempt)
}

// StartAttempt starts the pupil's next attempt at an assignment given to their class, or
// resumes the unfinished one. It is refused before the opening, after the closing and beyond
// the attempts allowed, with a message saying so.
func (s *Service) StartAttempt(ctx context.Context, t *tenant.Tenant, a Actor, assignment uuid.UUID) (AttemptView, error) {
	if err := mustTake(a); err != nil {
		return AttemptView{}, err
	}
	var view AttemptView
	var refused error
	err := s.write(ctx, t, func(st store) error {
		as, err := pupilAssignment(st, a.PersonID, assignment)
		if err != nil {
			return err
		}
		if err := s.expire(st, `a.assignment_id = ? AND a.pupil_id = ?`, assignment, a.PersonID); err != nil {
			return err
		}
		mine, err := st.attempts(`a.assignment_id = ? AND a.pupil_id = ? ORDER BY a.number`, assignment, a.PersonID)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(mine, func(at Attempt) bool { return at.SubmittedAt == nil }); i >= 0 {
			view, err = s.view(st, as, mine[i])
			return err
		}
		now := s.now()
		switch {
		case now.Before(as.OpensAt):
			refused = fault.New(fault.ErrConflict, "Cet exercice ouvre le %s : revenez à ce moment-là.", dateTime(as.OpensAt))
		case !now.Before(as.ClosesAt):
			refused = fault.New(fault.ErrConflict, "Cet exercice est clos depuis le %s : il ne peut plus être commencé.", dateTime(as.ClosesAt))
		case len(mine) >= as.AttemptsAllowed:
			refused = fault.New(fault.ErrConflict, "Vous avez fait les %d tentative(s) permise(s) pour cet exercice.", as.AttemptsAllowed)
		}
		if refused != nil {
			return nil // the expired attempts stay submitted
		}
		at, err := s.draw(st, as, a.PersonID, len(mine)+1, now)
		if err != nil {
			return err
		}
		view, err = s.view(st, as, at)
		return err
	})
	if err == nil {
		err = refused
	}
	if pgCode(err) == "23505" {
		return AttemptView{}, fault.New(fault.ErrConflict, "Une tentative vient d'être commencée dans une autre fenêtre : rechargez la page.")
	}
	return view, err
}

// draw makes attempt number of pupil: the exercise's questions frozen (drawn ones chosen at
// random, never twice), their order and their answers' shuffled as the assignment says.
func (s *Service) draw(st store, as Assignment, pupil uuid.UUID, number int, now time.Time) (Attempt, error) {
	ex, err := ownExercise(st, as.OwnerID, as.ExerciseID, false)
	if err != nil {
		return Attempt{}, err
	}
	type drawn struct {
		item   int
		id     uuid.UUID
		body   string
		points Points
	}
	var qs []drawn
	taken := []uuid.UUID{} // never twice in one attempt: the items' own questions, then those drawn
	for _, it := range ex.Items {
		if it.QuestionID != nil {
			taken = append(taken, *it.QuestionID)
		}
	}
	for _, it := range ex.Items {
		var got []struct {
			ID   uuid.UUID
			Body string
		}
		if it.QuestionID != nil {
			err = st.scan("draw question", &got, `SELECT id, body::text AS body FROM exercise_questions WHERE id = ?`, *it.QuestionID)
		} else {
			err = st.scan("draw from category", &got, `SELECT id, body::text AS body FROM exercise_questions WHERE category_id = ? AND type <> 'description'
				AND NOT (id = ANY (?::uuid[])) ORDER BY random() LIMIT ?`, *it.CategoryID, uuidArray(taken), it.Count)
		}
		if err != nil {
			return Attempt{}, err
		}
		if it.CategoryID != nil && len(got) < it.Count {
			return Attempt{}, fault.New(fault.ErrConflict, "L'exercice demande %d question(s) de plus que sa catégorie n'en a : prévenez votre professeur.", it.Count-len(got))
		}
		for _, g := range got {
			qs = append(qs, drawn{item: it.Position, id: g.ID, body: g.Body, points: it.Points})
			if it.CategoryID != nil {
				taken = append(taken, g.ID)
			}
		}
	}
	if as.ShuffleQuestions {
		rand.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	}
	at := Attempt{ID: uuid.New(), AssignmentID: as.ID, PupilID: pupil, Number: number, StartedAt: now, Deadline: as.ClosesAt}
	if as.TimeLimit > 0 && now.Add(as.TimeLimit).Before(at.Deadline) {
		at.Deadline = now.Add(as.TimeLimit)
	}
	for _, q := range qs {
		at.MaxPoints += q.points
	}
	if err := st.exec("start attempt", `INSERT INTO exercise_attempts (id, assignment_id, pupil_id, number, started_at, deadline, max_points) VALUES (?, ?, ?, ?, ?, ?, ?::numeric / 100)`,
		at.ID, at.AssignmentID, pupil, number, now, at.Deadline, int64(at.MaxPoints)); err != nil {
		return Attempt{}, err
	}
	for i, q := range qs {
		var body question.Question
		if err := json.Unmarshal([]byte(q.body), &body); err != nil {
			return Attempt{}, fmt.Errorf("exercises: question %s: %w", q.id, err)
		}
		order := answerOrder(body, as.ShuffleAnswers)
		if err := st.exec("freeze question", `INSERT INTO exercise_responses (attempt_id, position, item_position, question_id, question, points, answer_order)
			VALUES (?, ?, ?, ?, ?, ?::numeric / 100, ?::integer[])`, at.ID, i+1, q.item, q.id, q.body, int64(q.points), intArray(order)); err != nil {
			return Attempt{}, err
		}
	}
	return at, nil
}

// answerOrder is the order a question's answers are shown in: the choices (shuffled if
// asked), the matching prompts (likewise), the ordering items (always shuffled, never in
// the right order when they can be otherwise).
func answerOrder(q question.Question, shuffle bool) []int {
	n := 0
	switch q.Type {
	case question.SingleChoice, question.MultipleChoice:
		n = len(q.Answers)
	case question.Matching:
		n = len(q.Pairs)
	case question.Ordering:
		n = len(q.Items)
		shuffle = true
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if !shuffle || n < 2 {
		return order
	}
	rand.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	if q.Type == question.Ordering && slices.IsSorted(order) {
		order[0], order[1] = order[1], order[0]
	}
	return order
}

func intArray(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func uuidArray(ids []uuid.UUID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// reveals tells whether the pupil may see row's correction now.
func reveals(as Assignment, at Attempt, r responseRow, now time.Time) bool {
	switch as.Feedback {
	case FeedbackEachAnswer:
		// A question answered (and so checked and locked); the others only once the
		// assignment closes: a pupil who hands in an attempt with attempts left must not
		// read the answers of the questions they skipped before their next attempt.
		return r.Locked || (at.SubmittedAt != nil && !now.Before(as.ClosesAt))
	case FeedbackAfterClose:
		return at.SubmittedAt != nil && !now.Before(as.ClosesAt)
	}
	return false
}

// view builds the pupil's view of an attempt.
func (s *Service) view(st store, as Assignment, at Attempt) (AttemptView, error) {
	ex, err := ownExercise(st, as.OwnerID, as.ExerciseID, false)
	if err != nil {
		return AttemptView{}, err
	}
	rows, err := st.responses(at.ID)
	if err != nil {
		return AttemptView{}, err
	}
	v := AttemptView{Attempt: at, Title: ex.Title, Instructions: ex.Instructions, Feedback: as.Feedback, ClosesAt: as.ClosesAt}
	now := s.now()
	for _, r := range rows {
		sq, err := shown(r)
		if err != nil {
			return v, err
		}
		if reveals(as, at, r, now) {
			c := &Correction{Question: r.q, Comment: r.OverrideComment}
			if c.Obtained, err = r.obtained(); err != nil {
				return v, err
			}
			if c.Obtained != nil && r.Points > 0 {
				c.Score = new(big.Rat).Quo(c.Obtained, pointsRat(r.Points))
			}
			sq.Correction = c
		}
		v.Questions = append(v.Questions, sq)
	}
	return v, nil
}

// shown is a frozen question without what would give its answers away.
func shown(r responseRow) (ShownQuestion, error) {
	q := r.q
	sq := ShownQuestion{Position: r.Position, Type: q.Type, Text: q.Text, Points: r.Points, SavedAt: r.SavedAt, Locked: r.Locked}
	var err error
	if sq.Response, err = r.response(); err != nil {
		return sq, err
	}
	switch q.Type {
	case question.SingleChoice, question.MultipleChoice:
		for _, i := range r.order {
			if i >= 0 && i < len(q.Answers) {
				sq.Choices = append(sq.Choices, Shown{Index: i, Text: q.Answers[i].Text})
			}
		}
	case question.Matching:
		seen := map[string]bool{}
		for _, i := range r.order {
			if i >= 0 && i < len(q.Pairs) && !q.Pairs[i].Question.IsZero() {
				sq.Prompts = append(sq.Prompts, Shown{Index: i, Text: q.Pairs[i].Question})
			}
		}
		for _, p := range q.Pairs {
			if !seen[p.Answer] {
				seen[p.Answer] = true
				sq.Options = append(sq.Options, p.Answer)
			}
		}
		slices.Sort(sq.Options)
	case question.Ordering:
		for _, i := range r.order {
			if i >= 0 && i < len(q.Items) {
				sq.Items = append(sq.Items, Shown{Index: i, Text: q.Items[i]})
			}
		}
	case question.Blanks:
		for _, b := range q.Blanks {
			sb := ShownBlank{Kind: b.Kind}
			if b.Kind == question.SingleChoice {
				for _, a := range b.Answers {
					sb.Options = append(sb.Options, a.Text.Text)
				}
				slices.Sort(sb.Options)
			}
			sq.Blanks = append(sq.Blanks, sb)
		}
	}
	return sq, nil
}

// pupilAttempt locks one of the pupil's attempts with its assignment.
func pupilAttempt(st store, pupil, id uuid.UUID) (Attempt, Assignment, error) {
	ats, err := st.attempts(`a.id = ? AND a.pupil_id = ? FOR UPDATE`, id, pupil)
	if err != nil {
		return Attempt{}, Assignment{}, err
	}
	if len(ats) == 0 {
		return Attempt{}, Assignment{}, notFound("tentative")
	}
	as, err := readAssignment(st, `x.id = ?`, ats[0].AssignmentID)
	return ats[0], as, err
}

// Attempt is the pupil's view of one of their attempts (an expired one is submitted first).
func (s *Service) Attempt(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (AttemptView, error) {
	if err := mustTake(a); err != nil {
		return AttemptView{}, err
	}
	var v AttemptView
	err := s.write(ctx, t, func(st store) error {
		if err := s.expire(st, `a.id = ? AND a.pupil_id = ?`, id, a.PersonID); err != nil {
			return err
		}
		at, as, err := pupilAttempt(st, a.PersonID, id)
		if err != nil {
			return err
		}
		v, err = s.view(st, as, at)
		return err
	})
	return v, err
}

// Attempts are the pupil's attempts at an assignment, in order.
func (s *Service) Attempts(ctx context.Context, t *tenant.Tenant, a Actor, assignment uuid.UUID) ([]Attempt, error) {
	if err := mustTake(a); err != nil {
		return nil, err
	}
	var out []Attempt
	err := s.write(ctx, t, func(st store) error {
		if _, err := pupilAssignment(st, a.PersonID, assignment); err != nil {
			return err
		}
		if err := s.expire(st, `a.assignment_id = ? AND a.pupil_id = ?`, assignment, a.PersonID); err != nil {
			return err
		}
		var err error
		out, err = st.attempts(`a.assignment_id = ? AND a.pupil_id = ? ORDER BY a.number`, assignment, a.PersonID)
		return err
	})
	return out, err
}

// late is the message of a change refused because the attempt's time is over.
func late(at Attempt) error {
	return fault.New(fault.ErrConflict, "Le temps de cette tentative est écoulé depuis le %s : elle a été remise avec les réponses enregistrées jusque-là.", dateTime(at.Deadline))
}

// SaveResponse saves the pupil's response to the question at position of their unfinished
// attempt, before its deadline. With feedback after each answer, the response is checked at
// once and final: the returned question carries its correction.
func (s *Service) SaveResponse(ctx context.Context, t *tenant.Tenant, a Actor, attempt uuid.UUID, position int, r question.Response) (ShownQuestion, error) {
	if err := mustTake(a); err != nil {
		return ShownQuestion{}, err
	}
	var out ShownQuestion
	var refused error
	err := s.write(ctx, t, func(st store) error {
		at, as, err := pupilAttempt(st, a.PersonID, attempt)
		if err != nil {
			return err
		}
		now := s.now()
		if at.SubmittedAt != nil {
			return fault.New(fault.ErrConflict, "Cette tentative est déjà remise : vos réponses ne peuvent plus changer.")
		}
		if !now.Before(at.Deadline) {
			refused = late(at)
			return s.finalize(st, at, at.Deadline, true)
		}
		rows, err := st.responses(at.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rows, func(x responseRow) bool { return x.Position == position })
		if i < 0 {
			return notFound("question")
		}
		row := rows[i]
		if row.Locked {
			return fault.New(fault.ErrConflict, "Vous avez déjà répondu à la question %d : sa réponse est vérifiée et ne change plus.", position)
		}
		if msg := checkResponse(row.q, r); msg != "" {
			return fault.Invalidf("reponse", "Question %d : %s.", position, msg)
		}
		body, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("exercises: encode response: %w", err)
		}
		lock := as.Feedback == FeedbackEachAnswer && row.q.Type != question.Essay // an essay is written as one goes, reviewed by the teacher
		if err := st.exec("save response", `UPDATE exercise_responses SET response = ?, saved_at = ?, locked = ? WHERE attempt_id = ? AND position = ?`,
			string(body), now, lock, at.ID, position); err != nil {
			return err
		}
		if lock {
			row.Response, row.Locked = new(string), true
			*row.Response = string(body)
			if err := s.gradeRow(st, row); err != nil {
				return err
			}
		}
		v, err := s.view(st, as, at)
		if err != nil {
			return err
		}
		out = v.Questions[i]
		return nil
	})
	if err == nil {
		err = refused
	}
	return out, err
}

// checkResponse says what is wrong with a response to q ("" when nothing): indexes out of
// the question's lists, texts too long.
func checkResponse(q question.Question, r question.Response) string {
	for _, c := range r.Choices {
		if c < 0 || c >= len(q.Answers) {
			return "choix inconnu"
		}
	}
	if q.Type == question.SingleChoice && len(r.Choices) > 1 {
		return "une seule réponse"
	}
	for _, o := range r.Order {
		if o < 0 || o >= len(q.Items) {
			return "élément inconnu"
		}
	}
	if len(r.Matches) > len(q.Pairs) || len(r.Blanks) > len(q.Blanks) {
		return "trop de réponses"
	}
	if len(r.Text) > 50000 {
		return "la réponse dépasse 50 000 caractères"
	}
	for _, b := range r.Blanks {
		if len(b) > 1000 {
			return "un trou reçoit 1 000 caractères au plus"
		}
	}
	return ""
}

// Submit hands the pupil's attempt in: each question graded, the total exact. After its
// deadline it is refused (the attempt is then submitted as saved, at its deadline).
func (s *Service) Submit(ctx context.Context, t *tenant.Tenant, a Actor, attempt uuid.UUID) (AttemptView, error) {
	if err := mustTake(a); err != nil {
		return AttemptView{}, err
	}
	var v AttemptView
	var refused error
	err := s.write(ctx, t, func(st store) error {
		at, as, err := pupilAttempt(st, a.PersonID, attempt)
		if err != nil {
			return err
		}
		if at.SubmittedAt != nil {
			return fault.New(fault.ErrConflict, "Cette tentative est déjà remise.")
		}
		now := s.now()
		when, auto := now, false
		if !now.Before(at.Deadline) {
			refused, when, auto = late(at), at.Deadline, true
		}
		if err := s.finalize(st, at, when, auto); err != nil {
			return err
		}
		ats, err := st.attempts(`a.id = ?`, at.ID)
		if err != nil {
			return err
		}
		v, err = s.view(st, as, ats[0])
		return err
	})
	if err == nil {
		err = refused
	}
	return v, err
}
