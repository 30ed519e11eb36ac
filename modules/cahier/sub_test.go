package cahier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/blob/memblob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/cahier"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
)

// newSubSite is the test site with the portfolio, the grades and the notifications wired, and
// Claire's maths teaching of 2nde 1 known to the grades.
func newSubSite(t *testing.T) *site {
	s := newSite(t)
	folio := portfolio.NewService(s.Reg.DB(), s.Clock.Now)
	folio.SetBucket(memblob.OpenBucket(nil))
	s.svc.SetPortfolio(folio)
	s.svc.SetMarks(grades.NewService(s.Reg.DB(), s.Clock.Now))
	s.svc.SetNotifier(notify.NewService(s.Reg.DB(), s.Clock.Now))
	s.Exec(s.alpha, `INSERT INTO teachings (class_id, subject_code, teacher_id) VALUES (?, 'MATHS', ?)`, s.class1, s.teacher.PersonID)
	return s
}

type part struct {
	name, file string
	data       []byte
}

// handIn posts the pupil's hand-in form: the text, then the files.
func (s *site) handIn(tn *tenant.Tenant, m directorytest.Member, method, path, text string, fs ...part) *httptest.ResponseRecorder {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("texte", text)
	for _, f := range fs {
		fw, _ := w.CreateFormFile("fichiers", f.file)
		fw.Write(f.data)
	}
	w.Close()
	return s.Do(tn, m, method, path, w.FormDataContentType(), &body)
}

