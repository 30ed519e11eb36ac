package messaging_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// env is a registry with two establishments and the messagerie on a pinned clock.
type env struct {
	reg   *tenant.Registry
	clock *testenv.Clock
	svc   *messaging.Service
	a, b  *tenant.Tenant
}

func newEnv(t testing.TB) *env {
	t.Helper()
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	e := &env{reg: reg, clock: testenv.NewClock(testenv.SchoolDay)}
	e.svc = messaging.NewService(reg.DB(), e.clock.Now, nil)
	e.a = tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	e.b = tenanttest.Provision(t, reg, tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	return e
}

// tx runs fn in a transaction of tn.
func (e *env) tx(t testing.TB, tn *tenant.Tenant, fn func(tx *gorm.DB) error) {
	t.Helper()
	if err := e.reg.DB().Tx(context.Background(), tn, fn); err != nil {
		t.Fatal(err)
	}
}

// school is a small establishment's structure: two classes, a group across them, their
// pupils, guardians, teachers and staff, as the directory's tables hold them.
type school struct {
	classA, classB, group uuid.UUID
	p1, p2, p3            uuid.UUID // p1, p2 in A; p3 in B; p1 and p3 in the group
	g1, g3, r1            uuid.UUID // legal guardians of p1 and p3; r1 a relative of p1, not legal
	tA, tB, tG            uuid.UUID // teachers of A, B and the group
	vs, dir, pers, admin  uuid.UUID
	left                  uuid.UUID // a pupil of A who left
	all                   map[uuid.UUID]string
}

func (e *env) school(t testing.TB, tn *tenant.Tenant) *school {
	t.Helper()
	s := &school{all: map[uuid.UUID]string{}}
	e.tx(t, tn, func(tx *gorm.DB) error {
		year := "2026-2027"
		if err := tx.Exec(`INSERT INTO school_years (code, starts_on, ends_on, current) SELECT ?, '2026-09-01', '2027-07-04', true
			WHERE NOT EXISTS (SELECT 1 FROM school_years WHERE current)`, year).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT code FROM school_years WHERE current`).Scan(&year).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques') ON CONFLICT DO NOTHING`).Error; err != nil {
			return err
		}
		class := func(kind, code string) uuid.UUID {
			var id uuid.UUID
			if err := tx.Raw(`INSERT INTO classes (kind, code, label, school_year) VALUES (?, ?, ?, ?) RETURNING id`, kind, code, code, year).Row().Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		s.classA, s.classB, s.group = class("classe", "2nde 1"), class("classe", "2nde 2"), class("groupe", "SPE-NSI")
		person := func(category, role, first string, active bool) uuid.UUID {
			var id uuid.UUID
			if err := tx.Raw(`INSERT INTO people (category, roles, last_name, first_name, active) VALUES (?, ARRAY[?]::text[], 'Test', ?, ?) RETURNING id`,
				category, role, first, active).Row().Scan(&id); err != nil {
				t.Fatal(err)
			}
			s.all[id] = first
			return id
		}
		member := func(class, person uuid.UUID) {
			if err := tx.Exec(`INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, class, person).Error; err != nil {
				t.Fatal(err)
			}
		}
		s.p1, s.p2, s.p3 = person("eleve", "eleve", "P1", true), person("eleve", "eleve", "P2", true), person("eleve", "eleve", "P3", true)
		s.left = person("eleve", "eleve", "Parti", false)
		member(s.classA, s.p1)
		member(s.classA, s.p2)
		member(s.classA, s.left)
		member(s.classB, s.p3)
		member(s.group, s.p1)
		member(s.group, s.p3)
		s.g1, s.g3, s.r1 = person("responsable", "responsable", "G1", true), person("responsable", "responsable", "G3", true), person("responsable", "responsable", "R1", true)
		for _, g := range []struct {
			pupil, guardian uuid.UUID
			legal           bool
		}{{s.p1, s.g1, true}, {s.p3, s.g3, true}, {s.p1, s.r1, false}} {
			if err := tx.Exec(`INSERT INTO guardianships (pupil_id, guardian_id, legal) VALUES (?, ?, ?)`, g.pupil, g.guardian, g.legal).Error; err != nil {
				t.Fatal(err)
			}
		}
		s.tA, s.tB, s.tG = person("personnel", "enseignant", "TA", true), person("personnel", "enseignant", "TB", true), person("personnel", "enseignant", "TG", true)
		for _, te := range []struct{ teacher, class uuid.UUID }{{s.tA, s.classA}, {s.tB, s.classB}, {s.tG, s.group}} {
			if err := tx.Exec(`INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS')`, te.teacher, te.class).Error; err != nil {
				t.Fatal(err)
			}
		}
		s.vs, s.dir = person("personnel", "vie_scolaire", "VS", true), person("personnel", "direction", "DIR", true)
		s.pers, s.admin = person("personnel", "personnel", "PERS", true), person("personnel", "admin", "ADMIN", true)
		return nil
	})
	return s
}

// mayWrite is MayWrite in a transaction of tn: whether every one of to may be written to.
func (e *env) mayWrite(t testing.TB, tn *tenant.Tenant, from uuid.UUID, to ...uuid.UUID) []messaging.Refusal {
	t.Helper()
	var out []messaging.Refusal
	e.tx(t, tn, func(tx *gorm.DB) error {
		var err error
		out, err = messaging.MayWrite(tx, from, to)
		return err
	})
	return out
}
