package courses_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob/fileblob"

	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
)

type fixedTenants struct{ live, purged []tenant.Tenant }

func (f fixedTenants) Live(context.Context) ([]tenant.Tenant, error)   { return f.live, nil }
func (f fixedTenants) Purged(context.Context) ([]tenant.Tenant, error) { return f.purged, nil }

// TestSweepCourseFiles: the hourly sweep removes the course blobs no block names (older than
// an hour), keeps one a block (or two, a copy's) names and one being sent, and everything
// of a purged establishment goes.
func TestSweepCourseFiles(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	bucket, err := fileblob.OpenBucket(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	svc := courses.NewService(s.Reg.DB(), bucket, s.Clock.Now)
	_, pageA, pageB := s.course("Balayage", s.class1)
	kept := "courses/" + strings.Repeat("a", 32)
	s.Exec(s.alpha, `INSERT INTO course_files (blob_key, name, content_type, size, sha256, created_at)
		VALUES (?, 'cours.pdf', 'application/pdf', 8, repeat('0', 64), ?)`, kept, s.Clock.Now())
	for _, p := range [][2]any{{pageA, 10}, {pageB, 10}} { // the same blob named twice, as a copy does
		s.Exec(s.alpha, `INSERT INTO course_blocks (page_id, position, kind, blob_key, created_at) VALUES (?, ?, 'fichier', ?, ?)`, p[0], p[1], kept, s.Clock.Now())
	}
	now := testenv.SchoolDay
	old, fresh := now.Add(-2*time.Hour), now.Add(-10*time.Minute)
	blobs := map[string]time.Time{
		tenant.BlobPrefix(s.alpha) + kept:                                 old,
		tenant.BlobPrefix(s.alpha) + "courses/" + strings.Repeat("0", 32): old,   // an orphan
		tenant.BlobPrefix(s.alpha) + "courses/" + strings.Repeat("1", 32): fresh, // being sent
		tenant.BlobPrefix(s.alpha) + "news/" + strings.Repeat("2", 32):    old,   // another module's
		tenant.BlobPrefix(s.bravo) + "courses/" + strings.Repeat("3", 32): old,   // a purged establishment's
	}
	for k, at := range blobs {
		if err := bucket.WriteAll(context.Background(), k, []byte("%PDF-1.4"), nil); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(filepath.Join(dir, filepath.FromSlash(k)), at, at)
	}
	sweeper := courses.NewSweeper(svc, fixedTenants{live: []tenant.Tenant{*s.alpha}, purged: []tenant.Tenant{*s.bravo}})
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
	if sweeper.JobLabels()["sweep_course_files"] == "" {
		t.Error("the job has no label")
	}
}
