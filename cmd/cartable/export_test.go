package main

import (
	"strings"
	"testing"
)

// TestEveryModuleDeclaresAnExporter: the personal data export (modules/privacy) is made of
// every module's exporter; a module without one (Export and its README text ExportAbout in
// its Module(), module.NothingPersonal with the reason when it holds nothing about people)
// would leave its data out of the export, so it fails here, named.
func TestEveryModuleDeclaresAnExporter(t *testing.T) {
	h := newHarness(t)
	var missing []string
	for _, m := range h.mods {
		if m.Export == nil || strings.TrimSpace(m.ExportAbout) == "" {
			missing = append(missing, m.Name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("modules without an exporter (set Export and ExportAbout in their Module(), see web/module): %s", strings.Join(missing, ", "))
	}
}
