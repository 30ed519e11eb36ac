package messaging

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/pgarray"
	"github.com/cartable-ent/cartable/web/fault"
)

// Role is how a person holds a copy of a message: its sender, or a recipient in « À »,
// « Cc » or « Cci » (blind copy: seen only by the sender and that recipient).
type Role string

// The roles of a copy.
const (
	From Role = "de"
	To   Role = "a"
	Cc   Role = "cc"
	Bcc  Role = "cci"
)

// recipientRoles are the recipients' roles, strongest first: a person named twice keeps the
// strongest.
var recipientRoles = []Role{To, Cc, Bcc}

// Label is the role as the form names it.
func (r Role) Label() string {
	switch r {
	case To:
		return "À"
	case Cc:
		return "Copie (Cc)"
	case Bcc:
		return "Copie cachée (Cci)"
	}
	return "De"
}

// Draft is a message as written: its recipients are people (their id) or groups
// (Audience.Token), per role.
type Draft struct {
	Recipients map[Role][]string
	Subject    string
	Body       string
	Format     Format
	// ReplyTo is the message answered: the new one joins its conversation (uuid.Nil: a new
	// conversation).
	ReplyTo uuid.UUID
	// NoReply makes it an announcement its recipients cannot answer (staff only, flow.go).
	NoReply bool
	// draftID is the saved draft being sent: it leaves the drafts in the send's transaction.
	draftID uuid.UUID
	// Files are attached (files.go: types, sizes, the sender's quota).
	Files []files.Upload
}

// Sent is what a send did.
type Sent struct {
	Conversation uuid.UUID `json:"conversation"`
	Message      uuid.UUID `json:"message"`
	Recipients   int       `json:"recipients"`
	// Inactive are recipients who never activated an account: the message waits for them.
	Inactive []Person `json:"inactive"`
	// NoticeAt is when the recipients will be told, for a message sent outside the messaging
	// hours (delivered at once, its notification held until they start).
	NoticeAt *time.Time `json:"notice_at,omitempty"`
}

// NoticeWhen is NoticeAt as the page says it.
func (s *Sent) NoticeWhen() string { return frenchTime(*s.NoticeAt) }

// Limits of a message.
const (
	maxSubject    = 200
	maxBody       = 20_000
	maxRecipients = 5_000
)

// Form fields, as validation errors name them.
const (
	fieldSubject    = "objet"
	fieldBody       = "message"
	fieldRecipients = "destinataires"
)

func (d Draft) validate() error {
	subject := strings.TrimSpace(d.Subject)
	switch {
	case d.ReplyTo == uuid.Nil && subject == "":
		return fault.NewField(fault.ErrInvalid, fieldSubject, "l'objet est obligatoire")
	case len([]rune(subject)) > maxSubject:
		return fault.NewField(fault.ErrInvalid, fieldSubject, "l'objet ne peut dépasser %d caractères (il en a %d)", maxSubject, len([]rune(subject)))
	case strings.TrimSpace(d.Body) == "":
		return fault.NewField(fault.ErrInvalid, fieldBody, "le message est vide")
	case len([]rune(d.Body)) > maxBody:
		return fault.NewField(fault.ErrInvalid, fieldBody, "le message ne peut dépasser %d caractères (il en a %d)", maxBody, len([]rune(d.Body)))
	case d.Format != Text && d.Format != Markdown:
		return fault.NewField(fault.ErrInvalid, "format", "choisissez « texte » ou « Markdown »")
	}
	n := 0
	for _, r := range recipientRoles {
		n += len(d.Recipients[r])
	}
	switch {
	case n == 0:
		return fault.NewField(fault.ErrInvalid, fieldRecipients, "choisissez au moins un destinataire")
	case n > maxRecipients:
		return fault.NewField(fault.ErrInvalid, fieldRecipients, "%d destinataires au plus par message (choisissez des groupes)", maxRecipients)
	}
	for role := range d.Recipients {
		if !slices.Contains(recipientRoles, role) {
			return fault.NewField(fault.ErrInvalid, fieldRecipients, "rôle de destinataire inconnu : %q", role)
		}
	}
	return nil
}

// token is one recipient of a draft: a person, or a class's group of a profile.
type token struct {
	person  uuid.UUID
	class   uuid.UUID
	profile Profile
}

func parseToken(raw string) (token, error) {
	if rest, ok := strings.CutPrefix(raw, "groupe:"); ok {
		classRaw, profile, _ := strings.Cut(rest, ":")
		class, err := uuid.Parse(classRaw)
		if err == nil && slices.Contains(groupProfiles, Profile(profile)) {
			return token{class: class, profile: Profile(profile)}, nil
		}
	} else if id, err := uuid.Parse(raw); err == nil {
		return token{person: id}, nil
	}
	return token{}, fault.NewField(fault.ErrInvalid, fieldRecipients, "« %s » n'est pas un destinataire", raw)
}

