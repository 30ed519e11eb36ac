package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Delivery is how a person wants a kind of notification by e-mail; every notification is
// in the application whatever they choose.
type Delivery string

// The deliveries.
const (
	Immediate Delivery = "immediate" // an e-mail at once (after the quiet hours)
	Digest    Delivery = "digest"    // one e-mail a day listing them
	Off       Delivery = "off"       // no e-mail
)

// Deliveries lists the choices in the order the page offers them.
var Deliveries = []Delivery{Immediate, Digest, Off}

// Label is the choice's French name.
func (d Delivery) Label() string {
	switch d {
	case Immediate:
		return "Courriel immédiat"
	case Digest:
		return "Résumé quotidien"
	case Off:
		return "Pas de courriel"
	}
	return string(d)
}

func (d Delivery) valid() bool { return d == Immediate || d == Digest || d == Off }

// DefaultDelivery is each kind's choice for a person who made none. Absences and the
// answers to justifications go at once: the family must be told of an absence without delay
// (Code de l'éducation R131-5) and answers a question it asked; messages too, as people
// expect of messaging. Marks, news, work to do and courses, many and not urgent, go in the day's
// digest.
var DefaultDelivery = map[Kind]Delivery{
	KindAbsence:               Immediate,
	KindJustificationAnswered: Immediate,
	KindMessage:               Immediate,
	KindNewMark:               Digest,
	KindNews:                  Digest,
	KindWork:                  Digest,
	KindCourse:                Digest,
	KindRetention:             Immediate,
}

// defaultColumns are DefaultDelivery as two columns for SQL.
func defaultColumns() (kinds, deliveries []string) {
	for _, k := range Kinds {
		kinds, deliveries = append(kinds, string(k)), append(deliveries, string(DefaultDelivery[k]))
	}
	return kinds, deliveries
}

// Preferences returns person's choice for every kind.
func (s *Service) Preferences(ctx context.Context, t *tenant.Tenant, person uuid.UUID) (map[Kind]Delivery, error) {
	var out map[Kind]Delivery
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		out, err = store{tx}.preferences(person)
		return err
	})
	return out, err
}

// SetPreferences saves person's choices, given as the form's kind → delivery. An unknown
// kind or choice is refused naming it, and nothing is saved.
func (s *Service) SetPreferences(ctx context.Context, t *tenant.Tenant, person uuid.UUID, in map[string]string) error {
	p := map[Kind]Delivery{}
	for k, v := range in {
		kind, d := Kind(k), Delivery(v)
		if !kind.Valid() {
			return fault.Invalidf(k, "type de notification inconnu : %q", k)
		}
		if !d.valid() {
			return fault.Invalidf(k, "%s : choix inconnu %q (immédiat, résumé quotidien ou aucun courriel)", kind.Label(), v)
		}
		p[kind] = d
	}
	if len(p) == 0 {
		return nil
	}
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error { return store{tx}.setPreferences(person, p) })
}

// QuietHours is the establishment's silence: no e-mail leaves between From and To (local
// time, Europe/Paris); an immediate one waits for To. From > To spans midnight.
type QuietHours struct {
	From, To time.Duration // since midnight
}

// DefaultQuietHours are the messaging hours' complement (07:00–20:00, DOMAIN.md).
var DefaultQuietHours = QuietHours{From: 20 * time.Hour, To: 7 * time.Hour}

// DigestHour is when the day's digest leaves (local time): after the school day, before the
// quiet hours.
const DigestHour = 18 * time.Hour

// Off tells whether the quiet hours are empty.
func (q QuietHours) Off() bool { return q.From == q.To }

// contains tells whether local time of day d falls in the quiet hours.
func (q QuietHours) contains(d time.Duration) bool {
	switch {
	case q.Off():
		return false
	case q.From < q.To:
		return d >= q.From && d < q.To
	default:
		return d >= q.From || d < q.To
	}
}

// nextSend is when an e-mail asked for at now may leave: now, or the end of the quiet hours.
func (q QuietHours) nextSend(now time.Time) time.Time {
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	d := now.Sub(midnight)
	if !q.contains(d) {
		return now
	}
	end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location()).Add(q.To)
	if !end.After(now) {
		end = time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location()).Add(q.To)
	}
	return end
}

// Text is the quiet hours as the page shows them (« 20:00 », « 07:00 »).
func (q QuietHours) Text() (from, to string) { return clock(q.From), clock(q.To) }

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}

// parseClock reads « HH:MM ».
func parseClock(s string) (time.Duration, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}

func (q QuietHours) setting() string {
	from, to := q.Text()
	b, _ := json.Marshal(map[string]string{"from": from, "to": to})
	return string(b)
}

func parseQuietSetting(raw string) (QuietHours, error) {
	var v struct{ From, To string }
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return QuietHours{}, fmt.Errorf("notify: quiet hours setting %q: %w", raw, err)
	}
	from, ok1 := parseClock(v.From)
	to, ok2 := parseClock(v.To)
	if !ok1 || !ok2 {
		return QuietHours{}, fmt.Errorf("notify: quiet hours setting %q is not HH:MM", raw)
	}
	return QuietHours{From: from, To: to}, nil
}

// QuietHours returns the establishment's quiet hours.
func (s *Service) QuietHours(ctx context.Context, t *tenant.Tenant) (QuietHours, error) {
	var q QuietHours
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		q, err = store{tx}.quietHours()
		return err
	})
	return q, err
}

// SetQuietHours saves the establishment's quiet hours from the form's « HH:MM » fields.
func (s *Service) SetQuietHours(ctx context.Context, t *tenant.Tenant, from, to string) error {
	f, ok := parseClock(from)
	if !ok {
		return fault.Invalidf("debut", "début des heures de silence : « %s » n'est pas une heure (HH:MM, par exemple 20:00)", from)
	}
	e, ok := parseClock(to)
	if !ok {
		return fault.Invalidf("fin", "fin des heures de silence : « %s » n'est pas une heure (HH:MM, par exemple 07:00)", to)
	}
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error { return store{tx}.setQuietHours(QuietHours{From: f, To: e}, s.now()) })
}
