package cahier_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/pdfdoc/pdftest"
)

type apiArchives struct {
	Archives []struct {
		ID         uuid.UUID `json:"id"`
		ClassID    uuid.UUID `json:"class_id"`
		Class      string    `json:"class"`
		SchoolYear string    `json:"school_year"`
		Size       int64     `json:"size"`
		Sessions   int       `json:"sessions"`
		Href       string    `json:"href"`
	} `json:"archives"`
}

// TestArchive: the direction archives the year after confirming; the class's PDF lists its
// published séances (title, content, links, attachments' names), their work and the visas,
// never a draft; once archived, the class's séances and work are read-only for everyone
// (with a French message) and it is signed no more; archiving again makes nothing new; the
// PDF counts in the file space, survives the orphans' sweep, and is downloaded by the
// direction, the inspection and the class's teachers only, never from another
// establishment.
func TestArchive(t *testing.T) {
	s := newSite(t)
	inspector := s.Member(s.alpha, identity.RoleInspecteur, "Irène", "Inspectrice")
	se := s.save(s.teacher, "/cahier/seances/nouvelle", url.Values{"creneau": {s.monday1.String()}, "date": {"2026-09-28"},
		"titre": {"Les fonctions affines"}, "contenu": {"Définition et représentation graphique d'une fonction affine."},
		"liens": {"Exerciseur https://exemple.fr/affines"}, "action": {"publier"}})
	pdfFile := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	wantCode(t, s.upload(s.teacher, "/cahier/seances/"+se.String()+"/pieces", "fiche-affines.pdf", pdfFile), http.StatusSeeOther, "attach")
	s.work(s.teacher, s.class1, "MATHS", "2026-10-08", "45", "Exercices 12 et 13 page 45", url.Values{"seance": {se.String()}, "pour": {"date"}})
	s.lessonSession(s.teacher, s.thursday1, "2026-10-01", "Brouillon secret", "brouillon")
	s.lessonSession(s.paul, s.wednesdayEN, "2026-09-30", "Irregular verbs", "publier")
	wantCode(t, s.Post(s.direction, "/cahier/classes/"+s.class1.String()+"/visas", url.Values{"commentaire": {"Visa du premier trimestre."}}),
		http.StatusSeeOther, "sign")

	rec := s.Get(s.direction, "/cahier/archives/archiver")
	wantCode(t, rec, http.StatusOK, "the confirmation page")
	wantIn(t, rec, "the confirmation page", s.Year(), "en cours", "2 cahier(s) à archiver sur 2", "Je confirme")
	rec = s.Post(s.direction, "/cahier/archives/archiver", url.Values{"annee": {s.Year()}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "archive without confirming")
	wantIn(t, rec, "the refusal", "Rien n'a été archivé", "cochez la case")
	wantCode(t, s.Post(s.teacher, "/cahier/archives/archiver", url.Values{"annee": {s.Year()}, "confirmer": {"1"}}), http.StatusForbidden, "a teacher archives")
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_archives`); n != 0 {
		t.Fatalf("%d archives before the confirmation", n)
	}
	rec = s.Post(s.direction, "/cahier/archives/archiver", url.Values{"annee": {s.Year()}, "confirmer": {"1"}})
	wantCode(t, rec, http.StatusSeeOther, "archive the year")
	if loc := rec.Header().Get("Location"); loc != "/cahier/archives?archivees=2" {
		t.Errorf("after archiving: %s, want the archives with 2 archived", loc)
	}

	var list apiArchives
	s.getJSON(s.direction, "/api/v1/cahier/archives", http.StatusOK, &list)
	var href string
	for _, a := range list.Archives {
		if a.ClassID == s.class1 {
			href = a.Href
			if a.Sessions != 1 || a.SchoolYear != s.Year() || a.Size == 0 {
				t.Errorf("2nde 1's archive: %+v", a)
			}
		}
	}
	if len(list.Archives) != 2 || href == "" {
		t.Fatalf("archives: %+v; want 2nde 1's and Anglais 1's", list.Archives)
	}
	rec = s.Get(s.direction, href)
	wantCode(t, rec, http.StatusOK, "download the archive")
	if ct := rec.Header().Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("archive served as %q", ct)
	}
	text := pdftest.Text(t, rec.Body.Bytes())
	for _, want := range []string{"Cahier de textes — 2nde 1 — " + s.Year(), "Mathématiques", "lundi 28/09/2026", "08:00–09:00",
		"Les fonctions affines", "Définition et représentation graphique d'une fonction affine.", "https://exemple.fr/affines",
		"Pièce jointe : fiche-affines.pdf", "Exercices pour le jeudi 08/10/2026", "45 min", "Exercices 12 et 13 page 45",
		"Visas", "Visa du premier trimestre."} {
		if !strings.Contains(text, want) {
			t.Errorf("the archive lacks %q; its text:\n%s", want, text)
		}
	}
	for _, never := range []string{"Brouillon secret", "Irregular verbs"} {
		if strings.Contains(text, never) {
			t.Errorf("the archive has %q", never)
		}
	}

	// Read-only for everyone, with the reason; other classes stay writable. The pages offer
	// no change any more: the séance's page says why, its form is refused.
	rec = s.Get(s.teacher, "/cahier/seances/"+se.String())
	wantCode(t, rec, http.StatusOK, "the teacher reads an archived séance")
	wantIn(t, rec, "the archived séance", "est archivé pour son année scolaire")
	wantNotIn(t, rec, "the archived séance", "Modifier la séance", "Donner du travail à faire", "Retirer «", `enctype="multipart/form-data"`)
	wantCode(t, s.Get(s.teacher, "/cahier/seances/"+se.String()+"/modifier"), http.StatusConflict, "the form of an archived séance")
	rec = s.Post(s.teacher, "/cahier/seances/"+se.String()+"/modifier", url.Values{"creneau": {s.monday1.String()}, "date": {"2026-09-28"},
		"titre": {"Réécrit"}, "action": {"publier"}})
	wantCode(t, rec, http.StatusConflict, "the teacher edits an archived séance")
	wantIn(t, rec, "the refusal", "est archivé pour son année scolaire")
	rec = s.Post(s.teacher, "/cahier/seances/nouvelle", url.Values{"creneau": {s.monday1.String()}, "date": {"2026-10-05"}, "titre": {"Nouvelle"}, "action": {"publier"}})
	wantCode(t, rec, http.StatusConflict, "a new séance in an archived class")
	wantCode(t, s.sendJSON(s.teacher, http.MethodDelete, "/api/v1/cahier/seances/"+se.String(), ""), http.StatusConflict, "delete an archived séance")
	wantCode(t, s.upload(s.teacher, "/cahier/seances/"+se.String()+"/pieces", "autre.pdf", pdfFile), http.StatusConflict, "attach to an archived séance")
	rec = s.Post(s.direction, "/cahier/classes/"+s.class1.String()+"/visas", url.Values{"commentaire": {"Trop tard"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "sign an archived cahier")
	wantIn(t, rec, "the refusal", "il ne se vise plus")
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_sessions WHERE title = 'Les fonctions affines'`); n != 1 {
		t.Errorf("the archived séance changed")
	}
	s.lessonSession(s.teacher, s.monday2, "2026-10-05", "Dans une autre classe", "publier")

	// Once per class and year.
	rec = s.Post(s.direction, "/cahier/archives/archiver", url.Values{"annee": {s.Year()}, "confirmer": {"1"}})
	if loc := rec.Header().Get("Location"); loc != "/cahier/archives?archivees=1" {
		t.Errorf("archiving again: %s, want only 2nde 2's, new since", loc)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_archives WHERE class_id = ?`, s.class1); n != 1 {
		t.Errorf("2nde 1 archived %d times", n)
	}
	if n := s.Count(s.alpha, `SELECT coalesce(sum(files), 0) FROM file_space WHERE table_name = 'cahier_archives'`); n != 3 {
		t.Errorf("the file space counts %d archives, want 3", n)
	}

	// The sweep of orphan blobs keeps the archives.
	s.Clock.Advance(files.OrphanAge + time.Hour)
	if _, err := s.svc.SweepFiles(context.Background(), s.alpha); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.Get(s.direction, href), http.StatusOK, "the archive after the sweep")

	// Who downloads.
	wantCode(t, s.Get(inspector, href), http.StatusOK, "the inspector")
	wantCode(t, s.Get(s.teacher, href), http.StatusOK, "the class's teacher")
	wantCode(t, s.Get(s.paul, href), http.StatusNotFound, "a teacher of another class")
	rec = s.Get(s.paul, "/cahier/archives")
	wantIn(t, rec, "Paul's archives", "Anglais 1")
	wantNotIn(t, rec, "Paul's archives", "2nde 1")
	wantCode(t, s.Get(s.alice, href), http.StatusForbidden, "a pupil")
	wantCode(t, s.Get(s.guardian, "/cahier/archives"), http.StatusForbidden, "a parent")
	wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, href, nil), http.StatusNotFound, "another establishment's direction")
	rec = s.Send(s.bravo, s.bravoDirection, http.MethodGet, "/api/v1/cahier/archives", nil)
	wantCode(t, rec, http.StatusOK, "Bravo's archives")
	wantIn(t, rec, "Bravo's archives", `"archives":[]`)
	rec = s.Get(s.direction, "/cahier/archives")
	wantIn(t, rec, "the direction's archives", "Télécharger le PDF de 2nde 1", "Archiver l'année")

	// What the database does by itself stays possible: a leaver's purge clears their name, a
	// class deleted takes its rows with it; a change in SQL is refused as by the pages.
	s.Exec(s.alpha, `UPDATE cahier_sessions SET teacher_id = NULL WHERE class_id = ?`, s.class1)
	s.Exec(s.alpha, `UPDATE cahier_work SET teacher_id = NULL, notified_at = now() WHERE class_id = ?`, s.class1)
	err := s.Reg.DB().Tx(context.Background(), s.alpha, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE cahier_work SET description = 'Autre' WHERE class_id = ?`, s.class1).Error
	})
	if err == nil || !strings.Contains(err.Error(), "CAH01") {
		t.Errorf("an archived work changed in SQL: %v", err)
	}
	s.Exec(s.alpha, `DELETE FROM classes WHERE id = ?`, s.class1)
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_sessions WHERE class_id = ?`, s.class1); n != 0 {
		t.Errorf("%d séances left of a deleted class", n)
	}
}

type lister []tenant.Tenant

func (l lister) Live(context.Context) ([]tenant.Tenant, error) { return l, nil }

// TestArchiveJob: the daily job archives nothing while the year runs, every class with a
// cahier once its school year has ended, and nothing more when run again; another
// establishment's classes are its own.
func TestArchiveJob(t *testing.T) {
	s := newSite(t)
	s.lessonSession(s.teacher, s.monday1, "2026-09-28", "Les fonctions affines", "publier")
	job := s.svc.ArchiveJobs(lister{*s.alpha, *s.bravo})
	ctx := context.Background()
	if err := job.RunAll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_archives`); n != 0 {
		t.Fatalf("%d archives while the year runs", n)
	}
	var end time.Time
	if err := s.Reg.DB().ReadTx(ctx, s.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT ends_on FROM school_years WHERE current`).Scan(&end).Error
	}); err != nil {
		t.Fatal(err)
	}
	s.Clock.Set(end.AddDate(0, 0, 2).Add(8 * time.Hour))
	for range 2 {
		if err := job.RunAll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_archives WHERE class_id = ? AND created_by IS NULL`, s.class1); n != 1 {
		t.Errorf("2nde 1 archived %d times by the job, want once", n)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_archives`); n != 1 {
		t.Errorf("%d archives, want 2nde 1's only (the others have no cahier)", n)
	}
	if n := s.Count(s.bravo, `SELECT count(*) FROM cahier_archives`); n != 0 {
		t.Errorf("Bravo has %d archives", n)
	}
}
