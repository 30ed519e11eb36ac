package directory_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

const bom = "\xef\xbb\xbf"

// csvFile is a CSV import file: UTF-8 with a BOM, ";" separated, the documented header.
func csvFile(name string, rows ...string) directory.File {
	body := bom + strings.Join(directory.CSVColumns, ";") + "\r\n" + strings.Join(rows, "\r\n") + "\r\n"
	return directory.File{Name: name, R: strings.NewReader(body)}
}

// The columns: identifiant;profil;nom;prenom;date_naissance;classe;groupes;responsables;email
var csvRows = []string{
	"E1;eleve;Vauquelin;Léa;12/03/2010;2NDE1;ESP1, LATIN;R1;",
	"E2;eleve;Vauquelin;Hugo;05/06/2009;1G1;MATHS1;R1,R2;",
	"R1;responsable;Vauquelin;Sophie;;;;;sophie.vauquelin@example.org",
	"R2;Responsable;Marchetti;Luc;;;;;",
	"T1;enseignant;Ternaux;Paul;;2NDE1:MATHS,1G1:MATHS;;;paul.ternaux@example.org",
	"D1;direction;Sarrazin;Odile;;;;;",
}

// csvBases returns the login bases of the people of CSV rows.
func csvBases(files ...[]string) map[string]bool {
	out := map[string]bool{}
	for _, rows := range files {
		for _, r := range rows {
			if f := strings.Split(r, ";"); len(f) > 3 {
				out[directory.LoginBase(f[3], f[2])] = true
			}
		}
	}
	return out
}