// Send sends the draft from sender: the recipients are checked against the rules (a person
// the sender may not write to refuses the whole send, named), groups are expanded to
// those of their members the sender may reach, and every copy is stored at once. The
// recipients are notified in the same transaction.
func (s *Service) Send(ctx context.Context, t *tenant.Tenant, sender uuid.UUID, d Draft) (*Sent, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	html, err := renderBody(d.Body, d.Format)
	if err != nil {
		return nil, err
	}
	checked, err := checkFiles(d.Files)
	if err != nil {
		return nil, err
	}
	// Blobs first, rows in the send's transaction; a failed send removes its blobs.
	stored, err := s.putFiles(ctx, t, checked)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &Sent{Message: uuid.New()}
	var sentTo pgarray.UUIDs
	err = s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		st := store{tx}
		if err := mayWriteNow(tx, sender); err != nil { // suspend.go
			return err
		}
		subject := strings.TrimSpace(d.Subject)
		if d.ReplyTo != uuid.Nil {
			conv, err := st.conversationOf(sender, d.ReplyTo)
			if err != nil {
				return err
			}
			out.Conversation, subject = conv.ID, conv.Subject
		}
		if err := beforeSend(tx, sender, d); err != nil { // drafts, « sans réponse » (flow.go)
			return err
		}
		recipients, err := s.resolve(tx, sender, d)
		if err != nil {
			return err
		}
		if err := checkBudget(tx, sender, len(recipients), now); err != nil {
			return err
		}
		if out.Conversation == uuid.Nil {
			out.Conversation = uuid.New()
			if err := st.insertConversation(out.Conversation, subject, now); err != nil {
				return err
			}
		}
		if err := st.insertMessage(out.Message, out.Conversation, sender, d.Body, d.Format, html, now); err != nil {
			return err
		}
		if err := afterInsert(tx, out.Message, d); err != nil {
			return err
		}
		if err := recordFiles(tx, sender, out.Message, stored, now); err != nil {
			return err
		}
		ids, roles := recipients.columns()
		sentTo = ids
		if err := st.insertCopies(out.Message, sender, ids, roles, now); err != nil {
			return err
		}
		out.Recipients = len(ids)
		if out.Inactive, err = st.inactive(ids); err != nil {
			return err
		}
		out.NoticeAt, err = s.tellRecipients(tx, t, out.Message, out.Conversation, sender, ids, subject, now) // hours.go
		return err
	})
	if err != nil {
		return nil, errors.Join(err, s.dropFiles(ctx, t, storedKeys(stored)))
	}
	s.used.Remove(countKey(t, sender))
	for _, id := range sentTo {
		s.counts.Remove(countKey(t, id))
	}
	return out, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// recipients are the people a send goes to, each with the strongest role they were named in.
type recipients map[uuid.UUID]Role

func (r recipients) columns() (pgarray.UUIDs, pgarray.Text) {
	ids, roles := make(pgarray.UUIDs, 0, len(r)), make(pgarray.Text, 0, len(r))
	for id, role := range r {
		ids, roles = append(ids, id), append(roles, string(role))
	}
	return ids, roles
}

// resolve checks and expands the draft's recipients in tx.
func (s *Service) resolve(tx *gorm.DB, sender uuid.UUID, d Draft) (recipients, error) {
	r, err := reachOf(tx, sender)
	if err != nil {
		return nil, err
	}
	out := recipients{}
	var named []uuid.UUID
	for _, role := range slices.Backward(recipientRoles) { // weakest first: stronger ones overwrite
		for _, raw := range d.Recipients[role] {
			tk, err := parseToken(raw)
			if err != nil {
				return nil, err
			}
			if tk.person != uuid.Nil {
				named = append(named, tk.person)
				out[tk.person] = role
				continue
			}
			members, err := r.expandGroup(tx, tk.class, tk.profile)
			if err != nil {
				return nil, err
			}
			for _, id := range members {
				out[id] = role
			}
		}
	}
	refused, err := r.refused(tx, sender, named)
	if err != nil {
		return nil, err
	}
	if len(refused) > 0 {
		names := make([]string, len(refused))
		for i, p := range refused {
			names[i] = p.Name()
		}
		return nil, fault.NewField(fault.ErrInvalid, fieldRecipients, "les règles de l'établissement ne vous permettent pas d'écrire à : %s", strings.Join(names, ", "))
	}
	delete(out, sender)
	if len(out) == 0 {
		return nil, fault.NewField(fault.ErrInvalid, fieldRecipients, "aucun membre des groupes choisis ne peut recevoir vos messages")
	}
	return out, nil
}

