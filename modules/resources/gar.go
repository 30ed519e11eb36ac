package resources

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// The GAR-style export: the establishment's directory in the structure of the ENT feed of
// the GAR (Gestionnaire d'accès aux ressources), the access manager publishers' resources
// are reached through when an establishment uses one. Persons are named by an id that means
// nothing outside the export: HMAC(the establishment's export salt, person id), stable from
// one export to the next.

// GarNamespace is the XML namespace of the GAR's feeds.
const GarNamespace = "http://data.education.fr/ns/gar"

// GarFeed is the export's document.
type GarFeed struct {
	XMLName           xml.Name          `xml:"http://data.education.fr/ns/gar GAR-ENT"`
	Version           string            `xml:"Version,attr"`
	Etab              GarEtab           `xml:"GAREtab"`
	Eleves            []GarPerson       `xml:"GAREleve"`
	Enseignants       []GarPerson       `xml:"GAREnseignant"`
	PersonMEF         []GarPersonMEF    `xml:"GARPersonMEF"`
	Groupes           []GarGroupe       `xml:"GARGroupe"`
	PersonGroupes     []GarPersonGroupe `xml:"GARPersonGroupe"`
	EnsClasseMatieres []GarEnsMatiere   `xml:"GAREnsClasseMatiere"`
	EnsGroupeMatieres []GarEnsMatiere   `xml:"GAREnsGroupeMatiere"`
	Matieres          []GarMatiere      `xml:"GARMatiere"`
}

// GarEtab is the establishment.
type GarEtab struct {
	UAI string `xml:"GARStructureUAI"`
	Nom string `xml:"GARStructureNomCourant"`
}

// GarPerson is a pupil or a member of staff.
type GarPerson struct {
	ID      string      `xml:"GARPersonIdentifiant"`
	Profils []GarProfil `xml:"GARPersonProfils"`
	Nom     string      `xml:"GARPersonNom"`
	Prenom  string      `xml:"GARPersonPrenom"`
	Etab    string      `xml:"GARPersonEtab"`
	Rattach string      `xml:"GARPersonStructRattach"`
}

// GarProfil is a profile of a person in the establishment (National_elv, National_ens…).
type GarProfil struct {
	UAI    string `xml:"GARStructureUAI"`
	Profil string `xml:"GARPersonProfil"`
}

// GarPersonMEF is a pupil's MEF (module élémentaire de formation).
type GarPersonMEF struct {
	UAI  string `xml:"GARStructureUAI"`
	ID   string `xml:"GARPersonIdentifiant"`
	Code string `xml:"GARMEFCode"`
}

// GarGroupe is a class (DIVISION) or a group (GROUPE).
type GarGroupe struct {
	Code    string `xml:"GARGroupeCode"`
	UAI     string `xml:"GARStructureUAI"`
	Libelle string `xml:"GARGroupeLibelle"`
	Statut  string `xml:"GARGroupeStatut"`
}

// GarPersonGroupe is a member of a class or group.
type GarPersonGroupe struct {
	UAI    string `xml:"GARStructureUAI"`
	ID     string `xml:"GARPersonIdentifiant"`
	Groupe string `xml:"GARGroupeCode"`
}

// GarEnsMatiere is a subject a teacher teaches in a class or group.
type GarEnsMatiere struct {
	UAI     string `xml:"GARStructureUAI"`
	ID      string `xml:"GARPersonIdentifiant"`
	Groupe  string `xml:"GARGroupeCode"`
	Matiere string `xml:"GARMatiereCode"`
}

// GarMatiere is a subject.
type GarMatiere struct {
	UAI     string `xml:"GARStructureUAI"`
	Code    string `xml:"GARMatiereCode"`
	Libelle string `xml:"GARMatiereLibelle"`
}

// garProfile is the GAR's profile of a role.
func garProfile(r identity.Role) string {
	switch r {
	case identity.RoleEleve:
		return "National_elv"
	case identity.RoleEnseignant:
		return "National_ens"
	case identity.RoleDirection:
		return "National_dir"
	case identity.RoleVieScolaire:
		return "National_edu"
	case identity.RoleAdmin, identity.RolePersonnel:
		return "National_eta"
	}
	return ""
}

// GarSettings are the establishment's resource settings.
type GarSettings struct {
	ExternalManager bool
	ExportSalt      []byte
	UpdatedAt       time.Time
}

