package messaging

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Settings are the establishment's messaging settings (« Réglages de la messagerie »): the
// messaging hours, how long messages are kept, and the suspension of the whole messagerie.
type Settings struct {
	// Hours are the messaging hours, times of day in school time: a message sent outside
	// them is delivered at once, its notification waits for From.
	Hours Hours `json:"-"`
	// RetentionYears is how long a message is kept after it was sent (purge_messages).
	RetentionYears int `json:"retention_years"`
	// Suspension is the whole messagerie's, nil while it is open.
	Suspension *Suspension `json:"suspension,omitempty"`
}

// Hours are messaging hours: From (included) to To (excluded), durations since midnight.
type Hours struct{ From, To time.Duration }

// Suspension says that someone may not send: since when, why, and who decided it.
type Suspension struct {
	Since  time.Time `json:"since"`
	Reason string    `json:"reason"`
	By     string    `json:"by,omitempty"` // the name of who suspended
}

// SinceText is the suspension's date as pages show it.
func (s Suspension) SinceText() string { return frenchTime(s.Since) }

// Defaults (DOMAIN.md, issue 10).
var (
	DefaultHours = Hours{From: 7 * time.Hour, To: 20 * time.Hour}
	// DefaultRetentionYears is how long messages are kept unless the establishment chose.
	DefaultRetentionYears = 3
)

// Bounds of the retention, in years.
const (
	minRetentionYears = 1
	maxRetentionYears = 10
	maxReason         = 500
)

// Text is the hours as pages show them: « 07:00 », « 20:00 ».
func (h Hours) Text() (from, to string) { return clockText(h.From), clockText(h.To) }

func clockText(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}

// parseClock reads « HH:MM » (24:00 allowed as an end of day).
func parseClock(raw string) (time.Duration, bool) {
	var h, m int
	if n, err := fmt.Sscanf(strings.TrimSpace(raw), "%d:%d", &h, &m); err != nil || n != 2 || len(strings.TrimSpace(raw)) != 5 {
		return 0, false
	}
	if m < 0 || m > 59 || h < 0 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

// contains tells whether at (any zone) falls in the hours, in school time.
func (h Hours) contains(at time.Time) bool {
	d := sinceMidnight(at)
	return d >= h.From && d < h.To
}

// nextStart is when a notification asked for at at may be told: at itself within the
// hours, else the next start of the hours (the same morning, or the next day's).
func (h Hours) nextStart(at time.Time) time.Time {
	if h.contains(at) {
		return at
	}
	local := at.In(directory.SchoolZone)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, local.Location())
	if sinceMidnight(at) >= h.To {
		day = day.AddDate(0, 0, 1)
	}
	// Built from the wall clock, so that a change of summer time keeps 07:00 at 07:00.
	return time.Date(day.Year(), day.Month(), day.Day(), int(h.From.Hours()), int(h.From.Minutes())%60, 0, 0, day.Location())
}

func sinceMidnight(at time.Time) time.Duration {
	l := at.In(directory.SchoolZone)
	return time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute + time.Duration(l.Second())*time.Second
}

// SettingsInput is the settings as the page's form or the API's PUT give them.
type SettingsInput struct {
	HoursFrom      string `json:"hours_from"` // HH:MM
	HoursTo        string `json:"hours_to"`
	RetentionYears int    `json:"retention_years"`
	Suspended      bool   `json:"suspended"`
	Reason         string `json:"suspension_reason"` // required to suspend, shown to users
}

// Form fields of the settings, as errors name them.
const (
	fieldHoursFrom = "debut"
	fieldHoursTo   = "fin"
	fieldRetention = "conservation"
	fieldReason    = "motif"
)

func (in SettingsInput) validate() (Hours, error) {
	from, ok := parseClock(in.HoursFrom)
	if !ok || from >= 24*time.Hour {
		return Hours{}, fault.NewField(fault.ErrInvalid, fieldHoursFrom, "le début des heures de messagerie doit être une heure « HH:MM », par exemple 07:00")
	}
	to, ok := parseClock(in.HoursTo)
	if !ok || to == 0 {
		return Hours{}, fault.NewField(fault.ErrInvalid, fieldHoursTo, "la fin des heures de messagerie doit être une heure « HH:MM », par exemple 20:00")
	}
	if from >= to {
		return Hours{}, fault.NewField(fault.ErrInvalid, fieldHoursTo, "la fin des heures de messagerie (%s) doit venir après leur début (%s)", clockText(to), clockText(from))
	}
	if in.RetentionYears < minRetentionYears || in.RetentionYears > maxRetentionYears {
		return Hours{}, fault.NewField(fault.ErrInvalid, fieldRetention, "la durée de conservation des messages va de %d à %d ans (vous avez indiqué %d)", minRetentionYears, maxRetentionYears, in.RetentionYears)
	}
	if reason := strings.TrimSpace(in.Reason); in.Suspended && reason == "" {
		return Hours{}, fault.NewField(fault.ErrInvalid, fieldReason, "indiquez le motif de la suspension : il est montré à tous les utilisateurs de la messagerie")
	} else if len([]rune(reason)) > maxReason {
		return Hours{}, fault.NewField(fault.ErrInvalid, fieldReason, "le motif ne peut dépasser %d caractères", maxReason)
	}
	return Hours{From: from, To: to}, nil
}

