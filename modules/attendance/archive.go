package attendance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/csvout"
	"github.com/cartable-ent/cartable/web/fault"
)

// KeepYears is how long the registre d'appel is kept after its school year (DOMAIN.md).
const KeepYears = 10

// YearArchive is one closed school year of the registre d'appel.
type YearArchive struct {
	SchoolYear         string
	StartsOn, EndsOn   time.Time
	ArchivedAt         time.Time
	KeepUntil          time.Time
	Registers, Entries int
}

// ArchiveResult is what one run of the archival did in an establishment.
type ArchiveResult struct {
	Closed []string // school years archived now
	Purged []string // school years deleted, their ten years past
	// PurgedRegisters counts the archived registers of the years deleted (retention's report).
	PurgedRegisters int
}

// ArchiveYears closes every school year ended before now's date: its taken registers and
// the pupils not present at them are copied, names included, into the archive, which is
// read-only from then on (the database refuses to change it), and the year's rolls,
// decisions and justifications are refused. Years whose keeping period ended are deleted,
// archive and live rows. One transaction per establishment: a crash archives nothing.
func (s *Service) ArchiveYears(ctx context.Context, t *tenant.Tenant, now time.Time) (ArchiveResult, error) {
	var res ArchiveResult
	today := day(now.In(s.now().Location())).Format(dateLayout)
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var ended []struct {
			Code             string
			StartsOn, EndsOn time.Time
		}
		if err := tx.Raw(`SELECT code, starts_on, ends_on FROM school_years y
			WHERE ends_on < ?::date AND NOT EXISTS (SELECT 1 FROM register_archives a WHERE a.school_year = y.code)
			ORDER BY starts_on`, today).Scan(&ended).Error; err != nil {
			return fmt.Errorf("ended school years: %w", err)
		}
		for _, y := range ended {
			if err := tx.Exec(`SELECT archive_register_rows(ARRAY(SELECT id FROM registers WHERE on_date BETWEEN ? AND ? AND taken_at IS NOT NULL), NULL)`,
				y.StartsOn, y.EndsOn).Error; err != nil {
				return fmt.Errorf("archive %s: %w", y.Code, err)
			}
			if err := tx.Exec(`INSERT INTO register_archives (school_year, starts_on, ends_on, archived_at, keep_until, registers, entries)
				SELECT ?, ?, ?, ?, (?::date + make_interval(years => ?))::date,
					(SELECT count(*) FROM archived_registers WHERE school_year = ?), (SELECT count(*) FROM archived_register_entries WHERE school_year = ?)`,
				y.Code, y.StartsOn, y.EndsOn, now, y.EndsOn, KeepYears, y.Code, y.Code).Error; err != nil {
				return fmt.Errorf("close %s: %w", y.Code, err)
			}
			res.Closed = append(res.Closed, y.Code)
		}
		var past []YearArchive
		if err := tx.Raw(`SELECT school_year, starts_on, ends_on, registers FROM register_archives WHERE keep_until < ?::date ORDER BY starts_on`, today).
			Scan(&past).Error; err != nil {
			return fmt.Errorf("expired archives: %w", err)
		}
		for _, y := range past {
			if err := purgeYear(tx, y); err != nil {
				return fmt.Errorf("purge %s: %w", y.SchoolYear, err)
			}
			res.Purged = append(res.Purged, y.SchoolYear)
			res.PurgedRegisters += y.Registers
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("attendance: archive the registers of %s: %w", t.UAI, err)
	}
	return res, nil
}

