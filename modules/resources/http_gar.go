package resources

import "github.com/cartable-ent/cartable/web/module"

func (h *Handler) garRoutes() []module.Route { return nil }
