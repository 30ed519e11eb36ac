package aaf

import "strings"

// Built-in data of the generator. It is kept in constants (and in functions
// returning fresh slices) so that the package holds no mutable state.

// Given names, chosen to exercise accents, including letters only found in
// ISO-8859-15 (Œ, œ) and not in ISO-8859-1.
const (
	femaleNames = `Zoé Éléonore Bénédicte Chloé Léa Inès Maëlys Anaïs Agnès Hélène Gaëlle
Noémie Célia Léonie Clémence Mélissa Héloïse Joséphine Camille Manon Louise Jade Emma Océane
Aurélie Frédérique Stéphanie Cécile Béatrice Anaëlle Maïwenn Noëlle`
	maleNames = `Noël Théo Hugo Raphaël Loïc Mathéo Clément Gaël Benoît François Stéphane
Frédéric Hervé Joël Jérôme Léo Lucas Nathan Gabriel Timothée Maxime Thomas Antoine Rémi Cédric
Sébastien Grégoire Adrien Aurélien Baptiste Étienne Anatole`
	surnames = `Lefèvre Bénard Dupré Gérard Lemaître Ménard Thébault Hébert Mercier Chevalier
Rousseau Faure Girard Boyer Aubé Crépin Béranger Delattre Léger Séguin Rivière Chrétien Noël
Bézier Duchêne Lagarde Gaillard Barbé Brunet Maréchal Fournier Moreau Lambert Bonnet François
Legrand Garnier Faivre Rolland Œhmichen Lebœuf Cœuret Lévêque Thévenin Mégret Hérault Lacôte
Gâtineau Bégué Daguerre Etchégaray Larrieu Dufourcq Labbé Clément Tessier Fabre Sénéchal
Desbœufs Pétrequin`
	schoolNames = `Montaigne|Montesquieu|François Mauriac|Camille Jullian|Élie Faure|Gustave Eiffel|Nicolas Brémontier|Victor Louis`
)

// subject is a taught subject: the code used in ENTAuxEnsClassesMatieres
// (six digits in the style of the BCN nomenclature), its label, and the
// discipline of the teachers who teach it (ENTPersonFonctions).
type subject struct {
	key             string // short key used in the tables below and in group codes
	code            string
	label           string
	discipline      string
	disciplineLabel string
	hours           int // weekly hours, used to size the teaching staff
}

func subjects() []subject {
	return []subject{
		{"FR", "020100", "FRANCAIS", "L0202", "LETTRES MODERNES", 4},
		{"PHILO", "010100", "PHILOSOPHIE", "L0100", "PHILOSOPHIE", 4},
		{"MATHS", "061300", "MATHEMATIQUES", "L1300", "MATHEMATIQUES", 4},
		{"HG", "040300", "HISTOIRE-GEOGRAPHIE", "L1000", "HISTOIRE-GEOGRAPHIE", 3},
		{"ANG", "030201", "ANGLAIS", "L0422", "ANGLAIS", 3},
		{"ESP", "030602", "ESPAGNOL", "L0426", "ESPAGNOL", 3},
		{"ALL", "030402", "ALLEMAND", "L0421", "ALLEMAND", 3},
		{"LAT", "020300", "LATIN", "L0201", "LETTRES CLASSIQUES", 2},
		{"PC", "062000", "PHYSIQUE-CHIMIE", "L1500", "PHYSIQUE-CHIMIE", 3},
		{"SVT", "062900", "SCIENCES DE LA VIE ET DE LA TERRE", "L1600", "SCIENCES DE LA VIE ET DE LA TERRE", 3},
		{"SES", "071000", "SCIENCES ECONOMIQUES ET SOCIALES", "L1100", "SCIENCES ECONOMIQUES ET SOCIALES", 3},
		{"NSI", "067400", "NUMERIQUE ET SCIENCES INFORMATIQUES", "L8011", "NUMERIQUE ET SCIENCES INFORMATIQUES", 4},
		{"EPS", "100100", "EDUCATION PHYSIQUE ET SPORTIVE", "L1900", "EDUCATION PHYSIQUE ET SPORTIVE", 2},
	}
}

// level is a year of the lycée: its classes are <code>1, <code>2…, its
// groups <prefix><option><n>.
type level struct {
	code     string // class code prefix: 2NDE, 1G, TG
	prefix   string // group code prefix: 2, 1, T
	label    string
	mef      string
	mefLabel string
	age      int    // age reached during the first calendar year of the school year
	class    string // subjects taught to whole classes (keys)
	options  string // subjects taught to groups (keys)
}

func levels() []level {
	return []level{
		{"2NDE", "2", "SECONDE", "20010018110", "2NDE GENERALE ET TECHNOLOGIQUE", 15,
			"FR MATHS HG ANG PC SVT SES EPS", "ESP ALL LAT NSI"},
		{"1G", "1", "PREMIERE GENERALE", "20111010110", "1ERE GENERALE", 16,
			"FR HG ANG EPS", "MATHS PC SVT SES NSI ESP"},
		{"TG", "T", "TERMINALE GENERALE", "20211010110", "TERMINALE GENERALE", 17,
			"PHILO HG ANG EPS", "MATHS PC SVT SES NSI ESP"},
	}
}

// staffRole is the role of a staff member in the establishment.
type staffRole int

const (
	roleDirection staffRole = iota
	roleCPE
	roleAdmin
	roleTeacher
)

// function returns the ENTPersonFonctions value of the role without the
// leading structure; teachers' values are completed with their discipline.
func (r staffRole) function() string {
	switch r {
	case roleDirection:
		return "DIR$DIRECTION$D0010$DIRECTION"
	case roleCPE:
		return "EDU$EDUCATION$E0030$CONSEILLER PRINCIPAL D'EDUCATION"
	case roleAdmin:
		return "ADF$PERSONNELS ADMINISTRATIFS$A0010$ADMINISTRATION"
	}
	return "ENS$ENSEIGNEMENT"
}

func fields(s string) []string { return strings.Fields(s) }
