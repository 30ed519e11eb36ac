// Package notify tells people what happened that concerns them: a new mark, an absence, the
// answer to a justification, later messages and news. Other modules call Notify inside their
// own transaction; the person finds the notification in the application (the
// « Notifications » page, its unread count in the menu, the JSON API) and, as their
// preferences say, by e-mail at once or in the day's digest, never during the
// establishment's quiet hours. E-mails go through SMTP from River jobs enqueued in the same
// transaction, each sent at most once and never lost (deliver.go).
package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Kind is what a notification is about; preferences are per kind.
type Kind string

// The kinds of notification.
const (
	KindNewMark               Kind = "new_mark"
	KindAbsence               Kind = "absence"
	KindJustificationAnswered Kind = "justification_answered"
	KindMessage               Kind = "message"
	KindNews                  Kind = "news"
	KindWork                  Kind = "travail" // new work to do (cahier de textes)
	KindCourse                Kind = "cours"   // a course published to one's class or group
	// KindRetention warns a person who left that their data will be deleted (retention):
	// unlike every other kind, it reaches people who left.
	KindRetention Kind = "conservation"
)

// Kinds lists every kind, in the order the preferences page shows them.
var Kinds = []Kind{KindAbsence, KindJustificationAnswered, KindNewMark, KindMessage, KindNews, KindWork, KindCourse, KindRetention}

// Label is the kind's French name.
func (k Kind) Label() string {
	switch k {
	case KindNewMark:
		return "Nouvelle note"
	case KindAbsence:
		return "Absence ou retard"
	case KindJustificationAnswered:
		return "Réponse à un justificatif"
	case KindMessage:
		return "Message"
	case KindNews:
		return "Actualité"
	case KindWork:
		return "Travail à faire"
	case KindCourse:
		return "Cours en ligne"
	case KindRetention:
		return "Conservation de vos données"
	}
	return string(k)
}

// Valid tells whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Notice is one notification to tell some people: the same title, body and link for each.
type Notice struct {
	Kind       Kind
	Recipients []uuid.UUID // people of the establishment
	Title      string      // one line: « Nouvelle note en mathématiques »
	Body       string      // a few lines, plain text
	Link       string      // a path of the establishment's site (/notes), or empty
}

// Limits of a notice's text, so that a caller's bug cannot fill mailboxes.
const (
	maxTitle = 200
	maxBody  = 4000
	maxLink  = 500
)

func (n Notice) validate() error {
	switch {
	case !n.Kind.Valid():
		return fmt.Errorf("notify: unknown kind %q", n.Kind)
	case strings.TrimSpace(n.Title) == "" || len([]rune(n.Title)) > maxTitle:
		return fmt.Errorf("notify: a title of 1 to %d characters is needed", maxTitle)
	case len([]rune(n.Body)) > maxBody:
		return fmt.Errorf("notify: body over %d characters", maxBody)
	case len(n.Link) > maxLink || (n.Link != "" && !strings.HasPrefix(n.Link, "/")) || strings.HasPrefix(n.Link, "//"):
		return fmt.Errorf("notify: the link must be a path of the establishment's site: %q", n.Link)
	}
	return nil
}

