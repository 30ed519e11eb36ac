package grades

import "testing"

func TestSubjectName(t *testing.T) {
	tests := []struct{ code, label, want string }{
		{"061300", "MATHEMATIQUES", "Mathématiques"},                                       // AAF code and label
		{"040300", "HISTOIRE-GEOGRAPHIE", "Histoire-géographie"},                           // AAF
		{"100100", "100100", "Éducation physique et sportive"},                             // code only
		{"061300", "Maths expertes", "Maths expertes"},                                     // the establishment's own label
		{"MATHS", "Mathématiques", "Mathématiques"},                                        // typed by people
		{"999999", "SCIENCES ECONOMIQUES ET SOCIALES", "Sciences économiques et sociales"}, // known label, unknown code
		{"999998", "ARTS APPLIQUES ET CULTURES", "Arts appliques et cultures"},             // unknown: one capital
		{"999997", "SVT", "SVT"},                                                           // acronym stays
		{"062900", "SCIENCES DE LA VIE ET DE LA TERRE", "Sciences de la vie et de la Terre"},
	}
	for _, tt := range tests {
		if got := subjectName(tt.code, tt.label); got != tt.want {
			t.Errorf("subjectName(%q, %q) = %q; want %q", tt.code, tt.label, got, tt.want)
		}
	}
}

func TestOfSubject(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Anglais", "d'anglais"},
		{"Mathématiques", "de mathématiques"},
		{"Histoire-géographie", "d'histoire-géographie"},
		{"Éducation physique et sportive", "d'éducation physique et sportive"},
		{"Espagnol", "d'espagnol"},
		{"Français", "de français"},
		{"SVT", "de SVT"},
		{"EPS", "d'EPS"},
		{"Hongrois", "de hongrois"}, // aspirated h
		{"Sciences de la vie et de la Terre", "de sciences de la vie et de la Terre"},
		{"", "de la matière"},
	}
	for _, tt := range tests {
		if got := ofSubject(tt.name); got != tt.want {
			t.Errorf("ofSubject(%q) = %q; want %q", tt.name, got, tt.want)
		}
		if got := "Moyenne " + ofSubject("Anglais"); got != "Moyenne d'anglais" {
			t.Errorf("got %q", got)
		}
	}
}
