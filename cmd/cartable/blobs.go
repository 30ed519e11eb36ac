package main

import (
	"context"
	"fmt"
	"path/filepath"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:///… : a local folder (the default, under the data folder)
	_ "gocloud.dev/blob/memblob"  // mem:// : in memory (tests that build their configuration by hand)
	_ "gocloud.dev/blob/s3blob"   // s3://bucket?region=…&endpoint=… : S3-compatible storage in production
)

// blobURLOf is where documents (attendance's justificatifs) are kept: CARTABLE_BLOB_URL, else
// a "blobs" folder of the data folder, created when missing.
func blobURLOf(blobURL, dataDir string) (string, error) {
	if blobURL != "" {
		return blobURL, nil
	}
	abs, err := filepath.Abs(filepath.Join(dataDir, "blobs"))
	if err != nil {
		return "", fmt.Errorf("blob store folder: %w", err)
	}
	return "file://" + filepath.ToSlash(abs) + "?create_dir=true", nil
}

// openBlobs opens the blob store of the configuration. A configuration built without
// loadConfig (tests) names none: documents are then kept in memory.
func openBlobs(ctx context.Context, cfg config) (*blob.Bucket, error) {
	u := cfg.BlobURL
	if u == "" {
		u = "mem://"
	}
	b, err := blob.OpenBucket(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("CARTABLE_BLOB_URL=%q: open the blob store: %w", u, err)
	}
	return b, nil
}
