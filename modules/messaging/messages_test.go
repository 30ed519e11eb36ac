package messaging_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/web/fault"
)

func draft(subject, body string, to ...uuid.UUID) messaging.Draft {
	d := messaging.Draft{Subject: subject, Body: body, Format: messaging.Text, Recipients: map[messaging.Role][]string{}}
	for _, id := range to {
		d.Recipients[messaging.To] = append(d.Recipients[messaging.To], id.String())
	}
	return d
}

func (e *env) send(t testing.TB, from uuid.UUID, d messaging.Draft) *messaging.Sent {
	t.Helper()
	sent, err := e.svc.Send(context.Background(), e.a, from, d)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return sent
}

func wantField(t *testing.T, err error, field, text string) {
	t.Helper()
	var m *fault.Message
	if !errors.As(err, &m) || m.Field != field || !strings.Contains(m.Text, text) || !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("error %v, want %q on « %s »", err, text, field)
	}
}

// TestSendAndRead: a parent writes to the child's teacher and the CPE; both find it unread
// in réception, reading marks it read; the parent finds it in envoyés; a reply-all reaches
// the parent and the CPE.
func TestSendAndRead(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	d := draft("Sortie de jeudi", "Bonjour,\nP1 sera absent.\n\nCordialement", s.tA)
	d.Recipients[messaging.Cc] = []string{s.vs.String()}
	sent := e.send(t, s.g1, d)
	if sent.Recipients != 2 || len(sent.Inactive) != 2 {
		t.Errorf("sent %+v: want 2 recipients, both without an account", sent)
	}
	for _, who := range []uuid.UUID{s.tA, s.vs} {
		p, err := e.svc.List(ctx, e.a, who, messaging.Inbox, uuid.Nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 1 || p.Unread != 1 || p.Items[0].Read || p.Items[0].Subject != "Sortie de jeudi" || p.Items[0].From.ID != s.g1 {
			t.Fatalf("réception of %s: %+v", s.all[who], p)
		}
	}
	th, err := e.svc.Conversation(ctx, e.a, s.tA, sent.Conversation)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(th.Messages[0].HTML); got != "<p>Bonjour,<br>P1 sera absent.</p>\n<p>Cordialement</p>\n" {
		t.Errorf("body %q", got)
	}
	if n, _ := e.svc.MenuUnread(ctx, e.a, s.tA); n != 0 {
		t.Errorf("unread after reading: %d", n)
	}
	out, _ := e.svc.List(ctx, e.a, s.g1, messaging.Outbox, uuid.Nil)
	if len(out.Items) != 1 || !strings.Contains(out.Items[0].To, "TA Test") {
		t.Errorf("envoyés of the parent: %+v", out.Items)
	}
	// Reply-all from the teacher: to the parent, cc the CPE.
	r, left, subject, err := e.svc.ReplyDraft(ctx, e.a, s.tA, sent.Message, true)
	if err != nil || len(left) != 0 || subject != "Sortie de jeudi" {
		t.Fatalf("reply draft: %v %v %q", err, left, subject)
	}
	if strings.Join(r.Recipients[messaging.To], ",") != s.g1.String() || strings.Join(r.Recipients[messaging.Cc], ",") != s.vs.String() {
		t.Errorf("reply-all recipients %v", r.Recipients)
	}
	r.Body = "Bien noté."
	reply := e.send(t, s.tA, r)
	if reply.Conversation != sent.Conversation {
		t.Error("the reply started another conversation")
	}
	th, _ = e.svc.Conversation(ctx, e.a, s.g1, sent.Conversation)
	if len(th.Messages) != 2 || th.Messages[1].From.ID != s.tA {
		t.Errorf("the parent's thread: %+v", th.Messages)
	}
}

// TestMessageIsolation: a message is never read by someone outside its recipients: by id
// as another member, by a reply into the conversation, in another establishment; a blind
// copy is seen by nobody but the sender and that recipient; a forged blind copy to someone
// the rules forbid is refused.
func TestMessageIsolation(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	o := e.school(t, e.b)
	ctx := context.Background()
	d := draft("Conseil de classe", "Confidentiel", s.tA)
	d.Recipients[messaging.Bcc] = []string{s.vs.String()}
	sent := e.send(t, s.dir, d)

	for name, who := range map[string]uuid.UUID{"another teacher": s.tB, "a pupil": s.p1, "a parent": s.g1} {
		if _, err := e.svc.Conversation(ctx, e.a, who, sent.Conversation); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s reads the conversation: %v", name, err)
		}
		if _, _, _, err := e.svc.ReplyDraft(ctx, e.a, who, sent.Message, true); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s prepares a reply: %v", name, err)
		}
		r := draft("", "Je m'invite", s.dir)
		r.ReplyTo = sent.Message
		if _, err := e.svc.Send(ctx, e.a, who, r); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s replies into the conversation: %v", name, err)
		}
		if err := e.svc.Move(ctx, e.a, who, sent.Message, true); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s trashes the message: %v", name, err)
		}
	}
	// Another establishment: same ids, nothing.
	if _, err := e.svc.Conversation(ctx, e.b, o.dir, sent.Conversation); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("another establishment reads the conversation: %v", err)
	}
	if p, _ := e.svc.List(ctx, e.b, o.tA, messaging.Inbox, uuid.Nil); len(p.Items) != 0 {
		t.Error("another establishment's réception shows the message")
	}
	// The blind copy: the teacher does not see it, the CPE sees only themself, the sender all.
	th, _ := e.svc.Conversation(ctx, e.a, s.tA, sent.Conversation)
	if len(th.Messages[0].Bcc) != 0 {
		t.Errorf("the teacher sees the blind copy: %+v", th.Messages[0].Bcc)
	}
	th, _ = e.svc.Conversation(ctx, e.a, s.vs, sent.Conversation)
	if len(th.Messages[0].Bcc) != 1 || th.Messages[0].Bcc[0].ID != s.vs {
		t.Errorf("the blind recipient sees %+v", th.Messages[0].Bcc)
	}
	th, _ = e.svc.Conversation(ctx, e.a, s.dir, sent.Conversation)
	if len(th.Messages[0].Bcc) != 1 {
		t.Errorf("the sender sees %+v", th.Messages[0].Bcc)
	}
	// The teacher's reply-all does not reach the blind copy.
	r, _, _, _ := e.svc.ReplyDraft(ctx, e.a, s.tA, sent.Message, true)
	if strings.Contains(strings.Join(append(r.Recipients[messaging.To], r.Recipients[messaging.Cc]...), ","), s.vs.String()) {
		t.Error("reply-all includes the blind copy")
	}
	// A pupil forges a blind copy to a pupil of another class: refused, named, nothing stored.
	before := e.copies(t)
	f := draft("Salut", "…", s.tA)
	f.Recipients[messaging.Bcc] = []string{s.p3.String()}
	_, err := e.svc.Send(ctx, e.a, s.p1, f)
	wantField(t, err, "destinataires", "ne vous permettent pas d'écrire à : P3 Test")
	if e.copies(t) != before {
		t.Error("a refused send stored copies")
	}
	// Forged person of another establishment, forged group token.
	f = draft("Salut", "…", o.vs)
	_, err = e.svc.Send(ctx, e.a, s.p1, f)
	wantField(t, err, "destinataires", "destinataire inconnu")
	f = draft("Salut", "…")
	f.Recipients[messaging.To] = []string{"groupe:" + s.classB.String() + ":eleve"}
	_, err = e.svc.Send(ctx, e.a, s.p1, f)
	wantField(t, err, "destinataires", "aucun membre des groupes choisis")
}

