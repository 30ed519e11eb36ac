package files

import (
	"context"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout says why the files layer exports nothing of its own: the documents belong to
// the modules that keep them, which export them with their rows.
const ExportAbout = "Aucun fichier propre : l'espace de stockage ne fait que compter les documents de l'établissement ; " +
	"vos documents sont exportés par chaque service qui les garde, sous « fichiers/<service>/ »."

// Export copies one stored file into a personal data export (checked against its checksum
// as it is read: an altered blob fails the export rather than hand over other bytes); it
// returns the file's path in the archive.
func (s *Store) Export(ctx context.Context, t *tenant.Tenant, f Stored, w module.ExportWriter) (string, error) {
	c, err := s.Open(ctx, t, f)
	if err != nil {
		return "", err
	}
	p, err := w.File(f.Name, c)
	if cerr := c.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = c.Altered()
	}
	return p, err
}
