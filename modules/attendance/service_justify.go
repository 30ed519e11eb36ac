package attendance

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Justification is a legal guardian's justification of an event and the vie scolaire's
// answer.
type Justification struct {
	ID         uuid.UUID
	AbsenceID  uuid.UUID
	Guardian   string
	Motif      string
	Comment    string
	State      string // en_attente, acceptee, refusee
	Answer     string
	AnsweredBy string
	CreatedAt  time.Time
	AnsweredAt *time.Time
	Files      []Attachment // the guardian's documents (those of the declaration it comes from included)
	Declared   bool         // made by the roll call from a declaration in advance
	Event      Event        // for the vie scolaire's list
}

// StateLabel is the French name of the justification's state.
func (j Justification) StateLabel() string {
	switch j.State {
	case "acceptee":
		return "Acceptée"
	case "refusee":
		return "Refusée"
	}
	return "En attente de la vie scolaire"
}

// Justifiable tells whether a legal guardian may still justify the event: not yet justified,
// and no justification of it waiting for an answer.
func (e Event) Justifiable() bool {
	if e.State == Justified {
		return false
	}
	return !slices.ContainsFunc(e.Justifications, func(j Justification) bool { return j.State == "en_attente" })
}

// JustifyPage is what a legal guardian's justification form shows.
type JustifyPage struct {
	Pupil  string
	Event  Event
	Motifs []Motif // those usable online
}

var errNoEvent = fault.New(fault.ErrNotFound, "cette absence n'existe pas")

// eventForGuardian reads an event for a legal guardian of its pupil (anyone else: not found).
func (s *Service) eventForGuardian(st store, a Actor, id uuid.UUID) (Event, error) {
	rows, err := st.events(`a.id = ?`, id)
	if err != nil || len(rows) == 0 {
		return Event{}, cmpErr(err, errNoEvent)
	}
	if a.PersonID == uuid.Nil {
		return Event{}, errNoEvent
	}
	ok, err := s.guardians.IsLegalGuardian(st.tx, a.PersonID, rows[0].PupilID)
	if err != nil || !ok {
		return Event{}, cmpErr(err, errNoEvent)
	}
	e := eventOf(rows[0], true)
	e.Justifications, err = st.justificationsOf([]uuid.UUID{id})
	return e, err
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// JustifyForm opens the justification of an event for a legal guardian.
func (s *Service) JustifyForm(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (*JustifyPage, error) {
	out := &JustifyPage{}
	err := s.read(ctx, t, func(st store) error {
		var err error
		if out.Event, err = s.eventForGuardian(st, a, id); err != nil {
			return err
		}
		out.Pupil = out.Event.Pupil
		motifs, err := st.motifs()
		for _, m := range motifs {
			if m.Active && m.Online {
				out.Motifs = append(out.Motifs, m)
			}
		}
		return err
	})
	return out, err
}

// JustificationForm is a guardian's justification as typed.
type JustificationForm struct {
	Motif, Comment string
	File           *Upload // optional: a PDF, JPEG or PNG of MaxFileBytes at most
}

// Justify records a legal guardian's justification of an event, for the vie scolaire to
// answer, with its document if any (stored first, recorded in the same transaction).
// Only motifs usable online are accepted; an event already justified, or with a
// justification waiting, is refused.
func (s *Service) Justify(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f JustificationForm) error {
	comment := strings.TrimSpace(f.Comment)
	errs := FormErrors{}
	if len([]rune(comment)) > 500 {
		errs["commentaire"] = "le commentaire dépasse 500 caractères"
	}
	file := checkOptional(f.File, "piece", errs)
	if len(errs) > 0 {
		return errs
	}
	return s.storing(ctx, t, file, func(doc *Attachment) error { return s.justify(ctx, t, a, id, f.Motif, comment, doc) })
}

func (s *Service) justify(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, motif, comment string, doc *Attachment) error {
	errs := FormErrors{}
	return s.write(ctx, t, func(st store) error {
		e, err := s.eventForGuardian(st, a, id)
		if err != nil {
			return err
		}
		if !e.Justifiable() {
			return fault.New(fault.ErrConflict, "cette absence est déjà justifiée, ou sa justification attend la réponse de la vie scolaire")
		}
		motifs, err := st.motifs()
		if err != nil {
			return err
		}
		mid, _ := uuid.Parse(motif)
		if !slices.ContainsFunc(motifs, func(m Motif) bool { return m.ID == mid && m.Active && m.Online }) {
			errs["motif"] = "choisissez un des motifs proposés"
		}
		if len(errs) > 0 {
			return errs
		}
		jid, err := st.insertJustification(id, a.PersonID, mid, comment, s.now())
		if err != nil || doc == nil {
			return err
		}
		return st.insertFile(*doc, jid, uuid.Nil)
	})
}

// PendingJustifications lists the justifications waiting for the vie scolaire, oldest first.
func (s *Service) PendingJustifications(ctx context.Context, t *tenant.Tenant, a Actor) ([]Justification, error) {
	if !a.Processes() {
		return nil, errNotYours
	}
	var out []Justification
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.pendingJustifications()
		return err
	})
	return out, err
}

// Answer is the vie scolaire's answer to a justification: accepted, the event takes its motif
// (justified or not by the motif's flag); refused, the event is "justification refusée".
// The comment is shown to the guardian.
func (s *Service) Answer(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, accept bool, comment string) error {
	if !a.Processes() {
		return errNotYours
	}
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > 500 {
		return fault.Invalidf("commentaire", "le commentaire dépasse 500 caractères")
	}
	return s.write(ctx, t, func(st store) error {
		j, err := st.justification(id)
		if err != nil {
			return err
		}
		if j.State != "en_attente" {
			return fault.New(fault.ErrConflict, "cette justification a déjà reçu une réponse")
		}
		state, now := Refused, s.now()
		var motif *uuid.UUID
		if accept {
			motif, state = &j.MotifID, Unjustified
			if j.Justifies {
				state = Justified
			}
		}
		if _, err := st.decide(j.AbsenceID, motif, state, comment, a.PersonID, now); err != nil {
			return err
		}
		if err := st.answerJustification(id, accept, comment, a.PersonID, now); err != nil {
			return err
		}
		return s.notifyAnswer(st, t, id)
	})
}
