package cahier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gocloud.dev/blob"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// MaxFileBytes is the largest attachment of a séance or a piece of work.
const MaxFileBytes = 10 << 20

// uploadLimit is the attachment form's largest body: the file and the form's few fields.
const uploadLimit = MaxFileBytes + 64<<10

// The office documents teachers attach (types known by content, as mimetype names them).
var (
	docx = files.Type{MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Label: "un document Word", Exts: []string{".docx"}}
	xlsx = files.Type{MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Label: "un classeur Excel", Exts: []string{".xlsx"}}
	pptx = files.Type{MIME: "application/vnd.openxmlformats-officedocument.presentationml.presentation", Label: "une présentation PowerPoint", Exts: []string{".pptx"}}
	odt  = files.Type{MIME: "application/vnd.oasis.opendocument.text", Label: "un texte OpenDocument", Exts: []string{".odt"}}
	ods  = files.Type{MIME: "application/vnd.oasis.opendocument.spreadsheet", Label: "un classeur OpenDocument", Exts: []string{".ods"}}
	odp  = files.Type{MIME: "application/vnd.oasis.opendocument.presentation", Label: "une présentation OpenDocument", Exts: []string{".odp"}}
)

// attachments are the files of séances and work: PDF, images, office documents.
var attachments = &files.Kind{Dir: "cahier/", Types: []files.Type{files.PDF, files.JPEG, files.PNG, docx, xlsx, pptx, odt, ods, odp},
	MaxBytes: MaxFileBytes, Noun: "la pièce jointe", Unnamed: "piece-jointe",
	Missing: "la pièce jointe « %s » est introuvable dans le stockage",
	Altered: "la pièce jointe « %s » a été altérée dans le stockage : elle n'est pas servie"}

// File is a document attached to a séance or a piece of work.
type File struct {
	ID          uuid.UUID
	SessionID   *uuid.UUID
	WorkID      *uuid.UUID
	Key         string `gorm:"column:blob_key"`
	Name        string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	CreatedAt   time.Time
}

func (File) TableName() string { return "cahier_files" }

// Href is the file's address.
func (f File) Href() string { return "/cahier/pieces/" + f.ID.String() }

// SizeText is the file's size in French.
func (f File) SizeText() string { return fault.ByteSize(f.Size) }

func (f File) stored() files.Stored {
	return files.Stored{Key: f.Key, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256}
}

var errNoStore = fault.New(fault.ErrUnavailable, "les pièces jointes ne sont pas disponibles sur ce serveur")

// FileTable is the cahier's table of files, as the establishment's space counts them: named
// with the teacher of their séance or work on the direction's page.
var FileTable = files.Table{Name: "cahier_files", Module: "Cahier de textes",
	Owner: "SELECT coalesce((SELECT s.teacher_id FROM cahier_sessions s WHERE s.id = f.session_id), (SELECT w.teacher_id FROM cahier_work w WHERE w.id = f.work_id))"}

// SetSpace makes attachments count against the establishment's quota (files.Space); call it
// after SetBucket.
func (s *Service) SetSpace(sp *files.Space) {
	if s.files != nil {
		s.files.Within(sp)
	}
}

// SetBucket wires the blob store of the attachments (cmd/cartable); without one they are refused.
func (s *Service) SetBucket(b *blob.Bucket) {
	if b != nil {
		s.files = files.NewStore(b, attachments)
		s.setArchiveBucket(b)
	}
}

// filesOf are the files of the séances or works ids (column session_id or work_id).
func (st store) filesOf(column string, ids []uuid.UUID) ([]File, error) {
	var out []File
	if len(ids) == 0 {
		return nil, nil
	}
	if err := st.tx.Raw(`SELECT * FROM cahier_files WHERE `+column+` IN ? ORDER BY created_at, name`, ids).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("cahier: files: %w", err)
	}
	return out, nil
}

// workFiles fills the files of each piece of work (none: an empty list, read).
func (st store) workFiles(ws []Work) error {
	ids := make([]uuid.UUID, len(ws))
	at := make(map[uuid.UUID]int, len(ws))
	for i, w := range ws {
		ids[i], at[w.ID] = w.ID, i
		ws[i].Files = []File{}
	}
	fs, err := st.filesOf("work_id", ids)
	for _, f := range fs {
		i := at[*f.WorkID]
		ws[i].Files = append(ws[i].Files, f)
	}
	return err
}