// Folder is one of a person's folders.
type Folder string

// The folders.
const (
	Inbox  Folder = "reception"
	Outbox Folder = "envoyes"
	Trash  Folder = "corbeille"
	Drafts Folder = "brouillons" // drafts.go
)

// Label is the folder's French name.
func (f Folder) Label() string {
	switch f {
	case Outbox:
		return "Envoyés"
	case Trash:
		return "Corbeille"
	case Drafts:
		return "Brouillons"
	}
	return "Réception"
}

// Item is a message as a folder lists it.
type Item struct {
	Message      uuid.UUID `json:"message"`
	Conversation uuid.UUID `json:"conversation"`
	Subject      string    `json:"subject"`
	From         Person    `json:"from"`
	To           string    `json:"to,omitempty"` // the sent folder's recipients, in short
	SentAt       time.Time `json:"sent_at"`
	Read         bool      `json:"read"`
	Role         Role      `json:"role"`
	Snippet      string    `json:"snippet"`
	Recalled     bool      `json:"recalled,omitempty"` // the sender recalled it (their copy only remains)
}

// When is the time as the folder shows it.
func (i Item) When() string { return frenchTime(i.SentAt) }

// FolderPage is one page of a folder, newest first.
type FolderPage struct {
	Folder Folder `json:"folder"`
	Items  []Item `json:"items"`
	Unread int    `json:"unread"` // in réception
	More   bool   `json:"more"`
}

// pageSize is how many messages a folder page shows.
const pageSize = 50

// List returns a page of person's folder, before the given message (uuid.Nil: the newest).
func (s *Service) List(ctx context.Context, t *tenant.Tenant, person uuid.UUID, f Folder, before uuid.UUID) (*FolderPage, error) {
	p := &FolderPage{Folder: f}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		st := store{tx}
		var err error
		if p.Items, err = st.folder(person, f, before, pageSize+1); err != nil {
			return err
		}
		if len(p.Items) > pageSize {
			p.Items, p.More = p.Items[:pageSize], true
		}
		p.Unread, err = st.unread(person)
		return err
	})
	if err == nil {
		s.counts.Add(countKey(t, person), p.Unread)
	}
	return p, err
}

// Thread is a conversation as one of its participants sees it: the messages they sent or
// received, oldest first.
type Thread struct {
	ID       uuid.UUID       `json:"id"`
	Subject  string          `json:"subject"`
	Messages []ThreadMessage `json:"messages"`
}

// ThreadMessage is one message of a thread.
type ThreadMessage struct {
	ID      uuid.UUID     `json:"id"`
	From    Person        `json:"from"`
	SentAt  time.Time     `json:"sent_at"`
	HTML    template.HTML `json:"html"` // sanitised at send
	To      []Person      `json:"to"`
	Cc      []Person      `json:"cc"`
	Bcc     []Person      `json:"bcc,omitempty"` // only for its sender, or the blind copy's own recipient
	Role    Role          `json:"role"`          // the viewer's copy
	Trashed bool          `json:"trashed"`
	Files   []Attachment  `json:"files"`
	// Set by annotate (flow.go): recalled by its sender, an announcement without reply,
	// and whether the viewer may still recall it.
	RecalledAt *time.Time `json:"recalled_at,omitempty"`
	NoReply    bool       `json:"no_reply"`
	Recallable bool       `json:"recallable"`
}

// When is the time as the thread shows it.
func (m ThreadMessage) When() string { return frenchTime(m.SentAt) }

// Mine tells whether the viewer sent it.
func (m ThreadMessage) Mine() bool { return m.Role == From }

// Conversation returns the thread of conversation id as person sees it, and marks what
// they received there read. A conversation they have no copy of is not found: nobody
// learns that it exists.
func (s *Service) Conversation(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID) (*Thread, error) {
	var th *Thread
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		st := store{tx}
		var err error
		if th, err = st.thread(person, id); err != nil {
			return err
		}
		if err := annotate(tx, th, person, s.now()); err != nil {
			return err
		}
		if err := withFiles(tx, th); err != nil {
			return err
		}
		return st.markRead(person, id, s.now())
	})
	if err == nil {
		s.counts.Remove(countKey(t, person))
	}
	return th, err
}