// Notification is one notification as its recipient sees it.
type Notification struct {
	ID        uuid.UUID  `json:"id"`
	Kind      Kind       `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// KindLabel is the kind's French name (templates).
func (n Notification) KindLabel() string { return n.Kind.Label() }

// Queue enqueues the send jobs in the caller's transaction (jobs.Queue).
type Queue interface {
	InsertManyTx(tx *gorm.DB, t *tenant.Tenant, jobs []jobs.Planned) error
}

// Service keeps the notifications of every establishment.
type Service struct {
	db    *tenant.DB
	now   func() time.Time
	queue Queue
	// menuCounts keeps the menu's unread counts a few seconds (tenant UAI + person): the
	// menu is on every page, and a count a few seconds old is good enough there. This
	// process's own changes (mark read, a page of the list) update it at once.
	menuCounts *expirable.LRU[string, int]
}

// menuCountTTL is how old the menu's unread count may be.
const menuCountTTL = 10 * time.Second

// NewService wires the notifications. now is the clock (nil: time.Now); the queue is set
// by SetQueue (the queue needs the service's workers first).
func NewService(db *tenant.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: func() time.Time { return now().In(directory.SchoolZone) },
		menuCounts: expirable.NewLRU[string, int](100_000, nil, menuCountTTL)}
}

// SetQueue gives the service the job queue its e-mails are sent from.
func (s *Service) SetQueue(q Queue) { s.queue = q }

// Notify records the notices in tx, the caller's tenant transaction, with their e-mails and
// the jobs that send them: they exist if and only if the caller's change commits. People
// who left (but for KindRetention) or are unknown are skipped; a person named twice is
// told once.
func (s *Service) Notify(tx *gorm.DB, t *tenant.Tenant, notices ...Notice) error {
	for _, n := range notices {
		if err := n.validate(); err != nil {
			return err
		}
	}
	st := store{tx}
	now := s.now()
	quiet, err := st.quietHours()
	if err != nil {
		return err
	}
	sendAfter := quiet.nextSend(now)
	batch := noticeBatch{}
	for _, n := range notices {
		id := uuid.New()
		batch.add(id, n)
	}
	if err := st.insertNotifications(batch, now); err != nil {
		return err
	}
	mails, err := st.insertRecipients(batch, now, sendAfter)
	if err != nil {
		return err
	}
	return s.enqueue(tx, t, mails, sendAfter)
}

// enqueue plans the jobs that send mails, a chunk of them per job (one SMTP connection).
func (s *Service) enqueue(tx *gorm.DB, t *tenant.Tenant, mails []uuid.UUID, at time.Time) error {
	if len(mails) == 0 {
		return nil
	}
	if s.queue == nil {
		return errors.New("notify: no job queue wired: e-mails could not be sent")
	}
	if !at.After(s.now()) {
		// Due now: no scheduled time, so River makes the job available at once (a scheduled
		// job waits for River's scheduler, which runs every 5 s).
		at = time.Time{}
	}
	var planned []jobs.Planned
	for len(mails) > 0 {
		n := min(len(mails), mailsPerJob)
		planned = append(planned, jobs.Planned{Args: SendMails{TenantUAI: string(t.UAI), Mails: mails[:n]}, At: at})
		mails = mails[n:]
	}
	return s.queue.InsertManyTx(tx, t, planned)
}

// Page is one page of a person's notifications, newest first.
type Page struct {
	Items  []Notification `json:"items"`
	Unread int            `json:"unread"`
	More   bool           `json:"more"` // older ones exist
}

// pageSize is how many notifications a page shows.
const pageSize = 50

// List returns person's notifications, newest first, before the given one (uuid.Nil: the
// newest), and their unread count.
func (s *Service) List(ctx context.Context, t *tenant.Tenant, person uuid.UUID, before uuid.UUID) (*Page, error) {
	var p Page
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		st := store{tx}
		var err error
		if p.Items, err = st.list(person, before, pageSize+1); err != nil {
			return err
		}
		if len(p.Items) > pageSize {
			p.Items, p.More = p.Items[:pageSize], true
		}
		p.Unread, err = st.unread(person)
		return err
	})
	if err == nil {
		s.menuCounts.Add(countKey(t, person), p.Unread)
	}
	return &p, err
}

func countKey(t *tenant.Tenant, person uuid.UUID) string {
	return string(t.UAI) + "/" + person.String()
}

// MenuUnread is Unread as the menu shows it: kept up to menuCountTTL.
func (s *Service) MenuUnread(ctx context.Context, t *tenant.Tenant, person uuid.UUID) (int, error) {
	if n, ok := s.menuCounts.Get(countKey(t, person)); ok {
		return n, nil
	}
	n, err := s.Unread(ctx, t, person)
	if err == nil {
		s.menuCounts.Add(countKey(t, person), n)
	}
	return n, err
}

// Unread counts person's unread notifications (the menu's badge).
func (s *Service) Unread(ctx context.Context, t *tenant.Tenant, person uuid.UUID) (int, error) {
	var n int
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		n, err = store{tx}.unread(person)
		return err
	})
	return n, err
}

// MarkRead marks one of person's notifications read. Another person's notification, or an
// unknown one, is not found: nobody learns that it exists.
func (s *Service) MarkRead(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID) error {
	defer s.menuCounts.Remove(countKey(t, person))
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		n, err := store{tx}.markRead(person, &id, s.now())
		if err != nil {
			return err
		}
		if n == 0 {
			return fault.New(fault.ErrNotFound, "notification introuvable")
		}
		return nil
	})
}

// MarkAllRead marks every notification of person read and says how many were unread.
func (s *Service) MarkAllRead(ctx context.Context, t *tenant.Tenant, person uuid.UUID) (int, error) {
	defer s.menuCounts.Remove(countKey(t, person))
	var n int
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var err error
		n, err = store{tx}.markRead(person, nil, s.now())
		return err
	})
	return n, err
}

// When is the notification's time as the page shows it: « 5 octobre 2026 à 10:05 ».
func (n Notification) When() string { return frenchTime(n.CreatedAt) }

func frenchTime(t time.Time) string {
	t = t.In(directory.SchoolZone)
	return fmt.Sprintf("%s à %s", frenchDate(t), t.Format("15:04"))
}
