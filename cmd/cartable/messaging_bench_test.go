package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
)

// BenchmarkInboxPage is a teacher opening /messagerie with 5,000 messages in their réception,
// through the whole server: host, session, membership, the menu (its unread count), the
// folder's first page of 50 read from the database and rendered in the layout. Target
// (issue 10): under 20 ms of server time.
func BenchmarkInboxPage(b *testing.B) {
	srv, reg, alpha := benchServer(b)
	env := directorytest.NewEnv(b, reg)
	teacher := env.AddMember(b, alpha, identity.RoleEnseignant, "Paul", "Professeur")
	dir := env.AddMember(b, alpha, identity.RoleDirection, "Anne", "Proviseure")
	err := reg.DB().Tx(context.Background(), alpha, func(tx *gorm.DB) error {
		return tx.Exec(`WITH c AS (INSERT INTO conversations (subject, created_at)
				SELECT 'Message n°' || i, now() - i * interval '1 minute' FROM generate_series(1, 5000) i RETURNING id, created_at),
			m AS (INSERT INTO messages (conversation_id, sender_id, body, format, body_html, sent_at)
				SELECT id, ?::uuid, 'Bonjour, voici le compte rendu de la réunion de mardi.', 'texte', '<p>Bonjour</p>', created_at FROM c
				RETURNING id, sent_at)
			INSERT INTO message_copies (message_id, person_id, role, sent_at, read_at)
				SELECT id, ?::uuid, 'a', sent_at, CASE WHEN random() < 0.5 THEN sent_at END FROM m
				UNION ALL SELECT id, ?::uuid, 'de', sent_at, sent_at FROM m`, dir.PersonID, teacher.PersonID, dir.PersonID).Error
	})
	if err == nil {
		err = reg.DB().Tx(context.Background(), alpha, func(tx *gorm.DB) error {
			return tx.Exec(`ANALYZE message_copies, messages, conversations`).Error
		})
	}
	if err != nil {
		b.Fatal(err)
	}
	host := tenantHost(alpha.Slug)
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, newRequest(http.MethodGet, host, "/messagerie", nil, "X-Session-Token", teacher.Token))
		return rec
	}
	if rec := get(); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Message n°50") {
		b.Fatalf("inbox page: %d\n%.400s", rec.Code, rec.Body.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := get(); rec.Code != http.StatusOK {
			b.Fatalf("inbox page: %d", rec.Code)
		}
	}
}
