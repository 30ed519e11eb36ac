package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Attachments' limits: a phone's photo or a scanned form fits in a file, a few in a message;
// the quota bounds what one person keeps in the establishment's store.
const (
	MaxFileBytes    = 10 << 20
	MaxMessageBytes = 20 << 20
	// Quota is what the attachments of the messages a person sent, and still keeps a copy
	// of, may add up to.
	Quota = 200 << 20
	// quotaWarning is the share of the quota past which the pages warn, in percent.
	quotaWarning = 80
	// fieldFiles is the form's file field.
	fieldFiles = "pieces"
)

// attachments are what a message may carry: documents families and staff exchange.
var attachments = &files.Kind{Dir: "messages/", MaxBytes: MaxFileBytes, Noun: "la pièce jointe", Unnamed: "piece-jointe",
	Types: []files.Type{files.PDF, files.JPEG, files.PNG,
		{MIME: "text/plain; charset=utf-8", Label: "du texte", Exts: []string{".txt"}},
		{MIME: "application/vnd.oasis.opendocument.text", Label: "un texte OpenDocument", Exts: []string{".odt"}},
		{MIME: "application/vnd.oasis.opendocument.spreadsheet", Label: "un tableur OpenDocument", Exts: []string{".ods"}},
		{MIME: "application/vnd.oasis.opendocument.presentation", Label: "une présentation OpenDocument", Exts: []string{".odp"}},
		{MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Label: "un document Word", Exts: []string{".docx"}},
		{MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Label: "un classeur Excel", Exts: []string{".xlsx"}},
		{MIME: "application/vnd.openxmlformats-officedocument.presentationml.presentation", Label: "une présentation PowerPoint", Exts: []string{".pptx"}},
	},
	Missing: "la pièce jointe « %s » est introuvable dans le stockage : demandez à l'expéditeur de l'envoyer à nouveau",
	Altered: "la pièce jointe « %s » a été altérée dans le stockage (son empreinte SHA-256 ne correspond plus à celle de l'envoi) : elle n'est pas servie"}

// AcceptedText says in the form what may be attached.
const AcceptedText = "PDF, images JPEG ou PNG, texte (.txt), documents bureautiques (.odt, .ods, .odp, .docx, .xlsx, .pptx) ; 10 Mo par fichier, 20 Mo par message"

// Attachment is a file of a message, as the conversation shows it.
type Attachment struct {
	ID          uuid.UUID `json:"id"`
	MessageID   uuid.UUID `json:"-"`
	Key         string    `json:"-"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
}

// Href is the file's download address on the pages.
func (a Attachment) Href() string { return "/messagerie/pieces/" + a.ID.String() }

// SizeText is the file's size in French.
func (a Attachment) SizeText() string { return megabytes(a.Size) }

func (a Attachment) stored() files.Stored {
	return files.Stored{Key: a.Key, Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256}
}

// megabytes is a size as people say it: "165 Mo", "1,5 Mo", "300 Ko".
func megabytes(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d Mo", (n+(1<<19))>>20)
	case n >= 1<<20:
		tenths := (n*10 + (1 << 19)) >> 20
		if tenths%10 == 0 {
			return fmt.Sprintf("%d Mo", tenths/10)
		}
		return fmt.Sprintf("%d,%d Mo", tenths/10, tenths%10)
	case n >= 1<<10:
		return fmt.Sprintf("%d Ko", (n+512)>>10)
	}
	return fmt.Sprintf("%d octets", n)
}

// SetBucket gives the messagerie its blob store; without one, attachments are refused.
func (s *Service) SetBucket(b *blob.Bucket) { s.files = files.NewStore(b, attachments) }

// FileTable is the messagerie's table of attachments, as the establishment's space counts
// them: private correspondence, so the direction's page names neither file nor sender.
var FileTable = files.Table{Name: "message_files", Module: "Messagerie", Private: "pièce jointe d'un message"}

// SetSpace makes attachments count against the establishment's quota (files.Space); after
// SetBucket.
func (s *Service) SetSpace(sp *files.Space) {
	if s.files != nil {
		s.files.Within(sp)
	}
}

var errNoStore = fault.New(fault.ErrUnavailable, "les pièces jointes ne sont pas disponibles sur ce serveur : envoyez le message sans fichier")

// checkFiles checks a draft's files, each and together, before anything is stored.
func checkFiles(us []files.Upload) ([]files.Checked, error) {
	var out []files.Checked
	var total int64
	for _, u := range us {
		c, err := attachments.Check(u.Name, u.Data, fieldFiles)
		var inv *fault.Invalid
		if errors.As(err, &inv) { // as the messagerie's other refusals, for the form
			return nil, fault.NewField(fault.ErrInvalid, inv.Field, "%s", inv.Message)
		}
		if err != nil {
			return nil, err
		}
		total += c.Size
		out = append(out, c)
	}
	if total > MaxMessageBytes {
		return nil, fault.NewField(fault.ErrInvalid, fieldFiles, "les pièces jointes font ensemble %s, plus que les %s permis par message : envoyez-les en plusieurs messages ou allégez-les",
			megabytes(total), megabytes(MaxMessageBytes))
	}
	return out, nil
}

// putFiles writes a send's checked files to the store before its transaction (none: none).
func (s *Service) putFiles(ctx context.Context, t *tenant.Tenant, cs []files.Checked) ([]files.Stored, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	if s.files == nil {
		return nil, errNoStore
	}
	stored, err := s.files.Put(ctx, t, cs...)
	var inv *fault.Invalid
	if errors.As(err, &inv) { // the establishment's quota, as the messagerie's other refusals
		return nil, fault.NewField(fault.ErrInvalid, fieldFiles, "%s", inv.Message)
	}
	return stored, err
}

// dropFiles removes the blobs of a send that failed, or of messages deleted for good.
func (s *Service) dropFiles(ctx context.Context, t *tenant.Tenant, keys []string) error {
	if len(keys) == 0 || s.files == nil {
		return nil
	}
	return s.files.Remove(ctx, t, keys...)
}

func storedKeys(fs []files.Stored) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Key
	}
	return out
}

// recordFiles checks the sender's quota with the new files (under the send's per-sender
// lock, taken by checkBudget) and records their rows.
func recordFiles(tx *gorm.DB, sender, msg uuid.UUID, fs []files.Stored, now time.Time) error {
	if len(fs) == 0 {
		return nil
	}
	var adding int64
	for _, f := range fs {
		adding += f.Size
	}
	used, err := quotaUsed(tx, sender)
	if err != nil {
		return err
	}
	if used+adding > Quota {
		return fault.NewField(fault.ErrConflict, fieldFiles, "vos pièces jointes occupent déjà %s sur %s : ce message (%s de fichiers) dépasserait votre espace. Libérez de la place en vidant la corbeille ou en supprimant des messages envoyés avec des pièces jointes, puis renvoyez-le",
			megabytes(used), megabytes(Quota), megabytes(adding))
	}
	for _, f := range fs {
		if err := tx.Exec(`INSERT INTO message_files (message_id, blob_key, name, content_type, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			msg, f.Key, f.Name, f.ContentType, f.Size, f.SHA256, now).Error; err != nil {
			return fmt.Errorf("messaging: attach %q: %w", f.Name, err)
		}
	}
	return nil
}

