package directory_test

import (
	"context"
	"encoding/json"
	"testing"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestMeKeptUntilChanged: /api/v1/me's kept answer is given again while nothing it shows
// changed, and follows each kind of change: the person's name, a guardianship, a class.
func TestMeKeptUntilChanged(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, tenanttest.UAI(33, 61), "Lycée Max-Linder")
	fam := seedFamily(t, f, tn)
	me := func() directory.Me {
		t.Helper()
		body, err := f.svc.MeJSON(ctx, tn, fam.guardian)
		if err != nil {
			t.Fatal(err)
		}
		var m directory.Me
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		return m
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := f.reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
			t.Fatal(err)
		}
	}
	if m := me(); m.Person.FirstName != "Marc" || len(m.Children) != 3 {
		t.Fatalf("me = %+v, want Marc with 3 active children (legal or not)", m)
	}
	if m := me(); m.Person.FirstName != "Marc" || len(m.Children) != 3 {
		t.Fatalf("kept answer = %+v", m)
	}
	exec(`UPDATE people SET first_name = 'Marc-Antoine' WHERE id = ?`, fam.guardian)
	if m := me(); m.Person.FirstName != "Marc-Antoine" {
		t.Errorf("after a rename: %q", m.Person.FirstName)
	}
	exec(`DELETE FROM guardianships WHERE pupil_id = ? AND guardian_id = ?`, fam.nephew, fam.guardian)
	if m := me(); len(m.Children) != 2 {
		t.Errorf("after a guardianship ended: %d children, want 2", len(m.Children))
	}
	exec(`INSERT INTO class_members (class_id, person_id) SELECT id, ? FROM classes WHERE code = '2NDE1'`, fam.guardian)
	if m := me(); len(m.Classes) != 1 || m.Classes[0] != "2NDE1" {
		t.Errorf("after joining a class: %v", m.Classes)
	}
	other := f.provision(t, tenanttest.UAI(33, 62), "Lycée Élie-Faure")
	if _, err := f.svc.MeJSON(ctx, other, fam.guardian); err == nil {
		t.Error("another establishment answered the person's kept /me")
	}
}
