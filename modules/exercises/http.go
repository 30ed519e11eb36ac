package exercises

import (
	"embed"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/richtext"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the exercises' pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves the exercises on the establishments' host.
type Handler struct{ svc *Service }

// NewHandler wires the exercises' HTTP side.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

func render(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

func requestActor(c echo.Context) Actor { return ActorOf(identity.ViewerOf(c)) }

func paramID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "introuvable")
	}
	return id, nil
}

// textHTML renders a question's text as its format says, sanitised.
func textHTML(t question.Text) template.HTML {
	switch t.Format {
	case question.HTML:
		return richtext.Safe(t.Text)
	case question.Markdown:
		if out, err := richtext.Markdown(t.Text); err == nil {
			return template.HTML(out) // #nosec G203 -- sanitised by richtext
		}
	}
	return template.HTML(richtext.Text(t.Text)) // #nosec G203 -- escaped by richtext.Text
}

// onTwenty writes a fraction in [0, 1] as a mark on 20: « 13,33 / 20 ».
func onTwenty(r *big.Rat) string {
	if r == nil {
		return "–"
	}
	return Rescale(r, big.NewRat(20, 1)).String() + " / 20"
}

// percent writes a fraction in [0, 1] as a whole percentage: « 67 % ».
func percent(r *big.Rat) string {
	if r == nil {
		return "–"
	}
	return strings.TrimSuffix(strings.TrimSuffix(grades.Round2(new(big.Rat).Mul(r, big.NewRat(100, 1))).String(), "00"), ",") + " %"
}

// points writes an exact number of points: « 3,5 ».
func points(r *big.Rat) string {
	if r == nil {
		return "–"
	}
	return grades.Round2(r).Short()
}

