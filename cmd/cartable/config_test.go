package main

import (
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/tenant"
)

// TestPoolConfig reads the database pool's settings from the environment.
func TestPoolConfig(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    tenant.PoolOptions
		wantErr string
	}{
		{"defaults", nil, tenant.PoolOptions{MaxOpenConns: 20}, ""},
		{"set", map[string]string{
			"CARTABLE_DB_MAX_CONNS": "40", "CARTABLE_DB_TENANT_SHARE": "12",
			"CARTABLE_DB_STATEMENT_TIMEOUT": "30s", "CARTABLE_DB_LOCK_TIMEOUT": "0",
			"CARTABLE_DB_IDLE_TX_TIMEOUT": "1m", "CARTABLE_DB_ACQUIRE_TIMEOUT": "500ms",
		}, tenant.PoolOptions{MaxOpenConns: 40, TenantShare: 12, StatementTimeout: 30 * time.Second,
			LockTimeout: -1, IdleInTxTimeout: time.Minute, AcquireTimeout: 500 * time.Millisecond}, ""},
		{"share beyond the pool", map[string]string{"CARTABLE_DB_TENANT_SHARE": "21"}, tenant.PoolOptions{}, "CARTABLE_DB_TENANT_SHARE=21"},
		{"no unit", map[string]string{"CARTABLE_DB_LOCK_TIMEOUT": "5"}, tenant.PoolOptions{}, "CARTABLE_DB_LOCK_TIMEOUT"},
		{"no wait at all", map[string]string{"CARTABLE_DB_ACQUIRE_TIMEOUT": "0"}, tenant.PoolOptions{}, "CARTABLE_DB_ACQUIRE_TIMEOUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, name := range []string{"CARTABLE_DB_MAX_CONNS", "CARTABLE_DB_TENANT_SHARE", "CARTABLE_DB_STATEMENT_TIMEOUT",
				"CARTABLE_DB_LOCK_TIMEOUT", "CARTABLE_DB_IDLE_TX_TIMEOUT", "CARTABLE_DB_ACQUIRE_TIMEOUT"} {
				t.Setenv(name, c.env[name])
			}
			cfg, err := loadConfig()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, c.wantErr)
				}
				return
			}
			if err != nil || cfg.DBPool != c.want {
				t.Fatalf("pool = %+v, %v; want %+v", cfg.DBPool, err, c.want)
			}
		})
	}
}
