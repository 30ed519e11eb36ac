package timetable

import "github.com/cartable-ent/cartable/web/module"

// csvLimit is the largest timetable CSV accepted: a lycée's timetable is some 100 Ko.
const csvLimit = 4 << 20

// routes are every page and API route of the timetable with the permission it needs: the
// week views (http_week.go), the management pages (http_slots.go, http_profile.go,
// http_import.go), the holidays (http_holidays.go), the calendar feed (http_feed.go) and the JSON API (api.go).
func (h *Handler) routes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/emploi-du-temps", PermView, h.home),
		module.Get(t, "/emploi-du-temps/eleves/:id", PermView, h.pupilWeek),
		module.Get(t, "/emploi-du-temps/enseignants/:id", PermView, h.teacherWeek),
		module.Get(t, "/emploi-du-temps/classes/:id", PermBrowse, h.classWeek),
		module.Get(t, "/emploi-du-temps/salle", PermBrowse, h.roomWeek),
		module.Get(t, "/emploi-du-temps/consulter", PermBrowse, h.browse),
		module.Post(t, "/emploi-du-temps/abonnement", PermView, h.subscribe),
		module.Post(t, "/emploi-du-temps/abonnement/revoquer", PermView, h.revoke),
		module.Get(t, "/ical/:secret/emploi-du-temps.ics", module.Public, h.feed),
		module.Post(t, "/emploi-du-temps/personnes/:id/abonnement/revoquer", PermManage, h.revokeFor),
		module.Get(t, "/emploi-du-temps/gestion", PermManage, h.manage),
		module.Post(t, "/emploi-du-temps/gestion/horaires", PermManage, h.saveProfile),
		module.Post(t, "/emploi-du-temps/gestion/import", PermManage, h.importCSV).WithLimit(csvLimit),
		module.Get(t, "/emploi-du-temps/gestion/vacances", PermManage, h.holidays),
		module.Post(t, "/emploi-du-temps/gestion/vacances", PermManage, h.addHoliday),
		module.Get(t, "/emploi-du-temps/gestion/vacances/:id/supprimer", PermManage, h.confirmDeleteHoliday),
		module.Post(t, "/emploi-du-temps/gestion/vacances/:id/supprimer", PermManage, h.deleteHoliday),
		module.Get(t, "/emploi-du-temps/gestion/creneaux/nouveau", PermManage, h.newSlot),
		module.Post(t, "/emploi-du-temps/gestion/creneaux", PermManage, h.createSlot),
		module.Get(t, "/emploi-du-temps/gestion/creneaux/:id", PermManage, h.editSlot),
		module.Post(t, "/emploi-du-temps/gestion/creneaux/:id", PermManage, h.updateSlot),
		module.Get(t, "/emploi-du-temps/gestion/creneaux/:id/supprimer", PermManage, h.confirmDeleteSlot),
		module.Post(t, "/emploi-du-temps/gestion/creneaux/:id/supprimer", PermManage, h.deleteSlot),
		module.Post(t, "/emploi-du-temps/gestion/creneaux/:id/exceptions", PermManage, h.saveException),
		module.Post(t, "/emploi-du-temps/gestion/creneaux/:id/exceptions/supprimer", PermManage, h.deleteException),
		module.Get(t, "/api/v1/emploi-du-temps", PermView, h.apiMyWeek).AsAPI(),
		module.Get(t, "/api/v1/emploi-du-temps/eleves/:id", PermView, h.apiPupilWeek).AsAPI(),
	}
}
