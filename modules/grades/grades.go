// Package grades is the marks and report cards (notes et bulletins) of an establishment:
// periods, evaluations, marks, averages computed in one place with exact arithmetic, the
// appréciations and the conseil de classe's comments, and the publication of report cards.
package grades

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Period kinds.
const (
	KindTrimestre = "trimestre"
	KindSemestre  = "semestre"
)

// Period is a trimestre or semestre of the school year.
type Period struct {
	ID         uuid.UUID `json:"id" gorm:"type:uuid;primaryKey"`
	SchoolYear string    `json:"school_year"`
	Kind       string    `json:"kind"`
	Number     int       `json:"number"`
	StartsOn   time.Time `json:"starts_on" gorm:"type:date"`
	EndsOn     time.Time `json:"ends_on" gorm:"type:date"`
}

// TableName is the periods table of the tenant schema in scope.
func (Period) TableName() string { return "periods" }

// Label is "1er trimestre", "2e semestre"…
func (p Period) Label() string {
	if p.Number == 1 {
		return "1er " + p.Kind
	}
	return fmt.Sprintf("%de %s", p.Number, p.Kind)
}

// Contains tells whether day falls in the period.
func (p Period) Contains(day time.Time) bool {
	d := day.Format("2006-01-02")
	return d >= p.StartsOn.Format("2006-01-02") && d <= p.EndsOn.Format("2006-01-02")
}

// Evaluation is a test, homework or any marked work of a class or group in a subject.
type Evaluation struct {
	ID           uuid.UUID  `json:"id" gorm:"type:uuid;primaryKey"`
	ClassID      uuid.UUID  `json:"class_id" gorm:"type:uuid"`
	SubjectCode  string     `json:"subject"`
	TeacherID    *uuid.UUID `json:"teacher_id,omitempty" gorm:"type:uuid"`
	Title        string     `json:"title"`
	OnDate       time.Time  `json:"date" gorm:"column:on_date;type:date"`
	Scale        Hundredths `json:"-" gorm:"-"`
	Coefficient  Hundredths `json:"-" gorm:"-"`
	Bonus        bool       `json:"bonus"`
	Published    bool       `json:"published"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	ClassLabel   string     `json:"class" gorm:"-"`
	SubjectLabel string     `json:"subject_label" gorm:"-"`
}

// MarkEntry is one pupil's mark as stored and shown.
type MarkEntry struct {
	PupilID   uuid.UUID   `json:"pupil_id"`
	Value     *Hundredths `json:"-"`
	Code      string      `json:"code,omitempty"`
	Comment   string      `json:"comment,omitempty"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// Text is the mark as a teacher types it: "12,5", "Abs", or "" when none.
func (m *MarkEntry) Text() string {
	if m == nil {
		return ""
	}
	if m.Code != "" {
		return m.Code
	}
	if m.Value != nil {
		return m.Value.Short()
	}
	return ""
}
