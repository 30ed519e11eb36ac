package messaging_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

func wantKind(t *testing.T, err error, kind error, text string) {
	t.Helper()
	var m *fault.Message
	if !errors.Is(err, kind) || !errors.As(err, &m) || !strings.Contains(m.Text, text) {
		t.Errorf("error %v, want %v saying %q", err, kind, text)
	}
}

func (e *env) inbox(t testing.TB, who uuid.UUID) []messaging.Item {
	t.Helper()
	p, err := e.svc.List(context.Background(), e.a, who, messaging.Inbox, uuid.Nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// TestDrafts: a draft keeps what was written, is private to its author (another member,
// another establishment: not found), is reopened, updated, and sent by the rules of Send
// (a refused recipient leaves it in the drafts), after which it is gone and cannot be sent
// twice; a reply's draft needs a copy of the message answered; deletion is the author's.
func TestDrafts(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	o := e.school(t, e.b)
	ctx := context.Background()

	if _, err := e.svc.SaveDraft(ctx, e.a, s.dir, uuid.Nil, messaging.Draft{Format: messaging.Text}); err == nil {
		t.Error("an empty draft was saved")
	} else {
		wantField(t, err, "message", "le brouillon est vide")
	}
	d := draft("Conseil", "À compléter", s.tA)
	d.Recipients[messaging.Cc] = []string{"groupe:" + s.classA.String() + ":responsable"}
	id, err := e.svc.SaveDraft(ctx, e.a, s.dir, uuid.Nil, d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.LoadDraft(ctx, e.a, s.dir, id)
	if err != nil || got.Subject != "Conseil" || got.Body != "À compléter" || strings.Join(got.Recipients[messaging.To], ",") != s.tA.String() ||
		len(got.Recipients[messaging.Cc]) != 1 || !strings.HasPrefix(got.Recipients[messaging.Cc][0], "groupe:") {
		t.Fatalf("reopened draft %+v, %v", got, err)
	}
	list, _ := e.svc.Drafts(ctx, e.a, s.dir)
	if len(list) != 1 || list[0].Recipients != 2 || list[0].Title() != "Conseil" {
		t.Errorf("drafts of the author: %+v", list)
	}
	// Private: another member, another establishment's member with the same id.
	for name, c := range map[string]struct {
		tn  int
		who uuid.UUID
	}{"another member": {0, s.tA}, "another establishment": {1, o.dir}} {
		tn := e.a
		if c.tn == 1 {
			tn = e.b
		}
		if _, err := e.svc.LoadDraft(ctx, tn, c.who, id); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s reads the draft: %v", name, err)
		}
		if _, err := e.svc.SaveDraft(ctx, tn, c.who, id, draft("x", "volé", c.who)); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s overwrites the draft: %v", name, err)
		}
		if _, err := e.svc.SendDraft(ctx, tn, c.who, id); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s sends the draft: %v", name, err)
		}
		if err := e.svc.DeleteDraft(ctx, tn, c.who, id); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s deletes the draft: %v", name, err)
		}
		if l, _ := e.svc.Drafts(ctx, tn, c.who); len(l) != 0 {
			t.Errorf("%s lists %d drafts", name, len(l))
		}
	}
	d.Body = "Lundi 18 h"
	if _, err := e.svc.SaveDraft(ctx, e.a, s.dir, id, d); err != nil {
		t.Fatal(err)
	}
	sent, err := e.svc.SendDraft(ctx, e.a, s.dir, id)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Recipients != 2 { // the teacher and the legal guardian of 2nde 1
		t.Errorf("sent to %d", sent.Recipients)
	}
	if in := e.inbox(t, s.tA); len(in) != 1 || in[0].Snippet != "Lundi 18 h" {
		t.Errorf("the teacher's réception: %+v", in)
	}
	if l, _ := e.svc.Drafts(ctx, e.a, s.dir); len(l) != 0 {
		t.Errorf("the sent draft stays in the drafts: %+v", l)
	}
	if _, err := e.svc.SendDraft(ctx, e.a, s.dir, id); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a draft sent twice: %v", err)
	}

	// A pupil's draft to a pupil of another class saves; its send is refused and it stays.
	pid, err := e.svc.SaveDraft(ctx, e.a, s.p1, uuid.Nil, draft("Salut", "…", s.p3))
	if err != nil {
		t.Fatal(err)
	}
	before := e.copies(t)
	_, err = e.svc.SendDraft(ctx, e.a, s.p1, pid)
	wantField(t, err, "destinataires", "ne vous permettent pas d'écrire à : P3 Test")
	if l, _ := e.svc.Drafts(ctx, e.a, s.p1); len(l) != 1 || e.copies(t) != before {
		t.Errorf("refused send: %d drafts, copies %d → %d", len(l), before, e.copies(t))
	}

	// A reply's draft: the teacher's, into the conversation; someone without a copy cannot.
	r, _, _, err := e.svc.ReplyDraft(ctx, e.a, s.tA, sent.Message, false)
	if err != nil {
		t.Fatal(err)
	}
	r.Body = "Bien reçu"
	rid, err := e.svc.SaveDraft(ctx, e.a, s.tA, uuid.Nil, r)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := e.svc.Drafts(ctx, e.a, s.tA); len(l) != 1 || l[0].Title() != "Réponse : Conseil" {
		t.Errorf("the reply's draft: %+v", l)
	}
	r.Body = "Je m'invite"
	if _, err := e.svc.SaveDraft(ctx, e.a, s.tB, uuid.Nil, r); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a reply draft without a copy: %v", err)
	}
	reply, err := e.svc.SendDraft(ctx, e.a, s.tA, rid)
	if err != nil || reply.Conversation != sent.Conversation {
		t.Fatalf("reply draft sent: %+v %v", reply, err)
	}

	// Deletion.
	if err := e.svc.DeleteDraft(ctx, e.a, s.p1, pid); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.LoadDraft(ctx, e.a, s.p1, pid); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a deleted draft: %v", err)
	}
}

