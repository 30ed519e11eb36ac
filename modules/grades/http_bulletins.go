package grades

// Report cards (bulletins): the pages and PDF downloads, and the few queries they need on
// top of the domain's ClassReports, ReportCard, SaveAppreciations, SaveCouncilComments and
// Publish.

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// ---------------------------------------------------------------------------------------
// Queries

// errBulletinClass hides the classes an actor has nothing to do with as if they did not exist.
var errBulletinClass = fault.New(fault.ErrNotFound, "classe introuvable, ou vous n'y enseignez pas")

// bulletinClass is a class (or group) of the current year as the report card pages need
// it, with what the actor may do there for one period.
type bulletinClass struct {
	ID          uuid.UUID
	Code        string
	Label       string
	Kind        string
	Subjects    []bulletinSubject // taught in the class, by label
	Principal   bool              // the actor is its professeur principal
	Oversees    bool              // the actor is direction (or an administrator)
	Published   bool              // its report cards of the period are published
	PublishedAt time.Time
}

// bulletinSubject is a subject taught in a class.
type bulletinSubject struct {
	Code  string
	Label string
	Mine  bool // the actor may write its appréciations in this class
}

// IsClass tells a class (division) from a group: report cards are per class.
func (bc *bulletinClass) IsClass() bool { return bc.Kind == "classe" }

// mayView tells whether the actor may see the class's report cards before publication.
func (bc *bulletinClass) mayView() bool {
	if bc.Oversees || bc.Principal {
		return true
	}
	for _, s := range bc.Subjects {
		if s.Mine {
			return true
		}
	}
	return false
}

// mayWriteCouncil tells whether the actor writes the conseil de classe's comments.
func (bc *bulletinClass) mayWriteCouncil() bool { return bc.Oversees || bc.Principal }

func loadBulletinClass(tx *gorm.DB, a Actor, classID, periodID uuid.UUID) (*bulletinClass, error) {
	var row struct {
		ID                uuid.UUID
		Code, Label, Kind string
	}
	if err := tx.Raw(`SELECT c.id, c.code, c.label, c.kind FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current
		WHERE c.id = ?`, classID).Scan(&row).Error; err != nil {
		return nil, fmt.Errorf("grades: load class %s: %w", classID, err)
	}
	if row.ID == uuid.Nil {
		return nil, errBulletinClass
	}
	bc := &bulletinClass{ID: row.ID, Code: row.Code, Label: row.Label, Kind: row.Kind, Oversees: a.Oversees()}
	if err := tx.Raw(`SELECT s.code, s.label, bool_or(te.teacher_id = ?) AS mine FROM teachings te JOIN subjects s ON s.code = te.subject_code
		WHERE te.class_id = ? GROUP BY s.code, s.label ORDER BY s.label, s.code`, a.PersonID, classID).Scan(&bc.Subjects).Error; err != nil {
		return nil, fmt.Errorf("grades: subjects of class %s: %w", classID, err)
	}
	for i := range bc.Subjects {
		bc.Subjects[i].Mine = bc.Subjects[i].Mine || bc.Oversees
	}
	var n int
	if err := tx.Raw(`SELECT count(*) FROM principal_teachers WHERE teacher_id = ? AND class_id = ?`, a.PersonID, classID).Scan(&n).Error; err != nil {
		return nil, fmt.Errorf("grades: principal of class %s: %w", classID, err)
	}
	bc.Principal = n > 0
	var pubs []struct{ PublishedAt time.Time }
	if err := tx.Raw(`SELECT published_at FROM report_publications WHERE period_id = ? AND class_id = ?`, periodID, classID).Scan(&pubs).Error; err != nil {
		return nil, fmt.Errorf("grades: publication of class %s: %w", classID, err)
	}
	if len(pubs) > 0 {
		bc.Published, bc.PublishedAt = true, pubs[0].PublishedAt
	}
	return bc, nil
}

// bulletinClassOf loads a class if allow accepts the actor there (otherwise: not found).
func (s *Service) bulletinClassOf(ctx context.Context, t *tenant.Tenant, a Actor, p *Period, classID uuid.UUID, allow func(*bulletinClass) bool) (*bulletinClass, error) {
	var bc *bulletinClass
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		if bc, err = loadBulletinClass(tx, a, classID, p.ID); err == nil && !allow(bc) {
			err = errBulletinClass
		}
		return err
	})
	return bc, err
}

// bulletinClassReports loads a class and its report cards of the period if allow accepts
// the actor there (otherwise: not found).
func (s *Service) bulletinClassReports(ctx context.Context, t *tenant.Tenant, a Actor, p *Period, classID uuid.UUID, allow func(*bulletinClass) bool) (*bulletinClass, []PupilReport, error) {
	var bc *bulletinClass
	var reports []PupilReport
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		if bc, err = loadBulletinClass(tx, a, classID, p.ID); err != nil {
			return err
		}
		if !allow(bc) {
			return errBulletinClass
		}
		reports, err = classReports(tx, classID, *p)
		return err
	})
	return bc, reports, err
}

