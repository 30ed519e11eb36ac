package news

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Limits of a post, as the form states them.
const (
	maxTitle = 150
	maxBody  = 20000
	// listLimit bounds the lists: a year of an establishment's news fits.
	listLimit = 200
	// homeLimit is how many headlines the home page shows.
	homeLimit = 5
)

// Service writes, publishes and shows the posts of every establishment.
type Service struct {
	db       *tenant.DB
	files    *files.Store // the posts' files; nil: files are refused
	notifier Notifier     // SetNotifier; nil: nobody is told
	now      func() time.Time
}

// NewService wires news on the tenants' database and the registry's blob store (nil: no
// attachments). now is the clock (nil: time.Now).
func NewService(db *tenant.DB, blobs *blob.Bucket, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{db: db, now: now}
	if blobs != nil {
		s.files = files.NewStore(blobs, attachments)
	}
	return s
}

// FileTable is news's table of files, as the establishment's space counts them: named with
// their author on the direction's page.
var FileTable = files.Table{Name: "news_files", Module: "Actualités", Owner: "SELECT p.author_id FROM news_posts p WHERE p.id = f.post_id"}

// SetSpace makes attachments count against the establishment's quota (files.Space).
func (s *Service) SetSpace(sp *files.Space) {
	if s.files != nil {
		s.files.Within(sp)
	}
}