// Input is the settings as the form shows them.
func (s Settings) Input() SettingsInput {
	from, to := s.Hours.Text()
	in := SettingsInput{HoursFrom: from, HoursTo: to, RetentionYears: s.RetentionYears}
	if s.Suspension != nil {
		in.Suspended, in.Reason = true, s.Suspension.Reason
	}
	return in
}

// loadSettings reads the establishment's settings in tx (the defaults when none were saved).
func loadSettings(tx *gorm.DB) (Settings, error) {
	var rows []struct {
		HoursFrom, HoursTo, RetentionYears int
		SuspendedAt                        *time.Time
		SuspendedReason                    string
		First, Last                        *string
	}
	if err := tx.Raw(`SELECT s.hours_from, s.hours_to, s.retention_years, s.suspended_at, s.suspended_reason, p.first_name AS first, p.last_name AS last
		FROM messaging_settings s LEFT JOIN people p ON p.id = s.suspended_by`).Scan(&rows).Error; err != nil {
		return Settings{}, fmt.Errorf("messaging: read settings: %w", err)
	}
	if len(rows) == 0 {
		return Settings{Hours: DefaultHours, RetentionYears: DefaultRetentionYears}, nil
	}
	r := rows[0]
	s := Settings{Hours: Hours{From: time.Duration(r.HoursFrom) * time.Minute, To: time.Duration(r.HoursTo) * time.Minute}, RetentionYears: r.RetentionYears}
	if r.SuspendedAt != nil {
		s.Suspension = &Suspension{Since: *r.SuspendedAt, Reason: r.SuspendedReason}
		if r.First != nil && r.Last != nil {
			s.Suspension.By = Person{FirstName: *r.First, LastName: *r.Last}.Name()
		}
	}
	return s, nil
}

// Settings returns the establishment's messaging settings.
func (s *Service) Settings(ctx context.Context, t *tenant.Tenant) (Settings, error) {
	var out Settings
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		out, err = loadSettings(tx)
		return err
	})
	return out, err
}

// SaveSettings saves the establishment's settings as by (the direction) gave them. A
// suspension keeps its date while it lasts (changing its reason does not restart it).
func (s *Service) SaveSettings(ctx context.Context, t *tenant.Tenant, by uuid.UUID, in SettingsInput) (Settings, error) {
	hours, err := in.validate()
	if err != nil {
		return Settings{}, err
	}
	now := s.now()
	var out Settings
	err = s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var suspendedAt, suspendedBy any
		reason := ""
		if in.Suspended {
			suspendedAt, suspendedBy, reason = now, by, strings.TrimSpace(in.Reason)
		}
		if err := tx.Exec(`INSERT INTO messaging_settings AS s (id, hours_from, hours_to, retention_years, suspended_at, suspended_by, suspended_reason, updated_at)
			VALUES (true, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET hours_from = excluded.hours_from, hours_to = excluded.hours_to, retention_years = excluded.retention_years,
				suspended_at = CASE WHEN excluded.suspended_at IS NULL THEN NULL ELSE coalesce(s.suspended_at, excluded.suspended_at) END,
				suspended_by = CASE WHEN excluded.suspended_at IS NULL THEN NULL WHEN s.suspended_at IS NULL THEN excluded.suspended_by ELSE s.suspended_by END,
				suspended_reason = excluded.suspended_reason, updated_at = excluded.updated_at`,
			int(hours.From/time.Minute), int(hours.To/time.Minute), in.RetentionYears, suspendedAt, suspendedBy, reason, now).Error; err != nil {
			return fmt.Errorf("messaging: save settings: %w", err)
		}
		out, err = loadSettings(tx)
		return err
	})
	return out, err
}
