package messaging_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestSendingLimit: a pupil's account sends 10 messages in 10 minutes, not 11, and again
// once the 10 minutes have passed; the direction reaches 6,000 recipients in an hour, not
// more, told how many it may still reach and when; a refused send stores nothing.
func TestSendingLimit(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	count := func(sender any) int {
		var n int
		e.tx(t, e.a, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM messages WHERE sender_id = ?`, sender).Scan(&n).Error
		})
		return n
	}
	for i := range 10 {
		e.send(t, s.p1, draft("Question", "n° "+string(rune('0'+i)), s.tA))
		e.clock.Advance(10 * time.Second)
	}
	_, err := e.svc.Send(ctx, e.a, s.p1, draft("Question", "encore", s.tA))
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "10 messages en 10 minutes") {
		t.Fatalf("11th message in 10 minutes: %v, want refused", err)
	}
	if n := count(s.p1); n != 10 {
		t.Errorf("%d messages stored, want 10", n)
	}
	e.clock.Advance(10 * time.Minute)
	e.send(t, s.p1, draft("Question", "plus tard", s.tA))

	// The direction writes to a 1,500-pupil class four times in a row.
	e.pupils(t, s.classB, 1500)
	d := draft("Sortie", "Départ à 8 h.")
	d.Recipients[messaging.To] = []string{"groupe:" + s.classB.String() + ":eleve"}
	for range 3 {
		e.send(t, s.dir, d)
		e.clock.Advance(time.Minute)
	}
	_, err = e.svc.Send(ctx, e.a, s.dir, d)
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "ce message irait à 1501 destinataires alors que votre compte peut encore en joindre 1497 cette heure-ci") {
		t.Fatalf("a 4th send to 1,501 within the hour: %v, want refused", err)
	}
	if n := count(s.dir); n != 3 {
		t.Errorf("%d messages of the direction stored, want 3", n)
	}
	e.clock.Advance(time.Hour)
	e.send(t, s.dir, d)
}
