package portfolio_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
)

// TestSweepOrphans: a crash between PostgreSQL and the blob store strands no pupil's file.
// A blob written without its row (crash before the commit) and the blob of a document whose
// row went (crash after the commit, before the blob's removal) leave the store at the hourly
// sweep once older than files.OrphanAge; a known document stays and still downloads; another
// establishment's blobs are not touched.
func TestSweepOrphans(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	wantCode(t, s.upload(s.alice, "/portfolio/documents", "Gardé", "", "garde.pdf", pdf), http.StatusSeeOther, "a document kept")
	wantCode(t, s.upload(s.alice, "/portfolio/documents", "Perdu", "", "perdu.pdf", pdf), http.StatusSeeOther, "a document whose row goes")
	s.Exec(s.alpha, `DELETE FROM portfolio_items WHERE title = 'Perdu'`)
	for _, k := range []string{tenant.BlobPrefix(s.alpha) + "portfolio/sans-ligne", tenant.BlobPrefix(s.bravo) + "portfolio/de-bravo"} {
		if err := s.bucket.WriteAll(ctx, k, pdf, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.svc.SweepFiles(ctx, s.alpha); err != nil || n != 0 {
		t.Fatalf("a sweep removed %d young blobs (%v): an upload in progress would lose its file", n, err)
	}
	s.Clock.Set(time.Now().Add(files.OrphanAge + time.Minute)) // clock-ok: memblob dates blobs by the wall clock
	if n, err := s.svc.SweepFiles(ctx, s.alpha); err != nil || n != 2 {
		t.Fatalf("the sweep removed %d blobs (%v), want the 2 orphans", n, err)
	}
	if ok, _ := s.bucket.Exists(ctx, tenant.BlobPrefix(s.bravo)+"portfolio/de-bravo"); !ok {
		t.Errorf("Alpha's sweep removed a blob of Bravo")
	}
	keys := 0
	for it := s.bucket.List(nil); ; keys++ {
		if _, err := it.Next(ctx); err != nil {
			break
		}
	}
	if keys != 2 {
		t.Errorf("%d blobs left, want Alice's kept document and Bravo's", keys)
	}
	own := s.Get(s.alice, "/portfolio")
	wantIn(t, own, "the page after the sweep", "Gardé")
	files := links(fileLink, own)
	if len(files) != 1 {
		t.Fatalf("%d files linked, want 1", len(files))
	}
	wantCode(t, s.Get(s.alice, "/portfolio/fichiers/"+files[0]), http.StatusOK, "the kept document after the sweep")
	if n, err := s.svc.DropFiles(ctx, s.bravo); err != nil || n != 1 {
		t.Errorf("dropping purged Bravo's files removed %d (%v), want 1", n, err)
	}
}
