package directory

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// CSVColumns are the columns of the CSV import, for establishments without an AAF export
// (lycées agricoles, for instance). UTF-8 (a BOM is allowed) or Windows-1252/Latin-1, ";" or "," separator, one
// header line with these names in any order; identifiant, profil, nom and prenom are required.
var CSVColumns = []string{
	"identifiant",    // stable identifier of the person in the establishment's own files
	"profil",         // eleve, responsable, enseignant, vie_scolaire, direction, personnel
	"nom",            // last name
	"prenom",         // first name
	"date_naissance", // jj/mm/aaaa
	"classe",         // pupils: class code (2NDE3); teachers: classes taught as CLASSE:MATIERE, comma separated
	"groupes",        // pupils: group codes, comma separated
	"responsables",   // pupils: identifiants of legal guardians, comma separated
	"email",
}

// MaxCSVBytes is the largest CSV file an import reads (it is read whole, to find its
// encoding): some 200,000 people.
const MaxCSVBytes = 32 << 20

var csvRoles = map[string]identity.Role{
	"eleve": identity.RoleEleve, "responsable": identity.RoleResponsable, "enseignant": identity.RoleEnseignant,
	"vie_scolaire": identity.RoleVieScolaire, "direction": identity.RoleDirection, "personnel": identity.RolePersonnel,
}

// ImportCSV imports people from CSV files (see CSVColumns). It adds and updates; it never
// deactivates anyone implicitly (use the people management page).
func (s *Service) ImportCSV(ctx context.Context, t *tenant.Tenant, files []File, opt ImportOptions) (*Report, error) {
	var specs []*personSpec
	for _, f := range files {
		got, err := readCSV(t, f)
		if err != nil {
			return nil, err
		}
		specs = append(specs, got...)
	}
	return s.apply(ctx, t, "csv", files, specs, nil, nil, opt)
}

// csvText returns the file as UTF-8 text. Spreadsheets save CSV in UTF-8 (with or without a
// BOM) or in Windows-1252 ("CSV (séparateur : point-virgule)" of a French Excel), a superset
// of Latin-1: both are read; anything else is refused naming the encoding, never read as
// mojibake.
func csvText(f File) (string, error) {
	raw, err := io.ReadAll(io.LimitReader(f.R, MaxCSVBytes+1))
	if err != nil {
		return "", fault.Invalidf("files", "%s : lecture du fichier interrompue ; renvoyez-le", f.Name)
	}
	if len(raw) > MaxCSVBytes {
		return "", fault.New(fault.ErrTooLarge, "%s dépasse %s : un fichier CSV d'établissement en fait bien moins ; découpez-le, ou passez par l'import AAF de la plateforme", f.Name, fault.ByteSize(MaxCSVBytes))
	}
	switch {
	case bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")):
		raw = raw[3:]
	case bytes.HasPrefix(raw, []byte("\xff\xfe")), bytes.HasPrefix(raw, []byte("\xfe\xff")):
		return "", fault.Invalidf("files", "%s est encodé en UTF-16 : enregistrez-le en « CSV UTF-8 » (ou CSV point-virgule) puis renvoyez-le ; rien n'a été importé", f.Name)
	}
	if utf8.Valid(raw) {
		return string(raw), nil
	}
	// Bytes Windows-1252 leaves undefined mean another encoding (MacRoman, CP850…).
	for i, b := range raw {
		if b == 0x81 || b == 0x8d || b == 0x8f || b == 0x90 || b == 0x9d || b == 0 {
			line := 1 + bytes.Count(raw[:i], []byte("\n"))
			return "", fault.Invalidf("files", "%s, ligne %d : encodage inconnu (ni UTF-8 ni Windows-1252/Latin-1) : enregistrez le fichier en « CSV UTF-8 » puis renvoyez-le ; rien n'a été importé", f.Name, line)
		}
	}
	text, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		return "", fault.Invalidf("files", "%s : encodage Windows-1252 illisible : enregistrez le fichier en « CSV UTF-8 » ; rien n'a été importé", f.Name)
	}
	return string(text), nil
}

