package timetable

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// A person's calendar feed: an iCalendar (.ics) document of their lessons, at an address
// holding a secret of their own, for calendar apps that subscribe without a session. Only the
// secret's SHA-256 is stored (an export or a database read gives nobody the address); it is
// shown once when made; making a new one replaces it, revoking deletes it.

// feedWindow is what a feed holds: from two weeks back to ten weeks ahead.
const (
	feedBack  = 14
	feedAhead = 70
)

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// FeedSince tells when the person's current feed address was made (zero: none).
func (s *Service) FeedSince(ctx context.Context, t *tenant.Tenant, person uuid.UUID) (time.Time, error) {
	var at *time.Time
	err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT created_at FROM timetable_feeds WHERE person_id = ?`, person).Scan(&at).Error
	})
	if err != nil || at == nil {
		return time.Time{}, err
	}
	return at.In(Zone), nil
}

// NewFeedSecret makes the person a new feed secret (the previous address stops working) and
// returns it: 32 random bytes, URL-safe base64.
func (s *Service) NewFeedSecret(ctx context.Context, t *tenant.Tenant, person uuid.UUID) (string, error) {
	if person == uuid.Nil {
		return "", fault.New(fault.ErrNotFound, "seules les personnes de l'établissement ont un emploi du temps à suivre")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("timetable: feed secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(b)
	err := s.write(ctx, t, func(st store) error {
		return st.tx.Exec(`INSERT INTO timetable_feeds (person_id, secret_hash, created_at) VALUES (?, ?, ?)
			ON CONFLICT (person_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at`,
			person, hashSecret(secret), s.now()).Error
	})
	if err != nil {
		return "", fmt.Errorf("timetable: save the feed of %s: %w", person, err)
	}
	return secret, nil
}

// RevokeFeed ends the person's feed address.
func (s *Service) RevokeFeed(ctx context.Context, t *tenant.Tenant, person uuid.UUID) error {
	return s.write(ctx, t, func(st store) error {
		return st.tx.Exec(`DELETE FROM timetable_feeds WHERE person_id = ?`, person).Error
	})
}

// errNoFeed answers any secret that is not a current one of this establishment.
var errNoFeed = fault.New(fault.ErrNotFound, "adresse d'abonnement inconnue ou révoquée")

// Feed is the calendar of the feed whose secret is given: the lessons of its person (a
// pupil's, a teacher's; a parent's legal children's, each named) over the feed's window,
// cancelled lessons marked so. A secret of another establishment, revoked or replaced, is
// not found.
func (s *Service) Feed(ctx context.Context, t *tenant.Tenant, secret string) (*ics.Calendar, error) {
	if len(secret) != 43 {
		return nil, errNoFeed
	}
	today := s.Today()
	from, to := today.AddDate(0, 0, -feedBack), today.AddDate(0, 0, feedAhead)
	type entry struct {
		prefix string
		child  uuid.UUID // a parent's feed: whose lesson (two children may share one)
		lesson Lesson
	}
	var entries []entry
	var owner personRef
	err := s.read(ctx, t, func(st store) error {
		var row struct{ PersonID uuid.UUID }
		if err := st.tx.Raw(`SELECT person_id FROM timetable_feeds WHERE secret_hash = ?`, hashSecret(secret)).Scan(&row).Error; err != nil {
			return fmt.Errorf("timetable: feed look-up: %w", err)
		}
		id := row.PersonID
		if id == uuid.Nil {
			return errNoFeed
		}
		p, err := st.person(id)
		if err != nil {
			return errNoFeed // deactivated since
		}
		owner = p
		own, err := st.personLessons(p, from, to)
		if err != nil {
			return err
		}
		for _, l := range own {
			entries = append(entries, entry{lesson: l})
		}
		if p.Category != directory.CategoryResponsable {
			return nil
		}
		kids, err := s.guardians.LegalChildren(st.tx, id)
		if err != nil {
			return err
		}
		for _, k := range kids {
			kid, err := st.person(k.ID)
			if err != nil {
				return err
			}
			ls, err := st.personLessons(kid, from, to)
			if err != nil {
				return err
			}
			for _, l := range ls {
				entries = append(entries, entry{prefix: k.FirstName + " : ", child: k.ID, lesson: l})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cal := ics.NewCalendarFor("Cartable")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName("Emploi du temps – " + owner.Name)
	cal.SetXWRCalName("Emploi du temps – " + owner.Name)
	cal.SetXWRTimezone(Zone.String())
	cal.SetRefreshInterval("PT6H")
	stamp := s.now()
	for _, e := range entries {
		l := e.lesson
		uid := strings.ReplaceAll(l.Key(), "/", "-")
		if e.child != uuid.Nil {
			uid += "-" + e.child.String()
		}
		ev := cal.AddEvent(uid + "@" + strings.ToLower(string(t.UAI)) + ".cartable")
		ev.SetDtStampTime(stamp)
		ev.SetStartAt(l.StartsAt())
		ev.SetEndAt(l.EndsAt())
		summary := e.prefix + l.Subject.Label + " – " + l.Group.Label
		if st := l.Status.Label(); st != "" {
			summary += " (" + strings.ToLower(st) + ")"
		}
		ev.SetSummary(summary)
		if l.Room != "" {
			ev.SetLocation("Salle " + l.Room)
		}
		desc := lessonViewOf(l, "").Teachers
		if l.Note != "" {
			desc += "\n" + l.Note
		}
		ev.SetDescription(desc)
		if l.Status == StatusAnnule {
			ev.SetStatus(ics.ObjectStatusCancelled)
		} else {
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	return cal, nil
}
