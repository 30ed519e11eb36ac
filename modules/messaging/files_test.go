package messaging_test

// Attachments of messages: checked by content, stored with the send (blob first, row in
// the send's transaction, blob removed when it fails), downloaded only by a holder of a
// copy, counted in the sender's quota with a warning at 80 %, removed with the message's
// last copy or by the sweep, carried by the establishment's export.

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

var (
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"), make([]byte, 32)...)
	htmlBytes = []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	exeBytes  = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 64)...)
	txtBytes  = []byte("Liste des fournitures :\n- une calculatrice\n- un compas\n")
)

// docxBytes is a minimal Word document (a ZIP whose parts say so).
func docxBytes(t testing.TB) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml"} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, `<?xml version="1.0"?><x/>`)
	}
	z.Close()
	return b.Bytes()
}

// filesEnv is env with a blob store.
type filesEnv struct {
	*env
	bucket *blob.Bucket
	dir    string // the bucket's folder
}

func newFilesEnv(t testing.TB) *filesEnv {
	t.Helper()
	dir := t.TempDir()
	bucket, err := fileblob.OpenBucket(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })
	reg := tenanttest.NewRegistry(t, tenant.Options{Blobs: bucket}, tenant.PoolOptions{MaxOpenConns: 8})
	e := &env{reg: reg, clock: testenv.NewClock(testenv.SchoolDay)}
	e.svc = messaging.NewService(reg.DB(), e.clock.Now, nil)
	e.svc.SetBucket(bucket)
	e.a = tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	e.b = tenanttest.Provision(t, reg, tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	return &filesEnv{env: e, bucket: bucket, dir: dir}
}

// age sets the modification time of a blob (its bucket key).
func (e *filesEnv) age(t testing.TB, key string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(filepath.Join(e.dir, filepath.FromSlash(key)), at, at); err != nil {
		t.Fatal(err)
	}
}

func (e *filesEnv) blobs(t testing.TB) []string {
	t.Helper()
	var out []string
	it := e.bucket.List(&blob.ListOptions{})
	for {
		obj, err := it.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, obj.Key)
	}
}

func (e *filesEnv) count(t testing.TB, tn *tenant.Tenant, q string, args ...any) int {
	t.Helper()
	var n int
	e.tx(t, tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&n).Error })
	return n
}

func withFiles(d messaging.Draft, fs ...files.Upload) messaging.Draft {
	d.Files = fs
	return d
}

