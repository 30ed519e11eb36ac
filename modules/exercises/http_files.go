package exercises

// A question's files (the images of Moodle XML imports): texts refer to them as
// @@PLUGINFILE@@/Name; the pages rewrite those references to the routes below, which serve
// images only, to whoever may read the question.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gabriel-vasile/mimetype"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// fileRoutes serve a question's images: of a bank question (its owner, a colleague when it
// is shared), of an attempt's frozen question (its pupil; its teacher under the review's
// path, since a route has one permission).
func (h *Handler) fileRoutes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/exercices/banque/questions/:id/fichiers/*", PermWrite, h.bankFile),
		module.Get(t, "/exercices/tentatives/:id/fichiers/:pos/*", PermTake, h.attemptFile),
		module.Get(t, "/exercices/corrections/:id/fichiers/:pos/*", PermWrite, h.attemptFile),
	}
}

const pluginFile = "@@PLUGINFILE@@/"

// fileRef is a reference to a question's file in a text, up to the end of the address.
var fileRef = regexp.MustCompile(`@@PLUGINFILE@@/([^"'\s<>()?#]+)`)

// refName is the file name a reference (or a route's path) names, unescaped when it can be.
func refName(ref string) string {
	if n, err := url.PathUnescape(ref); err == nil {
		return n
	}
	return ref
}

// withFiles rewrites t's @@PLUGINFILE@@/name references to base + name (escaped); base ""
// leaves t as it is.
func withFiles(t question.Text, base string) question.Text {
	if base == "" || !strings.Contains(t.Text, pluginFile) {
		return t
	}
	t.Text = fileRef.ReplaceAllStringFunc(t.Text, func(m string) string {
		return base + (&url.URL{Path: refName(m[len(pluginFile):])}).EscapedPath()
	})
	return t
}

// eachText calls fn on every text of q.
func eachText(q *question.Question, fn func(*question.Text)) {
	fn(&q.Text)
	fn(&q.GeneralFeedback)
	fn(&q.TrueFeedback)
	fn(&q.FalseFeedback)
	answers := func(as []question.Answer) []question.Answer {
		as = slices.Clone(as)
		for i := range as {
			fn(&as[i].Text)
			fn(&as[i].Feedback)
		}
		return as
	}
	q.Answers = answers(q.Answers)
	q.Pairs = slices.Clone(q.Pairs)
	for i := range q.Pairs {
		fn(&q.Pairs[i].Question)
	}
	q.Items = slices.Clone(q.Items)
	for i := range q.Items {
		fn(&q.Items[i])
	}
	q.Blanks = slices.Clone(q.Blanks)
	for i := range q.Blanks {
		q.Blanks[i].Answers = answers(q.Blanks[i].Answers)
	}
}

// questionWithFiles is q with every text's references rewritten to base (q is not changed).
func questionWithFiles(q question.Question, base string) question.Question {
	eachText(&q, func(t *question.Text) { *t = withFiles(*t, base) })
	return q
}

// shownWithFiles is sq with its texts' references rewritten to base (sq is not changed).
func shownWithFiles(sq ShownQuestion, base string) ShownQuestion {
	sq.Text = withFiles(sq.Text, base)
	for _, l := range []*[]Shown{&sq.Choices, &sq.Prompts, &sq.Items} {
		*l = slices.Clone(*l)
		for i := range *l {
			(*l)[i].Text = withFiles((*l)[i].Text, base)
		}
	}
	if sq.Correction != nil {
		c := *sq.Correction
		c.Question = questionWithFiles(c.Question, base)
		sq.Correction = &c
	}
	return sq
}

// attemptFilesBase is where the pupil's page finds the files of the question at pos.
func attemptFilesBase(attempt uuid.UUID, pos int) string {
	return fmt.Sprintf("/exercices/tentatives/%s/fichiers/%d/", attempt, pos)
}

// reviewFilesBase is where the teacher's review page finds them.
func reviewFilesBase(attempt uuid.UUID, pos int) string {
	return fmt.Sprintf("/exercices/corrections/%s/fichiers/%d/", attempt, pos)
}

// refers tells whether one of texts refers to the file name.
func refers(texts []question.Text, name string) bool {
	for _, t := range texts {
		for _, m := range fileRef.FindAllStringSubmatch(t.Text, -1) {
			if refName(m[1]) == name {
				return true
			}
		}
	}
	return false
}

// fileOf is q's file name.
func fileOf(q question.Question, name string) (question.File, error) {
	for _, f := range q.Files {
		if f.Name == name {
			return f, nil
		}
	}
	return question.File{}, notFound("fichier")
}

// BankFile is a file of a bank question the teacher reads (their own, or a colleague's
// shared one).
func (s *Service) BankFile(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, name string) (question.File, error) {
	if err := mustWrite(a); err != nil {
		return question.File{}, err
	}
	var f question.File
	err := s.read(ctx, t, func(st store) error {
		bq, err := readQuestion(st, a.PersonID, id)
		if err != nil {
			return err
		}
		f, err = fileOf(bq.Question, name)
		return err
	})
	return f, err
}

// AttemptFile is a file of the question at position pos of an attempt, as frozen when it
// was drawn: for its pupil, only a file a text shown to them refers to (a feedback's image
// waits for the correction); for the teacher whose exercise it is, any.
func (s *Service) AttemptFile(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, pos int, name string) (question.File, error) {
	if !a.Pupil() && !a.Writes() {
		return question.File{}, fault.New(fault.ErrForbidden, "seuls l'élève de la tentative et son enseignant en voient les fichiers")
	}
	var f question.File
	err := s.write(ctx, t, func(st store) error {
		var shownTexts []question.Text
		if a.Pupil() {
			if err := s.expire(st, `a.id = ? AND a.pupil_id = ?`, id, a.PersonID); err != nil {
				return err
			}
			at, as, err := pupilAttempt(st, a.PersonID, id)
			if err != nil {
				return err
			}
			v, err := s.view(st, as, at)
			if err != nil {
				return err
			}
			i := slices.IndexFunc(v.Questions, func(q ShownQuestion) bool { return q.Position == pos })
			if i < 0 {
				return notFound("question")
			}
			sq := v.Questions[i]
			shownTexts = append(shownTexts, sq.Text)
			for _, l := range [][]Shown{sq.Choices, sq.Prompts, sq.Items} {
				for _, x := range l {
					shownTexts = append(shownTexts, x.Text)
				}
			}
			if sq.Correction != nil {
				q := sq.Correction.Question
				eachText(&q, func(t *question.Text) { shownTexts = append(shownTexts, *t) })
			}
		} else if _, err := teacherAttempt(st, a.PersonID, id); err != nil {
			return err
		}
		rows, err := st.responses(id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rows, func(r responseRow) bool { return r.Position == pos })
		if i < 0 {
			return notFound("question")
		}
		if f, err = fileOf(rows[i].q, name); err != nil {
			return err
		}
		if a.Pupil() && !refers(shownTexts, name) {
			return notFound("fichier")
		}
		return nil
	})
	return f, err
}

// imageTypes are the types served; any other file is not found.
var imageTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// serveImage answers f if it is an image by its content, inline, never sniffed.
func serveImage(c echo.Context, f question.File) error {
	m := mimetype.Detect(f.Data)
	i := slices.IndexFunc(imageTypes, m.Is)
	if i < 0 {
		return fault.New(fault.ErrNotFound, "fichier introuvable : seules les images (PNG, JPEG, GIF, WebP) d'une question sont servies")
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", "inline")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private")
	return c.Blob(http.StatusOK, imageTypes[i], f.Data)
}

func (h *Handler) bankFile(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.svc.BankFile(c.Request().Context(), web.TenantOf(c), requestActor(c), id, refName(c.Param("*")))
	if err != nil {
		return err
	}
	return serveImage(c, f)
}

func (h *Handler) attemptFile(c echo.Context) error {
	id, pos, err := attemptQuestion(c)
	if err != nil {
		return err
	}
	f, err := h.svc.AttemptFile(c.Request().Context(), web.TenantOf(c), requestActor(c), id, pos, refName(c.Param("*")))
	if err != nil {
		return err
	}
	return serveImage(c, f)
}
