package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestBlobStore: the default blob store is a "blobs" folder of the data folder, created when
// first opened; an S3 URL opens with the s3blob driver (nothing is sent before a first use).
func TestBlobStore(t *testing.T) {
	data := t.TempDir()
	u, err := blobURLOf("", data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openBlobs(t.Context(), config{BlobURL: u})
	if err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	defer b.Close()
	if err := b.WriteAll(t.Context(), "t/attendance/k", []byte("%PDF-1.4"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, "blobs", "t", "attendance", "k")); err != nil {
		t.Errorf("the document is not under the data folder: %v", err)
	}
	if got, _ := blobURLOf("s3://cartable-docs?region=eu-west-3", data); got != "s3://cartable-docs?region=eu-west-3" {
		t.Errorf("CARTABLE_BLOB_URL not kept: %s", got)
	}
	s3, err := openBlobs(t.Context(), config{BlobURL: "s3://cartable-docs?region=eu-west-3&endpoint=https://s3.fr-par.scw.cloud&use_path_style=true"})
	if err != nil {
		t.Fatalf("open an S3 bucket: %v", err)
	}
	s3.Close()
}

// TestSweptEstablishments: the documents' sweep walks the live establishments and removes
// what is left of those purged for good, not of those deleted but still kept.
func TestSweptEstablishments(t *testing.T) {
	clock := testenv.NewClock(testenv.SchoolDay)
	reg := tenanttest.NewRegistry(t, tenant.Options{Now: clock.Now}, tenant.PoolOptions{})
	kept := tenanttest.Provision(t, reg, tenanttest.UAI(33, 81), "Lycée ouvert", "lycee")
	closed := tenanttest.Provision(t, reg, tenanttest.UAI(33, 82), "Lycée fermé", "lycee")
	if _, err := reg.Delete(t.Context(), string(closed.UAI), "test"); err != nil {
		t.Fatal(err)
	}
	l := liveTenants{reg}
	if p, err := l.Purged(t.Context()); err != nil || len(p) != 0 {
		t.Fatalf("purged before the purge: %v, %v", p, err)
	}
	if _, err := reg.Purge(t.Context(), clock.Now().AddDate(1, 0, 0), "test"); err != nil { // past any retention
		t.Fatal(err)
	}
	p, err := l.Purged(t.Context())
	if err != nil || len(p) != 1 || p[0].ID != closed.ID {
		t.Fatalf("purged: %v, %v; want %s", p, err, closed.UAI)
	}
	live, err := l.Live(t.Context())
	if err != nil || len(live) != 1 || live[0].ID != kept.ID {
		t.Fatalf("live: %v, %v; want %s", live, err, kept.UAI)
	}
}