func TestMessageAttachments(t *testing.T) {
	e := newFilesEnv(t)
	s := e.school(t, e.a)
	o := e.school(t, e.b)
	ctx := context.Background()

	t.Run("forged, empty and oversized files are refused, nothing stored", func(t *testing.T) {
		big := append(append([]byte{}, pdfBytes...), make([]byte, messaging.MaxFileBytes)...)
		nine := append(append([]byte{}, pdfBytes...), make([]byte, 9<<20)...)
		for _, c := range []struct {
			files []files.Upload
			want  string
		}{
			{[]files.Upload{{Name: "bulletin.pdf", Data: htmlBytes}}, "la pièce jointe « bulletin.pdf » n'est pas d'un type accepté (un PDF, une image JPEG, une image PNG, du texte"},
			{[]files.Upload{{Name: "photo.png", Data: exeBytes}}, "son contenu est un programme Windows"},
			{[]files.Upload{{Name: "photo.pdf", Data: pngBytes}}, "le nom du fichier « photo.pdf » ne correspond pas à son contenu, qui est une image PNG : renommez-le en .png"},
			{[]files.Upload{{Name: "vide.pdf", Data: nil}}, "la pièce jointe « vide.pdf » est vide"},
			{[]files.Upload{{Name: "scan.pdf", Data: big}}, "la pièce jointe « scan.pdf » dépasse 10 Mo"},
			{[]files.Upload{{Name: "a.pdf", Data: nine}, {Name: "b.pdf", Data: nine}, {Name: "c.pdf", Data: nine}}, "les pièces jointes font ensemble 27 Mo, plus que les 20 Mo permis par message"},
		} {
			_, err := e.svc.Send(ctx, e.a, s.g1, withFiles(draft("Pièce", "Voici", s.tA), c.files...))
			wantField(t, err, "pieces", c.want)
		}
		if b := e.blobs(t); len(b) != 0 || e.count(t, e.a, `SELECT count(*) FROM messages`) != 0 {
			t.Fatalf("refused files left blobs %v, %d messages", b, e.count(t, e.a, `SELECT count(*) FROM messages`))
		}
	})
	t.Run("a failed send leaves no blob", func(t *testing.T) {
		// The rules refuse the recipient inside the send's transaction, after the blob's write.
		_, err := e.svc.Send(ctx, e.a, s.g1, withFiles(draft("Pièce", "Voici", s.tB), files.Upload{Name: "certificat.pdf", Data: pdfBytes}))
		wantField(t, err, "destinataires", "ne vous permettent pas")
		if b := e.blobs(t); len(b) != 0 || e.count(t, e.a, `SELECT count(*) FROM message_files`) != 0 {
			t.Fatalf("a failed send left %v", b)
		}
	})

	docx := docxBytes(t)
	var sent *messaging.Sent
	var pdfID uuid.UUID
	t.Run("several files with the message: shown, downloaded by its holders only", func(t *testing.T) {
		d := withFiles(draft("Fournitures", "Ci-joint", s.tA), files.Upload{Name: `C:\Mes documents\certificat.pdf`, Data: pdfBytes},
			files.Upload{Name: "fournitures.txt", Data: txtBytes}, files.Upload{Name: "lettre.docx", Data: docx})
		d.Recipients[messaging.Cc] = []string{s.vs.String()}
		sent = e.send(t, s.g1, d)
		if b := e.blobs(t); len(b) != 3 || !strings.HasPrefix(b[0], e.a.ID.String()+"/messages/") {
			t.Fatalf("blobs %v, want three under %s/messages/", b, e.a.ID)
		}
		th, err := e.svc.Conversation(ctx, e.a, s.tA, sent.Conversation)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range th.Messages[0].Files {
			got[f.Name] = f.ContentType + " " + f.SizeText()
			if f.Name == "certificat.pdf" {
				pdfID = f.ID
			}
		}
		if len(got) != 3 || got["certificat.pdf"] != "application/pdf 77 octets" ||
			!strings.HasPrefix(got["fournitures.txt"], "text/plain") || !strings.HasPrefix(got["lettre.docx"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document") {
			t.Fatalf("files of the message: %v", got)
		}
		for _, who := range []uuid.UUID{s.g1, s.tA, s.vs} {
			f, data, err := readAll(e.svc.Download(ctx, e.a, who, pdfID))
			if err != nil || !bytes.Equal(data, pdfBytes) || f.ContentType != "application/pdf" {
				t.Errorf("%s downloads: %v, %d bytes", s.all[who], err, len(data))
			}
		}
		for name, who := range map[string]uuid.UUID{"another teacher": s.tB, "the pupil": s.p1, "the direction": s.dir} {
			if _, _, err := readAll(e.svc.Download(ctx, e.a, who, pdfID)); !errors.Is(err, fault.ErrNotFound) {
				t.Errorf("%s downloads: %v, want not found", name, err)
			}
		}
		if _, _, err := readAll(e.svc.Download(ctx, e.b, o.dir, pdfID)); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("another establishment downloads: %v", err)
		}
	})
	t.Run("a corrupted blob is not served", func(t *testing.T) {
		var key string
		e.tx(t, e.a, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT blob_key FROM message_files WHERE id = ?`, pdfID).Scan(&key).Error
		})
		key = tenant.BlobPrefix(e.a) + key
		good, _ := e.bucket.ReadAll(ctx, key)
		e.bucket.WriteAll(ctx, key, append([]byte("%PDF-1.4 altéré"), pdfBytes[15:]...), nil)
		_, _, err := readAll(e.svc.Download(ctx, e.a, s.tA, pdfID))
		if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "a été altérée dans le stockage") {
			t.Errorf("corrupted: %v", err)
		}
		e.bucket.WriteAll(ctx, key, good, nil)
	})
	var reply *messaging.Sent
	t.Run("a reply carries files too", func(t *testing.T) {
		r, _, _, err := e.svc.ReplyDraft(ctx, e.a, s.tA, sent.Message, false)
		if err != nil {
			t.Fatal(err)
		}
		r.Body, r.Files = "Reçu, voici le planning", []files.Upload{{Name: "planning.png", Data: pngBytes}}
		reply = e.send(t, s.tA, r)
		th, err := e.svc.Conversation(ctx, e.a, s.g1, sent.Conversation)
		if err != nil || len(th.Messages) != 2 || len(th.Messages[1].Files) != 1 || th.Messages[1].Files[0].Name != "planning.png" {
			t.Fatalf("the parent's thread: %+v, %v", th, err)
		}
		if _, data, err := readAll(e.svc.Download(ctx, e.a, s.g1, th.Messages[1].Files[0].ID)); err != nil || !bytes.Equal(data, pngBytes) {
			t.Errorf("the parent downloads the reply's file: %v", err)
		}
		if _, _, err := readAll(e.svc.Download(ctx, e.a, s.vs, th.Messages[1].Files[0].ID)); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("the CPE, not a recipient of the reply, downloads: %v", err)
		}
	})
	first := int64(len(pdfBytes) + len(txtBytes) + len(docx))
	t.Run("the quota: counted while the sender keeps a copy, a warning at 80 %, a refusal past it", func(t *testing.T) {
		u, err := e.svc.Usage(ctx, e.a, s.g1)
		if want := first; err != nil || u.Used != want || u.Warn() {
			t.Fatalf("usage %+v, %v; want %d, no warning", u, err, want)
		}
		if u, _ := e.svc.Usage(ctx, e.a, s.vs); u.Used != 0 {
			t.Errorf("a recipient's usage: %+v", u)
		}
		// 165 Mo of earlier attachments (rows only: the quota sums the rows).
		e.tx(t, e.a, func(tx *gorm.DB) error {
			return tx.Exec(`WITH v AS (INSERT INTO conversations (subject, created_at) VALUES ('Anciens', now()) RETURNING id),
				m AS (INSERT INTO messages (conversation_id, sender_id, body, format, body_html, sent_at) SELECT v.id, ?, 'x', 'texte', 'x', now() - interval '1 day' FROM v RETURNING id),
				c AS (INSERT INTO message_copies (message_id, person_id, role, sent_at, read_at) SELECT m.id, ?, 'de', now(), now() FROM m)
				INSERT INTO message_files (message_id, blob_key, name, content_type, size, sha256, created_at)
				SELECT m.id, 'messages/ancien', 'ancien.pdf', 'application/pdf', ?, repeat('0', 64), now() FROM m`,
				s.g1, s.g1, 165<<20-first).Error
		})
		// A new service: the rows were written behind the back of this one's kept usage.
		e.svc = messaging.NewService(e.reg.DB(), e.clock.Now, nil)
		e.svc.SetBucket(e.bucket)
		u, _ = e.svc.Usage(ctx, e.a, s.g1)
		if !u.Warn() || !strings.HasPrefix(u.Text(), "Vous utilisez 165 Mo sur 200 Mo") || !strings.Contains(u.Text(), "videz la corbeille") {
			t.Errorf("warning %v %q", u.Warn(), u.Text())
		}
		nine := append(append([]byte{}, pdfBytes...), make([]byte, 9<<20)...)
		fine := withFiles(draft("Encore", "x", s.tA), files.Upload{Name: "a.pdf", Data: nine}, files.Upload{Name: "b.pdf", Data: nine})
		e.send(t, s.g1, fine) // 183 Mo
		before := len(e.blobs(t))
		_, err = e.svc.Send(ctx, e.a, s.g1, fine)
		var m *fault.Message
		if !errors.As(err, &m) || !errors.Is(err, fault.ErrConflict) || m.Field != "pieces" ||
			!strings.Contains(m.Text, "vos pièces jointes occupent déjà 183 Mo sur 200 Mo") || !strings.Contains(m.Text, "vidant la corbeille ou en supprimant des messages envoyés") {
			t.Errorf("over quota: %v", err)
		}
		if len(e.blobs(t)) != before {
			t.Error("the refused send left its blobs")
		}
		// The same without files goes.
		e.send(t, s.g1, draft("Sans pièce", "x", s.tA))
	})
	t.Run("the last copy deleted takes the message and its blobs", func(t *testing.T) {
		before := len(e.blobs(t))
		for _, who := range []uuid.UUID{s.g1, s.tA} {
			if err := e.svc.Move(ctx, e.a, who, sent.Message, true); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.Delete(ctx, e.a, who, sent.Message); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(e.blobs(t)); n != before {
			t.Errorf("blobs went while the CPE keeps a copy: %d → %d", before, n)
		}
		if u, _ := e.svc.Usage(ctx, e.a, s.g1); u.Used != 165<<20-first+2*int64(len(pdfBytes)+9<<20) {
			t.Errorf("the sender deleted their copy: usage %s", u.Text())
		}
		e.svc.Move(ctx, e.a, s.vs, sent.Message, true)
		if err := e.svc.Delete(ctx, e.a, s.vs, sent.Message); err != nil {
			t.Fatal(err)
		}
		if n := len(e.blobs(t)); n != before-3 || e.count(t, e.a, `SELECT count(*) FROM messages WHERE id = ?`, sent.Message) != 0 {
			t.Errorf("after the last copy: %d blobs (want %d), message kept: %d", n, before-3, e.count(t, e.a, `SELECT count(*) FROM messages WHERE id = ?`, sent.Message))
		}
	})
	t.Run("the sweep removes old orphans only, and a purged establishment's", func(t *testing.T) {
		orphan := tenant.BlobPrefix(e.a) + "messages/" + strings.Repeat("0", 32)
		elsewhere := tenant.BlobPrefix(e.b) + "messages/" + strings.Repeat("2", 32)
		young := tenant.BlobPrefix(e.a) + "messages/" + strings.Repeat("1", 32)
		now := testenv.SchoolDay
		for _, k := range e.blobs(t) { // the rows' blobs: old, they stay
			e.age(t, k, now.Add(-2*time.Hour))
		}
		for k, at := range map[string]time.Time{orphan: now.Add(-2 * time.Hour), elsewhere: now.Add(-2 * time.Hour), young: now.Add(-10 * time.Minute)} {
			e.bucket.WriteAll(ctx, k, pdfBytes, nil)
			e.age(t, k, at)
		}
		before := len(e.blobs(t))
		// The reply's holders left the directory: their copies went, the message stays
		// without anyone; the sweep deletes it and its file.
		e.tx(t, e.a, func(tx *gorm.DB) error {
			return tx.Exec(`DELETE FROM message_copies WHERE message_id = ?`, reply.Message).Error
		})
		sweeper := messaging.NewSweeper(e.svc, fixedTenants{live: []tenant.Tenant{*e.a}, purged: []tenant.Tenant{*e.b}})
		if n, err := sweeper.SweepAll(ctx); err != nil || n != 3 {
			t.Errorf("sweep: %d, %v; want the orphan, the reply's file and the purged establishment's blob", n, err)
		}
		if n := e.count(t, e.a, `SELECT count(*) FROM messages WHERE id = ?`, reply.Message); n != 0 {
			t.Error("the message without copies is still there")
		}
		if ok, _ := e.bucket.Exists(ctx, young); len(e.blobs(t)) != before-3 || !ok {
			t.Errorf("blobs after the sweep: %v", e.blobs(t))
		}
		if jl := sweeper.JobLabels(); jl["sweep_message_files"] == "" {
			t.Errorf("job labels %v", jl)
		}
	})
}

// fixedTenants are the establishments the sweep walks, live and purged.
type fixedTenants struct{ live, purged []tenant.Tenant }

func (f fixedTenants) Live(context.Context) ([]tenant.Tenant, error)   { return f.live, nil }
func (f fixedTenants) Purged(context.Context) ([]tenant.Tenant, error) { return f.purged, nil }

// TestMessageFilesFollowExport: an establishment exported, deleted and restored (a new id)
// serves its messages' attachments again, checksum verified.
func TestMessageFilesFollowExport(t *testing.T) {
	e := newFilesEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	sent := e.send(t, s.g1, withFiles(draft("Certificat", "Ci-joint", s.tA), files.Upload{Name: "certificat.pdf", Data: pdfBytes}))
	var archive bytes.Buffer
	if _, err := e.reg.Export(ctx, string(e.a.UAI), &archive); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.Delete(ctx, string(e.a.UAI), "test"); err != nil {
		t.Fatal(err)
	}
	restored, err := e.reg.Import(ctx, &archive, "test")
	if err != nil {
		t.Fatal(err)
	}
	th, err := e.svc.Conversation(ctx, restored, s.tA, sent.Conversation)
	if err != nil || len(th.Messages[0].Files) != 1 {
		t.Fatalf("the restored conversation: %+v, %v", th, err)
	}
	_, data, err := readAll(e.svc.Download(ctx, restored, s.tA, th.Messages[0].Files[0].ID))
	if err != nil || !bytes.Equal(data, pdfBytes) {
		t.Fatalf("the restored attachment: %q %v", data, err)
	}
}

// TestReportedAttachments: the vie scolaire opening a report sees the attachments of the
// conversation as its reporter holds it and downloads them through the report; a file of
// another conversation is not reachable that way, nor from another establishment.
func TestReportedAttachments(t *testing.T) {
	e := newFilesEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	sent := e.send(t, s.tA, withFiles(draft("Photo", "Regarde", s.g1), files.Upload{Name: "photo.png", Data: pngBytes}))
	other := e.send(t, s.tA, withFiles(draft("Autre", "Rien à voir", s.g1), files.Upload{Name: "autre.pdf", Data: pdfBytes}))
	report, err := e.svc.Report(ctx, e.a, s.g1, sent.Message, "Image choquante")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := e.svc.ReportedConversation(ctx, e.a, report)
	if err != nil || rt.Thread == nil || len(rt.Thread.Messages) != 1 || len(rt.Thread.Messages[0].Files) != 1 {
		t.Fatalf("the reported thread: %+v (%v)", rt, err)
	}
	f := rt.Thread.Messages[0].Files[0]
	if got, data, err := readAll(e.svc.ReportedDownload(ctx, e.a, report, f.ID)); err != nil || got.Name != "photo.png" || string(data) != string(pngBytes) {
		t.Errorf("download through the report: %+v (%v)", got, err)
	}
	th, err := e.svc.Conversation(ctx, e.a, s.g1, other.Conversation)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := readAll(e.svc.ReportedDownload(ctx, e.a, report, th.Messages[0].Files[0].ID)); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("another conversation's file through the report: %v, want not found", err)
	}
	if _, _, err := readAll(e.svc.ReportedDownload(ctx, e.b, report, f.ID)); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("from another establishment: %v, want not found", err)
	}
}

// readAll reads a download opened by the service whole, its checksum checked, and closes it.
func readAll[T any](x T, fc *files.Content, err error) (T, []byte, error) {
	if err != nil {
		return x, nil, err
	}
	defer fc.Close()
	data, err := io.ReadAll(fc)
	return x, data, err
}
