package identity

import (
	"fmt"
	"strings"

	kratos "github.com/ory/kratos-client-go"
)

// formView is a Kratos self-service flow made ready for a French server-rendered form.
type formView struct {
	Action   string
	Method   string
	Messages []message
	Fields   []field
	Buttons  []field
}

type message struct {
	Text  string
	Error bool
}

type field struct {
	Name, Type, Label, Value, Autocomplete, ID string
	Required                                   bool
	Errors                                     []string
}

// formOf keeps the nodes of the given groups ("default" always) and translates labels and
// messages into French.
func formOf(ui kratos.UiContainer, purpose string, groups ...string) formView {
	v := formView{Action: ui.Action, Method: ui.Method}
	for _, m := range ui.Messages {
		v.Messages = append(v.Messages, message{Text: french(m), Error: m.Type == "error"})
	}
	keep := map[string]bool{"default": true}
	for _, g := range groups {
		keep[g] = true
	}
	for _, n := range ui.Nodes {
		in := n.Attributes.UiNodeInputAttributes
		if in == nil || !keep[n.Group] {
			continue
		}
		f := field{Name: in.Name, Type: in.Type, ID: "f-" + strings.ReplaceAll(in.Name, ".", "-"), Required: in.Required != nil && *in.Required}
		if in.Value != nil {
			f.Value = fmt.Sprint(in.Value)
		}
		if in.Autocomplete != nil {
			f.Autocomplete = *in.Autocomplete
		} else if in.Name == "identifier" {
			f.Autocomplete = "username"
		}
		for _, m := range n.Messages {
			f.Errors = append(f.Errors, french(m))
		}
		switch in.Type {
		case "submit", "button":
			f.Label = buttonLabel(purpose, in.Name, f.Value)
			if in.Name == "method" || in.Name == "" || in.Name == "code" && purpose == "recovery" {
				v.Buttons = append(v.Buttons, f)
			}
			continue
		case "hidden":
		default:
			f.Label = fieldLabel(in.Name)
		}
		v.Fields = append(v.Fields, f)
	}
	return v
}

func fieldLabel(name string) string {
	switch name {
	case "identifier", "traits.username":
		return "Identifiant"
	case "password":
		return "Mot de passe"
	case "code":
		return "Code reçu de votre établissement"
	case "email", "traits.email":
		return "Adresse électronique"
	}
	return name
}

func buttonLabel(purpose, name, value string) string {
	switch purpose {
	case "login":
		return "Se connecter"
	case "settings":
		return "Enregistrer le nouveau mot de passe"
	case "recovery":
		return "Valider le code"
	}
	return value
}

// french translates Kratos' messages by their stable ids; unknown ones keep Kratos' text.
func french(m kratos.UiText) string {
	switch m.Id {
	case 4000006:
		return "Identifiant ou mot de passe incorrect. Vérifiez l'identifiant inscrit sur votre fiche de connexion."
	case 4000002:
		return "Ce champ est obligatoire."
	case 4000003:
		return "La valeur est trop courte."
	case 4000005:
		return "Ce mot de passe n'est pas accepté : choisissez-en un plus long et moins courant (8 caractères au moins)."
	case 4010001, 4040001, 4060005, 4050001:
		return "Cette page a expiré ; recommencez."
	case 4060004, 4060006:
		return "Ce code est invalide ou a expiré : demandez-en un nouveau à votre établissement."
	case 1050001:
		return "Votre mot de passe est enregistré."
	case 1010003, 1050003:
		return "Pour continuer, confirmez votre identité en vous reconnectant."
	case 1060003, 1060002:
		return "Saisissez le code de récupération que votre établissement vous a remis."
	case 4000010:
		return "Ce compte n'est pas actif. Adressez-vous à votre établissement."
	case 4000008, 4000035:
		return "Identifiant ou mot de passe incorrect. Vérifiez l'identifiant inscrit sur votre fiche de connexion."
	case 4000031:
		return "Ce mot de passe ressemble trop à votre identifiant : choisissez-en un autre."
	case 4000032:
		return "Ce mot de passe est trop court : 8 caractères au moins."
	case 4000034:
		return "Ce mot de passe figure dans des listes de mots de passe volés : choisissez-en un autre."
	case 1010001, 1040001:
		return "Connexion"
	}
	if m.Type == "error" {
		// Kratos' own words are English and may name internal details: a French sentence
		// that says what to do instead.
		return "La demande n'a pas abouti : vérifiez les champs, puis recommencez. Si cela persiste, adressez-vous à votre établissement."
	}
	return m.Text
}
