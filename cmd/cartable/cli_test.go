package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/migrations"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// cliEnv points the command at a fresh database and a temporary data folder, with every
// other setting at its default. It returns the database's DSN.
func cliEnv(t *testing.T) string {
	t.Helper()
	dsn := testenv.NewDatabase(t)
	t.Setenv("DATABASE_URL", dsn)
	t.Setenv("CARTABLE_DATA_DIR", t.TempDir())
	for _, name := range []string{
		"CARTABLE_HTTP_ADDR", "CARTABLE_BASE_DOMAIN", "CARTABLE_ADMIN_TOKEN", "CARTABLE_LOG_FORMAT",
		"CARTABLE_PUBLIC_SCHEME", "CARTABLE_DB_MAX_CONNS", "CARTABLE_TENANT_RETENTION_DAYS",
		"CARTABLE_MIGRATE_PARALLEL", "CARTABLE_MAX_IMPORT_MB",
		"CARTABLE_KRATOS_PUBLIC_URL", "CARTABLE_KRATOS_ADMIN_URL", "CARTABLE_KRATOS_BROWSER_URL",
	} {
		t.Setenv(name, "")
	}
	return dsn
}

// cliCase is one command line and what its user must see. Cases of a table run in order.
type cliCase struct {
	name    string
	args    []string
	wantErr []string // the command fails, and describe(err) contains each of these
	out     []string // the output contains each of these
	notOut  []string // the output contains none of these
	check   func(t *testing.T, out string)
}

func runCLICases(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, tc := range cases {
		ok := t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.args, &out)
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("cartable %s: %v\noutput:\n%s", strings.Join(tc.args, " "), describe(err), out.String())
			case tc.wantErr != nil && err == nil:
				t.Fatalf("cartable %s succeeded, want an error\noutput:\n%s", strings.Join(tc.args, " "), out.String())
			case err != nil:
				msg := describe(err)
				for _, s := range tc.wantErr {
					if !strings.Contains(msg, s) {
						t.Errorf("error %q does not contain %q", msg, s)
					}
				}
			}
			for _, s := range tc.out {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output does not contain %q:\n%s", s, out.String())
				}
			}
			for _, s := range tc.notOut {
				if strings.Contains(out.String(), s) {
					t.Errorf("output contains %q, it should not:\n%s", s, out.String())
				}
			}
			if tc.check != nil {
				tc.check(t, out.String())
			}
		})
		if !ok {
			return // later cases depend on this one
		}
	}
}

// jsonTenant checks that out is a tenant in JSON with these fields.
func jsonTenant(fields map[string]string) func(t *testing.T, out string) {
	return func(t *testing.T, out string) {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("output is not JSON (%v):\n%s", err, out)
		}
		for k, want := range fields {
			if got, _ := m[k].(string); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
	}
}