// garSettings reads the settings, made (with a fresh salt) on first need.
func (s *Service) garSettings(tx *gorm.DB) (*GarSettings, error) {
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("resources: export salt: %w", err)
	}
	if err := tx.Exec(`INSERT INTO resource_settings (id, external_manager, export_salt, updated_at) VALUES (true, false, ?, ?) ON CONFLICT (id) DO NOTHING`,
		salt, s.now()).Error; err != nil {
		return nil, fmt.Errorf("resources: make settings: %w", err)
	}
	var out GarSettings
	if err := tx.Raw(`SELECT external_manager, export_salt, updated_at FROM resource_settings`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("resources: read settings: %w", err)
	}
	return &out, nil
}

// garID is a person's id in the exports.
func garID(salt []byte, person uuid.UUID) string {
	m := hmac.New(sha256.New, salt)
	m.Write(person[:])
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// GarExport is one export, without its document.
type GarExport struct {
	ID          uuid.UUID
	RequestedBy *uuid.UUID
	Status      string // en_attente, pret, echec
	Persons     int
	Error       string
	CreatedAt   time.Time
	DoneAt      *time.Time
}

// StatusLabel is the export's state in French.
func (e GarExport) StatusLabel() string {
	switch e.Status {
	case "pret":
		return "Prêt"
	case "echec":
		return "Échec"
	}
	return "En cours de préparation"
}

// Created is when the export was asked for, in Paris time.
func (e GarExport) Created() string {
	return e.CreatedAt.In(directory.SchoolZone).Format("02/01/2006 15:04")
}

// GarPage is the managers' page: the setting and the exports, newest first.
type GarPage struct {
	ExternalManager bool
	Exports         []GarExport
}

const garKept = 10 // exports kept per establishment

// GarOverview is the managers' page of the exports.
func (s *Service) GarOverview(ctx context.Context, t *tenant.Tenant, a Actor) (*GarPage, error) {
	var out GarPage
	err := s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		set, err := s.garSettings(tx)
		if err != nil {
			return err
		}
		out.ExternalManager = set.ExternalManager
		if err := tx.Raw(`SELECT id, requested_by, status, persons, error, created_at, done_at FROM gar_exports ORDER BY created_at DESC, id LIMIT ?`,
			garKept).Scan(&out.Exports).Error; err != nil {
			return fmt.Errorf("resources: list exports: %w", err)
		}
		return nil
	})
	return &out, err
}

// SetExternalManager records whether the establishment uses an external access manager
// (its export is then made every night).
func (s *Service) SetExternalManager(ctx context.Context, t *tenant.Tenant, a Actor, on bool) error {
	return s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		if _, err := s.garSettings(tx); err != nil {
			return err
		}
		return tx.Exec(`UPDATE resource_settings SET external_manager = ?, updated_at = ?`, on, s.now()).Error
	})
}

// ExportQueue enqueues a job in the caller's transaction (jobs.Queue).
type ExportQueue interface {
	InsertTx(tx *gorm.DB, t *tenant.Tenant, args river.JobArgs, at time.Time) error
}

// WithExportQueue wires the queue the exports are made on (cmd/cartable). It returns s.
func (s *Service) WithExportQueue(q ExportQueue) *Service {
	s.ags.queue = q
	return s
}

// GarExportJob makes one export.
type GarExportJob struct {
	TenantUAI string    `json:"tenant_uai"`
	Export    uuid.UUID `json:"export"`
}

// Kind names the job in River.
func (GarExportJob) Kind() string { return "resources_gar_export" }

// RequestExport records an export to make and enqueues it, in one transaction.
func (s *Service) RequestExport(ctx context.Context, t *tenant.Tenant, a Actor) (uuid.UUID, error) {
	if s.ags.queue == nil {
		return uuid.Nil, fault.New(fault.ErrUnavailable, "la file des tâches n'est pas disponible : réessayez plus tard")
	}
	id := uuid.New()
	err := s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		var pending int64
		if err := tx.Raw(`SELECT count(*) FROM gar_exports WHERE status = 'en_attente'`).Scan(&pending).Error; err != nil {
			return fmt.Errorf("resources: pending exports: %w", err)
		}
		if pending > 0 {
			return fault.New(fault.ErrConflict, "un export est déjà en préparation : attendez qu'il soit prêt")
		}
		if err := tx.Exec(`INSERT INTO gar_exports (id, requested_by, status, created_at) VALUES (?, ?, 'en_attente', ?)`, id, a.PersonID, s.now()).Error; err != nil {
			return fmt.Errorf("resources: record export: %w", err)
		}
		return s.ags.queue.InsertTx(tx, t, GarExportJob{TenantUAI: string(t.UAI), Export: id}, s.now())
	})
	return id, err
}

