package attendance_test

// Documents attached to justifications and declarations, through the real router: forged
// and oversized files refused in French with nothing stored, valid ones kept with their
// checksum, downloads for the family and the vie scolaire only, a corrupted blob refused,
// blobs removed when their transaction fails and when the directory purges their owner.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/blob/fileblob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
)

var (
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"), make([]byte, 32)...)
	jpegBytes = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), make([]byte, 32)...)
	htmlBytes = []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	exeBytes  = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 64)...)
)

// part is a form field or, with a file name, a file.
type part struct{ name, value, file, contentType string }

// multipartBody encodes parts as multipart/form-data.
func multipartBody(t testing.TB, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		if p.file == "" {
			w.WriteField(p.name, p.value)
			continue
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="`+p.file+`"`)
		h.Set("Content-Type", p.contentType)
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(p.value))
	}
	w.Close()
	return &b, w.FormDataContentType()
}

func (s *site) upload(tn *tenant.Tenant, m directorytest.Member, path string, parts ...part) *httptest.ResponseRecorder {
	s.t.Helper()
	body, ct := multipartBody(s.t, parts...)
	return s.Do(tn, m, http.MethodPost, path, ct, body)
}

// blobs lists the files of the bucket's folder (fileblob keeps attributes in .attrs files).
func blobs(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".attrs") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func (s *site) motifID(label string) string {
	s.t.Helper()
	var id string
	s.Reg.DB().ReadTx(s.t.Context(), s.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id::text FROM absence_motifs WHERE label = ?`, label).Scan(&id).Error
	})
	return id
}

// fixedTenants are the establishments the sweep walks, live and purged.
type fixedTenants struct{ live, purged []tenant.Tenant }

func (f fixedTenants) Live(context.Context) ([]tenant.Tenant, error)   { return f.live, nil }
func (f fixedTenants) Purged(context.Context) ([]tenant.Tenant, error) { return f.purged, nil }

var fileLink = regexp.MustCompile(`/absences/pieces/[0-9a-f-]{36}`)

