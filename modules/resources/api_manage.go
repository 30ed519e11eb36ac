package resources

import "github.com/cartable-ent/cartable/web/module"

func (h *Handler) manageAPIRoutes() []module.Route { return nil }
