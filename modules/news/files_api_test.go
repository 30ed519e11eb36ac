package news_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob/fileblob"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/news"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
)

// apiUpload posts a file (and its description) to the attachment API on tn's host as m,
// checked against the OpenAPI document.
func (s *site) apiUpload(tn *tenant.Tenant, m directorytest.Member, path, name string, data []byte, alt string) *httptest.ResponseRecorder {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("alt", alt)
	fw, _ := w.CreateFormFile("piece", name)
	fw.Write(data)
	w.Close()
	return s.Do(tn, m, http.MethodPost, path, w.FormDataContentType(), &body)
}

// TestAttachmentsAPI: a post's files through the JSON API: the same checks as the form
// (forged and oversized refused in French), download by the audience only, removal by
// whoever may edit the post; another establishment sees nothing.
func TestAttachmentsAPI(t *testing.T) {
	s := newSite(t)
	id := s.write(s.teacher, "/actualites/nouvelle", postForm("Programme du voyage", "Voici.", "classe", s.class1.String(), "brouillon"))
	attach := "/api/v1/actualites/" + id.String() + "/pieces"
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")

	rec := s.apiUpload(s.alpha, s.teacher, attach, "programme.pdf", []byte("<html><script>alert(1)</script></html>"), "")
	wantCode(t, rec, http.StatusUnprocessableEntity, "forged")
	wantIn(t, rec, "forged", "n'est ni un PDF, ni une image JPEG ou PNG")
	rec = s.apiUpload(s.alpha, s.teacher, attach, "grand.pdf", append(append([]byte{}, pdf...), make([]byte, news.MaxFileBytes+128<<10)...), "")
	wantCode(t, rec, http.StatusRequestEntityTooLarge, "oversized body")
	wantIn(t, rec, "oversized body", "trop volumineu")
	wantCode(t, s.apiUpload(s.alpha, s.alice, attach, "programme.pdf", pdf, ""), http.StatusForbidden, "a pupil")
	wantCode(t, s.apiUpload(s.alpha, s.cpe, attach, "programme.pdf", pdf, ""), http.StatusNotFound, "another contributor")
	if keys := s.blobKeys(t); len(keys) != 0 {
		t.Fatalf("refused uploads left %v", keys)
	}

	rec = s.apiUpload(s.alpha, s.teacher, attach, "programme.pdf", pdf, "")
	wantCode(t, rec, http.StatusCreated, "attach")
	f := decode[struct{ ID, Name, Href string }](t, rec)
	if f.Name != "programme.pdf" || f.Href != "/actualites/pieces/"+f.ID {
		t.Fatalf("attached %+v", f)
	}
	wantCode(t, s.Post(s.teacher, "/actualites/"+id.String()+"/modifier", postForm("Programme du voyage", "Voici.", "classe", s.class1.String(), "soumettre")), http.StatusSeeOther, "submit")
	wantCode(t, s.Post(s.direction, "/actualites/"+id.String()+"/publier", url.Values{}), http.StatusSeeOther, "publish")

	download := "/api/v1/actualites/pieces/" + f.ID
	rec = s.api(s.alpha, s.guardian, http.MethodGet, download, "")
	wantCode(t, rec, http.StatusOK, "download")
	if h := rec.Header(); h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || !bytes.Equal(rec.Body.Bytes(), pdf) {
		t.Errorf("download: %v", h)
	}
	wantCode(t, s.api(s.alpha, s.guardianZoe, http.MethodGet, download, ""), http.StatusNotFound, "outside the audience")
	wantCode(t, s.api(s.bravo, s.bravoDirection, http.MethodGet, download, ""), http.StatusNotFound, "on another establishment")
	wantCode(t, s.api(s.alpha, s.teacher, http.MethodDelete, download, ""), http.StatusForbidden, "the author once published")
	wantCode(t, s.api(s.bravo, s.bravoDirection, http.MethodDelete, download, ""), http.StatusNotFound, "another establishment deletes")
	wantCode(t, s.api(s.alpha, s.direction, http.MethodDelete, download, ""), http.StatusNoContent, "the direction deletes")
	if n := s.Count(s.alpha, `SELECT count(*) FROM news_files`); n != 0 || len(s.blobKeys(t)) != 0 {
		t.Fatalf("%d rows, blobs %v after the deletion", n, s.blobKeys(t))
	}
	wantCode(t, s.api(s.alpha, s.guardian, http.MethodGet, download, ""), http.StatusNotFound, "deleted")
}

// TestSweepPostFiles: the hourly sweep removes the posts' blobs no row knows once older than
// an hour, keeps the rows' and the young ones, and everything of a purged establishment.
func TestSweepPostFiles(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	bucket, err := fileblob.OpenBucket(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	svc := news.NewService(s.Reg.DB(), bucket, s.clock.Now)
	id := s.write(s.teacher, "/actualites/nouvelle", postForm("Affiche", "Voici.", "classe", s.class1.String(), "brouillon"))
	kept := "news/" + strings.Repeat("a", 32)
	s.Exec(s.alpha, `INSERT INTO news_files (post_id, blob_key, name, content_type, size, sha256, created_at) VALUES (?, ?, 'affiche.pdf', 'application/pdf', 8, repeat('0', 64), now())`, id, kept)
	now := testenv.SchoolDay
	old, fresh := now.Add(-2*time.Hour), now.Add(-10*time.Minute)
	blobs := map[string]time.Time{
		tenant.BlobPrefix(s.alpha) + kept:                                    old,
		tenant.BlobPrefix(s.alpha) + "news/" + strings.Repeat("0", 32):       old,   // an orphan
		tenant.BlobPrefix(s.alpha) + "news/" + strings.Repeat("1", 32):       fresh, // being sent
		tenant.BlobPrefix(s.alpha) + "attendance/" + strings.Repeat("2", 32): old,   // another module's
		tenant.BlobPrefix(s.bravo) + "news/" + strings.Repeat("3", 32):       old,   // a purged establishment's
	}
	for k, at := range blobs {
		if err := bucket.WriteAll(context.Background(), k, []byte("%PDF-1.4"), nil); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(filepath.Join(dir, filepath.FromSlash(k)), at, at)
	}
	sweeper := news.NewSweeper(svc, fixedTenants{live: []tenant.Tenant{*s.alpha}, purged: []tenant.Tenant{*s.bravo}})
	if n, err := sweeper.SweepAll(context.Background()); err != nil || n != 2 {
		t.Fatalf("sweep: %d, %v; want the orphan and the purged establishment's blob", n, err)
	}
	for k := range blobs {
		ok, _ := bucket.Exists(context.Background(), k)
		gone := strings.Contains(k, strings.Repeat("0", 32)) || strings.Contains(k, strings.Repeat("3", 32))
		if ok == gone {
			t.Errorf("%s: exists %v", k, ok)
		}
	}
	if sweeper.JobLabels()["sweep_news_files"] == "" {
		t.Error("the job has no label")
	}
}

// fixedTenants are the establishments the sweep walks, live and purged.
type fixedTenants struct{ live, purged []tenant.Tenant }

func (f fixedTenants) Live(context.Context) ([]tenant.Tenant, error)   { return f.live, nil }
func (f fixedTenants) Purged(context.Context) ([]tenant.Tenant, error) { return f.purged, nil }
