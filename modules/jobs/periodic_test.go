package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/tenant"
)

type duty struct{}

func (duty) Kind() string { return "test_duty" }

type listed []tenant.Tenant

func (l listed) Live(context.Context) ([]tenant.Tenant, error) { return l, nil }

// TestEachEstablishment: the duty runs in every establishment listed, one failing does not
// stop the others, and the error names the job and the establishment.
func TestEachEstablishment(t *testing.T) {
	var ran []string
	p := jobs.NewEachEstablishment[duty]("Tâche d'essai", 0, listed{{UAI: "0330021U"}, {UAI: "0330022V"}, {UAI: "0330023W"}},
		func(_ context.Context, tn *tenant.Tenant) error {
			ran = append(ran, string(tn.UAI))
			if tn.UAI == "0330022V" {
				return errors.New("en panne")
			}
			return nil
		})
	err := p.RunAll(context.Background())
	if len(ran) != 3 {
		t.Errorf("ran in %v, want the three establishments", ran)
	}
	if err == nil || !strings.Contains(err.Error(), "test_duty in 0330022V: en panne") {
		t.Errorf("error %v, want the failing establishment named", err)
	}
	if p.JobLabels()["test_duty"] != "Tâche d'essai" {
		t.Errorf("labels %v", p.JobLabels())
	}
}