// purgeYear deletes a school year kept its ten years: its live rows first (their archive
// triggers find the year closed and copy nothing), then its archive, which the database
// lets go only for the year named in cartable.archive_purge.
func purgeYear(tx *gorm.DB, y YearArchive) error {
	for _, q := range []string{
		`DELETE FROM absences WHERE on_date BETWEEN ? AND ?`,
		`DELETE FROM registers WHERE on_date BETWEEN ? AND ?`,
	} {
		if err := tx.Exec(q, y.StartsOn, y.EndsOn).Error; err != nil {
			return err
		}
	}
	if err := tx.Exec(`SELECT set_config('cartable.archive_purge', ?, true)`, y.SchoolYear).Error; err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM archived_register_entries WHERE school_year = ?`,
		`DELETE FROM archived_registers WHERE school_year = ?`,
		`DELETE FROM register_archives WHERE school_year = ?`,
	} {
		if err := tx.Exec(q, y.SchoolYear).Error; err != nil {
			return err
		}
	}
	return tx.Exec(`SELECT set_config('cartable.archive_purge', '', true)`).Error
}

// Archives lists the closed school years of the registre d'appel, the latest first.
func (s *Service) Archives(ctx context.Context, t *tenant.Tenant, a Actor) ([]YearArchive, error) {
	if !a.Processes() {
		return nil, errNotYours
	}
	var out []YearArchive
	err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT school_year, starts_on, ends_on, archived_at, keep_until, registers, entries
			FROM register_archives ORDER BY starts_on DESC`).Scan(&out).Error
	})
	return out, err
}

// archiveHeader is the archived registre's CSV header.
var archiveHeader = []string{"Date", "Début", "Fin", "Classe", "Matière", "Enseignants", "Appel", "Appel fait le", "Appel fait par",
	"Élèves", "Élève", "Né(e) le", "Statut", "Minutes de retard", "Motif", "État"}

// WriteArchiveCSV writes a closed year's registre d'appel as CSV (UTF-8 with BOM, ";"):
// one line per pupil not present at a register, and one per register where everybody was.
func (s *Service) WriteArchiveCSV(ctx context.Context, t *tenant.Tenant, a Actor, year string, w io.Writer) error {
	if !a.Processes() {
		return errNotYours
	}
	return s.read(ctx, t, func(st store) error {
		var n int64
		if err := st.tx.Raw(`SELECT count(*) FROM register_archives WHERE school_year = ?`, year).Scan(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fault.New(fault.ErrNotFound, "l'année %s n'est pas archivée", year)
		}
		rows, err := st.tx.Raw(`SELECT r.on_date, to_char(r.starts_at, 'HH24:MI'), to_char(r.ends_at, 'HH24:MI'), r.class_label, r.subject_label, r.teachers,
				r.kind, r.taken_at, r.taken_by, r.pupils, coalesce(e.pupil, ''), e.birth_date, coalesce(e.status, ''), coalesce(e.minutes, 0),
				coalesce(e.motif, ''), coalesce(e.state, '')
			FROM archived_registers r LEFT JOIN archived_register_entries e ON e.register_id = r.id
			WHERE r.school_year = ? ORDER BY r.on_date, r.starts_at, r.class_label, e.pupil`, year).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
		out := csvout.NewWriter(w, ';')
		out.Write(archiveHeader)
		for rows.Next() {
			var onDate, takenAt time.Time
			var birth *time.Time
			var start, end, class, subject, teachers, kind, takenBy, pupil, status, motif, state string
			var pupils, minutes int
			if err := rows.Scan(&onDate, &start, &end, &class, &subject, &teachers, &kind, &takenAt, &takenBy, &pupils, &pupil, &birth,
				&status, &minutes, &motif, &state); err != nil {
				return err
			}
			born := ""
			if birth != nil {
				born = birth.Format("02/01/2006")
			}
			out.Write([]string{onDate.Format("02/01/2006"), start, end, class, subject, teachers, kindLabel(kind),
				takenAt.In(s.now().Location()).Format("02/01/2006 15:04"), takenBy, strconv.Itoa(pupils), pupil, born,
				statusLabel(status), strconv.Itoa(minutes), motif, stateLabel(state)})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return out.Flush()
	})
}

func kindLabel(kind string) string {
	if kind == "ponctuel" {
		return "ponctuel"
	}
	return "cours"
}

func statusLabel(s string) string {
	if s == "" {
		return "Tous présents"
	}
	return Status(s).Label()
}

func stateLabel(s string) string {
	if s == "" {
		return ""
	}
	return State(s).Label()
}

// closedYearCode is the SQLSTATE of closed_year_unchanged (migration 0016): a change to a
// register or an absence of an archived school year.
const closedYearCode = "CA001"

// closedYear turns the database's refusal to change an archived year into the French
// message it carries.
func closedYear(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == closedYearCode {
		return fault.New(fault.ErrConflict, "%s", pe.Message)
	}
	return err
}
