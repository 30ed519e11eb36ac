package timetable

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes the timetable's file of a personal data export.
const ExportAbout = "Votre emploi du temps : les cours de vos classes et groupes (élève) ou ceux que vous donnez (enseignant), " +
	"avec leur matière, leur salle, leurs horaires et leur période de validité ; les changements qui vous concernent " +
	"(cours annulés, déplacés, remplacements que vous assurez) ; la date de création de votre abonnement au calendrier, s'il existe " +
	"(son adresse secrète n'est pas reproduite). Les noms des autres personnes n'y figurent pas."

type exportedSlot struct {
	ID           uuid.UUID `json:"id"`
	Class        string    `json:"class"` // code of the class or group
	ClassKind    string    `json:"class_kind"`
	SchoolYear   string    `json:"school_year"`
	SubjectCode  string    `json:"subject_code"`
	SubjectLabel string    `json:"subject_label"`
	Room         string    `json:"room"`
	Weekday      int       `json:"weekday"` // ISO: 1 = lundi
	StartsAt     string    `json:"starts_at"`
	EndsAt       string    `json:"ends_at"`
	Weeks        string    `json:"weeks"` // all, A, B
	ValidFrom    string    `json:"valid_from"`
	ValidUntil   string    `json:"valid_until"`
	Teaching     bool      `json:"teaching"` // the person teaches it
}

type exportedException struct {
	SlotID      uuid.UUID `json:"slot_id"`
	OnDate      string    `json:"on_date"`
	Kind        string    `json:"kind"` // annule, deplace, remplace
	NewDate     *string   `json:"new_date"`
	NewStartsAt *string   `json:"new_starts_at"`
	NewEndsAt   *string   `json:"new_ends_at"`
	NewRoom     *string   `json:"new_room"`
	Replacing   bool      `json:"replacing"` // the person is the replacement
	Note        string    `json:"note"`
}

type exportedTimetable struct {
	Lessons       []exportedSlot      `json:"lessons"`
	Changes       []exportedException `json:"changes"`
	FeedCreatedAt *time.Time          `json:"calendar_feed_created_at"`
}

// Export writes the person's lessons and their changes (module.Exporter): those of their
// classes and groups, those they teach, those they replace in.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	out := exportedTimetable{Lessons: []exportedSlot{}, Changes: []exportedException{}}
	if t == nil {
		return w.JSON(out)
	}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT s.id, c.code AS class, c.kind AS class_kind, c.school_year, s.subject_code, coalesce(sj.label, s.subject_code) AS subject_label,
				s.room, s.weekday, to_char(s.starts_at, 'HH24:MI') AS starts_at, to_char(s.ends_at, 'HH24:MI') AS ends_at, s.weeks,
				to_char(s.valid_from, 'YYYY-MM-DD') AS valid_from, to_char(s.valid_until, 'YYYY-MM-DD') AS valid_until,
				EXISTS (SELECT 1 FROM lesson_slot_teachers lt WHERE lt.slot_id = s.id AND lt.teacher_id = ?) AS teaching
			FROM lesson_slots s JOIN classes c ON c.id = s.class_id LEFT JOIN subjects sj ON sj.code = s.subject_code
			WHERE s.class_id IN (SELECT class_id FROM class_members WHERE person_id = ?)
			   OR s.id IN (SELECT slot_id FROM lesson_slot_teachers WHERE teacher_id = ?)
			ORDER BY s.valid_from, s.weekday, s.starts_at, c.code`, person, person, person).Scan(&out.Lessons).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT e.slot_id, to_char(e.on_date, 'YYYY-MM-DD') AS on_date, e.kind, to_char(e.new_date, 'YYYY-MM-DD') AS new_date,
				to_char(e.new_starts_at, 'HH24:MI') AS new_starts_at, to_char(e.new_ends_at, 'HH24:MI') AS new_ends_at, e.new_room,
				coalesce(e.replacement_id = ?, false) AS replacing, e.note
			FROM lesson_exceptions e JOIN lesson_slots s ON s.id = e.slot_id
			WHERE e.replacement_id = ? OR s.class_id IN (SELECT class_id FROM class_members WHERE person_id = ?)
			   OR s.id IN (SELECT slot_id FROM lesson_slot_teachers WHERE teacher_id = ?)
			ORDER BY e.on_date, e.slot_id`, person, person, person, person).Scan(&out.Changes).Error; err != nil {
			return err
		}
		var feeds []time.Time
		if err := tx.Raw(`SELECT created_at FROM timetable_feeds WHERE person_id = ?`, person).Scan(&feeds).Error; err != nil {
			return err
		}
		if len(feeds) > 0 {
			out.FeedCreatedAt = &feeds[0]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("timetable: export of %s: %w", person, err)
	}
	return w.JSON(out)
}
