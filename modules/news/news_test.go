package news_test

// News through the real router: the workflow (a contributor's post waits for the direction),
// who sees a post (computed from classes, guardianships and roles), the read counts, the
// dates, the home page's headlines, stored XSS, and isolation across roles and establishments.

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/news"
)

func TestWorkflowAndAudience(t *testing.T) {
	s := newSite(t)
	post := "/actualites/"
	var parents uuid.UUID

	t.Run("a pupil and a guardian cannot write", func(t *testing.T) {
		for _, m := range []directorytest.Member{s.alice, s.guardian, s.staffer} {
			wantCode(t, s.Post(m, "/actualites/nouvelle", postForm("Intrus", "texte", "etablissement", "", "publier")), http.StatusForbidden, "outsider writes")
			wantCode(t, s.Get(m, "/actualites/gestion"), http.StatusForbidden, "outsider manages")
		}
		if n := s.Count(s.alpha, `SELECT count(*) FROM news_posts`); n != 0 {
			t.Fatalf("%d posts written by people who may not write", n)
		}
	})
	t.Run("a contributor cannot publish without validation", func(t *testing.T) {
		wantCode(t, s.Post(s.teacher, "/actualites/nouvelle", postForm("Sortie", "texte", "responsables", s.class1.String(), "publier")), http.StatusForbidden, "teacher publishes")
		parents = s.write(s.teacher, "/actualites/nouvelle", postForm("Sortie au musée", "Rendez-vous **8h**.", "responsables", s.class1.String(), "soumettre"))
		if n := s.Count(s.alpha, `SELECT count(*) FROM news_posts WHERE state = 'a_valider'`); n != 1 {
			t.Fatalf("%d posts waiting for validation, want 1", n)
		}
		wantCode(t, s.Post(s.teacher, post+parents.String()+"/publier", url.Values{}), http.StatusForbidden, "teacher validates")
		wantCode(t, s.Get(s.guardian, post+parents.String()), http.StatusNotFound, "guardian before validation")
		wantCode(t, s.Get(s.cpe, post+parents.String()), http.StatusNotFound, "another contributor's pending post")
		rec := s.Get(s.direction, "/actualites/gestion")
		wantIn(t, rec, "validation queue", "À valider", "Sortie au musée", "Les parents de 2nde 1", "Publier « Sortie au musée »")
	})
	t.Run("the direction publishes; the guardians of 2nde 1 only see it", func(t *testing.T) {
		wantCode(t, s.Post(s.direction, post+parents.String()+"/publier", url.Values{}), http.StatusSeeOther, "publish")
		rec := s.Get(s.guardian, post+parents.String())
		wantCode(t, rec, http.StatusOK, "guardian of 2nde 1")
		wantIn(t, rec, "post", "Sortie au musée", "<strong>8h</strong>", "Les parents de 2nde 1")
		wantIn(t, s.Get(s.guardian, "/actualites"), "guardian's list", "Sortie au musée")
		for name, m := range map[string]directorytest.Member{"pupil of 2nde 1": s.alice, "pupil of 2nde 2": s.zoe,
			"guardian of 2nde 2": s.guardianZoe, "staff": s.staffer, "cpe": s.cpe} {
			wantCode(t, s.Get(m, post+parents.String()), http.StatusNotFound, name+" by id")
			wantNotIn(t, s.Get(m, "/actualites"), name+"'s list", "Sortie au musée")
		}
		wantCode(t, s.Get(s.teacher, post+parents.String()), http.StatusOK, "its author")
		wantCode(t, s.Post(s.teacher, post+parents.String()+"/modifier", postForm("Changé", "x", "etablissement", "", "soumettre")), http.StatusForbidden, "author edits a published post")
	})
	t.Run("a class post reaches its pupils, their guardians and its teachers", func(t *testing.T) {
		id := s.write(s.direction, "/actualites/nouvelle", postForm("Conseil de classe", "Lundi.", "classe", s.class1.String(), "publier"))
		for _, m := range []directorytest.Member{s.alice, s.guardian, s.teacher} {
			wantCode(t, s.Get(m, post+id.String()), http.StatusOK, "in 2nde 1's audience")
		}
		for _, m := range []directorytest.Member{s.zoe, s.guardianZoe, s.cpe} {
			wantCode(t, s.Get(m, post+id.String()), http.StatusNotFound, "outside 2nde 1")
		}
		group := s.write(s.direction, "/actualites/nouvelle", postForm("Latin", "Voyage.", "groupe", s.latin.String(), "publier"))
		wantCode(t, s.Get(s.alice, post+group.String()), http.StatusOK, "group member")
		wantCode(t, s.Get(s.zoe, post+group.String()), http.StatusNotFound, "not in the group")
		staff := s.write(s.direction, "/actualites/nouvelle", postForm("Réunion", "Salle B.", "personnels", "", "publier"))
		wantCode(t, s.Get(s.staffer, post+staff.String()), http.StatusOK, "staff")
		wantCode(t, s.Get(s.guardian, post+staff.String()), http.StatusNotFound, "guardian on a staff post")
		wantCode(t, s.Get(s.alice, post+staff.String()), http.StatusNotFound, "pupil on a staff post")
	})
	t.Run("read counts: one per person, of the audience", func(t *testing.T) {
		s.Get(s.guardian, post+parents.String())
		s.Get(s.guardian, post+parents.String())
		if n := s.Count(s.alpha, `SELECT count(*) FROM news_reads WHERE post_id = ?`, parents); n != 1 {
			t.Fatalf("%d reads, want 1 (the author's preview is not a read)", n)
		}
		rec := s.Get(s.teacher, "/actualites/gestion")
		wantIn(t, rec, "author's counts", "Sortie au musée", "1 sur 1")
		wantNotIn(t, rec, "author's list", "Conseil de classe") // the direction's post
		wantIn(t, s.Get(s.direction, "/actualites/gestion"), "direction's counts", "1 sur 1", "Conseil de classe")
	})
	t.Run("another establishment sees nothing", func(t *testing.T) {
		wantCode(t, s.Get(s.bravoDirection, "/actualites"), http.StatusForbidden, "Bravo's direction on Alpha")
		wantCode(t, s.Get(s.bravoDirection, post+parents.String()), http.StatusForbidden, "Bravo's direction on Alpha's post")
		wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, post+parents.String(), nil), http.StatusNotFound, "Alpha's post on Bravo")
		wantNotIn(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, "/actualites/gestion", nil), "Bravo's management", "Sortie au musée")
	})
}

