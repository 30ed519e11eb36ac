package tenant_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"testing"
	"time"

	"gocloud.dev/blob/memblob"
	"gocloud.dev/gcerrors"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestExportCarriesBlobs: an establishment's documents in the blob store travel in its
// export and come back under the restored establishment's prefix (a new id), with the same
// keys within it; another establishment's stay out; a tampered or misplaced blob entry is
// refused; the purge of a deleted establishment removes its blobs.
func TestExportCarriesBlobs(t *testing.T) {
	ctx := t.Context()
	bucket := memblob.OpenBucket(nil)
	defer bucket.Close()
	reg := tenanttest.NewRegistry(t, tenant.Options{Blobs: bucket}, tenant.PoolOptions{})
	tn := tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	other := tenanttest.Provision(t, reg, "0332194F", "Lycée professionnel des Chartrons", "lycee-pro")
	put := func(tn *tenant.Tenant, key, body string) {
		if err := bucket.WriteAll(ctx, tenant.BlobPrefix(tn)+key, []byte(body), nil); err != nil {
			t.Fatal(err)
		}
	}
	put(tn, "attendance/0123abcd", "%PDF-1.4 ordonnance")
	put(tn, "attendance/4567ef01", "\x89PNG mot des parents")
	put(other, "attendance/89ab", "another lycée's")

	var archive bytes.Buffer
	m, err := reg.Export(ctx, "0330021U", &archive)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Blobs) != 2 || m.Blobs[0].Path != "blobs/attendance/0123abcd" || m.Blobs[0].SHA256 == "" {
		t.Fatalf("exported blobs: %+v", m.Blobs)
	}
	if _, err := reg.Delete(ctx, "0330021U", "test"); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"a blob tampered":     rewriteEntry(t, archive.Bytes(), "blobs/attendance/0123abcd", func(b []byte) []byte { return append(b, '!') }),
		"a blob out of place": rewriteManifestPath(t, archive.Bytes(), "blobs/attendance/0123abcd", "blobs/../0123abcd"),
	} {
		var inv *fault.Invalid
		if _, err := reg.Import(ctx, bytes.NewReader(bad), "test"); !errors.As(err, &inv) {
			t.Errorf("%s: %v, want the archive refused", name, err)
		}
	}
	restored, err := reg.Import(ctx, bytes.NewReader(archive.Bytes()), "test")
	if err != nil {
		t.Fatal(err)
	}
	if restored.ID == tn.ID {
		t.Fatal("the restored establishment kept its id: the test proves nothing")
	}
	for key, want := range map[string]string{"attendance/0123abcd": "%PDF-1.4 ordonnance", "attendance/4567ef01": "\x89PNG mot des parents"} {
		got, err := bucket.ReadAll(ctx, tenant.BlobPrefix(restored)+key)
		if err != nil || string(got) != want {
			t.Errorf("restored %s: %q, %v", key, got, err)
		}
	}
	if _, err := bucket.ReadAll(ctx, tenant.BlobPrefix(restored)+"attendance/89ab"); gcerrors.Code(err) != gcerrors.NotFound {
		t.Errorf("another establishment's blob came with the export: %v", err)
	}

	// The deleted original, once its retention is over, is purged with its blobs.
	if _, err := reg.Purge(ctx, time.Now().Add(366*24*time.Hour), "test"); err != nil { // clock-ok: past any retention
		t.Fatal(err)
	}
	if _, err := bucket.ReadAll(ctx, tenant.BlobPrefix(tn)+"attendance/0123abcd"); gcerrors.Code(err) != gcerrors.NotFound {
		t.Errorf("the purged establishment's blob stays: %v", err)
	}
	if _, err := bucket.ReadAll(ctx, tenant.BlobPrefix(other)+"attendance/89ab"); err != nil {
		t.Errorf("the purge took another establishment's blob: %v", err)
	}
}

// rewriteEntry rewrites the archive with entry's body changed by edit (the manifest kept).
func rewriteEntry(t *testing.T, archive []byte, entry string, edit func([]byte) []byte) []byte {
	t.Helper()
	return rewriteArchive(t, archive, func(hdr *tar.Header, body []byte) []byte {
		if hdr.Name == entry {
			return edit(body)
		}
		return body
	})
}

// rewriteManifestPath renames an entry in the manifest and the archive.
func rewriteManifestPath(t *testing.T, archive []byte, from, to string) []byte {
	t.Helper()
	return rewriteArchive(t, archive, func(hdr *tar.Header, body []byte) []byte {
		if hdr.Name == "manifest.json" {
			return bytes.ReplaceAll(body, []byte(`"`+from+`"`), []byte(`"`+to+`"`))
		}
		if hdr.Name == from {
			hdr.Name = to
		}
		return body
	})
}

func rewriteArchive(t *testing.T, archive []byte, edit func(*tar.Header, []byte) []byte) []byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out bytes.Buffer
	gw := gzip.NewWriter(&out)
	tw := tar.NewWriter(gw)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		body = edit(hdr, body)
		hdr.Size = int64(len(body))
		tw.WriteHeader(hdr)
		tw.Write(body)
	}
	tw.Close()
	gw.Close()
	return out.Bytes()
}