// TestImportCSV imports pupils, guardians, a teacher and a head teacher from a CSV file,
// then the same file again.
func TestImportCSV(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, "0330021U", "Lycée Michel-Montaigne")

	rep, err := f.svc.ImportCSV(ctx, tn, []directory.File{csvFile("eleves.csv", csvRows...)}, directory.ImportOptions{Actor: "admin"})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	wantCounts(t, rep, 6, 0, 0, 0, 6)
	if len(rep.Warnings) != 0 || rep.Source != "csv" {
		t.Errorf("report = %+v", rep)
	}
	people := f.people(t, tn)
	key := func(id string) string { return string(tn.UAI) + ":" + id }
	p := func(id string) directory.Person {
		t.Helper()
		x, ok := people[key(id)]
		if !ok {
			t.Fatalf("%s not imported (people: %v)", id, people)
		}
		return x
	}
	if lea := p("E1"); lea.FirstName != "Léa" || lea.LastName != "Vauquelin" || lea.BirthDate == nil || lea.BirthDate.Format("2006-01-02") != "2010-03-12" || lea.Category != "eleve" {
		t.Errorf("E1 = %+v", lea)
	}
	if r1 := p("R1"); r1.Email == nil || *r1.Email != "sophie.vauquelin@example.org" || r1.Category != "responsable" {
		t.Errorf("R1 = %+v", r1)
	}
	if d := p("D1"); !slices.Equal(d.Roles, identity.Roles{identity.RoleDirection}) || d.Category != "personnel" {
		t.Errorf("D1 = %+v", d)
	}

	// Pupils in their class and groups, with their guardians.
	lea := f.card(t, tn, p("E1").ID)
	if got := classCodes(lea, "classe"); !slices.Equal(got, []string{"2NDE1"}) {
		t.Errorf("E1 classes %v", got)
	}
	if got := classCodes(lea, "groupe"); !slices.Equal(got, []string{"ESP1", "LATIN"}) {
		t.Errorf("E1 groups %v", got)
	}
	if got := parentsOnCard(lea); !sameSet(got, map[string]bool{key("R1"): true}) {
		t.Errorf("E1 parents %v", got)
	}
	hugo := f.card(t, tn, p("E2").ID)
	if got := parentsOnCard(hugo); !sameSet(got, map[string]bool{key("R1"): true, key("R2"): true}) {
		t.Errorf("E2 parents %v", got)
	}
	sophie := f.card(t, tn, p("R1").ID)
	var kids []string
	for _, c := range sophie.Children {
		kids = append(kids, c.FirstName)
	}
	sort.Strings(kids)
	if !slices.Equal(kids, []string{"Hugo", "Léa"}) {
		t.Errorf("R1 children %v", kids)
	}

	// The teacher teaches maths in both classes; the class pages list them.
	paul := f.card(t, tn, p("T1").ID)
	var taught []string
	for _, tc := range paul.Teaches {
		taught = append(taught, tc.ClassCode+":"+tc.Subject)
	}
	sort.Strings(taught)
	if !slices.Equal(taught, []string{"1G1:MATHS", "2NDE1:MATHS"}) || !slices.Equal(paul.Person.Roles, identity.Roles{identity.RoleEnseignant}) {
		t.Errorf("T1 teaches %v, roles %v", taught, paul.Person.Roles)
	}
	for code, pupil := range map[string]string{"2NDE1": "Léa", "1G1": "Hugo"} {
		view, err := f.svc.ClassDetail(ctx, tn, f.classByCode(t, tn, "classe", code))
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Pupils) != 1 || view.Pupils[0].FirstName != pupil {
			t.Errorf("class %s pupils %+v, want %s", code, view.Pupils, pupil)
		}
		if len(view.Teachers) != 1 || view.Teachers[0].LastName != "Ternaux" || view.Teachers[0].Subject != "MATHS" {
			t.Errorf("class %s teachers %+v", code, view.Teachers)
		}
	}

	// Credentials: one sheet per account; a guardian's sheet names the children's classes.
	creds, err := f.svc.Credentials(ctx, tn, rep.ID)
	if err != nil || len(creds) != 6 {
		t.Fatalf("credentials: %d, %v", len(creds), err)
	}
	for _, c := range creds {
		want := map[string]string{"Léa": "2NDE1", "Hugo": "1G1", "Sophie": "1G1, 2NDE1", "Luc": "1G1"}[c.FirstName]
		got := strings.Split(c.Class, ", ")
		sort.Strings(got)
		if strings.Join(got, ", ") != want {
			t.Errorf("credential of %s: class %q, want %q", c.FirstName, c.Class, want)
		}
		if c.FirstName == "Léa" {
			if _, err := f.env.TryLogin(c.Login, c.Password); err != nil {
				t.Errorf("Léa cannot sign in as %s: %v", c.Login, err)
			}
		}
	}

	// The same file again changes nothing.
	before := f.identities(t)
	again, err := f.svc.ImportCSV(ctx, tn, []directory.File{csvFile("eleves.csv", csvRows...)}, directory.ImportOptions{Actor: "admin"})
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	wantCounts(t, again, 0, 0, 0, 6, 0)
	if got := newIdentities(before, f.identities(t), csvBases(csvRows)); len(got) != 0 {
		t.Errorf("re-import opened identities %v", got)
	}
	if n := f.platformCount(t, `SELECT count(*) FROM platform.accounts`); n != 6 {
		t.Errorf("%d accounts after the re-import", n)
	}

	// A changed line updates that person only; a missing line deactivates nobody.
	rows := slices.Clone(csvRows[:5])
	rows[1] = "E2;eleve;Vauquelin;Hugo;05/06/2009;1G2;MATHS1;R1,R2;"
	changed, err := f.svc.ImportCSV(ctx, tn, []directory.File{csvFile("eleves.csv", rows...)}, directory.ImportOptions{Actor: "admin"})
	if err != nil {
		t.Fatalf("changed import: %v", err)
	}
	wantCounts(t, changed, 0, 1, 0, 4, 0)
	if got := classCodes(f.card(t, tn, p("E2").ID), "classe"); !slices.Equal(got, []string{"1G2"}) {
		t.Errorf("E2 classes after the change %v", got)
	}
	if !f.card(t, tn, p("D1").ID).Person.Active {
		t.Error("D1, absent from the file, was deactivated")
	}
}

