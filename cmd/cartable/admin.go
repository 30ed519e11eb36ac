package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/tenant"
)

func runMigrate(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	status := fs.Bool("status", false, "list the establishments not at the latest version, change nothing")
	parallel := fs.Int("parallel", cfg.MigrateParallel, "tenant schemas migrated at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	reg, closeDB, err := openRegistry(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	if *status {
		return migrationStatus(ctx, reg, out)
	}
	return migrateAll(ctx, reg, *parallel, out)
}

func migrateAll(ctx context.Context, reg *tenant.Registry, parallel int, out io.Writer) error {
	start := time.Now()
	from, to, err := reg.MigratePlatform(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "platform: version %d → %d\n", from, to)
	sqlDB, err := reg.Platform().DB()
	if err != nil {
		return err
	}
	n, err := jobs.Migrate(ctx, sqlDB)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "file de tâches (schéma %s) : %d migration(s) River appliquée(s)\n", jobs.Schema, n)
	rep, err := reg.MigrateTenants(ctx, parallel)
	for _, r := range rep.Results {
		switch {
		case r.Err != nil:
			fmt.Fprintf(out, "ÉCHEC %s (%s): reste en version %d: %v\n", r.UAI, r.Schema, r.From, r.Err)
		case r.To != r.From:
			fmt.Fprintf(out, "%s: version %d → %d\n", r.UAI, r.From, r.To)
		}
	}
	fmt.Fprintf(out, "%d établissements, %d migrés, %d en échec, %s\n", len(rep.Results), rep.Changed, rep.Failed, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("%d establishment(s) failed to migrate (see above); the others are migrated", rep.Failed)
	}
	return nil
}

func migrationStatus(ctx context.Context, reg *tenant.Registry, out io.Writer) error {
	pv, err := reg.PlatformVersion(ctx)
	if err != nil {
		return err
	}
	ok, _ := reg.PlatformCurrent(ctx)
	fmt.Fprintf(out, "platform: version %d (à jour : %v)\n", pv, ok)
	if !ok {
		return errors.New("platform schema behind: run `cartable migrate`")
	}
	behind, err := reg.Behind(ctx)
	if err != nil {
		return err
	}
	if len(behind) == 0 {
		fmt.Fprintf(out, "tous les établissements sont en version %d\n", reg.LatestTenantVersion())
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UAI\tNOM\tVERSION\tATTENDUE\tERREUR")
	for _, t := range behind {
		msg := ""
		if t.MigrationError != nil {
			msg = *t.MigrationError
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", t.UAI, t.Name, t.SchemaVersion, reg.LatestTenantVersion(), msg)
	}
	tw.Flush()
	return fmt.Errorf("%d establishment(s) not at the latest version", len(behind))
}

func runTenant(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("tenant: missing subcommand")
	}
	reg, closeDB, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	sub, rest := args[0], args[1:]
	actor := cliActor()
	oneUAI := func() (string, error) {
		if len(rest) != 1 {
			return "", fmt.Errorf("tenant %s: give exactly one UAI", sub)
		}
		return rest[0], nil
	}
	switch sub {
	case "create":
		fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
		var req tenant.NewTenant
		fs.StringVar(&req.UAI, "uai", "", "UAI (ex. 0330021U)")
		fs.StringVar(&req.Name, "name", "", "nom de l'établissement")
		fs.StringVar(&req.Kind, "kind", "", "lycee, lycee-pro, lycee-agricole, erea ou college")
		fs.StringVar(&req.Slug, "slug", "", "sous-domaine (déduit du nom si absent)")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		t, created, err := reg.Provision(ctx, req, actor)
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintf(out, "ouvert : %s %s (%s), sous-domaine %s\n", t.UAI, t.Name, t.Kind, t.Slug)
		} else {
			fmt.Fprintf(out, "déjà ouvert : %s %s (%s), sous-domaine %s\n", t.UAI, t.Name, t.Kind, t.Slug)
		}
		return nil
	case "list":
		fs := flag.NewFlagSet("tenant list", flag.ContinueOnError)
		status := fs.String("status", "", "active, suspended ou deleted")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		ts, err := reg.List(ctx, tenant.ListFilter{Status: tenant.Status(*status)})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "UAI\tNOM\tTYPE\tSOUS-DOMAINE\tSTATUT\tVERSION")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", t.UAI, t.Name, t.Kind, t.Slug, t.Status, t.SchemaVersion)
		}
		return tw.Flush()
	case "show", "suspend", "resume", "delete":
		uai, err := oneUAI()
		if err != nil {
			return err
		}
		var t *tenant.Tenant
		switch sub {
		case "show":
			t, err = reg.Get(ctx, uai)
		case "suspend":
			t, err = reg.Suspend(ctx, uai, actor)
		case "resume":
			t, err = reg.Resume(ctx, uai, actor)
		case "delete":
			t, err = reg.Delete(ctx, uai, actor)
		}
		if err != nil {
			return err
		}
		return printJSON(out, t)
	case "export":
		// Usage: tenant export UAI [-o FILE]; the flags may also come first.
		fs := flag.NewFlagSet("tenant export", flag.ContinueOnError)
		file := fs.String("o", "", "archive file (default cartable-<UAI>.tar.gz)")
		var uaiArg string
		flagArgs := rest
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			uaiArg, flagArgs = rest[0], rest[1:]
		}
		if err := fs.Parse(flagArgs); err != nil {
			return err
		}
		if uaiArg == "" && fs.NArg() == 1 {
			uaiArg = fs.Arg(0)
		} else if fs.NArg() != 0 || uaiArg == "" {
			return errors.New("tenant export: give exactly one UAI: cartable tenant export UAI [-o FILE]")
		}
		uai, err := tenant.ParseUAI(uaiArg)
		if err != nil {
			return err
		}
		if *file == "" {
			*file = "cartable-" + string(uai) + ".tar.gz"
		}
		return writeFileAtomically(*file, func(w io.Writer) error {
			m, err := reg.Export(ctx, string(uai), w)
			if err == nil {
				fmt.Fprintf(out, "exporté : %s (%d tables, %d fichiers) → %s\n", uai, len(m.Tables), len(m.Files), *file)
			}
			return err
		})
	case "import":
		if len(rest) != 1 {
			return errors.New("tenant import: give exactly one archive file")
		}
		f, err := os.Open(rest[0])
		if err != nil {
			return err
		}
		defer f.Close()
		t, err := reg.Import(ctx, f, actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "restauré : %s %s, sous-domaine %s\n", t.UAI, t.Name, t.Slug)
		return nil
	case "purge":
		fs := flag.NewFlagSet("tenant purge", flag.ContinueOnError)
		dry := fs.Bool("dry-run", false, "list what would be purged, change nothing")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		now := time.Now()
		if *dry {
			ts, err := reg.List(ctx, tenant.ListFilter{Status: tenant.StatusDeleted})
			if err != nil {
				return err
			}
			for _, t := range ts {
				if t.PurgedAt == nil && t.PurgeAfter != nil && !t.PurgeAfter.After(now) {
					fmt.Fprintf(out, "serait purgé : %s %s (supprimé le %s)\n", t.UAI, t.Name, t.DeletedAt.Format("02/01/2006"))
				}
			}
			return nil
		}
		done, err := reg.Purge(ctx, now, actor)
		for _, t := range done {
			fmt.Fprintf(out, "purgé : %s %s\n", t.UAI, t.Name)
		}
		fmt.Fprintf(out, "%d établissement(s) purgé(s)\n", len(done))
		return err
	}
	fmt.Fprint(out, usage)
	return fmt.Errorf("tenant: unknown subcommand %q", sub)
}

