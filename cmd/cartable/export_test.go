package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/privacy"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestEveryModuleDeclaresAnExporter: the personal data export (modules/privacy) is made of
// every module's exporter; a module without one (Export and its README text ExportAbout in
// its Module(), module.NothingPersonal with the reason when it holds nothing about people)
// would leave its data out of the export, so it fails here, named.
func TestEveryModuleDeclaresAnExporter(t *testing.T) {
	h := newHarness(t)
	var missing []string
	for _, m := range h.mods {
		if m.Export == nil || strings.TrimSpace(m.ExportAbout) == "" {
			missing = append(missing, m.Name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("modules without an exporter (set Export and ExportAbout in their Module(), see web/module): %s", strings.Join(missing, ", "))
	}
}

// TestPersonalExportWired: on the portal, « Mon compte » leads to « Mes données
// personnelles », whose request is recorded with its job on the queue, in one transaction.
func TestPersonalExportWired(t *testing.T) {
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	pupil := env.AddMember(t, alpha, identity.RoleEleve, "Test", "Alpha")
	wantBody(t, h.as(pupil.Token, portalHost, "/compte"), "Mes données personnelles", `href="/compte/donnees"`)
	wantBody(t, h.as(pupil.Token, portalHost, "/compte/donnees"), "<h1>Mes données personnelles</h1>", "Aucun export demandé")
	rec := h.send(pupil.Token, http.MethodPost, portalHost, "/compte/donnees", "", "Content-Type", "application/x-www-form-urlencoded")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("request on the portal: %d %s", rec.Code, rec.Body.String())
	}
	wantBody(t, h.as(pupil.Token, portalHost, rec.Header().Get("Location")), "Votre demande est enregistrée", "En préparation")
	var jobs int
	if err := h.reg.Platform().Raw(`SELECT count(*) FROM river.river_job WHERE kind = 'privacy_export_build'`).Scan(&jobs).Error; err != nil || jobs != 1 {
		t.Errorf("export jobs on the queue: %d, %v", jobs, err)
	}
	if rec := h.as("", portalHost, "/compte/donnees"); rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/connexion") {
		t.Errorf("anonymous: %d to %q, want the login page", rec.Code, rec.Header().Get("Location"))
	}
}

// TestPersonalExportOfEveryModule: the export as the server makes it, with every module's
// exporter and the real job queue: asked for through the API, made by the worker,
// downloaded; it holds the pupil's data, a README naming each file, and nothing of their
// classmate (name, ids, login, the text of their mark).
func TestPersonalExportOfEveryModule(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{FilesDir: t.TempDir()}, tenant.PoolOptions{})
	migrateQueue(t, reg)
	cfg := testConfig(t)
	srv, queue, mods, err := buildApp(cfg, reg, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	if err := queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = queue.Stop(ctx)
	})
	h := &harness{t: t, reg: reg, srv: srv, mods: mods, cfg: cfg}
	env := directorytest.NewEnv(t, reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	pupil := env.AddMember(t, alpha, identity.RoleEleve, "Zoé", "Exportée")
	mate := env.AddMember(t, alpha, identity.RoleEleve, "Yann", "Camarade")
	teacher := env.AddMember(t, alpha, identity.RoleEnseignant, "Xavier", "Professeur")
	// A past year (not the current one): an export holds every year's data.
	year, start, end := "2024-2025", time.Date(2024, time.September, 2, 0, 0, 0, 0, time.UTC), time.Date(2025, time.July, 4, 0, 0, 0, 0, time.UTC)
	if err := reg.DB().Tx(t.Context(), alpha, func(tx *gorm.DB) error {
		var class uuid.UUID
		if err := tx.Exec(`INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, ?, ?, false) ON CONFLICT (code) DO NOTHING`, year, start, end).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques') ON CONFLICT DO NOTHING`).Error; err != nil {
			return err
		}
		if err := tx.Raw(`INSERT INTO classes (kind, code, label, school_year) VALUES ('classe', '2NDE9', '2nde 9', ?) RETURNING id`, year).Row().Scan(&class); err != nil {
			return err
		}
		var ev uuid.UUID
		if err := tx.Raw(`INSERT INTO evaluations (class_id, subject_code, teacher_id, title, on_date, published, published_at)
			VALUES (?, 'MATHS', ?, 'Devoir commun', ?, true, now()) RETURNING id`, class, teacher.PersonID, start).Row().Scan(&ev); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?)`, class, pupil.PersonID, class, mate.PersonID).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO marks (evaluation_id, pupil_id, value, comment) VALUES (?, ?, 16, 'Note-de-Zoé'), (?, ?, 9, 'Note-de-Yann')`,
			ev, pupil.PersonID, ev, mate.PersonID).Error
	}); err != nil {
		t.Fatal(err)
	}
	host := tenantHost(alpha.Slug)
	rec := h.send(pupil.Token, http.MethodPost, host, "/api/v1/compte/exports", "")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("request: %d %s", rec.Code, rec.Body.String())
	}
	var list struct {
		Exports []struct {
			Status      string `json:"status"`
			DownloadURL string `json:"download_url"`
		} `json:"exports"`
	}
	deadline := time.Now().Add(90 * time.Second) // clock-ok: a wait's timeout, not a date
	for {
		rec := h.as(pupil.Token, host, "/api/v1/compte/exports")
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
			t.Fatalf("list: %v %s", err, rec.Body.String())
		}
		if len(list.Exports) == 1 && list.Exports[0].Status == "prete" {
			break
		}
		if time.Now().After(deadline) { // clock-ok: a wait's timeout, not a date
			t.Fatalf("the export is not ready after 90 s: %s", rec.Body.String())
		}
		time.Sleep(300 * time.Millisecond)
	}
	if rec := h.as(mate.Token, host, list.Exports[0].DownloadURL); rec.Code != http.StatusNotFound {
		t.Errorf("the classmate downloads it: %d, want 404", rec.Code)
	}
	dl := h.as(pupil.Token, host, list.Exports[0].DownloadURL)
	if dl.Code != http.StatusOK {
		t.Fatalf("download: %d", dl.Code)
	}
	zr, err := zip.NewReader(bytes.NewReader(dl.Body.Bytes()), int64(dl.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		files[f.Name] = string(b)
		if !strings.HasPrefix(f.Name, uaiAlpha+"/") && !strings.HasPrefix(f.Name, privacy.PlatformFolder+"/") && f.Name != privacy.ReadmeName {
			t.Errorf("%s: outside the establishment's and the platform's folders", f.Name)
		}
	}
	if !strings.Contains(files[uaiAlpha+"/grades.json"], "Note-de-Zoé") || !strings.Contains(files["plateforme/identity.json"], pupil.Login) {
		t.Errorf("the pupil's marks and account missing: grades %q identity %q", files[uaiAlpha+"/grades.json"], files["plateforme/identity.json"])
	}
	for name := range files {
		if strings.HasSuffix(name, ".json") && !strings.Contains(files[privacy.ReadmeName], name) {
			t.Errorf("%s is not described in %s", name, privacy.ReadmeName)
		}
	}
	for name, body := range files {
		for _, trace := range []string{"Yann", "Camarade", "Note-de-Yann", mate.Login, mate.PersonID.String(), mate.IdentityID.String()} {
			if strings.Contains(body, trace) {
				t.Errorf("%s holds the classmate's %q", name, trace)
			}
		}
	}
}