var (
	subPDF    = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	subPDF2   = []byte("%PDF-1.4\n% second version\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	subLink   = regexp.MustCompile(`/cahier/rendus/([0-9a-f-]{36})"`)
	fileLink2 = regexp.MustCompile(`(/cahier/rendus/[0-9a-f-]{36}/fichiers/[0-9a-f-]{36})"`)
)

func (s *site) submissionOf(work uuid.UUID, pupil directorytest.Member) uuid.UUID {
	s.t.Helper()
	var ids []uuid.UUID
	if err := s.Reg.DB().ReadTx(context.Background(), s.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM cahier_submissions WHERE work_id = ? AND pupil_id = ?`, work, pupil.PersonID).Scan(&ids).Error
	}); err != nil || len(ids) == 0 {
		s.t.Fatalf("no submission of %s for %s (%v)", pupil.PersonID, work, err)
	}
	return ids[0]
}

// TestHandInAndReturn: a work asking files and a text; Alice hands in on time and replaces
// her submission, Bruno has not handed in, then does, late; the teacher sees who handed in,
// when, late or not; opens Alice's with her file, returns it with a comment and 15: the mark is
// in the grades grid (one evaluation of the work, published), Alice is told, her portfolio
// item says it; she can no longer replace it; a mark over the scale is refused, nothing written.
func TestHandInAndReturn(t *testing.T) {
	s := newSubSite(t)
	work := s.work(s.teacher, s.class1, "MATHS", "2026-10-07", "30", "Rédiger la démonstration du théorème", url.Values{"rendu": {"fichiers_texte"}})
	path := "/cahier/travail/" + work.String()
	rec := s.Get(s.alice, path)
	wantIn(t, rec, "Alice's work page", "Rendu attendu : Des fichiers et un texte", "Rendre mon travail", `name="fichiers"`, `name="texte"`)

	wantCode(t, s.handIn(s.alpha, s.alice, http.MethodPost, path+"/rendre", "Première version", part{"f", "demo.pdf", subPDF}), http.StatusSeeOther, "Alice hands in")
	sub := s.submissionOf(work, s.alice)
	source := "cahier:" + sub.String()
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE pupil_id = ? AND kind = 'submission' AND source = ? AND subject_label = 'Mathématiques'
		AND title LIKE 'Rédiger la démonstration%' AND summary = 'Rendu le 5 octobre à 10 h 00' AND body = 'Première version'`, s.alice.PersonID, source); n != 1 {
		t.Errorf("Alice's portfolio item: %d, want one for the submission", n)
	}
	s.Clock.Set(time.Date(2026, time.October, 6, 18, 2, 0, 0, testenv.Paris))
	wantCode(t, s.handIn(s.alpha, s.alice, http.MethodPost, path+"/rendre", "Seconde version", part{"f", "demo-v2.pdf", subPDF2}), http.StatusSeeOther, "Alice replaces")
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items i JOIN portfolio_files f ON f.item_id = i.id WHERE i.source = ? AND i.body = 'Seconde version'
		AND f.name = 'demo-v2.pdf' AND i.summary = 'Rendu le 6 octobre à 18 h 02'`, source); n != 1 {
		t.Errorf("after the replacement: %d rows, want the one item with only the new file", n)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_files`); n != 1 {
		t.Errorf("%d portfolio files, want the replaced one gone", n)
	}

	rec = s.Get(s.teacher, path+"/rendus")
	wantCode(t, rec, http.StatusOK, "the teacher's list")
	wantIn(t, rec, "the teacher's list", "Alice-", "Rendu le 6 octobre à 18 h 02", "Bruno-", "Non rendu", "1 rendu(s) sur 2 élève(s), dont 0 en retard")
	s.Clock.Set(time.Date(2026, time.October, 8, 0, 0, 0, 0, testenv.Paris))
	wantCode(t, s.handIn(s.alpha, s.bruno, http.MethodPost, path+"/rendre", "En retard", part{"f", "bruno.pdf", subPDF}), http.StatusSeeOther, "Bruno hands in, late")
	rec = s.Get(s.teacher, path+"/rendus")
	wantIn(t, rec, "the list after Bruno", "2 rendu(s) sur 2 élève(s), dont 1 en retard", "en retard")
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_submissions WHERE late`); n != 1 {
		t.Errorf("%d late submissions, want Bruno's", n)
	}

	rec = s.Get(s.teacher, "/cahier/rendus/"+sub.String())
	wantCode(t, rec, http.StatusOK, "the teacher opens Alice's")
	wantIn(t, rec, "Alice's submission", "Seconde version", "demo-v2.pdf", "Rendre corrigé")
	m := fileLink2.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no file link on the submission's page")
	}
	got := s.Get(s.teacher, m[1])
	if wantCode(t, got, http.StatusOK, "the teacher downloads"); !bytes.Equal(got.Body.Bytes(), subPDF2) || got.Header().Get("Content-Type") != "application/pdf" {
		t.Errorf("download: %v", got.Header())
	}

	rec = s.Post(s.teacher, "/cahier/rendus/"+sub.String()+"/corriger", url.Values{"commentaire": {"Très bien"}, "note": {"25"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "a mark over the scale")
	wantIn(t, rec, "the refusal", "25 dépasse le barème", `href="#note"`, "Très bien")
	if n := s.Count(s.alpha, `SELECT count(*) FROM evaluations`) + s.Count(s.alpha, `SELECT count(*) FROM cahier_submissions WHERE returned_at IS NOT NULL`); n != 0 {
		t.Errorf("a refused return wrote %d rows", n)
	}
	wantCode(t, s.Post(s.teacher, "/cahier/rendus/"+sub.String()+"/corriger", url.Values{"commentaire": {"Très bien"}, "note": {"15"}}), http.StatusSeeOther, "return with 15")
	bruno := s.submissionOf(work, s.bruno)
	wantCode(t, s.Post(s.teacher, "/cahier/rendus/"+bruno.String()+"/corriger", url.Values{"commentaire": {"À revoir"}, "note": {"12,5"}}), http.StatusSeeOther, "return Bruno's")
	ev := cahier.EvaluationOf(work)
	if n := s.Count(s.alpha, `SELECT count(*) FROM evaluations WHERE id = ? AND class_id = ? AND subject_code = 'MATHS' AND published_at IS NOT NULL AND teacher_id = ?`,
		ev, s.class1, s.teacher.PersonID); n != 1 || s.Count(s.alpha, `SELECT count(*) FROM evaluations`) != 1 {
		t.Errorf("want one published evaluation of the work in Claire's maths of 2nde 1")
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM marks WHERE evaluation_id = ? AND ((pupil_id = ? AND value = 15) OR (pupil_id = ? AND value = 12.5))`,
		ev, s.alice.PersonID, s.bruno.PersonID); n != 2 {
		t.Errorf("%d marks in the grid, want Alice's 15 and Bruno's 12,5", n)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM notifications n JOIN notification_recipients r ON r.notification_id = n.id
		WHERE r.person_id = ? AND n.title = 'Travail corrigé en Mathématiques'`, s.alice.PersonID); n != 1 {
		t.Errorf("Alice was told %d times of the return", n)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE source = ? AND summary = 'Rendu le 6 octobre à 18 h 02, rendu corrigé : 15/20'`, source); n != 1 {
		t.Errorf("Alice's portfolio item does not say the return")
	}
	rec = s.Get(s.alice, path)
	wantIn(t, rec, "Alice's page after the return", "Très bien", "15/20")
	wantNotIn(t, rec, "Alice's page after the return", "Remplacer mon travail rendu")
	rec = s.handIn(s.alpha, s.alice, http.MethodPost, path+"/rendre", "Trop tard", part{"f", "v3.pdf", subPDF})
	wantCode(t, rec, http.StatusUnprocessableEntity, "replace after the return")
	wantIn(t, rec, "the refusal", "déjà été corrigé")
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE body = 'Trop tard'`); n != 0 {
		t.Errorf("a refused replacement was written")
	}
}

// TestSubmissionIsolation: a submission is seen by its pupil, their legal guardian (read-only)
// and the teacher of the class; not by a classmate, another class's teacher or pupil, another
// child's parent, nor another establishment (404, its files too); only the teacher returns it.
func TestSubmissionIsolation(t *testing.T) {
	s := newSubSite(t)
	work := s.work(s.teacher, s.class1, "MATHS", "2026-10-07", "30", "Exercice rédigé", url.Values{"rendu": {"fichiers"}})
	path := "/cahier/travail/" + work.String()
	wantCode(t, s.handIn(s.alpha, s.alice, http.MethodPost, path+"/rendre", "", part{"f", "alice.pdf", subPDF}), http.StatusSeeOther, "Alice hands in")
	sub := "/cahier/rendus/" + s.submissionOf(work, s.alice).String()
	m := fileLink2.FindStringSubmatch(s.Get(s.alice, sub).Body.String())
	if m == nil {
		t.Fatalf("no file on Alice's own submission page")
	}
	file := m[1]
	for _, who := range []struct {
		m    directorytest.Member
		name string
	}{{s.bruno, "a classmate"}, {s.zoe, "a pupil of another class"}, {s.paul, "another class's teacher"}, {s.guardianZoe, "another child's parent"},
		{s.cpe, "the vie scolaire"}} {
		wantCode(t, s.Get(who.m, sub), http.StatusNotFound, who.name+" opens it")
		wantCode(t, s.Get(who.m, file), http.StatusNotFound, who.name+" downloads it")
	}
	wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, sub, nil), http.StatusNotFound, "another establishment")
	wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, file, nil), http.StatusNotFound, "another establishment's file")
	wantCode(t, s.Get(s.paul, path+"/rendus"), http.StatusNotFound, "another teacher's list")
	wantCode(t, s.Post(s.paul, sub+"/corriger", url.Values{"commentaire": {"x"}}), http.StatusNotFound, "another teacher returns")
	wantCode(t, s.Post(s.guardian, sub+"/corriger", url.Values{"commentaire": {"x"}}), http.StatusForbidden, "a guardian returns")
	wantCode(t, s.handIn(s.alpha, s.zoe, http.MethodPost, path+"/rendre", "", part{"f", "zoe.pdf", subPDF}), http.StatusNotFound, "a pupil of another class hands in")
	wantCode(t, s.handIn(s.bravo, s.bravoPupil, http.MethodPost, path+"/rendre", "", part{"f", "lea.pdf", subPDF}), http.StatusNotFound, "another establishment's pupil")
	wantCode(t, s.Get(s.bruno, m[1]), http.StatusNotFound, "a classmate's file")

	rec := s.Get(s.guardian, sub)
	wantCode(t, rec, http.StatusOK, "Alice's guardian")
	wantIn(t, rec, "the guardian's view", "alice.pdf")
	wantNotIn(t, rec, "the guardian's view", "Rendre corrigé", `name="note"`)
	wantCode(t, s.Get(s.guardian, file), http.StatusOK, "the guardian downloads")
	wantIn(t, s.Get(s.guardian, path), "the guardian's work page", "Travail rendu par Alice-")
	wantNotIn(t, s.Get(s.guardianZoe, "/cahier/travail/"+work.String()), "another parent", "Alice")
	var own struct {
		Submission *struct {
			ID uuid.UUID `json:"id"`
		} `json:"submission"`
	}
	s.getJSON(s.bruno, "/api/v1/cahier/travail/"+work.String()+"/rendu", http.StatusOK, &own)
	if own.Submission != nil {
		t.Errorf("Bruno's own submission reads Alice's: %+v", own.Submission)
	}
	wantCode(t, s.Get(s.paul, "/api/v1/cahier/travail/"+work.String()+"/rendus"), http.StatusNotFound, "another teacher's API list")
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_submissions`); n != 1 {
		t.Errorf("%d submissions, want Alice's only", n)
	}
}

