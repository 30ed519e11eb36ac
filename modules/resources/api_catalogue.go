package resources

import "github.com/cartable-ent/cartable/web/module"

func (h *Handler) catalogueAPIRoutes() []module.Route { return nil }
