package resources

import "github.com/cartable-ent/cartable/web/module"

func (h *Handler) catalogueRoutes() []module.Route { return nil }

func (h *Handler) catalogueMenu() []module.MenuEntry { return nil }