// list is « Exercices »: the pupil's assignments and what they may do with each.
func (h *Handler) list(c echo.Context) error {
	todo, err := h.svc.ToDo(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	now := h.svc.now()
	type line struct {
		Todo
		State  string
		CanGo  bool
		Button string
	}
	var lines []line
	for _, td := range todo {
		l := line{Todo: td}
		switch {
		case td.Unfinished:
			l.State, l.CanGo, l.Button = "Tentative en cours", true, "Reprendre"
		case now.Before(td.OpensAt):
			l.State = "Ouvre le " + dateTime(td.OpensAt)
		case !now.Before(td.ClosesAt):
			l.State = "Clos depuis le " + dateTime(td.ClosesAt)
		case td.AttemptsUsed >= td.AttemptsAllowed:
			l.State = "Toutes vos tentatives sont faites"
		default:
			l.State, l.CanGo, l.Button = fmt.Sprintf("Ouvert jusqu'au %s", dateTime(td.ClosesAt)), true, "Commencer"
		}
		lines = append(lines, l)
	}
	return render(c, http.StatusOK, "exercises_list.html", "Exercices", map[string]any{"Lines": lines})
}

// start starts (or resumes) the pupil's attempt and shows it.
func (h *Handler) start(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.svc.StartAttempt(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/exercices/tentatives/"+v.ID.String())
}

// attemptPage is the attempt page's model: each question with what its form shows.
type attemptPage struct {
	View      AttemptView
	Questions []questionPage
	Deadline  string
	Saved     bool
	Score     string
}

type optionPage struct {
	Value   string
	Label   template.HTML
	Text    string
	Checked bool
}

type questionPage struct {
	ShownQuestion
	Text       template.HTML
	Options    []optionPage  // choices
	Prompts    []promptPage  // matching
	Items      []itemPage    // ordering
	Blanks     []blankPage   // fill-in-the-blanks
	Typed      string        // short answer, numerical, essay
	True       bool          // true/false answered true
	False      bool          // answered false
	Right      template.HTML // the correction, when shown
	Feedback   template.HTML // the general feedback, when shown
	Obtained   string        // points obtained, when shown
	Comment    string        // the teacher's comment, when shown
	ShowResult bool
}

type promptPage struct {
	Index   int
	Text    template.HTML
	Options []optionPage
}

type itemPage struct {
	Index int
	Text  template.HTML
	Ranks []optionPage
}

type blankPage struct {
	Number  int
	Typed   string
	Options []optionPage
}

func pageOf(v AttemptView) attemptPage {
	p := attemptPage{View: v, Deadline: dateTime(v.Deadline)}
	if v.Score != nil {
		p.Score = points(v.Score) + " / " + v.MaxPoints.Short()
	}
	for _, q := range v.Questions {
		q = shownWithFiles(q, attemptFilesBase(v.ID, q.Position))
		qp := questionPage{ShownQuestion: q, Text: textHTML(q.Text)}
		r := question.Response{}
		if q.Response != nil {
			r = *q.Response
		}
		qp.Typed = r.Text
		if r.Bool != nil {
			qp.True, qp.False = *r.Bool, !*r.Bool
		}
		for _, ch := range q.Choices {
			qp.Options = append(qp.Options, optionPage{Value: strconv.Itoa(ch.Index), Label: textHTML(ch.Text), Checked: slices.Contains(r.Choices, ch.Index)})
		}
		for _, pr := range q.Prompts {
			pp := promptPage{Index: pr.Index, Text: textHTML(pr.Text)}
			for _, o := range q.Options {
				pp.Options = append(pp.Options, optionPage{Value: o, Text: o, Checked: pr.Index < len(r.Matches) && r.Matches[pr.Index] == o})
			}
			qp.Prompts = append(qp.Prompts, pp)
		}
		for _, it := range q.Items {
			ip := itemPage{Index: it.Index, Text: textHTML(it.Text)}
			rank := slices.Index(r.Order, it.Index)
			for k := range q.Items {
				ip.Ranks = append(ip.Ranks, optionPage{Value: strconv.Itoa(k + 1), Text: strconv.Itoa(k + 1), Checked: rank == k})
			}
			qp.Items = append(qp.Items, ip)
		}
		for i, b := range q.Blanks {
			bp := blankPage{Number: i + 1}
			if i < len(r.Blanks) {
				bp.Typed = r.Blanks[i]
			}
			for _, o := range b.Options {
				bp.Options = append(bp.Options, optionPage{Value: o, Text: o, Checked: bp.Typed == o})
			}
			qp.Blanks = append(qp.Blanks, bp)
		}
		if c := q.Correction; c != nil {
			qp.ShowResult = true
			qp.Right = correctionHTML(c.Question, r)
			qp.Feedback = textHTML(c.Question.GeneralFeedback)
			qp.Obtained = points(c.Obtained)
			qp.Comment = c.Comment
		}
		p.Questions = append(p.Questions, qp)
	}
	return p
}

// correctionHTML writes what was right, and the feedback of the answers given.
func correctionHTML(q question.Question, r question.Response) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	switch q.Type {
	case question.SingleChoice, question.MultipleChoice, question.ShortAnswer, question.Numerical:
		b.WriteString("<p>Réponse(s) attendue(s) : ")
		var right []string
		for _, a := range q.Answers {
			if a.Fraction > 0 {
				t := a.Text.Text
				if q.Type == question.Numerical {
					t = string(a.Value)
					if a.Tolerance != "" {
						t += " ± " + string(a.Tolerance)
					}
				}
				right = append(right, "« "+esc(t)+" »")
			}
		}
		b.WriteString(strings.Join(right, ", ") + "</p>")
		for _, i := range r.Choices {
			if i >= 0 && i < len(q.Answers) && !q.Answers[i].Feedback.IsZero() {
				b.WriteString(string(textHTML(q.Answers[i].Feedback)))
			}
		}
	case question.TrueFalse:
		if q.Correct {
			b.WriteString("<p>Réponse attendue : vrai.</p>")
		} else {
			b.WriteString("<p>Réponse attendue : faux.</p>")
		}
		if r.Bool != nil && *r.Bool && !q.TrueFeedback.IsZero() {
			b.WriteString(string(textHTML(q.TrueFeedback)))
		}
		if r.Bool != nil && !*r.Bool && !q.FalseFeedback.IsZero() {
			b.WriteString(string(textHTML(q.FalseFeedback)))
		}
	case question.Matching:
		b.WriteString("<ul>")
		for _, p := range q.Pairs {
			if !p.Question.IsZero() {
				b.WriteString("<li>" + esc(p.Question.Text) + " → " + esc(p.Answer) + "</li>")
			}
		}
		b.WriteString("</ul>")
	case question.Ordering:
		b.WriteString("<p>Ordre attendu :</p><ol>")
		for _, it := range q.Items {
			b.WriteString("<li>" + esc(it.Text) + "</li>")
		}
		b.WriteString("</ol>")
	case question.Blanks:
		b.WriteString("<ol>")
		for _, bl := range q.Blanks {
			var right []string
			for _, a := range bl.Answers {
				if a.Fraction > 0 {
					t := a.Text.Text
					if bl.Kind == question.Numerical {
						t = string(a.Value)
					}
					right = append(right, "« "+esc(t)+" »")
				}
			}
			b.WriteString("<li>" + strings.Join(right, ", ") + "</li>")
		}
		b.WriteString("</ol>")
	}
	return template.HTML(b.String()) // #nosec G203 -- every text escaped or sanitised above
}

// attempt is the pupil's attempt page: one form per question, saved by plain posts.
func (h *Handler) attempt(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.svc.Attempt(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	p := pageOf(v)
	p.Saved = c.QueryParam("ok") == "enregistre"
	return render(c, http.StatusOK, "exercises_attempt.html", v.Title, p)
}

// responseOf reads a question's form into a Response.
func responseOf(c echo.Context, q ShownQuestion) question.Response {
	var r question.Response
	form, _ := c.FormParams()
	switch q.Type {
	case question.SingleChoice, question.MultipleChoice:
		for _, v := range form["choix"] {
			if i, err := strconv.Atoi(v); err == nil {
				r.Choices = append(r.Choices, i)
			}
		}
	case question.TrueFalse:
		switch form.Get("vf") {
		case "vrai":
			t := true
			r.Bool = &t
		case "faux":
			f := false
			r.Bool = &f
		}
	case question.ShortAnswer, question.Numerical, question.Essay:
		r.Text = form.Get("texte")
	case question.Matching:
		n := 0
		for _, p := range q.Prompts {
			n = max(n, p.Index+1)
		}
		r.Matches = make([]string, n)
		for _, p := range q.Prompts {
			r.Matches[p.Index] = form.Get(fmt.Sprintf("paire-%d", p.Index))
		}
	case question.Ordering:
		type ranked struct{ index, rank int }
		var rs []ranked
		for _, it := range q.Items {
			rank, err := strconv.Atoi(form.Get(fmt.Sprintf("rang-%d", it.Index)))
			if err != nil {
				rank = len(q.Items) + 1
			}
			rs = append(rs, ranked{it.Index, rank})
		}
		slices.SortStableFunc(rs, func(a, b ranked) int { return a.rank - b.rank })
		for _, x := range rs {
			r.Order = append(r.Order, x.index)
		}
	case question.Blanks:
		for i := range q.Blanks {
			r.Blanks = append(r.Blanks, form.Get(fmt.Sprintf("trou-%d", i+1)))
		}
	}
	return r
}

// save saves one question's response and comes back to it.
func (h *Handler) save(c echo.Context) error {
	id, pos, err := attemptQuestion(c)
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	v, err := h.svc.Attempt(ctx, t, a, id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(v.Questions, func(q ShownQuestion) bool { return q.Position == pos })
	if i < 0 {
		return fault.New(fault.ErrNotFound, "question introuvable")
	}
	if _, err := h.svc.SaveResponse(ctx, t, a, id, pos, responseOf(c, v.Questions[i])); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/exercices/tentatives/%s?ok=enregistre#q%d", id, pos))
}

// submit hands the attempt in.
func (h *Handler) submit(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.Submit(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/exercices/tentatives/"+id.String())
}

// manage is the teacher's page: their exercises and their bank.
func (h *Handler) manage(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	exs, err := h.svc.Exercises(ctx, t, a)
	if err != nil {
		return err
	}
	bank, err := h.svc.Bank(ctx, t, a)
	if err != nil {
		return err
	}
	cats, err := h.svc.Categories(ctx, t, a)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "exercises_manage.html", "Mes exercices", map[string]any{"Exercises": exs, "Bank": bank, "Categories": cats,
		"Notice": bankNotice(c.QueryParam("ok"))})
}

// exercise is an exercise of the teacher's with its items and assignments.
func (h *Handler) exercise(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	ex, err := h.svc.Exercise(ctx, t, a, id)
	if err != nil {
		return err
	}
	as, err := h.svc.Assignments(ctx, t, a, id)
	if err != nil {
		return err
	}
	type assignmentLine struct {
		Assignment
		Opens, Closes string
		Classes       []Class
	}
	classes, err := h.svc.Classes(ctx, t, a)
	if err != nil {
		return err
	}
	var lines []assignmentLine
	for _, x := range as {
		l := assignmentLine{Assignment: x, Opens: dateTime(x.OpensAt), Closes: dateTime(x.ClosesAt)}
		for _, id := range x.Classes {
			label := id.String()
			for _, k := range classes {
				if k.ID == id {
					label = k.Label
				}
			}
			l.Classes = append(l.Classes, Class{ID: id, Label: label})
		}
		lines = append(lines, l)
	}
	return render(c, http.StatusOK, "exercises_exercise.html", ex.Title, map[string]any{"Exercise": ex, "Assignments": lines, "Max": ex.MaxPoints().Short()})
}

// results are an assignment's results in one of its classes, with « into the marks ».
func (h *Handler) results(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	class, err := uuid.Parse(c.QueryParam("classe"))
	if err != nil {
		return fault.New(fault.ErrNotFound, "classe introuvable")
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	res, err := h.svc.Results(ctx, t, a, id, class)
	if err != nil {
		return err
	}
	subjects, err := h.svc.Subjects(ctx, t, a, class)
	if err != nil {
		return err
	}
	type pupilLine struct {
		PupilResult
		Grade string
	}
	type rateLine struct {
		QuestionRate
		Rate string
	}
	var pupils []pupilLine
	for _, p := range res.Pupils {
		pupils = append(pupils, pupilLine{PupilResult: p, Grade: onTwenty(p.Grade)})
	}
	var rates []rateLine
	for _, q := range res.Questions {
		rates = append(rates, rateLine{QuestionRate: q, Rate: percent(q.Rate)})
	}
	return render(c, http.StatusOK, "exercises_results.html", "Résultats – "+res.Assignment.Title, map[string]any{"Results": res, "Pupils": pupils,
		"Rates": rates, "Subjects": subjects, "Done": c.QueryParam("ok") == "notes", "Today": h.svc.now().In(directory.SchoolZone).Format("2006-01-02")})
}

// toMarks makes the results an evaluation of the marks (or updates it).
func (h *Handler) toMarks(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	class, err := uuid.Parse(c.FormValue("classe"))
	if err != nil {
		return fault.Invalidf("classe", "Classe : choisissez la classe.")
	}
	f := MarksForm{Class: class, Subject: c.FormValue("matiere"), Title: c.FormValue("titre"), Date: c.FormValue("date"),
		Scale: c.FormValue("bareme"), Coefficient: c.FormValue("coefficient"), Published: c.FormValue("publiee") != "", Absent: c.FormValue("absents") == "Abs"}
	if _, err := h.svc.ToMarks(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f); err != nil {
		return shownError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/exercices/affectations/"+id.String()+"/resultats?classe="+class.String()+"&ok=notes")
}

// attemptQuestion reads an attempt's id (:id) and a question's position in it (:pos), the
// address of every page and call about one question of an attempt.
func attemptQuestion(c echo.Context) (uuid.UUID, int, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return uuid.Nil, 0, err
	}
	pos, err := strconv.Atoi(c.Param("pos"))
	if err != nil {
		return uuid.Nil, 0, fault.New(fault.ErrNotFound, "question introuvable")
	}
	return id, pos, nil
}
