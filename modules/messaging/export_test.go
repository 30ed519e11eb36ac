package messaging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/tenant"
)

// exportWriter keeps what an exporter writes.
type exportWriter struct {
	json  []byte
	files map[string][]byte
}

func (w *exportWriter) JSON(v any) error {
	b, err := json.Marshal(v)
	w.json = b
	return err
}

func (w *exportWriter) File(name string, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if w.files == nil {
		w.files = map[string][]byte{}
	}
	w.files[name] = b
	return "fichiers/" + name, err
}

// TestExport: a person's export holds the messages they sent and received with their
// attachments, the blind copies only for the sender, and no other conversation, of this
// establishment or another.
func TestExport(t *testing.T) {
	e := newFilesEnv(t)
	s := e.school(t, e.a)
	o := e.school(t, e.b)
	ctx := context.Background()
	d := withFiles(draft("Sortie au musée", "Voici l'autorisation", s.g1), files.Upload{Name: "autorisation.pdf", Data: pdfBytes})
	d.Recipients[messaging.Bcc] = []string{s.vs.String()}
	e.send(t, s.tA, d)
	e.send(t, s.g3, draft("Autre famille", "Rien pour G1", s.tB))
	if _, err := e.svc.Send(ctx, e.b, o.g1, draft("Ailleurs", "Dans l'autre lycée", o.tA)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveDraft(ctx, e.a, s.g1, uuid.Nil, draft("Brouillon de G1", "pas fini", s.tA)); err != nil {
		t.Fatal(err)
	}
	export := func(who uuid.UUID) (string, map[string][]byte) {
		t.Helper()
		var w exportWriter
		if err := e.svc.Export(ctx, e.a, who, &w); err != nil {
			t.Fatal(err)
		}
		return string(w.json), w.files
	}

	got, fs := export(s.g1)
	for _, want := range []string{`"objet":"Sortie au musée"`, `"texte":"Voici l'autorisation"`, `"expediteur":"TA Test"`, `"votre_role":"a"`,
		`"nom":"autorisation.pdf"`, `"fichier":"fichiers/autorisation.pdf"`, `"objet":"Brouillon de G1"`} {
		if !strings.Contains(got, want) {
			t.Errorf("G1's export lacks %s:\n%s", want, got)
		}
	}
	for _, leak := range []string{"Autre famille", "Rien pour G1", "Ailleurs", "VS Test", `"cci"`} {
		if strings.Contains(got, leak) {
			t.Errorf("G1's export holds %q:\n%s", leak, got)
		}
	}
	if len(fs) != 1 || !bytes.Equal(fs["autorisation.pdf"], pdfBytes) {
		t.Errorf("G1's files: %d, want the attachment", len(fs))
	}
	// The sender sees the blind copy; its recipient sees themselves in it.
	if got, _ := export(s.tA); !strings.Contains(got, `{"nom":"VS Test","role":"cci"}`) || !strings.Contains(got, `"votre_role":"de"`) {
		t.Errorf("sender's export:\n%s", got)
	}
	if got, _ := export(s.vs); !strings.Contains(got, `{"nom":"VS Test","role":"cci"}`) || !strings.Contains(got, `"objet":"Sortie au musée"`) {
		t.Errorf("blind copy's export:\n%s", got)
	}
	// Someone who holds nothing gets empty lists.
	if got, fs := export(s.p2); got != `{"messages":[],"brouillons":[]}` || len(fs) != 0 {
		t.Errorf("P2's export: %s, %d files", got, len(fs))
	}
}

// purgeReport records what the purges report.
type purgeReport struct{ runs []string }

func (r *purgeReport) Purged(_ context.Context, t *tenant.Tenant, kind string, count, bytes int64) error {
	r.runs = append(r.runs, fmt.Sprintf("%s %s %d %d", t.Name, kind, count, bytes))
	return nil
}

type reportTenants struct{ live []tenant.Tenant }

func (f reportTenants) Live(context.Context) ([]tenant.Tenant, error) { return f.live, nil }
func (f reportTenants) Get(_ context.Context, uai string) (*tenant.Tenant, error) {
	for i := range f.live {
		if string(f.live[i].UAI) == uai {
			return &f.live[i], nil
		}
	}
	return nil, fmt.Errorf("unknown %s", uai)
}

// TestPurgeReported: the daily purge reports, per establishment, the messages it deleted and
// their attachments' bytes: the day before the three years nothing, the day after the message.
func TestPurgeReported(t *testing.T) {
	e := newFilesEnv(t)
	s := e.school(t, e.a)
	e.school(t, e.b)
	start := e.clock.Now()
	e.send(t, s.tA, withFiles(draft("Vieux", "x", s.g1), files.Upload{Name: "a.pdf", Data: pdfBytes}))
	rep := &purgeReport{}
	j := e.svc.Jobs(reportTenants{[]tenant.Tenant{*e.a, *e.b}}, nil).SetReport(rep)
	e.clock.Set(start.AddDate(messaging.DefaultRetentionYears, 0, 0).Add(-time.Minute))
	if err := j.PurgeAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(start.AddDate(messaging.DefaultRetentionYears, 0, 0).Add(time.Minute))
	if err := j.PurgeAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("[%[1]s messages 0 0 %[2]s messages 0 0 %[1]s messages 1 %[3]d %[2]s messages 0 0]", e.a.Name, e.b.Name, len(pdfBytes))
	if got := fmt.Sprint(rep.runs); got != want {
		t.Errorf("reported %s, want %s", got, want)
	}
}
