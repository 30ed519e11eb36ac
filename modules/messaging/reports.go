package messaging

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// A recipient reports a message (« Signaler ce message à la vie scolaire »); the vie
// scolaire and the direction get the report, open the conversation as the person who
// reported it sees it, read-only (a report is the only way staff read a conversation they
// are not in), and mark it handled with a comment.

// Report is a report as the vie scolaire's pages list it.
type Report struct {
	ID           uuid.UUID  `json:"id"`
	Message      uuid.UUID  `json:"message"`
	Conversation uuid.UUID  `json:"conversation"`
	Subject      string     `json:"subject"`
	Sender       Person     `json:"sender"`
	Reporter     Person     `json:"reporter"` // empty once the reporter left and was purged
	Reason       string     `json:"reason"`
	CreatedAt    time.Time  `json:"created_at"`
	HandledAt    *time.Time `json:"handled_at,omitempty"`
	HandledBy    string     `json:"handled_by,omitempty"`
	Comment      string     `json:"comment,omitempty"`
	reporterID   *uuid.UUID
}

// When is the report's time as pages show it.
func (r Report) When() string { return frenchTime(r.CreatedAt) }

// HandledWhen is when it was handled, as pages show it.
func (r Report) HandledWhen() string {
	if r.HandledAt == nil {
		return ""
	}
	return frenchTime(*r.HandledAt)
}

// ReportedThread is a report with the conversation it is about, read-only.
type ReportedThread struct {
	Report Report  `json:"report"`
	Thread *Thread `json:"thread"` // as the reporter sees it; nil once they were purged
}

const (
	maxReportText = 1000
	fieldComment  = "commentaire"
)

// Report records that person reports message id for reason, and tells the vie scolaire and
// the direction. A message they did not receive is not found (whether it exists or not);
// their own message cannot be reported. Reporting the same message again changes nothing.
func (s *Service) Report(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID, reason string) (uuid.UUID, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return uuid.Nil, fault.NewField(fault.ErrInvalid, fieldReason, "dites en quelques mots ce qui pose problème dans ce message")
	case len([]rune(reason)) > maxReportText:
		return uuid.Nil, fault.NewField(fault.ErrInvalid, fieldReason, "le motif ne peut dépasser %d caractères", maxReportText)
	}
	report := uuid.New()
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var roles []string
		if err := tx.Raw(`SELECT role FROM message_copies WHERE message_id = ? AND person_id = ?`, id, person).Scan(&roles).Error; err != nil {
			return fmt.Errorf("messaging: report %s: %w", id, err)
		}
		switch {
		case len(roles) == 0:
			return notFound
		case Role(roles[0]) == From:
			return fault.New(fault.ErrInvalid, "vous ne pouvez pas signaler un message que vous avez envoyé vous-même")
		}
		var existing []uuid.UUID
		if err := tx.Raw(`INSERT INTO message_reports (id, message_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (message_id, reporter_id) DO NOTHING RETURNING id`, report, id, person, reason, s.now()).Scan(&existing).Error; err != nil {
			return fmt.Errorf("messaging: report %s: %w", id, err)
		}
		if len(existing) == 0 { // reported already: the staff were told then
			return tx.Raw(`SELECT id FROM message_reports WHERE message_id = ? AND reporter_id = ?`, id, person).Row().Scan(&report)
		}
		return s.tellReport(tx, t, report, person, id)
	})
	return report, err
}

// tellReport notifies the vie scolaire and the direction of a new report.
func (s *Service) tellReport(tx *gorm.DB, t *tenant.Tenant, report, person, msg uuid.UUID) error {
	if s.notify == nil {
		return nil
	}
	var staff []uuid.UUID
	if err := tx.Raw(`SELECT id FROM people WHERE active AND roles && ARRAY['vie_scolaire', 'direction']::text[] AND id <> ?`, person).Scan(&staff).Error; err != nil {
		return fmt.Errorf("messaging: vie scolaire to tell: %w", err)
	}
	if len(staff) == 0 {
		return nil
	}
	name, err := store{tx}.name(person)
	if err != nil {
		return err
	}
	var subject string
	if err := tx.Raw(`SELECT v.subject FROM messages m JOIN conversations v ON v.id = m.conversation_id WHERE m.id = ?`, msg).Row().Scan(&subject); err != nil {
		return fmt.Errorf("messaging: subject of %s: %w", msg, err)
	}
	return s.notify.Notify(tx, t, notify.Notice{Kind: notify.KindMessage, Recipients: staff,
		Title: truncate("Message signalé par "+name, 200), Body: "Conversation « " + truncate(subject, 200) + " » : à examiner par la vie scolaire.",
		Link: "/messagerie/signalements/" + report.String()})
}

