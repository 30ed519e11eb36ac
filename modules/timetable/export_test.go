package timetable_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// exportWriter keeps what an exporter writes (module.ExportWriter).
type exportWriter struct{ json bytes.Buffer }

func (w *exportWriter) JSON(v any) error { return json.NewEncoder(&w.json).Encode(v) }
func (w *exportWriter) File(string, io.Reader) (string, error) {
	return "", errors.New("the timetable exports no file")
}

// TestExport: a pupil's export holds the lessons of their class and groups, a teacher's the
// lessons they give; neither holds another class's lessons nor anyone's name.
func TestExport(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	s := newSchool(t, reg, 31)
	s.slot(t, timetable.SlotForm{ClassID: s.class.String(), Subject: "MATHS", Teachers: []string{s.maths.String()}, Room: "B12", Weekday: "1", Start: "08:00", End: "09:00"})
	s.slot(t, timetable.SlotForm{ClassID: s.group.String(), Subject: "ESP", Teachers: []string{s.spanish.String()}, Room: "C3", Weekday: "2", Start: "10:00", End: "11:00"})
	s.slot(t, timetable.SlotForm{ClassID: s.other.String(), Subject: "MATHS", Teachers: []string{s.spanish.String()}, Room: "Z99", Weekday: "3", Start: "14:00", End: "15:00"})

	var alice exportWriter
	if err := s.svc.Export(sctx, s.tn, s.alice, &alice); err != nil {
		t.Fatal(err)
	}
	got := alice.json.String()
	for _, want := range []string{`"room":"B12"`, `"room":"C3"`, `"subject_label":"Mathématiques"`, `"class":"2NDE-ESP"`, `"teaching":false`} {
		if !strings.Contains(got, want) {
			t.Errorf("Alice's export lacks %s: %s", want, got)
		}
	}
	for _, never := range []string{"Z99", "Lefèvre", "Moreau", "Claire", s.mathsLogin} {
		if strings.Contains(got, never) {
			t.Errorf("Alice's export holds %q: %s", never, got)
		}
	}
	var teacher exportWriter
	if err := s.svc.Export(sctx, s.tn, s.maths, &teacher); err != nil {
		t.Fatal(err)
	}
	if got := teacher.json.String(); !strings.Contains(got, `"room":"B12"`) || !strings.Contains(got, `"teaching":true`) || strings.Contains(got, "C3") || strings.Contains(got, "Z99") {
		t.Errorf("the maths teacher's export: %s", got)
	}
}