func (e *env) copies(t testing.TB) int {
	t.Helper()
	var n int
	e.tx(t, e.a, func(tx *gorm.DB) error { return tx.Raw(`SELECT count(*) FROM message_copies`).Scan(&n).Error })
	return n
}

// TestSendValidation: each wrong field is named in French.
func TestSendValidation(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	cases := []struct {
		name  string
		d     messaging.Draft
		field string
		text  string
	}{
		{"no subject", draft(" ", "x", s.tA), "objet", "l'objet est obligatoire"},
		{"long subject", draft(strings.Repeat("é", 201), "x", s.tA), "objet", "ne peut dépasser 200 caractères (il en a 201)"},
		{"empty body", draft("x", "  ", s.tA), "message", "le message est vide"},
		{"long body", draft("x", strings.Repeat("a", 20_001), s.tA), "message", "ne peut dépasser 20000 caractères"},
		{"no recipient", draft("x", "y"), "destinataires", "choisissez au moins un destinataire"},
		{"not a recipient", messaging.Draft{Subject: "x", Body: "y", Format: messaging.Text, Recipients: map[messaging.Role][]string{messaging.To: {"'; DROP TABLE messages"}}}, "destinataires", "n'est pas un destinataire"},
		{"unknown format", messaging.Draft{Subject: "x", Body: "y", Format: "html", Recipients: map[messaging.Role][]string{messaging.To: {s.tA.String()}}}, "format", "« texte » ou « Markdown »"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Send(ctx, e.a, s.p1, c.d)
			wantField(t, err, c.field, c.text)
		})
	}
}

