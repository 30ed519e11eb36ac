package exercises

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/exercises/gift"
	"github.com/cartable-ent/cartable/modules/exercises/moodlexml"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// The bank's import and export (GIFT, Moodle XML) and its GIFT question editor.

// MaxGIFT is the largest GIFT file an import reads.
const MaxGIFT = 5 << 20

// The formats of a bank file.
const (
	formatGIFT = "gift"
	formatXML  = "xml"
)

// importRoutes are the import (upload, report, confirmation), the exports and the editor.
func (h *Handler) importRoutes() []module.Route {
	t := module.Tenant
	// The upload carries the file; the confirmation carries it again, base64 in a field.
	upload := int64(moodlexml.MaxDocument) + 1<<20
	confirm := int64(base64.RawURLEncoding.EncodedLen(moodlexml.MaxDocument)) + 1<<20
	return []module.Route{
		module.Get(t, "/exercices/banque/import", PermWrite, h.importForm),
		module.Post(t, "/exercices/banque/import", PermWrite, h.importReport).WithLimit(upload),
		module.Post(t, "/exercices/banque/import/confirmer", PermWrite, h.importConfirm).WithLimit(confirm),
		module.Get(t, "/exercices/banque/export/gift", PermWrite, h.exportGIFT),
		module.Get(t, "/exercices/banque/export/xml", PermWrite, h.exportXML),
		module.Get(t, "/exercices/banque/questions/nouvelle", PermWrite, h.questionEditor),
		module.Post(t, "/exercices/banque/questions/nouvelle", PermWrite, h.saveQuestionGIFT),
		module.Get(t, "/exercices/banque/questions/:id/modifier", PermWrite, h.questionEditor),
		module.Post(t, "/exercices/banque/questions/:id/modifier", PermWrite, h.saveQuestionGIFT),
	}
}

// importMenu is the bank's import and export page in the teachers' menu, current on
// every page of the bank (/exercices/banque/…: the import, the exports, the question editor).
func importMenu() []module.MenuEntry {
	return []module.MenuEntry{{Text: "Importer, exporter des questions", Href: "/exercices/banque/import", Section: "/exercices/banque", Permission: PermWrite, Order: 9}}
}

// bankFile is an uploaded bank file as read: its questions, what did not parse (with its
// line), and what the service would refuse among the questions read.
type bankFile struct {
	Format   string
	Read     int                 // questions in the file, malformed ones included
	Problems []string            // « ligne 12 : … », then the service's refusals
	Valid    []question.Question // what « Importer les N questions valides » imports
}

// readBankFile reads a GIFT or Moodle XML file (by its content, else its name) for an import
// under category in mode. A file over its format's limit, or an XML document that cannot be
// read at all, is refused (FormErrors on « fichier »).
func readBankFile(name string, data []byte, category string, mode ImportMode) (bankFile, error) {
	f := bankFile{Format: formatGIFT}
	head := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if strings.EqualFold(path.Ext(name), ".xml") || bytes.HasPrefix(head, []byte("<")) {
		f.Format = formatXML
	}
	var qs []question.Question
	switch f.Format {
	case formatXML:
		if len(data) > moodlexml.MaxDocument {
			return f, FormErrors{"fichier": fmt.Sprintf("Fichier : ce fichier Moodle XML fait %s, %s au plus ; exportez moins de questions à la fois depuis Moodle.",
				fault.ByteSize(int64(len(data))), fault.ByteSize(moodlexml.MaxDocument))}
		}
		read, errs, err := moodlexml.Parse(bytes.NewReader(data))
		if err != nil {
			return f, FormErrors{"fichier": "Fichier : " + err.Error() + "."}
		}
		qs, f.Read = read, len(read)+len(errs)
		for _, e := range errs {
			where := fmt.Sprintf("question %d", e.Number)
			if e.Name != "" {
				where += " « " + e.Name + " »"
			}
			if e.Line > 0 {
				f.Problems = append(f.Problems, fmt.Sprintf("ligne %d (%s) : %s", e.Line, where, e.Message))
			} else {
				f.Problems = append(f.Problems, where+" : "+e.Message)
			}
		}
	default:
		if len(data) > MaxGIFT {
			return f, FormErrors{"fichier": fmt.Sprintf("Fichier : ce fichier GIFT fait %s, %s au plus ; coupez-le en plusieurs fichiers.",
				fault.ByteSize(int64(len(data))), fault.ByteSize(MaxGIFT))}
		}
		read, errs, err := gift.Parse(bytes.NewReader(data))
		if err != nil {
			return f, err
		}
		qs, f.Read = read, len(read)+len(errs)
		for _, e := range errs {
			f.Problems = append(f.Problems, e.Error())
		}
	}
	refused := importRefusals(category, qs, mode)
	for i, q := range qs {
		if msg, ok := refused[i]; ok {
			f.Problems = append(f.Problems, strings.Replace(msg, fmt.Sprintf("Question %d", i+1), "Question", 1))
			continue
		}
		f.Valid = append(f.Valid, q)
	}
	if f.Read == 0 {
		return f, FormErrors{"fichier": "Fichier : aucune question trouvée ; choisissez un fichier GIFT (.gift, .txt) ou Moodle XML (.xml)."}
	}
	return f, nil
}

