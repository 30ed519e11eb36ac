package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// demoLogin is one demo account printed by `make dev`.
type demoLogin struct {
	Who      string `json:"who"`
	Login    string `json:"login"`
	Password string `json:"password"`
}

// seedPeople runs every module's demo data on every demo establishment (directory imports
// its people through the AAF path real ones take, grades gives them marks), links one parent
// to children in two establishments, and opens the regional and Gironde administrators. It
// runs once; the logins are kept in the data folder.
func seedPeople(ctx context.Context, cfg config, reg *tenant.Registry, k *identity.Kratos, log *slog.Logger, mods []module.Module) ([]demoLogin, error) {
	path := filepath.Join(cfg.DataDir, "demo-logins.json")
	if b, err := os.ReadFile(path); err == nil {
		var logins []demoLogin
		if err := json.Unmarshal(b, &logins); err == nil {
			return logins, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	svc, err := directoryOf(cfg, reg, k, identity.Records{}, log)
	if err != nil {
		return nil, err
	}
	for _, nt := range demoTenants {
		t, err := reg.Get(ctx, nt.UAI)
		if err != nil {
			return nil, err
		}
		for _, m := range mods {
			if m.Demo == nil {
				continue
			}
			if err := m.Demo(ctx, t); err != nil {
				return nil, fmt.Errorf("demo data of %s for %s: %w", m.Name, nt.UAI, err)
			}
		}
	}
	var logins []demoLogin
	montaigne, jv := demoTenants[0], demoTenants[4]
	mt, err := reg.Get(ctx, montaigne.UAI)
	if err != nil {
		return nil, err
	}
	// Pick, in Montaigne, one person of each role and a parent with a child there.
	people, err := svc.People(ctx, mt, directory.PeopleFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	passwords := map[string]string{}
	runs, err := svc.ImportRuns(ctx, mt)
	if err != nil {
		return nil, err
	}
	for _, run := range runs {
		if !run.HasCredentials {
			continue
		}
		creds, err := svc.Credentials(ctx, mt, run.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range creds {
			passwords[c.Login] = c.Password
		}
	}
	picked := map[identity.Role]*directory.Person{}
	for i := range people {
		p := &people[i]
		for _, r := range p.Roles {
			if picked[r] == nil && passwords[p.Login] != "" {
				picked[r] = p
			}
		}
	}
	labels := []struct {
		role identity.Role
		who  string
	}{
		{identity.RoleEleve, "Élève (Lycée Michel-Montaigne)"},
		{identity.RoleEnseignant, "Enseignant (Lycée Michel-Montaigne)"},
		{identity.RoleVieScolaire, "CPE (Lycée Michel-Montaigne)"},
		{identity.RoleDirection, "Direction (Lycée Michel-Montaigne)"},
	}
	for _, l := range labels {
		if p := picked[l.role]; p != nil {
			logins = append(logins, demoLogin{Who: l.who, Login: p.Login, Password: passwords[p.Login]})
		}
	}
	// A parent of Montaigne also has a child at Collège Jules-Verne: same AAF join key, one account.
	if parent := picked[identity.RoleResponsable]; parent != nil {
		jt, err := reg.Get(ctx, jv.UAI)
		if err != nil {
			return nil, err
		}
		doc := sharedParentAAF(jv.UAI, *parent.AAFID, parent.LastName, parent.FirstName)
		if _, err := svc.ImportAAF(ctx, jt, []directory.File{{Name: "ENT_" + jv.UAI + "_Delta_20260902_Demo_0001.xml", R: strings.NewReader(doc)}}, directory.ImportOptions{Actor: "dev:seed", Scope: identity.Scope{All: true}}); err != nil {
			return nil, fmt.Errorf("shared parent: %w", err)
		}
		logins = append(logins, demoLogin{Who: "Parent (enfants à Montaigne et Jules-Verne)", Login: parent.Login, Password: passwords[parent.Login]})
	}
	for _, a := range []struct {
		who, login string
		role       identity.Role
		dep        string
	}{
		{"Administrateur régional", "admin.region", identity.RoleAdminRegion, ""},
		{"Administrateur départemental (Gironde)", "admin.gironde", identity.RoleAdminDepartement, "33"},
	} {
		pw := directory.NewPassword()
		if _, err := createPlatformAdmin(ctx, reg, k, a.login, pw, "Administrateur", a.who, a.role, a.dep); err != nil {
			return nil, fmt.Errorf("%s: %w", a.login, err)
		}
		logins = append(logins, demoLogin{Who: a.who, Login: a.login, Password: pw})
	}
	b, _ := json.MarshalIndent(logins, "", "  ")
	return logins, os.WriteFile(path, b, 0o600)
}

// sharedParentAAF is a small delta giving a Montaigne parent a child at another establishment.
func sharedParentAAF(uai, parentID, last, first string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<ficAlimMENESR>
<addRequest><operationalAttributes><attr name="categoriePersonne"><value>PersRelEleve</value></attr></operationalAttributes>
<identifier><id>` + parentID + `</id></identifier>
<attributes><attr name="ENTPersonJointure"><value>` + parentID + `</value></attr><attr name="sn"><value>` + xmlEscape(last) + `</value></attr><attr name="givenName"><value>` + xmlEscape(first) + `</value></attr></attributes></addRequest>
<addRequest><operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
<identifier><id>9900001</id></identifier>
<attributes><attr name="ENTPersonJointure"><value>9900001</value></attr><attr name="sn"><value>` + xmlEscape(last) + `</value></attr><attr name="givenName"><value>Léonie</value></attr>
<attr name="ENTPersonDateNaissance"><value>14/03/2013</value></attr>
<attr name="ENTEleveClasses"><value>` + uai + `$6A</value></attr>
<attr name="ENTElevePersRelEleve"><value>` + parentID + `$1$0$1$0$0</value></attr></attributes></addRequest>
</ficAlimMENESR>`
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