// TestStoredXSS: HTML in a plain-text or Markdown body never reaches a page as HTML.
func TestStoredXSS(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	for _, f := range []messaging.Format{messaging.Text, messaging.Markdown} {
		d := draft("XSS", "**gras** <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[lien](javascript:alert(3)) et <a href=\"https://exemple.fr\" onclick=\"x()\">ok</a>\n\n<script>alert(4)</script>", s.tA)
		d.Format = f
		sent := e.send(t, s.dir, d)
		th, err := e.svc.Conversation(ctx, e.a, s.tA, sent.Conversation)
		if err != nil {
			t.Fatal(err)
		}
		html := string(th.Messages[0].HTML)
		for _, bad := range []string{"<script", "<img", `href="javascript`, `onclick="`} {
			if strings.Contains(strings.ToLower(html), bad) {
				t.Errorf("%s: %q survives in %s", f, bad, html)
			}
		}
		if f == messaging.Markdown && !strings.Contains(html, "<strong>gras</strong>") {
			t.Errorf("Markdown not rendered: %s", html)
		}
	}
}

// TestTrash: to the corbeille and back, then a confirmed deletion removes one's own copy
// only; the message goes when nobody keeps it.
func TestTrash(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	sent := e.send(t, s.dir, draft("Réunion", "Lundi", s.tA))
	if err := e.svc.Delete(ctx, e.a, s.tA, sent.Message); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("deleting a copy outside the corbeille: %v", err)
	}
	if err := e.svc.Move(ctx, e.a, s.tA, sent.Message, true); err != nil {
		t.Fatal(err)
	}
	in, _ := e.svc.List(ctx, e.a, s.tA, messaging.Inbox, uuid.Nil)
	tr, _ := e.svc.List(ctx, e.a, s.tA, messaging.Trash, uuid.Nil)
	if len(in.Items) != 0 || len(tr.Items) != 1 || in.Unread != 0 {
		t.Errorf("after trash: réception %d, corbeille %d, unread %d", len(in.Items), len(tr.Items), in.Unread)
	}
	if err := e.svc.Move(ctx, e.a, s.tA, sent.Message, false); err != nil {
		t.Fatal(err)
	}
	if in, _ := e.svc.List(ctx, e.a, s.tA, messaging.Inbox, uuid.Nil); len(in.Items) != 1 {
		t.Error("restore did not bring it back")
	}
	for _, who := range []uuid.UUID{s.tA, s.dir} {
		if err := e.svc.Move(ctx, e.a, who, sent.Message, true); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Delete(ctx, e.a, who, sent.Message); err != nil {
			t.Fatal(err)
		}
		if who == s.tA {
			if out, _ := e.svc.List(ctx, e.a, s.dir, messaging.Outbox, uuid.Nil); len(out.Items) != 1 {
				t.Error("the teacher's deletion removed the sender's copy")
			}
		}
	}
	var n int
	e.tx(t, e.a, func(tx *gorm.DB) error { return tx.Raw(`SELECT count(*) FROM messages`).Scan(&n).Error })
	if n != 0 {
		t.Errorf("%d messages left after every copy was deleted", n)
	}
}

