package privacy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/gcerrors"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// PlatformFolder is the archive's folder of the platform's part (the account, its
// memberships, its sign-ins): what no establishment holds.
const PlatformFolder = "plateforme"

// ReadmeName is the archive's README, in French.
const ReadmeName = "LISEZMOI.txt"

// place is one establishment of the subject: the tenant and their person there.
type place struct {
	t      *tenant.Tenant
	person uuid.UUID
}

// Build makes the export id: the ZIP streamed into its blob, then its checksum, size and
// readiness recorded. An export already made (a duplicate job) is left alone; a failure
// aborts the blob's write, so nothing half-written is ever stored under its key.
func (s *Service) Build(ctx context.Context, id uuid.UUID) error {
	var e Export
	if err := s.platform.WithContext(ctx).Raw(`SELECT * FROM platform.personal_exports WHERE id = ?`, id).Scan(&e).Error; err != nil {
		return fmt.Errorf("privacy: export %s: %w", id, err)
	}
	if e.ID == uuid.Nil || e.Status != Pending {
		return nil
	}
	places, err := s.places(ctx, &e)
	if err != nil {
		return err
	}
	wctx, abort := context.WithCancel(ctx)
	defer abort()
	bw, err := s.bucket.NewWriter(wctx, e.BlobKey, nil) // created on Close only: an aborted write leaves nothing
	if err != nil {
		return fmt.Errorf("privacy: write export %s: %w", id, err)
	}
	sum := sha256.New()
	counted := &counter{w: io.MultiWriter(bw, sum)}
	at := s.now()
	if err := s.write(ctx, counted, at, &e, places); err != nil {
		abort() // before Close: the blob is not created
		_ = bw.Close()
		return err
	}
	if err := bw.Close(); err != nil {
		return fmt.Errorf("privacy: store export %s: %w", id, err)
	}
	res := s.platform.WithContext(ctx).Exec(`UPDATE platform.personal_exports SET status = 'prete', sha256 = ?, size = ?, ready_at = ?, expires_at = ?
		WHERE id = ? AND status = 'en_preparation'`, hex.EncodeToString(sum.Sum(nil)), counted.n, s.now(), s.now().Add(Kept), id)
	if res.Error != nil {
		return fmt.Errorf("privacy: record export %s: %w", id, res.Error)
	}
	return nil
}

// places lists the establishments of the export's subject: every membership of their
// account in an establishment that still exists, and the child's establishment the guardian
// asked from; by UAI.
func (s *Service) places(ctx context.Context, e *Export) ([]place, error) {
	type row struct {
		UAI      string
		PersonID uuid.UUID
	}
	var rows []row
	if e.SubjectIdentity != nil {
		if err := s.platform.WithContext(ctx).Raw(`SELECT t.uai, m.person_id FROM platform.memberships m JOIN platform.tenants t ON t.id = m.tenant_id
			WHERE m.identity_id = ? AND t.status IN ('active', 'suspended') ORDER BY t.uai`, *e.SubjectIdentity).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("privacy: memberships of %s: %w", *e.SubjectIdentity, err)
		}
	}
	if e.SubjectTenant != nil {
		var uai string
		if err := s.platform.WithContext(ctx).Raw(`SELECT uai FROM platform.tenants WHERE id = ? AND status IN ('active', 'suspended')`, *e.SubjectTenant).Scan(&uai).Error; err != nil {
			return nil, fmt.Errorf("privacy: establishment of %s: %w", e.ID, err)
		}
		if uai != "" && !slices.ContainsFunc(rows, func(r row) bool { return r.UAI == uai }) {
			rows = append(rows, row{uai, *e.SubjectPerson})
		}
	}
	out := make([]place, 0, len(rows))
	for _, r := range rows {
		t, err := s.tenants.Get(ctx, r.UAI)
		if err != nil {
			return nil, err
		}
		if e.ForChild() {
			// A guardian gets what an establishment keeps of the child only where its own
			// directory says they are the child's legal guardian: another establishment's
			// staff cannot give them a third's data by writing that link in theirs.
			ok, err := s.guardianIn(ctx, t, e.RequestedBy, r.PersonID)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		out = append(out, place{t: t, person: r.PersonID})
	}
	slices.SortFunc(out, func(a, b place) int { return strings.Compare(string(a.t.UAI), string(b.t.UAI)) })
	return out, nil
}

// guardianIn tells whether requester (an identity) is, by their active membership in t, a
// legal guardian of pupil (a people.id in t).
func (s *Service) guardianIn(ctx context.Context, t *tenant.Tenant, requester, pupil uuid.UUID) (bool, error) {
	var m struct{ PersonID uuid.UUID }
	if err := s.platform.WithContext(ctx).Raw(`SELECT person_id FROM platform.memberships WHERE identity_id = ? AND tenant_id = ? AND active`,
		requester, t.ID).Scan(&m).Error; err != nil {
		return false, fmt.Errorf("privacy: membership of %s in %s: %w", requester, t.UAI, err)
	}
	if m.PersonID == uuid.Nil {
		return false, nil
	}
	legal := false
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) (err error) { legal, err = s.guard.IsLegalGuardian(tx, m.PersonID, pupil); return err })
	if err != nil {
		return false, fmt.Errorf("privacy: guardian of %s in %s: %w", pupil, t.UAI, err)
	}
	return legal, nil
}

