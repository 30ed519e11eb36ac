package privacy_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// portfolioExport is the portfolio's exporter for the benchmark: the module's own once it
// declares one (helper folio's part of issue 15), else the same work done here: every item,
// its documents copied from the blob store, checked against their checksums.
func portfolioExport(svc *portfolio.Service, db *tenant.DB) module.Module {
	if m := portfolio.NewHandler(svc).Module(); m.Export != nil {
		return m
	}
	export := func(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
		if t == nil {
			return nil
		}
		var items []portfolio.Item
		var docs []portfolio.File
		if err := db.ReadTx(ctx, t, func(tx *gorm.DB) error {
			if err := tx.Where("pupil_id = ?", person).Order("school_year, occurred_at, id").Find(&items).Error; err != nil {
				return err
			}
			return tx.Raw(`SELECT f.* FROM portfolio_files f JOIN portfolio_items i ON i.id = f.item_id WHERE i.pupil_id = ? ORDER BY f.item_id, f.created_at, f.id`, person).Scan(&docs).Error
		}); err != nil {
			return err
		}
		type item struct {
			portfolio.Item
			Paths []string `json:"documents"`
		}
		paths := map[uuid.UUID][]string{}
		for _, d := range docs {
			p, err := svc.Files().Export(ctx, t, d.Stored(), w)
			if err != nil {
				return err
			}
			paths[d.ItemID] = append(paths[d.ItemID], p)
		}
		out := make([]item, len(items))
		for i, it := range items {
			out[i] = item{Item: it, Paths: paths[it.ID]}
		}
		return w.JSON(map[string]any{"elements": out})
	}
	return module.Module{Name: "portfolio", Export: export, ExportAbout: "Portfolio"}
}

// BenchmarkExportPupil3Years: the export of a pupil with three years of work, 500 portfolio
// items and 200 MB of documents (real PostgreSQL, the blob store on local disk), with their
// marks, absences and the other modules' data; issue 15 asks for under 60 s.
func BenchmarkExportPupil3Years(b *testing.B) {
	s := newSite(b)
	f := s.seed()
	pf := portfolio.NewService(s.Reg.DB(), s.Clock.Now)
	pf.SetBucket(s.bucket)
	s.mods = append(s.mods, portfolioExport(pf, s.Reg.DB()))
	s.svc.SetModules(s.mods)
	const items, total = 500, 200 << 20
	per := total / items
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, per)
	years := []string{"2023-2024", "2024-2025", s.Year()}
	ctx := context.Background()
	for i := range items {
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		copy(data, "%PDF-1.7\n")
		key := "portfolio/" + uuid.NewString()
		if err := s.bucket.WriteAll(ctx, tenant.BlobPrefix(s.a)+key, data, nil); err != nil {
			b.Fatal(err)
		}
		sum := sha256.Sum256(data)
		item := s.one(s.a, `INSERT INTO portfolio_items (pupil_id, school_year, kind, source, subject_label, title, summary, body, occurred_at, created_at, updated_at)
			VALUES (?, ?, 'submission', ?, 'Mathématiques', ?, 'Rendu à temps', ?, now(), now(), now()) RETURNING id`,
			f.alice.PersonID, years[i%3], fmt.Sprintf("cahier:%d", i), fmt.Sprintf("Devoir %d", i), "Texte du devoir rendu. ")
		s.Exec(s.a, `INSERT INTO portfolio_files (item_id, blob_key, name, content_type, size, sha256, created_at) VALUES (?, ?, ?, 'application/pdf', ?, ?, now())`,
			item, key, fmt.Sprintf("devoir-%d.pdf", i), per, hex.EncodeToString(sum[:]))
	}
	b.ResetTimer()
	for b.Loop() {
		e, err := s.svc.Request(ctx, f.alice.IdentityID, "Alice", nil)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now() // clock-ok: measures a duration, not a date
		if err := s.svc.Build(ctx, e.ID); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/export")
		list, _ := s.svc.List(ctx, f.alice.IdentityID)
		if list[0].Size == nil || *list[0].Size < total {
			b.Fatalf("export of %v bytes, want at least %d", list[0].Size, total)
		}
	}
	b.SetBytes(total)
}