// RunExport makes a recorded export: the document, or the failure, and drops the oldest
// beyond the ten kept.
func (s *Service) RunExport(ctx context.Context, t *tenant.Tenant, id uuid.UUID) error {
	var set *GarSettings
	if err := s.write(ctx, t, func(tx *gorm.DB) error {
		var err error
		set, err = s.garSettings(tx) // the salt, made on first need
		return err
	}); err != nil {
		return err
	}
	var doc []byte
	var persons int
	buildErr := s.db.SnapshotTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		doc, persons, err = garDocument(tx, t, set.ExportSalt)
		return err
	})
	return s.write(ctx, t, func(tx *gorm.DB) error {
		var err error
		if buildErr != nil {
			err = tx.Exec(`UPDATE gar_exports SET status = 'echec', error = ?, done_at = ? WHERE id = ?`,
				"L'export n'a pas pu être produit ; réessayez ou contactez l'assistance.", s.now(), id).Error
		} else {
			err = tx.Exec(`UPDATE gar_exports SET status = 'pret', xml = ?, persons = ?, done_at = ? WHERE id = ?`, doc, persons, s.now(), id).Error
		}
		if err != nil {
			return fmt.Errorf("resources: record export %s: %w", id, err)
		}
		if err := tx.Exec(`DELETE FROM gar_exports WHERE id NOT IN (SELECT id FROM gar_exports ORDER BY created_at DESC, id LIMIT ?)`, garKept).Error; err != nil {
			return fmt.Errorf("resources: drop old exports: %w", err)
		}
		if buildErr != nil {
			return fmt.Errorf("resources: build export %s: %w", id, buildErr) // recorded; the job logs it
		}
		return nil
	})
}

