package attendance_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"gocloud.dev/blob/memblob"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/files"
)

// TestDocumentOverQuota: a justification whose document does not fit in the
// establishment's space is refused on its form, the message next to the file field
// (aria-describedby) and in the page's list of errors linking to it; nothing is stored.
func TestDocumentOverQuota(t *testing.T) {
	s := newSite(t, 0, time.Millisecond)
	bucket := memblob.OpenBucket(nil)
	defer bucket.Close()
	s.svc.SetBucket(bucket)
	space, err := files.NewSpace(s.Reg.DB(), s.Clock.Now, attendance.FileTable)
	if err != nil {
		t.Fatal(err)
	}
	s.svc.SetSpace(space)
	if err := space.SetQuota(context.Background(), s.alpha, files.MinQuota, "user:admin-region"); err != nil {
		t.Fatal(err)
	}
	// The space is full (counted as the triggers would).
	s.Exec(s.alpha, `INSERT INTO file_space (table_name, content_type, files, bytes) VALUES ('attendance_files', 'application/pdf', 1, ?)`, files.MinQuota)

	wantCode(t, s.Post(s.maths, s.registerOf(s.maths), map[string][]string{"s-" + s.alice.PersonID.String(): {"absent"}}), http.StatusSeeOther, "roll")
	justify := regexp.MustCompile(`/absences/[0-9a-f-]{36}/justifier`).FindString(s.Get(s.guardian, "/absences/eleves/"+s.alice.PersonID.String()).Body.String())
	if justify == "" {
		t.Fatal("no justification link")
	}
	rec := s.upload(s.alpha, s.guardian, justify, part{name: "motif", value: s.motifID("Maladie")},
		part{name: "piece", value: string(pdfBytes), file: "certificat.pdf", contentType: "application/pdf"})
	wantCode(t, rec, http.StatusUnprocessableEntity, "over the quota")
	wantIn(t, rec, "over the quota", `aria-describedby="aide-piece err-piece"`, `<p class="field-error" id="err-piece">l&#39;espace de stockage de l&#39;établissement est plein`,
		`<li><a href="#piece">l&#39;espace de stockage`, "Justifier une absence")
	if n := s.Count(s.alpha, `SELECT count(*) FROM justifications`) + s.Count(s.alpha, `SELECT count(*) FROM attendance_files`); n != 0 {
		t.Errorf("%d justifications and files recorded", n)
	}
	if obj, err := bucket.List(nil).Next(context.Background()); err == nil {
		t.Errorf("a blob was stored: %s", obj.Key)
	}
}
