package resources

import (
	_ "embed"

	"github.com/cartable-ent/cartable/web/module"
)

//go:embed openapi.json
var openAPI []byte

func (h *Handler) apiRoutes() []module.Route { return nil }