func runDepartement(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("departement: missing subcommand")
	}
	reg, closeDB, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	switch args[0] {
	case "list":
		os, err := reg.Organisations(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tNOM\tADHÉSION")
		for _, o := range os {
			if o.Kind != "departement" {
				continue
			}
			since := "non"
			if o.OptInDate != nil {
				since = "depuis le " + o.OptInDate.Format("02/01/2006")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Code, o.Name, since)
		}
		return tw.Flush()
	case "opt-in":
		fs := flag.NewFlagSet("departement opt-in", flag.ContinueOnError)
		date := fs.String("date", time.Now().Format("2006-01-02"), "date d'effet AAAA-MM-JJ")
		if len(args) < 2 {
			return errors.New("departement opt-in: give the département's code, e.g. 33")
		}
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		day, err := tenant.ParseDate(*date)
		if err != nil {
			return err
		}
		o, err := reg.OptIn(ctx, args[1], day, cliActor())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s (%s) adhère à Cartable à partir du %s\n", o.Name, o.Code, o.OptInDate.Format("02/01/2006"))
		return nil
	case "opt-out":
		fs := flag.NewFlagSet("departement opt-out", flag.ContinueOnError)
		date := fs.String("date", "", "date d'effet AAAA-MM-JJ")
		if len(args) < 2 {
			return errors.New("departement opt-out: give the département's code, e.g. 33")
		}
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		if *date == "" {
			return errors.New("departement opt-out: give the effective date, --date AAAA-MM-JJ")
		}
		day, err := tenant.ParseDate(*date)
		if err != nil {
			return err
		}
		if err := billing.NewStore(reg.Platform(), nil).OptOut(ctx, args[1], day, cliActor()); err != nil {
			return err
		}
		fmt.Fprintf(out, "le département %s quitte Cartable le %s : ses collèges sont facturés jusqu'à la veille, puis suspendus\n", args[1], day.Format("02/01/2006"))
		return nil
	}
	return fmt.Errorf("departement: unknown subcommand %q", args[0])
}

func printJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeFileAtomically writes through a temporary file renamed into place on success, so a
// failed export leaves no truncated archive behind.
func writeFileAtomically(name string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(dirOf(name), ".cartable-*.part")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

func dirOf(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			return name[:i+1]
		}
	}
	return "."
}
