package files

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Store keeps one kind's blobs in the blob store (a local folder in development,
// S3-compatible storage in production). A row keeps its blob's key within the
// establishment, "<dir><128 random bits>", nobody can guess; the bucket's key puts the
// establishment's id before it (tenant.BlobPrefix), so that one establishment's keys never
// fall under another's prefix and an establishment restored from its export (a new id, its
// blobs copied under it by tenant.Registry.Import) finds its documents again.
type Store struct {
	bucket *blob.Bucket
	kind   *Kind
	space  *Space // Within; nil: no quota
}

// NewStore keeps kind's blobs in bucket.
func NewStore(bucket *blob.Bucket, kind *Kind) *Store { return &Store{bucket: bucket, kind: kind} }

// Within makes the store refuse files that would take an establishment past its quota
// (Space.Admit), for every module whose store it is. Called once, while wiring.
func (s *Store) Within(sp *Space) { s.space = sp }

// Kind is what the store keeps.
func (s *Store) Kind() *Kind { return s.kind }

// Stored is a file as its row keeps it.
type Stored struct {
	Key         string // within the establishment
	Name        string
	ContentType string
	Size        int64
	SHA256      string // hex
}

// ErrCorrupt is a file whose bytes no longer match the checksum taken when it was sent.
var ErrCorrupt = errors.New("files: document does not match its checksum")

func (s *Store) newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return s.kind.Dir + hex.EncodeToString(b[:])
}

// Put writes checked files under new keys, in order, once the establishment's space
// admits them all (Within).
func (s *Store) Put(ctx context.Context, t *tenant.Tenant, cs ...Checked) ([]Stored, error) {
	if s.space != nil {
		if err := s.space.Admit(ctx, t, cs); err != nil {
			return nil, err
		}
	}
	out := make([]Stored, 0, len(cs))
	for _, c := range cs {
		f := Stored{Key: s.newKey(), Name: c.Name, ContentType: c.ContentType, Size: c.Size, SHA256: c.SHA256}
		if err := s.bucket.WriteAll(ctx, tenant.BlobPrefix(t)+f.Key, c.Data, &blob.WriterOptions{ContentType: c.ContentType, IfNotExist: true}); err != nil {
			err = fmt.Errorf("files: store %q: %w", c.Name, err)
			return nil, errors.Join(err, s.Remove(ctx, t, keys(out)...))
		}
		out = append(out, f)
	}
	return out, nil
}

// Storing writes the checked files' blobs, then runs record (which writes their rows in the
// change's transaction); if that fails, the blobs are deleted: a file is in the database
// and the store, or in neither (but for a crash between the two, which the sweep cleans).
func (s *Store) Storing(ctx context.Context, t *tenant.Tenant, cs []Checked, record func([]Stored) error) error {
	stored, err := s.Put(ctx, t, cs...)
	if err != nil {
		return err
	}
	if err := record(stored); err != nil {
		return errors.Join(err, s.Remove(ctx, t, keys(stored)...))
	}
	return nil
}

// Copying copies the blobs of fs under new keys (a copied document is a file of its own,
// counted in the establishment's space, so the space must admit them all: a refusal names
// field), then runs record with the copies, in fs's order; if that fails, the copies are
// deleted. A blob gone from the store is not found, and nothing is copied.
func (s *Store) Copying(ctx context.Context, t *tenant.Tenant, fs []Stored, field string, record func([]Stored) error) error {
	if s.space != nil {
		cs := make([]Checked, len(fs))
		for i, f := range fs {
			cs[i] = Checked{Name: f.Name, Size: f.Size, Field: field}
		}
		if err := s.space.Admit(ctx, t, cs); err != nil {
			return err
		}
	}
	out := make([]Stored, 0, len(fs))
	for _, f := range fs {
		c := f
		c.Key = s.newKey()
		err := s.bucket.Copy(ctx, tenant.BlobPrefix(t)+c.Key, tenant.BlobPrefix(t)+f.Key, nil)
		if gcerrors.Code(err) == gcerrors.NotFound {
			err = fault.New(fault.ErrNotFound, s.text(s.kind.Missing, "le fichier « %s » est introuvable dans le stockage"), f.Name)
		} else if err != nil {
			err = fmt.Errorf("files: copy %s: %w", f.Key, err)
		}
		if err != nil {
			return errors.Join(err, s.Remove(ctx, t, keys(out)...))
		}
		out = append(out, c)
	}
	if err := record(out); err != nil {
		return errors.Join(err, s.Remove(ctx, t, keys(out)...))
	}
	return nil
}

func keys(fs []Stored) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Key
	}
	return out
}