// Attach checks a file and attaches it to the actor's séance (session true) or work; a
// refusal names field (the page's « piece », the API's « fichier »).
func (s *Service) Attach(ctx context.Context, t *tenant.Tenant, a Actor, owner uuid.UUID, session bool, field, name string, data []byte) (File, error) {
	table := "cahier_work"
	f := File{ID: uuid.New(), CreatedAt: s.now()}
	if session {
		table, f.SessionID = "cahier_sessions", &owner
	} else {
		f.WorkID = &owner
	}
	c, err := attachments.Check(name, data, field)
	if err != nil {
		return File{}, err
	}
	if s.files == nil {
		return File{}, errNoStore
	}
	f.Name, f.ContentType, f.Size, f.SHA256 = c.Name, c.ContentType, c.Size, c.SHA256
	err = s.files.Storing(ctx, t, []files.Checked{c}, func(stored []files.Stored) error {
		f.Key = stored[0].Key
		return s.write(ctx, t, func(st store) error {
			var n int
			if err := st.tx.Raw(`SELECT count(*) FROM `+table+` WHERE id = ? AND teacher_id = ?`, owner, a.PersonID).Scan(&n).Error; err != nil {
				return fmt.Errorf("cahier: owner of a file: %w", err)
			}
			if n == 0 {
				return notFound("séance ou travail")
			}
			return st.tx.Create(&f).Error
		})
	})
	if err != nil {
		return File{}, err
	}
	return f, nil
}

// fileAccess finds a file and checks the actor reads its séance or work.
func (s *Service) fileAccess(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (File, error) {
	var found []File
	if err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT * FROM cahier_files WHERE id = ?`, id).Scan(&found).Error
	}); err != nil {
		return File{}, fmt.Errorf("cahier: file %s: %w", id, err)
	}
	if len(found) == 0 {
		return File{}, notFound("pièce jointe")
	}
	f := found[0]
	var err error
	if f.SessionID != nil {
		_, err = s.Session(ctx, t, a, *f.SessionID)
	} else {
		_, err = s.Work(ctx, t, a, *f.WorkID)
	}
	return f, err
}

// Download returns a file to whoever reads its séance or work.
func (s *Service) Download(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (File, *files.Content, error) {
	f, err := s.fileAccess(ctx, t, a, id)
	if err != nil {
		return File{}, nil, err
	}
	if s.files == nil {
		return File{}, nil, errNoStore
	}
	fc, err := s.files.Open(ctx, t, f.stored())
	return f, fc, err
}

// Detach removes a file of the actor's séance or work; it returns where to go back.
func (s *Service) Detach(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (string, error) {
	var f File
	err := s.write(ctx, t, func(st store) error {
		var found []File
		if err := st.tx.Raw(`SELECT f.* FROM cahier_files f LEFT JOIN cahier_sessions se ON se.id = f.session_id LEFT JOIN cahier_work w ON w.id = f.work_id
			WHERE f.id = ? AND coalesce(se.teacher_id, w.teacher_id) = ?`, id, a.PersonID).Scan(&found).Error; err != nil {
			return fmt.Errorf("cahier: file %s: %w", id, err)
		}
		if len(found) == 0 {
			return notFound("pièce jointe")
		}
		f = found[0]
		return st.tx.Exec(`DELETE FROM cahier_files WHERE id = ?`, id).Error
	})
	if err != nil {
		return "", err
	}
	back := "/cahier/travail/"
	if f.SessionID != nil {
		back = "/cahier/seances/" + f.SessionID.String()
	} else {
		back += f.WorkID.String()
	}
	if s.files != nil {
		err = s.files.Remove(ctx, t, f.Key)
	}
	return back, err
}

func (h *Handler) attachSession(c echo.Context) error { return h.attach(c, true) }

func (h *Handler) attachWork(c echo.Context) error { return h.attach(c, false) }

// attach adds the sent file and goes back to the séance's or work's page (its refusal said there).
func (h *Handler) attach(c echo.Context, session bool) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	back := "/cahier/travail/" + id.String()
	if session {
		back = "/cahier/seances/" + id.String()
	}
	sent, err := files.FormFile(c, "piece", MaxFileBytes, "envoi trop volumineux : le fichier doit faire "+fault.ByteSize(MaxFileBytes)+" au plus")
	if err != nil {
		return err
	}
	if sent == nil {
		sent = &files.Upload{}
	}
	_, err = h.svc.Attach(c.Request().Context(), web.TenantOf(c), requestActor(c), id, session, "piece", sent.Name, sent.Data)
	var inv *fault.Invalid
	if errors.As(err, &inv) && session {
		return h.sessionView(c, id, http.StatusUnprocessableEntity, inv.Message)
	}
	if errors.As(err, &inv) {
		return h.workView(c, id, http.StatusUnprocessableEntity, inv.Message)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, back+"#pieces")
}

func (h *Handler) detach(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	back, err := h.svc.Detach(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, back+"#pieces")
}

// download serves a file with the type stored when it was checked: images inline, others
// as downloads.
func (h *Handler) download(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	f, fc, err := h.svc.Download(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return files.Serve(c, fc, files.Image(f.ContentType))
}