// TestHandInRefused: a program, a file too large, a text for a work of files, no file: each
// refused with a French message next to the field, and nothing written (no submission, no
// portfolio item, no blob counted in the space); work that asks nothing takes no hand-in.
func TestHandInRefused(t *testing.T) {
	s := newSubSite(t)
	work := s.work(s.teacher, s.class1, "MATHS", "2026-10-07", "30", "Rendre le schéma", url.Values{"rendu": {"fichiers"}})
	path := "/cahier/travail/" + work.String() + "/rendre"
	big := append(append([]byte{}, subPDF...), bytes.Repeat([]byte{' '}, portfolio.MaxFileBytes)...)
	for _, c := range []struct {
		name, text string
		files      []part
		field      string
		want       string
	}{
		{"a program", "", []part{{"f", "programme.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00")}}, "fichiers", "son contenu est un programme Windows"},
		{"a PDF named .png", "", []part{{"f", "schema.png", subPDF}}, "fichiers", "schema.png"},
		{"too large", "", []part{{"f", "schema.pdf", big}}, "fichiers", "20 Mo"},
		{"a text for files", "Voici mon texte", []part{{"f", "schema.pdf", subPDF}}, "texte", "laissez le texte vide"},
		{"no file", "", nil, "fichiers", "au moins un fichier"},
	} {
		rec := s.handIn(s.alpha, s.alice, http.MethodPost, path, c.text, c.files...)
		wantCode(t, rec, http.StatusUnprocessableEntity, c.name)
		wantIn(t, rec, c.name, "Votre travail n'a pas été rendu", `href="#`+c.field+`"`, c.want)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_submissions`) + s.Count(s.alpha, `SELECT count(*) FROM portfolio_items`) +
		s.Count(s.alpha, `SELECT count(*) FROM portfolio_files`); n != 0 {
		t.Errorf("refused hand-ins wrote %d rows", n)
	}

	// Handed in once, the work keeps asking for it: « aucun » would hide the submissions.
	wantCode(t, s.handIn(s.alpha, s.alice, http.MethodPost, path, "", part{"f", "schema.pdf", subPDF}), http.StatusSeeOther, "hand in")
	edit := url.Values{"classe": {s.class1.String() + "|MATHS"}, "type": {"Exercices"}, "consigne": {"Rendre le schéma"}, "pour": {"date"},
		"echeance": {"2026-10-07"}, "duree": {"30"}, "action": {"enregistrer"}, "rendu": {"aucun"}}
	rec := s.Post(s.teacher, "/cahier/travail/"+work.String()+"/modifier", edit)
	wantCode(t, rec, http.StatusUnprocessableEntity, "switch a handed-in work to nothing expected")
	wantIn(t, rec, "switch a handed-in work to nothing expected", "1 élève(s) ont déjà rendu ce travail", `href="#rendu"`)
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_work WHERE id = ? AND submission = 'fichiers'`, work); n != 1 {
		t.Errorf("the refused change was saved")
	}
	edit.Set("rendu", "fichiers_texte")
	wantCode(t, s.Post(s.teacher, "/cahier/travail/"+work.String()+"/modifier", edit), http.StatusSeeOther, "ask files and a text instead")
	plain := s.work(s.teacher, s.class1, "MATHS", "2026-10-07", "30", "Apprendre la leçon", nil)
	wantCode(t, s.handIn(s.alpha, s.alice, http.MethodPost, "/cahier/travail/"+plain.String()+"/rendre", "texte"), http.StatusConflict, "work that asks nothing")
	wantNotIn(t, s.Get(s.alice, "/cahier/travail/"+plain.String()), "work that asks nothing", "Rendre mon travail")
}

