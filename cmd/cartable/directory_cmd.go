package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// runImport: cartable import aaf|csv --tenant UAI [--dry-run] FILE_OR_DIR…
func runImport(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "aaf" && args[0] != "csv") {
		return errors.New("import: say aaf or csv: cartable import aaf --tenant UAI FICHIER_OU_DOSSIER…")
	}
	format := args[0]
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	uai := fs.String("tenant", "", "UAI de l'établissement")
	dry := fs.Bool("dry-run", false, "afficher ce qui changerait sans rien enregistrer")
	credOut := fs.String("identifiants", "", "fichier CSV des identifiants créés (défaut identifiants-<UAI>-<date>.csv)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if cfg.SecretKey == "" && !*dry {
		return errors.New("CARTABLE_SECRET_KEY is not set: the import keeps the initial passwords for the establishment's administrator, sealed with the servers' key; set the same key as `cartable serve`")
	}
	if *uai == "" || fs.NArg() == 0 {
		return errors.New("import: give --tenant UAI and at least one file or folder")
	}
	paths, err := expandPaths(fs.Args(), format)
	if err != nil {
		return err
	}
	reg, closeDB, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	t, err := reg.Get(ctx, *uai)
	if err != nil {
		return err
	}
	k, err := kratosOf(cfg)
	if err != nil {
		return err
	}
	svc, err := directoryOf(cfg, reg, k, identity.Records{}, log)
	if err != nil {
		return err
	}
	// The import enqueues its purges and the expiry of its initial passwords, in its own
	// transaction, for the workers of `cartable serve` (this command works none).
	queue, err := queueOf(cfg, reg, k, svc, nil, log)
	if err != nil {
		return err
	}
	svc.SetQueue(queue)
	rep, err := importFiles(ctx, svc, t, format, paths, directory.ImportOptions{DryRun: *dry, Actor: cliActor(), Scope: identity.Scope{All: true}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s%s : %d créées, %d modifiées, %d désactivées, %d inchangées, %d comptes ouverts\n",
		map[bool]string{true: "simulation ", false: ""}[rep.DryRun], t.UAI, rep.Created, rep.Updated, rep.Deleted, rep.Unchanged, rep.AccountsCreated)
	for _, w := range rep.Warnings {
		fmt.Fprintln(out, "avertissement :", w)
	}
	if rep.DryRun || rep.AccountsCreated == 0 {
		return nil
	}
	creds, err := svc.Credentials(ctx, t, rep.ID)
	if err != nil {
		return err
	}
	if *credOut == "" {
		*credOut = fmt.Sprintf("identifiants-%s-%s.csv", t.UAI, time.Now().Format("20060102-150405"))
	}
	if err := writeCredentialsCSV(*credOut, creds); err != nil {
		return err
	}
	fmt.Fprintf(out, "identifiants des nouveaux comptes : %s (à garder en lieu sûr)\n", *credOut)
	return nil
}

// importFiles opens the files and runs the import.
func importFiles(ctx context.Context, svc *directory.Service, t *tenant.Tenant, format string, paths []string, opt directory.ImportOptions) (*directory.Report, error) {
	var files []directory.File
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		files = append(files, directory.File{Name: filepath.Base(p), R: f})
	}
	if format == "csv" {
		return svc.ImportCSV(ctx, t, files, opt)
	}
	return svc.ImportAAF(ctx, t, files, opt)
}

// expandPaths replaces folders by their .xml (aaf) or .csv files, sorted by name.
func expandPaths(args []string, format string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		var found []string
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), map[string]string{"aaf": ".xml", "csv": ".csv"}[format]) {
				found = append(found, filepath.Join(a, e.Name()))
			}
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no %s file in %s", format, a)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

func writeCredentialsCSV(path string, creds []directory.Credential) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := directory.WriteCredentialsCSV(f, creds); err != nil {
		return err
	}
	return f.Close()
}

// runAdmin: cartable admin create --login L --role admin_regional|admin_departemental [--departement 33]
func runAdmin(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("admin: cartable admin create --login LOGIN --role admin_regional|admin_departemental [--departement 33]")
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	login := fs.String("login", "", "identifiant")
	role := fs.String("role", "admin_regional", "admin_regional ou admin_departemental")
	dep := fs.String("departement", "", "département, pour admin_departemental")
	first := fs.String("prenom", "Administrateur", "prénom")
	last := fs.String("nom", "Cartable", "nom")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	reg, closeDB, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	k, err := kratosOf(cfg)
	if err != nil {
		return err
	}
	password := directory.NewPassword()
	id, err := createPlatformAdmin(ctx, reg, k, *login, password, *first, *last, identity.Role(*role), *dep)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "compte %s créé (%s) : mot de passe provisoire %s\n", *login, id, password)
	return nil
}

// createPlatformAdmin opens an account with a known password and makes it a platform administrator.
func createPlatformAdmin(ctx context.Context, reg *tenant.Registry, k *identity.Kratos, login, password, first, last string, role identity.Role, dep string) (uuid.UUID, error) {
	if role == identity.RoleAdminDepartement {
		if _, err := reg.Organisation(ctx, dep); err != nil {
			return uuid.Nil, err
		}
	}
	hash, err := hashPassword(password)
	if err != nil {
		return uuid.Nil, err
	}
	ids, err := k.CreateAccounts(ctx, []identity.NewAccount{{Login: login, FirstName: first, LastName: last, HashedPassword: hash}})
	if err != nil {
		return uuid.Nil, err
	}
	store := identity.NewStore(reg.Platform())
	if err := store.CreatePlatformAccount(ctx, identity.Account{IdentityID: ids[0], Login: login}); err != nil {
		k.DeleteAccounts(context.WithoutCancel(ctx), ids)
		return uuid.Nil, err
	}
	if err := store.GrantPlatformRole(ctx, ids[0], role, strings.TrimLeft(dep, "0")); err != nil {
		return uuid.Nil, err
	}
	return ids[0], nil
}

func hashPassword(p string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(p), 10)
	return string(h), err
}
