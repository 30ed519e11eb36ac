package main

import (
	"os"
	"path/filepath"
	"testing"
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
