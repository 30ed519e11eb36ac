package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// account is a person the scenario signs in as.
type account struct {
	Login, Password string
	Person          uuid.UUID
}

// teacher is an account with an evaluation it may mark and the pupils of its grid.
type teacher struct {
	account
	Evaluation uuid.UUID
	Pupils     []uuid.UUID
}

// guardian is a legal guardian with one child of the establishment.
type guardian struct {
	account
	Child uuid.UUID
}

// school is a fully populated establishment: its people and the period its report cards
// are published for.
type school struct {
	UAI, Slug string
	Period    uuid.UUID
	Pupils    []account
	Parents   []guardian
	Teachers  []teacher
}

// loadUAI is the i-th establishment's UAI, in Gironde, with its check letter.
func loadUAI(i int) string {
	const letters = "ABCDEFGHJKLMNPRSTUVWXYZ" // tenant.ParseUAI's
	num := 330000 + i
	return fmt.Sprintf("%07d%c", num, letters[num%23])
}

// provisionTenants opens n lycées (registry row, role, migrated schema each) with `parallel`
// provisionings at once.
func provisionTenants(ctx context.Context, reg *tenant.Registry, n, parallel int, log *slog.Logger) error {
	var next, done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, parallel)
	start := time.Now()
	for range parallel {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				nt := tenant.NewTenant{UAI: loadUAI(i), Name: fmt.Sprintf("Lycée de charge n°%d", i+1), Kind: "lycee", Slug: fmt.Sprintf("charge-%04d", i+1)}
				if _, _, err := reg.Provision(ctx, nt, "load"); err != nil {
					errs <- fmt.Errorf("provision %s: %w", nt.UAI, err)
					next.Store(int64(n))
					return
				}
				if d := done.Add(1); d%100 == 0 {
					log.Info("establishments provisioned", "done", d, "of", n, "elapsed", time.Since(start).Round(time.Second))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

// populationSizes are the pupils, relatives and staff of a fully populated lycée (those of
// `make dev`'s lycées).
var populationSizes = [3]int{70, 100, 14}

// populate fills the i-th establishment like `make dev` does one: its directory through the
// AAF import (accounts created in Kratos), three published evaluations per class × subject
// with marks, report cards published for the current period. It returns the accounts the
// scenario signs in as (at most `pick` pupils and parents, and `pickTeachers` teachers).
func populate(ctx context.Context, reg *tenant.Registry, dir *directory.Service, i, pick, pickTeachers int) (*school, error) {
	uai := loadUAI(i)
	t, err := reg.Get(ctx, uai)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := aaf.Generate(&buf, aaf.GenOptions{UAI: uai, Name: t.Name, Pupils: populationSizes[0], Parents: populationSizes[1], Staff: populationSizes[2], Seed: int64(i + 1)}); err != nil {
		return nil, err
	}
	rep, err := dir.ImportAAF(ctx, t, []directory.File{{Name: fmt.Sprintf("ENT_%s_Complet_20260901_Charge_0001.xml", uai), R: &buf}},
		directory.ImportOptions{Actor: "load", Scope: identity.Scope{All: true}})
	if err != nil {
		return nil, fmt.Errorf("AAF import of %s: %w", uai, err)
	}
	creds, err := dir.Credentials(ctx, t, rep.ID)
	if err != nil {
		return nil, err
	}
	passwords := map[string]string{}
	for _, c := range creds {
		passwords[c.Login] = c.Password
	}
	svc := grades.NewService(reg.DB(), nil)
	period, err := seedMarks(ctx, svc, reg.DB(), t)
	if err != nil {
		return nil, fmt.Errorf("marks of %s: %w", uai, err)
	}
	s := &school{UAI: uai, Slug: t.Slug, Period: period.ID}
	if err := pickPeople(ctx, reg.DB(), svc, t, s, passwords, pick, pickTeachers); err != nil {
		return nil, fmt.Errorf("people of %s: %w", uai, err)
	}
	return s, nil
}

// seedMarks is `make dev`'s demo marks (grades' SeedDemo: three published evaluations of the
// current period per class × subject, marks for every pupil); then the report cards of every
// class are published, as direction would.
func seedMarks(ctx context.Context, svc *grades.Service, db *tenant.DB, t *tenant.Tenant) (*grades.Period, error) {
	director := grades.Actor{Roles: []identity.Role{identity.RoleDirection}}
	p, err := svc.CurrentPeriod(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := svc.SeedDemo(ctx, t); err != nil {
		return nil, err
	}
	var classes []uuid.UUID
	err = db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM classes WHERE kind = 'classe'`).Scan(&classes).Error
	})
	if err != nil {
		return nil, err
	}
	for _, c := range classes {
		if err := svc.Publish(ctx, t, director, p, c, true); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// pickPeople chooses the accounts to sign in as: pupils in a class, legal guardians of a
// pupil in a class, teachers with an evaluation of theirs and its grid's pupils.
func pickPeople(ctx context.Context, db *tenant.DB, svc *grades.Service, t *tenant.Tenant, s *school, passwords map[string]string, pick, pickTeachers int) error {
	type row struct {
		ID         uuid.UUID
		Login      string
		Other      uuid.UUID // the child, or the evaluation
		Evaluation uuid.UUID
	}
	var pupils, parents, teachers []row
	err := db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT p.id, p.login FROM people p WHERE p.category = 'eleve' AND p.active AND p.login <> ''
			AND EXISTS (SELECT 1 FROM class_members m JOIN classes c ON c.id = m.class_id AND c.kind = 'classe' WHERE m.person_id = p.id)
			ORDER BY p.login`).Scan(&pupils).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT DISTINCT ON (g.guardian_id) g.guardian_id AS id, p.login, g.pupil_id AS other
			FROM guardianships g JOIN people p ON p.id = g.guardian_id
			WHERE g.legal AND p.active AND p.login <> ''
			AND EXISTS (SELECT 1 FROM class_members m JOIN classes c ON c.id = m.class_id AND c.kind = 'classe' WHERE m.person_id = g.pupil_id)
			ORDER BY g.guardian_id, g.pupil_id`).Scan(&parents).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT DISTINCT ON (te.teacher_id) te.teacher_id AS id, p.login, e.id AS evaluation
			FROM teachings te JOIN people p ON p.id = te.teacher_id
			JOIN evaluations e ON e.class_id = te.class_id AND e.subject_code = te.subject_code
			WHERE p.active AND p.login <> ''
			ORDER BY te.teacher_id, e.on_date`).Scan(&teachers).Error
	})
	if err != nil {
		return err
	}
	acct := func(r row) (account, bool) {
		pw := passwords[r.Login]
		return account{Login: r.Login, Password: pw, Person: r.ID}, pw != ""
	}
	for _, r := range pupils {
		if a, ok := acct(r); ok && len(s.Pupils) < pick {
			s.Pupils = append(s.Pupils, a)
		}
	}
	for _, r := range parents {
		if a, ok := acct(r); ok && len(s.Parents) < pick {
			s.Parents = append(s.Parents, guardian{account: a, Child: r.Other})
		}
	}
	director := grades.Actor{Roles: []identity.Role{identity.RoleDirection}}
	for _, r := range teachers {
		a, ok := acct(r)
		if !ok || len(s.Teachers) >= pickTeachers {
			continue
		}
		g, err := svc.Grid(ctx, t, director, r.Evaluation)
		if err != nil {
			return err
		}
		tc := teacher{account: a, Evaluation: r.Evaluation}
		for _, gr := range g.Rows {
			tc.Pupils = append(tc.Pupils, gr.PupilID)
		}
		s.Teachers = append(s.Teachers, tc)
	}
	if len(s.Pupils) == 0 || len(s.Parents) == 0 || len(s.Teachers) == 0 {
		return fmt.Errorf("found %d pupils, %d legal guardians and %d teachers with an initial password: need one of each", len(s.Pupils), len(s.Parents), len(s.Teachers))
	}
	return nil
}