// TestRecall: the sender recalls an unread message up to 60 minutes after sending: the
// recipients' copies go, the sender's says when it was recalled. At 61 minutes, once a
// recipient read it, or a second time, it is refused (409, why); someone else, or another
// establishment, finds no such message (404).
func TestRecall(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	o := e.school(t, e.b)
	ctx := context.Background()

	sent := e.send(t, s.dir, draft("Réunion", "Lundi", s.tA, s.vs))
	th, _ := e.svc.Conversation(ctx, e.a, s.dir, sent.Conversation)
	if !th.Messages[0].Recallable {
		t.Error("the sender is not offered the recall")
	}
	for name, c := range map[string]struct {
		tn  bool
		who uuid.UUID
	}{"a recipient": {false, s.tB}, "another member": {false, s.p1}, "another establishment": {true, o.dir}} {
		tn := e.a
		if c.tn {
			tn = e.b
		}
		if _, err := e.svc.Recall(ctx, tn, c.who, sent.Message); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s recalls: %v", name, err)
		}
	}
	if _, err := e.svc.Recall(ctx, e.a, s.tA, sent.Message); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a recipient recalls: %v", err)
	}
	e.clock.Advance(59 * time.Minute)
	if _, err := e.svc.CheckRecall(ctx, e.a, s.dir, sent.Message); err != nil {
		t.Errorf("check at 59 min: %v", err)
	}
	r, err := e.svc.Recall(ctx, e.a, s.dir, sent.Message)
	if err != nil {
		t.Fatalf("recall at 59 min: %v", err)
	}
	if r.Recipients != 2 || e.clock.Now().Sub(r.RecalledAt) > time.Second {
		t.Errorf("recalled %+v", r)
	}
	for _, who := range []uuid.UUID{s.tA, s.vs} {
		if in := e.inbox(t, who); len(in) != 0 {
			t.Errorf("%s still has the recalled message", s.all[who])
		}
		if _, err := e.svc.Conversation(ctx, e.a, who, sent.Conversation); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s reads the recalled conversation: %v", s.all[who], err)
		}
	}
	th, err = e.svc.Conversation(ctx, e.a, s.dir, sent.Conversation)
	if err != nil || th.Messages[0].RecalledAt == nil || th.Messages[0].Recallable || th.Messages[0].RecalledWhen() == "" {
		t.Errorf("the sender's copy: %+v %v", th, err)
	}
	_, err = e.svc.Recall(ctx, e.a, s.dir, sent.Message)
	wantKind(t, err, fault.ErrConflict, "a déjà été rappelé")
	if p, err := e.svc.List(ctx, e.a, s.dir, messaging.Outbox, uuid.Nil); err != nil || len(p.Items) != 1 || !p.Items[0].Recalled {
		t.Errorf("the envoyés folder does not say the message was recalled: %+v (%v)", p, err)
	}

	late := e.send(t, s.dir, draft("Sortie", "Jeudi", s.tA))
	e.clock.Advance(61 * time.Minute)
	_, err = e.svc.Recall(ctx, e.a, s.dir, late.Message)
	wantKind(t, err, fault.ErrConflict, "ne peut plus être rappelé : il a été envoyé le")
	_, err = e.svc.CheckRecall(ctx, e.a, s.dir, late.Message)
	wantKind(t, err, fault.ErrConflict, "dans les 60 minutes")
	if in := e.inbox(t, s.tA); len(in) != 1 {
		t.Errorf("a refused recall removed the copy: %d", len(in))
	}

	read := e.send(t, s.dir, draft("Cantine", "Menu", s.tA, s.vs))
	if _, err := e.svc.Conversation(ctx, e.a, s.vs, read.Conversation); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	_, err = e.svc.Recall(ctx, e.a, s.dir, read.Message)
	wantKind(t, err, fault.ErrConflict, "un de ses destinataires l'a déjà lu")
	th, _ = e.svc.Conversation(ctx, e.a, s.dir, read.Conversation)
	if th.Messages[0].Recallable {
		t.Error("a read message is offered for recall")
	}
}

