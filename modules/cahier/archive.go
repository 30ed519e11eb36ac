package cahier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gocloud.dev/blob"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// MaxArchiveBytes is the largest archive PDF of one class's year.
const MaxArchiveBytes = 64 << 20

// archivePDFs are the year-end archives of the cahiers de textes: PDFs under
// "cahier/archives/" (within the cahier's folder: SweepFiles knows their keys).
var archivePDFs = &files.Kind{Dir: "cahier/archives/", Types: []files.Type{files.PDF}, MaxBytes: MaxArchiveBytes,
	Noun: "l'archive du cahier de textes", Unnamed: "cahier-de-textes",
	Missing: "l'archive « %s » est introuvable dans le stockage",
	Altered: "l'archive « %s » a été altérée dans le stockage : elle n'est pas servie"}

// ArchiveTable is the archives' table as the establishment's file space counts them
// (migration 0027 tracks it): named with who archived them (none: the year-end job).
var ArchiveTable = files.Table{Name: "cahier_archives", Module: "Cahier de textes (archives)", Owner: "f.created_by"}

// errArchived is what a change to an archived class's séances, work or attachments gets:
// the database refuses it (migration 0027, SQLSTATE CAH01), whoever asks.
var errArchived = fault.New(fault.ErrConflict, "le cahier de textes de cette classe est archivé pour son année scolaire : "+
	"ses séances, son travail à faire et leurs pièces jointes ne se modifient plus")

// archivedRefusal turns the database's refusal of a change to an archived cahier into its
// French message.
func archivedRefusal(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "CAH01" {
		return errArchived
	}
	return err
}

// setArchiveBucket wires the archives' store on the attachments' bucket. Archives are
// counted in the file space (ArchiveTable) but not held to the quota: the year's record is
// kept whatever the space left.
func (s *Service) setArchiveBucket(b *blob.Bucket) {
	if b != nil {
		s.archives = files.NewStore(b, archivePDFs)
	}
}

// archived tells whether class's year is archived (its cahier is read-only).
func (st store) archived(class uuid.UUID) (bool, error) {
	var n int
	if err := st.tx.Raw(`SELECT count(*) FROM cahier_archives a JOIN classes c ON c.id = a.class_id AND c.school_year = a.school_year
		WHERE a.class_id = ?`, class).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("cahier: is %s archived: %w", class, err)
	}
	return n > 0, nil
}

// ClassArchived tells whether class's cahier is archived for its school year: its pages then
// offer no change (the database refuses them anyway, errArchived).
func (s *Service) ClassArchived(ctx context.Context, t *tenant.Tenant, class uuid.UUID) (bool, error) {
	var archived bool
	err := s.read(ctx, t, func(st store) error {
		var err error
		archived, err = st.archived(class)
		return err
	})
	return archived, err
}

// Archive is one class's archived year.
type Archive struct {
	ID          uuid.UUID
	ClassID     uuid.UUID
	ClassLabel  string
	SchoolYear  string
	Key         string `gorm:"column:blob_key"`
	Name        string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	Sessions    int
	CreatedAt   time.Time
}

// Href is the PDF's address.
func (a Archive) Href() string { return "/cahier/archives/" + a.ID.String() }

// SizeText is the PDF's size in French.
func (a Archive) SizeText() string { return fault.ByteSize(a.Size) }

// Created is when it was made, in French.
func (a Archive) Created() string { return frDay(a.CreatedAt.In(directory.SchoolZone)) }

func (a Archive) stored() files.Stored {
	return files.Stored{Key: a.Key, Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256}
}

const archiveColumns = `a.id, a.class_id, c.label AS class_label, a.school_year, a.blob_key, a.name, a.content_type, a.size, a.sha256,
	a.sessions, a.created_at`

// archivesSeen is the SQL condition that archive a is one actor @me may download: all for
// who browses every class (@all), their taught classes' for teachers.
const archivesSeen = `(@all OR a.class_id IN (` + teachesOf + `))`

