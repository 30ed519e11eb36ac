// Package retention is the one place that says how long each kind of data is kept and on
// what legal basis (Kinds), the periodic work that applies what no other module applies (the
// portfolios of pupils who left and their warning, the connection logs), and the région's
// report of every purge: one row per run, establishment and kind (platform.retention_runs),
// shown on the administration console's « Conservation des données » page.
//
// The purges themselves stay with the modules that own the data (directory's leavers,
// messaging's messages, attendance's registre d'appel, resources' launches, the registry's deleted
// establishments, export's personal exports); each reports what it removed through a small
// interface it declares (Purged(ctx, t, kind, count, bytes)), which Report implements.
package retention

import (
	"time"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/modules/resources"
)

// The kinds of data the report knows (Kind.Code).
const (
	KindAccounts       = "comptes"
	KindPortfolio      = "portfolio"
	KindConnections    = "connexions"
	KindRegister       = attendance.ReportKind // "registre"
	KindMessages       = messaging.ReportKind  // "messages"
	KindLaunches       = resources.ReportKind  // "lancements"
	KindExports        = "exports"
	KindEstablishments = "etablissements"
)

// Durations the code applies here (the others are the owning modules').
const (
	// AccountMonths is how long a person who left is kept (directory's purge_after).
	AccountMonths = 3
	// ConnectionLogYears is how long connection logs are kept at most.
	ConnectionLogYears = 1
	// WarnBefore is how long before their portfolio's purge a pupil who left is told.
	WarnBefore = 30 * 24 * time.Hour
	// ExportDays is how long a personal data export may be downloaded.
	ExportDays = 7
	// ReportDays is how many days of the report the console page shows.
	ReportDays = 30
	// reportKeep is how long the report's rows are kept.
	reportKeep = 1 // year
)

// Kind is one kind of data and its retention, as the région's page shows it.
type Kind struct {
	Code     string // the report's kind
	Label    string // what it is, in French
	Duration string // how long it is kept, in French
	Basis    string // why: the legal basis or the decision, in French
	Applied  string // which periodic work applies it, in French
	Files    bool   // the report counts bytes of files for it
}

// Kinds lists every kind of data with its retention, in the order the page shows them.
// Deleted establishments' duration is the platform's setting (the page says its value).
var Kinds = []Kind{
	{Code: KindAccounts, Label: "Comptes et données des personnes parties", Duration: "3 mois après le départ (fin de l'inscription ou de l'affectation)",
		Basis:   "Arrêté du 30 novembre 2006 relatif aux ENT, art. 6 : données supprimées au plus tard trois mois après que la personne n'a plus besoin de l'ENT",
		Applied: "Purge quotidienne des personnes parties (annuaire), avec leurs lignes dans chaque module et leur identité de connexion"},
	{Code: KindPortfolio, Label: "Portfolios des élèves partis", Duration: "Jusqu'à la purge du compte (3 mois après le départ) ; l'élève et ses responsables légaux sont prévenus 30 jours avant",
		Basis: "Arrêté du 30 novembre 2006, art. 6 ; l'élève peut auparavant télécharger ses travaux (export « Mes données personnelles », droit à la portabilité, RGPD art. 20) " +
			"ou les emporter dans son nouvel établissement (transfert)",
		Applied: "Avertissement quotidien des élèves partis, puis purge du portfolio avec le compte", Files: true},
	{Code: KindConnections, Label: "Journaux de connexion", Duration: "1 an au plus",
		Basis:   "Arrêté du 30 novembre 2006, art. 6 et recommandation de la CNIL sur la journalisation : traces de connexion conservées un an au plus",
		Applied: "Purge quotidienne des connexions de plus d'un an (comptage d'usage de la facturation)"},
	{Code: KindLaunches, Label: "Journal des ouvertures de ressources numériques", Duration: "1 an au plus",
		Basis:   "Comme les journaux de connexion : traces d'usage conservées un an au plus (statistiques d'usage des licences)",
		Applied: "Synchronisation nocturne des licences, qui supprime les ouvertures de plus d'un an"},
	{Code: KindRegister, Label: "Registre d'appel", Duration: "10 ans après la fin de l'année scolaire",
		Basis:   "Code de l'éducation, art. R131-5 (registre d'appel obligatoire) ; durée de conservation de 10 ans des archives des EPLE",
		Applied: "Archivage quotidien du registre (années closes en lecture seule), puis suppression des années conservées 10 ans"},
	{Code: KindMessages, Label: "Messages de la messagerie", Duration: "Durée choisie par l'établissement (3 ans par défaut, de 1 à 10 ans) après l'envoi",
		Basis:   "Choix du chef d'établissement, responsable du traitement (RGPD art. 5.1.e, limitation de la conservation)",
		Applied: "Purge quotidienne des messages après leur durée de conservation, et de ceux que plus personne ne détient", Files: true},
	{Code: KindExports, Label: "Exports de données personnelles", Duration: "7 jours après leur préparation",
		Basis:   "Le temps de les télécharger (droit d'accès et de portabilité, RGPD art. 15 et 20) ; une copie complète ne reste pas sur la plateforme",
		Applied: "Suppression des exports expirés", Files: true},
	{Code: KindEstablishments, Label: "Établissements supprimés", Duration: "La durée de conservation de la plateforme après la suppression, puis effacement définitif",
		Basis:   "Décision de la région (restauration possible en cas d'erreur pendant ce délai)",
		Applied: "Purge quotidienne des établissements supprimés (schéma, rôle, fichiers)"},
}

// kindOf finds a kind by its code.
func kindOf(code string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Code == code {
			return k, true
		}
	}
	return Kind{}, false
}
