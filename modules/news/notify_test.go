package news_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/notify"
)

// TestPublicationNotifiesItsAudience: publishing tells the post's audience once, in the
// publishing transaction; a draft, a post sent for validation and a deferred post tell
// nobody; the author and the person publishing are not told.
func TestPublicationNotifiesItsAudience(t *testing.T) {
	s := newSite(t)
	s.svc.SetNotifier(notify.NewService(s.Reg.DB(), s.clock.Now))
	told := func(p uuid.UUID) int {
		return s.Count(s.alpha, `SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id WHERE r.person_id = ? AND n.kind = 'news'`, p)
	}
	id := s.write(s.teacher, "/actualites/nouvelle", postForm("Sortie au musée", "x", "responsables", s.class1.String(), "soumettre"))
	if told(s.guardian.PersonID) != 0 {
		t.Fatal("a post waiting for validation told its audience")
	}
	wantCode(t, s.Post(s.direction, "/actualites/"+id.String()+"/publier", url.Values{}), http.StatusSeeOther, "publish")
	for who, c := range map[string]struct {
		id   uuid.UUID
		want int
	}{"guardian of 2nde 1": {s.guardian.PersonID, 1}, "guardian of 2nde 2": {s.guardianZoe.PersonID, 0}, "pupil of 2nde 1": {s.alice.PersonID, 0},
		"author": {s.teacher.PersonID, 0}, "direction": {s.direction.PersonID, 0}} {
		if got := told(c.id); got != c.want {
			t.Errorf("%s told %d times, want %d", who, got, c.want)
		}
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM notifications WHERE link = ? AND title = 'Actualité : Sortie au musée'`, "/actualites/"+id.String()); n != 1 {
		t.Errorf("%d notifications linking to the post, want 1", n)
	}
	// Saving the published post again tells nobody again.
	wantCode(t, s.Post(s.direction, "/actualites/"+id.String()+"/modifier", postForm("Sortie au musée", "y", "responsables", s.class1.String(), "publier")), http.StatusSeeOther, "edit")
	if told(s.guardian.PersonID) != 1 {
		t.Error("editing a published post told again")
	}
	f := postForm("Plus tard", "x", "etablissement", "", "publier")
	f.Set("publication", s.clock.Now().Add(72*time.Hour).Format("2006-01-02"))
	s.write(s.direction, "/actualites/nouvelle", f)
	if told(s.alice.PersonID) != 0 {
		t.Error("a deferred post told its audience before its date")
	}
}
