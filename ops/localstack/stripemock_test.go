package localstack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStripeMockBinary: without the binary in the project's .bin/, the error says to run
// make stripe-mock; with it, stripe-mock starts, answers and stops.
func TestStripeMockBinary(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "modules", "billing")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := StripeMockBinary(sub); err == nil || !strings.Contains(err.Error(), "make stripe-mock") {
		t.Fatalf("missing binary: %v", err)
	}
	bin, err := StripeMockBinary("")
	if err != nil {
		t.Fatalf("the project's stripe-mock: %v", err)
	}
	m, err := StartStripeMock(context.Background(), StripeMockOptions{Binary: bin, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("StartStripeMock: %v", err)
	}
	if !strings.HasPrefix(m.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %s", m.URL())
	}
	// A second one at the same time (two test packages at once): every port its own.
	m2, err := StartStripeMock(context.Background(), StripeMockOptions{Binary: bin, Dir: t.TempDir()})
	if err != nil {
		t.Errorf("a second stripe-mock beside the first: %v", err)
	} else if err := m2.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if err := m.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
}