func TestFormDatesAndDeletion(t *testing.T) {
	s := newSite(t)
	t.Run("errors name the field", func(t *testing.T) {
		f := postForm("", "", "classe", "", "brouillon")
		f.Set("expiration", "2026-13-40")
		rec := s.Post(s.cpe, "/actualites/nouvelle", f)
		wantCode(t, rec, http.StatusUnprocessableEntity, "empty form")
		wantIn(t, rec, "errors", "Titre : indiquez le titre", "Texte : écrivez le texte", "Classe ou groupe : choisissez la classe",
			"Visible jusqu&#39;au : date « 2026-13-40 » illisible")
		f = postForm("Passé", "x", "etablissement", "", "brouillon")
		f.Set("expiration", "2026-10-01")
		wantIn(t, s.Post(s.cpe, "/actualites/nouvelle", f), "past expiry", "cette date est passée")
		f = postForm("Autre classe", "x", "classe", s.latin.String(), "brouillon")
		wantIn(t, s.Post(s.cpe, "/actualites/nouvelle", f), "a group as a class", "Classe ou groupe : choisissez la classe")
		if n := s.Count(s.alpha, `SELECT count(*) FROM news_posts`); n != 0 {
			t.Fatalf("%d posts saved from refused forms", n)
		}
	})
	t.Run("shown from its publication date until its expiry", func(t *testing.T) {
		f := postForm("Portes ouvertes", "Samedi.", "etablissement", "", "publier")
		f.Set("publication", "2026-10-07")
		f.Set("expiration", "2026-10-10")
		f.Set("une", "1")
		id := s.write(s.direction, "/actualites/nouvelle", f)
		wantCode(t, s.Get(s.alice, "/actualites/"+id.String()), http.StatusNotFound, "before its publication date")
		wantNotIn(t, s.Get(s.alice, "/"), "home before", "Portes ouvertes")
		s.clock.Set(time.Date(2026, time.October, 7, 8, 0, 0, 0, s.clock.Now().Location()))
		wantIn(t, s.Get(s.alice, "/"), "home headline", "À la une", "Portes ouvertes", "non lue")
		wantCode(t, s.Get(s.alice, "/actualites/"+id.String()), http.StatusOK, "on its publication date")
		wantNotIn(t, s.Get(s.alice, "/"), "home headline once read", "non lue")
		wantIn(t, s.Get(s.guardian, "/"), "guardian's home headline", "Portes ouvertes")
		s.clock.Set(time.Date(2026, time.October, 10, 23, 0, 0, 0, s.clock.Now().Location()))
		wantCode(t, s.Get(s.alice, "/actualites/"+id.String()), http.StatusOK, "on its last day")
		s.clock.Set(time.Date(2026, time.October, 11, 0, 30, 0, 0, s.clock.Now().Location()))
		wantCode(t, s.Get(s.alice, "/actualites/"+id.String()), http.StatusNotFound, "after its expiry")
		wantNotIn(t, s.Get(s.alice, "/"), "home after", "Portes ouvertes")
		s.clock.Set(time.Date(2026, time.October, 5, 10, 0, 0, 0, s.clock.Now().Location()))
	})
	t.Run("deletion is confirmed; others cannot delete", func(t *testing.T) {
		id := s.write(s.cpe, "/actualites/nouvelle", postForm("Brouillon CPE", "x", "etablissement", "", "brouillon"))
		wantCode(t, s.Get(s.teacher, "/actualites/"+id.String()+"/supprimer"), http.StatusNotFound, "another contributor's draft")
		wantCode(t, s.Post(s.teacher, "/actualites/"+id.String()+"/supprimer", url.Values{}), http.StatusNotFound, "another contributor deletes")
		rec := s.Get(s.cpe, "/actualites/"+id.String()+"/supprimer")
		wantCode(t, rec, http.StatusOK, "confirmation")
		wantIn(t, rec, "confirmation", "Supprimer « <strong>Brouillon CPE</strong> »", "Oui, supprimer")
		wantCode(t, s.Post(s.cpe, "/actualites/"+id.String()+"/supprimer", url.Values{}), http.StatusSeeOther, "delete")
		if n := s.Count(s.alpha, `SELECT count(*) FROM news_posts WHERE id = ?`, id); n != 0 {
			t.Fatal("the post is still there")
		}
	})
	t.Run("the direction sends a post back to its author", func(t *testing.T) {
		id := s.write(s.teacher, "/actualites/nouvelle", postForm("À revoir", "x", "etablissement", "", "soumettre"))
		wantCode(t, s.Post(s.direction, "/actualites/"+id.String()+"/renvoyer", url.Values{}), http.StatusSeeOther, "send back")
		if n := s.Count(s.alpha, `SELECT count(*) FROM news_posts WHERE id = ? AND state = 'brouillon'`, id); n != 1 {
			t.Fatal("the post is not a draft again")
		}
	})
}

