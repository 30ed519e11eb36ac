package files_test

// The establishment's space: the quota that every module's uploads meet (here through
// news), and the direction's page.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/news"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// site is Alpha (a teacher who writes news, its direction, a pupil) and Bravo (its
// direction), news and the files layer's page mounted, on one memory bucket.
type site struct {
	*moduletest.Site
	bucket                     *blob.Bucket
	space                      *files.Space
	alpha, bravo               *tenant.Tenant
	teacher, direction, pupil  directorytest.Member
	bravoDirection, bravoStaff directorytest.Member
}

func newSite(t testing.TB) *site {
	t.Helper()
	s := &site{Site: moduletest.New(t, moduletest.Options{Templates: []fs.FS{news.Templates, files.Templates}})}
	s.alpha = s.Establishment(91, "Lycée Alpha")
	s.bravo = s.Establishment(92, "Lycée Bravo")
	s.bucket = memblob.OpenBucket(nil)
	space, err := files.NewSpace(s.Reg.DB(), s.Clock.Now, attendance.FileTable, news.FileTable, messaging.FileTable)
	if err != nil {
		t.Fatal(err)
	}
	s.space = space
	svc := news.NewService(s.Reg.DB(), s.bucket, s.Clock.Now)
	svc.SetSpace(space)
	s.Mount(news.NewHandler(svc).Module())
	s.Mount(files.NewHandler(space).Module())
	s.teacher = s.Member(s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.direction = s.Member(s.alpha, identity.RoleDirection, "Marc", "Proviseur")
	s.pupil = s.Member(s.alpha, identity.RoleEleve, "Alice", "Martin")
	s.bravoDirection = s.Member(s.bravo, identity.RoleDirection, "Jean", "Bravo")
	s.bravoStaff = s.Member(s.bravo, identity.RoleEnseignant, "Paul", "Bravo")
	return s
}

// draft is a draft post of m's in tn, by SQL (news' own tests cover its forms).
func (s *site) draft(tn *tenant.Tenant, m directorytest.Member) uuid.UUID {
	id := uuid.New()
	now := s.Clock.Now()
	s.Exec(tn, `INSERT INTO news_posts (id, author_id, title, body, body_html, audience, state, created_at, updated_at)
		VALUES (?, ?, 'Sortie au musée', 'Voici.', '<p>Voici.</p>', 'etablissement', 'brouillon', ?, ?)`, id, m.PersonID, now, now)
	return id
}

// file records a file row of size bytes on post, without a blob (the space counts rows).
func (s *site) file(tn *tenant.Tenant, post uuid.UUID, name string, size int64) {
	s.Exec(tn, `INSERT INTO news_files (post_id, blob_key, name, content_type, size, sha256, created_at)
		VALUES (?, ?, ?, 'application/pdf', ?, ?, ?)`, post, "news/"+uuid.NewString(), name, size, strings.Repeat("0", 64), s.Clock.Now())
}

// message records a sent message of m's with one attachment of size bytes.
func (s *site) message(tn *tenant.Tenant, m directorytest.Member, name string, size int64) {
	conv, msg, now := uuid.New(), uuid.New(), s.Clock.Now()
	s.Exec(tn, `INSERT INTO conversations (id, subject, created_at) VALUES (?, 'Certificat', ?)`, conv, now)
	s.Exec(tn, `INSERT INTO messages (id, conversation_id, sender_id, body, format, body_html, sent_at) VALUES (?, ?, ?, 'x', 'texte', '<p>x</p>', ?)`, msg, conv, m.PersonID, now)
	s.Exec(tn, `INSERT INTO message_files (message_id, blob_key, name, content_type, size, sha256, created_at)
		VALUES (?, ?, ?, 'image/jpeg', ?, ?, ?)`, msg, "messages/"+uuid.NewString(), name, size, strings.Repeat("0", 64), now)
}

func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload sends a file to a post's attachment form (or API path) as m.
func (s *site) upload(tn *tenant.Tenant, m directorytest.Member, path, name string, data []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("alt", "La classe devant le musée")
	fw, _ := w.CreateFormFile("piece", name)
	fw.Write(data)
	w.Close()
	return s.Do(tn, m, http.MethodPost, path, w.FormDataContentType(), &body)
}

func (s *site) blobs(t *testing.T) int {
	n := 0
	it := s.bucket.List(nil)
	for {
		_, err := it.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
}

// TestQuotaRefusesUpload: an upload that would take the establishment past its quota is
// refused in French by the files layer, on news' form and API, with nothing stored; the
// other establishment, under its own quota, is not concerned; a larger quota lets it in.
func TestQuotaRefusesUpload(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	img := pngBytes(t)
	post := s.draft(s.alpha, s.teacher)
	if err := s.space.SetQuota(ctx, s.alpha, files.MinQuota, "user:admin-region"); err != nil {
		t.Fatal(err)
	}
	s.file(s.alpha, post, "archives.pdf", files.MinQuota-int64(len(img))+1) // one byte short of room
	wantFiles := s.Count(s.alpha, `SELECT count(*) FROM news_files`)

	rec := s.upload(s.alpha, s.teacher, "/actualites/"+post.String()+"/pieces", "photo.png", img)
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "form past the quota")
	moduletest.WantIn(t, rec, "form past the quota", "l&#39;espace de stockage de l&#39;établissement est plein", "il reste", "Supprimez des pièces jointes", "Espace de stockage")
	rec = s.upload(s.alpha, s.teacher, "/api/v1/actualites/"+post.String()+"/pieces", "photo.png", img)
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "API past the quota")
	moduletest.WantIn(t, rec, "API past the quota", "espace de stockage de l'établissement est plein", `"piece"`)
	if n := s.Count(s.alpha, `SELECT count(*) FROM news_files`); n != wantFiles || s.blobs(t) != 0 {
		t.Fatalf("refused uploads left %d rows (want %d) and %d blobs", n, wantFiles, s.blobs(t))
	}

	// The same upload in Bravo (its own space, the default quota) goes through.
	bravoPost := s.draft(s.bravo, s.bravoStaff)
	moduletest.WantCode(t, s.upload(s.bravo, s.bravoStaff, "/actualites/"+bravoPost.String()+"/pieces", "photo.png", img), http.StatusSeeOther, "Bravo's upload")

	// The service refuses with the field named, whatever module asks.
	err := s.space.Admit(ctx, s.alpha, []files.Checked{{Size: int64(len(img)), Field: "document"}})
	var inv *fault.Invalid
	if !errors.As(err, &inv) || inv.Field != "document" {
		t.Fatalf("Admit past the quota: %v", err)
	}

	// Back to the default quota (20 Go): it fits.
	if err := s.space.SetQuota(ctx, s.alpha, 0, "user:admin-region"); err != nil {
		t.Fatal(err)
	}
	moduletest.WantCode(t, s.upload(s.alpha, s.teacher, "/actualites/"+post.String()+"/pieces", "photo.png", img), http.StatusSeeOther, "under the default quota")
	if n := s.Count(s.alpha, `SELECT count(*) FROM audit_log WHERE action = 'files.quota'`); n != 2 {
		t.Errorf("%d quota changes in the audit log, want 2", n)
	}
	if err := s.space.SetQuota(ctx, s.alpha, 5, "x"); !errors.As(err, &inv) || inv.Field != "quota" {
		t.Errorf("a 5-byte quota: %v", err)
	}
}