// bulletinSubjectLabel returns the label of a subject, or not found.
func (s *Service) bulletinSubjectLabel(ctx context.Context, t *tenant.Tenant, code string) (string, error) {
	var labels []string
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT label FROM subjects WHERE code = ?`, code).Scan(&labels).Error
	})
	if err != nil {
		return "", fmt.Errorf("grades: subject %s: %w", code, err)
	}
	if len(labels) == 0 {
		return "", fault.New(fault.ErrNotFound, "la matière « %s » n'existe pas", code)
	}
	return labels[0], nil
}

// bulletinReportCard is one pupil's report card as ReportCard gives it to the actor (pupils
// and legal guardians once published, the pupil's teachers and direction while it is being
// written); staff tells whether the actor reads it as staff rather than as family.
func (s *Service) bulletinReportCard(ctx context.Context, t *tenant.Tenant, a Actor, pupilID uuid.UUID, p *Period) (*PupilReport, bool, error) {
	r, err := s.ReportCard(ctx, t, a, pupilID, p)
	if err != nil {
		return nil, false, err
	}
	var view viewKind
	err = s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		view, err = s.access(tx, a, pupilID)
		return err
	})
	return r, view != viewFamily, err
}

// bulletinBoard is what the report cards' home page lists for someone.
type bulletinBoard struct {
	Periods   []Period
	Pupils    []bulletinBoardPupil // the pupil themself, or a guardian's legal children
	Classes   []bulletinBoardClass // staff: the classes they teach or lead; direction: every class
	published map[[2]uuid.UUID]time.Time
}

type bulletinBoardPupil struct {
	ID         uuid.UUID
	FirstName  string
	LastName   string
	ClassID    *uuid.UUID
	ClassLabel *string
}

type bulletinBoardClass struct {
	ID        uuid.UUID
	Code      string
	Label     string
	Kind      string
	Subjects  []bulletinSubject // the actor's, for the appréciations
	Principal bool
}

func (b *bulletinBoard) isPublished(periodID, classID uuid.UUID) bool {
	_, ok := b.published[[2]uuid.UUID{periodID, classID}]
	return ok
}

// bulletinBoardOf loads the periods, the pupils whose report cards the actor reads as pupil
// or legal guardian, and (staff) the classes they work on.
func (s *Service) bulletinBoardOf(ctx context.Context, t *tenant.Tenant, a Actor, staff bool) (*bulletinBoard, error) {
	periods, err := s.Periods(ctx, t)
	if err != nil {
		return nil, err
	}
	b := &bulletinBoard{Periods: periods, published: map[[2]uuid.UUID]time.Time{}}
	err = s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		self := uuid.Nil
		if hasRole(a, identity.RoleEleve) {
			self = a.PersonID
		}
		if self != uuid.Nil || hasRole(a, identity.RoleResponsable) {
			if err := tx.Raw(`SELECT p.id, p.first_name, p.last_name, c.id AS class_id, c.label AS class_label FROM people p
				LEFT JOIN LATERAL (SELECT c.id, c.label FROM classes c JOIN class_members m ON m.class_id = c.id
					JOIN school_years y ON y.code = c.school_year AND y.current
					WHERE m.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1) c ON true
				WHERE p.active AND p.category = 'eleve'
					AND (p.id = ? OR p.id IN (SELECT pupil_id FROM guardianships WHERE guardian_id = ? AND legal))
				ORDER BY lower(p.last_name), lower(p.first_name)`, self, a.PersonID).Scan(&b.Pupils).Error; err != nil {
				return fmt.Errorf("grades: pupils of %s: %w", a.PersonID, err)
			}
		}
		if staff {
			if err := loadBulletinBoardClasses(tx, a, b); err != nil {
				return err
			}
		}
		var pubs []struct {
			PeriodID, ClassID uuid.UUID
			PublishedAt       time.Time
		}
		if err := tx.Raw(`SELECT period_id, class_id, published_at FROM report_publications`).Scan(&pubs).Error; err != nil {
			return fmt.Errorf("grades: publications: %w", err)
		}
		for _, p := range pubs {
			b.published[[2]uuid.UUID{p.PeriodID, p.ClassID}] = p.PublishedAt
		}
		return nil
	})
	return b, err
}

func loadBulletinBoardClasses(tx *gorm.DB, a Actor, b *bulletinBoard) error {
	var rows []struct {
		ID                uuid.UUID
		Code, Label, Kind string
	}
	current := `SELECT c.id, c.code, c.label, c.kind FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current`
	if a.Oversees() {
		if err := tx.Raw(current + ` WHERE c.kind = 'classe' ORDER BY c.code`).Scan(&rows).Error; err != nil {
			return fmt.Errorf("grades: classes: %w", err)
		}
	} else if err := tx.Raw(current+`
		WHERE c.id IN (SELECT class_id FROM teachings WHERE teacher_id = ?) OR c.id IN (SELECT class_id FROM principal_teachers WHERE teacher_id = ?)
		ORDER BY c.kind, c.code`, a.PersonID, a.PersonID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("grades: classes of %s: %w", a.PersonID, err)
	}
	var subjects []struct {
		ClassID     uuid.UUID
		Code, Label string
	}
	if err := tx.Raw(`SELECT te.class_id, s.code, s.label FROM teachings te JOIN subjects s ON s.code = te.subject_code
		WHERE te.teacher_id = ? ORDER BY s.label`, a.PersonID).Scan(&subjects).Error; err != nil {
		return fmt.Errorf("grades: teachings of %s: %w", a.PersonID, err)
	}
	var principal []uuid.UUID
	if err := tx.Raw(`SELECT class_id FROM principal_teachers WHERE teacher_id = ?`, a.PersonID).Scan(&principal).Error; err != nil {
		return fmt.Errorf("grades: principal classes of %s: %w", a.PersonID, err)
	}
	for _, r := range rows {
		c := bulletinBoardClass{ID: r.ID, Code: r.Code, Label: r.Label, Kind: r.Kind}
		for _, s := range subjects {
			if s.ClassID == c.ID {
				c.Subjects = append(c.Subjects, bulletinSubject{Code: s.Code, Label: s.Label, Mine: true})
			}
		}
		for _, id := range principal {
			c.Principal = c.Principal || id == c.ID
		}
		b.Classes = append(b.Classes, c)
	}
	return nil
}

// ---------------------------------------------------------------------------------------
// What the pages and the PDF show

// reportView is a report card as shown, on screen and in the PDF: every figure already
// written the French way (12,50; "–" for no average).
type reportView struct {
	PupilID   uuid.UUID
	FirstName string
	LastName  string
	Class     string
	Period    Period
	Subjects  []reportSubjectView
	General   string
	ClassAvg  string // over the class's general averages
	ClassMin  string
	ClassMax  string
	Council   []string // bulletinParagraphs; empty: no comment yet
	Published bool
	Principal string
	Absences  string
}

type reportSubjectView struct {
	Label        string
	Coef         string
	Average      string
	ClassAvg     string
	ClassMin     string
	ClassMax     string
	Appreciation []string // bulletinParagraphs
}

// Name is the pupil's name as written on the report card: "Zoé Lefèvre".
func (r reportView) Name() string { return strings.TrimSpace(r.FirstName + " " + r.LastName) }

// Title is "Bulletin du 1er trimestre".
func (r reportView) Title() string { return "Bulletin du " + r.Period.Label() }

// Dates is "du 01/09/2026 au 30/11/2026".
func (r reportView) Dates() string { return bulletinPeriodDates(r.Period) }

func bulletinPeriodDates(p Period) string {
	return "du " + p.StartsOn.Format("02/01/2006") + " au " + p.EndsOn.Format("02/01/2006")
}

// AbsencesText is what the report card says of absences until attendance fills them.
func (r reportView) AbsencesText() string {
	if strings.TrimSpace(r.Absences) == "" {
		return "non renseignées"
	}
	return r.Absences
}

// PrincipalText names the professeur principal, or says there is none.
func (r reportView) PrincipalText() string {
	if r.Principal == "" {
		return "non désigné"
	}
	return r.Principal
}

func newReportView(r *PupilReport) reportView {
	v := reportView{PupilID: r.PupilID, FirstName: r.FirstName, LastName: r.LastName, Class: r.ClassLabel, Period: r.Period,
		General: French(r.General), ClassAvg: French(r.ClassStats.Avg), ClassMin: French(r.ClassStats.Min), ClassMax: French(r.ClassStats.Max),
		Council: bulletinParagraphs(r.Council), Published: r.Published, Principal: bulletinPrincipals(r.Principal), Absences: r.Absences}
	for _, s := range r.Subjects {
		v.Subjects = append(v.Subjects, reportSubjectView{Label: s.Label, Coef: s.Coef.Short(), Average: French(s.Average),
			ClassAvg: French(s.Class.Avg), ClassMin: French(s.Class.Min), ClassMax: French(s.Class.Max), Appreciation: bulletinParagraphs(s.Appreciation)})
	}
	return v
}

// bulletinPrincipals tidies "M. Martin, Mme Durand" (an empty title leaves a leading space).
func bulletinPrincipals(s string) string {
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// bulletinParagraphs splits a typed text into its non-empty lines.
func bulletinParagraphs(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// bulletinPeriodCode is T1, T2, T3 for trimestres, S1, S2 for semestres.
func bulletinPeriodCode(p Period) string {
	if p.Kind == KindSemestre {
		return fmt.Sprintf("S%d", p.Number)
	}
	return fmt.Sprintf("T%d", p.Number)
}

// reportJSON is a report card for the JSON API: figures as exact decimals with two places
// (12.50), null when there is no average.
func reportJSON(r *PupilReport) any {
	type stats struct {
		Average *reportDecimal `json:"average"`
		Min     *reportDecimal `json:"min"`
		Max     *reportDecimal `json:"max"`
		Count   int            `json:"count"`
	}
	type subject struct {
		Code         string         `json:"code"`
		Label        string         `json:"label"`
		Coefficient  reportDecimal  `json:"coefficient"`
		Average      *reportDecimal `json:"average"`
		Class        stats          `json:"class"`
		Appreciation string         `json:"appreciation"`
	}
	type period struct {
		ID         uuid.UUID `json:"id"`
		Label      string    `json:"label"`
		SchoolYear string    `json:"school_year"`
		Kind       string    `json:"kind"`
		Number     int       `json:"number"`
		StartsOn   string    `json:"starts_on"`
		EndsOn     string    `json:"ends_on"`
	}
	out := struct {
		PupilID   uuid.UUID      `json:"pupil_id"`
		FirstName string         `json:"first_name"`
		LastName  string         `json:"last_name"`
		ClassID   uuid.UUID      `json:"class_id"`
		Class     string         `json:"class"`
		Period    period         `json:"period"`
		Subjects  []subject      `json:"subjects"`
		General   *reportDecimal `json:"general_average"`
		ClassGen  stats          `json:"class_general"`
		Council   string         `json:"council_comment"`
		Published bool           `json:"published"`
		Principal string         `json:"principal_teacher"`
		Absences  *string        `json:"absences"` // null until attendance fills it
	}{
		PupilID: r.PupilID, FirstName: r.FirstName, LastName: r.LastName, ClassID: r.ClassID, Class: r.ClassLabel,
		Period: period{ID: r.Period.ID, Label: r.Period.Label(), SchoolYear: r.Period.SchoolYear, Kind: r.Period.Kind, Number: r.Period.Number,
			StartsOn: r.Period.StartsOn.Format("2006-01-02"), EndsOn: r.Period.EndsOn.Format("2006-01-02")},
		Subjects: []subject{}, General: reportDecimalOf(r.General), Council: r.Council, Published: r.Published, Principal: bulletinPrincipals(r.Principal),
	}
	statsOf := func(s Stats) stats {
		return stats{reportDecimalOf(s.Avg), reportDecimalOf(s.Min), reportDecimalOf(s.Max), s.Count}
	}
	out.ClassGen = statsOf(r.ClassStats)
	if r.Absences != "" {
		out.Absences = &r.Absences
	}
	for _, s := range r.Subjects {
		out.Subjects = append(out.Subjects, subject{Code: s.Code, Label: cmp.Or(s.Label, s.Code), Coefficient: reportDecimal(s.Coef), Average: reportDecimalOf(s.Average),
			Class: statsOf(s.Class), Appreciation: s.Appreciation})
	}
	return out
}

// reportDecimal is a value with two decimals written as a JSON number: 12.50.
type reportDecimal Hundredths

// MarshalJSON writes the exact decimal as a string ("12.50"), like the marks API: never
// through a float.
func (d reportDecimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strings.Replace(Hundredths(d).String(), ",", ".", 1) + `"`), nil
}

