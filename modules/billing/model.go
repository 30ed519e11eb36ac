// Package billing shares the platform's costs between the région and the départements that
// opted in: it meters what each establishment uses (metering.go), keeps the région's tariffs
// (tariffs.go), allocates each month's costs to their payers (alloc.go), closes a month and
// invoices the départements through Stripe (close.go, stripe.go), and follows the invoices'
// states from Stripe's webhooks (webhook.go). The consoles show it (http_*.go).
//
// Money is integer cents of euros everywhere (Cents); a rate is in basis points (1 % = 100).
package billing

import "time"

// Cents is an amount of money in euro cents.
type Cents int64

// RegionPayer is the région's payer code (organisations.code 'region'); a département's is
// its number ('33').
const RegionPayer = "region"

// Key is how the fixed platform cost of a month is split between its payers.
type Key string

// The keys the région may choose.
const (
	KeyActivePupils   Key = "eleves_actifs"  // share of the month's active pupils (default)
	KeyEstablishments Key = "etablissements" // share of establishment-months billed
	KeyAccounts       Key = "comptes"        // share of accounts that exist
)

// Tariff is one version of the région's prices, in force from EffectiveFrom (the first day of
// a month, Europe/Paris) until the next version's.
type Tariff struct {
	ID            int64
	EffectiveFrom time.Time // a date: the first of a month
	PlatformMonth Cents     // fixed platform cost per month, shared by Key
	PupilMonth    Cents     // per active pupil per month
	SchoolMonth   Cents     // per establishment per month
	GBMonth       Cents     // per GB-month (10^9 bytes over a whole month) of stored files
	VATBasis      int64     // VAT rate in basis points: 2000 = 20 %
	Key           Key
	CreatedBy     string
	CreatedAt     time.Time
}

// Usage is what one establishment used during a month, from the daily metering: the
// allocation's input for that establishment.
//
// A closed month's statements keep their establishments' usage as JSON (billing_statements
// .usage), in the snake case of the tags.
type Usage struct {
	UAI  string `json:"uai"`
	Name string `json:"name"`
	Kind string `json:"kind"` // tenants.kind: lycee, lycee-pro, lycee-agricole, erea, college
	// Payer is who pays for the establishment on the days it is billed: the région for its
	// lycées, the département for a collège (from its opt-in date, until its opt-out date).
	Payer string `json:"payer"`
	// BilledDays are the days of the month the payer pays for (a département opting in on the
	// 16th of a 30-day month: 15); DaysInMonth the month's length.
	BilledDays   int   `json:"billed_days"`
	DaysInMonth  int   `json:"days_in_month"`
	ActivePupils int   `json:"active_pupils"` // distinct pupils who signed in at least once during the month
	Accounts     int   `json:"accounts"`      // accounts that exist, the month's last metered day
	ByteDays     int64 `json:"byte_days"`     // sum over the month's days of the bytes stored that day
}

// Line is one line of a payer's statement: what it is for and how it was computed (kept as
// JSON in billing_statements.lines).
type Line struct {
	// Component is what the line charges for: ComponentSchool, ComponentPupils,
	// ComponentStorage (one of each per establishment) or ComponentPlatform.
	Component string `json:"component"`
	UAI       string `json:"uai"`     // "" for the platform's share
	Label     string `json:"label"`   // « Abonnement établissement — Lycée Montaigne »
	Formula   string `json:"formula"` // « 12,00 € × 15/30 jours »
	Amount    Cents  `json:"amount"`
}

// The components a line charges for, in the order of a statement's lines for an
// establishment, then the platform's share.
const (
	ComponentSchool   = "abonnement"
	ComponentPupils   = "eleves_actifs"
	ComponentStorage  = "stockage"
	ComponentPlatform = "plateforme"
)

// Statement is one payer's share of a month: every line, their total before VAT, the VAT and
// the total to pay. Lines add up to Net to the cent.
type Statement struct {
	Payer string
	Month time.Time // the first of the month
	Lines []Line
	Net   Cents
	VAT   Cents
	Gross Cents
}