// quotaUsed sums the files of the messages person sent and still keeps a copy of
// (corbeille included: emptying it frees the space).
func quotaUsed(tx *gorm.DB, person uuid.UUID) (int64, error) {
	var n int64
	if err := tx.Raw(`SELECT coalesce(sum(f.size), 0) FROM messages m JOIN message_files f ON f.message_id = m.id
		JOIN message_copies c ON c.message_id = m.id AND c.person_id = m.sender_id AND c.role = 'de'
		WHERE m.sender_id = ?`, person).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("messaging: attachments of %s: %w", person, err)
	}
	return n, nil
}

// Usage is a person's attachment space, as the pages warn of it.
type Usage struct {
	Used  int64 `json:"used"`
	Quota int64 `json:"quota"`
}

// Warn tells whether the pages warn: past 80 % of the quota.
func (u Usage) Warn() bool { return u.Used*100 >= u.Quota*quotaWarning }

// Text is the warning: "Vous utilisez 165 Mo sur 200 Mo…".
func (u Usage) Text() string {
	return fmt.Sprintf("Vous utilisez %s sur %s d'espace pour les pièces jointes de vos messages envoyés. Au-delà, un message avec pièces jointes sera refusé : videz la corbeille ou supprimez des messages envoyés avec des pièces jointes pour libérer de l'espace.",
		megabytes(u.Used), megabytes(u.Quota))
}

// Usage returns person's attachment space (kept up to countTTL: every folder page asks; this
// process's sends and deletions update it at once).
func (s *Service) Usage(ctx context.Context, t *tenant.Tenant, person uuid.UUID) (Usage, error) {
	u := Usage{Quota: Quota}
	if n, ok := s.used.Get(countKey(t, person)); ok {
		u.Used = n
		return u, nil
	}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		u.Used, err = quotaUsed(tx, person)
		return err
	})
	if err == nil {
		s.used.Add(countKey(t, person), u.Used)
	}
	return u, err
}