// TestSendToGroup: « tous les responsables de 2nde 1 » reaches its legal guardians only
// (not the relative), and a group the rules only partly allow is filtered.
func TestSendToGroup(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	d := draft("Réunion parents", "Mardi 18 h")
	d.Recipients[messaging.To] = []string{"groupe:" + s.classA.String() + ":responsable"}
	sent := e.send(t, s.dir, d)
	if sent.Recipients != 1 {
		t.Errorf("%d recipients, want the one legal guardian", sent.Recipients)
	}
	// A parent writing to the group's teachers of the child's spécialité.
	d = draft("Question", "?")
	d.Recipients[messaging.To] = []string{"groupe:" + s.group.String() + ":enseignant"}
	if sent := e.send(t, s.g1, d); sent.Recipients != 1 {
		t.Errorf("%d recipients, want the group's teacher", sent.Recipients)
	}
}

// TestSeedDemo: the demo's conversations go through the rules and land where they should.
func TestSeedDemo(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	if err := e.svc.SeedDemo(ctx, e.a); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[uuid.UUID]int{s.g1: 2, s.tA: 1, s.vs: 2, s.p1: 1} {
		p, err := e.svc.List(ctx, e.a, who, messaging.Inbox, uuid.Nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != want {
			t.Errorf("%s has %d messages, want %d", s.all[who], len(p.Items), want)
		}
	}
	if err := e.svc.SeedDemo(ctx, e.b); err != nil {
		t.Errorf("an establishment without people: %v", err)
	}
}

// TestSearch: French full text in one's own messages only (subject or body, stemmed).
func TestSearch(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	o := e.school(t, e.b)
	ctx := context.Background()
	e.send(t, s.g1, draft("Absences de mon fils", "Il était malade.", s.tA))
	e.send(t, s.dir, draft("Conseil", "Les absences répétées de P2 inquiètent.", s.tB))
	for _, c := range []struct {
		who   uuid.UUID
		query string
		want  int
	}{
		{s.tA, "absence", 1}, {s.tA, "malades", 1}, {s.g1, "ABSENCES", 1}, {s.tB, "absence", 1}, {s.vs, "absence", 0}, {s.tA, "conseil", 0},
		{s.tA, `"mon fils" -absences`, 0}, {s.tA, `"mon fils"`, 1},
	} {
		p, err := e.svc.Search(ctx, e.a, c.who, c.query)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != c.want {
			t.Errorf("%s searches %q: %d results, want %d", s.all[c.who], c.query, len(p.Items), c.want)
		}
	}
	if p, _ := e.svc.Search(ctx, e.b, o.tA, "absence"); len(p.Items) != 0 {
		t.Error("another establishment finds the messages")
	}
	_, err := e.svc.Search(ctx, e.a, s.tA, " ")
	wantField(t, err, "q", "saisissez un ou plusieurs mots")
}

// TestNotified: each recipient of a send is notified (kind message) in the send's
// transaction, with the link to the conversation; not the sender.
func TestNotified(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	svc := messaging.NewService(e.reg.DB(), e.clock.Now, notify.NewService(e.reg.DB(), e.clock.Now))
	d := draft("Sortie", "Lundi", s.tA)
	d.Recipients[messaging.Bcc] = []string{s.vs.String()}
	sent, err := svc.Send(context.Background(), e.a, s.dir, d)
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		PersonID uuid.UUID
		Link     string
	}
	e.tx(t, e.a, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT r.person_id, n.link FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE n.kind = 'message' ORDER BY r.person_id`).Scan(&rows).Error
	})
	if len(rows) != 2 || rows[0].Link != "/messagerie/conversations/"+sent.Conversation.String()+"#m-"+sent.Message.String() {
		t.Errorf("notifications %+v, want the teacher and the blind copy", rows)
	}
	for _, r := range rows {
		if r.PersonID == s.dir {
			t.Error("the sender is notified")
		}
	}
}
