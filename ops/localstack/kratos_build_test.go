package localstack

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("RepoRoot: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, kratosModuleDir, "go.mod")); err != nil {
		t.Errorf("RepoRoot = %s, which has no %s/go.mod: %v", root, kratosModuleDir, err)
	}
	if v, err := KratosVersion(root); err != nil || v != "v1.3.1" {
		t.Errorf("KratosVersion = %q, %v; want v1.3.1", v, err)
	}
	if _, err := repoRootFrom(t.TempDir()); err == nil {
		t.Error("repoRootFrom(a temporary folder) found a repository root")
	}
}

// TestBuildKratosCache checks the reuse of .bin/kratos and of the user
// cache, on a fake wrapper module (nothing is compiled).
func TestBuildKratosCache(t *testing.T) {
	root := t.TempDir()
	moduleDir := filepath.Join(root, kratosModuleDir)
	if err := os.MkdirAll(moduleDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"go.mod":  "module example.com/kratos\n\nrequire github.com/ory/kratos v1.3.1\n",
		"go.sum":  "",
		"main.go": "package main\n",
	} {
		if err := os.WriteFile(filepath.Join(moduleDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cacheHome := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cacheHome)
	key, _, err := kratosInputsHash(moduleDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != 12 {
		t.Fatalf("cache key %q, want 12 hex digits", key)
	}
	cached := filepath.Join(cacheHome, "cartable", "kratos-"+key)
	if err := os.MkdirAll(filepath.Dir(cached), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cached, []byte("cached binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	bin, err := BuildKratos(ctx, root, nil)
	if err != nil {
		t.Fatalf("BuildKratos (cached): %v", err)
	}
	if want := filepath.Join(root, ".bin", "kratos"); bin != want {
		t.Errorf("BuildKratos = %s, want %s", bin, want)
	}
	if data, err := os.ReadFile(bin); err != nil || string(data) != "cached binary" {
		t.Fatalf(".bin/kratos = %q, %v; want the cached copy", data, err)
	}
	if info, err := os.Stat(bin); err != nil || info.Mode().Perm()&0o111 == 0 {
		t.Errorf(".bin/kratos is not executable: %v", err)
	}

	// A newer .bin/kratos is used as is, even if the cache disappears.
	if err := os.WriteFile(bin, []byte("local binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(cached); err != nil {
		t.Fatal(err)
	}
	if _, err := BuildKratos(ctx, root, nil); err != nil {
		t.Fatalf("BuildKratos (up to date): %v", err)
	}
	if data, _ := os.ReadFile(bin); string(data) != "local binary" {
		t.Errorf(".bin/kratos = %q, want it untouched", data)
	}

	// Changing the module changes the key: the matching cached copy is used.
	if err := os.WriteFile(filepath.Join(moduleDir, "main.go"), []byte("package main // v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour) // clock-ok: a file mtime newer than the cache, on the real file system
	if err := os.Chtimes(filepath.Join(moduleDir, "main.go"), future, future); err != nil {
		t.Fatal(err)
	}
	key2, _, err := kratosInputsHash(moduleDir)
	if err != nil || key2 == key {
		t.Fatalf("key after a change = %q (%v), want a new one", key2, err)
	}
	if err := os.WriteFile(filepath.Join(cacheHome, "cartable", "kratos-"+key2), []byte("binary v2"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := BuildKratos(ctx, root, nil); err != nil {
		t.Fatalf("BuildKratos (changed module): %v", err)
	}
	if data, _ := os.ReadFile(bin); string(data) != "binary v2" {
		t.Errorf(".bin/kratos = %q, want the cached copy for the new key", data)
	}
}