// importPage is the import form's model (the form, its errors, the exports).
type importPage struct {
	Categories []Category
	Category   string
	Subcats    bool
	Errors     FormErrors
	Notice     string
}

func (h *Handler) renderImport(c echo.Context, status int, p importPage) error {
	cats, err := h.svc.Categories(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	p.Categories = cats
	return render(c, status, "exercises_import.html", "Importer, exporter des questions", p)
}

// importForm is the upload form, with the exports of the bank and of each category.
func (h *Handler) importForm(c echo.Context) error {
	p := importPage{}
	switch ok := c.QueryParam("ok"); {
	case ok == "rien":
		p.Notice = "Rien n'a été importé."
	case ok != "":
		if n, err := strconv.Atoi(ok); err == nil {
			p.Notice = fmt.Sprintf("%d question(s) importée(s) dans « %s ».", n, c.QueryParam("categorie"))
		}
	}
	return h.renderImport(c, http.StatusOK, p)
}

func importMode(c echo.Context) ImportMode {
	if c.FormValue("sous_categories") == "1" {
		return ImportSubcategories
	}
	return ImportInto
}

// importReport reads the uploaded file and shows what it holds; nothing is written yet.
func (h *Handler) importReport(c echo.Context) error {
	category, mode := strings.TrimSpace(c.FormValue("categorie")), importMode(c)
	p := importPage{Category: category, Subcats: mode == ImportSubcategories}
	up, err := files.FormFile(c, "fichier", moodlexml.MaxDocument, fmt.Sprintf("Fichier : trop volumineux, %s au plus (GIFT : %s au plus).",
		fault.ByteSize(moodlexml.MaxDocument), fault.ByteSize(MaxGIFT)))
	if err != nil {
		return err
	}
	if up == nil {
		p.Errors = FormErrors{"fichier": "Fichier : choisissez un fichier GIFT (.gift, .txt) ou Moodle XML (.xml)."}
		return h.renderImport(c, http.StatusUnprocessableEntity, p)
	}
	if _, ok := cleanPath(category); !ok {
		p.Errors = FormErrors{"categorie": "Catégorie : indiquez la catégorie où importer les questions (« / » sépare les sous-catégories)."}
		return h.renderImport(c, http.StatusUnprocessableEntity, p)
	}
	f, err := readBankFile(up.Name, up.Data, category, mode)
	var fe FormErrors
	if errors.As(err, &fe) {
		p.Errors = fe
		return h.renderImport(c, http.StatusUnprocessableEntity, p)
	} else if err != nil {
		return err
	}
	return render(c, http.StatusOK, "exercises_import_report.html", "Import : rapport", map[string]any{
		"File": f, "Name": up.Name, "Category": category, "Subcats": mode == ImportSubcategories,
		"Content": base64.RawURLEncoding.EncodeToString(up.Data), "Valid": len(f.Valid)})
}

// importConfirm is the teacher's choice on the report: the file comes back, is read again
// and its valid questions are imported, all or nothing; or nothing is.
func (h *Handler) importConfirm(c echo.Context) error {
	if c.FormValue("choix") != "importer" {
		return c.Redirect(http.StatusSeeOther, "/exercices/banque/import?ok=rien")
	}
	category, mode := strings.TrimSpace(c.FormValue("categorie")), importMode(c)
	data, err := base64.RawURLEncoding.DecodeString(c.FormValue("contenu"))
	if err != nil {
		return fault.Invalidf("fichier", "Fichier : le contenu renvoyé est illisible ; envoyez le fichier à nouveau.")
	}
	f, err := readBankFile(c.FormValue("nom"), data, category, mode)
	if err != nil {
		return shownError(err)
	}
	if strconv.Itoa(len(f.Valid)) != c.FormValue("n") {
		return fault.Invalidf("fichier", "Fichier : il ne donne plus les questions annoncées ; envoyez le fichier à nouveau.")
	}
	if len(f.Valid) == 0 {
		return fault.Invalidf("fichier", "Fichier : aucune question valide à importer ; corrigez le fichier et envoyez-le à nouveau.")
	}
	ids, err := h.svc.ImportQuestions(c.Request().Context(), web.TenantOf(c), requestActor(c), category, f.Valid, mode)
	if err != nil {
		return shownError(err)
	}
	clean, _ := cleanPath(category)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/exercices/banque/import?ok=%d&categorie=%s", len(ids), url.QueryEscape(clean)))
}

// exportScope reads the query's category (none: the whole bank) and its questions.
func (h *Handler) exportScope(c echo.Context) (string, []question.Question, error) {
	id := uuid.Nil
	if v := c.QueryParam("categorie"); v != "" {
		var err error
		if id, err = uuid.Parse(v); err != nil {
			return "", nil, fault.New(fault.ErrNotFound, "catégorie introuvable")
		}
	}
	scope, qs, err := h.svc.exportQuestions(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err == nil && len(qs) == 0 {
		err = fault.Invalidf("categorie", "Rien à exporter : %s ne contient aucune question.", cmpOr(scope, "votre banque"))
	}
	return scope, qs, err
}

func cmpOr(scope, whole string) string {
	if scope == "" {
		return whole
	}
	return "« " + scope + " »"
}

// attachment sends body as a download named after the scope.
func attachment(c echo.Context, scope, ext, ctype string, body []byte) error {
	name := "banque"
	if scope != "" {
		name += "-" + strings.ReplaceAll(scope, "/", "-")
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name + "." + ext}))
	return c.Blob(http.StatusOK, ctype, body)
}

