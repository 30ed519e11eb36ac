package resources

import "github.com/cartable-ent/cartable/web/module"

func (h *Handler) mediaAPIRoutes() []module.Route { return nil }
