package directory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// exportWriter keeps what an exporter writes (module.ExportWriter).
type exportWriter struct{ json bytes.Buffer }

func (w *exportWriter) JSON(v any) error { return json.NewEncoder(&w.json).Encode(v) }
func (w *exportWriter) File(string, io.Reader) (string, error) {
	return "", errors.New("the directory exports no file")
}

// TestExport: a pupil's export holds their record, their class and their guardian's name;
// the guardian's holds their child's name; neither holds another family's.
func TestExport(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	uai := "0330021U"
	a := f.provision(t, uai, "Lycée Michel-Montaigne")
	if _, err := f.svc.ImportAAF(ctx, a, smallExport(uai, "10001", "19900001", "Anatole", "29900001"), directory.ImportOptions{Scope: regional}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ImportAAF(ctx, a, smallExport(uai, "10001", "19900002", "Zephyrin", "29900002"), directory.ImportOptions{Scope: regional}); err != nil {
		t.Fatal(err)
	}
	people := f.people(t, a)
	var pupil exportWriter
	if err := f.svc.Export(ctx, a, people["19900001"].ID, &pupil); err != nil {
		t.Fatal(err)
	}
	got := pupil.json.String()
	for _, want := range []string{`"first_name":"Anatole"`, `"national_key":"19900001"`, `"birth_date":"2009-05-14"`, `"code":"2NDE1"`,
		`"guardians":[{"title":"Mme","last_name":"Quintavalle","first_name":"Ombeline","legal_guardian":true`, `"source":"aaf"`, `"roles":["eleve"]`} {
		if !strings.Contains(got, want) {
			t.Errorf("the pupil's export lacks %s: %s", want, got)
		}
	}
	for _, never := range []string{"Zephyrin", "19900002", "29900001", people["29900001"].Login} {
		if strings.Contains(got, never) {
			t.Errorf("the pupil's export holds %q", never)
		}
	}
	var parent exportWriter
	if err := f.svc.Export(ctx, a, people["29900001"].ID, &parent); err != nil {
		t.Fatal(err)
	}
	if got := parent.json.String(); !strings.Contains(got, `"children":[{"title":"","last_name":"Quintavalle","first_name":"Anatole"`) || strings.Contains(got, "Zephyrin") {
		t.Errorf("the parent's export: %s", got)
	}
}

// TestArrivals: a committed AAF import tells the listener which pupils it added (not their
// parents, not the pupils it only updated); a dry run and a CSV import tell nothing.
func TestArrivals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	uai := "0330021U"
	a := f.provision(t, uai, "Lycée Michel-Montaigne")
	var told []directory.Arrival
	f.svc.SetArrivals(func(_ context.Context, tn *tenant.Tenant, pupils []directory.Arrival) error {
		if tn.ID != a.ID {
			t.Errorf("told about %s", tn.UAI)
		}
		told = append(told, pupils...)
		return errors.New("the listener fails: the import stands")
	})
	if _, err := f.svc.ImportAAF(ctx, a, smallExport(uai, "10001", "19900001", "Anatole", "29900001"), directory.ImportOptions{DryRun: true, Scope: regional}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ImportCSV(ctx, a, []directory.File{csvFile("p.csv", "Z1;eleve;Quintavalle;Zoe;01/01/2010;2NDE1;;;")}, directory.ImportOptions{Scope: identity.Scope{Tenant: a.ID}}); err != nil {
		t.Fatal(err)
	}
	if len(told) != 0 {
		t.Fatalf("a dry run or a CSV import told %+v", told)
	}
	if _, err := f.svc.ImportAAF(ctx, a, smallExport(uai, "10001", "19900001", "Anatole", "29900001"), directory.ImportOptions{Scope: regional}); err != nil {
		t.Fatalf("the import failed with its listener: %v", err)
	}
	p := f.people(t, a)["19900001"]
	if len(told) != 1 || told[0].PersonID != p.ID || told[0].AAFID != "19900001" || told[0].IdentityID == nil || *told[0].IdentityID != *p.IdentityID {
		t.Fatalf("told %+v, want the pupil %+v", told, p)
	}
	if _, err := f.svc.ImportAAF(ctx, a, smallExport(uai, "10001", "19900001", "Anatole", "29900001"), directory.ImportOptions{Scope: regional}); err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 {
		t.Errorf("the same import again told %+v", told[1:])
	}
}