func (s *Service) read(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.ReadTx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

func (s *Service) write(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

// FormErrors are a refused form's messages by field, in French.
type FormErrors map[string]string

func (e FormErrors) Error() string { return "formulaire d'actualité invalide" }

// Action is what the author asks of a saved post.
type Action string

// The actions of the form: keep a draft, send it to the direction, publish it (direction).
const (
	SaveDraft Action = "brouillon"
	Submit    Action = "soumettre"
	Publish   Action = "publier"
)

// PostForm is a post as typed.
type PostForm struct {
	Title     string
	Body      string
	Audience  string
	Class     string // a class or group id
	Headline  bool
	PublishOn string // aaaa-mm-jj, empty: at publication
	ExpiresOn string // aaaa-mm-jj, shown until the end of that day; empty: no end
}

// FormOf is the form of an existing post, to edit it.
func FormOf(p Post) PostForm {
	f := PostForm{Title: p.Title, Body: p.Body, Audience: string(p.Audience), Headline: p.Headline}
	if p.ClassID != uuid.Nil {
		f.Class = p.ClassID.String()
	}
	if p.PublishAt != nil {
		f.PublishOn = p.PublishAt.In(directory.SchoolZone).Format(dateLayout)
	}
	if p.ExpiresAt != nil {
		f.ExpiresOn = p.ExpiresAt.In(directory.SchoolZone).AddDate(0, 0, -1).Format(dateLayout)
	}
	return f
}

const dateLayout = "2006-01-02"

// Classes are the classes and groups a post may be addressed to.
func (s *Service) Classes(ctx context.Context, t *tenant.Tenant) ([]ClassChoice, error) {
	var out []ClassChoice
	err := s.read(ctx, t, func(st store) (err error) { out, err = st.classes(); return err })
	return out, err
}

// validate checks the form against the establishment's classes and fills row's content;
// every wrong field gets its message.
func (s *Service) validate(st store, f PostForm, row *postRow) error {
	errs := FormErrors{}
	row.Title = strings.TrimSpace(f.Title)
	switch n := utf8.RuneCountInString(row.Title); {
	case n == 0:
		errs["titre"] = "Titre : indiquez le titre de l'actualité."
	case n > maxTitle:
		errs["titre"] = "Titre : 150 caractères au plus (" + itoa(n) + " saisis)."
	}
	row.Body = strings.TrimSpace(f.Body)
	switch n := utf8.RuneCountInString(row.Body); {
	case n == 0:
		errs["texte"] = "Texte : écrivez le texte de l'actualité."
	case n > maxBody:
		errs["texte"] = "Texte : 20 000 caractères au plus (" + itoa(n) + " saisis)."
	}
	row.Audience = Audience(f.Audience)
	row.ClassID = nil
	classes, err := st.classes()
	if err != nil {
		return err
	}
	var class *ClassChoice
	if id, err := uuid.Parse(f.Class); err == nil {
		for i := range classes {
			if classes[i].ID == id {
				class = &classes[i]
			}
		}
	}
	switch row.Audience {
	case Everyone, Staff:
	case Class, Group:
		kind, what := "classe", "la classe"
		if row.Audience == Group {
			kind, what = "groupe", "le groupe"
		}
		if class == nil || class.Kind != kind {
			errs["classe"] = "Classe ou groupe : choisissez " + what + " à qui s'adresse l'actualité."
		} else {
			row.ClassID = &class.ID
		}
	case Guardians:
		switch {
		case f.Class == "":
		case class == nil || class.Kind != "classe":
			errs["classe"] = "Classe ou groupe : choisissez la classe dont les parents sont destinataires, ou aucune pour tous les parents."
		default:
			row.ClassID = &class.ID
		}
	default:
		errs["destinataires"] = "Destinataires : choisissez à qui s'adresse l'actualité."
	}
	row.Headline = f.Headline
	row.PublishAt = parseDay(f.PublishOn, 0, "publication", "Publication à partir du", errs)
	row.ExpiresAt = parseDay(f.ExpiresOn, 1, "expiration", "Visible jusqu'au", errs)
	if row.ExpiresAt != nil {
		switch {
		case !row.ExpiresAt.After(s.now()):
			errs["expiration"] = "Visible jusqu'au : cette date est passée ; choisissez une date à venir ou laissez vide."
		case row.PublishAt != nil && !row.ExpiresAt.After(*row.PublishAt):
			errs["expiration"] = "Visible jusqu'au : la date doit suivre celle de publication."
		}
	}
	if len(errs) > 0 {
		return errs
	}
	html, err := renderBody(row.Body)
	if err != nil {
		return err
	}
	row.BodyHTML = html
	return nil
}

// parseDay reads a date aaaa-mm-jj as midnight in Paris, plus days; empty is nil.
func parseDay(raw string, days int, field, label string, errs FormErrors) *time.Time {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	d, err := time.ParseInLocation(dateLayout, raw, directory.SchoolZone)
	if err != nil {
		errs[field] = label + " : date « " + raw + " » illisible ; indiquez une date aaaa-mm-jj."
		return nil
	}
	d = d.AddDate(0, 0, days)
	return &d
}

// Save creates (id Nil) or edits a post and applies the action: a contributor keeps a draft
// or sends it for validation; only a publisher publishes. It returns the post's id.
func (s *Service) Save(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f PostForm, act Action) (uuid.UUID, error) {
	if !a.Writes() {
		return uuid.Nil, fault.New(fault.ErrForbidden, "vous ne pouvez pas écrire d'actualité")
	}
	if act == Publish && !a.Publishes() {
		return uuid.Nil, fault.New(fault.ErrForbidden, "seule la direction publie : envoyez l'actualité à la validation")
	}
	if act != SaveDraft && act != Submit && act != Publish {
		return uuid.Nil, fault.New(fault.ErrInvalid, "action inconnue : enregistrez un brouillon, soumettez ou publiez")
	}
	now := s.now()
	saved := id
	if id == uuid.Nil {
		saved = uuid.New()
	}
	err := s.write(ctx, t, func(st store) (err error) {
		row := postRow{ID: saved, AuthorID: a.PersonID, CreatedAt: now}
		if id != uuid.Nil {
			if row, err = st.lockPost(id); err != nil {
				return err
			}
			if err := mayEdit(a, row); err != nil {
				return err
			}
		}
		if err := s.validate(st, f, &row); err != nil {
			return err
		}
		row.UpdatedAt = now
		published := applyAction(&row, a, act, now)
		if id == uuid.Nil {
			err = st.insert(row)
		} else {
			err = st.update(row)
		}
		if err != nil || !published {
			return err
		}
		return s.tellAudience(st, t, row, a.PersonID, now)
	})
	if err != nil {
		return uuid.Nil, err
	}
	return saved, nil
}

// applyAction moves row to the state the action asks for; it tells whether the post was
// published by it (not before).
func applyAction(row *postRow, a Actor, act Action, now time.Time) (published bool) {
	switch act {
	case SaveDraft:
		row.State, row.PublishedAt, row.PublishedBy = Draft, nil, nil
	case Submit:
		row.State, row.PublishedAt, row.PublishedBy = Pending, nil, nil
	case Publish:
		published = row.State != Published
		row.State = Published
		if row.PublishedAt == nil {
			row.PublishedAt = &now
		}
		row.PublishedBy = &a.PersonID
	}
	return published
}

// mayEdit: a publisher edits any post; its author edits it until it is published (then a
// change would skip the validation). Others do not know it exists.
func mayEdit(a Actor, row postRow) error {
	switch {
	case a.Publishes():
		return nil
	case row.AuthorID != a.PersonID:
		return notFound()
	case row.State == Published:
		return fault.New(fault.ErrForbidden, "cette actualité est publiée : demandez à la direction de la modifier")
	}
	return nil
}

// Publish publishes a post waiting for validation (or a draft) as the direction.
func (s *Service) Publish(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	return s.decide(ctx, t, a, id, Publish)
}

// SendBack returns a post waiting for validation to its author as a draft.
func (s *Service) SendBack(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	return s.decide(ctx, t, a, id, SaveDraft)
}

func (s *Service) decide(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, act Action) error {
	if !a.Publishes() {
		return fault.New(fault.ErrForbidden, "seule la direction valide les actualités")
	}
	now := s.now()
	return s.write(ctx, t, func(st store) error {
		row, err := st.lockPost(id)
		if err != nil {
			return err
		}
		published := applyAction(&row, a, act, now)
		row.UpdatedAt = now
		if err := st.update(row); err != nil || !published {
			return err
		}
		return s.tellAudience(st, t, row, a.PersonID, now)
	})
}

// Delete deletes a post: its author's until it is published, any for a publisher. Its
// files' blobs are deleted once their rows are.
func (s *Service) Delete(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	var keys []string
	err := s.write(ctx, t, func(st store) error {
		row, err := st.lockPost(id)
		if err != nil {
			return err
		}
		if err := mayEdit(a, row); err != nil {
			return err
		}
		fs, err := st.files(id)
		if err != nil {
			return err
		}
		for _, f := range fs {
			keys = append(keys, f.Key)
		}
		return st.delete(id)
	})
	if err != nil || s.files == nil {
		return err
	}
	return s.files.Remove(ctx, t, keys...)
}

// Editable returns a post its viewer may edit or delete.
func (s *Service) Editable(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Post, error) {
	var p Post
	err := s.read(ctx, t, func(st store) error {
		var err error
		if p, err = st.post(id); err != nil {
			return err
		}
		if err := mayEdit(a, postRow{AuthorID: p.AuthorID, State: p.State}); err != nil {
			return err
		}
		p.Files, err = st.files(id)
		return err
	})
	return p, err
}

// View returns a post to its viewer and records their first read: the author and publishers
// see it in any state (a preview is not a read); anyone else only when it is current and
// addressed to them, else it does not exist for them.
func (s *Service) View(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Post, error) {
	var p Post
	now := s.now()
	err := s.write(ctx, t, func(st store) error {
		var err error
		if p, err = st.post(id); err != nil {
			return err
		}
		ok, err := st.addressed(id, a.PersonID, now)
		if err != nil {
			return err
		}
		if ok {
			err = st.markRead(id, a.PersonID, now)
		} else if !manages(a, p) {
			err = notFound()
		}
		if err != nil {
			return err
		}
		p.Files, err = st.files(id)
		return err
	})
	return p, err
}

// manages tells whether a sees p in any state: its author and publishers.
func manages(a Actor, p Post) bool {
	return a.Publishes() || (p.AuthorID == a.PersonID && a.PersonID != uuid.Nil)
}

// mayView: p is current and addressed to a, or a manages it; else it does not exist for a.
func (s *Service) mayView(st store, a Actor, p Post) error {
	if manages(a, p) {
		return nil
	}
	ok, err := st.addressed(p.ID, a.PersonID, s.now())
	if err != nil || !ok {
		return cmpErr(err, notFound())
	}
	return nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// Shown lists the current posts addressed to the viewer, headlines first, then the newest.
func (s *Service) Shown(ctx context.Context, t *tenant.Tenant, a Actor) ([]Post, error) {
	var out []Post
	err := s.read(ctx, t, func(st store) (err error) { out, err = st.shown(a.PersonID, s.now(), false, listLimit); return err })
	return out, err
}

// Headlines are the current headlines addressed to the viewer, for their home page.
func (s *Service) Headlines(ctx context.Context, t *tenant.Tenant, a Actor) ([]Post, error) {
	var out []Post
	err := s.read(ctx, t, func(st store) (err error) { out, err = st.shown(a.PersonID, s.now(), true, homeLimit); return err })
	return out, err
}

// Managed lists the posts the viewer manages with their read counts: a publisher's are
// every post, a contributor's their own.
func (s *Service) Managed(ctx context.Context, t *tenant.Tenant, a Actor) ([]Managed, error) {
	if !a.Writes() {
		return nil, fault.New(fault.ErrForbidden, "vous ne gérez pas d'actualités")
	}
	author := a.PersonID
	if a.Publishes() {
		author = uuid.Nil
	}
	var out []Managed
	err := s.read(ctx, t, func(st store) (err error) { out, err = st.managed(author, s.now(), listLimit); return err })
	return out, err
}

func itoa(n int) string { return strconv.Itoa(n) }
