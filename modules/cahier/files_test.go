package cahier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/cahier"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
)

// upload sends a file to an attachment form as m.
func (s *site) upload(m directorytest.Member, path, name string, data []byte) *httptest.ResponseRecorder {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("piece", name)
	fw.Write(data)
	w.Close()
	return s.Do(s.alpha, m, http.MethodPost, path, w.FormDataContentType(), &body)
}

var fileLink = regexp.MustCompile(`/cahier/pieces/([0-9a-f-]{36})"`)

// TestAttachments: a teacher attaches a PDF to a séance; the class's readers download it
// with its stored type, others get nothing; a file of another type, or named for another
// type, is refused with the reason next to the field.
func TestAttachments(t *testing.T) {
	s := newSite(t)
	id := s.lessonSession(s.teacher, s.monday1, "2026-10-05", "Fiche d'exercices", "publier")
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	wantCode(t, s.upload(s.teacher, "/cahier/seances/"+id.String()+"/pieces", "fiche.pdf", pdf), http.StatusSeeOther, "attach a PDF")
	space := func() int {
		return s.Count(s.alpha, `SELECT coalesce(sum(bytes), 0) FROM file_space WHERE table_name = 'cahier_files'`)
	}
	if n := space(); n != len(pdf) {
		t.Errorf("the establishment's file space counts %d bytes of the cahier, want %d", n, len(pdf))
	}
	rec := s.upload(s.teacher, "/cahier/seances/"+id.String()+"/pieces", "programme.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"))
	wantCode(t, rec, http.StatusUnprocessableEntity, "a program")
	wantIn(t, rec, "the refusal", `href="#piece"`, "programme.exe")
	wantCode(t, s.upload(s.paul, "/cahier/seances/"+id.String()+"/pieces", "fiche.pdf", pdf), http.StatusNotFound, "another teacher attaches")
	rec = s.Get(s.alice, "/cahier/seances/"+id.String())
	found := fileLink.FindStringSubmatch(rec.Body.String())
	if found == nil {
		t.Fatalf("no attachment on the séance's page: %s", rec.Body.String())
	}
	file := "/cahier/pieces/" + found[1]
	rec = s.Get(s.alice, file)
	wantCode(t, rec, http.StatusOK, "Alice downloads")
	if rec.Header().Get("Content-Type") != "application/pdf" || !bytes.Equal(rec.Body.Bytes(), pdf) ||
		rec.Header().Get("Content-Disposition") != `attachment; filename=fiche.pdf` {
		t.Errorf("download: %v", rec.Header())
	}
	wantCode(t, s.Get(s.zoe, file), http.StatusNotFound, "a pupil of another class")
	wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, file, nil), http.StatusNotFound, "another establishment")
	wantCode(t, s.Post(s.paul, file+"/supprimer", nil), http.StatusNotFound, "another teacher removes")
	wantCode(t, s.Post(s.teacher, file+"/supprimer", nil), http.StatusSeeOther, "its teacher removes")
	wantCode(t, s.Get(s.alice, file), http.StatusNotFound, "a removed file")
	if n := space(); n != 0 {
		t.Errorf("after the removal the file space counts %d bytes of the cahier", n)
	}

	// A séance deleted takes its file rows; the hourly sweep removes their blobs.
	wantCode(t, s.upload(s.teacher, "/cahier/seances/"+id.String()+"/pieces", "fiche.pdf", pdf), http.StatusSeeOther, "attach again")
	wantCode(t, s.Do(s.alpha, s.teacher, http.MethodDelete, "/api/v1/cahier/seances/"+id.String(), "", nil), http.StatusNoContent, "delete the séance")
	s.Clock.Set(time.Now().Add(files.OrphanAge + time.Minute)) // clock-ok: the blobs are dated by the wall clock
	if n, err := s.svc.SweepFiles(context.Background(), s.alpha); err != nil || n != 1 {
		t.Errorf("swept %d blobs (%v), want the deleted séance's", n, err)
	}
}

// uploadAPI sends a file to an API attachment route (field fichier) as m in tn.
func (s *site) uploadAPI(tn *tenant.Tenant, m directorytest.Member, path, name string, data []byte) *httptest.ResponseRecorder {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("fichier", name)
	fw.Write(data)
	w.Close()
	return s.Do(tn, m, http.MethodPost, path, w.FormDataContentType(), &body)
}

type apiFile struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	URL         string    `json:"url"`
}

