package resources

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"

	"github.com/cartable-ent/cartable/web/module"
)

// openapiFS holds the module's part of the JSON API's description, one fragment per area
// (openapi/media.json, openapi/manage.json…): each is an OpenAPI 3 document with "paths" and
// "components"; openAPI is their union.
//
//go:embed openapi
var openapiFS embed.FS

var openAPI = mergeOpenAPI(openapiFS)

func mergeOpenAPI(fsys fs.FS) []byte {
	paths := map[string]json.RawMessage{}
	schemas := map[string]json.RawMessage{}
	files, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		panic(err)
	}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		var doc struct {
			Paths      map[string]json.RawMessage `json:"paths"`
			Components struct {
				Schemas map[string]json.RawMessage `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			panic(fmt.Sprintf("resources: %s: %v", name, err))
		}
		for k := range doc.Paths {
			if _, dup := paths[k]; dup {
				panic(fmt.Sprintf("resources: %s: path %s declared twice", name, k))
			}
		}
		maps.Copy(paths, doc.Paths)
		maps.Copy(schemas, doc.Components.Schemas)
	}
	out := map[string]any{"paths": paths}
	if len(schemas) > 0 {
		out["components"] = map[string]any{"schemas": schemas}
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	return b
}

// apiRoutes are the JSON API's routes, one list per area.
func (h *Handler) apiRoutes() []module.Route {
	return slices.Concat(h.mediaAPIRoutes(), h.manageAPIRoutes(), h.catalogueAPIRoutes())
}
