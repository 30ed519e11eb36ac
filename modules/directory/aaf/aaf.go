// Package aaf reads the French académie directory export (AAF, "annuaire
// académique fédérateur") and generates realistic synthetic AAF files.
//
// An AAF file is an XML document, usually encoded in ISO-8859-15, whose root
// <ficAlimMENESR> holds addRequest, modifyRequest and deleteRequest
// elements. Each request names a category (pupil, relative, national
// education staff or establishment), an identifier and attributes. [Reader]
// streams such a file one [Entry] at a time, with memory bounded by one entry,
// and reports problems as a [SyntaxError] carrying the file name and line in
// French, ready to be shown in an import report.
//
// The Parse* functions decode the structured values found in some attributes
// (classes, teachings, relations, functions, birth dates). [Generate] and
// [GenerateFiles] write deterministic synthetic exports for demos, tests and
// benchmarks.
package aaf

import "fmt"

// Op is the kind of a request in an AAF file.
type Op string

// Request kinds.
const (
	OpAdd    Op = "add"
	OpModify Op = "modify"
	OpDelete Op = "delete"
)

// Category is the kind of directory object a request is about, read from the
// operational attribute categoriePersonne or categorieStructure.
type Category string

// Categories found in AAF exports.
const (
	CategoryEleve        Category = "Eleve"        // pupil
	CategoryPersRelEleve Category = "PersRelEleve" // pupil's relative (parent, guardian)
	CategoryPersEducNat  Category = "PersEducNat"  // national education staff
	CategoryEtabEducNat  Category = "EtabEducNat"  // establishment (structure)
)

// Valid reports whether c is one of the four known categories. The reader
// returns entries of other categories as they are; callers decide.
func (c Category) Valid() bool {
	switch c {
	case CategoryEleve, CategoryPersRelEleve, CategoryPersEducNat, CategoryEtabEducNat:
		return true
	}
	return false
}

// Modification operations of a modifyRequest.
const (
	ModAdd     = "add"
	ModReplace = "replace"
	ModDelete  = "delete"
)

// Modification is one <modification> of a modifyRequest: Operation (add,
// replace or delete) applied to the attribute Attr with Values.
type Modification struct {
	Attr      string
	Operation string
	Values    []string
}

// Entry is one request of an AAF file.
type Entry struct {
	Op       Op
	Category Category
	// ID is identifier/id; for persons it equals ENTPersonJointure.
	ID string
	// Attrs holds attributes/attr[@name]/value, in file order, values
	// trimmed of surrounding white space. It is nil when the request has no
	// <attributes> block. In a modifyRequest, each attribute listed replaces
	// the previous values of that attribute.
	Attrs map[string][]string
	// Mods holds the <modifications> of a modifyRequest, in file order.
	Mods []Modification
	// Line is the line of the request's start tag in the file.
	Line int
}

// First returns the first value of the attribute name, or "" when absent.
func (e *Entry) First(name string) string {
	if v := e.Attrs[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// SyntaxError reports a malformed AAF file: the file, the line and, in
// French, what is wrong and where.
type SyntaxError struct {
	File string
	Line int
	Msg  string
	// Err is the underlying error, if any (an XML or I/O error).
	Err error
}

// Error returns "<file>, ligne <n> : <msg>".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s, ligne %d : %s", e.File, e.Line, e.Msg)
}

// Unwrap returns the underlying error, if any.
func (e *SyntaxError) Unwrap() error { return e.Err }
