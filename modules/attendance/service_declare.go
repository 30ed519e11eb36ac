package attendance

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Declaration is an absence a legal guardian announced in advance (a doctor's appointment
// next Tuesday morning), and the vie scolaire's answer. The roll call applies it to the
// absence it covers when the pupil is marked absent: accepted, the absence is justified by its
// motif at once; waiting, the absence comes with a justification waiting for the same answer.
type Declaration struct {
	ID, PupilID, GuardianID uuid.UUID
	Pupil, ClassLabel       string
	Guardian, Motif         string
	Comment                 string
	State                   string // en_attente, acceptee, refusee
	Answer, AnsweredBy      string
	Date                    time.Time
	Start, End              Clock
	CreatedAt               time.Time
	AnsweredAt              *time.Time
	Files                   []Attachment
}

// endOfDay is a whole day's or an afternoon's end.
const endOfDay Clock = 23*60 + 59

// StateLabel is the French name of the declaration's state.
func (d Declaration) StateLabel() string { return Justification{State: d.State}.StateLabel() }

// Waiting tells whether the vie scolaire has not answered yet (the family may still cancel).
func (d Declaration) Waiting() bool { return d.State == "en_attente" }

// When is the declared time in French: "toute la journée", "le matin (jusqu'à 12h00)", "de
// 9h00 à 10h30".
func (d Declaration) When() string {
	switch {
	case d.Start == 0 && d.End == endOfDay:
		return "toute la journée"
	case d.Start == 0:
		return "le matin (jusqu'à " + d.End.French() + ")"
	case d.End == endOfDay:
		return "l'après-midi (à partir de " + d.Start.French() + ")"
	}
	return "de " + d.Start.French() + " à " + d.End.French()
}

// DeclarationForm is a declaration as typed: the child, the date (aaaa-mm-jj), the span
// (journee, matin, apres-midi or horaires with From and To), the motif, a comment and an
// optional document.
type DeclarationForm struct {
	Pupil, Date, Span, From, To, Motif, Comment string
	File                                        *Upload
}

// DeclarePage is what the family's declarations page shows: the children to choose from,
// the motifs usable online, and the declarations already sent (newest first).
type DeclarePage struct {
	Children     []childRef
	Motifs       []Motif
	Declarations []Declaration
}

var errNoChild = fault.New(fault.ErrNotFound, "cet enfant n'existe pas, ou vous n'en êtes pas responsable légal")

// Declarations is a legal guardian's page of declarations (their children's, whoever of
// their guardians sent them). Anyone who is no legal guardian gets an empty page.
func (s *Service) Declarations(ctx context.Context, t *tenant.Tenant, a Actor) (*DeclarePage, error) {
	out := &DeclarePage{}
	if a.PersonID == uuid.Nil {
		return out, nil
	}
	err := s.read(ctx, t, func(st store) error {
		kids, err := s.guardians.LegalChildren(st.tx, a.PersonID)
		if err != nil || len(kids) == 0 {
			return err
		}
		ids := make([]uuid.UUID, len(kids))
		for i, k := range kids {
			ids[i] = k.ID
			out.Children = append(out.Children, childRef{ID: k.ID, Name: k.FirstName + " " + k.LastName, ClassLabel: k.ClassLabel})
		}
		if out.Motifs, err = onlineMotifs(st); err != nil {
			return err
		}
		out.Declarations, err = st.declarationsWhere(`d.on_date DESC, d.starts_at DESC`, `d.pupil_id IN ?`, ids)
		return err
	})
	return out, err
}

func onlineMotifs(st store) ([]Motif, error) {
	motifs, err := st.motifs()
	return slices.DeleteFunc(motifs, func(m Motif) bool { return !m.Active || !m.Online }), err
}

// Declare records a legal guardian's declaration of a child's absence to come, with its
// document if any, for the vie scolaire to answer. A child the actor is no legal guardian of
// is not found; a date already past, an end before the start or a motif not usable online
// are refused, naming the field.
func (s *Service) Declare(ctx context.Context, t *tenant.Tenant, a Actor, f DeclarationForm) (uuid.UUID, error) {
	errs := FormErrors{}
	d := Declaration{GuardianID: a.PersonID, Comment: strings.TrimSpace(f.Comment), CreatedAt: s.now()}
	pupil, err := uuid.Parse(f.Pupil)
	if err != nil && f.Pupil == "" {
		errs["eleve"] = "choisissez l'enfant"
	} else if err != nil || a.PersonID == uuid.Nil {
		return uuid.Nil, errNoChild
	}
	d.PupilID = pupil
	today := s.Today()
	switch on, err := time.ParseInLocation(dateLayout, strings.TrimSpace(f.Date), today.Location()); {
	case strings.TrimSpace(f.Date) == "":
		errs["date"] = "indiquez la date de l'absence"
	case err != nil:
		errs["date"] = "date « " + f.Date + " » illisible : indiquez-la sous la forme aaaa-mm-jj"
	case on.Before(today):
		errs["date"] = "cette date est passée : pour une absence passée, justifiez-la depuis la liste des absences"
	case on.After(today.AddDate(1, 0, 0)):
		errs["date"] = "cette date est à plus d'un an : signalez l'absence plus tard"
	default:
		d.Date = on
	}
	prof, err := s.lessons.Profile(ctx, t)
	if err != nil {
		return uuid.Nil, err
	}
	s.declaredSpan(&d, f, prof, errs)
	if len([]rune(d.Comment)) > 500 {
		errs["commentaire"] = "le commentaire dépasse 500 caractères"
	}
	file := checkOptional(f.File, "piece", errs)
	if _, ok := errs["eleve"]; !ok && len(errs) > 0 {
		// Checked first without the store: a form refused for its date writes no blob.
		if err := s.checkChild(ctx, t, a, pupil); err != nil {
			return uuid.Nil, err
		}
	}
	if len(errs) > 0 {
		return uuid.Nil, errs
	}
	var id uuid.UUID
	err = s.storing(ctx, t, file, func(doc *Attachment) error {
		return s.write(ctx, t, func(st store) error {
			ok, err := s.guardians.IsLegalGuardian(st.tx, a.PersonID, pupil)
			if err != nil || !ok {
				return cmpErr(err, errNoChild)
			}
			motifs, err := onlineMotifs(st)
			if err != nil {
				return err
			}
			mid, _ := uuid.Parse(f.Motif)
			if !slices.ContainsFunc(motifs, func(m Motif) bool { return m.ID == mid }) {
				return FormErrors{"motif": "choisissez un des motifs proposés"}
			}
			if id, err = st.insertDeclaration(d, mid); err != nil || doc == nil {
				return err
			}
			return st.insertFile(*doc, uuid.Nil, id)
		})
	})
	return id, err
}

// checkChild refuses a child the actor is no legal guardian of.
func (s *Service) checkChild(ctx context.Context, t *tenant.Tenant, a Actor, pupil uuid.UUID) error {
	return s.read(ctx, t, func(st store) error {
		ok, err := s.guardians.IsLegalGuardian(st.tx, a.PersonID, pupil)
		if err != nil || !ok {
			return cmpErr(err, errNoChild)
		}
		return nil
	})
}

// declaredSpan reads the declared time: a whole day, the morning (until the end of the
// morning of the day profile), the afternoon (from it), or from–to times.
func (s *Service) declaredSpan(d *Declaration, f DeclarationForm, prof timetable.Profile, errs FormErrors) {
	switch f.Span {
	case "journee":
		d.Start, d.End = 0, endOfDay
	case "matin":
		d.Start, d.End = 0, prof.MorningEnds
	case "apres-midi":
		d.Start, d.End = prof.MorningEnds, endOfDay
	case "horaires":
		from, okFrom := timetable.ParseClock(strings.TrimSpace(f.From))
		to, okTo := timetable.ParseClock(strings.TrimSpace(f.To))
		if !okFrom {
			errs["debut"] = "indiquez l'heure de début (hh:mm)"
		}
		if !okTo {
			errs["fin"] = "indiquez l'heure de fin (hh:mm)"
		}
		if okFrom && okTo && to <= from {
			errs["fin"] = "l'heure de fin doit être après l'heure de début"
		}
		d.Start, d.End = from, to
	default:
		errs["periode"] = "choisissez la journée, le matin, l'après-midi ou des horaires"
	}
}

// CancelDeclaration deletes a declaration the vie scolaire has not answered yet, for a
// legal guardian of its pupil; its documents go from the store after the commit (the sweep
// removes any that a failure there leaves).
func (s *Service) CancelDeclaration(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	var keys []string
	err := s.write(ctx, t, func(st store) error {
		d, err := s.declarationForGuardian(st, a, id, true)
		if err != nil {
			return err
		}
		if d.State != "en_attente" {
			return fault.New(fault.ErrConflict, "la vie scolaire a déjà répondu à ce signalement : il ne peut plus être annulé")
		}
		keys, err = st.deleteDeclaration(id)
		return err
	})
	if err != nil || s.files == nil {
		return err
	}
	for _, k := range keys {
		if err := s.files.Remove(ctx, t, k); err != nil {
			return err
		}
	}
	return nil
}

// Declaration reads one declaration for a legal guardian of its pupil (the cancellation's
// confirmation).
func (s *Service) Declaration(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Declaration, error) {
	var out Declaration
	err := s.read(ctx, t, func(st store) error {
		if _, err := s.declarationForGuardian(st, a, id, false); err != nil {
			return err
		}
		ds, err := st.declarationsWhere(`d.id`, `d.id = ?`, id)
		if err == nil && len(ds) == 1 {
			out = ds[0]
		}
		return err
	})
	return out, err
}

func (s *Service) declarationForGuardian(st store, a Actor, id uuid.UUID, lock bool) (declarationRef, error) {
	d, err := st.declaration(id, lock)
	if err != nil {
		return d, err
	}
	if a.PersonID == uuid.Nil {
		return d, errNoDeclaration
	}
	ok, err := s.guardians.IsLegalGuardian(st.tx, a.PersonID, d.PupilID)
	if err != nil || !ok {
		return d, cmpErr(err, errNoDeclaration)
	}
	return d, nil
}

// SchoolDeclarations are the vie scolaire's: every declaration waiting for an answer (oldest
// first), and the others of day d.
func (s *Service) SchoolDeclarations(ctx context.Context, t *tenant.Tenant, a Actor, d time.Time) (waiting, ofDay []Declaration, err error) {
	if !a.Processes() {
		return nil, nil, errNotYours
	}
	err = s.read(ctx, t, func(st store) error {
		var err error
		if waiting, err = st.declarationsWhere(`d.created_at`, `d.state = 'en_attente'`); err != nil {
			return err
		}
		ofDay, err = st.declarationsWhere(`d.starts_at, lower(p.last_name)`, `d.state <> 'en_attente' AND d.on_date = ?::date`, day(d).Format(dateLayout))
		return err
	})
	return waiting, ofDay, err
}

// AnswerDeclaration is the vie scolaire's answer to a declaration, shown to the family. The
// absences the roll call already gave it (their justification waiting) get the same answer,
// as Answer gives it: accepted, the motif; refused, "justification refusée".
func (s *Service) AnswerDeclaration(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, accept bool, comment string) error {
	if !a.Processes() {
		return errNotYours
	}
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > 500 {
		return fault.Invalidf("commentaire", "le commentaire dépasse 500 caractères")
	}
	return s.write(ctx, t, func(st store) error {
		d, err := st.declaration(id, true)
		if err != nil {
			return err
		}
		if d.State != "en_attente" {
			return fault.New(fault.ErrConflict, "ce signalement a déjà reçu une réponse")
		}
		now := s.now()
		if err := st.answerDeclaration(id, accept, comment, a.PersonID, now); err != nil {
			return err
		}
		waiting, err := st.waitingOf(id)
		if err != nil {
			return err
		}
		for _, jid := range waiting {
			state, motif := Refused, (*uuid.UUID)(nil)
			if accept {
				state, motif = Unjustified, &d.MotifID
				if d.Justifies {
					state = Justified
				}
			}
			j, err := st.justification(jid)
			if err != nil {
				return err
			}
			if _, err := st.decide(j.AbsenceID, motif, state, comment, a.PersonID, now); err != nil {
				return err
			}
			if err := st.answerJustification(jid, accept, comment, a.PersonID, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// applyDeclaration gives an absence the roll call just created the declaration that covers
// it, if any (recompute's absenceOf calls it): a justification made from it, waiting or
// accepted; accepted, the absence takes its motif at once.
func (s *Service) applyDeclaration(st store, absence, pupil uuid.UUID, d time.Time, start, end Clock) error {
	dec, ok, err := st.covering(pupil, d, start, end)
	if err != nil || !ok {
		return err
	}
	if err := st.insertDeclaredJustification(absence, dec); err != nil {
		return err
	}
	if dec.State != "acceptee" {
		return nil
	}
	state := Unjustified
	if dec.Justifies {
		state = Justified
	}
	at := dec.CreatedAt
	if dec.AnsweredAt != nil {
		at = *dec.AnsweredAt
	}
	by := uuid.Nil
	if dec.AnsweredBy != nil {
		by = *dec.AnsweredBy
	}
	_, err = st.decide(absence, &dec.MotifID, state, "Absence signalée à l'avance par la famille", by, at)
	return err
}
