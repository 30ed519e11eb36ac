package resources

import "github.com/cartable-ent/cartable/web/module"

func (h *Handler) agsRoutes() []module.Route { return nil }
