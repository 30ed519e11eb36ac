package messaging

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// A stolen account must not write to the whole establishment in a minute. Each sender has
// a budget, by the most generous of their profiles, counted in the database from what they
// sent (so that it holds across the application's replicas and restarts): a number of
// messages per 10 minutes and a number of recipients per hour.

// Limit is a sender's budget.
type Limit struct {
	Messages   int // per 10 minutes
	Recipients int // per hour, all messages together
}

// Limits by profile: a family writes to a few teachers; a teacher to their classes'
// families; the vie scolaire and the direction to the whole establishment's (≈ 2,250
// guardians in a 1,500-pupil lycée).
var Limits = map[Profile]Limit{
	Eleve:       {Messages: 10, Recipients: 60},
	Responsable: {Messages: 10, Recipients: 60},
	Personnel:   {Messages: 30, Recipients: 300},
	Enseignant:  {Messages: 30, Recipients: 600},
	VieScolaire: {Messages: 60, Recipients: 6000},
	Direction:   {Messages: 60, Recipients: 6000},
}

// limitOf is the budget of a sender with these profiles.
func limitOf(profiles []Profile) Limit {
	var out Limit
	for _, p := range profiles {
		l := Limits[p]
		out.Messages = max(out.Messages, l.Messages)
		out.Recipients = max(out.Recipients, l.Recipients)
	}
	return out
}

// checkBudget refuses a send of n recipients that would take sender past their budget at
// now, saying when they may write again. It locks the sender's sends (an advisory lock for
// the transaction) so that two sends at once cannot both pass.
func checkBudget(tx *gorm.DB, sender uuid.UUID, n int, now time.Time) error {
	profiles, err := senderProfiles(tx, sender)
	if err != nil {
		return err
	}
	l := limitOf(profiles)
	if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('messaging.send:' || ?::text, 0))`, sender).Error; err != nil {
		return fmt.Errorf("messaging: lock the sends of %s: %w", sender, err)
	}
	var used struct {
		Messages   int
		Recipients int
		Oldest     *time.Time // of the last hour's recipients, when the budget frees
	}
	if err := tx.Raw(`SELECT
			(SELECT count(*) FROM messages WHERE sender_id = ? AND sent_at > ?) AS messages,
			(SELECT count(*) FROM message_copies c JOIN messages m ON m.id = c.message_id
				WHERE m.sender_id = ? AND m.sent_at > ? AND c.role <> 'de') AS recipients,
			(SELECT min(sent_at) FROM messages WHERE sender_id = ? AND sent_at > ?) AS oldest`,
		sender, now.Add(-10*time.Minute), sender, now.Add(-time.Hour), sender, now.Add(-time.Hour)).Scan(&used).Error; err != nil {
		return fmt.Errorf("messaging: what %s sent lately: %w", sender, err)
	}
	switch {
	case used.Messages >= l.Messages:
		return fault.NewField(fault.ErrConflict, fieldRecipients, "vous avez envoyé %d messages en 10 minutes, la limite de votre compte : réessayez dans quelques minutes. Si vous n'êtes pas l'auteur de ces envois, changez votre mot de passe et prévenez la vie scolaire", used.Messages)
	case used.Recipients+n > l.Recipients:
		again := "dans une heure"
		if used.Oldest != nil {
			again = "après " + used.Oldest.Add(time.Hour).In(now.Location()).Format("15h04")
		}
		return fault.NewField(fault.ErrConflict, fieldRecipients, "ce message irait à %d destinataires alors que votre compte peut encore en joindre %d cette heure-ci (limite : %d par heure) : réessayez %s, ou demandez à la vie scolaire d'envoyer ce message. Si vous n'êtes pas l'auteur de ces envois, changez votre mot de passe", n, max(0, l.Recipients-used.Recipients), l.Recipients, again)
	}
	return nil
}