func reportDecimalOf(r *big.Rat) *reportDecimal {
	if r == nil {
		return nil
	}
	d := reportDecimal(Round2(r))
	return &d
}

// ---------------------------------------------------------------------------------------
// Handlers

// bulletinCtx is what every report card route starts from.
type bulletinCtx struct {
	ctx    context.Context
	tenant *tenant.Tenant
	viewer *identity.Viewer
	actor  Actor
	period *Period
	base   string // /bulletins/<period>
}

func bulletinRender(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

func bulletinUUID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "adresse inconnue")
	}
	return id, nil
}

// bulletinStart reads the viewer and the :period of the address.
func (h *Handler) bulletinStart(c echo.Context) (*bulletinCtx, error) {
	bc := &bulletinCtx{ctx: c.Request().Context(), tenant: web.TenantOf(c), viewer: identity.ViewerOf(c)}
	bc.actor = ActorOf(bc.viewer)
	id, err := bulletinUUID(c, "period")
	if err != nil {
		return nil, err
	}
	if bc.period, err = h.svc.PeriodByID(bc.ctx, bc.tenant, id); err != nil {
		return nil, err
	}
	bc.base = "/bulletins/" + bc.period.ID.String()
	return bc, nil
}

// classURL is the overview of a class's report cards for the period.
func (bc *bulletinCtx) classURL(classID uuid.UUID) string {
	return bc.base + "/classes/" + classID.String()
}

