package privacy

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/modules/files"
)

// archive is the ZIP being written: its entries' names, so that none is written twice, and
// the JSON files written, for the README.
type archive struct {
	zw       *zip.Writer
	modified time.Time // every entry's date: the export's
	names    map[string]bool
	written  []writtenFile
}

// writtenFile is one module's JSON file, as the README lists it.
type writtenFile struct {
	Path, Module, Where string
	Files               int
}

func newArchive(w io.Writer, at time.Time) *archive {
	return &archive{zw: zip.NewWriter(w), modified: at, names: map[string]bool{}}
}

// create opens one entry; compressed or stored as-is (documents already compressed:
// PDF, images, office files are ZIPs themselves).
func (a *archive) create(name string, compress bool) (io.Writer, error) {
	if a.names[name] {
		return nil, fmt.Errorf("privacy: %s written twice", name)
	}
	a.names[name] = true
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	return a.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: a.modified})
}

// unique returns name, or "name (2).ext", "name (3).ext"… the first not yet in the archive.
func (a *archive) unique(name string) string {
	if !a.names[name] {
		return name
	}
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s (%d)%s", base, i, ext)
		if !a.names[n] {
			return n
		}
	}
}

func (a *archive) close() error { return a.zw.Close() }

// part is one module's writer in one establishment (or the platform's part): its JSON file
// is <folder>/<module>.json, its files under <folder>/fichiers/<module>/.
type part struct {
	a              *archive
	folder, module string
	where          string // the establishment's name, or « la plateforme »
	json           bool
	files          int
}

// JSON writes v, indented, as the module's file.
func (p *part) JSON(v any) error {
	if p.json {
		return fmt.Errorf("privacy: module %s wrote its JSON file twice in %s", p.module, p.folder)
	}
	p.json = true
	name := p.folder + "/" + p.module + ".json"
	w, err := p.a.create(name, true)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("privacy: write %s: %w", name, err)
	}
	p.a.written = append(p.a.written, writtenFile{Path: name, Module: p.module, Where: p.where})
	return nil
}

// File copies one document under the module's folder of files, its name cleaned and made
// unique; it returns its path in the archive (from the archive's root).
func (p *part) File(name string, r io.Reader) (string, error) {
	clean := files.CleanName(name, "document")
	full := p.a.unique(p.folder + "/fichiers/" + p.module + "/" + clean)
	w, err := p.a.create(full, compressible(clean))
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(w, r); err != nil {
		return "", fmt.Errorf("privacy: copy %s: %w", full, err)
	}
	p.files++
	return full, nil
}

// compressible tells whether a document gains from compression (text), by its name's
// extension; PDFs, images and office documents are already compressed.
func compressible(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".json", ".csv", ".html", ".xml", ".md", ".svg", ".gift":
		return true
	}
	return false
}