// TestNoReply: staff send an announcement nobody can answer: recipients see it, their
// reply (prepared, forged, or kept as a draft) is refused with 409; the sender may still
// write in the conversation; a pupil or a parent cannot tick the box.
func TestNoReply(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	d := draft("Fermeture", "Le lycée ferme vendredi.", s.tA, s.g1)
	d.NoReply = true
	sent := e.send(t, s.dir, d)

	th, err := e.svc.Conversation(ctx, e.a, s.g1, sent.Conversation)
	if err != nil || !th.Messages[0].NoReply || th.Messages[0].MayReply() {
		t.Fatalf("the parent's view: %+v %v", th, err)
	}
	_, _, _, err = e.svc.ReplyDraft(ctx, e.a, s.g1, sent.Message, false)
	wantKind(t, err, fault.ErrConflict, "annonce sans réponse")
	forged := draft("", "Pourquoi ?", s.dir)
	forged.ReplyTo = sent.Message
	before := e.copies(t)
	_, err = e.svc.Send(ctx, e.a, s.g1, forged)
	wantKind(t, err, fault.ErrConflict, "ses destinataires ne peuvent pas y répondre")
	if e.copies(t) != before {
		t.Error("a refused reply stored copies")
	}
	_, err = e.svc.SaveDraft(ctx, e.a, s.tA, uuid.Nil, forged)
	wantKind(t, err, fault.ErrConflict, "annonce sans réponse")
	// The sender adds to the conversation.
	own := draft("", "Réouverture lundi.", s.tA, s.g1)
	own.ReplyTo = sent.Message
	if _, err := e.svc.Send(ctx, e.a, s.dir, own); err != nil {
		t.Errorf("the sender's follow-up: %v", err)
	}
	th, _ = e.svc.Conversation(ctx, e.a, s.dir, sent.Conversation)
	if !th.Messages[0].MayReply() {
		t.Error("the sender is refused their own conversation")
	}
	// A teacher may; a pupil and a parent may not (nothing stored).
	d = draft("Devoir", "Pour lundi", s.p1)
	d.NoReply = true
	if _, err := e.svc.Send(ctx, e.a, s.tA, d); err != nil {
		t.Errorf("a teacher's announcement: %v", err)
	}
	for _, who := range []uuid.UUID{s.p1, s.g1} {
		d := draft("Annonce", "…", s.tA)
		d.NoReply = true
		_, err := e.svc.Send(ctx, e.a, who, d)
		wantField(t, err, "sans_reponse", "seuls la direction, la vie scolaire et les enseignants")
		_, err = e.svc.SaveDraft(ctx, e.a, who, uuid.Nil, d)
		wantField(t, err, "sans_reponse", "seuls la direction")
	}
}