// write writes the whole archive into w: each establishment's modules, the platform's part,
// the README.
func (s *Service) write(ctx context.Context, w io.Writer, at time.Time, e *Export, places []place) error {
	a := newArchive(w, at)
	for _, p := range places {
		for _, m := range s.modules {
			if m.Export == nil {
				continue
			}
			pt := &part{a: a, folder: string(p.t.UAI), module: m.Name, where: p.t.Name}
			if err := m.Export(ctx, p.t, p.person, pt); err != nil {
				return fmt.Errorf("privacy: module %s at %s: %w", m.Name, p.t.UAI, err)
			}
			a.count(pt)
		}
	}
	// The platform's part (the account, its sessions, every establishment it belongs to) is
	// the person's own: a guardian, known as such only by the establishments that say so,
	// gets those establishments' parts of a child's data, not the child's whole account.
	if e.SubjectIdentity != nil && !e.ForChild() {
		for _, m := range s.modules {
			if m.Export == nil {
				continue
			}
			pt := &part{a: a, folder: PlatformFolder, module: m.Name, where: "la plateforme"}
			if err := m.Export(ctx, nil, *e.SubjectIdentity, pt); err != nil {
				return fmt.Errorf("privacy: module %s (platform): %w", m.Name, err)
			}
			a.count(pt)
		}
	}
	rw, err := a.create(ReadmeName, true)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(rw, s.readme(e, at, places, a)); err != nil {
		return fmt.Errorf("privacy: write %s: %w", ReadmeName, err)
	}
	return a.close()
}

// count records how many files a module's part added, on its JSON file's line.
func (a *archive) count(p *part) {
	if p.files == 0 {
		return
	}
	name := p.folder + "/" + p.module + ".json"
	for i := range a.written {
		if a.written[i].Path == name {
			a.written[i].Files = p.files
			return
		}
	}
	// Files without a JSON file: listed anyway.
	a.written = append(a.written, writtenFile{Path: p.folder + "/fichiers/" + p.module + "/", Module: p.module, Where: p.where, Files: p.files})
}

// readme is LISEZMOI.txt: what the archive is, and each file with its module's description.
func (s *Service) readme(e *Export, at time.Time, places []place, a *archive) string {
	about := map[string]string{}
	for _, m := range s.modules {
		about[m.Name] = m.ExportAbout
	}
	var b strings.Builder
	b.WriteString("Export de données personnelles — Cartable, l'ENT de la Région\r\n")
	b.WriteString("==============================================================\r\n\r\n")
	fmt.Fprintf(&b, "Personne : %s\r\n", e.SubjectName)
	fmt.Fprintf(&b, "Préparé le %s (heure de Paris).\r\n\r\n", at.In(paris).Format("02/01/2006 à 15:04"))
	b.WriteString("Ce fichier ZIP contient tout ce que l'ENT conserve à votre sujet (droit d'accès et droit à la\r\n")
	b.WriteString("portabilité, articles 15 et 20 du RGPD) : pour chaque établissement, un dossier nommé par son\r\n")
	b.WriteString("code UAI, avec un fichier JSON par service et vos documents sous « fichiers/ » ; le dossier\r\n")
	fmt.Fprintf(&b, "« %s » contient votre compte, qui ne dépend d'aucun établissement.\r\n", PlatformFolder)
	b.WriteString("Les fichiers JSON sont du texte lisible par tout éditeur et réutilisable par un autre service.\r\n\r\n")
	if len(places) == 0 {
		b.WriteString("Aucun établissement ne vous est rattaché.\r\n\r\n")
	}
	for _, p := range places {
		fmt.Fprintf(&b, "%s : %s\r\n", p.t.UAI, p.t.Name)
	}
	b.WriteString("\r\nLes fichiers\r\n------------\r\n")
	if len(a.written) == 0 {
		b.WriteString("Aucun service ne conserve de donnée à votre sujet.\r\n")
	}
	for _, f := range a.written {
		fmt.Fprintf(&b, "\r\n%s (%s)\r\n", f.Path, f.Where)
		if d := about[f.Module]; d != "" {
			fmt.Fprintf(&b, "  %s\r\n", d)
		}
		if f.Files > 0 {
			fmt.Fprintf(&b, "  Avec %d document(s) sous %s/fichiers/%s/.\r\n", f.Files, strings.SplitN(f.Path, "/", 2)[0], f.Module)
		}
	}
	b.WriteString("\r\nPour toute question sur vos données, adressez-vous au chef d'établissement, responsable du\r\n")
	b.WriteString("traitement des données de son établissement, ou au délégué à la protection des données de la Région.\r\n")
	return b.String()
}

// counter counts the bytes written through it.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// notExist tells whether a blob store error says the blob is not there.
func notExist(err error) bool { return gcerrors.Code(err) == gcerrors.NotFound }

var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()
