package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// demoLogin is one demo account printed by `make dev`.
type demoLogin struct {
	Who      string `json:"who"`
	Login    string `json:"login"`
	Password string `json:"password"`
}

// demoSizes are the demo establishments' populations (pupils, relatives, staff).
var demoSizes = map[string][3]int{"lycee": {70, 100, 14}, "college": {45, 65, 10}}

// seedPeople fills every demo establishment's directory through the AAF import (the same
// path as real ones), links one parent to children in two establishments, and opens the
// regional and Gironde administrators. It runs once; the logins are kept in the data folder.
func seedPeople(ctx context.Context, cfg config, reg *tenant.Registry, k *identity.Kratos, log *slog.Logger) ([]demoLogin, error) {
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
	var logins []demoLogin
	creds := map[string][]directory.Credential{}
	for i, nt := range demoTenants {
		t, err := reg.Get(ctx, nt.UAI)
		if err != nil {
			return nil, err
		}
		size := demoSizes["lycee"]
		if nt.Kind == "college" {
			size = demoSizes["college"]
		}
		var buf bytes.Buffer
		if err := aaf.Generate(&buf, aaf.GenOptions{UAI: nt.UAI, Name: nt.Name, Pupils: size[0], Parents: size[1], Staff: size[2], Seed: int64(i + 1)}); err != nil {
			return nil, err
		}
		name := fmt.Sprintf("ENT_%s_Complet_20260901_Demo_0001.xml", nt.UAI)
		rep, err := svc.ImportAAF(ctx, t, []directory.File{{Name: name, R: &buf}}, directory.ImportOptions{Actor: "dev:seed", Scope: identity.Scope{All: true}})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", nt.UAI, err)
		}
		if rep.AccountsCreated > 0 {
			if creds[nt.UAI], err = svc.Credentials(ctx, t, rep.ID); err != nil {
				return nil, err
			}
		}
	}
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
	for _, c := range creds[montaigne.UAI] {
		passwords[c.Login] = c.Password
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
	if err := seedGrades(ctx, reg, mt); err != nil {
		return nil, fmt.Errorf("demo marks: %w", err)
	}
	b, _ := json.MarshalIndent(logins, "", "  ")
	return logins, os.WriteFile(path, b, 0o600)
}

// seedGrades gives every class × subject of an establishment three published evaluations of
// the current period, with marks for every pupil (a few absent), through the grades service.
func seedGrades(ctx context.Context, reg *tenant.Registry, t *tenant.Tenant) error {
	svc := grades.NewService(reg.DB(), nil)
	director := grades.Actor{Roles: []identity.Role{identity.RoleDirection}}
	p, err := svc.CurrentPeriod(ctx, t)
	if err != nil {
		return err
	}
	teachings, err := svc.Teachings(ctx, t, director)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(42, 7))
	titles := []string{"Devoir surveillé", "Interrogation écrite", "Exposé"}
	for _, te := range teachings {
		for i, title := range titles {
			day := p.StartsOn.AddDate(0, 0, 7+14*i)
			ev, err := svc.SaveEvaluation(ctx, t, director, uuid.Nil, grades.EvaluationForm{
				ClassID: te.ClassID.String(), Subject: te.SubjectCode, Title: fmt.Sprintf("%s n°%d", title, i+1),
				Date: day.Format("2006-01-02"), Scale: []string{"20", "20", "10"}[i], Coefficient: []string{"2", "1", "0,5"}[i], Published: true,
			})
			if err != nil {
				return err
			}
			g, err := svc.Grid(ctx, t, director, ev.ID)
			if err != nil {
				return err
			}
			in := grades.GridInput{Marks: map[uuid.UUID]string{}}
			for _, row := range g.Rows {
				switch v := rng.IntN(100); {
				case v < 4:
					in.Marks[row.PupilID] = "Abs"
				default:
					scale := []int{20, 20, 10}[i]
					in.Marks[row.PupilID] = fmt.Sprintf("%d,%d", rng.IntN(scale*6/10)+scale*4/10, rng.IntN(2)*5)
				}
			}
			if _, err := svc.SaveMarks(ctx, t, director, ev.ID, in); err != nil {
				return err
			}
		}
	}
	return nil
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
