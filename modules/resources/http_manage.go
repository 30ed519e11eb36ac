package resources

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// The managers' pages, under /ressources/gestion: PermView on the route (a référent is a
// teacher or a member of staff), whether the viewer manages decided by the service.

const manageRoot = "/ressources/gestion"

func (h *Handler) manageRoutes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, manageRoot, PermView, h.manageList),
		module.Get(t, manageRoot+"/abonnements/nouveau", PermView, h.subscriptionForm),
		module.Post(t, manageRoot+"/abonnements/nouveau", PermView, h.saveSubscription),
		module.Get(t, manageRoot+"/abonnements/:id", PermView, h.subscriptionPage),
		module.Get(t, manageRoot+"/abonnements/:id/modifier", PermView, h.subscriptionForm),
		module.Post(t, manageRoot+"/abonnements/:id/modifier", PermView, h.saveSubscription),
		module.Get(t, manageRoot+"/abonnements/:id/supprimer", PermView, h.confirmDeleteSubscription),
		module.Post(t, manageRoot+"/abonnements/:id/supprimer", PermView, h.deleteSubscription),
		module.Post(t, manageRoot+"/abonnements/:id/attributions", PermView, h.assign),
		module.Get(t, manageRoot+"/attributions/:id/retirer", PermView, h.confirmRevokeAssignment),
		module.Post(t, manageRoot+"/attributions/:id/retirer", PermView, h.revokeAssignment),
		module.Get(t, manageRoot+"/abonnements/:id/licences/:person/retirer", PermView, h.confirmRevokeLicence),
		module.Post(t, manageRoot+"/abonnements/:id/licences/:person/retirer", PermView, h.revokeLicence),
		module.Get(t, manageRoot+"/referents", PermView, h.referents),
		module.Post(t, manageRoot+"/referents", PermView, h.nameReferent),
		module.Get(t, manageRoot+"/referents/:id/retirer", PermView, h.confirmRemoveReferent),
		module.Post(t, manageRoot+"/referents/:id/retirer", PermView, h.removeReferent),
		module.Get(t, manageRoot+"/partage", PermView, h.sharing),
		module.Post(t, manageRoot+"/partage/:id", PermView, h.saveSharing),
		module.Get(t, manageRoot+"/journal", PermView, h.journal),
	}
}

// manageMenu: the direction's entry, and the same for the référents it named (staff whose
// entry is computed per page: one small read of the référents, staff only). Their order is
// that of « Mes ressources », registered before them: they follow it, before the grades'
// entries of the direction (13 and after).
func (h *Handler) manageMenu() []module.MenuEntry {
	staff := []module.Role{identity.RoleEnseignant, identity.RoleVieScolaire, identity.RolePersonnel, identity.RoleAdmin}
	return []module.MenuEntry{
		{Text: "Ressources numériques (gestion)", Href: manageRoot, Section: manageRoot, Permission: PermManage, Order: 12},
		{Text: "Ressources numériques (gestion)", HrefFor: h.referentEntry, Section: manageRoot, Permission: PermView, Roles: staff, Order: 12},
	}
}

// referentEntry is the managers' link for a référent, "" (no entry) for anyone else.
func (h *Handler) referentEntry(c echo.Context) string {
	t, a := web.TenantOf(c), requestActor(c)
	if t == nil || a.Direction() {
		return ""
	}
	if ok, err := h.svc.Manages(c.Request().Context(), t, a); err != nil || !ok {
		return ""
	}
	return manageRoot
}