// TestStoredXSS: what users write is Markdown; raw HTML, javascript: links and event
// attributes never reach a page.
func TestStoredXSS(t *testing.T) {
	s := newSite(t)
	body := "Bonjour <script>alert('x')</script>\n\n[lien](javascript:alert(1)) <img src=x onerror=alert(2)>\n\n" +
		"![photo](javascript:alert(3)) <a href=\"javascript:alert(4)\">a</a> <iframe src=\"https://evil.example\"></iframe>\n\n[bon lien](https://example.org)"
	id := s.write(s.direction, "/actualites/nouvelle", postForm("<script>alert('titre')</script>", body, "etablissement", "", "publier"))
	for _, path := range []string{"/actualites/" + id.String(), "/actualites", "/"} {
		rec := s.Get(s.alice, path)
		wantCode(t, rec, http.StatusOK, path)
		wantNotIn(t, rec, path, "<script>alert", "javascript:", "onerror", "<iframe")
	}
	rec := s.Get(s.alice, "/actualites/"+id.String())
	wantIn(t, rec, "escaped title and kept link", "&lt;script&gt;alert(&#39;titre&#39;)&lt;/script&gt;", `href="https://example.org"`)
}

func TestRenderBody(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"**gras**", "<p><strong>gras</strong></p>\n"},
		{"<b onclick=x>b</b>", "<p>b</p>\n"},
		{"[x](javascript:alert(1))", "<p>x</p>\n"},
	} {
		if got := news.RenderBody(c.in); got != c.want {
			t.Errorf("render %q = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSeedDemo(t *testing.T) {
	s := newSite(t)
	svc := news.NewService(s.Reg.DB(), nil, s.clock.Now)
	for range 2 { // twice: nothing more
		if err := svc.SeedDemo(t.Context(), s.alpha); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM news_posts`); n != 4 {
		t.Fatalf("%d demo posts, want 4", n)
	}
	wantIn(t, s.Get(s.guardian, "/"), "guardian's home", "Journée portes ouvertes samedi")
	wantIn(t, s.Get(s.guardian, "/actualites"), "guardian's news", "Réunion parents-professeurs de 2nde 1")
	wantNotIn(t, s.Get(s.guardianZoe, "/actualites"), "2nde 2 guardian's news", "Réunion parents-professeurs de 2nde 1", "Réunion des personnels")
	wantIn(t, s.Get(s.direction, "/actualites/gestion"), "validation queue", "Sortie pédagogique au musée")
}

// TestAudienceSizesMatchTheCondition: the management page's bulk counts are the people the
// per-person condition addresses, for every kind of audience.
func TestAudienceSizesMatchTheCondition(t *testing.T) {
	s := newSite(t)
	s.Exec(s.alpha, `INSERT INTO principal_teachers (teacher_id, class_id) VALUES (?, ?)`, s.cpe.PersonID, s.latin)
	for _, f := range []url.Values{postForm("Tous", "x", "etablissement", "", "publier"), postForm("2nde 1", "x", "classe", s.class1.String(), "publier"),
		postForm("Latin", "x", "groupe", s.latin.String(), "publier"), postForm("Personnels", "x", "personnels", "", "publier"),
		postForm("Parents", "x", "responsables", "", "publier"), postForm("Parents 2nde 2", "x", "responsables", s.class2.String(), "brouillon")} {
		s.write(s.direction, "/actualites/nouvelle", f)
	}
	posts, err := s.svc.Managed(t.Context(), s.alpha, news.Actor{PersonID: s.direction.PersonID, Roles: []identity.Role{identity.RoleDirection}})
	if err != nil || len(posts) != 6 {
		t.Fatal(err, len(posts))
	}
	for _, p := range posts {
		want := s.Count(s.alpha, `SELECT count(*) FROM news_posts p, people pe WHERE p.id = ? AND `+news.InAudience, p.ID)
		if p.Audience != want || want == 0 {
			t.Errorf("%s: audience %d, want %d", p.Title, p.Audience, want)
		}
	}
}

// TestReadCountsMatchTheCondition: the bulk read counts are the readers the per-person
// condition addresses, after people left the audience.
func TestReadCountsMatchTheCondition(t *testing.T) {
	s := newSite(t)
	var ids []uuid.UUID
	for _, f := range []url.Values{postForm("Tous", "x", "etablissement", "", "publier"), postForm("2nde 1", "x", "classe", s.class1.String(), "publier"),
		postForm("Personnels", "x", "personnels", "", "publier"), postForm("Parents", "x", "responsables", "", "publier"),
		postForm("Parents 2nde 1", "x", "responsables", s.class1.String(), "publier")} {
		ids = append(ids, s.write(s.direction, "/actualites/nouvelle", f))
	}
	for _, id := range ids { // everyone reads everything, whether addressed or not
		s.Exec(s.alpha, `INSERT INTO news_reads (post_id, person_id, read_at) SELECT ?, id, now() FROM people`, id)
	}
	s.Exec(s.alpha, `DELETE FROM class_members WHERE person_id = ?`, s.alice.PersonID) // Alice left 2nde 1
	posts, err := s.svc.Managed(t.Context(), s.alpha, news.Actor{PersonID: s.direction.PersonID, Roles: []identity.Role{identity.RoleDirection}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		want := s.Count(s.alpha, `SELECT count(*) FROM news_posts p JOIN news_reads r ON r.post_id = p.id JOIN people pe ON pe.id = r.person_id WHERE p.id = ? AND `+news.InAudience, p.ID)
		if p.Readers != want || p.Readers != p.Audience {
			t.Errorf("%s: %d readers of %d, want %d", p.Title, p.Readers, p.Audience, want)
		}
	}
}
