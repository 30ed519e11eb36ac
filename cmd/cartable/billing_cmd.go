package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// runBilling is the operator's side of billing: meter a day again, close a month (after its
// dry run) and invoice it, as the jobs and the console do.
func runBilling(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("billing: missing subcommand")
	}
	reg, closeDB, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	store := billing.NewStore(reg.Platform(), nil)
	switch args[0] {
	case "meter":
		fs := flag.NewFlagSet("billing meter", flag.ContinueOnError)
		date := fs.String("day", billing.DayOf(store.Now()).Format("2006-01-02"), "jour AAAA-MM-JJ")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		day, err := tenant.ParseDate(*date)
		if err != nil {
			return err
		}
		if err := store.MeterDay(ctx, day); err != nil {
			return err
		}
		fmt.Fprintf(out, "usage du %s mesuré\n", day.Format("02/01/2006"))
		return nil
	case "close":
		fs := flag.NewFlagSet("billing close", flag.ContinueOnError)
		dry := fs.Bool("dry-run", false, "montrer les relevés sans clore")
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return errors.New("billing close: give the month, e.g. 2026-11")
		}
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		month, err := time.Parse("2006-01", args[1])
		if err != nil {
			return fault.Invalidf("mois", "« %s » n'est pas un mois : écrivez-le AAAA-MM, par exemple 2026-11.", args[1])
		}
		closer, err := closerOf(cfg, store, log)
		if err != nil {
			return err
		}
		sts, _, err := closer.Preview(ctx, month)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "PAYEUR\tHT\tTVA\tTTC\t")
		for _, s := range sts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", s.Payer, billing.FormatCents(s.Net), billing.FormatCents(s.VAT), billing.FormatCents(s.Gross))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if *dry {
			fmt.Fprintln(out, "simulation : rien n'est clos")
			return nil
		}
		if err := closer.Close(ctx, month, cliActor()); err != nil {
			return err
		}
		fmt.Fprintf(out, "mois %s clos\n", month.Format("2006-01"))
		if cfg.Stripe.Key == "" {
			fmt.Fprintln(out, "factures en attente : CARTABLE_STRIPE_KEY n'est pas défini (la reprise horaire les émettra)")
			return nil
		}
		if err := closer.Invoice(ctx, month); err != nil {
			return fmt.Errorf("le mois est clos, mais la facturation Stripe s'est interrompue (la reprise horaire la terminera) : %w", err)
		}
		fmt.Fprintln(out, "factures des départements émises")
		return nil
	}
	return fmt.Errorf("billing: unknown subcommand %q", args[0])
}