// TestImportCSVErrors: each faulty file is refused naming the file and the line, and
// nothing is written.
func TestImportCSVErrors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, tenanttest.UAI(33, 31), "Lycée agricole de Blanquefort")
	good := csvRows
	with := func(line int, row string) []string { // line 2 is the first row
		rows := slices.Clone(good)
		rows[line-2] = row
		return rows
	}
	cases := []struct {
		name  string
		files []directory.File
		parts []string
	}{
		{"unknown profil", []directory.File{csvFile("a.csv", with(3, "E2;eleve-majeur;Vauquelin;Hugo;;1G1;;;")...)}, []string{"a.csv, ligne 3 :", "profil « eleve-majeur » inconnu"}},
		{"missing nom", []directory.File{csvFile("a.csv", with(4, "R1;responsable;;Sophie;;;;;")...)}, []string{"a.csv, ligne 4 :", "nom et prénom"}},
		{"bad date", []directory.File{csvFile("a.csv", with(2, "E1;eleve;Vauquelin;Léa;31/02/2010;2NDE1;;R1;")...)}, []string{"a.csv, ligne 2 :", "31/02/2010"}},
		{"duplicate identifiant", []directory.File{csvFile("a.csv", append(slices.Clone(good), "E1;eleve;Autre;Élève;;2NDE1;;;")...)}, []string{fmt.Sprintf("a.csv, ligne %d :", len(good)+2), "« E1 » déjà utilisé ligne 2"}},
		{"bad teaching", []directory.File{csvFile("a.csv", with(6, "T1;enseignant;Ternaux;Paul;;2NDE1-MATHS;;;")...)}, []string{"a.csv, ligne 6 :", "CLASSE:MATIERE"}},
		{"second file wrong", []directory.File{csvFile("a.csv", good...), csvFile("b.csv", "X1;eleve;Nouveau;Nina;;2NDE2;;;", "X2;parent;Nouveau;Noé;;;;;")}, []string{"b.csv, ligne 3 :", "profil « parent » inconnu"}},
		{"missing column", []directory.File{{Name: "c.csv", R: strings.NewReader(bom + "identifiant;profil;nom\r\nE1;eleve;Vauquelin\r\n")}}, []string{"c.csv, ligne 1 :", "prenom"}},
		{"stray quote", []directory.File{{Name: "d.csv", R: strings.NewReader("identifiant;profil;nom;prenom\r\n2\"00000000000000000000\r\n")}}, []string{"d.csv, ligne 2 :"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.identities(t)
			_, err := f.svc.ImportCSV(ctx, tn, tc.files, directory.ImportOptions{Actor: "admin"})
			wantInvalid(t, err, append(tc.parts, "rien n'a été importé")...)
			f.wantNothingWritten(t, tn, before, csvBases(csvRows, []string{"X1;eleve;Nouveau;Nina", "X2;parent;Nouveau;Noé", "E1;eleve;Autre;Élève"}))
		})
	}
}

