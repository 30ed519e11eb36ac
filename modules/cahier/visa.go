package cahier

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Permissions of the visas and the year-end archive.
const (
	// PermVisa: signing any class's cahier de textes (direction, inspection).
	PermVisa identity.Permission = "cahier.visa"
	// PermArchives: the archived cahiers' PDFs: all of them (direction, inspection) or
	// one's taught classes' (teachers).
	PermArchives identity.Permission = "cahier.archives"
)

// maxVisaComment bounds a visa's comment, in characters.
const maxVisaComment = 2000

// Signs tells whether the actor signs cahiers (visa).
func (a Actor) Signs() bool { return a.can(PermVisa) }

// Visa is a signature of a class's cahier de textes, of one subject or all.
type Visa struct {
	ID           uuid.UUID
	ClassID      uuid.UUID
	SubjectCode  string // "": all subjects
	SubjectLabel string
	SignedBy     uuid.UUID
	Signer       string
	SignedAt     time.Time
	Sessions     int // published séances of its scope when signed
	Works        int // pieces of work of its scope when signed
	Comment      string
}

// Date is when it was signed, in French ("lundi 05/10/2026 à 10:00").
func (v Visa) Date() string {
	t := v.SignedAt.In(directory.SchoolZone)
	return frDay(t) + " à " + t.Format("15:04")
}

// Scope names what it covers: « Toutes les matières » or the subject.
func (v Visa) Scope() string {
	if v.SubjectCode == "" {
		return "Toutes les matières"
	}
	return v.SubjectLabel
}

// visaColumns are a visa's columns as Visa scans them, from v and its subject sub.
const visaColumns = `v.id, v.class_id, coalesce(v.subject_code, '') AS subject_code, coalesce(sub.label, '') AS subject_label,
	v.signed_by, v.signer, v.signed_at, v.sessions, v.works, v.comment`

// uncovered is the SQL condition that séance se, published, was entered after every visa
// covering it (its class's, of all subjects or of its own): what no visa has seen yet.
const uncovered = `se.state = 'publie' AND NOT EXISTS (SELECT 1 FROM cahier_visas v WHERE v.class_id = se.class_id
	AND (v.subject_code IS NULL OR v.subject_code = se.subject_code) AND v.signed_at >= se.created_at)`

// Visas is what a class's cahier page shows of its visas.
type Visas struct {
	ClassID uuid.UUID
	List    []Visa // newest first
	Since   int    // published séances no visa covers yet
	Sign    bool   // the viewer may sign
	Closed  bool   // the class's year is archived: no more visas
}

// ClassVisas are the visas of a class's cahier as the actor sees them: nil for whoever
// neither signs, browses every class, nor teaches it (pupils and families do not see them).
func (s *Service) ClassVisas(ctx context.Context, t *tenant.Tenant, a Actor, class uuid.UUID) (*Visas, error) {
	var out *Visas
	err := s.read(ctx, t, func(st store) error {
		if err := st.mayRead(a, class); err != nil {
			return err
		}
		teaches, err := st.teaches(a, class)
		if err != nil {
			return err
		}
		if !a.Signs() && !a.Browses() && !teaches {
			return nil
		}
		out = &Visas{ClassID: class, Sign: a.Signs()}
		if out.List, err = st.visas(`v.class_id = @class`, map[string]any{"class": class}); err != nil {
			return err
		}
		if err := st.tx.Raw(`SELECT count(*) FROM cahier_sessions se WHERE se.class_id = ? AND `+uncovered, class).Scan(&out.Since).Error; err != nil {
			return fmt.Errorf("cahier: séances since the visa of %s: %w", class, err)
		}
		out.Closed, err = st.archived(class)
		return err
	})
	return out, err
}

func (st store) visas(where string, args map[string]any) ([]Visa, error) {
	var out []Visa
	if err := st.tx.Raw(`SELECT `+visaColumns+` FROM cahier_visas v LEFT JOIN subjects sub ON sub.code = v.subject_code
		WHERE `+where+` ORDER BY v.signed_at DESC, v.id LIMIT 200`, args).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("cahier: visas: %w", err)
	}
	return out, nil
}

// VisaForm is a visa as typed: the subject's code ("": all) and the comment.
type VisaForm struct {
	Subject string
	Comment string
}

