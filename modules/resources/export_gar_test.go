package resources_test

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/tenant"
)

var exportLink = regexp.MustCompile(`/ressources/gar/exports/([0-9a-f-]{36})`)

// makeExport asks for an export as Alpha's direction, runs the job enqueued and returns the
// export's address from the managers' page.
func (s *agsSite) makeExport(t *testing.T) string {
	t.Helper()
	before := len(s.queue.jobs)
	rec := s.Send(s.alpha, s.direction, http.MethodPost, "/ressources/gar/exports", url.Values{})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "ask for an export")
	if len(s.queue.jobs) != before+1 {
		t.Fatalf("%d jobs enqueued, want one", len(s.queue.jobs)-before)
	}
	job, ok := s.queue.jobs[len(s.queue.jobs)-1].(resources.GarExportJob)
	if !ok {
		t.Fatalf("job %T enqueued", s.queue.jobs[len(s.queue.jobs)-1])
	}
	if err := s.svc.RunGarExport(t.Context(), lister{s.alpha, s.bravo}, job); err != nil {
		t.Fatalf("run export: %v", err)
	}
	return "/ressources/gar/exports/" + job.Export.String()
}

func (s *agsSite) download(t *testing.T, path string) resources.GarFeed {
	t.Helper()
	rec := s.Send(s.alpha, s.direction, http.MethodGet, path, nil)
	moduletest.WantCode(t, rec, http.StatusOK, "download the export")
	if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, string(s.alpha.UAI)) {
		t.Errorf("Content-Disposition %q", cd)
	}
	var feed resources.GarFeed
	if err := xml.Unmarshal(rec.Body.Bytes(), &feed); err != nil {
		t.Fatalf("the export does not parse: %v", err)
	}
	if feed.XMLName.Space != resources.GarNamespace {
		t.Errorf("root in namespace %q", feed.XMLName.Space)
	}
	return feed
}

