package news

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gocloud.dev/blob"

	"github.com/cartable-ent/cartable/tenant"
)

// Attach checks a file and attaches it to a post its author (until it is published) or a
// publisher may edit. The blob is written first, then its row in a transaction; if that
// fails the blob is deleted: a file is in both or in neither (but for a crash between the
// two, which leaves an unreachable blob).
func (s *Service) Attach(ctx context.Context, t *tenant.Tenant, a Actor, post uuid.UUID, u Upload) (File, error) {
	if _, err := s.Editable(ctx, t, a, post); err != nil {
		return File{}, err
	}
	f, err := checkFile(u)
	if err != nil {
		return File{}, err
	}
	if s.blobs == nil {
		return File{}, errNoStore
	}
	f.ID, f.PostID, f.Key, f.CreatedAt = uuid.New(), post, newFileKey(), s.now()
	if err := s.blobs.WriteAll(ctx, tenant.BlobPrefix(t)+f.Key, u.Data, &blob.WriterOptions{ContentType: f.ContentType, IfNotExist: true}); err != nil {
		return File{}, err
	}
	err = s.write(ctx, t, func(st store) error {
		row, err := st.lockPost(post)
		if err != nil {
			return err
		}
		if err := mayEdit(a, row); err != nil {
			return err
		}
		return st.insertFile(f)
	})
	if err != nil {
		return File{}, errors.Join(err, removeBlobs(ctx, s.blobs, t, []string{f.Key}))
	}
	return f, nil
}

// Detach removes a file from a post its viewer may edit.
func (s *Service) Detach(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (post uuid.UUID, err error) {
	var f File
	err = s.write(ctx, t, func(st store) error {
		if f, err = st.file(id); err != nil {
			return err
		}
		row, err := st.lockPost(f.PostID)
		if err != nil {
			return err
		}
		if err := mayEdit(a, row); err != nil {
			return err
		}
		return st.deleteFile(id)
	})
	if err != nil {
		return uuid.Nil, err
	}
	return f.PostID, removeBlobs(ctx, s.blobs, t, []string{f.Key})
}

// Download returns a file to whoever may see its post (without counting a read).
func (s *Service) Download(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (File, []byte, error) {
	var f File
	err := s.read(ctx, t, func(st store) error {
		var err error
		if f, err = st.file(id); err != nil {
			return err
		}
		p, err := st.post(f.PostID)
		if err != nil {
			return err
		}
		return s.mayView(st, a, p)
	})
	if err != nil {
		return File{}, nil, err
	}
	if s.blobs == nil {
		return File{}, nil, errNoStore
	}
	data, err := readBlob(ctx, s.blobs, t, f)
	return f, data, err
}