// Sign signs the cahier de textes of class (of one subject or all) as the actor, now: it
// covers what was entered up to now. It returns the visa.
func (s *Service) Sign(ctx context.Context, t *tenant.Tenant, a Actor, class uuid.UUID, f VisaForm) (Visa, error) {
	if !a.Signs() {
		return Visa{}, fault.New(fault.ErrForbidden, "seules la direction et l'inspection visent le cahier de textes")
	}
	errs := FormErrors{}
	comment := strings.TrimSpace(strings.ReplaceAll(f.Comment, "\r\n", "\n"))
	if n := utf8.RuneCountInString(comment); n > maxVisaComment {
		errs["commentaire"] = "Commentaire : 2 000 caractères au plus (" + itoa(n) + " saisis)."
	}
	subject := strings.TrimSpace(f.Subject)
	now := s.now()
	v := Visa{ID: uuid.New(), ClassID: class, SubjectCode: subject, SignedBy: a.PersonID, SignedAt: now, Comment: comment}
	err := s.write(ctx, t, func(st store) error {
		if _, err := st.readableClass(a, class); err != nil {
			return err
		}
		if subject != "" {
			var subjects []string
			if err := st.tx.Raw(`SELECT label FROM subjects WHERE code = ?`, subject).Scan(&subjects).Error; err != nil {
				return fmt.Errorf("cahier: subject %s: %w", subject, err)
			}
			if len(subjects) == 0 {
				errs["matiere"] = "Matière : choisissez une matière de la liste, ou toutes les matières."
			} else {
				v.SubjectLabel = subjects[0]
			}
		}
		closed, err := st.archived(class)
		if err != nil {
			return err
		}
		if closed {
			errs["commentaire"] = "Ce cahier de textes est archivé pour son année scolaire : il ne se vise plus."
		}
		if len(errs) > 0 {
			return errs
		}
		var names []string
		if err := st.tx.Raw(`SELECT first_name || ' ' || last_name FROM people WHERE id = ?`, a.PersonID).Scan(&names).Error; err != nil {
			return fmt.Errorf("cahier: signer's name: %w", err)
		}
		v.Signer = "—"
		if len(names) > 0 {
			v.Signer = names[0]
		}
		scope := map[string]any{"class": class, "subject": subject, "now": now}
		if err := st.tx.Raw(`SELECT count(*) FROM cahier_sessions WHERE class_id = @class AND state = 'publie' AND created_at <= @now
			AND (@subject = '' OR subject_code = @subject)`, scope).Scan(&v.Sessions).Error; err != nil {
			return fmt.Errorf("cahier: séances under a visa: %w", err)
		}
		if err := st.tx.Raw(`SELECT count(*) FROM cahier_work WHERE class_id = @class AND created_at <= @now
			AND (@subject = '' OR subject_code = @subject)`, scope).Scan(&v.Works).Error; err != nil {
			return fmt.Errorf("cahier: work under a visa: %w", err)
		}
		var code *string
		if subject != "" {
			code = &subject
		}
		if err := st.tx.Exec(`INSERT INTO cahier_visas (id, class_id, subject_code, signed_by, signer, signed_at, sessions, works, comment)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, class, code, a.PersonID, v.Signer, now, v.Sessions, v.Works, comment).Error; err != nil {
			return fmt.Errorf("cahier: sign %s: %w", class, err)
		}
		return nil
	})
	if err != nil {
		return Visa{}, err
	}
	return v, nil
}

// VisaRow is a class or group of the visas' overview: its last visa and what was entered
// since.
type VisaRow struct {
	ClassID    uuid.UUID
	Kind       string
	Label      string
	LastAt     *time.Time // nil: never signed
	LastSigner string
	Since      int // published séances no visa covers yet
	Sessions   int // published séances in all
}

// LastText is the last visa's date in French, or « jamais ».
func (r VisaRow) LastText() string {
	if r.LastAt == nil {
		return "Jamais visé"
	}
	return frDay(r.LastAt.In(directory.SchoolZone))
}

// VisaOverview lists the current year's classes and groups, those signed longest ago (or
// never) first, with their last visa and the séances entered since.
func (s *Service) VisaOverview(ctx context.Context, t *tenant.Tenant, a Actor) ([]VisaRow, error) {
	if !a.Signs() {
		return nil, fault.New(fault.ErrForbidden, "seules la direction et l'inspection visent le cahier de textes")
	}
	var out []VisaRow
	err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT c.id AS class_id, c.kind, c.label, lv.signed_at AS last_at, coalesce(lv.signer, '') AS last_signer,
			(SELECT count(*) FROM cahier_sessions se WHERE se.class_id = c.id AND ` + uncovered + `) AS since,
			(SELECT count(*) FROM cahier_sessions se WHERE se.class_id = c.id AND se.state = 'publie') AS sessions
			FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current
			LEFT JOIN LATERAL (SELECT v.signed_at, v.signer FROM cahier_visas v WHERE v.class_id = c.id ORDER BY v.signed_at DESC LIMIT 1) lv ON true
			ORDER BY lv.signed_at NULLS FIRST, c.kind, c.label`).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("cahier: visas overview: %w", err)
	}
	return out, nil
}

// seedDemoVisa signs, as the establishment's first member of the direction, the cahier of
// the first class the demo filled (none: nothing).
func (s *Service) seedDemoVisa(ctx context.Context, t *tenant.Tenant, lessons []timetable.Lesson) error {
	var heads []uuid.UUID
	if err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT id FROM people WHERE active AND 'direction' = ANY (roles) ORDER BY last_name, id LIMIT 1`).Scan(&heads).Error
	}); err != nil || len(heads) == 0 {
		return err
	}
	for _, l := range lessons {
		if l.Taught() {
			a := Actor{PersonID: heads[0], Roles: []identity.Role{identity.RoleDirection}}
			_, err := s.Sign(ctx, t, a, l.Group.ID, VisaForm{Comment: "Cahier de textes tenu avec régularité. Pensez à y joindre les documents distribués en classe."})
			if err != nil {
				return fmt.Errorf("cahier: demo visa: %w", err)
			}
			return nil
		}
	}
	return nil
}