// garDocument writes the establishment's directory as the GAR's feed; it returns the
// document and how many persons it holds.
func garDocument(tx *gorm.DB, t *tenant.Tenant, salt []byte) ([]byte, int, error) {
	uai := string(t.UAI)
	feed := GarFeed{Version: "1.0", Etab: GarEtab{UAI: uai, Nom: t.Name}}
	var people []struct {
		ID        uuid.UUID
		Category  string
		Roles     Strings
		LastName  string
		FirstName string
		MEF       *string `gorm:"column:mef"`
	}
	if err := tx.Raw(`SELECT id, category, roles, last_name, first_name, mef FROM people
		WHERE active AND category IN ('eleve', 'personnel') ORDER BY lower(last_name), lower(first_name), id`).Scan(&people).Error; err != nil {
		return nil, 0, fmt.Errorf("resources: export people: %w", err)
	}
	ids := map[uuid.UUID]string{}
	for _, p := range people {
		id := garID(salt, p.ID)
		ids[p.ID] = id
		gp := GarPerson{ID: id, Nom: p.LastName, Prenom: p.FirstName, Etab: uai, Rattach: uai}
		for _, r := range p.Roles {
			if prof := garProfile(identity.Role(r)); prof != "" && !slices.ContainsFunc(gp.Profils, func(x GarProfil) bool { return x.Profil == prof }) {
				gp.Profils = append(gp.Profils, GarProfil{UAI: uai, Profil: prof})
			}
		}
		if p.Category == "eleve" {
			if len(gp.Profils) == 0 {
				gp.Profils = []GarProfil{{UAI: uai, Profil: "National_elv"}}
			}
			feed.Eleves = append(feed.Eleves, gp)
			if p.MEF != nil && *p.MEF != "" {
				feed.PersonMEF = append(feed.PersonMEF, GarPersonMEF{UAI: uai, ID: id, Code: *p.MEF})
			}
			continue
		}
		if len(gp.Profils) == 0 {
			gp.Profils = []GarProfil{{UAI: uai, Profil: "National_eta"}}
		}
		feed.Enseignants = append(feed.Enseignants, gp)
	}
	var classes []struct {
		ID    uuid.UUID
		Kind  string
		Code  string
		Label string
	}
	if err := tx.Raw(`SELECT id, kind, code, label FROM classes
		WHERE school_year = (SELECT code FROM school_years WHERE current) ORDER BY kind, code`).Scan(&classes).Error; err != nil {
		return nil, 0, fmt.Errorf("resources: export classes: %w", err)
	}
	codes := map[uuid.UUID]string{}
	kinds := map[uuid.UUID]string{}
	for _, c := range classes {
		codes[c.ID], kinds[c.ID] = c.Code, c.Kind
		statut := "DIVISION"
		if c.Kind == "groupe" {
			statut = "GROUPE"
		}
		feed.Groupes = append(feed.Groupes, GarGroupe{Code: c.Code, UAI: uai, Libelle: c.Label, Statut: statut})
	}
	var members []struct{ ClassID, PersonID uuid.UUID }
	if err := tx.Raw(`SELECT class_id, person_id FROM class_members ORDER BY class_id, person_id`).Scan(&members).Error; err != nil {
		return nil, 0, fmt.Errorf("resources: export members: %w", err)
	}
	for _, m := range members {
		if code, ok := codes[m.ClassID]; ok && ids[m.PersonID] != "" {
			feed.PersonGroupes = append(feed.PersonGroupes, GarPersonGroupe{UAI: uai, ID: ids[m.PersonID], Groupe: code})
		}
	}
	var teachings []struct {
		TeacherID   uuid.UUID
		ClassID     uuid.UUID
		SubjectCode string
	}
	if err := tx.Raw(`SELECT teacher_id, class_id, subject_code FROM teachings ORDER BY teacher_id, class_id, subject_code`).Scan(&teachings).Error; err != nil {
		return nil, 0, fmt.Errorf("resources: export teachings: %w", err)
	}
	used := map[string]bool{}
	for _, e := range teachings {
		code, ok := codes[e.ClassID]
		if !ok || ids[e.TeacherID] == "" {
			continue
		}
		row := GarEnsMatiere{UAI: uai, ID: ids[e.TeacherID], Groupe: code, Matiere: e.SubjectCode}
		if kinds[e.ClassID] == "groupe" {
			feed.EnsGroupeMatieres = append(feed.EnsGroupeMatieres, row)
		} else {
			feed.EnsClasseMatieres = append(feed.EnsClasseMatieres, row)
		}
		used[e.SubjectCode] = true
	}
	var subjects []struct{ Code, Label string }
	if err := tx.Raw(`SELECT code, label FROM subjects ORDER BY code`).Scan(&subjects).Error; err != nil {
		return nil, 0, fmt.Errorf("resources: export subjects: %w", err)
	}
	for _, sub := range subjects {
		if used[sub.Code] {
			feed.Matieres = append(feed.Matieres, GarMatiere{UAI: uai, Code: sub.Code, Libelle: sub.Label})
		}
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return nil, 0, fmt.Errorf("resources: write export: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), len(people), nil
}

// GarFile is an export's document, for a manager of its establishment.
func (s *Service) GarFile(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) ([]byte, time.Time, error) {
	var row struct {
		XML       []byte `gorm:"column:xml"`
		CreatedAt time.Time
	}
	err := s.read(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		res := tx.Raw(`SELECT xml, created_at FROM gar_exports WHERE id = ? AND status = 'pret'`, id).Scan(&row)
		if res.Error != nil {
			return fmt.Errorf("resources: read export %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fault.New(fault.ErrNotFound, "cet export n'existe pas ou n'est pas encore prêt")
		}
		return nil
	})
	return row.XML, row.CreatedAt, err
}

// nightlyExport makes the night's export of an establishment that uses an external access
// manager (none when one was made since the previous night).
func (s *Service) nightlyExport(ctx context.Context, t *tenant.Tenant) error {
	id := uuid.New()
	made := false
	err := s.write(ctx, t, func(tx *gorm.DB) error {
		set, err := s.garSettings(tx)
		if err != nil || !set.ExternalManager {
			return err
		}
		var recent int64
		if err := tx.Raw(`SELECT count(*) FROM gar_exports WHERE created_at > ?`, s.now().Add(-20*time.Hour)).Scan(&recent).Error; err != nil {
			return fmt.Errorf("resources: recent exports: %w", err)
		}
		if recent > 0 {
			return nil
		}
		made = true
		return tx.Exec(`INSERT INTO gar_exports (id, status, created_at) VALUES (?, 'en_attente', ?)`, id, s.now()).Error
	})
	if err != nil || !made {
		return err
	}
	return s.RunExport(ctx, t, id)
}

func (s *Service) zone() *time.Location { return directory.SchoolZone }
