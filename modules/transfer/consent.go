package transfer

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Question is an open transfer as the one who may answer it sees it.
type Question struct {
	Transfer
	PupilName string `json:"pupil_name"`
	Minor     bool   `json:"minor"`    // a legal guardian must accept too
	AsPupil   bool   `json:"as_pupil"` // the viewer is the pupil (else their legal guardian)
	Answered  bool   `json:"answered"` // the viewer has answered already
	Waiting   string `json:"waiting"`  // whose answer is awaited, in French ("" when none)
}

// pupilRow is the pupil as B's directory knows them.
type pupilRow struct {
	ID        uuid.UUID
	FirstName string
	LastName  string
	BirthDate *time.Time
}

// Questions are the open transfers person (a people.id in t) may answer: their own, and, for
// a legal guardian, those of their minor children.
func (s *Service) Questions(ctx context.Context, t *tenant.Tenant, person uuid.UUID) ([]Question, error) {
	now := s.now()
	var out []Question
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var children []uuid.UUID
		if err := tx.Raw(`SELECT g.pupil_id FROM guardianships g JOIN people p ON p.id = g.pupil_id AND p.active
			WHERE g.guardian_id = ? AND g.legal`, person).Scan(&children).Error; err != nil {
			return err
		}
		pupils := append([]uuid.UUID{person}, children...)
		var xs []Transfer
		if err := tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
			return ptx.Raw(selectTransfer+` WHERE x.to_tenant = ? AND x.to_person IN ? AND x.status = 'asked' AND x.expires_at > ?
				ORDER BY x.asked_at, x.id`, t.ID, pupils, now).Scan(&xs).Error
		}); err != nil {
			return err
		}
		for _, x := range xs {
			q, err := question(tx, x, person, now)
			if err != nil {
				return err
			}
			if q != nil {
				out = append(out, *q)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("transfer: questions of %s in %s: %w", person, t.UAI, err)
	}
	return out, nil
}

// Question is one transfer as person (in t) may answer it; ErrNotFound when they may not.
func (s *Service) Question(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID) (*Question, error) {
	var q *Question
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var x Transfer
		if err := tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
			return ptx.Raw(selectTransfer+` WHERE x.id = ? AND x.to_tenant = ?`, id, t.ID).Scan(&x).Error
		}); err != nil {
			return err
		}
		if x.ID == uuid.Nil {
			return ErrNotFound
		}
		var err error
		q, err = question(tx, x, person, s.now())
		if err == nil && q == nil {
			err = ErrNotFound
		}
		return err
	})
	return q, err
}