// TestSubmissionAPI: the pupil's submission through the API (PUT multipart, GET), on time
// until the due date's last minute, late after (a replacement then is late); the teacher's
// list and return (JSON), a refused file and mark naming their fields.
func TestSubmissionAPI(t *testing.T) {
	s := newSubSite(t)
	work := s.work(s.teacher, s.class1, "MATHS", "2026-10-05", "30", "Rédaction", url.Values{"rendu": {"texte"}})
	api := "/api/v1/cahier/travail/" + work.String()
	type sub struct {
		ID         uuid.UUID  `json:"id"`
		Late       bool       `json:"late"`
		Text       string     `json:"text"`
		Mark       string     `json:"mark"`
		Comment    string     `json:"comment"`
		ReturnedAt *time.Time `json:"returned_at"`
	}
	var own struct {
		Expected   string `json:"expected"`
		DueOn      string `json:"due_on"`
		Submission *sub   `json:"submission"`
	}
	s.getJSON(s.alice, api+"/rendu", http.StatusOK, &own)
	if own.Expected != "texte" || own.DueOn != "2026-10-05" || own.Submission != nil {
		t.Errorf("before the hand-in: %+v", own)
	}
	rec := s.handIn(s.alpha, s.alice, http.MethodPut, api+"/rendu", "Mon texte", part{"f", "x.pdf", subPDF})
	wantCode(t, rec, http.StatusUnprocessableEntity, "a file for a text")
	wantIn(t, rec, "the API refusal", `"fichiers":`)
	s.Clock.Set(time.Date(2026, time.October, 5, 23, 59, 0, 0, testenv.Paris))
	rec = s.handIn(s.alpha, s.alice, http.MethodPut, api+"/rendu", "Brouillon du soir")
	wantCode(t, rec, http.StatusOK, "PUT on the due date's last minute")
	if err := json.Unmarshal(rec.Body.Bytes(), &own); err != nil || own.Submission == nil || own.Submission.Late {
		t.Fatalf("a hand-in at 23:59 of the due date is on time: %s", rec.Body.String())
	}
	s.Clock.Set(time.Date(2026, time.October, 6, 8, 0, 0, 0, testenv.Paris))
	rec = s.handIn(s.alpha, s.alice, http.MethodPut, api+"/rendu", "Ma rédaction")
	wantCode(t, rec, http.StatusOK, "PUT the text")
	if err := json.Unmarshal(rec.Body.Bytes(), &own); err != nil || own.Submission == nil || own.Submission.Text != "Ma rédaction" || !own.Submission.Late {
		t.Fatalf("PUT answer: %s", rec.Body.String())
	}
	var list struct {
		HandedIn int `json:"handed_in"`
		Late     int `json:"late"`
		Pupils   []struct {
			Name       string `json:"name"`
			Submission *sub   `json:"submission"`
		} `json:"pupils"`
	}
	s.getJSON(s.teacher, api+"/rendus", http.StatusOK, &list)
	if list.HandedIn != 1 || list.Late != 1 || len(list.Pupils) != 2 || !strings.HasPrefix(list.Pupils[0].Name, "Bruno-") || list.Pupils[0].Submission != nil ||
		list.Pupils[1].Submission == nil {
		t.Errorf("the teacher's list: %+v", list)
	}
	ret := "/api/v1/cahier/rendus/" + own.Submission.ID.String() + "/retour"
	rec = s.sendJSON(s.teacher, http.MethodPost, ret, `{"comment": "Bien", "mark": "vingt"}`)
	wantCode(t, rec, http.StatusUnprocessableEntity, "a mark that is not one")
	wantIn(t, rec, "the API refusal", `"mark":`)
	rec = s.sendJSON(s.teacher, http.MethodPost, ret, `{"comment": "Bien", "mark": "Abs"}`)
	wantCode(t, rec, http.StatusOK, "return through the API")
	var back sub
	if err := json.Unmarshal(rec.Body.Bytes(), &back); err != nil || back.Mark != "Abs" || back.Comment != "Bien" || back.ReturnedAt == nil {
		t.Errorf("the return's answer: %s", rec.Body.String())
	}
	wantCode(t, s.sendJSON(s.paul, http.MethodPost, ret, `{"comment": "x"}`), http.StatusNotFound, "another teacher returns")
	wantCode(t, s.sendJSON(s.alice, http.MethodPost, ret, `{"comment": "x"}`), http.StatusForbidden, "the pupil returns")
}

