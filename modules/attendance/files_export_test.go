package attendance_test

import (
	"bytes"
	"io"
	"testing"

	"gocloud.dev/blob/memblob"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestDocumentsFollowExport: an establishment exported, deleted and restored (a new id)
// serves its families' documents again, checksum verified.
func TestDocumentsFollowExport(t *testing.T) {
	bucket := memblob.OpenBucket(nil)
	defer bucket.Close()
	reg := tenanttest.NewRegistry(t, tenant.Options{Blobs: bucket}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 10)
	s.svc.SetBucket(bucket)
	guardian := actor(s.guardian, identity.RoleResponsable)
	id, err := s.svc.Declare(sctx, s.tn, guardian, attendance.DeclarationForm{Pupil: s.alice.String(), Date: s.svc.Today().AddDate(0, 0, 1).Format("2006-01-02"),
		Span: "matin", Motif: s.motif(t, "Rendez-vous médical"), File: &attendance.Upload{Name: "convocation.pdf", Data: pdfBytes}})
	if err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if _, err := reg.Export(sctx, string(s.tn.UAI), &archive); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Delete(sctx, string(s.tn.UAI), "test"); err != nil {
		t.Fatal(err)
	}
	restored, err := reg.Import(sctx, &archive, "test")
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.svc.Declaration(sctx, restored, guardian, id)
	if err != nil || len(d.Files) != 1 {
		t.Fatalf("the restored declaration: %+v, %v", d, err)
	}
	f, data, err := readAll(s.svc.Download(sctx, restored, guardian, d.Files[0].ID))
	if err != nil || !bytes.Equal(data, pdfBytes) || f.ContentType != "application/pdf" {
		t.Fatalf("the restored document: %+v %q %v", f, data, err)
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