// csvProblem says in French what the CSV reader refused.
func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return "guillemet non refermé dans une cellule"
	case errors.Is(err, csv.ErrBareQuote):
		return "guillemet au milieu d'une cellule : entourez la cellule de guillemets et doublez ceux qu'elle contient"
	case errors.Is(err, csv.ErrFieldCount):
		return "nombre de colonnes différent de l'en-tête"
	}
	return "ligne illisible"
}

func readCSV(t *tenant.Tenant, f File) ([]*personSpec, error) {
	text, err := csvText(f)
	if err != nil {
		return nil, err
	}
	sep := ';'
	if line, _, _ := strings.Cut(text, "\n"); strings.Count(line, ",") > strings.Count(line, ";") {
		sep = ','
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.FieldsPerRecord, r.TrimLeadingSpace = sep, -1, true
	bad := func(line int, format string, args ...any) error {
		return fault.Invalidf("files", "%s, ligne %d : %s ; rien n'a été importé", f.Name, line, fmt.Sprintf(format, args...))
	}
	header, err := r.Read()
	if err != nil {
		return nil, bad(1, "en-tête illisible : %s", csvProblem(err))
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"identifiant", "profil", "nom", "prenom"} {
		if _, ok := col[need]; !ok {
			return nil, bad(1, "colonne « %s » absente (colonnes : %s)", need, strings.Join(CSVColumns, ";"))
		}
	}
	var specs []*personSpec
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil { // FieldPos panics after an error: the line is the error's
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, bad(pe.Line, "%s", csvProblem(pe.Err))
			}
			return nil, bad(0, "%s", csvProblem(err))
		}
		line, _ := r.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		id := get("identifiant")
		if id == "" {
			return nil, bad(line, "identifiant vide")
		}
		if prev, dup := seen[id]; dup {
			return nil, bad(line, "identifiant « %s » déjà utilisé ligne %d", id, prev)
		}
		seen[id] = line
		role, ok := csvRoles[strings.ToLower(get("profil"))]
		if !ok {
			return nil, bad(line, "profil « %s » inconnu (eleve, responsable, enseignant, vie_scolaire, direction, personnel)", get("profil"))
		}
		sp := &personSpec{key: string(t.UAI) + ":" + id, roles: identity.Roles{role}, last: get("nom"), first: get("prenom"), email: get("email"),
			origin: fmt.Sprintf("%s, ligne %d", f.Name, line)}
		if sp.last == "" || sp.first == "" {
			return nil, bad(line, "nom et prénom sont obligatoires")
		}
		if d := get("date_naissance"); d != "" {
			b, err := time.Parse("02/01/2006", d)
			if err != nil {
				return nil, bad(line, "date de naissance « %s » illisible (jj/mm/aaaa)", d)
			}
			sp.birth = &b
		}
		switch role {
		case identity.RoleEleve:
			sp.category = CategoryEleve
			if c := get("classe"); c != "" {
				sp.classes = []string{c}
			}
			sp.groups = splitList(get("groupes"))
			for _, g := range splitList(get("responsables")) {
				sp.relations = append(sp.relations, aaf.Relation{RelativeID: string(t.UAI) + ":" + g, Quality: 1, Legal: true})
			}
		case identity.RoleResponsable:
			sp.category = CategoryResponsable
		default:
			sp.category = CategoryPersonnel
			for _, item := range splitList(get("classe")) {
				class, subject, ok := strings.Cut(item, ":")
				if !ok || class == "" || subject == "" {
					return nil, bad(line, "enseignement « %s » : attendu CLASSE:MATIERE", item)
				}
				sp.teachings = append(sp.teachings, teachingSpec{code: class, subject: subject})
			}
		}
		sp.attrs = Attrs{}
		for name, i := range col {
			if i < len(rec) {
				sp.attrs[name] = []string{strings.TrimSpace(rec[i])}
			}
		}
		specs = append(specs, sp)
	}
	return specs, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
