package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed openapi_base.json
var openAPIBase []byte

// OpenAPIBase is the part of the JSON API's description that belongs to no module: the
// servers, the security schemes, the shared error answers, the document's own path. The
// modules describe their operations in their own openapi.json; web/openapi.json, which is
// served, is MergeOpenAPI of the two (TestOpenAPIFromModules keeps it so).
func OpenAPIBase() []byte { return openAPIBase }

// MergeOpenAPI adds the modules' parts (their paths and components) to base and returns the
// whole document, indented. A path or a component that two parts define is an error: one
// module cannot redefine another's.
func MergeOpenAPI(base []byte, parts ...[]byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("web: OpenAPI base: %w", err)
	}
	paths := child(doc, "paths")
	components := child(doc, "components")
	for i, p := range parts {
		if len(p) == 0 {
			continue
		}
		var part struct {
			Paths      map[string]any            `json:"paths"`
			Components map[string]map[string]any `json:"components"`
		}
		if err := json.Unmarshal(p, &part); err != nil {
			return nil, fmt.Errorf("web: OpenAPI part %d: %w", i+1, err)
		}
		for k, v := range part.Paths {
			if _, dup := paths[k]; dup {
				return nil, fmt.Errorf("web: OpenAPI path %s described twice", k)
			}
			paths[k] = v
		}
		for kind, defs := range part.Components {
			into := child(components, kind)
			for k, v := range defs {
				if _, dup := into[k]; dup {
					return nil, fmt.Errorf("web: OpenAPI component %s/%s described twice", kind, k)
				}
				into[k] = v
			}
		}
	}
	out, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// child returns m[key] as an object, creating it when missing.
func child(m map[string]any, key string) map[string]any {
	c, ok := m[key].(map[string]any)
	if !ok {
		c = map[string]any{}
		m[key] = c
	}
	return c
}
