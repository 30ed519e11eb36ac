package resources

import "github.com/cartable-ent/cartable/web/module"

func (h *Handler) ltiRoutes() []module.Route { return nil }