// ReplyDraft prepares the answer to message id: to its sender (or, for one's own message,
// its recipients), and with all to every visible recipient. People the rules no longer let
// the person write to are left out and named.
func (s *Service) ReplyDraft(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID, all bool) (Draft, []Person, string, error) {
	d := Draft{ReplyTo: id, Format: Text, Recipients: map[Role][]string{}}
	var left []Person
	var subject string
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		st := store{tx}
		conv, err := st.conversationOf(person, id)
		if err != nil {
			return err
		}
		subject = conv.Subject
		if err := refuseNoReply(tx, person, id); err != nil {
			return err
		}
		to, cc, err := st.replyRecipients(person, id, all)
		if err != nil {
			return err
		}
		r, err := reachOf(tx, person)
		if err != nil {
			return err
		}
		refused, err := r.refused(tx, person, append(slices.Clone(to), cc...))
		if err != nil {
			return err
		}
		out := map[uuid.UUID]bool{}
		for _, p := range refused {
			out[p.ID] = true
		}
		left = refused
		for role, ids := range map[Role][]uuid.UUID{To: to, Cc: cc} {
			for _, pid := range ids {
				if !out[pid] {
					d.Recipients[role] = append(d.Recipients[role], pid.String())
				}
			}
		}
		return nil
	})
	return d, left, subject, err
}

// Move puts person's copy of message id in the corbeille (trash true) or back.
func (s *Service) Move(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID, trash bool) error {
	defer s.counts.Remove(countKey(t, person))
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error { return store{tx}.move(person, id, trash, s.now()) })
}

// Delete deletes person's copy of message id for good; only a copy in the corbeille can be.
// The message itself goes, with its files and their blobs, when nobody keeps a copy.
func (s *Service) Delete(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID) error {
	defer s.used.Remove(countKey(t, person))
	var gone []string // the message's blobs, once its last copy is deleted
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		keys, err := keysOf(tx, id)
		if err != nil {
			return err
		}
		if err := (store{tx}).deleteCopy(person, id); err != nil {
			return err
		}
		gone, err = goneKeys(tx, id, keys)
		return err
	})
	if err != nil {
		return err
	}
	return s.dropFiles(ctx, t, gone)
}

// InTrash returns the subject of person's copy of message id if it is in their corbeille
// (the deletion's confirmation page), else not found.
func (s *Service) InTrash(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID) (string, error) {
	var subject string
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		subject, err = store{tx}.trashedSubject(person, id)
		return err
	})
	return subject, err
}

// Describe names a draft's recipients for the form: people by name, groups by label.
// Unknown ones are dropped (the send would refuse them anyway).
func (s *Service) Describe(ctx context.Context, t *tenant.Tenant, tokens []string) (map[string]string, error) {
	out := map[string]string{}
	var people []uuid.UUID
	var classes []uuid.UUID
	parsed := map[string]token{}
	for _, raw := range tokens {
		tk, err := parseToken(raw)
		if err != nil {
			continue
		}
		parsed[raw] = tk
		if tk.person != uuid.Nil {
			people = append(people, tk.person)
		} else {
			classes = append(classes, tk.class)
		}
	}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		names, labels, err := store{tx}.describe(people, classes)
		if err != nil {
			return err
		}
		for raw, tk := range parsed {
			if tk.person != uuid.Nil {
				if n, ok := names[tk.person]; ok {
					out[raw] = n
				}
			} else if l, ok := labels[tk.class]; ok {
				out[raw] = Audience{ClassID: tk.class, ClassLabel: l, Profile: tk.profile}.Label()
			}
		}
		return nil
	})
	return out, err
}

func frenchTime(t time.Time) string {
	t = t.In(directory.SchoolZone)
	months := []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	return fmt.Sprintf("%d %s %d à %s", t.Day(), months[t.Month()-1], t.Year(), t.Format("15:04"))
}

// Delivery is what the sender of message id learns after the send: how many recipients,
// and who never activated an account. Someone else's message is not found.
func (s *Service) Delivery(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID) (*Sent, error) {
	var out *Sent
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		out, err = store{tx}.delivery(person, id)
		return err
	})
	return out, err
}

// Search finds the messages person holds a copy of whose subject or body match query (words
// in French, stemmed: « absences » finds « absent »; "…" for a phrase, -word to exclude), the
// 50 newest.
func (s *Service) Search(ctx context.Context, t *tenant.Tenant, person uuid.UUID, query string) (*FolderPage, error) {
	query = strings.TrimSpace(query)
	switch {
	case query == "":
		return nil, fault.NewField(fault.ErrInvalid, "q", "saisissez un ou plusieurs mots à chercher")
	case len([]rune(query)) > maxQuery:
		return nil, fault.NewField(fault.ErrInvalid, "q", "la recherche ne peut dépasser %d caractères", maxQuery)
	}
	p := &FolderPage{Folder: "recherche"}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		if p.Items, err = (store{tx}).search(person, query, pageSize+1); err != nil {
			return err
		}
		if len(p.Items) > pageSize {
			p.Items, p.More = p.Items[:pageSize], true
		}
		return nil
	})
	return p, err
}