// TestCLI drives the administration commands as an operator would, through run.
func TestCLI(t *testing.T) {
	dsn := cliEnv(t)
	alpha, college := tenanttest.UAI(33, 1), tenanttest.UAI(33, 2)
	badLetter := alpha[:7] + string(nextLetter(alpha[7]))
	archive := filepath.Join(t.TempDir(), "alpha.tar.gz")
	latest := "tous les établissements sont en version " + strconv.Itoa(migrations.Tenant().Latest())
	platform := strconv.Itoa(migrations.Platform().Latest())

	runCLICases(t, []cliCase{
		{name: "no command", args: nil, wantErr: []string{"missing command"}, out: []string{"Usage:"}},
		{name: "help", args: []string{"help"}, out: []string{"Usage:", "cartable tenant create"}},
		{name: "unknown command", args: []string{"frobnicate"}, wantErr: []string{"frobnicate"}, out: []string{"Usage:"}},
		{name: "before migrate", args: []string{"tenant", "list"}, wantErr: []string{"cartable migrate"}},
		{name: "migrate", args: []string{"migrate"}, out: []string{"platform: version 0 → " + platform, "0 établissements, 0 migrés, 0 en échec"}},
		{name: "migrate again changes nothing", args: []string{"migrate"}, out: []string{"platform: version " + platform + " → " + platform}},
		{name: "create", args: []string{"tenant", "create", "--uai", alpha, "--name", "Lycée Alpha", "--kind", "lycee"},
			check: func(t *testing.T, out string) {
				want := "ouvert : " + alpha + " Lycée Alpha (lycee), sous-domaine lycee-alpha"
				if !strings.HasPrefix(out, want) {
					t.Errorf("output = %q, want it to start with %q", out, want)
				}
			}},
		{name: "create again", args: []string{"tenant", "create", "--uai", strings.ToLower(alpha), "--name", "Lycée Alpha", "--kind", "lycee"},
			out: []string{"déjà ouvert : " + alpha + " Lycée Alpha"}},
		{name: "create, same UAI other name", args: []string{"tenant", "create", "--uai", alpha, "--name", "Lycée Autre", "--kind", "lycee"},
			wantErr: []string{alpha, "déjà ouvert sous le nom", "Lycée Alpha"}},
		{name: "create, bad UAI", args: []string{"tenant", "create", "--uai", badLetter, "--name", "Lycée Bravo", "--kind", "lycee"},
			wantErr: []string{badLetter, "lettre de contrôle"}},
		{name: "create, bad kind", args: []string{"tenant", "create", "--uai", college, "--name", "Collège Charlie", "--kind", "ecole"},
			wantErr: []string{"ecole", "inconnu"}},
		{name: "create, unknown flag", args: []string{"tenant", "create", "--nom", "x"}, wantErr: []string{"nom"}},
		{name: "collège before opt-in", args: []string{"tenant", "create", "--uai", college, "--name", "Collège Charlie", "--kind", "college"},
			wantErr: []string{"Gironde", "n'a pas adhéré"}},
		{name: "opt-in, unreadable date", args: []string{"departement", "opt-in", "33", "--date", "septembre"},
			wantErr: []string{"septembre", "AAAA-MM-JJ"}},
		{name: "opt-in, no code", args: []string{"departement", "opt-in"}, wantErr: []string{"33"}},
		{name: "opt-in, unknown département", args: []string{"departement", "opt-in", "75", "--date", "2020-09-01"},
			wantErr: []string{"75"}},
		{name: "opt-in", args: []string{"departement", "opt-in", "33", "--date", "2020-09-01"},
			out: []string{"Gironde (33) adhère à Cartable à partir du 01/09/2020"}},
		{name: "départements", args: []string{"departement", "list"},
			out: []string{"CODE", "Gironde", "depuis le 01/09/2020", "Landes"}, notOut: []string{"Région"}},
		{name: "unknown departement subcommand", args: []string{"departement", "frobnicate"}, wantErr: []string{"frobnicate"}},
		{name: "collège after opt-in", args: []string{"tenant", "create", "--uai", college, "--name", "Collège Charlie", "--kind", "college", "--slug", "charlie"},
			out: []string{"ouvert : " + college + " Collège Charlie (college), sous-domaine charlie"}},
		{name: "list", args: []string{"tenant", "list"},
			out: []string{"UAI", "SOUS-DOMAINE", alpha, "Lycée Alpha", "lycee-alpha", college, "charlie", "active"}},
		{name: "suspend", args: []string{"tenant", "suspend", alpha},
			check: jsonTenant(map[string]string{"uai": alpha, "status": "suspended"})},
		{name: "list suspended", args: []string{"tenant", "list", "--status", "suspended"},
			out: []string{alpha, "suspended"}, notOut: []string{college}},
		{name: "resume", args: []string{"tenant", "resume", strings.ToLower(alpha)},
			check: jsonTenant(map[string]string{"uai": alpha, "status": "active"})},
		{name: "show", args: []string{"tenant", "show", alpha},
			check: jsonTenant(map[string]string{"uai": alpha, "name": "Lycée Alpha", "slug": "lycee-alpha", "status": "active", "organisation": "region"})},
		{name: "show, no UAI", args: []string{"tenant", "show"}, wantErr: []string{"one UAI"}},
		{name: "show, unknown UAI", args: []string{"tenant", "show", tenanttest.UAI(33, 9)},
			wantErr: []string{"aucun établissement ouvert", tenanttest.UAI(33, 9)}},
		{name: "export", args: []string{"tenant", "export", "-o", archive, alpha},
			out: []string{"exporté : " + alpha, archive},
			check: func(t *testing.T, _ string) {
				b, err := os.ReadFile(archive)
				if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
					t.Fatalf("archive %s: %v, %d bytes, want gzip", archive, err, len(b))
				}
				if parts, _ := filepath.Glob(filepath.Join(filepath.Dir(archive), ".cartable-*.part")); len(parts) != 0 {
					t.Errorf("temporary files left: %v", parts)
				}
			}},
		{name: "export, unknown UAI", args: []string{"tenant", "export", "-o", archive + ".x", tenanttest.UAI(33, 9)},
			wantErr: []string{tenanttest.UAI(33, 9)},
			check: func(t *testing.T, _ string) {
				if _, err := os.Stat(archive + ".x"); err == nil {
					t.Error("a failed export left a file")
				}
			}},
		{name: "import while live", args: []string{"tenant", "import", archive}, wantErr: []string{alpha, "supprimez-le"}},
		{name: "delete", args: []string{"tenant", "delete", alpha},
			check: jsonTenant(map[string]string{"uai": alpha, "status": "deleted"})},
		{name: "show after delete", args: []string{"tenant", "show", alpha}, wantErr: []string{"aucun établissement ouvert"}},
		{name: "list after delete", args: []string{"tenant", "list"}, out: []string{college}, notOut: []string{alpha}},
		{name: "list deleted", args: []string{"tenant", "list", "--status", "deleted"}, out: []string{alpha, "deleted"}},
		{name: "import", args: []string{"tenant", "import", archive},
			out: []string{"restauré : " + alpha + " Lycée Alpha, sous-domaine lycee-alpha"}},
		{name: "show after import", args: []string{"tenant", "show", alpha},
			check: jsonTenant(map[string]string{"uai": alpha, "status": "active", "slug": "lycee-alpha"})},
		{name: "import, missing file", args: []string{"tenant", "import", archive + ".absent"}, wantErr: []string{"absent"}},
		{name: "import, not an archive", args: []string{"tenant", "import", writeTemp(t, "junk.tar.gz", "pas une archive")},
			wantErr: []string{"archive refusée"}},
		{name: "import, no file", args: []string{"tenant", "import"}, wantErr: []string{"archive file"}},
		{name: "status", args: []string{"migrate", "--status"}, out: []string{"platform: version " + platform + " (à jour : true)", latest}},
		{name: "purge, dry run", args: []string{"tenant", "purge", "--dry-run"}, notOut: []string{"serait purgé"}},
		{name: "purge", args: []string{"tenant", "purge"}, out: []string{"0 établissement(s) purgé(s)"}},
		{name: "no tenant subcommand", args: []string{"tenant"}, wantErr: []string{"missing subcommand"}, out: []string{"Usage:"}},
		{name: "unknown tenant subcommand", args: []string{"tenant", "frobnicate"}, wantErr: []string{"frobnicate"}},
	})

	t.Run("status of an establishment behind", func(t *testing.T) {
		gdb := openDSN(t, dsn)
		if err := gdb.Exec(`UPDATE platform.tenants SET schema_version = 0 WHERE uai = ?`, college).Error; err != nil {
			t.Fatal(err)
		}
		runCLICases(t, []cliCase{
			{name: "status lists it", args: []string{"migrate", "--status"}, wantErr: []string{"1 establishment"},
				out: []string{college, "Collège Charlie"}, notOut: []string{alpha}},
			{name: "migrate", args: []string{"migrate"}, out: []string{"2 établissements", "0 en échec"}},
			{name: "status after migrate", args: []string{"migrate", "--status"}, out: []string{latest}},
		})
	})

	t.Run("configuration errors", func(t *testing.T) {
		for _, tc := range []struct{ name, value, want string }{
			{"DATABASE_URL", "", "DATABASE_URL"},
			{"CARTABLE_DB_MAX_CONNS", "0", "CARTABLE_DB_MAX_CONNS"},
			{"CARTABLE_MAX_IMPORT_MB", "beaucoup", "CARTABLE_MAX_IMPORT_MB"},
			{"CARTABLE_TENANT_RETENTION_DAYS", "-1", "CARTABLE_TENANT_RETENTION_DAYS"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Setenv(tc.name, tc.value)
				var out bytes.Buffer
				err := run(context.Background(), []string{"tenant", "list"}, &out)
				if err == nil || !strings.Contains(describe(err), tc.want) {
					t.Errorf("err = %v, want one naming %s", err, tc.want)
				}
			})
		}
	})
}

// writeTemp writes content to a new file named name in a temporary folder.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