// classOfRequest reads :class and loads it if allow accepts the actor there; with reports,
// it also computes the class's report cards.
func (h *Handler) bulletinClassOfRequest(c echo.Context, bc *bulletinCtx, withReports bool, allow func(*bulletinClass) bool) (*bulletinClass, []PupilReport, error) {
	classID, err := bulletinUUID(c, "class")
	if err != nil {
		return nil, nil, err
	}
	if !withReports {
		cl, err := h.svc.bulletinClassOf(bc.ctx, bc.tenant, bc.actor, bc.period, classID, allow)
		return cl, nil, err
	}
	return h.svc.bulletinClassReports(bc.ctx, bc.tenant, bc.actor, bc.period, classID, allow)
}

func bulletinMayView(b *bulletinClass) bool { return b.IsClass() && b.mayView() }

type bulletinHomePupil struct {
	Name    string
	Class   string
	Periods []bulletinHomePeriodOfPupil
}

type bulletinHomePeriodOfPupil struct {
	Label     string
	Published bool
	URL       string // the report card page
}

type bulletinHomePeriod struct {
	Label   string
	Dates   string
	Classes []bulletinHomeClass
}

type bulletinHomeClass struct {
	Label         string
	IsClass       bool
	Published     bool
	URL           string // the class overview
	Appreciations []bulletinLink
	CouncilURL    string
}

