package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOnlyCmdCartableHasBrowserTests: make test's first pass skips every ^TestBrowser test and
// its second pass runs them in cmd/cartable only (without the race detector): a browser test
// written in another package would never run. It fails naming such a test.
func TestOnlyCmdCartableHasBrowserTests(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	browserTest := regexp.MustCompile(`(?m)^func (TestBrowser\w*)\(`)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") || filepath.Dir(path) == filepath.Join(root, "cmd", "cartable") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range browserTest.FindAllSubmatch(b, -1) {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: %s would never run: make test runs the TestBrowser* tests of cmd/cartable only (move it there, or rename it)", rel, m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
