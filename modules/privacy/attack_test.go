package privacy_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/privacy"
)

// TestAttackChildExportOtherEstablishment: Alice's account is a pupil's in lycée a and in
// lycée b. Agnès is her legal guardian in a's directory only (a's staff can write that link,
// a CSV import suffices). Her export of Alice must hold what a keeps, not what b keeps:
// b's directory does not know Agnès as anyone's guardian.
func TestAttackChildExportOtherEstablishment(t *testing.T) {
	s := newSite(t)
	f := s.seed()
	inB := uuid.New()
	s.Exec(s.b, `INSERT INTO people (id, identity_id, category, roles, last_name, first_name) VALUES (?, ?, 'eleve', '{eleve}', 'Martin', 'Alice')`,
		inB, f.alice.IdentityID)
	if err := s.Reg.Platform().Exec(`INSERT INTO platform.memberships (identity_id, tenant_id, person_id, roles) VALUES (?, ?, ?, '{eleve}')`,
		f.alice.IdentityID, s.b.ID, inB).Error; err != nil {
		t.Fatal(err)
	}
	classB := s.one(s.b, `SELECT id FROM classes WHERE code = '2NDE1'`)
	teacherB := s.one(s.b, `SELECT teacher_id FROM evaluations LIMIT 1`)
	aliceInB := person{First: "Alice"}
	aliceInB.PersonID, aliceInB.IdentityID = inB, f.alice.IdentityID
	s.seedPupil(s.b, classB, teacherB, &aliceInB, "alice-in-b")

	own, _ := s.exportOf(t, s.a, f.alice, "")
	if !strings.Contains(own[string(s.b.UAI)+"/grades.json"], "Commentaire-note-alice-in-b") {
		t.Fatalf("Alice's own export lacks her marks of b: %s", names(own))
	}
	files, _ := s.exportOf(t, s.a, f.aliceMum, string(s.a.UAI)+":"+f.alice.PersonID.String())
	if !strings.Contains(files[string(s.a.UAI)+"/grades.json"], "Commentaire-note-alice") {
		t.Errorf("the guardian's export lacks Alice's marks of a: %s", names(files))
	}
	for name, body := range files {
		if strings.HasPrefix(name, privacy.PlatformFolder+"/") {
			t.Errorf("the guardian of a got Alice's account (its sessions, every establishment): %s", name)
		}
		if strings.HasPrefix(name, string(s.b.UAI)+"/") || strings.Contains(body, "alice-in-b") {
			t.Errorf("the guardian of a got what lycée b keeps about Alice: %s", name)
		}
	}
}