// TestAttachmentsAPI: a teacher attaches files to their séance and their work through the
// JSON API; the séance's and the work's JSON list them with their download address, which
// the class's readers follow; a refused file (its type, the establishment's full space) is
// a 422 naming the field fichier; another teacher, a pupil and another establishment
// neither attach nor remove; its teacher removes it.
func TestAttachmentsAPI(t *testing.T) {
	s := newSite(t)
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	se := s.lessonSession(s.teacher, s.monday1, "2026-10-05", "Fiche d'exercices", "publier")
	sePath := "/api/v1/cahier/seances/" + se.String() + "/fichiers"

	rec := s.uploadAPI(s.alpha, s.teacher, sePath, "fiche.pdf", pdf)
	wantCode(t, rec, http.StatusCreated, "attach to the séance")
	var f apiFile
	if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil || f.Name != "fiche.pdf" || f.ContentType != "application/pdf" ||
		f.Size != int64(len(pdf)) || f.URL != "/cahier/pieces/"+f.ID.String() {
		t.Fatalf("the attached file: %s", rec.Body.String())
	}
	var shown struct {
		Files []apiFile `json:"files"`
	}
	s.getJSON(s.alice, "/api/v1/cahier/seances/"+se.String(), http.StatusOK, &shown)
	if len(shown.Files) != 1 || shown.Files[0] != f {
		t.Errorf("the séance's files to a pupil: %+v", shown.Files)
	}
	rec = s.Get(s.alice, f.URL)
	wantCode(t, rec, http.StatusOK, "the pupil downloads")
	if !bytes.Equal(rec.Body.Bytes(), pdf) {
		t.Errorf("downloaded %d bytes", rec.Body.Len())
	}

	rec = s.uploadAPI(s.alpha, s.teacher, sePath, "programme.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"))
	wantCode(t, rec, http.StatusUnprocessableEntity, "a program")
	wantIn(t, rec, "the refusal", `"fields":{"fichier":"la pièce jointe « programme.exe » n'est pas d'un type accepté`)
	rec = s.Do(s.alpha, s.teacher, http.MethodPost, sePath, "multipart/form-data; boundary=x", strings.NewReader("--x--\r\n"))
	wantCode(t, rec, http.StatusUnprocessableEntity, "no file")
	wantIn(t, rec, "no file", `"fichier"`)
	wantCode(t, s.uploadAPI(s.alpha, s.paul, sePath, "fiche.pdf", pdf), http.StatusNotFound, "another teacher attaches")
	wantCode(t, s.uploadAPI(s.alpha, s.alice, sePath, "fiche.pdf", pdf), http.StatusForbidden, "a pupil attaches")
	wantCode(t, s.uploadAPI(s.bravo, s.bravoDirection, sePath, "fiche.pdf", pdf), http.StatusForbidden, "another establishment's direction attaches")

	w := s.work(s.teacher, s.class1, "MATHS", "2026-10-08", "30", "Exercices 1 à 3", nil)
	wPath := "/api/v1/cahier/travail/" + w.String() + "/fichiers"
	rec = s.uploadAPI(s.alpha, s.teacher, wPath, "corrigé.pdf", pdf)
	wantCode(t, rec, http.StatusCreated, "attach to the work")
	var wf apiFile
	json.Unmarshal(rec.Body.Bytes(), &wf)
	var work struct {
		Files []apiFile `json:"files"`
	}
	s.getJSON(s.bruno, "/api/v1/cahier/travail/"+w.String(), http.StatusOK, &work)
	if len(work.Files) != 1 || work.Files[0].ID != wf.ID || work.Files[0].URL != wf.URL {
		t.Errorf("the work's files: %+v", work.Files)
	}
	wantCode(t, s.Get(s.zoe, wf.URL), http.StatusNotFound, "a pupil of another class downloads")
	wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, wf.URL, nil), http.StatusNotFound, "another establishment downloads")

	// The establishment's space full: refused on the field, nothing stored.
	space, err := files.NewSpace(s.Reg.DB(), s.Clock.Now, cahier.FileTable)
	if err != nil {
		t.Fatal(err)
	}
	s.svc.SetSpace(space)
	if err := space.SetQuota(context.Background(), s.alpha, files.MinQuota, "user:admin-region"); err != nil {
		t.Fatal(err)
	}
	s.Exec(s.alpha, `INSERT INTO file_space (table_name, content_type, files, bytes) VALUES ('news_files', 'application/pdf', 1, ?)`, files.MinQuota)
	rec = s.uploadAPI(s.alpha, s.teacher, wPath, "encore.pdf", pdf)
	wantCode(t, rec, http.StatusUnprocessableEntity, "over the quota")
	wantIn(t, rec, "over the quota", `"fichier":"l'espace de stockage de l'établissement est plein`)
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_files`); n != 2 {
		t.Errorf("%d files recorded, want the two accepted", n)
	}

	del := "/api/v1/cahier/fichiers/" + f.ID.String()
	wantCode(t, s.Do(s.alpha, s.paul, http.MethodDelete, del, "", nil), http.StatusNotFound, "another teacher removes")
	wantCode(t, s.Do(s.bravo, s.bravoDirection, http.MethodDelete, del, "", nil), http.StatusForbidden, "another establishment removes")
	wantCode(t, s.Do(s.alpha, s.teacher, http.MethodDelete, del, "", nil), http.StatusNoContent, "its teacher removes")
	wantCode(t, s.Get(s.alice, f.URL), http.StatusNotFound, "a removed file")
	s.getJSON(s.alice, "/api/v1/cahier/seances/"+se.String(), http.StatusOK, &shown)
	if len(shown.Files) != 0 {
		t.Errorf("after the removal: %+v", shown.Files)
	}
}
