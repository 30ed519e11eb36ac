package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/ops/localstack"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestNotificationsPages: through the real router, a person sees their own notifications and
// their unread count in the menu, nobody else's; marking another's read is a 404; the JSON
// API says the same (validated against the OpenAPI document); preferences are saved.
func TestNotificationsPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	bravo := h.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	pupil := env.AddMember(t, alpha, identity.RoleEleve, "Zoé", "Alpha")
	parent := env.AddMember(t, alpha, identity.RoleResponsable, "Marc", "Alpha")
	ofBravo := env.AddMember(t, bravo, identity.RoleEleve, "Léo", "Bravo")
	svc := notify.NewService(h.reg.DB(), nil)
	news := notify.Notice{Kind: notify.KindNews, Recipients: []uuid.UUID{pupil.PersonID}, Title: "Sortie au musée d'Aquitaine", Link: "/actualites"}
	if err := h.reg.DB().Tx(context.Background(), alpha, func(tx *gorm.DB) error { return svc.Notify(tx, alpha, news) }); err != nil {
		t.Fatal(err)
	}
	host := tenantHost(alpha.Slug)

	rec := h.as(pupil.Token, host, "/notifications")
	wantStatus(t, rec, http.StatusOK)
	for _, want := range []string{"Sortie au musée", "Notifications (1 non lue)", `href="/notifications/preferences"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the pupil's page lacks %q", want)
		}
	}
	rec = h.as(parent.Token, host, "/notifications")
	if strings.Contains(rec.Body.String(), "musée") || strings.Contains(rec.Body.String(), "Notifications (") {
		t.Error("the parent sees the pupil's notification")
	}
	rec = h.as(ofBravo.Token, tenantHost(bravo.Slug), "/notifications")
	wantStatus(t, rec, http.StatusOK)
	if strings.Contains(rec.Body.String(), "musée") {
		t.Error("another establishment's pupil sees it")
	}

	var page notify.Page
	rec = h.as(pupil.Token, host, "/api/v1/notifications")
	wantStatus(t, rec, http.StatusOK)
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || len(page.Items) != 1 || page.Unread != 1 {
		t.Fatalf("API: %v %+v", err, page)
	}
	id := page.Items[0].ID.String()
	rec = h.send(parent.Token, http.MethodPost, host, "/api/v1/notifications/"+id+"/lue", "")
	wantStatus(t, rec, http.StatusNotFound)
	rec = h.send(parent.Token, http.MethodPost, host, "/notifications/"+id+"/lue", "", "Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, rec, http.StatusNotFound)
	rec = h.send(ofBravo.Token, http.MethodPost, host, "/api/v1/notifications/"+id+"/lue", "")
	wantStatus(t, rec, http.StatusForbidden)
	rec = h.as(parent.Token, host, "/api/v1/notifications")
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || len(page.Items) != 0 {
		t.Fatalf("the parent's API list: %v %+v", err, page)
	}
	rec = h.send(pupil.Token, http.MethodPost, host, "/api/v1/notifications/"+id+"/lue", "")
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `"unread":0`) {
		t.Errorf("after marking read: %s", rec.Body.String())
	}
	if rec := h.as(pupil.Token, host, "/notifications"); strings.Contains(rec.Body.String(), "Notifications (") {
		t.Error("the menu still counts it")
	}

	rec = h.send(pupil.Token, http.MethodPut, host, "/api/v1/notifications/preferences", `{"preferences":{"news":"off"}}`, "Content-Type", "application/json")
	wantStatus(t, rec, http.StatusOK)
	rec = h.send(pupil.Token, http.MethodPut, host, "/api/v1/notifications/preferences", `{"preferences":{"news":"sometimes"}}`, "Content-Type", "application/json")
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	rec = h.send(pupil.Token, http.MethodPost, host, "/notifications/preferences", "absence=off&new_mark=immediate", "Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, rec, http.StatusSeeOther)
	rec = h.as(pupil.Token, host, "/notifications/preferences")
	body := rec.Body.String()
	for _, want := range []string{`name="absence" value="off" checked`, `name="new_mark" value="immediate" checked`, `name="news" value="off" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("preferences page lacks %s", want)
		}
	}
	if strings.Contains(body, "Heures de silence de l") {
		t.Error("a pupil is offered the establishment's quiet hours")
	}
	director := env.AddMember(t, alpha, identity.RoleDirection, "Claire", "Alpha")
	rec = h.send(director.Token, http.MethodPost, host, "/notifications/silence", "debut=21:00&fin=25:00", "Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(rec.Body.String(), "pas une heure (HH:MM") {
		t.Errorf("a wrong hour is not explained: %s", truncate(rec.Body.String()))
	}
	rec = h.send(director.Token, http.MethodPost, host, "/notifications/silence", "debut=21:00&fin=06:30", "Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, rec, http.StatusSeeOther)
	if q, _ := svc.QuietHours(context.Background(), alpha); q.From.Hours() != 21 || q.To.Minutes() != 390 {
		t.Errorf("quiet hours saved as %+v", q)
	}
}

// TestDevMailsPage: with a development mailbox (make dev), the console lists what it
// received, for the région's administrators only; without one, the page does not exist.
func TestDevMailsPage(t *testing.T) {
	t.Parallel()
	mp, err := localstack.StartMailpit(context.Background(), localstack.MailpitOptions{Dir: filepath.Join(t.TempDir(), "mailpit")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mp.Stop() })
	tr, err := notify.NewSMTP(notify.SMTPConfig{Host: mp.SMTPHost(), Port: mp.SMTPPort(), TLS: "none", From: "Cartable <ne-pas-repondre@cartable.test>"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tr.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send(notify.Mail{MessageID: uuid.NewString() + "@cartable.test", To: "marc@example.org", Subject: "Absence de Zoé", Text: "Absente ce matin."}); err != nil {
		t.Fatal(err)
	}
	_ = c.Close()

	cfg := testConfig(t)
	cfg.MailpitURL = mp.APIURL()
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	h := newHarnessOn(t, reg, cfg)
	env := directorytest.NewEnv(t, h.reg)
	tenanttest.OptIn(t, h.reg, "33")
	region := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	dep := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	rec := h.as(region.Token, adminHost, "/console/courriels")
	wantStatus(t, rec, http.StatusOK)
	for _, want := range []string{"Absence de Zoé", "marc@example.org", "Absente ce matin."} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the dev page lacks %q", want)
		}
	}
	wantStatus(t, h.as(dep.Token, adminHost, "/console/courriels"), http.StatusForbidden)
	wantStatus(t, h.as("", adminHost, "/console/courriels"), http.StatusSeeOther)

	plain := newHarness(t)
	if rec := plain.as(region.Token, adminHost, "/console/courriels"); rec.Code == http.StatusOK {
		t.Error("the dev page is served without a development mailbox")
	}
}
