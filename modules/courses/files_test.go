package courses_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
)

// pdf is a small PDF as mimetype knows it.
func pdf(n int) []byte { return append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), n)...) }

// space is what Alpha's file space counts for courses: files and bytes.
func (s *site) counted(t *testing.T) (nfiles, nbytes int) {
	t.Helper()
	return s.Count(s.alpha, `SELECT coalesce(sum(files), 0) FROM file_space WHERE table_name = 'course_files'`),
		s.Count(s.alpha, `SELECT coalesce(sum(bytes), 0) FROM file_space WHERE table_name = 'course_files'`)
}

// courseBlobs counts Alpha's course blobs in the store.
func (s *site) courseBlobs(t *testing.T) int {
	n := 0
	for _, k := range s.blobs(t) {
		if strings.HasPrefix(k, tenant.BlobPrefix(s.alpha)+"courses/") {
			n++
		}
	}
	return n
}

// TestFilesInSpace: a course's files count in the establishment's space, each blob once
// however many blocks name it (a copy's); the last block naming one frees it (row, count
// and blob); the direction's « Espace de stockage » shows « Cours »; an upload past the
// quota is refused next to the file field, on the form and through the API, with nothing
// stored.
func TestFilesInSpace(t *testing.T) {
	s := newSite(t)
	course, pageA, _ := s.course("Optique", s.class1)
	doc := pdf(5000)
	wantCode(t, s.upload(s.teacher, pageA, "lentilles.pdf", doc, ""), http.StatusSeeOther, "document")
	if n, b := s.counted(t); n != 1 || b != len(doc) {
		t.Fatalf("after the upload the space counts %d files, %d bytes; want 1, %d", n, b, len(doc))
	}

	rec := s.Post(s.teacher, "/cours/"+course.String()+"/copier", url.Values{"annee": {s.Year()}, "classes": {s.class2.String()}})
	wantCode(t, rec, http.StatusSeeOther, "copy")
	copied := s.planned(rec.Header().Get("Location"))
	if n, b := s.counted(t); n != 1 || b != len(doc) {
		t.Fatalf("after the copy the space counts %d files, %d bytes; want still 1, %d", n, b, len(doc))
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM course_blocks WHERE kind = 'fichier'`); n != 2 {
		t.Fatalf("%d document blocks, want 2 (the original's and the copy's)", n)
	}

	page := s.Get(s.direction, "/stockage")
	wantCode(t, page, http.StatusOK, "the direction's space")
	wantIn(t, page, "the direction's space", `<th scope="row">Cours</th><td>1</td>`, `<th scope="row">lentilles.pdf</th><td>Cours</td><td>Claire-`, "Lefèvre")

	original := s.one(`SELECT id FROM course_blocks WHERE page_id = ? AND kind = 'fichier'`, pageA)
	wantCode(t, s.Post(s.teacher, "/cours/blocs/"+original.String()+"/supprimer", nil), http.StatusSeeOther, "delete the original's block")
	if n, _ := s.counted(t); n != 1 || s.courseBlobs(t) != 1 {
		t.Fatalf("the copy still names the file: the space counts %d, %d blobs; want 1, 1", n, s.courseBlobs(t))
	}
	inCopy := s.one(`SELECT b.id FROM course_blocks b JOIN course_pages p ON p.id = b.page_id JOIN course_sections se ON se.id = p.section_id
		WHERE se.course_id = ? AND b.kind = 'fichier'`, copied)
	wantCode(t, s.Get(s.teacher, "/cours/fichiers/"+inCopy.String()), http.StatusOK, "the copy's document")
	wantCode(t, s.Post(s.teacher, "/cours/blocs/"+inCopy.String()+"/supprimer", nil), http.StatusSeeOther, "delete the last block naming it")
	if n, b := s.counted(t); n != 0 || b != 0 || s.courseBlobs(t) != 0 || s.Count(s.alpha, `SELECT count(*) FROM course_files`) != 0 {
		t.Fatalf("after the last block: the space counts %d files, %d bytes, %d blobs; want nothing", n, b, s.courseBlobs(t))
	}

	t.Run("a whole course's deletion frees its files", func(t *testing.T) {
		wantCode(t, s.upload(s.teacher, pageA, "prisme.pdf", doc, ""), http.StatusSeeOther, "document")
		wantCode(t, s.Post(s.teacher, "/cours/"+course.String()+"/supprimer", nil), http.StatusSeeOther, "delete the course")
		if n, _ := s.counted(t); n != 0 || s.courseBlobs(t) != 0 {
			t.Fatalf("after the course's deletion: %d files counted, %d blobs", n, s.courseBlobs(t))
		}
	})

	t.Run("past the quota, refused next to the file field", func(t *testing.T) {
		_, page, _ := s.course("Quota", s.class1)
		if err := s.space.SetQuota(t.Context(), s.alpha, files.MinQuota, "user:admin-region"); err != nil {
			t.Fatal(err)
		}
		// An old file that leaves one byte too few for the new one.
		s.Exec(s.alpha, `INSERT INTO course_files (blob_key, name, content_type, size, sha256, created_at) VALUES ('courses/archive', 'archive.pdf', 'application/pdf', ?, repeat('0', 64), ?)`,
			files.MinQuota-int64(len(doc))+1, s.Clock.Now())
		rows := s.Count(s.alpha, `SELECT count(*) FROM course_files`)
		rec := s.upload(s.teacher, page, "lentilles.pdf", doc, "")
		wantCode(t, rec, http.StatusUnprocessableEntity, "form past the quota")
		wantIn(t, rec, "form past the quota", `<p class="field-error" id="err-fichier">l&#39;espace de stockage de l&#39;établissement est plein`, "il reste", "Espace de stockage", `aria-invalid="true"`)

		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		fw, _ := w.CreateFormFile("fichier", "lentilles.pdf")
		fw.Write(doc)
		w.Close()
		api := s.Do(s.alpha, s.teacher, http.MethodPost, "/api/v1/cours/pages/"+page.String()+"/fichiers", w.FormDataContentType(), &body)
		wantCode(t, api, http.StatusUnprocessableEntity, "API past the quota")
		wantIn(t, api, "API past the quota", "espace de stockage de l'établissement est plein", `"file"`)
		if n := s.Count(s.alpha, `SELECT count(*) FROM course_files`); n != rows || s.courseBlobs(t) != 0 || s.Count(s.alpha, `SELECT count(*) FROM course_blocks WHERE blob_key IS NOT NULL`) != 0 {
			t.Fatalf("refused uploads left %d file rows (want %d), %d blobs", n, rows, s.courseBlobs(t))
		}
		if !strings.Contains(s.Get(s.direction, "/stockage").Body.String(), "archive.pdf") {
			t.Error("the space page does not list the largest course file")
		}
	})
}