// Archives lists the archived cahiers the actor may download, newest year first.
func (s *Service) Archives(ctx context.Context, t *tenant.Tenant, a Actor) ([]Archive, error) {
	var out []Archive
	err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT `+archiveColumns+` FROM cahier_archives a JOIN classes c ON c.id = a.class_id WHERE `+archivesSeen+`
			ORDER BY a.school_year DESC, c.kind, c.label`, map[string]any{"me": a.PersonID, "all": a.Browses()}).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("cahier: archives: %w", err)
	}
	return out, nil
}

// DownloadArchive opens an archive's PDF for whoever may see it (Archives), checked against
// its checksum as it is served (files.Serve, which closes it).
func (s *Service) DownloadArchive(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Archive, *files.Content, error) {
	var found []Archive
	err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT `+archiveColumns+` FROM cahier_archives a JOIN classes c ON c.id = a.class_id WHERE a.id = @id AND `+archivesSeen,
			map[string]any{"id": id, "me": a.PersonID, "all": a.Browses()}).Scan(&found).Error
	})
	if err != nil {
		return Archive{}, nil, fmt.Errorf("cahier: archive %s: %w", id, err)
	}
	if len(found) == 0 {
		return Archive{}, nil, notFound("archive")
	}
	if s.archives == nil {
		return Archive{}, nil, errNoStore
	}
	fc, err := s.archives.Open(ctx, t, found[0].stored())
	return found[0], fc, err
}

// YearToArchive is a school year the direction may archive: its classes with a cahier and
// how many of them are not archived yet.
type YearToArchive struct {
	Code     string
	StartsOn time.Time
	EndsOn   time.Time
	Current  bool
	Classes  int // classes and groups with séances or work
	Pending  int // of which not archived
}

// Ended tells whether the year is over at today.
func (y YearToArchive) Ended(today time.Time) bool { return y.EndsOn.Before(today) }

// EndsText is the year's last day in French.
func (y YearToArchive) EndsText() string { return frDay(y.EndsOn) }