// TestNeverActivated: the send names the recipients who never opened their account: no
// identity yet, or an identity that never signed in here. A first sign-in (recorded once,
// at its time, per establishment) takes them off the list.
func TestNeverActivated(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	o := e.school(t, e.b)
	ctx := context.Background()
	for tn, ids := range map[int][]uuid.UUID{0: {s.tA, s.vs}, 1: {o.tA, o.vs}} {
		tt := e.a
		if tn == 1 {
			tt = e.b
		}
		e.tx(t, tt, func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE people SET identity_id = gen_random_uuid() WHERE id IN ?`, ids).Error
		})
	}
	names := func(sent *messaging.Sent) string {
		var out []string
		for _, p := range sent.Inactive {
			out = append(out, p.FirstName)
		}
		return strings.Join(out, ",")
	}
	if got := names(e.send(t, s.dir, draft("Un", "…", s.tA, s.vs, s.tB))); got != "TA,TB,VS" {
		t.Errorf("never activated: %q, want all three (two identities never used, one without)", got)
	}
	act := identity.NewActivations(e.reg.DB(), e.clock.Now)
	first := e.clock.Now()
	if err := act.Seen(ctx, e.a, s.tA); err != nil {
		t.Fatal(err)
	}
	// Another establishment's sign-in activates nothing here.
	if err := act.Seen(ctx, e.b, o.vs); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if err := identity.NewActivations(e.reg.DB(), e.clock.Now).Seen(ctx, e.a, s.tA); err != nil { // another server, later
		t.Fatal(err)
	}
	sent := e.send(t, s.dir, draft("Deux", "…", s.tA, s.vs, s.tB))
	if got := names(sent); got != "TB,VS" {
		t.Errorf("after the teacher's first sign-in: %q", got)
	}
	var at time.Time
	e.tx(t, e.a, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT activated_at FROM account_activations WHERE person_id = ?`, s.tA).Row().Scan(&at)
	})
	if at.Sub(first).Abs() > time.Second { // the clock ticks a little at each reading
		t.Errorf("activated at %v, want the first sign-in %v", at, first)
	}
	if d, err := e.svc.Delivery(ctx, e.a, s.dir, sent.Message); err != nil || len(d.Inactive) != 2 {
		t.Errorf("the page after the send: %+v %v", d, err)
	}
}

// mailJobs takes the e-mail jobs notify enqueues (nothing is sent in these tests).
type mailJobs struct{ n int }

func (q *mailJobs) InsertManyTx(_ *gorm.DB, _ *tenant.Tenant, js []jobs.Planned) error {
	q.n += len(js)
	return nil
}

// TestRecallWithdrawsNotification: a recalled message's notification leaves its recipients'
// lists, and its e-mail not sent yet is not sent; an e-mail already sent stays recorded (it
// cannot be taken back), and another message's notification is untouched.
func TestRecallWithdrawsNotification(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ns := notify.NewService(e.reg.DB(), e.clock.Now)
	ns.SetQueue(&mailJobs{})
	e.svc = messaging.NewService(e.reg.DB(), e.clock.Now, ns)
	e.svc.SetQueue(&plannedJobs{})
	e.tx(t, e.a, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE people SET email = 'p' || left(id::text, 8) || '@example.org' WHERE id IN (?, ?)`, s.tA, s.vs).Error
	})
	count := func(q string, args ...any) int { return e.count(t, e.a, q, args...) }
	told := func(p uuid.UUID) int {
		return count(`SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE r.person_id = ? AND n.kind = 'message'`, p)
	}
	kept := e.send(t, s.dir, draft("Conseil de classe", "Jeudi", s.tA))
	sent := e.send(t, s.dir, draft("Réunion", "Lundi", s.tA, s.vs))
	if told(s.tA) != 2 || told(s.vs) != 1 || count(`SELECT count(*) FROM notification_mails WHERE state = 'pending'`) != 3 {
		t.Fatalf("before the recall: told %d and %d, %d e-mails", told(s.tA), told(s.vs), count(`SELECT count(*) FROM notification_mails`))
	}
	// The vie scolaire's e-mail went before the recall.
	e.tx(t, e.a, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE notification_mails SET state = 'sent', sent_at = now() WHERE person_id = ?`, s.vs).Error
	})
	if _, err := e.svc.Recall(context.Background(), e.a, s.dir, sent.Message); err != nil {
		t.Fatal(err)
	}
	if told(s.tA) != 1 || told(s.vs) != 0 {
		t.Errorf("after the recall: told %d and %d, want 1 (the other message) and 0", told(s.tA), told(s.vs))
	}
	if n := count(`SELECT count(*) FROM notification_mails WHERE person_id = ? AND state = 'pending'`, s.tA); n != 1 {
		t.Errorf("the teacher has %d e-mails to come, want 1 (the other message's)", n)
	}
	if n := count(`SELECT count(*) FROM notification_mails WHERE person_id = ? AND state = 'sent'`, s.vs); n != 1 {
		t.Errorf("the sent e-mail's record: %d rows, want 1", n)
	}
	if n := count(`SELECT count(*) FROM notifications WHERE link LIKE ?`, "%"+kept.Message.String()); n != 1 {
		t.Errorf("the other message's notification: %d, want 1", n)
	}
}
