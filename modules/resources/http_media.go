package resources

import "github.com/cartable-ent/cartable/web/module"

func (h *Handler) mediaRoutes() []module.Route { return nil }

func (h *Handler) mediaMenu() []module.MenuEntry { return nil }
