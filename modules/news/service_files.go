package news

import (
	"context"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/files"
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
	f, c, err := checkFile(u)
	if err != nil {
		return File{}, err
	}
	if s.files == nil {
		return File{}, errNoStore
	}
	f.ID, f.PostID, f.CreatedAt = uuid.New(), post, s.now()
	err = s.files.Storing(ctx, t, []files.Checked{c}, func(stored []files.Stored) error {
		f.Key = stored[0].Key
		return s.write(ctx, t, func(st store) error {
			row, err := st.lockPost(post)
			if err != nil {
				return err
			}
			if err := mayEdit(a, row); err != nil {
				return err
			}
			return st.insertFile(f)
		})
	})
	if err != nil {
		return File{}, err
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
	if s.files == nil {
		return f.PostID, nil
	}
	return f.PostID, s.files.Remove(ctx, t, f.Key)
}

// Download returns a file to whoever may see its post (without counting a read).
func (s *Service) Download(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (File, *files.Content, error) {
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
	if s.files == nil {
		return File{}, nil, errNoStore
	}
	fc, err := s.files.Open(ctx, t, f.stored())
	return f, fc, err
}
