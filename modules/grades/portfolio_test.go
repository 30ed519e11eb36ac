package grades

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/blob/memblob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/portfolio"
)

// TestReportCardsIntoPortfolio: publishing a class's report cards records each pupil's, with
// the PDF of their card (bytes checked against its checksum), into their portfolio, in the
// publication's transaction; publishing again replaces the PDF, not the item; withdrawing
// the publication takes them out.
func TestReportCardsIntoPortfolio(t *testing.T) {
	s := newBulletinSchool(t)
	ctx := context.Background()
	pf := portfolio.NewService(s.reg.DB(), nil)
	pf.SetBucket(memblob.OpenBucket(nil))
	s.svc.SetPortfolio(pf)
	direction := Actor{PersonID: s.direction.PersonID, Roles: []identity.Role{identity.RoleDirection}}
	start := time.Now() // clock-ok: measures the rendering
	if err := s.svc.Publish(ctx, s.tn, direction, &s.period, s.class, true); err != nil {
		t.Fatalf("publish: %v", err)
	}
	t.Logf("published 2 report cards with their PDFs in %v", time.Since(start)) // clock-ok
	source := "grades:" + s.period.ID.String()
	item := func(pupil uuid.UUID) (portfolio.Item, []portfolio.File) {
		t.Helper()
		var it portfolio.Item
		var fs []portfolio.File
		err := s.reg.DB().ReadTx(ctx, s.tn, func(tx *gorm.DB) error {
			id, err := pf.Of(tx, pupil, source)
			if err != nil || id == uuid.Nil {
				return err
			}
			if err := tx.Raw(`SELECT * FROM portfolio_items WHERE id = ?`, id).Scan(&it).Error; err != nil {
				return err
			}
			fs, err = pf.ItemFiles(tx, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return it, fs
	}
	it, fs := item(s.zoe.PersonID)
	if it.Kind != portfolio.ReportCard || it.Title != "Bulletin du 1er trimestre" || it.Summary != "Moyenne générale : 13,75" || len(fs) != 1 {
		t.Fatalf("Zoé's item: %+v, %d files", it, len(fs))
	}
	fc, err := pf.Open(ctx, s.tn, fs[0])
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(fc); err != nil || fc.Altered() != nil || !bytes.HasPrefix(buf.Bytes(), []byte("%PDF")) {
		t.Fatalf("the PDF: %v %v", err, fc.Altered())
	}
	fc.Close()
	if n, fsNoel := item(s.noel.PersonID); n.Summary != "Moyenne générale : 9,50" || len(fsNoel) != 1 {
		t.Errorf("Noël's item: %+v", n)
	}

	if err := s.svc.Publish(ctx, s.tn, direction, &s.period, s.class, true); err != nil {
		t.Fatalf("publish again: %v", err)
	}
	again, fs2 := item(s.zoe.PersonID)
	if again.ID != it.ID || len(fs2) != 1 || fs2[0].ID == fs[0].ID {
		t.Errorf("published again: item %s (was %s), files %+v", again.ID, it.ID, fs2)
	}
	if _, err := pf.Open(ctx, s.tn, fs[0]); err == nil {
		t.Errorf("the replaced PDF is still in the store")
	}
	if n := s.count(t, `SELECT count(*) FROM portfolio_items`); n != 2 {
		t.Errorf("%d items, want one per pupil", n)
	}

	if err := s.svc.Publish(ctx, s.tn, direction, &s.period, s.class, false); err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	if n := s.count(t, `SELECT count(*) FROM portfolio_items`); n != 0 {
		t.Errorf("%d items after the withdrawal", n)
	}

	// A class of 35: the publication's time with its 35 PDFs rendered inline.
	s.exec(t, `INSERT INTO people (id, category, roles, last_name, first_name) SELECT gen_random_uuid(), 'eleve', '{eleve}', 'Élève', 'N' || i FROM generate_series(1, 33) i`)
	s.exec(t, `INSERT INTO class_members (class_id, person_id) SELECT ?, id FROM people WHERE last_name = 'Élève'`, s.class)
	start = time.Now() // clock-ok: measures the rendering
	if err := s.svc.Publish(ctx, s.tn, direction, &s.period, s.class, true); err != nil {
		t.Fatalf("publish 35: %v", err)
	}
	t.Logf("published 35 report cards with their PDFs in %v", time.Since(start)) // clock-ok
	if n := s.count(t, `SELECT count(*) FROM portfolio_files`); n != 35 {
		t.Errorf("%d PDFs, want 35", n)
	}
}
