package grades_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGuardianshipAskedOfDirectory keeps the legal-guardian rule in one place: the grades ask
// the directory (directory.Guardianship, tested there) and never read its family table.
// Who sees what through it is tested in TestServicePupilMarks, TestServiceReportCards and TestServiceIsolation.
func TestGuardianshipAskedOfDirectory(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "guardianships") {
			t.Errorf("%s reads the guardianships table: ask the directory (Guardians) instead", f)
		}
	}
}
