package attendance

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/web/fault"
)

// insertFile records a stored document of a justification or a declaration (one of them
// uuid.Nil).
func (st store) insertFile(a Attachment, justification, declaration uuid.UUID) error {
	if err := st.tx.Exec(`INSERT INTO attendance_files (justification_id, declaration_id, blob_key, name, content_type, size, sha256, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, nullID(justification), nullID(declaration), a.Key, a.Name, a.ContentType, a.Size, a.SHA256, a.CreatedAt).Error; err != nil {
		return fmt.Errorf("attendance: record document %q: %w", a.Name, err)
	}
	return nil
}

type fileRow struct {
	Attachment
	Owner uuid.UUID // the justification or declaration
}

const fileCols = `f.id, f.blob_key AS key, f.name, f.content_type, f.size, f.sha256, f.created_at`

// filesOf reads the documents of justifications or declarations (column justification_id or
// declaration_id), by owner.
func (st store) filesOf(column string, owners []uuid.UUID) (map[uuid.UUID][]Attachment, error) {
	out := map[uuid.UUID][]Attachment{}
	if len(owners) == 0 {
		return out, nil
	}
	var rows []fileRow
	if err := st.tx.Raw(`SELECT `+fileCols+`, f.`+column+` AS owner FROM attendance_files f WHERE f.`+column+` IN ? ORDER BY f.created_at`, owners).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("attendance: documents: %w", err)
	}
	for _, r := range rows {
		out[r.Owner] = append(out[r.Owner], r.Attachment)
	}
	return out, nil
}

// fileWithPupil is a document and the pupil whose absence it is about.
type fileWithPupil struct {
	Attachment
	PupilID uuid.UUID
}

var errNoFile = fault.New(fault.ErrNotFound, "ce document n'existe pas")

// file reads one document and its pupil.
func (st store) file(id uuid.UUID) (fileWithPupil, error) {
	var rows []fileWithPupil
	if err := st.tx.Raw(`SELECT `+fileCols+`, coalesce(a.pupil_id, d.pupil_id) AS pupil_id FROM attendance_files f
		LEFT JOIN justifications j ON j.id = f.justification_id LEFT JOIN absences a ON a.id = j.absence_id
		LEFT JOIN absence_declarations d ON d.id = f.declaration_id WHERE f.id = ?`, id).Scan(&rows).Error; err != nil {
		return fileWithPupil{}, fmt.Errorf("attendance: document %s: %w", id, err)
	}
	if len(rows) == 0 {
		return fileWithPupil{}, errNoFile
	}
	return rows[0], nil
}

// fileKeys reads every blob key the establishment's rows know.
func (st store) fileKeys() (map[string]bool, error) {
	var keys []string
	if err := st.tx.Raw(`SELECT blob_key FROM attendance_files`).Scan(&keys).Error; err != nil {
		return nil, fmt.Errorf("attendance: document keys: %w", err)
	}
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out, nil
}