// YearsToArchive are the school years with something to archive, the latest first.
func (s *Service) YearsToArchive(ctx context.Context, t *tenant.Tenant) ([]YearToArchive, error) {
	var out []YearToArchive
	err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT y.code, y.starts_on, y.ends_on, y.current, count(c.id) AS classes,
			count(c.id) FILTER (WHERE NOT EXISTS (SELECT 1 FROM cahier_archives a WHERE a.class_id = c.id AND a.school_year = y.code)) AS pending
			FROM school_years y JOIN classes c ON c.school_year = y.code
			WHERE EXISTS (SELECT 1 FROM cahier_sessions se WHERE se.class_id = c.id) OR EXISTS (SELECT 1 FROM cahier_work w WHERE w.class_id = c.id)
			GROUP BY y.code, y.starts_on, y.ends_on, y.current ORDER BY y.starts_on DESC`).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("cahier: years to archive: %w", err)
	}
	return out, nil
}

// ArchiveYear archives the cahier de textes of every class and group of school year code
// that has séances or work and no archive yet, as the actor (the direction's « Archiver
// l'année »; by Nil: the year-end job). It returns how many it archived; a class already
// archived is left as it is (once per class and year).
func (s *Service) ArchiveYear(ctx context.Context, t *tenant.Tenant, by uuid.UUID, code string) (int, error) {
	if s.archives == nil {
		return 0, errNoStore
	}
	var classes []uuid.UUID
	var years []string
	err := s.read(ctx, t, func(st store) error {
		if err := st.tx.Raw(`SELECT code FROM school_years WHERE code = ?`, code).Scan(&years).Error; err != nil {
			return err
		}
		return st.tx.Raw(`SELECT c.id FROM classes c WHERE c.school_year = ?
			AND (EXISTS (SELECT 1 FROM cahier_sessions se WHERE se.class_id = c.id) OR EXISTS (SELECT 1 FROM cahier_work w WHERE w.class_id = c.id))
			AND NOT EXISTS (SELECT 1 FROM cahier_archives a WHERE a.class_id = c.id AND a.school_year = c.school_year)
			ORDER BY c.kind, c.label`, code).Scan(&classes).Error
	})
	if err != nil {
		return 0, fmt.Errorf("cahier: classes to archive in %s: %w", code, err)
	}
	if len(years) == 0 {
		return 0, fault.Invalidf("annee", "Année scolaire : choisissez une année de la liste.")
	}
	n := 0
	for _, class := range classes {
		done, err := s.archiveClass(ctx, t, by, class)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// ArchiveEnded archives every ended school year's cahiers at now (the year-end job); it
// returns how many classes it archived. Running it again archives nothing more.
func (s *Service) ArchiveEnded(ctx context.Context, t *tenant.Tenant, now time.Time) (int, error) {
	var ended []string
	err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT code FROM school_years WHERE ends_on < ? ORDER BY starts_on`, day(now)).Scan(&ended).Error
	})
	if err != nil {
		return 0, fmt.Errorf("cahier: ended school years: %w", err)
	}
	n := 0
	for _, y := range ended {
		k, err := s.ArchiveYear(ctx, t, uuid.Nil, y)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// archiveClass writes the PDF of class's year and records it, unless it was archived
// meanwhile (then the PDF is removed and done is false).
func (s *Service) archiveClass(ctx context.Context, t *tenant.Tenant, by uuid.UUID, class uuid.UUID) (done bool, err error) {
	var doc archiveDoc
	if err := s.read(ctx, t, func(st store) error { return st.archiveDoc(t, class, &doc) }); err != nil {
		return false, err
	}
	doc.Made = s.now()
	var buf bytes.Buffer
	if err := writeArchivePDF(&buf, &doc); err != nil {
		return false, err
	}
	name := files.CleanName("Cahier de textes "+doc.Class+" "+doc.Year+".pdf", archivePDFs.Unnamed)
	c, err := archivePDFs.Check(name, buf.Bytes(), "archive")
	if err != nil {
		return false, fmt.Errorf("cahier: archive pdf of %s: %w", class, err)
	}
	var creator *uuid.UUID
	if by != uuid.Nil {
		creator = &by
	}
	errRace := errors.New("archived meanwhile")
	err = s.archives.Storing(ctx, t, []files.Checked{c}, func(stored []files.Stored) error {
		return s.write(ctx, t, func(st store) error {
			res := st.tx.Exec(`INSERT INTO cahier_archives (id, class_id, school_year, blob_key, name, content_type, size, sha256, sessions, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (class_id, school_year) DO NOTHING`,
				uuid.New(), class, doc.Year, stored[0].Key, c.Name, c.ContentType, c.Size, c.SHA256, doc.sessions(), creator, doc.Made)
			if res.Error != nil {
				return fmt.Errorf("cahier: record the archive of %s: %w", class, res.Error)
			}
			if res.RowsAffected == 0 {
				return errRace
			}
			return nil
		})
	})
	if errors.Is(err, errRace) {
		return false, nil
	}
	return err == nil, err
}

// archiveDoc reads what class's archive shows: its published séances by subject then date,
// with their links, attachments' names and work; the work set outside a séance; its visas.
func (st store) archiveDoc(t *tenant.Tenant, class uuid.UUID, d *archiveDoc) error {
	d.School = t.Name
	var heads []struct{ Label, SchoolYear string }
	if err := st.tx.Raw(`SELECT label, school_year FROM classes WHERE id = ?`, class).Scan(&heads).Error; err != nil {
		return fmt.Errorf("cahier: class %s: %w", class, err)
	}
	if len(heads) == 0 {
		return notFound("classe")
	}
	d.Class, d.Year = heads[0].Label, heads[0].SchoolYear
	var sessions []Session
	if err := st.tx.Raw(`SELECT `+sessionColumns+sessionFrom+`WHERE se.class_id = ? AND se.state = 'publie'
		ORDER BY subject_label, se.on_date, se.starts_at, se.id`, class).Scan(&sessions).Error; err != nil {
		return fmt.Errorf("cahier: séances of %s: %w", class, err)
	}
	var work []Work
	if err := st.tx.Raw(`SELECT `+workColumns+workFrom+`WHERE w.class_id = ? AND (w.session_id IS NULL OR EXISTS (
		SELECT 1 FROM cahier_sessions ws WHERE ws.id = w.session_id AND ws.state = 'publie')) ORDER BY w.due_on, w.id`, class).Scan(&work).Error; err != nil {
		return fmt.Errorf("cahier: work of %s: %w", class, err)
	}
	ids := make([]uuid.UUID, len(sessions))
	at := map[uuid.UUID]int{}
	for i := range sessions {
		if err := json.Unmarshal([]byte(sessions[i].LinksJSON), &sessions[i].Links); err != nil {
			return fmt.Errorf("cahier: links of %s: %w", sessions[i].ID, err)
		}
		ids[i], at[sessions[i].ID] = sessions[i].ID, i
	}
	fs, err := st.filesOf("session_id", ids)
	if err != nil {
		return err
	}
	for _, f := range fs {
		sessions[at[*f.SessionID]].Files = append(sessions[at[*f.SessionID]].Files, f)
	}
	wids := make([]uuid.UUID, len(work))
	wat := map[uuid.UUID]int{}
	for i := range work {
		wids[i], wat[work[i].ID] = work[i].ID, i
	}
	if fs, err = st.filesOf("work_id", wids); err != nil {
		return err
	}
	for _, f := range fs {
		work[wat[*f.WorkID]].Files = append(work[wat[*f.WorkID]].Files, f)
	}
	bySubject := map[string]int{}
	subject := func(code, label string) *archiveSubject {
		i, ok := bySubject[code]
		if !ok {
			i = len(d.Subjects)
			bySubject[code] = i
			d.Subjects = append(d.Subjects, archiveSubject{Label: label})
		}
		return &d.Subjects[i]
	}
	// The subjects in the database's order of their names (its collation sorts « É » with « E »).
	var order []Choice
	if err := st.tx.Raw(`SELECT x.code AS subject_code, coalesce(sub.label, x.code) AS subject_label FROM (
		SELECT subject_code AS code FROM cahier_sessions WHERE class_id = @class UNION SELECT subject_code FROM cahier_work WHERE class_id = @class) x
		LEFT JOIN subjects sub ON sub.code = x.code ORDER BY 2`, map[string]any{"class": class}).Scan(&order).Error; err != nil {
		return fmt.Errorf("cahier: subjects of %s: %w", class, err)
	}
	for _, o := range order {
		subject(o.SubjectCode, o.SubjectLabel)
	}
	for _, w := range work {
		if w.SessionID != uuid.Nil {
			if i, ok := at[w.SessionID]; ok {
				sessions[i].Work = append(sessions[i].Work, w)
			}
			continue
		}
		sub := subject(w.SubjectCode, w.SubjectLabel)
		sub.Loose = append(sub.Loose, w)
	}
	for _, se := range sessions {
		sub := subject(se.SubjectCode, se.SubjectLabel)
		sub.Sessions = append(sub.Sessions, se)
	}
	kept := d.Subjects[:0]
	for _, sub := range d.Subjects {
		if len(sub.Sessions)+len(sub.Loose) > 0 {
			kept = append(kept, sub)
		}
	}
	d.Subjects = kept
	d.Visas, err = st.visas(`v.class_id = @class`, map[string]any{"class": class})
	return err
}

// ArchiveCahiers is the daily job that archives the ended school years' cahiers de textes.
type ArchiveCahiers struct{}

// Kind names the job in River.
func (ArchiveCahiers) Kind() string { return "cahier_archive_years" }

// ArchiveJobs returns the cahier's year-end archival: once a day, in every establishment
// tenants lists, each class of a school year that has ended is archived as a PDF, once.
func (s *Service) ArchiveJobs(tenants jobs.TenantLister) *jobs.EachEstablishment[ArchiveCahiers] {
	return jobs.NewEachEstablishment[ArchiveCahiers]("Archivage des cahiers de textes des années scolaires terminées", 24*time.Hour, tenants,
		func(ctx context.Context, t *tenant.Tenant) error {
			_, err := s.ArchiveEnded(ctx, t, s.now())
			return err
		})
}
