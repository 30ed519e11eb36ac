package directory_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
)

// guardianFamily is a guardian with two legal children (one who left), a pupil of whom
// they are only a relative, and the same people ids looked up in another establishment.
type guardianFamily struct {
	guardian, zoe, elodie, left, nephew uuid.UUID
}

func seedFamily(t *testing.T, f *fixture, tn *tenant.Tenant) guardianFamily {
	t.Helper()
	fam := guardianFamily{uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()}
	err := f.reg.DB().Tx(context.Background(), tn, func(tx *gorm.DB) error {
		class := uuid.New()
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO school_years (code, starts_on, ends_on, current) VALUES ('2026-2027', '2026-09-01', '2027-07-04', true)`, nil},
			{`INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', '2026-2027')`, []any{class}},
			{`INSERT INTO people (id, category, roles, last_name, first_name, active) VALUES
				(?, 'responsable', '{responsable}', 'Gâtineau', 'Marc', true),
				(?, 'eleve', '{eleve}', 'Gâtineau', 'Zoé', true),
				(?, 'eleve', '{eleve}', 'Gâtineau', 'Élodie', true),
				(?, 'eleve', '{eleve}', 'Gâtineau', 'Paul', false),
				(?, 'eleve', '{eleve}', 'Girard', 'Hugo', true)`, []any{fam.guardian, fam.zoe, fam.elodie, fam.left, fam.nephew}},
			{`INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, []any{class, fam.zoe}},
			{`INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, true, 1), (?, ?, true, 1), (?, ?, false, 2)`,
				[]any{fam.zoe, fam.guardian, fam.elodie, fam.guardian, fam.left, fam.guardian, fam.nephew, fam.guardian}},
		} {
			if err := tx.Exec(q.sql, q.args...).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed family: %v", err)
	}
	return fam
}

func TestGuardianship(t *testing.T) {
	f := newFixture(t)
	tn := f.provision(t, "0330021U", "Lycée Montaigne")
	other := f.provision(t, "0330022V", "Lycée Montesquieu")
	fam := seedFamily(t, f, tn)
	g := directory.Guardianship{}
	read := func(tn *tenant.Tenant, fn func(tx *gorm.DB) error) {
		t.Helper()
		if err := f.reg.DB().ReadTx(context.Background(), tn, fn); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("legal guardian, relative, stranger", func(t *testing.T) {
		for _, c := range []struct {
			name            string
			guardian, pupil uuid.UUID
			want            bool
		}{
			{"legal child", fam.guardian, fam.zoe, true},
			{"relative only (quality 2)", fam.guardian, fam.nephew, false},
			{"the pupil themself", fam.zoe, fam.zoe, false},
			{"unknown person", uuid.New(), fam.zoe, false},
		} {
			read(tn, func(tx *gorm.DB) error {
				got, err := g.IsLegalGuardian(tx, c.guardian, c.pupil)
				if err == nil && got != c.want {
					t.Errorf("%s: IsLegalGuardian = %v; want %v", c.name, got, c.want)
				}
				return err
			})
		}
	})

	t.Run("children: legal, active, French order", func(t *testing.T) {
		read(tn, func(tx *gorm.DB) error {
			kids, err := g.LegalChildren(tx, fam.guardian)
			if err != nil {
				return err
			}
			var names []string
			for _, k := range kids {
				names = append(names, k.FirstName+" "+k.LastName+" ("+k.ClassLabel+")")
			}
			// Élodie before Zoé (byte order would put É after Z); Paul left; Hugo is a nephew.
			want := []string{"Élodie Gâtineau ()", "Zoé Gâtineau (2nde 1)"}
			if len(names) != len(want) || names[0] != want[0] || names[1] != want[1] {
				t.Errorf("children = %q; want %q", names, want)
			}
			return nil
		})
	})

	t.Run("another establishment knows nothing of the family", func(t *testing.T) {
		read(other, func(tx *gorm.DB) error {
			ok, err := g.IsLegalGuardian(tx, fam.guardian, fam.zoe)
			if err != nil {
				return err
			}
			kids, err := g.LegalChildren(tx, fam.guardian)
			if ok || len(kids) > 0 {
				t.Errorf("other establishment: guardian %v, %d children; want none", ok, len(kids))
			}
			return err
		})
	})
}
