package attendance_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestRegisterArchive: a pupil and the teacher who took the roll, purged three months
// after leaving, stay in the registre d'appel; the year, once ended, is archived with
// names, read-only (the database refuses to change it; rolls and decisions of that year
// are refused), downloadable by the vie scolaire only, and deleted after ten years.
func TestRegisterArchive(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 8)
	dir := directorytest.NewEnv(t, reg).Directory
	monday := s.svc.Today()
	mon := s.registers(t, monday)
	s.save(t, mon["08:00"], map[uuid.UUID]attendance.Mark{s.alice: absent, s.bruno: {Status: attendance.Late, Minutes: 5}})
	s.save(t, mon["13:30"], map[uuid.UUID]attendance.Mark{})
	eventOf := func(pupil uuid.UUID) attendance.Event {
		t.Helper()
		p, err := s.svc.Pupil(sctx, s.tn, s.vs(), pupil)
		if err != nil || len(p.Events) != 1 {
			t.Fatalf("events of %s: %+v, %v", pupil, p, err)
		}
		return p.Events[0]
	}
	if err := s.svc.Decide(sctx, s.tn, s.vs(), eventOf(s.alice).ID, attendance.DecisionForm{Motif: s.motif(t, "Maladie")}); err != nil {
		t.Fatal(err)
	}
	lateness := eventOf(s.bruno)

	// Alice and her maths teacher leave in November; the purge comes three months later.
	left := monday.AddDate(0, 1, 0)
	s.exec(t, `UPDATE people SET active = false, deactivated_at = ?, purge_after = ? WHERE id IN ?`, left, left.AddDate(0, 3, 0), []uuid.UUID{s.alice, s.maths})
	if r, err := dir.PurgeLeavers(sctx, s.tn, left.AddDate(0, 3, 1), identity.Records{}); err != nil || r.People != 2 {
		t.Fatalf("purge: %+v, %v", r, err)
	}
	if n := s.count(t, `SELECT count(*) FROM absences WHERE pupil_id = ?`, s.alice); n != 0 {
		t.Fatalf("Alice's absences still live after her purge: %d", n)
	}

	// The year ends on 7 July 2027; the archival runs the next day.
	_, _, end := directory.SchoolYearOf(monday)
	after := time.Date(end.Year(), end.Month(), end.Day()+1, 3, 0, 0, 0, directory.SchoolZone)
	res, err := s.svc.ArchiveYears(sctx, s.tn, after.AddDate(0, 0, -1))
	if err != nil || len(res.Closed) != 0 {
		t.Fatalf("archival on the year's last day: %+v, %v; want nothing closed", res, err)
	}
	if res, err = s.svc.ArchiveYears(sctx, s.tn, after); err != nil || len(res.Closed) != 1 || res.Closed[0] != "2026-2027" {
		t.Fatalf("archival: %+v, %v; want 2026-2027 closed", res, err)
	}
	if res, err = s.svc.ArchiveYears(sctx, s.tn, after.AddDate(0, 0, 1)); err != nil || len(res.Closed)+len(res.Purged) != 0 {
		t.Fatalf("second archival: %+v, %v; want nothing", res, err)
	}
	years, err := s.svc.Archives(sctx, s.tn, s.vs())
	if err != nil || len(years) != 1 || years[0].Registers != 2 || years[0].Entries != 2 || years[0].KeepUntil.Year() != end.Year()+10 {
		t.Fatalf("archives: %+v, %v; want one year, 2 registers, 2 pupils, kept 10 years", years, err)
	}
	var csv bytes.Buffer
	if err := s.svc.WriteArchiveCSV(sctx, s.tn, s.vs(), "2026-2027", &csv); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"05/10/2026;08:00;09:00;2nde 1;Mathématiques;Lefèvre Claire;cours;05/10/2026 10:00;Claire Lefèvre;2;", ";Claire Lefèvre;2;MARTIN Alice;;Absent;0;Maladie;Justifiée",
		";BERNARD Bruno;;En retard;5;;À traiter", "05/10/2026;13:30;14:30;2nde 1;Mathématiques;Lefèvre Claire;cours;05/10/2026 10:00;Claire Lefèvre;2;;;Tous présents;0;;",
	} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("archived registre lacks %q:\n%s", want, csv.String())
		}
	}

	// Read-only: the archive cannot be changed, nor the year's live rows.
	for _, q := range []string{
		`UPDATE archived_register_entries SET status = 'present'`,
		`DELETE FROM archived_register_entries`,
		`DELETE FROM register_archives`,
	} {
		err := reg.DB().Tx(sctx, s.tn, func(tx *gorm.DB) error { return tx.Exec(q).Error })
		if err == nil || !strings.Contains(err.Error(), "archivé") {
			t.Errorf("%s: %v; want the archive refused", q, err)
		}
	}
	if _, err := s.svc.SaveRoll(sctx, s.tn, s.vs(), mon["08:00"].ID, map[uuid.UUID]attendance.Mark{s.bruno: present}); !errors.Is(err, fault.ErrConflict) ||
		!strings.Contains(err.Error(), "l'année scolaire 2026-2027 est archivée") {
		t.Errorf("roll of an archived year: %v; want refused", err)
	}
	if err := s.svc.Decide(sctx, s.tn, s.vs(), lateness.ID, attendance.DecisionForm{State: string(attendance.Unjustified)}); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("decision on an archived year: %v; want refused", err)
	}

	// Only the vie scolaire of the establishment sees it.
	if _, err := s.svc.Archives(sctx, s.tn, actor(s.spanish, identity.RoleEnseignant)); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a teacher lists the archive: %v", err)
	}
	other := newSchool(t, reg, 9)
	if ys, err := other.svc.Archives(sctx, other.tn, other.vs()); err != nil || len(ys) != 0 {
		t.Errorf("another establishment's archive: %+v, %v", ys, err)
	}
	if err := other.svc.WriteArchiveCSV(sctx, other.tn, other.vs(), "2026-2027", &bytes.Buffer{}); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("another establishment downloads 2026-2027: %v", err)
	}

	// Ten years later, the year goes: archive and live rows (not the day before).
	if res, err = s.svc.ArchiveYears(sctx, s.tn, after.AddDate(attendance.KeepYears, 0, -1)); err != nil || len(res.Purged) != 0 || res.PurgedRegisters != 0 {
		t.Fatalf("purge the day before ten years: %+v, %v", res, err)
	}
	archived := s.count(t, `SELECT count(*) FROM archived_registers`)
	if res, err = s.svc.ArchiveYears(sctx, s.tn, after.AddDate(attendance.KeepYears, 0, 1)); err != nil || len(res.Purged) != 1 {
		t.Fatalf("purge after ten years: %+v, %v", res, err)
	}
	if archived == 0 || res.PurgedRegisters != archived {
		t.Errorf("the purge reports %d registers, want the %d archived", res.PurgedRegisters, archived)
	}
	if n := s.count(t, `SELECT (SELECT count(*) FROM archived_registers) + (SELECT count(*) FROM archived_register_entries) + (SELECT count(*) FROM register_archives)
		+ (SELECT count(*) FROM registers WHERE taken_at IS NOT NULL) + (SELECT count(*) FROM absences)`); n != 0 {
		t.Errorf("%d rows left of the purged year", n)
	}
}
