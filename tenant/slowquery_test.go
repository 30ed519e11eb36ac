package tenant_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// syncBuffer is a log destination safe for the pool's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSlowQueriesLogged: a query over the threshold is logged with where it comes from, not
// its SQL (people's data); a fast one is not.
func TestSlowQueriesLogged(t *testing.T) {
	var out syncBuffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{Logger: log, SlowQuery: 20 * time.Millisecond})
	tn := tenanttest.Provision(t, reg, tenanttest.UAI(33, 9), "Lycée lent", "lycee")
	err := reg.DB().ReadTx(context.Background(), tn, func(tx *gorm.DB) error {
		var x string
		if err := tx.Raw(`SELECT ?::text FROM pg_sleep(0.05)`, "Zoé Secrète").Scan(&x).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT 'rapide'`).Scan(&x).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	logged := out.String()
	if !strings.Contains(logged, "slow query") || !strings.Contains(logged, "slowquery_test.go:") {
		t.Errorf("the slow query is not logged with where it comes from: %q", logged)
	}
	if strings.Contains(logged, "Zoé Secrète") || strings.Contains(logged, "rapide") {
		t.Errorf("the log holds a query's data or a fast query: %q", logged)
	}
}