type bulletinLink struct{ Text, URL string }

// bulletinsHome lists the published report cards of a pupil (or of a guardian's legal
// children) per period, and for staff the periods × their classes.
func (h *Handler) bulletinsHome(c echo.Context) error {
	v := identity.ViewerOf(c)
	a := ActorOf(v)
	staff := v.Can(identity.PermMarksTeach)
	b, err := h.svc.bulletinBoardOf(c.Request().Context(), web.TenantOf(c), a, staff)
	if err != nil {
		return err
	}
	var pupils []bulletinHomePupil
	for _, p := range b.Pupils {
		hp := bulletinHomePupil{Name: strings.TrimSpace(p.FirstName + " " + p.LastName)}
		if p.ClassLabel != nil {
			hp.Class = *p.ClassLabel
		}
		for _, per := range b.Periods {
			pp := bulletinHomePeriodOfPupil{Label: per.Label()}
			if p.ClassID != nil && b.isPublished(per.ID, *p.ClassID) {
				pp.Published, pp.URL = true, "/bulletins/"+per.ID.String()+"/eleves/"+p.ID.String()
			}
			hp.Periods = append(hp.Periods, pp)
		}
		pupils = append(pupils, hp)
	}
	var periods []bulletinHomePeriod
	if staff {
		for _, per := range b.Periods {
			hp := bulletinHomePeriod{Label: per.Label(), Dates: bulletinPeriodDates(per)}
			base := "/bulletins/" + per.ID.String() + "/classes/"
			for _, cl := range b.Classes {
				hc := bulletinHomeClass{Label: cl.Label, IsClass: cl.Kind == "classe", Published: b.isPublished(per.ID, cl.ID)}
				if hc.IsClass {
					hc.URL = base + cl.ID.String()
				}
				for _, s := range cl.Subjects {
					hc.Appreciations = append(hc.Appreciations, bulletinLink{Text: s.Label, URL: base + cl.ID.String() + "/appreciations/" + url.PathEscape(s.Code)})
				}
				if cl.Principal && hc.IsClass {
					hc.CouncilURL = base + cl.ID.String() + "/conseil"
				}
				hp.Classes = append(hp.Classes, hc)
			}
			periods = append(periods, hp)
		}
	}
	family := hasRole(a, identity.RoleEleve) || hasRole(a, identity.RoleResponsable)
	return bulletinRender(c, http.StatusOK, "bulletin_home.html", "Bulletins", map[string]any{
		"Pupils": pupils, "Periods": periods, "Staff": staff, "Oversees": a.Oversees(), "Family": family,
	})
}

// reportCardOf reads :id and returns that pupil's report card for the viewer.
func (h *Handler) bulletinCardOf(c echo.Context) (*bulletinCtx, *PupilReport, bool, error) {
	bc, err := h.bulletinStart(c)
	if err != nil {
		return nil, nil, false, err
	}
	pupilID, err := bulletinUUID(c, "id")
	if err != nil {
		return nil, nil, false, err
	}
	r, staff, err := h.svc.bulletinReportCard(bc.ctx, bc.tenant, bc.actor, pupilID, bc.period)
	return bc, r, staff, err
}

func (h *Handler) reportCard(c echo.Context) error {
	bc, r, staff, err := h.bulletinCardOf(c)
	if err != nil {
		return err
	}
	v := newReportView(r)
	data := map[string]any{"Card": v, "PDF": bc.base + "/eleves/" + r.PupilID.String() + "/pdf"}
	if staff && bc.viewer.Can(identity.PermMarksTeach) {
		data["ClassURL"] = bc.classURL(r.ClassID)
	}
	return bulletinRender(c, http.StatusOK, "bulletin_card.html", v.Title()+" – "+v.Name(), data)
}

func (h *Handler) reportCardPDF(c echo.Context) error {
	_, r, _, err := h.bulletinCardOf(c)
	if err != nil {
		return err
	}
	v := newReportView(r)
	name := "bulletin-" + strings.ToUpper(r.LastName) + "-" + r.FirstName + "-" + bulletinPeriodCode(r.Period) + ".pdf"
	return bulletinSendPDF(c, name, v.Title()+" – "+v.Name(), []reportView{v})
}

