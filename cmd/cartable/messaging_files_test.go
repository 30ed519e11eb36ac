package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// multipartForm encodes fields (name, value pairs) and files (field, file name, content).
func multipartForm(t *testing.T, fields [][2]string, files ...[3]string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f[0], f[1])
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(f[2]))
	}
	w.Close()
	return b.String(), w.FormDataContentType()
}

var messageFileLink = regexp.MustCompile(`/messagerie/pieces/[0-9a-f-]{36}`)

// TestMessageAttachmentsPages: through the real router, a parent sends a PDF with a
// message; the conversation names it with its size; the recipient downloads it (stored
// type, attachment, nosniff, no-store), nobody else does, here or on another establishment;
// a forged file and an oversized body are refused in French; the quota's warning shows on
// the compose and folder pages past 80 %; the API sends and downloads the same way.
func TestMessageAttachmentsPages(t *testing.T) {
	t.Parallel()
	s := newMailSite(t)
	h, alpha, bravo, parent, dir, teacher, ofBravo, host := s.h, s.alpha, s.bravo, s.parent, s.dir, s.teacher, s.ofBravo, s.host
	pdf := "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	compose := func(token string, files ...[3]string) *httptest.ResponseRecorder {
		body, ct := multipartForm(t, [][2]string{{"action", "envoyer"}, {"a", dir.PersonID.String()}, {"objet", "Certificat"}, {"message", "Texte gardé"}, {"format", "texte"}}, files...)
		return h.send(token, http.MethodPost, host, "/messagerie/nouveau", body, "Content-Type", ct)
	}

	rec := h.as(parent.Token, host, "/messagerie/nouveau")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, `enctype="multipart/form-data"`, `<label for="pieces">Pièces jointes (facultatif)</label>`, "10 Mo par fichier, 20 Mo par message")
	wantNotInBody(t, rec, "Vous utilisez")

	rec = compose(parent.Token, [3]string{"pieces", "certificat.pdf", "<html><script>alert(1)</script></html>"})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantInBody(t, rec, "la pièce jointe « certificat.pdf » n&#39;est pas d&#39;un type accepté", "son contenu est une page HTML", "Texte gardé", `aria-invalid="true"`)
	rec = compose(parent.Token, [3]string{"pieces", "scan.pdf", pdf + strings.Repeat("0", 21<<20)})
	wantStatus(t, rec, http.StatusRequestEntityTooLarge)
	wantInBody(t, rec, "trop volumineuse")
	if n := countIn(t, h, alpha, `SELECT count(*) FROM message_files`); n != 0 {
		t.Fatalf("%d files after refusals", n)
	}

	rec = compose(parent.Token, [3]string{"pieces", "certificat.pdf", pdf})
	wantStatus(t, rec, http.StatusSeeOther)
	conv, _, _ := strings.Cut(rec.Header().Get("Location"), "?")
	rec = h.as(dir.Token, host, conv)
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, "Pièces jointes", "Télécharger certificat.pdf", "(77 octets)")
	link := messageFileLink.FindString(rec.Body.String())
	rec = h.as(dir.Token, host, link)
	wantStatus(t, rec, http.StatusOK)
	if hd := rec.Header(); hd.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(hd.Get("Content-Disposition"), "attachment;") ||
		hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Cache-Control") != "private, no-store" || rec.Body.String() != pdf {
		t.Errorf("download: %v", hd)
	}
	wantStatus(t, h.as(parent.Token, host, link), http.StatusOK)
	wantStatus(t, h.as(teacher.Token, host, link), http.StatusNotFound)
	wantStatus(t, h.as(ofBravo.Token, host, link), http.StatusForbidden)
	wantStatus(t, h.as(ofBravo.Token, tenantHost(bravo.Slug), link), http.StatusNotFound)

	// 165 Mo of earlier attachments: the warning on the compose and folder pages.
	if err := h.reg.DB().Tx(t.Context(), alpha, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO message_files (message_id, blob_key, name, content_type, size, sha256, created_at)
			SELECT message_id, 'messages/ancien', 'ancien.pdf', 'application/pdf', ?, repeat('0', 64), now() FROM message_copies WHERE person_id = ? AND role = 'de'`,
			165<<20-77, parent.PersonID).Error
	}); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/messagerie/nouveau", "/messagerie", "/messagerie/envoyes"} {
		rec = h.as(parent.Token, host, page)
		wantStatus(t, rec, http.StatusOK)
		wantInBody(t, rec, "Vous utilisez 165 Mo sur 200 Mo", "videz la corbeille ou supprimez des messages envoyés")
	}
	wantNotInBody(t, h.as(dir.Token, host, "/messagerie"), "Vous utilisez")
	rec = h.as(parent.Token, host, "/api/v1/messages/espace")
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, `"used":173015040`, `"quota":209715200`, `"warning":"Vous utilisez 165 Mo sur 200 Mo`)
	wantInBody(t, h.as(dir.Token, host, "/api/v1/messages/espace"), `"warning":""`)

	// The API: a multipart send, the conversation lists the file, its download.
	body, ct := multipartForm(t, [][2]string{{"a", parent.PersonID.String()}, {"objet", "Réponse"}, {"message", "Reçu"}}, [3]string{"pieces", "accuse.pdf", pdf})
	rec = h.send(dir.Token, http.MethodPost, host, "/api/v1/messages", body, "Content-Type", ct)
	wantStatus(t, rec, http.StatusCreated)
	sent := jsonObject(t, rec)
	rec = h.as(parent.Token, host, "/api/v1/conversations/"+sent["conversation"].(string))
	wantStatus(t, rec, http.StatusOK)
	wantInBody(t, rec, `"name":"accuse.pdf"`, `"content_type":"application/pdf"`)
	id := regexp.MustCompile(`"files":\[\{"id":"([0-9a-f-]{36})"`).FindStringSubmatch(rec.Body.String())
	if id == nil {
		t.Fatalf("no file in %s", rec.Body.String())
	}
	rec = h.as(parent.Token, host, "/api/v1/messages/pieces/"+id[1])
	wantStatus(t, rec, http.StatusOK)
	if rec.Body.String() != pdf {
		t.Errorf("API download: %q", rec.Body.String())
	}
	wantStatus(t, h.as(teacher.Token, host, "/api/v1/messages/pieces/"+id[1]), http.StatusNotFound)
	body, ct = multipartForm(t, [][2]string{{"a", parent.PersonID.String()}, {"objet", "x"}, {"message", "y"}}, [3]string{"pieces", "photo.png", "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + strings.Repeat("\x00", 64)})
	rec = h.send(dir.Token, http.MethodPost, host, "/api/v1/messages", body, "Content-Type", ct)
	wantStatus(t, rec, http.StatusBadRequest)
	wantInBody(t, rec, "son contenu est un programme Windows", `"field":"pieces"`)
}

func countIn(t *testing.T, h *harness, tn *tenant.Tenant, q string) int {
	t.Helper()
	var n int
	if err := h.reg.DB().ReadTx(t.Context(), tn, func(tx *gorm.DB) error { return tx.Raw(q).Scan(&n).Error }); err != nil {
		t.Fatal(err)
	}
	return n
}