// The export of a seeded establishment holds its persons under pseudonymous ids, stable
// from one export to the next, the pupils' MEF and classes, the teachers' subjects.
func TestGARExport(t *testing.T) {
	s := newAGSSite(t)
	s.Exec(s.alpha, `UPDATE people SET mef = '20010018110' WHERE id IN (?, ?)`, s.alice.PersonID, s.bob.PersonID)
	group := "11111111-2222-3333-4444-555555555555"
	s.Exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'groupe', 'G-LV2', 'Espagnol LV2', ?)`, group, s.Year())
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, group, s.alice.PersonID)
	s.Exec(s.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'PHYS')`, s.claire.PersonID, group)

	rec := s.Send(s.alpha, s.direction, http.MethodGet, "/ressources/gar", nil)
	moduletest.WantCode(t, rec, http.StatusOK, "managers' page")
	moduletest.WantIn(t, rec, "managers' page", "Export GAR", "gestionnaire d'accès externe", "Générer l'export", "Aucun export")

	rec = s.Send(s.alpha, s.direction, http.MethodPost, "/ressources/gar/reglage", url.Values{"gestionnaire_externe": {"oui"}})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "setting")
	if n := s.Count(s.alpha, `SELECT count(*) FROM resource_settings WHERE external_manager`); n != 1 {
		t.Errorf("external manager not recorded")
	}

	first := s.makeExport(t)
	rec = s.Send(s.alpha, s.direction, http.MethodGet, "/ressources/gar", nil)
	moduletest.WantIn(t, rec, "page after the export", "Prêt", first)
	feed := s.download(t, first)

	if feed.Etab.UAI != string(s.alpha.UAI) {
		t.Errorf("establishment %+v", feed.Etab)
	}
	if len(feed.Eleves) != 3 {
		t.Errorf("%d pupils, want 3", len(feed.Eleves))
	}
	body := rec.Body.String()
	for _, m := range []string{s.alice.PersonID.String(), s.alice.IdentityID.String(), s.claire.PersonID.String()} {
		if strings.Contains(body, m) {
			t.Errorf("the page shows an internal id %s", m)
		}
	}
	byName := map[string]resources.GarPerson{}
	for _, p := range slices.Concat(feed.Eleves, feed.Enseignants) {
		byName[p.Nom] = p
		if strings.Contains(p.ID, "-") || len(p.ID) != 32 {
			t.Errorf("id %q of %s is not a pseudonym", p.ID, p.Nom)
		}
	}
	alice, claire := byName["Martin"], byName["Lefèvre"]
	if alice.ID == "" || claire.ID == "" {
		t.Fatalf("Alice or Claire missing: %+v", byName)
	}
	if len(alice.Profils) != 1 || alice.Profils[0].Profil != "National_elv" || claire.Profils[0].Profil != "National_ens" || byName["Proviseure"].Profils[0].Profil != "National_dir" {
		t.Errorf("profiles: Alice %+v, Claire %+v, direction %+v", alice.Profils, claire.Profils, byName["Proviseure"].Profils)
	}
	mefs := map[string]string{}
	for _, m := range feed.PersonMEF {
		mefs[m.ID] = m.Code
	}
	if mefs[alice.ID] != "20010018110" || mefs[byName["Bernard"].ID] != "20010018110" || len(mefs) != 2 {
		t.Errorf("MEF %+v", mefs)
	}
	groups := map[string]string{}
	for _, g := range feed.Groupes {
		groups[g.Code] = g.Statut
	}
	if groups["2NDE1"] != "DIVISION" || groups["2NDE2"] != "DIVISION" || groups["G-LV2"] != "GROUPE" {
		t.Errorf("groups %+v", groups)
	}
	var aliceIn []string
	for _, pg := range feed.PersonGroupes {
		if pg.ID == alice.ID {
			aliceIn = append(aliceIn, pg.Groupe)
		}
	}
	slices.Sort(aliceIn)
	if !slices.Equal(aliceIn, []string{"2NDE1", "G-LV2"}) {
		t.Errorf("Alice is in %v", aliceIn)
	}
	wantClass := resources.GarEnsMatiere{UAI: string(s.alpha.UAI), ID: claire.ID, Groupe: "2NDE1", Matiere: "MATHS"}
	wantGroup := resources.GarEnsMatiere{UAI: string(s.alpha.UAI), ID: claire.ID, Groupe: "G-LV2", Matiere: "PHYS"}
	if !slices.Contains(feed.EnsClasseMatieres, wantClass) || !slices.Contains(feed.EnsGroupeMatieres, wantGroup) {
		t.Errorf("subjects taught: classes %+v, groups %+v", feed.EnsClasseMatieres, feed.EnsGroupeMatieres)
	}
	if len(feed.Matieres) != 2 {
		t.Errorf("subjects %+v", feed.Matieres)
	}

	// the ids are stable across exports
	second := s.makeExport(t)
	if second == first {
		t.Fatal("the second export is the first")
	}
	again := s.download(t, second)
	ids := func(f resources.GarFeed) map[string]string {
		out := map[string]string{}
		for _, p := range slices.Concat(f.Eleves, f.Enseignants) {
			out[p.Nom] = p.ID
		}
		return out
	}
	a, b := ids(feed), ids(again)
	for name, id := range a {
		if b[name] != id {
			t.Errorf("%s: id %s then %s", name, id, b[name])
		}
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM resource_settings`); n != 1 {
		t.Errorf("%d settings rows, want one salt", n)
	}
}

// An export is never downloadable by another establishment's direction nor by a member
// without the management, and its page is refused to them.
func TestGARExportIsolation(t *testing.T) {
	s := newAGSSite(t)
	path := s.makeExport(t)
	id := path[strings.LastIndex(path, "/")+1:]
	// Bravo's direction manages Bravo: its own page, which shows nothing of Alpha's
	rec := s.Send(s.bravo, s.bravoDirection, http.MethodGet, "/ressources/gar", nil)
	moduletest.WantCode(t, rec, http.StatusOK, "Bravo's page")
	if strings.Contains(rec.Body.String(), id) {
		t.Error("Bravo's page lists Alpha's export")
	}
	moduletest.WantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, path, nil), http.StatusNotFound, "Bravo's direction downloads Alpha's export on Bravo")
	anonymous := s.claire
	anonymous.Token = ""
	for _, c := range []struct {
		name   string
		tn     *tenant.Tenant
		member directorytest.Member
	}{
		{"Bravo's direction on Alpha", s.alpha, s.bravoDirection},
		{"a teacher of Alpha", s.alpha, s.claire},
		{"a pupil of Alpha", s.alpha, s.alice},
		{"anonymous", s.alpha, anonymous},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []string{path, "/ressources/gar"} {
				rec := s.Send(c.tn, c.member, http.MethodGet, p, nil)
				if rec.Code == http.StatusOK {
					t.Errorf("%s answered 200", p)
				}
				if strings.Contains(rec.Body.String(), "GAR-ENT") || strings.Contains(rec.Body.String(), "Télécharger (XML)") {
					t.Errorf("%s shows the export", p)
				}
			}
			rec := s.Send(c.tn, c.member, http.MethodPost, "/ressources/gar/exports", url.Values{})
			if rec.Code == http.StatusSeeOther || rec.Code == http.StatusOK {
				t.Errorf("asks for an export: %d", rec.Code)
			}
			rec = s.Send(c.tn, c.member, http.MethodPost, "/ressources/gar/reglage", url.Values{"gestionnaire_externe": {"oui"}})
			if rec.Code == http.StatusSeeOther || rec.Code == http.StatusOK {
				t.Errorf("changes the setting: %d", rec.Code)
			}
		})
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM resource_settings WHERE external_manager`); n != 0 {
		t.Error("the setting was changed")
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM gar_exports`); n != 1 {
		t.Errorf("%d exports in Alpha, want 1", n)
	}
	if n := s.Count(s.bravo, `SELECT count(*) FROM gar_exports`); n != 0 {
		t.Errorf("%d exports in Bravo", n)
	}
}

// The nightly job makes the export of the establishments that use an external access
// manager, once a night.
func TestGARNightlyExport(t *testing.T) {
	s := newAGSSite(t)
	rec := s.Send(s.alpha, s.direction, http.MethodPost, "/ressources/gar/reglage", url.Values{"gestionnaire_externe": {"oui"}})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "setting")
	var nightly *jobs.EachEstablishment[resources.GarNightly]
	for _, w := range s.svc.Jobs(lister{s.alpha, s.bravo}, nil) {
		if n, ok := w.(*jobs.EachEstablishment[resources.GarNightly]); ok {
			nightly = n
		}
	}
	if nightly == nil {
		t.Fatal("no nightly export job")
	}
	run := func() {
		t.Helper()
		if err := nightly.RunAll(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	run()
	run() // the same night: nothing more
	if a, b := s.Count(s.alpha, `SELECT count(*) FROM gar_exports WHERE status = 'pret'`), s.Count(s.bravo, `SELECT count(*) FROM gar_exports`); a != 1 || b != 0 {
		t.Fatalf("after the first night: Alpha %d export(s), Bravo %d; want 1 and 0", a, b)
	}
	s.Clock.Advance(24 * time.Hour)
	run()
	if a := s.Count(s.alpha, `SELECT count(*) FROM gar_exports WHERE status = 'pret'`); a != 2 {
		t.Errorf("after the second night: %d exports, want 2", a)
	}
}