// filesOf reads the files of messages, by message.
func filesOf(tx *gorm.DB, ids []uuid.UUID) (map[uuid.UUID][]Attachment, error) {
	out := map[uuid.UUID][]Attachment{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Attachment
	if err := tx.Raw(`SELECT id, message_id, blob_key AS key, name, content_type, size, sha256 FROM message_files
		WHERE message_id IN ? ORDER BY created_at, name`, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("messaging: attachments: %w", err)
	}
	for _, r := range rows {
		out[r.MessageID] = append(out[r.MessageID], r)
	}
	return out, nil
}

// withFiles gives a thread's messages their files.
func withFiles(tx *gorm.DB, th *Thread) error {
	ids := make([]uuid.UUID, len(th.Messages))
	for i, m := range th.Messages {
		ids[i] = m.ID
	}
	fs, err := filesOf(tx, ids)
	if err != nil {
		return err
	}
	for i := range th.Messages {
		th.Messages[i].Files = fs[th.Messages[i].ID]
		if th.Messages[i].Files == nil {
			th.Messages[i].Files = []Attachment{}
		}
	}
	return nil
}

// keysOf are the blob keys of message id's files.
func keysOf(tx *gorm.DB, id uuid.UUID) ([]string, error) {
	var keys []string
	if err := tx.Raw(`SELECT blob_key FROM message_files WHERE message_id = ?`, id).Scan(&keys).Error; err != nil {
		return nil, fmt.Errorf("messaging: attachments of %s: %w", id, err)
	}
	return keys, nil
}

// goneKeys are the keys of message id's files if the message itself is gone (its last copy
// deleted in tx), else none.
func goneKeys(tx *gorm.DB, id uuid.UUID, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var n int
	if err := tx.Raw(`SELECT count(*) FROM messages WHERE id = ?`, id).Scan(&n).Error; err != nil {
		return nil, fmt.Errorf("messaging: message %s: %w", id, err)
	}
	if n > 0 {
		return nil, nil
	}
	return keys, nil
}

// Download returns a file of a message person holds a copy of; anyone else is told it does
// not exist. It opens the blob, checked against the checksum as it is served (files.Serve,
// which closes it).
func (s *Service) Download(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID) (Attachment, *files.Content, error) {
	return s.download(ctx, t, `JOIN message_copies c ON c.message_id = f.message_id AND c.person_id = ?`, person, id)
}

// ReportedDownload returns a file of a reported conversation as its reporter holds it: the
// vie scolaire reads what was reported, attachments included, and nothing else.
func (s *Service) ReportedDownload(ctx context.Context, t *tenant.Tenant, report, id uuid.UUID) (Attachment, *files.Content, error) {
	return s.download(ctx, t, `JOIN messages m ON m.id = f.message_id
		JOIN message_reports r ON r.id = ? AND m.conversation_id = (SELECT conversation_id FROM messages WHERE id = r.message_id)
		JOIN message_copies c ON c.message_id = f.message_id AND c.person_id = r.reporter_id`, report, id)
}

// download reads file id if the access join (its one argument first) finds it.
func (s *Service) download(ctx context.Context, t *tenant.Tenant, access string, who, id uuid.UUID) (Attachment, *files.Content, error) {
	var rows []Attachment
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT f.id, f.message_id, f.blob_key AS key, f.name, f.content_type, f.size, f.sha256 FROM message_files f
			`+access+` WHERE f.id = ?`, who, id).Scan(&rows).Error; err != nil {
			return fmt.Errorf("messaging: attachment %s: %w", id, err)
		}
		return nil
	})
	switch {
	case err != nil:
		return Attachment{}, nil, err
	case len(rows) == 0:
		return Attachment{}, nil, fault.New(fault.ErrNotFound, "pièce jointe introuvable")
	case s.files == nil:
		return Attachment{}, nil, errNoStore
	}
	fc, err := s.files.Open(ctx, t, rows[0].stored())
	return rows[0], fc, err
}

// SweepMessageFiles is the hourly job that removes the messages' blobs no row knows any
// more (Service.SweepFiles) in every establishment.
type SweepMessageFiles struct{}

// Kind names the job in River.
func (SweepMessageFiles) Kind() string { return "sweep_message_files" }

// NewSweeper wires the attachments' sweep on the queue (jobs.Work).
func NewSweeper(svc *Service, tenants files.Establishments) *files.Sweeper[SweepMessageFiles] {
	return files.NewSweeper[SweepMessageFiles]("Nettoyage des pièces jointes de messages supprimés", svc, tenants)
}

// SweepFiles deletes the messages nobody keeps a copy of (their holders purged from the
// directory), then removes the establishment's message blobs that no row knows and that
// are older than files.OrphanAge: those of messages gone without this module (a person's
// departure, a retention purge), those whose removal failed and those a crash left between
// the blob's write and the send's commit. It returns how many blobs it removed.
func (s *Service) SweepFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	var keys []string
	if err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		// Messages nobody keeps a copy of any more (their last holders left the directory)
		// go first, with their files' rows and their emptied conversations.
		if err := tx.Exec(`WITH gone AS (DELETE FROM messages m WHERE NOT EXISTS (SELECT 1 FROM message_copies c WHERE c.message_id = m.id)
				RETURNING id, conversation_id)
			DELETE FROM conversations v WHERE v.id IN (SELECT conversation_id FROM gone)
				AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = v.id AND m.id NOT IN (SELECT id FROM gone))`).Error; err != nil {
			return fmt.Errorf("messaging: messages without copies: %w", err)
		}
		if err := tx.Raw(`SELECT blob_key FROM message_files`).Scan(&keys).Error; err != nil {
			return fmt.Errorf("messaging: attachment keys: %w", err)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	return s.files.SweepKeys(ctx, t, keys, s.now())
}

// DropFiles removes every message blob of an establishment purged for good.
func (s *Service) DropFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	return s.files.Drop(ctx, t)
}
