package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/notify"
)

// exportWriter keeps what an exporter writes.
type exportWriter struct {
	json  []byte
	files map[string]string
}

func (w *exportWriter) JSON(v any) error {
	b, err := json.Marshal(v)
	w.json = b
	return err
}

func (w *exportWriter) File(name string, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if w.files == nil {
		w.files = map[string]string{}
	}
	w.files[name] = string(b)
	return "fichiers/" + name, err
}

// TestExport: a person's export holds their notifications, preferences and e-mails, nobody
// else's, and nothing of another establishment.
func TestExport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.person(t, e.a, "eleve", "Alice", "alice@example.test")
	bob := e.person(t, e.a, "eleve", "Bob", "bob@example.test")
	elsewhere := e.person(t, e.b, "eleve", "Alice", "alice@example.test")
	e.notify(t, e.a, notify.Notice{Kind: notify.KindMessage, Recipients: []uuid.UUID{alice}, Title: "Pour Alice", Body: "Bonjour Alice", Link: "/messagerie"})
	e.notify(t, e.a, notify.Notice{Kind: notify.KindNews, Recipients: []uuid.UUID{bob}, Title: "Pour Bob seul"})
	e.notify(t, e.b, notify.Notice{Kind: notify.KindNews, Recipients: []uuid.UUID{elsewhere}, Title: "Dans l'autre lycée"})
	if err := e.svc.SetPreferences(ctx, e.a, alice, map[string]string{"news": "off"}); err != nil {
		t.Fatal(err)
	}
	var w exportWriter
	if err := e.svc.Export(ctx, e.a, alice, &w); err != nil {
		t.Fatal(err)
	}
	got := string(w.json)
	for _, want := range []string{`"titre":"Pour Alice"`, `"texte":"Bonjour Alice"`, `"lien":"/messagerie"`, `"type":"news","type_libelle":"Actualité","reception":"off","choisie":true`,
		`"adresse":"alice@example.test"`} {
		if !strings.Contains(got, want) {
			t.Errorf("export lacks %s:\n%s", want, got)
		}
	}
	for _, leak := range []string{"Pour Bob seul", "bob@example.test", "Dans l'autre lycée"} {
		if strings.Contains(got, leak) {
			t.Errorf("export holds %q:\n%s", leak, got)
		}
	}
	if len(w.files) != 0 {
		t.Errorf("files: %v", w.files)
	}
}
