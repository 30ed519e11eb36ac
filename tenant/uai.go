package tenant

import (
	"strconv"
	"strings"

	"github.com/cartable-ent/cartable/web/fault"
)

// UAI is an establishment's national identifier (formerly RNE): 7 digits and a check letter,
// stored in upper case.
type UAI string

const uaiLetters = "ABCDEFGHJKLMNPRSTUVWXYZ" // I, O and Q are not used

// ParseUAI validates s (any case, surrounding spaces ignored) and returns the UAI in upper case.
// The error says what is wrong in words a regional administrator can act on.
func ParseUAI(s string) (UAI, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 8 {
		return "", fault.Invalidf("uai", "l'UAI « %s » doit compter 8 caractères : 7 chiffres puis une lettre (ex. 0330021U)", s)
	}
	digits, letter := s[:7], s[7]
	for i := 0; i < 7; i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", fault.Invalidf("uai", "l'UAI « %s » doit commencer par 7 chiffres (ex. 0330021U)", s)
		}
	}
	n, _ := strconv.Atoi(digits)
	want := uaiLetters[n%23]
	if letter != want {
		return "", fault.Invalidf("uai", "la lettre de contrôle de l'UAI « %s » est fausse : pour %s elle doit être %c", s, digits, want)
	}
	return UAI(s), nil
}

// Departement returns the code of the département the UAI belongs to: "33" for 0330021U,
// "971" for an overseas 971… UAI.
func (u UAI) Departement() string {
	d := string(u[:3])
	if d[0] == '0' {
		return d[1:]
	}
	return d
}

// SchemaName is the PostgreSQL schema of the establishment, derived from the UAI only.
func (u UAI) SchemaName() string { return "t_" + strings.ToLower(string(u)) }

func (u UAI) String() string { return string(u) }