type exportCapture struct {
	json  []byte
	files map[string][]byte
}

func (e *exportCapture) JSON(v any) (err error) { e.json, err = json.Marshal(v); return err }

func (e *exportCapture) File(name string, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	e.files["fichiers/"+name] = b
	return "fichiers/" + name, err
}

// TestExport: a pupil's export has the work of their classes, their own submission with its
// text, comment, mark and file, nothing of a classmate's; a teacher's has what they wrote.
func TestExport(t *testing.T) {
	s := newSubSite(t)
	work := s.work(s.teacher, s.class1, "MATHS", "2026-10-07", "30", "Devoir maison", url.Values{"rendu": {"fichiers_texte"}})
	s.work(s.teacher, s.class2, "MATHS", "2026-10-07", "30", "Pour la 2nde 2", nil)
	path := "/cahier/travail/" + work.String() + "/rendre"
	wantCode(t, s.handIn(s.alpha, s.alice, http.MethodPost, path, "Texte d'Alice", part{"f", "alice.pdf", subPDF}), http.StatusSeeOther, "Alice hands in")
	wantCode(t, s.handIn(s.alpha, s.bruno, http.MethodPost, path, "Texte de Bruno", part{"f", "bruno.pdf", subPDF2}), http.StatusSeeOther, "Bruno hands in")
	wantCode(t, s.Post(s.teacher, "/cahier/rendus/"+s.submissionOf(work, s.alice).String()+"/corriger", url.Values{"commentaire": {"Soigné"}, "note": {"16"}}),
		http.StatusSeeOther, "return")
	e := &exportCapture{files: map[string][]byte{}}
	if err := s.svc.Export(context.Background(), s.alpha, s.alice.PersonID, e); err != nil {
		t.Fatal(err)
	}
	got := string(e.json)
	item := s.Count(s.alpha, `SELECT count(*) FROM cahier_submissions WHERE pupil_id = ? AND item_id IS NOT NULL`, s.alice.PersonID)
	var itemID string
	s.Reg.DB().ReadTx(context.Background(), s.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT item_id::text FROM cahier_submissions WHERE pupil_id = ?`, s.alice.PersonID).Scan(&itemID).Error
	})
	if item != 1 || itemID == "" {
		t.Fatalf("Alice's submission is no portfolio item")
	}
	// The file is named with its checksum; its bytes are in the portfolio's part, once.
	for _, want := range []string{"Devoir maison", "Texte d'Alice", "Soigné", "16/20", `"files":[{"name":"alice.pdf","sha256":"`,
		`"portfolio_item":"` + itemID + `"`, `"submission_expected":"fichiers_texte"`} {
		if !strings.Contains(got, want) {
			t.Errorf("Alice's export lacks %q: %s", want, got)
		}
	}
	for _, not := range []string{"Texte de Bruno", "bruno.pdf", "Pour la 2nde 2"} {
		if strings.Contains(got, not) {
			t.Errorf("Alice's export holds %q", not)
		}
	}
	if len(e.files) != 0 {
		t.Errorf("the cahier's part of Alice's export holds %d files, which the portfolio's part has", len(e.files))
	}
	e = &exportCapture{files: map[string][]byte{}}
	s.lessonSession(s.teacher, s.monday1, "2026-10-05", "Les fonctions", "publier")
	if err := s.svc.Export(context.Background(), s.alpha, s.teacher.PersonID, e); err != nil {
		t.Fatal(err)
	}
	if got := string(e.json); !strings.Contains(got, "Les fonctions") || !strings.Contains(got, "Pour la 2nde 2") || strings.Contains(got, "Texte d'Alice") {
		t.Errorf("the teacher's export: %s", got)
	}
}

// TestDemoSubmissions: the demo's first work asks a text; two pupils handed it in, one was
// returned with a comment and a mark in the grid; seeding again adds nothing.
func TestDemoSubmissions(t *testing.T) {
	s := newSubSite(t)
	for range 2 {
		if err := s.svc.SeedDemo(t.Context(), s.alpha); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_work WHERE submission = 'texte'`); n != 1 {
		t.Errorf("%d demo works asking a submission, want 1", n)
	}
	pupils := s.Count(s.alpha, `SELECT least(count(*), 2) FROM cahier_work w JOIN class_members m ON m.class_id = w.class_id WHERE w.submission = 'texte'`)
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_submissions s JOIN portfolio_items i ON i.id = s.item_id`); n != pupils || n == 0 {
		t.Errorf("%d demo submissions in portfolios, want %d", n, pupils)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_submissions WHERE returned_at IS NOT NULL AND comment <> ''`); n != 1 {
		t.Errorf("%d demo submissions returned, want 1", n)
	}
	// The grid has the mark where the grades know the teaching (Claire's maths of 2nde 1).
	want := s.Count(s.alpha, `SELECT count(*) FROM cahier_work w WHERE w.submission = 'texte' AND w.class_id = ? AND w.subject_code = 'MATHS'`, s.class1)
	if n := s.Count(s.alpha, `SELECT count(*) FROM marks WHERE value = 15`); n != want {
		t.Errorf("%d demo marks in the grid, want %d", n, want)
	}
}
