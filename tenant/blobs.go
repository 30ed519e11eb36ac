package tenant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// The blob store (Options.Blobs) keeps the modules' documents of every establishment, each
// under the establishment's prefix (BlobPrefix); rows keep keys relative to it. The export
// carries an establishment's blobs (blobs/<key> in the archive) and the import writes them
// under the restored establishment's new prefix, so its rows find them again.

// BlobPrefix is the prefix of t's keys in the blob store: "<id>/".
func BlobPrefix(t *Tenant) string { return t.ID.String() + "/" }

// Blobs is the registry's blob store, or nil.
func (r *Registry) Blobs() *blob.Bucket { return r.opts.Blobs }

// exportBlobs copies t's blobs into dir/blobs and describes them.
func (r *Registry) exportBlobs(ctx context.Context, t *Tenant, dir string) ([]ArchiveEntry, error) {
	out := []ArchiveEntry{}
	if r.opts.Blobs == nil {
		return out, nil
	}
	prefix := BlobPrefix(t)
	it := r.opts.Blobs.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list blobs: %w", err)
		}
		if obj.IsDir {
			continue
		}
		e := ArchiveEntry{Path: "blobs/" + strings.TrimPrefix(obj.Key, prefix)}
		if !blobEntryOK(e.Path) {
			return nil, fmt.Errorf("blob %q: a key the archive cannot carry", obj.Key)
		}
		if e.SHA256, e.Size, err = r.copyBlob(ctx, obj.Key, filepath.Join(dir, filepath.FromSlash(e.Path))); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
}

// copyBlob writes the blob key to dst and returns its SHA-256 and size.
func (r *Registry) copyBlob(ctx context.Context, key, dst string) (string, int64, error) {
	rd, err := r.opts.Blobs.NewReader(ctx, key, nil)
	if err != nil {
		return "", 0, fmt.Errorf("read blob %s: %w", key, err)
	}
	defer rd.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, err
	}
	f, err := os.Create(dst)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), rd)
	if err != nil {
		return "", 0, fmt.Errorf("read blob %s: %w", key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, f.Close()
}

// importBlobs writes the archive's blobs (verified by readArchive) under t's prefix and
// returns the keys written, for removeBlobs if the restoration fails.
func (r *Registry) importBlobs(ctx context.Context, t *Tenant, m *Manifest, dir string) ([]string, error) {
	if len(m.Blobs) == 0 {
		return nil, nil
	}
	if r.opts.Blobs == nil {
		return nil, invalidArchive("l'archive contient %d documents mais ce serveur n'a pas de stockage de documents (CARTABLE_BLOB_URL)", len(m.Blobs))
	}
	var written []string
	for _, e := range m.Blobs {
		key := BlobPrefix(t) + strings.TrimPrefix(e.Path, "blobs/")
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.Path)))
		if err == nil {
			err = r.opts.Blobs.WriteAll(ctx, key, data, nil)
		}
		if err != nil {
			return written, fmt.Errorf("restore blob %s: %w", e.Path, err)
		}
		written = append(written, key)
	}
	return written, nil
}

// removeBlobs deletes blobs written by a restoration that failed.
func (r *Registry) removeBlobs(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := r.opts.Blobs.Delete(context.WithoutCancel(ctx), k); err != nil {
			r.opts.Logger.Warn("restoration failed: a restored blob stays", "key", k, "err", err)
		}
	}
}

func blobEntryOK(p string) bool {
	rest, ok := strings.CutPrefix(p, "blobs/")
	return ok && safeRelative(rest)
}

// dropBlobs deletes every blob of t (its schema purged for good).
func (r *Registry) dropBlobs(ctx context.Context, t *Tenant) error {
	if r.opts.Blobs == nil {
		return nil
	}
	it := r.opts.Blobs.List(&blob.ListOptions{Prefix: BlobPrefix(t)})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if obj.IsDir {
			continue
		}
		if err := r.opts.Blobs.Delete(ctx, obj.Key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return err
		}
	}
}