// TestImportCSVEncodings: a CSV saved by a French spreadsheet in Windows-1252 is read with its
// accents; UTF-16 and bytes of no known encoding are refused naming the encoding, nothing
// written; a name longer than the directory keeps is refused naming the field and the line.
func TestImportCSVEncodings(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tn := f.provision(t, tenanttest.UAI(33, 32), "Lycée agricole de Montardon")
	header := strings.Join(directory.CSVColumns, ";") + "\r\n"

	utf16 := directory.File{Name: "unicode.csv", R: strings.NewReader("\xff\xfei\x00d\x00")}
	long := strings.Repeat("Nom-Très-Long-", 10) // 140 characters
	cases := []struct {
		name  string
		file  directory.File
		parts []string
	}{
		{"utf-16", utf16, []string{"unicode.csv", "UTF-16", "CSV UTF-8"}},
		{"unknown bytes", directory.File{Name: "mac.csv", R: strings.NewReader(header + "E11;eleve;Dupont;Zo\x8e;;2NDE1;;;\r\nE12;eleve;Durand;L\x81a;;2NDE1;;;\r\n")},
			[]string{"mac.csv, ligne 3", "encodage inconnu"}},
		{"name too long", directory.File{Name: "long.csv", R: strings.NewReader(header + "E13;eleve;" + long + ";Jean;;2NDE1;;;\r\n")},
			[]string{"long.csv, ligne 2", "le nom", "140 caractères, 100 au plus"}},
		{"mistyped e-mail", directory.File{Name: "mail.csv", R: strings.NewReader(header + "E14;eleve;Dupont;Zoé;;2NDE1;;;\r\nR14;responsable;Dupont;Marc;;;;;marc.dupont@\r\n")},
			[]string{"mail.csv, ligne 3", "adresse électronique", "« marc.dupont@ »"}},
	}
	empty := f.provision(t, tenanttest.UAI(33, 33), "Lycée agricole vide")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.identities(t)
			_, err := f.svc.ImportCSV(ctx, empty, []directory.File{tc.file}, directory.ImportOptions{Actor: "admin"})
			wantInvalid(t, err, append(tc.parts, "rien n'a été importé")...)
			f.wantNothingWritten(t, empty, before, map[string]bool{directory.LoginBase("Jean", long): true})
		})
	}

	latin := directory.File{Name: "excel.csv", R: strings.NewReader(header + "E9;eleve;L\xe9v\xeaque;No\xebl;;2NDE1;;;\r\nE10;eleve;C\x9cur;Zo\xe9 \x80;;2NDE1;;;\r\n")}
	if _, err := f.svc.ImportCSV(ctx, tn, []directory.File{latin}, directory.ImportOptions{Actor: "admin"}); err != nil {
		t.Fatalf("Windows-1252 file: %v", err)
	}
	names := map[string]bool{}
	for _, p := range f.people(t, tn) {
		names[p.LastName+" "+p.FirstName] = true
	}
	if !names["Lévêque Noël"] || !names["Cœur Zoé €"] {
		t.Errorf("names read from Windows-1252: %v; want Lévêque Noël and Cœur Zoé €", names)
	}

}

// TestCredentialsCSVNeutralisesFormulas: a name typed as a formula stays text in the
// credentials spreadsheet.
func TestCredentialsCSVNeutralisesFormulas(t *testing.T) {
	var b strings.Builder
	err := directory.WriteCredentialsCSV(&b, []directory.Credential{{Login: "zoe.martin", Password: "abc23def45",
		LastName: `=HYPERLINK("http://pirate.example";"Cliquez")`, FirstName: "+Zoé", Category: "eleve", Class: "-2NDE1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "\ufefflogin;password;nom;prenom;profil;classe\r\nzoe.martin;abc23def45;\"'=HYPERLINK(\"\"http://pirate.example\"\";\"\"Cliquez\"\")\";'+Zoé;eleve;'-2NDE1\r\n"
	if b.String() != want {
		t.Errorf("credentials CSV:\n%q\nwant\n%q", b.String(), want)
	}
}

// TestSchoolYearOf: the school year turns on 1 September in Paris, whatever the server's
// zone: at 22:30 UTC on 31 August it is already the new year.
func TestSchoolYearOf(t *testing.T) {
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, time.August, 31, 21, 59, 0, 0, time.UTC), "2025-2026"},
		{time.Date(2026, time.August, 31, 22, 30, 0, 0, time.UTC), "2026-2027"},
		{time.Date(2026, time.December, 31, 22, 59, 0, 0, time.UTC), "2026-2027"},
		{time.Date(2027, time.June, 30, 12, 0, 0, 0, time.UTC), "2026-2027"},
	} {
		if got, _, _ := directory.SchoolYearOf(tt.at); got != tt.want {
			t.Errorf("SchoolYearOf(%s) = %s, want %s", tt.at, got, tt.want)
		}
	}
}