func (h *Handler) classBulletinsPDF(c echo.Context) error {
	bc, err := h.bulletinStart(c)
	if err != nil {
		return err
	}
	cl, reports, err := h.bulletinClassOfRequest(c, bc, true, bulletinMayView)
	if err != nil {
		return err
	}
	if len(reports) == 0 {
		return fault.New(fault.ErrNotFound, "la classe %s n'a aucun élève : pas de bulletin à imprimer", cl.Label)
	}
	cards := make([]reportView, len(reports))
	for i := range reports {
		cards[i] = newReportView(&reports[i])
	}
	name := "bulletins-" + cl.Label + "-" + bulletinPeriodCode(*bc.period) + ".pdf"
	return bulletinSendPDF(c, name, "Bulletins du "+bc.period.Label()+" – "+cl.Label, cards)
}

// bulletinSendPDF answers the report cards as a PDF download.
func bulletinSendPDF(c echo.Context, fileName, title string, cards []reportView) error {
	var buf bytes.Buffer
	if err := writeReportCardsPDF(&buf, web.TenantOf(c).Name, title, cards); err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Content-Disposition", bulletinDisposition(fileName))
	hd.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

// bulletinClassView is the class overview page.
type bulletinClassView struct {
	Class       *bulletinClass
	Period      string
	PublishedOn string
	Base        string // /bulletins/<period>/classes/<class>
	Pupils      []bulletinClassPupil
	Subjects    []bulletinClassSubject
	CouncilDone int
	CouncilURL  string
	General     string
	GeneralMin  string
	GeneralMax  string
	Notice      string
	Error       string // next to the confirmation box
}

type bulletinClassPupil struct {
	Name, Card, PDF string
	General         string
	Appreciations   string // "3 / 4"
	Council         bool
}

type bulletinClassSubject struct {
	Label string
	Done  int
	Total int    // pupils with the subject on their report card
	URL   string // entry page, if the viewer may write there
}

func (h *Handler) classBulletins(c echo.Context) error {
	return h.bulletinRenderClass(c, http.StatusOK, "")
}

// renderClass shows the class overview; errText goes next to the publication box.
func (h *Handler) bulletinRenderClass(c echo.Context, status int, errText string) error {
	bc, err := h.bulletinStart(c)
	if err != nil {
		return err
	}
	cl, reports, err := h.bulletinClassOfRequest(c, bc, true, bulletinMayView)
	if err != nil {
		return err
	}
	base := bc.classURL(cl.ID)
	v := bulletinClassView{Class: cl, Period: bc.period.Label(), Base: base, Error: errText,
		General: French(nil), GeneralMin: French(nil), GeneralMax: French(nil)}
	if cl.Published {
		v.PublishedOn = cl.PublishedAt.In(bulletinTZ).Format("02/01/2006 à 15:04")
	}
	if cl.mayWriteCouncil() && !cl.Published {
		v.CouncilURL = base + "/conseil"
	}
	switch c.QueryParam("ok") {
	case "publie":
		v.Notice = "Les bulletins sont publiés : les élèves et leurs responsables légaux peuvent les consulter."
	case "retire":
		v.Notice = "La publication est retirée : les bulletins ne sont plus visibles des élèves ni des familles."
	}
	idx := map[string]int{}
	addSubject := func(code, label string, mine bool) int {
		idx[code] = len(v.Subjects)
		cs := bulletinClassSubject{Label: label}
		if mine && !cl.Published {
			cs.URL = base + "/appreciations/" + url.PathEscape(code)
		}
		v.Subjects = append(v.Subjects, cs)
		return idx[code]
	}
	for _, s := range cl.Subjects {
		addSubject(s.Code, s.Label, s.Mine)
	}
	for _, r := range reports {
		done, total := 0, 0
		for _, s := range r.Subjects {
			i, ok := idx[s.Code]
			if !ok { // taught in a group: direction may still write its appréciations here
				i = addSubject(s.Code, s.Label, cl.Oversees)
			}
			v.Subjects[i].Total++
			total++
			if s.Appreciation != "" {
				v.Subjects[i].Done++
				done++
			}
		}
		if r.Council != "" {
			v.CouncilDone++
		}
		card := bc.base + "/eleves/" + r.PupilID.String()
		v.Pupils = append(v.Pupils, bulletinClassPupil{Name: r.LastName + " " + r.FirstName, Card: card, PDF: card + "/pdf", General: French(r.General),
			Appreciations: fmt.Sprintf("%d / %d", done, total), Council: r.Council != ""})
		v.General, v.GeneralMin, v.GeneralMax = French(r.ClassStats.Avg), French(r.ClassStats.Min), French(r.ClassStats.Max)
	}
	return bulletinRender(c, status, "bulletin_class.html", "Bulletins du "+bc.period.Label()+" – "+cl.Label, v)
}

// bulletinTZ is the establishments' time zone (dates shown to users).
var bulletinTZ = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()

// bulletinSheet is an entry page of one text per pupil: appréciations of a subject, or the
// conseil de classe's comments.
type bulletinSheet struct {
	Class     *bulletinClass
	Period    string
	Back      string
	Subject   string // label; empty for the conseil de classe
	Field     string // the name prefix of the text fields
	Action    string
	Rows      []bulletinSheetRow
	Published bool
	Average   string // what Average means: "Moyenne" (subject) or "Moyenne générale"
	ClassAvg  string // the class figures shown above the table
	ClassMin  string
	ClassMax  string
	Max       int // characters per text
	Notice    string
	Error     string
}

type bulletinSheetRow struct {
	ID       uuid.UUID
	Name     string
	Average  string
	ClassAvg string
	Text     string
	Error    string
}

const (
	bulletinAppreciationField = "appreciation-"
	bulletinCouncilField      = "avis-"
)

// bulletinTexts reads the fields prefix<pupil id> of the form.
func bulletinTexts(c echo.Context, prefix string) (map[uuid.UUID]string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, web.BadRequest(err)
	}
	out := map[uuid.UUID]string{}
	for k, vals := range form {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || len(vals) == 0 {
			continue
		}
		id, err := uuid.Parse(rest)
		if err != nil {
			return nil, fault.Invalidf(k, "champ « %s » inconnu", k)
		}
		out[id] = vals[0]
	}
	return out, nil
}