// question is x as person sees it in tx (B's schema), nil when they may not answer it: the
// pupil, or a legal guardian of a minor pupil.
func question(tx *gorm.DB, x Transfer, person uuid.UUID, now time.Time) (*Question, error) {
	var p pupilRow
	if err := tx.Raw(`SELECT id, first_name, last_name, birth_date FROM people WHERE id = ?`, x.ToPerson).Scan(&p).Error; err != nil {
		return nil, err
	}
	if p.ID == uuid.Nil {
		return nil, nil
	}
	q := &Question{Transfer: x, PupilName: p.FirstName + " " + p.LastName, Minor: minor(p.BirthDate, now), AsPupil: person == x.ToPerson}
	if !q.AsPupil {
		var legal bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM guardianships WHERE guardian_id = ? AND pupil_id = ? AND legal)`, person, x.ToPerson).Scan(&legal).Error; err != nil {
			return nil, err
		}
		if !legal || !q.Minor {
			return nil, nil // an adult pupil answers alone
		}
	}
	q.Answered = (q.AsPupil && x.PupilAnswer != nil) || (!q.AsPupil && x.GuardianAnswer != nil)
	switch {
	case x.Status != Asked:
	case x.PupilAnswer == nil && q.Minor && x.GuardianAnswer == nil:
		q.Waiting = "la réponse de l'élève et celle d'un responsable légal"
	case x.PupilAnswer == nil:
		q.Waiting = "la réponse de l'élève"
	case q.Minor && x.GuardianAnswer == nil:
		q.Waiting = "la réponse d'un responsable légal"
	}
	return q, nil
}

// Confirmation says, in French, what the viewer's answer did.
func (q *Question) Confirmation() string {
	switch {
	case q.Status == Refused:
		return fmt.Sprintf("Le portfolio de %s ne sera pas apporté. Il reste dans cet établissement jusqu'à la fin de sa durée de conservation.", q.FromName)
	case q.Status == Asked && q.AsPupil:
		return fmt.Sprintf("Votre accord est enregistré. Un de vos responsables légaux doit aussi accepter pour que votre portfolio de %s soit apporté.", q.FromName)
	case q.Status == Asked:
		return fmt.Sprintf("Votre accord est enregistré. %s doit aussi accepter, depuis son compte, pour que son portfolio de %s soit apporté.", q.PupilName, q.FromName)
	case q.Status == Expired:
		return "Cette proposition a expiré sans réponse : le portfolio n'a pas été apporté."
	case q.Status == Failed:
		return "La copie du portfolio a échoué : " + q.Failure
	case q.Status == Done:
		return fmt.Sprintf("Le portfolio de %s a été apporté : %d éléments sont dans « Mon portfolio ».", q.FromName, q.CopiedItems)
	}
	return fmt.Sprintf("C'est accepté : le portfolio de %s va être copié dans %s. Il apparaîtra dans « Mon portfolio » d'ici quelques minutes.", q.FromName, q.ToName)
}

// Answer records person's answer (in t, the establishment the pupil arrived in) to transfer
// id, and returns what became of it with a French confirmation. Refusing ends the transfer;
// the last acceptance needed enqueues the copy in the same transaction.
func (s *Service) Answer(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID, a Answer) (*Question, string, error) {
	if a != Accept && a != Refuse {
		return nil, "", fault.Invalidf("answer", "répondez « accepter » ou « refuser »")
	}
	now := s.now()
	var (
		q   *Question
		msg string
	)
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var x Transfer
		if err := tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
			return ptx.Raw(selectTransfer+` WHERE x.id = ? AND x.to_tenant = ? FOR UPDATE OF x`, id, t.ID).Scan(&x).Error
		}); err != nil {
			return err
		}
		if x.ID == uuid.Nil {
			return ErrNotFound
		}
		var err error
		if q, err = question(tx, x, person, now); err != nil {
			return err
		}
		if q == nil {
			return ErrNotFound
		}
		if !x.Open(now) {
			return fault.New(fault.ErrConflict, "cette proposition n'attend plus de réponse (%s)", lower(q.Status.Label()))
		}
		if q.Answered {
			return fault.New(fault.ErrConflict, "vous avez déjà répondu à cette proposition")
		}
		if q.AsPupil {
			x.PupilAnswer, x.PupilAnsweredAt = &a, &now
		} else {
			x.GuardianAnswer, x.GuardianID, x.GuardianAnsweredAt = &a, &person, &now
		}
		switch {
		case a == Refuse:
			x.Status = Refused
		case x.PupilAnswer != nil && *x.PupilAnswer == Accept && (!q.Minor || (x.GuardianAnswer != nil && *x.GuardianAnswer == Accept)):
			x.Status = Accepted
		}
		if err := tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
			return ptx.Exec(`UPDATE platform.portfolio_transfers SET status = ?, pupil_answer = ?, pupil_answered_at = ?, guardian_answer = ?, guardian_id = ?,
				guardian_answered_at = ?, updated_at = ? WHERE id = ?`,
				x.Status, x.PupilAnswer, x.PupilAnsweredAt, x.GuardianAnswer, x.GuardianID, x.GuardianAnsweredAt, now, x.ID).Error
		}); err != nil {
			return err
		}
		who := "guardian"
		if q.AsPupil {
			who = "pupil"
		}
		if err := audit(tx, now, person.String(), "portfolio.transfer.answer", map[string]any{
			"transfer": x.ID, "from": x.FromUAI, "pupil": x.ToPerson, "by": who, "answer": a, "status": x.Status}); err != nil {
			return err
		}
		if x.Status == Accepted && s.queue != nil {
			if err := s.queue.InsertTx(tx, t, CopyPortfolio{Transfer: x.ID}, now); err != nil {
				return err
			}
		}
		if q, err = question(tx, x, person, now); err != nil {
			return err
		}
		msg = q.Confirmation()
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return q, msg, nil
}

// Expire ends the questions nobody answered before their expiry, at now; it returns how many.
func (s *Service) Expire(ctx context.Context) (int, error) {
	now := s.now()
	res := s.platform.WithContext(ctx).Exec(`UPDATE platform.portfolio_transfers SET status = 'expired', updated_at = ?
		WHERE status = 'asked' AND expires_at <= ?`, now, now)
	if res.Error != nil {
		return 0, fmt.Errorf("transfer: expire: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// audit writes one line of the establishment's audit log in tx (its schema).
func audit(tx *gorm.DB, at time.Time, actor, action string, details map[string]any) error {
	return tx.Exec(`INSERT INTO audit_log (at, actor, action, details) VALUES (?, ?, ?, ?::jsonb)`, at, actor, action, jsonOf(details)).Error
}
