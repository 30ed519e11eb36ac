package resources

import "github.com/cartable-ent/cartable/web/module"

func (h *Handler) manageRoutes() []module.Route { return nil }

func (h *Handler) manageMenu() []module.MenuEntry { return nil }