func (h *Handler) appreciationsPage(c echo.Context) error {
	return h.bulletinAppreciations(c, nil, nil)
}

func (h *Handler) saveAppreciations(c echo.Context) error {
	bc, err := h.bulletinStart(c)
	if err != nil {
		return err
	}
	classID, err := bulletinUUID(c, "class")
	if err != nil {
		return err
	}
	texts, err := bulletinTexts(c, bulletinAppreciationField)
	if err != nil {
		return err
	}
	err = h.svc.SaveAppreciations(bc.ctx, bc.tenant, bc.actor, bc.period, classID, c.Param("subject"), texts)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?ok=1")
	}
	return h.bulletinAppreciations(c, texts, err)
}

// appreciations shows the appréciations of a subject in a class or group (its teacher, or
// direction); after a refused save, what was typed and the errors.
func (h *Handler) bulletinAppreciations(c echo.Context, typed map[uuid.UUID]string, saveErr error) error {
	bc, err := h.bulletinStart(c)
	if err != nil {
		return err
	}
	code := c.Param("subject")
	cl, reports, err := h.bulletinClassOfRequest(c, bc, true, func(b *bulletinClass) bool {
		for _, s := range b.Subjects {
			if s.Code == code && s.Mine {
				return true
			}
		}
		return b.Oversees
	})
	if err != nil {
		return err
	}
	label, err := h.svc.bulletinSubjectLabel(bc.ctx, bc.tenant, code)
	if err != nil {
		return err
	}
	sheet := bulletinSheet{Class: cl, Period: bc.period.Label(), Subject: label, Field: bulletinAppreciationField, Action: c.Request().URL.Path,
		Published: cl.Published, Back: "/bulletins", Average: "Moyenne", Max: 1000,
		ClassAvg: French(nil), ClassMin: French(nil), ClassMax: French(nil)}
	if cl.IsClass() && cl.mayView() {
		sheet.Back = bc.classURL(cl.ID)
	}
	for _, r := range reports {
		row := bulletinSheetRow{ID: r.PupilID, Name: r.LastName + " " + r.FirstName, Average: French(nil)}
		for _, s := range r.Subjects {
			if s.Code == code {
				row.Average, row.Text = French(s.Average), s.Appreciation
				sheet.ClassAvg, sheet.ClassMin, sheet.ClassMax = French(s.Class.Avg), French(s.Class.Min), French(s.Class.Max)
			}
		}
		sheet.Rows = append(sheet.Rows, row)
	}
	if c.QueryParam("ok") != "" {
		sheet.Notice = "Appréciations enregistrées."
	}
	status, err := sheet.apply(typed, saveErr)
	if err != nil {
		return err
	}
	return bulletinRender(c, status, "bulletin_texts.html", "Appréciations – "+label+" – "+cl.Label, sheet)
}

// apply shows a refused save: what was typed and the errors, nothing being saved. It
// returns the status of the page, or the error when the page cannot show it.
func (s *bulletinSheet) apply(typed map[uuid.UUID]string, saveErr error) (int, error) {
	if saveErr == nil {
		return http.StatusOK, nil
	}
	s.Notice = ""
	var fe FieldErrors
	var inv *fault.Invalid
	switch {
	case errors.As(saveErr, &fe):
		s.Error = "Rien n'a été enregistré : corrigez les appréciations signalées."
		if s.Subject == "" {
			s.Error = "Rien n'a été enregistré : corrigez les avis signalés."
		}
		for i := range s.Rows {
			s.Rows[i].Error = fe[s.Rows[i].ID.String()]
		}
	case errors.As(saveErr, &inv):
		s.Error = "Rien n'a été enregistré : " + inv.Message + "."
	case errors.Is(saveErr, fault.ErrConflict):
		// Published meanwhile: say so, and show the texts as they stand.
		s.Published, s.Error = true, "Rien n'a été enregistré : "+saveErr.Error()+"."
		return http.StatusConflict, nil
	default:
		return 0, saveErr
	}
	for i := range s.Rows {
		if t, ok := typed[s.Rows[i].ID]; ok {
			s.Rows[i].Text = t
		}
	}
	return http.StatusUnprocessableEntity, nil
}