// TestSpacePage: the direction sees the space by module and type, the largest files with
// their author (not a message's name nor its sender), and the warning at 80 %; nobody
// else in the establishment may, and another establishment's direction sees its own space
// only.
func TestSpacePage(t *testing.T) {
	s := newSite(t)
	post := s.draft(s.alpha, s.teacher)
	s.file(s.alpha, post, "programme-du-voyage.pdf", 300<<20)
	s.message(s.alpha, s.pupil, "certificat-medical-alice.jpg", 500<<20)
	if err := s.space.SetQuota(t.Context(), s.alpha, files.MinQuota, "user:admin-region"); err != nil {
		t.Fatal(err)
	}

	rec := s.Get(s.direction, "/stockage")
	moduletest.WantCode(t, rec, http.StatusOK, "direction")
	moduletest.WantIn(t, rec, "direction", "<h1>Espace de stockage</h1>", "800 Mo utilisés sur 1 Go (78 %)", "Quota fixé par la Région",
		"Actualités", "Messagerie", "PDF", "Image JPEG", "programme-du-voyage.pdf", "Lefèvre", "pièce jointe d&#39;un message", "non montré")
	moduletest.WantNotIn(t, rec, "direction", "certificat-medical", "Alice", "Attention :")

	s.file(s.alpha, post, "photos.pdf", 50<<20) // 850 Mo: 83 %
	rec = s.Get(s.direction, "/stockage")
	moduletest.WantIn(t, rec, "past 80 %", "Attention :", "occupé à 83 %")

	rec = s.Do(s.alpha, s.direction, http.MethodGet, "/api/v1/stockage", "", nil)
	moduletest.WantCode(t, rec, http.StatusOK, "API")
	var got struct {
		Used, Quota int64
		Percent     int
		Warn        bool
		Largest     []files.Large
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Used != 850<<20 || got.Quota != files.MinQuota || got.Percent != 83 || !got.Warn || len(got.Largest) != 3 ||
		got.Largest[0].Name != "pièce jointe d'un message" || got.Largest[0].Owner != "" || !got.Largest[0].Private || !strings.HasSuffix(got.Largest[1].Owner, " Lefèvre") {
		t.Errorf("API: %+v", got)
	}

	for _, m := range []directorytest.Member{s.teacher, s.pupil} {
		moduletest.WantCode(t, s.Get(m, "/stockage"), http.StatusForbidden, "not the direction: page")
		moduletest.WantCode(t, s.Do(s.alpha, m, http.MethodGet, "/api/v1/stockage", "", nil), http.StatusForbidden, "not the direction: API")
	}
	// Bravo's direction on Alpha's host has no membership there; on its own, its own space.
	if rec := s.Do(s.alpha, s.bravoDirection, http.MethodGet, "/stockage", "", nil); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Errorf("Bravo's direction on Alpha: %d", rec.Code)
	}
	rec = s.Do(s.bravo, s.bravoDirection, http.MethodGet, "/stockage", "", nil)
	moduletest.WantCode(t, rec, http.StatusOK, "Bravo's own")
	moduletest.WantIn(t, rec, "Bravo's own", "0 Ko utilisés sur 20 Go (0 %)", "Quota par défaut", "Aucun fichier pour l'instant.")
	moduletest.WantNotIn(t, rec, "Bravo's own", "programme-du-voyage", "Claire")

	// The counts follow the rows: deleting the post (its files go with it) frees their space.
	s.Exec(s.alpha, `DELETE FROM news_posts WHERE id = ?`, post)
	u, err := s.space.Usage(t.Context(), s.alpha)
	direct := s.Count(s.alpha, `SELECT (SELECT coalesce(sum(size), 0) FROM news_files) + (SELECT coalesce(sum(size), 0) FROM message_files) + (SELECT coalesce(sum(size), 0) FROM attendance_files)`)
	if err != nil || u.Used != 500<<20 || u.Used != int64(direct) {
		t.Errorf("after the post's deletion: %+v, %v; the rows add up to %d", u, err, direct)
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{0: "0 Ko", 1000: "1 Ko", 12<<20 + 512<<10: "12,5 Mo", 20 << 30: "20 Go", 19_300_000_000: "18 Go", 3 << 40: "3 To"} {
		if got := files.SizeText(n); got != want {
			t.Errorf("SizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
