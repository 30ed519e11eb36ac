package messaging_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/messaging"
)

// pupils adds n pupils to class in one statement.
func (e *env) pupils(b testing.TB, class uuid.UUID, n int) {
	b.Helper()
	e.tx(b, e.a, func(tx *gorm.DB) error {
		return tx.Exec(`WITH p AS (INSERT INTO people (category, roles, last_name, first_name)
				SELECT 'eleve', '{eleve}', 'Élève', 'E' || i FROM generate_series(1, ?) i RETURNING id)
			INSERT INTO class_members (class_id, person_id) SELECT ?, id FROM p`, n, class).Error
	})
}

// BenchmarkSendToGroup sends a message from the direction to « tous les élèves » of a
// class of 1,500 (a whole lycée's pupils in one group): rules, group expansion, the 1,501
// copies in one INSERT … SELECT unnest, and the names of those without an account.
// Target (issue 10): under 2 s.
func BenchmarkSendToGroup(b *testing.B) {
	e := newEnv(b)
	s := e.school(b, e.a)
	e.pupils(b, s.classB, 1500)
	ctx := context.Background()
	d := draft("Sortie au théâtre", "Départ à 8 h devant le lycée.")
	d.Recipients[messaging.To] = []string{"groupe:" + s.classB.String() + ":eleve"}
	b.ResetTimer()
	for b.Loop() {
		e.clock.Advance(2 * time.Hour) // past the direction's hourly budget of recipients
		sent, err := e.svc.Send(ctx, e.a, s.dir, d)
		if err != nil {
			b.Fatal(err)
		}
		if sent.Recipients != 1501 {
			b.Fatalf("%d recipients", sent.Recipients)
		}
	}
}

// mailbox gives the teacher 5,000 messages from the direction, stored as sends store them
// (every other one read, a few words each, one in a hundred about a school trip).
func (e *env) mailbox(b testing.TB) *school {
	b.Helper()
	s := e.school(b, e.a)
	e.tx(b, e.a, func(tx *gorm.DB) error {
		return tx.Exec(`WITH c AS (INSERT INTO conversations (subject, created_at)
				SELECT 'Message n°' || i, now() - i * interval '1 minute' FROM generate_series(1, 5000) i RETURNING id, created_at),
			m AS (INSERT INTO messages (conversation_id, sender_id, body, format, body_html, sent_at)
				SELECT id, ?::uuid, CASE WHEN random() < 0.01 THEN 'La sortie au musée est confirmée pour jeudi.' ELSE 'Bonjour, voici le compte rendu de la réunion de mardi et le travail à faire.' END,
					'texte', '<p>Bonjour</p>', created_at FROM c RETURNING id, sent_at)
			INSERT INTO message_copies (message_id, person_id, role, sent_at, read_at)
				SELECT id, ?::uuid, 'a', sent_at, CASE WHEN random() < 0.5 THEN sent_at END FROM m
				UNION ALL SELECT id, ?::uuid, 'de', sent_at, sent_at FROM m`, s.dir, s.tA, s.dir).Error
	})
	e.tx(b, e.a, func(tx *gorm.DB) error {
		return tx.Exec(`ANALYZE message_copies; ANALYZE messages; ANALYZE conversations`).Error
	})
	return s
}

// BenchmarkInbox reads the first page of a réception holding 5,000 messages (the unread
// count included), as the folder page does. Target (issue 10): under 20 ms.
func BenchmarkInbox(b *testing.B) {
	e := newEnv(b)
	s := e.mailbox(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		p, err := e.svc.List(ctx, e.a, s.tA, messaging.Inbox, uuid.Nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Items) != 50 || !p.More {
			b.Fatalf("%d items", len(p.Items))
		}
	}
}

// BenchmarkSearch searches « musée » among the 5,000 messages of a réception. Target
// (issue 10): under 50 ms.
func BenchmarkSearch(b *testing.B) {
	e := newEnv(b)
	s := e.mailbox(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		p, err := e.svc.Search(ctx, e.a, s.tA, "musées")
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Items) == 0 {
			b.Fatal("nothing found")
		}
	}
}