// Remove deletes blobs by their keys within t (already gone: done). It runs after the
// answer may have been decided (a failed transaction, a commit), so a request's end does not
// cut it short.
func (s *Store) Remove(ctx context.Context, t *tenant.Tenant, keys ...string) error {
	for _, k := range keys {
		if err := s.removeKey(ctx, tenant.BlobPrefix(t)+k); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) removeKey(ctx context.Context, key string) error {
	err := s.bucket.Delete(context.WithoutCancel(ctx), key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("files: delete %s: %w", key, err)
	}
	return nil
}

// Open opens a file's blob to be served (Serve): a file gone is not found, one whose blob
// has another size than its row says is a conflict (ErrCorrupt) and is not served; its bytes
// are checked against the checksum as they are read (Content).
func (s *Store) Open(ctx context.Context, t *tenant.Tenant, f Stored) (*Content, error) {
	r, err := s.bucket.NewReader(ctx, tenant.BlobPrefix(t)+f.Key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fault.New(fault.ErrNotFound, s.text(s.kind.Missing, "le fichier « %s » est introuvable dans le stockage"), f.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("files: open %s: %w", f.Key, err)
	}
	altered := fault.Wrap(fault.ErrConflict, ErrCorrupt, s.text(s.kind.Altered, "le fichier « %s » a été altéré dans le stockage : il n'est pas servi"), f.Name)
	if r.Size() != f.Size {
		return nil, errors.Join(altered, r.Close())
	}
	return &Content{File: f, r: r, h: sha256.New(), hashing: true, altered: altered}, nil
}

// Content is a stored file's blob opened to be served, read as it is sent: the bytes of a
// read from the start are hashed on the way and, once the last one is read, compared with
// the checksum taken when the file was sent; a mismatch ends the reading with an error
// (Altered) instead of the last bytes, which Serve turns into an aborted answer. A read
// that starts elsewhere (a Range) is checked for its size only.
type Content struct {
	File    Stored
	r       *blob.Reader
	h       hash.Hash
	pos     int64 // the offset of the next byte read
	hashing bool  // every byte before pos went through h
	checked bool
	altered error
	bad     error // the read found the blob altered
}

// Read reads the blob on, checking it once its last byte is read from the start.
func (c *Content) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.hashing {
		c.h.Write(p[:n])
	}
	c.pos += int64(n)
	if c.hashing && !c.checked && (c.pos >= c.File.Size || errors.Is(err, io.EOF)) {
		c.checked = true
		if c.pos != c.File.Size || hex.EncodeToString(c.h.Sum(nil)) != c.File.SHA256 {
			c.bad = c.altered
			return 0, c.bad
		}
	}
	return n, err
}

// Seek moves within the blob (http.ServeContent's size and ranges): back to the start, the
// check starts again; elsewhere, there is none.
func (c *Content) Seek(offset int64, whence int) (int64, error) {
	pos, err := c.r.Seek(offset, whence)
	if err != nil {
		return pos, err
	}
	if pos != c.pos {
		c.h.Reset()
		c.hashing, c.checked = pos == 0, false
	}
	c.pos = pos
	return pos, nil
}

// ModTime is when the blob was written.
func (c *Content) ModTime() time.Time { return c.r.ModTime() }

// Altered is the error of a read that found the blob altered (nil: none yet).
func (c *Content) Altered() error { return c.bad }

// Close releases the blob's reader.
func (c *Content) Close() error { return c.r.Close() }

func (s *Store) text(set, fallback string) string {
	if set != "" {
		return set
	}
	return fallback
}

// OrphanAge is how old a blob without a row must be before the sweep removes it: an upload
// writes its blob a moment before the transaction that records its row commits.
const OrphanAge = time.Hour

// Sweep removes the kind's blobs of t that no row knows (known: the rows' keys, read before
// the sweep starts) and that are older than OrphanAge at now. It returns how many it
// removed.
func (s *Store) Sweep(ctx context.Context, t *tenant.Tenant, known map[string]bool, now time.Time) (int, error) {
	before := now.Add(-OrphanAge)
	return s.removeUnder(ctx, t, func(obj *blob.ListObject) bool {
		return !known[strings.TrimPrefix(obj.Key, tenant.BlobPrefix(t))] && obj.ModTime.Before(before)
	})
}

// SweepKeys is Sweep for a module that read its rows' keys as a list (SELECT blob_key …),
// before the sweep starts: a blob written since is younger than OrphanAge and stays.
func (s *Store) SweepKeys(ctx context.Context, t *tenant.Tenant, keys []string, now time.Time) (int, error) {
	known := make(map[string]bool, len(keys))
	for _, k := range keys {
		known[k] = true
	}
	return s.Sweep(ctx, t, known, now)
}

// Drop removes every blob of the kind of an establishment purged for good (its rows went
// with its schema). It returns how many it removed.
func (s *Store) Drop(ctx context.Context, t *tenant.Tenant) (int, error) {
	return s.removeUnder(ctx, t, func(*blob.ListObject) bool { return true })
}

// removeUnder deletes the blobs of the kind's folder of t that gone selects.
func (s *Store) removeUnder(ctx context.Context, t *tenant.Tenant, gone func(*blob.ListObject) bool) (int, error) {
	it := s.bucket.List(&blob.ListOptions{Prefix: tenant.BlobPrefix(t) + s.kind.Dir})
	n := 0
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("files: list %s of %s: %w", s.kind.Dir, t.UAI, err)
		}
		if obj.IsDir || !gone(obj) {
			continue
		}
		if err := s.removeKey(ctx, obj.Key); err != nil {
			return n, err
		}
		n++
	}
}
