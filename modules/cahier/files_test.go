package cahier_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/files"
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
