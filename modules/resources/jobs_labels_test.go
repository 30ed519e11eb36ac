package resources_test

import (
	"testing"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/resources"
)

// TestJobLabels: every job of the module has its French name in the console, through the one
// Work the queue is given.
func TestJobLabels(t *testing.T) {
	svc := resources.NewService(nil, nil, nil)
	w, ok := resources.Work(svc.Jobs(nil, nil)).(jobs.Labelled)
	if !ok {
		t.Fatal("the module's Work names no job (jobs.Labelled)")
	}
	labels := w.JobLabels()
	for _, kind := range []string{"resources_sync_licences", "resources.lti_keys_rotate", "resources_gar_export", "resources_gar_nightly"} {
		if labels[kind] == "" {
			t.Errorf("job %s has no label (labels %v)", kind, labels)
		}
	}
}