// reportSelect reads reports with their message, sender, reporter and handler.
const reportSelect = `SELECT r.id, r.message_id, m.conversation_id, v.subject, r.reason, r.created_at, r.handled_at, r.comment, r.reporter_id,
		coalesce(s.first_name, '') AS sender_first, coalesce(s.last_name, 'Personne partie') AS sender_last, m.sender_id,
		coalesce(p.first_name, '') AS reporter_first, coalesce(p.last_name, 'Personne partie') AS reporter_last,
		coalesce(h.first_name || ' ' || h.last_name, '') AS handled_by
	FROM message_reports r JOIN messages m ON m.id = r.message_id JOIN conversations v ON v.id = m.conversation_id
	LEFT JOIN people s ON s.id = m.sender_id LEFT JOIN people p ON p.id = r.reporter_id LEFT JOIN people h ON h.id = r.handled_by`

type reportRow struct {
	ID, MessageID, ConversationID uuid.UUID
	Subject, Reason, Comment      string
	CreatedAt                     time.Time
	HandledAt                     *time.Time
	ReporterID, SenderID          *uuid.UUID
	SenderFirst, SenderLast       string
	ReporterFirst, ReporterLast   string
	HandledBy                     string
}

func (r reportRow) report() Report {
	out := Report{ID: r.ID, Message: r.MessageID, Conversation: r.ConversationID, Subject: r.Subject, Reason: r.Reason, CreatedAt: r.CreatedAt,
		HandledAt: r.HandledAt, HandledBy: r.HandledBy, Comment: r.Comment, reporterID: r.ReporterID,
		Sender:   Person{FirstName: r.SenderFirst, LastName: r.SenderLast},
		Reporter: Person{FirstName: r.ReporterFirst, LastName: r.ReporterLast}}
	if r.SenderID != nil {
		out.Sender.ID = *r.SenderID
	}
	if r.ReporterID != nil {
		out.Reporter.ID = *r.ReporterID
	}
	return out
}

// Reports lists the establishment's reports waiting to be handled (handled false) or
// handled, newest first (the 200 newest).
func (s *Service) Reports(ctx context.Context, t *tenant.Tenant, handled bool) ([]Report, error) {
	where, order := `r.handled_at IS NULL`, `r.created_at DESC`
	if handled {
		where, order = `r.handled_at IS NOT NULL`, `r.handled_at DESC`
	}
	var rows []reportRow
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(reportSelect + ` WHERE ` + where + ` ORDER BY ` + order + ` LIMIT 200`).Scan(&rows).Error; err != nil {
			return fmt.Errorf("messaging: reports: %w", err)
		}
		return nil
	})
	out := make([]Report, len(rows))
	for i, r := range rows {
		out[i] = r.report()
	}
	return out, err
}

var reportNotFound = fault.New(fault.ErrNotFound, "signalement introuvable")

func readReport(tx *gorm.DB, id uuid.UUID) (Report, error) {
	var rows []reportRow
	if err := tx.Raw(reportSelect+` WHERE r.id = ?`, id).Scan(&rows).Error; err != nil {
		return Report{}, fmt.Errorf("messaging: report %s: %w", id, err)
	}
	if len(rows) == 0 {
		return Report{}, reportNotFound
	}
	return rows[0].report(), nil
}

// ReportedConversation returns report id with the conversation as its reporter sees it
// (nothing is marked read). Only the vie scolaire and the direction reach it (PermReports).
func (s *Service) ReportedConversation(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (*ReportedThread, error) {
	var out ReportedThread
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		if out.Report, err = readReport(tx, id); err != nil {
			return err
		}
		if out.Report.reporterID == nil {
			return nil
		}
		out.Thread, err = store{tx}.thread(*out.Report.reporterID, out.Report.Conversation)
		if errors.Is(err, notFound) { // the reporter deleted their copies since
			return nil
		}
		if err != nil {
			return err
		}
		return withFiles(tx, out.Thread)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// HandleReport marks report id handled by by, with a comment saying what was done.
func (s *Service) HandleReport(ctx context.Context, t *tenant.Tenant, by, id uuid.UUID, comment string) error {
	comment = strings.TrimSpace(comment)
	switch {
	case comment == "":
		return fault.NewField(fault.ErrInvalid, fieldComment, "dites en un commentaire ce qui a été fait (il reste avec le signalement)")
	case len([]rune(comment)) > maxReportText:
		return fault.NewField(fault.ErrInvalid, fieldComment, "le commentaire ne peut dépasser %d caractères", maxReportText)
	}
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		r, err := readReport(tx, id)
		if err != nil {
			return err
		}
		if r.HandledAt != nil {
			return fault.NewField(fault.ErrConflict, fieldComment, "ce signalement a déjà été traité le %s par %s", r.HandledWhen(), r.HandledBy)
		}
		if err := tx.Exec(`UPDATE message_reports SET handled_at = ?, handled_by = ?, comment = ? WHERE id = ? AND handled_at IS NULL`,
			s.now(), by, comment, id).Error; err != nil {
			return fmt.Errorf("messaging: handle report %s: %w", id, err)
		}
		return nil
	})
}
