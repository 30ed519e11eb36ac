package files_test

import (
	"testing"

	"github.com/cartable-ent/cartable/modules/files"
)

// BenchmarkSpace100k: an establishment with 100,000 files (90,000 news attachments,
// 10,000 message attachments, 235 Go: past the default quota). Usage is what every upload
// reads (Admit, here refusing); Report is the direction's page.
//
//	./.bin/pgrun -- go test -run '^$' -bench BenchmarkSpace100k -benchtime 50x ./modules/files/
func BenchmarkSpace100k(b *testing.B) {
	s := newSite(b)
	ctx := b.Context()
	post := s.draft(s.alpha, s.teacher)
	s.Exec(s.alpha, `INSERT INTO news_files (post_id, blob_key, name, content_type, size, sha256, alt, created_at)
		SELECT ?, 'news/' || i, 'document-' || i || '.pdf', CASE WHEN i % 3 = 0 THEN 'image/jpeg' ELSE 'application/pdf' END,
			1000 + (i * 7919) % 5000000, repeat('0', 64), 'photo', now() FROM generate_series(1, 90000) i`, post)
	s.message(s.alpha, s.pupil, "x.jpg", 1000)
	s.Exec(s.alpha, `INSERT INTO message_files (message_id, blob_key, name, content_type, size, sha256, created_at)
		SELECT (SELECT message_id FROM message_files LIMIT 1), 'messages/' || i, 'm-' || i || '.pdf', 'application/pdf',
			1000 + (i * 104729) % 3000000, repeat('0', 64), now() FROM generate_series(1, 9999) i`)
	s.Exec(s.alpha, `ANALYZE news_files`)
	s.Exec(s.alpha, `ANALYZE message_files`)
	direct := s.Count(s.alpha, `SELECT (((SELECT sum(size) FROM news_files) + (SELECT sum(size) FROM message_files)) / 1024)::bigint`)
	if u, err := s.space.Usage(ctx, s.alpha); err != nil || u.Used/1024 != int64(direct) {
		b.Fatal(u, direct, err)
	}
	b.Run("Usage", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.space.Usage(ctx, s.alpha); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Admit", func(b *testing.B) {
		for b.Loop() {
			if err := s.space.Admit(ctx, s.alpha, []files.Checked{{Size: 1 << 20}}); err == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Report", func(b *testing.B) {
		for b.Loop() {
			if r, err := s.space.Report(ctx, s.alpha); err != nil || len(r.Largest) != 10 {
				b.Fatal(len(r.Largest), err)
			}
		}
	})
}