func renderManage(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

// dayFR writes a date as « 03/12/2026 ».
func dayFR(t time.Time) string { return t.Format("02/01/2006") }

// timeFR writes an instant in Paris as « 03/12/2026 à 08 h 05 ».
func timeFR(t time.Time) string {
	p := t.In(directory.SchoolZone)
	return p.Format("02/01/2006") + " à " + p.Format("15 h 04")
}

var kindLabels = map[string]string{KindEtablissement: "Tout l'établissement", KindPersonne: "Par personne (attributions)"}
var targetLabels = map[string]string{TargetEleves: "Élèves", TargetEnseignants: "Enseignants et personnels", TargetTous: "Élèves, enseignants et personnels"}

// licenceText says the licences of a subscription line: used and left per profile.
func licenceText(l SubscriptionLine) []string {
	sub := l.Subscription
	if sub.Kind == KindEtablissement {
		return []string{"Sans décompte : tout le public l'a"}
	}
	switch sub.LicenceMode {
	case LicencesIllimite:
		return []string{fmt.Sprintf("Illimitées : %d attribuée(s)", l.Used.Total())}
	case LicencesGlobal:
		return []string{fmt.Sprintf("%d utilisée(s) sur %d, %d restante(s)", l.Used.Total(), *sub.Licences, l.Left(ProfileEleve))}
	}
	var out []string
	if TargetHas(sub.Target, ProfileEleve) {
		out = append(out, fmt.Sprintf("Élèves : %d utilisée(s) sur %d, %d restante(s)", l.Used.Eleves, *sub.LicencesEleves, l.Left(ProfileEleve)))
	}
	if TargetHas(sub.Target, ProfileEnseignant) {
		out = append(out, fmt.Sprintf("Enseignants et personnels : %d utilisée(s) sur %d, %d restante(s)", l.Used.Enseignants, *sub.LicencesEnseignants, l.Left(ProfileEnseignant)))
	}
	return out
}

// lineView is a subscription line as the pages show it.
type lineView struct {
	SubscriptionLine
	Period   string
	Kind     string
	Target   string
	Licences []string
	// Withdrawn: the région withdrew the resource from the catalogue, nobody can open it.
	Withdrawn bool
}

func viewOf(l SubscriptionLine) lineView {
	return lineView{SubscriptionLine: l, Period: "Du " + dayFR(l.Subscription.StartsOn) + " au " + dayFR(l.Subscription.EndsOn),
		Kind: kindLabels[l.Subscription.Kind], Target: targetLabels[l.Subscription.Target], Licences: licenceText(l),
		Withdrawn: l.Resource == nil || !l.Resource.Active}
}

func manageNotice(code string) string {
	switch code {
	case "cree":
		return "L'abonnement a été enregistré."
	case "modifie":
		return "L'abonnement a été modifié."
	case "supprime":
		return "L'abonnement a été supprimé et ses licences libérées."
	case "attribue":
		return "L'attribution a été enregistrée."
	case "retire":
		return "L'attribution a été retirée ; ses licences sont libérées."
	case "licence":
		return "La licence a été retirée ; elle est de nouveau disponible."
	case "referent":
		return "Les référents ont été mis à jour."
	case "partage":
		return "Le partage a été enregistré : l'outil reçoit désormais ce que vous avez coché, et rien d'autre que le pseudonyme sinon."
	}
	return ""
}

func (h *Handler) manageList(c echo.Context) error {
	lines, err := h.svc.Subscriptions(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	views := make([]lineView, len(lines))
	for i, l := range lines {
		views[i] = viewOf(l)
	}
	return renderManage(c, http.StatusOK, "manage_list.html", "Ressources numériques : abonnements", map[string]any{
		"Lines": views, "Notice": manageNotice(c.QueryParam("ok")), "Direction": requestActor(c).Direction()})
}

func subscriptionFormOf(c echo.Context) SubscriptionForm {
	return SubscriptionForm{Resource: c.FormValue("ressource"), StartsOn: c.FormValue("debut"), EndsOn: c.FormValue("fin"), Kind: c.FormValue("type"),
		Target: c.FormValue("public"), LicenceMode: c.FormValue("mode"), Licences: c.FormValue("licences"), LicencesEleves: c.FormValue("licences_eleves"),
		LicencesEnseignants: c.FormValue("licences_enseignants"), DeploymentID: c.FormValue("deploiement")}
}

// deploymentChoice is a deployment id of an LTI tool, for the form's select.
type deploymentChoice struct {
	Value, Label string
}

func (h *Handler) renderSubscriptionForm(c echo.Context, status int, id string, f SubscriptionForm, errs ManageErrors) error {
	resources, snap, err := h.svc.ActiveResources(c.Request().Context())
	if err != nil {
		return err
	}
	// A subscription's own resource, withdrawn from the catalogue since, stays choosable.
	if cur, _ := uuid.Parse(f.Resource); id != "" && !slices.ContainsFunc(resources, func(r *Resource) bool { return r.ID == cur }) {
		if r, _, _, ok := snap.Resource(cur); ok {
			resources = append([]*Resource{r}, resources...)
		}
	}
	var deployments []deploymentChoice
	for _, r := range resources {
		if tool := snap.Tools[r.ToolID]; tool.LTI() {
			for _, d := range tool.DeploymentIDs {
				deployments = append(deployments, deploymentChoice{d, tool.Name + " : " + d})
			}
		}
	}
	title, action := "Nouvel abonnement", manageRoot+"/abonnements/nouveau"
	if id != "" {
		title, action = "Modifier l'abonnement", manageRoot+"/abonnements/"+id+"/modifier"
	}
	return renderManage(c, status, "manage_subscription_form.html", title, map[string]any{"Title": title, "Action": action, "ID": id,
		"Form": f, "Errors": errs, "Resources": resources, "Deployments": distinctDeployments(deployments), "Publishers": snap.Publishers})
}

func distinctDeployments(ds []deploymentChoice) []deploymentChoice {
	seen := map[string]bool{}
	var out []deploymentChoice
	for _, d := range ds {
		if !seen[d.Value] {
			seen[d.Value] = true
			out = append(out, d)
		}
	}
	return out
}

func (h *Handler) subscriptionForm(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	if c.Param("id") == "" {
		if ok, err := h.svc.Manages(ctx, t, a); err != nil || !ok {
			if err == nil {
				err = errNotManager
			}
			return err
		}
		today := h.svc.Today()
		return h.renderSubscriptionForm(c, http.StatusOK, "", SubscriptionForm{StartsOn: today.Format(time.DateOnly),
			EndsOn: today.AddDate(1, 0, 0).Format(time.DateOnly), Kind: KindEtablissement, Target: TargetTous, LicenceMode: LicencesIllimite}, nil)
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Subscription(ctx, t, a, id)
	if err != nil {
		return err
	}
	return h.renderSubscriptionForm(c, http.StatusOK, id.String(), FormOf(d.Subscription), nil)
}

func (h *Handler) saveSubscription(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	f := subscriptionFormOf(c)
	var err error
	ok, id := "cree", ""
	if c.Param("id") != "" {
		sid, perr := paramID(c, "id")
		if perr != nil {
			return perr
		}
		id, ok = sid.String(), "modifie"
		err = h.svc.UpdateSubscription(ctx, t, a, sid, f)
	} else {
		var sid uuid.UUID
		sid, err = h.svc.CreateSubscription(ctx, t, a, f)
		if err == nil {
			id = sid.String()
		}
	}
	var errs ManageErrors
	if errors.As(err, &errs) {
		if ok == "cree" {
			id = ""
		}
		return h.renderSubscriptionForm(c, http.StatusUnprocessableEntity, id, f, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manageRoot+"/abonnements/"+id+"?ok="+ok)
}

// assignView is the assignment form's state.
type assignView struct {
	Form   AssignmentForm
	Errors ManageErrors
}

func (h *Handler) renderSubscription(c echo.Context, status int, d *SubscriptionDetail, av assignView) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	var pick Pickers
	if d.Subscription.Kind == KindPersonne {
		var err error
		if pick, err = h.svc.AssignPickers(ctx, t, a, d.Subscription); err != nil {
			return err
		}
	}
	type licensedView struct {
		LicensedPerson
		When    string
		Profile string
		De      string // « de X » / « d'X »
	}
	var people []licensedView
	for _, p := range d.Licensed {
		label := "Élève"
		if p.Profile == ProfileEnseignant {
			label = "Enseignant ou personnel"
		}
		people = append(people, licensedView{p, timeFR(p.AssignedAt), label, de(p.Name)})
	}
	type withdrawnView struct {
		WithdrawnPerson
		When string
	}
	var out []withdrawnView
	for _, p := range d.Withdrawn {
		out = append(out, withdrawnView{p, timeFR(p.WithdrawnAt)})
	}
	if av.Form.To == "" {
		av.Form.To = "classe"
	}
	return renderManage(c, status, "manage_subscription.html", d.Title(), map[string]any{"Line": viewOf(d.SubscriptionLine), "Detail": d,
		"Pickers": pick, "Assign": av, "People": people, "Withdrawn": out, "Notice": manageNotice(c.QueryParam("ok")),
		"Profiles": targetsProfiles(d.Subscription.Target)})
}

func (h *Handler) subscriptionPage(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Subscription(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return h.renderSubscription(c, http.StatusOK, d, assignView{})
}

func (h *Handler) assign(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	f := AssignmentForm{To: c.FormValue("cible"), Profile: c.FormValue("profil"), Class: c.FormValue("classe"), Group: c.FormValue("groupe"), Person: c.FormValue("personne")}
	_, _, err = h.svc.Assign(ctx, t, a, id, f)
	var errs ManageErrors
	if errors.As(err, &errs) {
		d, derr := h.svc.Subscription(ctx, t, a, id)
		if derr != nil {
			return derr
		}
		return h.renderSubscription(c, http.StatusUnprocessableEntity, d, assignView{Form: f, Errors: errs})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manageRoot+"/abonnements/"+id.String()+"?ok=attribue")
}

// confirmView is a confirmation page before a removal: what will happen, the button that
// does it, the way back.
type confirmView struct {
	Heading string
	Crumb   *crumb
	Text    []string
	Action  string
	Button  string
	Back    string
}

type crumb struct{ Href, Text string }

func renderConfirm(c echo.Context, v confirmView) error {
	return renderManage(c, http.StatusOK, "manage_confirm.html", v.Heading, v)
}

func (h *Handler) confirmRevokeAssignment(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	subID, err := h.svc.AssignmentSubscription(ctx, t, a, id)
	if err != nil {
		return err
	}
	d, err := h.svc.Subscription(ctx, t, a, subID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(d.Assignments, func(l AssignmentLine) bool { return l.Assignment.ID == id })
	if i < 0 {
		return errAssignmentNotFound
	}
	l, page := d.Assignments[i], manageRoot+"/abonnements/"+subID.String()
	text := []string{"Cette attribution n'a donné aucune licence : la retirer ne change l'accès de personne."}
	if l.Licences > 0 {
		text = []string{fmt.Sprintf("Cette attribution a donné %s de « %s ». Celles des personnes qu'une autre attribution de l'abonnement couvre restent ; les autres sont libérées et ces personnes n'ouvriront plus la ressource.",
			countFR(l.Licences, "licence", "licences"), d.Title())}
	}
	return renderConfirm(c, confirmView{Heading: "Retirer l'attribution « " + l.Label + " »", Crumb: &crumb{page, d.Title()}, Text: text,
		Action: manageRoot + "/attributions/" + id.String() + "/retirer", Button: "Retirer l'attribution « " + l.Label + " »", Back: page})
}

func (h *Handler) confirmRevokeLicence(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	person, err := paramID(c, "person")
	if err != nil {
		return err
	}
	d, err := h.svc.Subscription(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(d.Licensed, func(p LicensedPerson) bool { return p.PersonID == person })
	if i < 0 {
		return errLicenceNotFound
	}
	name, page := d.Licensed[i].Name, manageRoot+"/abonnements/"+id.String()
	return renderConfirm(c, confirmView{Heading: "Retirer la licence " + de(name), Crumb: &crumb{page, d.Title()},
		Text: []string{name + " n'ouvrira plus « " + d.Title() + " » ; la licence redevient disponible.",
			"La nuit, sa classe, son groupe ou son profil attribué ne la lui redonne pas ; une nouvelle attribution faite ici qui la vise la lui rend."},
		Action: page + "/licences/" + person.String() + "/retirer", Button: "Retirer la licence " + de(name), Back: page})
}

func (h *Handler) confirmRemoveReferent(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	a := requestActor(c)
	named, _, err := h.svc.Referents(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return err
	}
	if !a.Direction() {
		return errDirectionOnly
	}
	i := slices.IndexFunc(named, func(r Referent) bool { return r.PersonID == id })
	if i < 0 {
		return errReferentNotFound
	}
	name, page := named[i].Name, manageRoot+"/referents"
	return renderConfirm(c, confirmView{Heading: "Retirer " + name + " des référents", Crumb: &crumb{page, "Référents"},
		Text:   []string{name + " ne gérera plus les abonnements, les attributions, le partage ni le journal. Les abonnements et licences restent tels quels."},
		Action: page + "/" + id.String() + "/retirer", Button: "Retirer " + name + " des référents", Back: page})
}

func (h *Handler) revokeAssignment(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sub, _, err := h.svc.RevokeAssignment(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manageRoot+"/abonnements/"+sub.String()+"?ok=retire")
}

func (h *Handler) revokeLicence(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	person, err := paramID(c, "person")
	if err != nil {
		return err
	}
	if err := h.svc.RevokeLicence(c.Request().Context(), web.TenantOf(c), requestActor(c), id, person); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manageRoot+"/abonnements/"+id.String()+"?ok=licence")
}

func (h *Handler) confirmDeleteSubscription(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Subscription(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return renderManage(c, http.StatusOK, "manage_confirm_delete.html", "Supprimer l'abonnement à « "+d.Title()+" »", map[string]any{"Line": viewOf(d.SubscriptionLine), "Detail": d,
		"Freed": freedText(len(d.Licensed), len(d.Assignments))})
}

// freedText says what deleting a per-person subscription frees: « Les 2 licences attribuées
// seront libérées et ses 3 attributions retirées. »
func freedText(licences, assignments int) string {
	var out string
	switch licences {
	case 0:
		out = "Aucune licence n'est attribuée"
	case 1:
		out = "La licence attribuée sera libérée"
	default:
		out = fmt.Sprintf("Les %d licences attribuées seront libérées", licences)
	}
	switch assignments {
	case 0:
	case 1:
		out += " et son attribution retirée"
	default:
		out += fmt.Sprintf(" et ses %d attributions retirées", assignments)
	}
	return out + "."
}

func (h *Handler) deleteSubscription(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteSubscription(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manageRoot+"?ok=supprime")
}

func (h *Handler) renderReferents(c echo.Context, status int, errs ManageErrors) error {
	a := requestActor(c)
	named, candidates, err := h.svc.Referents(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return err
	}
	type refView struct {
		Referent
		Since string
	}
	var views []refView
	for _, r := range named {
		v := refView{Referent: r}
		if r.GrantedAt != nil {
			v.Since = dayFR(r.GrantedAt.In(directory.SchoolZone))
		}
		views = append(views, v)
	}
	return renderManage(c, status, "manage_referents.html", "Référents ressources", map[string]any{"Named": views, "Candidates": candidates,
		"Direction": a.Direction(), "Errors": errs, "Notice": manageNotice(c.QueryParam("ok"))})
}

func (h *Handler) referents(c echo.Context) error { return h.renderReferents(c, http.StatusOK, nil) }

func (h *Handler) nameReferent(c echo.Context) error {
	err := h.svc.NameReferent(c.Request().Context(), web.TenantOf(c), requestActor(c), c.FormValue("personne"))
	var errs ManageErrors
	if errors.As(err, &errs) {
		return h.renderReferents(c, http.StatusUnprocessableEntity, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manageRoot+"/referents?ok=referent")
}

func (h *Handler) removeReferent(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.RemoveReferent(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manageRoot+"/referents?ok=referent")
}

func (h *Handler) sharing(c echo.Context) error {
	tools, err := h.svc.Sharings(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	return renderManage(c, http.StatusOK, "manage_sharing.html", "Données transmises aux éditeurs", map[string]any{"Tools": tools,
		"Notice": manageNotice(c.QueryParam("ok"))})
}

func (h *Handler) saveSharing(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	on := func(k string) bool { return c.FormValue(k) == "1" }
	if err := h.svc.SetSharing(c.Request().Context(), web.TenantOf(c), requestActor(c), id, on("nom"), on("courriel"), on("classe")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manageRoot+"/partage?ok=partage")
}

// sharedText says what a launch sent to the tool, as the launch recorded it (nom,
// courriel, classe: French already): nothing for a plain link, nothing yet for an LTI launch
// never completed.
func sharedText(l JournalLine) string {
	switch {
	case l.PlainLink:
		return "Lien simple : rien n'est transmis"
	case l.CompletedAt == nil:
		return "Ouverture non aboutie : rien n'a été transmis"
	case len(l.Shared) == 0:
		return "Pseudonyme seulement"
	}
	return "Pseudonyme, " + strings.Join(l.Shared, ", ")
}

func (h *Handler) journal(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	page, _ := strconv.Atoi(c.QueryParam("page"))
	f := JournalFilter{Resource: c.QueryParam("ressource"), From: c.QueryParam("du"), To: c.QueryParam("au"), Page: max(page, 1)}
	lines, more, err := h.svc.Journal(ctx, t, a, f)
	var errs ManageErrors
	if errors.As(err, &errs) {
		lines, more = nil, false
	} else if err != nil {
		return err
	}
	subs, err := h.svc.Subscriptions(ctx, t, a)
	if err != nil {
		return err
	}
	type option struct{ ID, Title string }
	var resources []option
	seen := map[string]bool{}
	for _, l := range subs {
		if l.Resource != nil && !seen[l.Resource.ID.String()] {
			seen[l.Resource.ID.String()] = true
			resources = append(resources, option{l.Resource.ID.String(), l.Resource.Title})
		}
	}
	type lineView struct {
		JournalLine
		When   string
		Shared string
	}
	var views []lineView
	for _, l := range lines {
		views = append(views, lineView{JournalLine: l, When: timeFR(l.CreatedAt), Shared: sharedText(l)})
	}
	q := url.Values{"ressource": {f.Resource}, "du": {f.From}, "au": {f.To}}
	link := func(p int) string { q.Set("page", strconv.Itoa(p)); return manageRoot + "/journal?" + q.Encode() }
	data := map[string]any{"Lines": views, "Filter": f, "Errors": errs, "Resources": resources, "Page": f.Page}
	if more {
		data["Next"] = link(f.Page + 1)
	}
	if f.Page > 1 {
		data["Prev"] = link(f.Page - 1)
	}
	status := http.StatusOK
	if errs != nil {
		status = http.StatusUnprocessableEntity
	}
	return renderManage(c, status, "manage_journal.html", "Journal des ouvertures de ressources", data)
}