// exportGIFT downloads the bank (or a category) in GIFT; questions GIFT cannot express are
// listed instead, with the XML export to use.
func (h *Handler) exportGIFT(c echo.Context) error {
	scope, qs, err := h.exportScope(c)
	if err != nil {
		return shownError(err)
	}
	var buf bytes.Buffer
	if err := gift.Export(&buf, qs); err != nil {
		var lines []string
		for _, e := range unjoin(err) {
			lines = append(lines, e.Error())
		}
		return render(c, http.StatusUnprocessableEntity, "exercises_export_refused.html", "Export GIFT impossible", map[string]any{
			"Lines": lines, "Scope": cmpOr(scope, "votre banque"), "XML": "/exercices/banque/export/xml?categorie=" + c.QueryParam("categorie")})
	}
	return attachment(c, scope, "gift", "text/plain; charset=utf-8", buf.Bytes())
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// exportXML downloads the bank (or a category) in Moodle XML.
func (h *Handler) exportXML(c echo.Context) error {
	scope, qs, err := h.exportScope(c)
	if err != nil {
		return shownError(err)
	}
	var buf bytes.Buffer
	if err := moodlexml.Export(&buf, qs); err != nil {
		return fmt.Errorf("exercises: export xml: %w", err)
	}
	return attachment(c, scope, "xml", "application/xml; charset=utf-8", buf.Bytes())
}

// editorPage is the GIFT editor's model.
type editorPage struct {
	Action     string
	Categories []Category
	Category   uuid.UUID
	GIFT       string
	Shared     bool
	Unwritable string // why the question cannot be edited in GIFT
	Errors     FormErrors
	Preview    *preview
	Saved      bool
}

// preview is how a typed question reads: its type, text and answers with their weights.
type preview struct {
	Type    string
	Name    string
	Text    string
	Answers []string
}

var typeNames = map[question.Type]string{question.SingleChoice: "Choix unique", question.MultipleChoice: "Choix multiple",
	question.TrueFalse: "Vrai ou faux", question.ShortAnswer: "Réponse courte", question.Numerical: "Numérique",
	question.Matching: "Appariement", question.Ordering: "Remise en ordre", question.Blanks: "Texte à trous",
	question.Essay: "Rédaction (corrigée par l'enseignant)", question.Description: "Description (sans réponse)"}

func previewOf(q question.Question) *preview {
	p := &preview{Type: typeNames[q.Type], Name: nameOf(q), Text: q.Text.Text}
	answer := func(a question.Answer) string {
		s := a.Text.Text
		if q.Type == question.Numerical || a.Value != "" {
			s = string(a.Value)
			if a.Value == gift.AnyValue {
				s = "toute autre réponse"
			} else if a.Tolerance != "" && a.Tolerance != "0" {
				s += " ± " + string(a.Tolerance)
			}
		}
		return fmt.Sprintf("%s — %s %%", s, a.Fraction.Percent())
	}
	switch q.Type {
	case question.TrueFalse:
		p.Answers = []string{map[bool]string{true: "Bonne réponse : vrai", false: "Bonne réponse : faux"}[q.Correct]}
	case question.Matching:
		for _, pr := range q.Pairs {
			p.Answers = append(p.Answers, pr.Question.Text+" → "+pr.Answer)
		}
	case question.Blanks:
		for i, b := range q.Blanks {
			for _, a := range b.Answers {
				p.Answers = append(p.Answers, fmt.Sprintf("Trou %d : %s", i+1, answer(a)))
			}
		}
	default:
		for _, a := range q.Answers {
			p.Answers = append(p.Answers, answer(a))
		}
	}
	if q.CaseSensitive {
		p.Answers = append(p.Answers, "(sensible à la casse)")
	}
	return p
}

func (h *Handler) renderEditor(c echo.Context, status int, p editorPage) error {
	cats, err := h.svc.Categories(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	p.Categories = cats
	title := "Nouvelle question"
	if p.Action != "/exercices/banque/questions/nouvelle" {
		title = "Modifier la question"
	}
	return render(c, status, "exercises_question.html", title, p)
}

// questionEditor is a new question's editor, or one of the teacher's questions in GIFT.
func (h *Handler) questionEditor(c echo.Context) error {
	p := editorPage{Action: "/exercices/banque/questions/nouvelle"}
	if c.Param("id") == "" {
		if id, err := uuid.Parse(c.QueryParam("categorie")); err == nil {
			p.Category = id
		}
		return h.renderEditor(c, http.StatusOK, p)
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	bq, err := h.svc.Question(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	if !bq.Mine {
		return notFound("question") // a colleague's shared question is copied, not edited
	}
	p.Action, p.Category, p.Shared, p.Saved = "/exercices/banque/questions/"+id.String()+"/modifier", bq.CategoryID, bq.Shared, c.QueryParam("ok") == "1"
	q := bq.Question
	q.Category = ""
	var buf bytes.Buffer
	if err := gift.Export(&buf, []question.Question{q}); err != nil {
		p.Unwritable = "Cette question ne s'écrit pas en GIFT (" + strings.Join(errorTexts(err), " ; ") + ") : elle ne peut pas être modifiée ici."
	} else {
		p.GIFT, p.Preview = strings.TrimSpace(buf.String()), previewOf(q)
	}
	return h.renderEditor(c, http.StatusOK, p)
}

func errorTexts(err error) []string {
	var out []string
	for _, e := range unjoin(err) {
		out = append(out, e.Error())
	}
	return out
}

// saveQuestionGIFT reads the typed GIFT: « Aperçu » shows it, « Enregistrer » saves it.
func (h *Handler) saveQuestionGIFT(c echo.Context) error {
	id := uuid.Nil
	p := editorPage{Action: "/exercices/banque/questions/nouvelle", GIFT: c.FormValue("gift"), Shared: c.FormValue("partager") == "1"}
	if c.Param("id") != "" {
		var err error
		if id, err = paramID(c, "id"); err != nil {
			return err
		}
		p.Action = "/exercices/banque/questions/" + id.String() + "/modifier"
	}
	cat, catErr := uuid.Parse(c.FormValue("categorie"))
	p.Category = cat
	errs := FormErrors{}
	if catErr != nil {
		errs["categorie"] = "Catégorie : choisissez une de vos catégories (créez-en une d'abord s'il le faut)."
	}
	if len(p.GIFT) > 100_000 {
		errs["gift"] = "Question : 100 000 caractères au plus."
		return h.renderEditor(c, http.StatusUnprocessableEntity, editorPage{Action: p.Action, Category: cat, Shared: p.Shared, Errors: errs})
	}
	qs, perrs, err := gift.Parse(strings.NewReader(p.GIFT))
	if err != nil {
		return err
	}
	switch {
	case len(perrs) > 0:
		var lines []string
		for _, e := range perrs {
			lines = append(lines, e.Error())
		}
		errs["gift"] = "Question : " + strings.Join(lines, " ; ") + "."
	case len(qs) == 0:
		errs["gift"] = "Question : écrivez une question en GIFT (par exemple « 2 + 2 = {=4 ~3 ~5} »)."
	case len(qs) > 1:
		errs["gift"] = fmt.Sprintf("Question : vous avez écrit %d questions ; une seule ici (importez un fichier pour en ajouter plusieurs).", len(qs))
	default:
		p.Preview = previewOf(qs[0])
		if msg := checkQuestion(qs[0]); msg != "" {
			errs["gift"] = "Question : " + msg + "."
		}
	}
	if len(errs) > 0 || c.FormValue("choix") != "enregistrer" {
		p.Errors = errs
		status := http.StatusOK
		if len(errs) > 0 {
			status = http.StatusUnprocessableEntity
		}
		return h.renderEditor(c, status, p)
	}
	q := qs[0]
	q.Category = ""
	saved, err := h.svc.SaveQuestion(c.Request().Context(), web.TenantOf(c), requestActor(c), id, cat, q, p.Shared)
	var fe FormErrors
	if errors.As(err, &fe) {
		p.Errors = fe
		return h.renderEditor(c, http.StatusUnprocessableEntity, p)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/exercices/banque/questions/"+saved.String()+"/modifier?ok=1")
}