func (h *Handler) councilPage(c echo.Context) error { return h.bulletinCouncil(c, nil, nil) }

func (h *Handler) saveCouncil(c echo.Context) error {
	bc, err := h.bulletinStart(c)
	if err != nil {
		return err
	}
	classID, err := bulletinUUID(c, "class")
	if err != nil {
		return err
	}
	texts, err := bulletinTexts(c, bulletinCouncilField)
	if err != nil {
		return err
	}
	err = h.svc.SaveCouncilComments(bc.ctx, bc.tenant, bc.actor, bc.period, classID, texts)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?ok=1")
	}
	return h.bulletinCouncil(c, texts, err)
}

// council shows the conseil de classe's comment of each pupil next to their general
// average (professeur principal of the class, or direction).
func (h *Handler) bulletinCouncil(c echo.Context, typed map[uuid.UUID]string, saveErr error) error {
	bc, err := h.bulletinStart(c)
	if err != nil {
		return err
	}
	cl, reports, err := h.bulletinClassOfRequest(c, bc, true, func(b *bulletinClass) bool { return b.IsClass() && b.mayWriteCouncil() })
	if err != nil {
		return err
	}
	sheet := bulletinSheet{Class: cl, Period: bc.period.Label(), Field: bulletinCouncilField, Action: c.Request().URL.Path, Published: cl.Published,
		Back: bc.classURL(cl.ID), Average: "Moyenne générale", Max: 2000, ClassAvg: French(nil), ClassMin: French(nil), ClassMax: French(nil)}
	for _, r := range reports {
		sheet.Rows = append(sheet.Rows, bulletinSheetRow{ID: r.PupilID, Name: r.LastName + " " + r.FirstName, Average: French(r.General), Text: r.Council})
		sheet.ClassAvg, sheet.ClassMin, sheet.ClassMax = French(r.ClassStats.Avg), French(r.ClassStats.Min), French(r.ClassStats.Max)
	}
	if c.QueryParam("ok") != "" {
		sheet.Notice = "Avis du conseil de classe enregistrés."
	}
	status, err := sheet.apply(typed, saveErr)
	if err != nil {
		return err
	}
	return bulletinRender(c, status, "bulletin_texts.html", "Conseil de classe – "+cl.Label, sheet)
}

// publish publishes the class's report cards of the period, once the confirmation box is
// ticked, or withdraws them (direction).
func (h *Handler) publish(c echo.Context) error {
	bc, err := h.bulletinStart(c)
	if err != nil {
		return err
	}
	cl, _, err := h.bulletinClassOfRequest(c, bc, false, func(b *bulletinClass) bool { return b.IsClass() && b.Oversees })
	if err != nil {
		return err
	}
	switch c.FormValue("action") {
	case "publier":
		if c.FormValue("confirmation") != "oui" {
			return h.bulletinRenderClass(c, http.StatusUnprocessableEntity, "Cochez la case pour confirmer : rien n'a été publié.")
		}
		if err := h.svc.Publish(bc.ctx, bc.tenant, bc.actor, bc.period, cl.ID, true); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, bc.classURL(cl.ID)+"?ok=publie")
	case "retirer":
		if err := h.svc.Publish(bc.ctx, bc.tenant, bc.actor, bc.period, cl.ID, false); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, bc.classURL(cl.ID)+"?ok=retire")
	}
	return fault.Invalidf("action", "action « %s » inconnue : publier ou retirer", c.FormValue("action"))
}

// ---------------------------------------------------------------------------------------
// Download names

// bulletinDisposition names a download: an ASCII file name for old clients, and the exact
// one (RFC 6266, RFC 5987) for the others.
func bulletinDisposition(name string) string {
	name = bulletinFileName(name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, bulletinASCII(name), bulletinRFC5987(name))
}

// bulletinFileName keeps letters, digits, dots, dashes and underscores; anything else
// (spaces, apostrophes, slashes…) becomes a dash.
func bulletinFileName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if !(r == '.' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			r = '-'
		}
		if r == '-' && dash {
			continue
		}
		dash = r == '-'
		b.WriteRune(r)
	}
	return strings.Trim(b.String(), "-")
}

// bulletinASCII drops the accents: "LEFÈVRE-Zoé" → "LEFEVRE-Zoe".
func bulletinASCII(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
		default:
			b.WriteString(map[rune]string{'œ': "oe", 'Œ': "OE", 'æ': "ae", 'Æ': "AE", 'ß': "ss"}[r])
		}
	}
	return b.String()
}

func bulletinRFC5987(s string) string {
	const keep = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(keep, s[i]) >= 0 {
			b.WriteByte(s[i])
		} else {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
	}
	return b.String()
}