func TestDocuments(t *testing.T) {
	s := newSite(t, 0, time.Millisecond)
	dir := t.TempDir()
	bucket, err := fileblob.OpenBucket(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	s.svc.SetBucket(bucket)
	env := directorytest.NewEnvAt(t, s.Reg, testenv.NewClock(testenv.SchoolDay))
	family := env.AddMember(t, s.alpha, identity.RoleResponsable, "Bernadette", "Bernard") // Bruno's
	s.Exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1)`, s.bruno.PersonID, family.PersonID)

	maths := s.registerOf(s.maths)
	wantCode(t, s.Post(s.maths, maths, map[string][]string{"s-" + s.alice.PersonID.String(): {"absent"}}), http.StatusSeeOther, "roll")
	rec := s.Get(s.guardian, "/absences/eleves/"+s.alice.PersonID.String())
	justify := regexp.MustCompile(`/absences/[0-9a-f-]{36}/justifier`).FindString(rec.Body.String())
	if justify == "" {
		t.Fatalf("no justification link: %s", rec.Body.String())
	}
	wantIn(t, s.Get(s.guardian, justify), "justification form", `enctype="multipart/form-data"`, `type="file"`, "PDF, JPEG ou PNG, 5 Mo au plus")
	maladie := s.motifID("Maladie")
	send := func(m directorytest.Member, file, contentType string, data []byte) *httptest.ResponseRecorder {
		return s.upload(s.alpha, m, justify, part{name: "motif", value: maladie}, part{name: "piece", value: string(data), file: file, contentType: contentType})
	}

	t.Run("forged files are refused, naming the problem", func(t *testing.T) {
		for _, c := range []struct {
			file, contentType string
			data              []byte
			want              string
		}{
			{"certificat.pdf", "application/pdf", htmlBytes, "le fichier « certificat.pdf » n&#39;est ni un PDF, ni une image JPEG ou PNG : son contenu est une page HTML"},
			{"certificat.pdf", "application/pdf", exeBytes, "son contenu est un programme Windows"},
			{"certificat.pdf", "application/pdf", pngBytes, "le nom du fichier « certificat.pdf » ne correspond pas à son contenu, qui est une image PNG"},
			{"vide.pdf", "application/pdf", nil, "est vide"},
		} {
			rec := send(s.guardian, c.file, c.contentType, c.data)
			wantCode(t, rec, http.StatusUnprocessableEntity, c.file)
			wantIn(t, rec, c.file, c.want, `id="err-piece"`)
		}
		if b := blobs(t, dir); len(b) != 0 || s.Count(s.alpha, `SELECT count(*) FROM justifications`) != 0 {
			t.Errorf("refused files left %v and %d justifications", b, s.Count(s.alpha, `SELECT count(*) FROM justifications`))
		}
	})
	t.Run("an oversized upload is refused before anything is stored", func(t *testing.T) {
		big := append(append([]byte{}, pdfBytes...), make([]byte, 6<<20)...)
		rec := send(s.guardian, "scan.pdf", "application/pdf", big)
		wantCode(t, rec, http.StatusRequestEntityTooLarge, "6 Mo")
		wantIn(t, rec, "6 Mo", "trop volumineu")
		justOver := append(append([]byte{}, pdfBytes...), make([]byte, attendance.MaxFileBytes)...)
		rec = send(s.guardian, "scan.pdf", "application/pdf", justOver)
		wantCode(t, rec, http.StatusUnprocessableEntity, "just over 5 Mo")
		wantIn(t, rec, "just over 5 Mo", "le fichier « scan.pdf » dépasse 5 Mo")
		if b := blobs(t, dir); len(b) != 0 {
			t.Errorf("oversized uploads left %v", b)
		}
	})

	var pdfLink string
	t.Run("a valid PDF is kept with its checksum", func(t *testing.T) {
		wantCode(t, send(s.guardian, "certificat médical<script>.pdf", "application/pdf", pdfBytes), http.StatusSeeOther, "a valid PDF")
		sum := sha256.Sum256(pdfBytes)
		if n := s.Count(s.alpha, `SELECT count(*) FROM attendance_files WHERE sha256 = ? AND size = ? AND content_type = 'application/pdf' AND name = 'certificat médical_script_.pdf'
			AND blob_key LIKE ? AND justification_id IS NOT NULL`, hex.EncodeToString(sum[:]), len(pdfBytes), "attendance/%"); n != 1 {
			t.Errorf("%d rows with the document's checksum, size, type and name", n)
		}
		if b := blobs(t, dir); len(b) != 1 {
			t.Errorf("blobs: %v", b)
		}
		rec := s.Get(s.cpe, "/vie-scolaire")
		wantIn(t, rec, "vie scolaire", "Télécharger le justificatif certificat médical_script_.pdf")
		pdfLink = fileLink.FindString(rec.Body.String())
	})
	t.Run("a failed transaction removes its blob", func(t *testing.T) {
		// The justification waits: a second one is refused inside the transaction.
		rec := send(s.guardian, "encore.pdf", "application/pdf", pdfBytes)
		wantCode(t, rec, http.StatusConflict, "a second justification")
		if b := blobs(t, dir); len(b) != 1 {
			t.Errorf("after the refused transaction: %v", b)
		}
	})
	t.Run("downloads: the family and the vie scolaire only", func(t *testing.T) {
		if pdfLink == "" {
			t.Fatal("no document link on the vie scolaire's page")
		}
		for _, m := range []directorytest.Member{s.guardian, s.cpe} {
			rec := s.Get(m, pdfLink)
			wantCode(t, rec, http.StatusOK, "download")
			h := rec.Header()
			if h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") ||
				h.Get("X-Content-Type-Options") != "nosniff" || !bytes.Equal(rec.Body.Bytes(), pdfBytes) {
				t.Errorf("download headers %v, %d bytes", h, rec.Body.Len())
			}
		}
		wantIn(t, s.Get(s.guardian, "/absences/eleves/"+s.alice.PersonID.String()), "guardian's page", pdfLink)
		wantNotIn(t, s.Get(s.alice, "/absences/eleves/"+s.alice.PersonID.String()), "pupil's page", pdfLink)
		wantCode(t, s.Get(family, pdfLink), http.StatusNotFound, "another family")
		wantCode(t, s.Get(s.alice, pdfLink), http.StatusNotFound, "the pupil")
		wantCode(t, s.Get(s.maths, pdfLink), http.StatusForbidden, "a teacher")
		wantCode(t, s.Get(s.bravoCPE, pdfLink), http.StatusForbidden, "another establishment's CPE on Alpha")
		wantCode(t, s.Send(s.bravo, s.bravoCPE, http.MethodGet, pdfLink, nil), http.StatusNotFound, "on another establishment's host")
		wantCode(t, s.Get(s.cpe, "/absences/pieces/"+uuid.NewString()), http.StatusNotFound, "an unknown document")
	})
	t.Run("a corrupted blob is refused", func(t *testing.T) {
		var key string
		s.Reg.DB().ReadTx(t.Context(), s.alpha, func(tx *gorm.DB) error { return tx.Raw(`SELECT blob_key FROM attendance_files`).Scan(&key).Error })
		key = tenant.BlobPrefix(s.alpha) + key
		good, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
		if err := bucket.WriteAll(t.Context(), key, append([]byte("%PDF-1.4 altéré"), pdfBytes[15:]...), nil); err != nil {
			t.Fatal(err)
		}
		rec := s.Get(s.cpe, pdfLink)
		wantCode(t, rec, http.StatusConflict, "corrupted")
		wantIn(t, rec, "corrupted", "a été altéré dans le stockage")
		if err := bucket.WriteAll(t.Context(), key, good, nil); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a declaration with a PNG, then a JPEG", func(t *testing.T) {
		rec := s.Get(family, "/absences/signalements")
		wantCode(t, rec, http.StatusOK, "declarations page")
		wantIn(t, rec, "declarations page", "Bruno", "Rendez-vous médical", "5 Mo au plus")
		form := []part{{name: "eleve", value: s.bruno.PersonID.String()}, {name: "date", value: "2026-10-05"}, {name: "periode", value: "horaires"},
			{name: "debut", value: "09:00"}, {name: "fin", value: "10:00"}, {name: "motif", value: s.motifID("Rendez-vous médical")},
			{name: "commentaire", value: "Orthodontiste"}}
		rec = s.upload(s.alpha, family, "/absences/signalements", append(form, part{name: "piece", value: string(pngBytes), file: "convocation.png", contentType: "image/png"})...)
		wantCode(t, rec, http.StatusSeeOther, "declare")
		rec = s.Get(family, "/absences/signalements")
		wantIn(t, rec, "after declaring", "lundi 5 octobre 2026, de 9h00 à 10h00", "Orthodontiste", "En attente de la vie scolaire", "Télécharger convocation.png", "Annuler le signalement")
		wantCode(t, s.upload(s.alpha, s.guardian, "/absences/signalements", form...), http.StatusNotFound, "Alice's guardian for Bruno")
		wantCode(t, s.upload(s.alpha, s.bruno, "/absences/signalements", form...), http.StatusNotFound, "the pupil himself")
		wantCode(t, s.upload(s.alpha, s.maths, "/absences/signalements", form...), http.StatusForbidden, "a teacher")
		wantCode(t, s.upload(s.bravo, family, "/absences/signalements", form...), http.StatusForbidden, "on another establishment's host")
		past := append([]part{}, form...)
		past[1].value = "2026-10-02"
		rec = s.upload(s.alpha, family, "/absences/signalements", append(past, part{name: "piece", value: string(jpegBytes), file: "photo.jpg", contentType: "image/jpeg"})...)
		wantCode(t, rec, http.StatusUnprocessableEntity, "a date in the past")
		wantIn(t, rec, "a date in the past", `id="err-date"`, "cette date est passée")
		if b := blobs(t, dir); len(b) != 2 {
			t.Errorf("blobs after a refused declaration: %v", b)
		}

		rec = s.Get(s.cpe, "/vie-scolaire")
		wantIn(t, rec, "vie scolaire", "Absences signalées à l'avance par les familles (1)", "Orthodontiste", "convocation.png")
		answer := regexp.MustCompile(`/vie-scolaire/signalements/[0-9a-f-]{36}`).FindString(rec.Body.String())
		png := fileLink.FindAllString(rec.Body.String(), -1)
		rec = s.Get(s.cpe, png[len(png)-1])
		wantCode(t, rec, http.StatusOK, "the PNG")
		if rec.Header().Get("Content-Type") != "image/png" {
			t.Errorf("PNG served as %s", rec.Header().Get("Content-Type"))
		}
		wantCode(t, s.Get(s.guardian, png[len(png)-1]), http.StatusNotFound, "the PNG as another family")
		spanish := s.registerOf(s.spanish)
		wantIn(t, s.Get(s.spanish, spanish), "the roll page", "absence signalée par la famille")
		wantCode(t, s.Post(s.cpe, answer, map[string][]string{"decision": {"accepter"}, "commentaire": {"Entendu"}}), http.StatusSeeOther, "accept")
		wantCode(t, s.Post(s.spanish, spanish, map[string][]string{"s-" + s.bruno.PersonID.String(): {"absent"}}), http.StatusSeeOther, "roll")
		rec = s.Get(family, "/absences/eleves/"+s.bruno.PersonID.String())
		wantIn(t, rec, "Bruno's absences", "Justifiée · Rendez-vous médical", "Signalée à l'avance")

		// A JPEG with a declaration the family then cancels: its blob goes at once.
		tomorrow := append([]part{}, form...)
		tomorrow[1].value = "2026-10-06"
		rec = s.upload(s.alpha, family, "/absences/signalements", append(tomorrow, part{name: "piece", value: string(jpegBytes), file: "photo.jpeg", contentType: "image/jpeg"})...)
		wantCode(t, rec, http.StatusSeeOther, "declare with a JPEG")
		if b := blobs(t, dir); len(b) != 3 {
			t.Errorf("blobs with the JPEG: %v", b)
		}
		cancel := regexp.MustCompile(`/absences/signalements/[0-9a-f-]{36}/annuler`).FindString(s.Get(family, "/absences/signalements").Body.String())
		rec = s.Get(family, cancel)
		wantCode(t, rec, http.StatusOK, "confirmation "+cancel)
		wantIn(t, rec, "confirmation", "Oui, annuler le signalement", "le justificatif joint sera supprimé")
		wantCode(t, s.Post(s.guardian, cancel, nil), http.StatusNotFound, "another family cancels")
		wantCode(t, s.Post(family, cancel, nil), http.StatusSeeOther, "cancel")
		if b := blobs(t, dir); len(b) != 2 {
			t.Errorf("blobs after the cancellation: %v", b)
		}
	})

	t.Run("the sweep and the purge of a leaver", func(t *testing.T) {
		now := testenv.SchoolDay
		old, fresh := now.Add(-2*time.Hour), now.Add(-10*time.Minute)
		for _, p := range blobs(t, dir) { // the blobs of rows: old, they stay
			os.Chtimes(p, old, old)
		}
		orphan := s.alpha.ID.String() + "/attendance/" + strings.Repeat("0", 32)
		young := s.alpha.ID.String() + "/attendance/" + strings.Repeat("1", 32)
		elsewhere := s.bravo.ID.String() + "/attendance/" + strings.Repeat("2", 32)
		for _, k := range []string{orphan, young, elsewhere} {
			bucket.WriteAll(t.Context(), k, pdfBytes, nil)
		}
		os.Chtimes(filepath.Join(dir, filepath.FromSlash(orphan)), old, old)
		os.Chtimes(filepath.Join(dir, filepath.FromSlash(young)), fresh, fresh)
		os.Chtimes(filepath.Join(dir, filepath.FromSlash(elsewhere)), old, old)
		n, err := s.svc.SweepFiles(t.Context(), s.alpha)
		if err != nil || n != 1 {
			t.Fatalf("sweep: %d, %v; want the old orphan only", n, err)
		}
		if ok, _ := bucket.Exists(t.Context(), orphan); ok {
			t.Error("the old orphan is still there")
		}
		for _, k := range []string{young, elsewhere} {
			if ok, _ := bucket.Exists(t.Context(), k); !ok {
				t.Errorf("%s was removed", k)
			}
		}
		bucket.Delete(t.Context(), young)
		bucket.Delete(t.Context(), elsewhere)

		// Alice's guardian leaves; three months later the directory purges him.
		left := now.AddDate(0, 3, 0)
		s.Exec(s.alpha, `UPDATE people SET active = false, deactivated_at = ?, purge_after = ? WHERE id = ?`, now, left, s.guardian.PersonID)
		if _, err := env.Directory.PurgeLeavers(t.Context(), s.alpha, left.Add(time.Hour), identity.Records{}); err != nil {
			t.Fatal(err)
		}
		if n := s.Count(s.alpha, `SELECT count(*) FROM attendance_files WHERE justification_id IS NOT NULL`); n != 0 {
			t.Errorf("%d documents of the purged guardian's justifications", n)
		}
		// The hourly job's work: Alpha's orphans, and every document of an establishment
		// purged for good (Bravo here).
		bucket.WriteAll(t.Context(), elsewhere, pdfBytes, nil)
		sweeper := attendance.NewSweeper(s.svc, fixedTenants{live: []tenant.Tenant{*s.alpha}, purged: []tenant.Tenant{*s.bravo}})
		if n, err := sweeper.SweepAll(t.Context()); err != nil || n != 2 {
			t.Errorf("sweep after the purge: %d, %v; want the guardian's PDF and Bravo's document", n, err)
		}
		if ok, _ := bucket.Exists(t.Context(), elsewhere); ok {
			t.Error("the purged establishment's document is still there")
		}
		if b := blobs(t, dir); len(b) != 1 { // Bruno's family's PNG
			t.Errorf("blobs after the purge: %v", b)
		}
	})
}

// BenchmarkDocument: a declaration with a 4 Mo PDF through the router (type detection,
// SHA-256, the blob written in a local folder, the rows), then its download by the vie
// scolaire (read back and checked against its checksum).
//
//	./.bin/pgrun -- go test -run '^$' -bench Document -benchtime 20x ./modules/attendance/
func BenchmarkDocument(b *testing.B) {
	s := newSite(b, 0, time.Minute)
	bucket, err := fileblob.OpenBucket(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer bucket.Close()
	s.svc.SetBucket(bucket)
	pdf := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte("0123456789abcdef"), 4<<16)...)
	form := []part{{name: "eleve", value: s.alice.PersonID.String()}, {name: "date", value: "2026-10-06"}, {name: "periode", value: "matin"},
		{name: "motif", value: s.motifID("Rendez-vous médical")}, {name: "piece", value: string(pdf), file: "convocation.pdf", contentType: "application/pdf"}}
	b.Run("upload", func(b *testing.B) {
		for b.Loop() {
			if rec := s.upload(s.alpha, s.guardian, "/absences/signalements", form...); rec.Code != http.StatusSeeOther {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
	link := fileLink.FindString(s.Get(s.cpe, "/vie-scolaire").Body.String())
	b.Run("download", func(b *testing.B) {
		for b.Loop() {
			if rec := s.Get(s.cpe, link); rec.Code != http.StatusOK || rec.Body.Len() != len(pdf) {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}
