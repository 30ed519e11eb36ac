package attendance_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/blob/fileblob"

	"github.com/cartable-ent/cartable/ops/testenv"
)

// TestAPIDeclarationsAndDocuments: through the JSON API a legal guardian declares an absence
// in advance with a document in base64 (checked by content: a forged one refused, nothing
// written), justifies an absence with a photo, downloads their documents; the vie scolaire
// sees and answers the declaration; a pupil, a teacher, another family and another
// establishment reach none of it.
func TestAPIDeclarationsAndDocuments(t *testing.T) {
	s := newSite(t, 0, time.Millisecond)
	bucket, err := fileblob.OpenBucket(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	s.svc.SetBucket(bucket)
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	tomorrow := testenv.SchoolDay.AddDate(0, 0, 1).Format("2006-01-02")
	rdv := s.motifID("Rendez-vous médical")

	type declarations struct {
		Children []struct {
			ID    uuid.UUID `json:"id"`
			Class string    `json:"class"`
		} `json:"children"`
		Declarations []declaration `json:"declarations"`
	}
	page := decode[declarations](t, s.api(s.alpha, s.guardian, http.MethodGet, "/api/v1/absences/signalements", nil), http.StatusOK, "declarations")
	if len(page.Children) != 1 || page.Children[0].ID != s.alice.PersonID || len(page.Declarations) != 0 {
		t.Fatalf("the guardian's declarations page: %+v", page)
	}
	body := map[string]any{"pupil_id": s.alice.PersonID, "date": tomorrow, "span": "matin", "motif_id": rdv, "comment": "Dentiste",
		"document": map[string]any{"name": "convocation.pdf", "content_base64": b64(pngBytes)}}
	rec := s.api(s.alpha, s.guardian, http.MethodPost, "/api/v1/absences/signalements", body)
	wantCode(t, rec, http.StatusUnprocessableEntity, "a PNG named .pdf")
	wantIn(t, rec, "forged document", `"document"`, "ne correspond pas à son contenu")
	body["document"] = map[string]any{"name": "convocation.pdf", "content_base64": "pas du base64 !"}
	wantCode(t, s.api(s.alpha, s.guardian, http.MethodPost, "/api/v1/absences/signalements", body), http.StatusUnprocessableEntity, "unreadable base64")
	if n := s.Count(s.alpha, `SELECT (SELECT count(*) FROM absence_declarations) + (SELECT count(*) FROM attendance_files)`); n != 0 {
		t.Fatalf("%d rows written by refused declarations", n)
	}
	body["document"] = map[string]any{"name": "convocation.pdf", "content_base64": b64(pdfBytes)}
	d := decode[declaration](t, s.api(s.alpha, s.guardian, http.MethodPost, "/api/v1/absences/signalements", body), http.StatusCreated, "declaration")
	sum := sha256.Sum256(pdfBytes)
	if d.State != "en_attente" || len(d.Documents) != 1 || d.Documents[0].SHA256 != hex.EncodeToString(sum[:]) || d.Documents[0].ContentType != "application/pdf" {
		t.Fatalf("declaration: %+v", d)
	}
	href := d.Documents[0].Href
	rec = s.api(s.alpha, s.guardian, http.MethodGet, href, nil)
	wantCode(t, rec, http.StatusOK, "the guardian's document")
	if rec.Body.String() != string(pdfBytes) || rec.Header().Get("Content-Type") != "application/pdf" {
		t.Errorf("download: %q %q", rec.Header().Get("Content-Type"), rec.Body.String())
	}
	wantCode(t, s.api(s.alpha, s.cpe, http.MethodGet, href, nil), http.StatusOK, "the document as the vie scolaire")
	wantCode(t, s.api(s.alpha, s.bruno, http.MethodGet, href, nil), http.StatusNotFound, "the document as another pupil")
	wantCode(t, s.api(s.alpha, s.maths, http.MethodGet, href, nil), http.StatusForbidden, "the document as a teacher")
	wantCode(t, s.api(s.alpha, s.bravoCPE, http.MethodGet, href, nil), http.StatusForbidden, "the document from another establishment")
	wantCode(t, s.api(s.bravo, s.bravoCPE, http.MethodGet, href, nil), http.StatusNotFound, "the document on another establishment's host")

	// The vie scolaire sees it waiting, and accepts it; then it cannot be cancelled.
	day := decode[struct {
		Waiting []declaration `json:"declarations_waiting"`
	}](t, s.api(s.alpha, s.cpe, http.MethodGet, "/api/v1/vie-scolaire", nil), http.StatusOK, "the vie scolaire's day")
	if len(day.Waiting) != 1 || day.Waiting[0].ID != d.ID {
		t.Fatalf("waiting declarations: %+v", day.Waiting)
	}
	wantCode(t, s.api(s.alpha, s.guardian, http.MethodPost, "/api/v1/vie-scolaire/signalements/"+d.ID.String(), map[string]any{"accept": true}), http.StatusForbidden, "a guardian answering")
	wantCode(t, s.api(s.alpha, s.cpe, http.MethodPost, "/api/v1/vie-scolaire/signalements/"+d.ID.String(), map[string]any{"comment": "?"}), http.StatusUnprocessableEntity, "an answer without accept")
	wantCode(t, s.api(s.alpha, s.cpe, http.MethodPost, "/api/v1/vie-scolaire/signalements/"+d.ID.String(), map[string]any{"accept": true, "comment": "Bien noté"}), http.StatusNoContent, "acceptance")
	wantCode(t, s.api(s.alpha, s.guardian, http.MethodDelete, "/api/v1/absences/signalements/"+d.ID.String(), nil), http.StatusConflict, "cancelling an answered declaration")

	// Another one, cancelled; another establishment cannot touch it.
	delete(body, "document")
	body["span"] = "apres-midi"
	other := decode[declaration](t, s.api(s.alpha, s.guardian, http.MethodPost, "/api/v1/absences/signalements", body), http.StatusCreated, "second declaration")
	wantCode(t, s.api(s.bravo, s.bravoCPE, http.MethodDelete, "/api/v1/absences/signalements/"+other.ID.String(), nil), http.StatusNotFound, "another establishment cancelling")
	wantCode(t, s.api(s.alpha, s.guardian, http.MethodDelete, "/api/v1/absences/signalements/"+other.ID.String(), nil), http.StatusNoContent, "cancellation")
	wantCode(t, s.api(s.alpha, s.bruno, http.MethodPost, "/api/v1/absences/signalements", body), http.StatusNotFound, "a pupil declaring")

	// A justification with a photo, through the API.
	maths := s.registerOf(s.maths)
	wantCode(t, s.Post(s.maths, maths, url.Values{"s-" + s.alice.PersonID.String(): {"absent"}}), http.StatusSeeOther, "roll")
	pupil := decode[struct {
		Events []struct {
			ID uuid.UUID `json:"id"`
		} `json:"events"`
	}](t, s.api(s.alpha, s.guardian, http.MethodGet, "/api/v1/absences/eleves/"+s.alice.PersonID.String(), nil), http.StatusOK, "Alice's absences")
	if len(pupil.Events) != 1 {
		t.Fatalf("Alice's events: %+v", pupil.Events)
	}
	justify := "/api/v1/absences/" + pupil.Events[0].ID.String() + "/justifier"
	rec = s.api(s.alpha, s.guardian, http.MethodPost, justify, map[string]any{"motif_id": s.motifID("Maladie"),
		"document": map[string]any{"name": "mot.jpg", "content_base64": b64(jpegBytes)}})
	wantCode(t, rec, http.StatusCreated, "justification with a photo")
	wantIn(t, rec, "justification", `"content_type":"image/jpeg"`, `"name":"mot.jpg"`)
	if !strings.Contains(rec.Body.String(), `"/api/v1/absences/pieces/`) {
		t.Errorf("the justification's document has no address: %s", rec.Body.String())
	}
}

type declaration struct {
	ID        uuid.UUID `json:"id"`
	State     string    `json:"state"`
	Documents []struct {
		Href        string `json:"href"`
		SHA256      string `json:"sha256"`
		ContentType string `json:"content_type"`
	} `json:"documents"`
}
