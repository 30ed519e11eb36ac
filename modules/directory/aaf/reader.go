package aaf

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Limits that bound the memory used for one entry.
const (
	// MaxValues is the maximum number of values (all attributes together)
	// in one request.
	MaxValues = 10000
	// MaxValueBytes is the maximum size of one value, in bytes of UTF-8.
	MaxValueBytes = 64 << 10
	// MaxEntryBytes is the maximum number of input bytes read for one
	// request (and the text before it). It also bounds what the XML decoder
	// buffers for a single token. The count is exact to within the 32 KiB
	// read-ahead buffer.
	MaxEntryBytes = 16 << 20
	// maxDepth bounds the nesting of unknown elements skipped in a request.
	maxDepth = 64
)

const rootName = "ficAlimMENESR"

// requestOp returns the Op of a request element name.
func requestOp(tag string) (Op, bool) {
	switch tag {
	case "addRequest":
		return OpAdd, true
	case "modifyRequest":
		return OpModify, true
	case "deleteRequest":
		return OpDelete, true
	}
	return "", false
}

// Reader streams the entries of one AAF file. It reads its input once,
// holding at most one entry in memory, and does not close it.
type Reader struct {
	file  string
	cnt   *countingReader
	dec   *xml.Decoder
	state readerState
	err   error // sticky: once set, Next returns it forever
}

type readerState int

const (
	stateProlog readerState = iota // before the root element
	stateRoot                      // inside <ficAlimMENESR>
)

// NewReader returns a Reader of the AAF document r. fileName is only used in
// error messages.
func NewReader(r io.Reader, fileName string) *Reader {
	cnt := &countingReader{r: r}
	dec := xml.NewDecoder(bufio.NewReaderSize(cnt, 32<<10))
	dec.CharsetReader = charsetReader
	return &Reader{file: fileName, cnt: cnt, dec: dec}
}

// Next returns the next entry of the file. It returns io.EOF after the last
// entry; any other error is a *SyntaxError, and is returned again by every
// later call.
func (r *Reader) Next() (*Entry, error) {
	if r.err != nil {
		return nil, r.err
	}
	e, err := r.next()
	if err != nil {
		r.err = err
		return nil, err
	}
	return e, nil
}

func (r *Reader) next() (*Entry, error) {
	if r.state == stateProlog {
		if err := r.readRoot(); err != nil {
			return nil, err
		}
		r.state = stateRoot
	}
	for {
		tok, line, err := r.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			op, ok := requestOp(t.Name.Local)
			if !ok {
				return nil, r.errorf(line, "type de requête <%s> inconnu dans <%s> (addRequest, modifyRequest ou deleteRequest attendu)", t.Name.Local, rootName)
			}
			r.cnt.reset()
			return r.readEntry(op, t.Name.Local, line)
		case xml.EndElement:
			return nil, r.readTrailer()
		case xml.CharData:
			if !isBlank(t) {
				return nil, r.errorf(textLine(line, t), "texte inattendu dans <%s> : %q", rootName, excerpt(t))
			}
		}
	}
}

// readRoot reads up to and including the root start tag.
func (r *Reader) readRoot() error {
	for {
		tok, line, err := r.token()
		if errors.Is(err, io.EOF) {
			return r.errorf(line, "fichier vide : élément racine <%s> absent", rootName)
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != rootName {
				return r.errorf(line, "élément racine <%s> inattendu : <%s> attendu", t.Name.Local, rootName)
			}
			return nil
		case xml.CharData:
			if !isBlank(t) {
				return r.errorf(textLine(line, t), "texte inattendu avant l'élément racine <%s> : %q", rootName, excerpt(t))
			}
		}
	}
}

// readTrailer checks that only comments and blanks follow the root end tag.
func (r *Reader) readTrailer() error {
	for {
		tok, line, err := r.token()
		if err != nil {
			return err // io.EOF: the normal end
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return r.errorf(line, "balise <%s> après la fin de l'élément racine </%s>", t.Name.Local, rootName)
		case xml.CharData:
			if !isBlank(t) {
				return r.errorf(textLine(line, t), "texte inattendu après la fin de l'élément racine </%s> : %q", rootName, excerpt(t))
			}
		}
	}
}

// entryReader holds the state of the request being read.
type entryReader struct {
	*Reader
	e      *Entry
	tag    string // addRequest, modifyRequest or deleteRequest
	values int    // values read so far in this request
}

func (r *Reader) readEntry(op Op, tag string, line int) (*Entry, error) {
	er := &entryReader{Reader: r, e: &Entry{Op: op, Line: line}, tag: tag}
	var hasID bool
	for {
		tok, l, err := r.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "operationalAttributes":
				err = er.readAttrs(t.Name.Local, func(name string, values []string) {
					if (name == "categoriePersonne" || name == "categorieStructure") && len(values) > 0 && er.e.Category == "" {
						er.e.Category = Category(values[0])
					}
				})
			case "identifier":
				var id string
				id, err = er.readIdentifier()
				if err == nil && !hasID {
					er.e.ID, hasID = id, id != ""
				}
			case "attributes":
				if er.e.Attrs == nil {
					er.e.Attrs = make(map[string][]string)
				}
				err = er.readAttrs(t.Name.Local, func(name string, values []string) {
					er.e.Attrs[name] = append(er.e.Attrs[name], values...)
				})
			case "modifications":
				err = er.readMods()
			default:
				err = er.skip(t.Name.Local, l)
			}
			if err != nil {
				return nil, err
			}
		case xml.EndElement:
			if !hasID {
				return nil, r.errorf(line, "requête <%s> sans identifiant : <identifier><id> absent ou vide", tag)
			}
			if er.e.Category == "" {
				return nil, r.errorf(line, "requête <%s> (id %s) sans catégorie : <operationalAttributes> doit contenir categoriePersonne ou categorieStructure", tag, er.e.ID)
			}
			return er.e, nil
		case xml.CharData:
			if !isBlank(t) {
				return nil, r.errorf(textLine(l, t), "texte inattendu dans <%s> : %q", tag, excerpt(t))
			}
		}
	}
}

// readAttrs reads the <attr name="…"><value>…</value></attr> children of an
// <attributes> or <operationalAttributes> element and calls add for each.
func (er *entryReader) readAttrs(parent string, add func(name string, values []string)) error {
	for {
		tok, l, err := er.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "attr" {
				return er.errorf(l, "balise <%s> inattendue dans <%s> de la requête <%s> (balise <attr> attendue)", t.Name.Local, parent, er.tag)
			}
			name, ok := attrValue(t, "name")
			if !ok || name == "" {
				return er.errorf(l, "balise <attr> sans attribut name dans <%s> de la requête <%s>", parent, er.tag)
			}
			values, err := er.readValues("attr", name)
			if err != nil {
				return err
			}
			add(name, values)
		case xml.EndElement:
			return nil
		case xml.CharData:
			if !isBlank(t) {
				return er.errorf(textLine(l, t), "texte inattendu dans <%s> : %q", parent, excerpt(t))
			}
		}
	}
}

// readMods reads the <modification> children of <modifications>.
func (er *entryReader) readMods() error {
	for {
		tok, l, err := er.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "modification" {
				return er.errorf(l, "balise <%s> inattendue dans <modifications> (balise <modification> attendue)", t.Name.Local)
			}
			name, ok := attrValue(t, "name")
			if !ok || name == "" {
				return er.errorf(l, "balise <modification> sans attribut name")
			}
			op, _ := attrValue(t, "operation")
			switch op {
			case ModAdd, ModReplace, ModDelete:
			default:
				return er.errorf(l, "opération %q inconnue dans <modification name=%q> (add, replace ou delete attendu)", op, name)
			}
			values, err := er.readValues("modification", name)
			if err != nil {
				return err
			}
			er.e.Mods = append(er.e.Mods, Modification{Attr: name, Operation: op, Values: values})
		case xml.EndElement:
			return nil
		case xml.CharData:
			if !isBlank(t) {
				return er.errorf(textLine(l, t), "texte inattendu dans <modifications> : %q", excerpt(t))
			}
		}
	}
}

// readValues reads the <value> children of an <attr> or <modification>
// element (tag) named name.
func (er *entryReader) readValues(tag, name string) ([]string, error) {
	where := func() string { return fmt.Sprintf("<%s name=%q>", tag, name) }
	var values []string
	for {
		tok, l, err := er.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "value" {
				return nil, er.errorf(l, "balise <%s> inattendue dans %s (balise <value> attendue)", t.Name.Local, where())
			}
			er.values++
			if er.values > MaxValues {
				return nil, er.errorf(l, "plus de %d valeurs dans la requête <%s> commencée ligne %d", MaxValues, er.tag, er.e.Line)
			}
			v, err := er.readText("value", where)
			if err != nil {
				return nil, err
			}
			values = append(values, v)
		case xml.EndElement:
			return values, nil
		case xml.CharData:
			if !isBlank(t) {
				return nil, er.errorf(textLine(l, t), "texte hors de <value> dans %s : %q", where(), excerpt(t))
			}
		}
	}
}

// readIdentifier reads <identifier><id>…</id></identifier> and returns the
// first id.
func (er *entryReader) readIdentifier() (string, error) {
	var id string
	for {
		tok, l, err := er.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "id" {
				if err := er.skip(t.Name.Local, l); err != nil {
					return "", err
				}
				continue
			}
			v, err := er.readText("id", func() string { return "<identifier>" })
			if err != nil {
				return "", err
			}
			if id == "" {
				id = v
			}
		case xml.EndElement:
			return id, nil
		case xml.CharData:
			if !isBlank(t) {
				return "", er.errorf(textLine(l, t), "texte hors de <id> dans <identifier> : %q", excerpt(t))
			}
		}
	}
}

// readText reads the text content of a leaf element tag (its start tag
// already read), trimmed of surrounding white space.
func (er *entryReader) readText(tag string, where func() string) (string, error) {
	var b strings.Builder
	for {
		tok, l, err := er.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if b.Len()+len(t) > MaxValueBytes {
				return "", er.errorf(l, "valeur de plus de %d octets dans <%s> de %s", MaxValueBytes, tag, where())
			}
			b.Write(t)
		case xml.StartElement:
			return "", er.errorf(l, "balise <%s> inattendue dans <%s> de %s (texte attendu)", t.Name.Local, tag, where())
		case xml.EndElement:
			return strings.TrimSpace(b.String()), nil
		}
	}
}

// skip skips an element the reader does not know (its start tag already
// read), so that extensions of the format do not stop an import.
func (r *Reader) skip(tag string, line int) error {
	depth := 1
	for depth > 0 {
		tok, _, err := r.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxDepth {
				return r.errorf(line, "élément <%s> imbriqué sur plus de %d niveaux", tag, maxDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// token returns the next XML token and the line where it starts. Errors other
// than io.EOF are turned into *SyntaxError.
func (r *Reader) token() (xml.Token, int, error) {
	line, _ := r.dec.InputPos()
	tok, err := r.dec.Token()
	if err == nil {
		return tok, line, nil
	}
	if errors.Is(err, io.EOF) {
		return nil, line, io.EOF
	}
	return nil, line, r.convert(err, line)
}

// convert turns an error of the XML decoder into a *SyntaxError.
func (r *Reader) convert(err error, line int) error {
	var (
		xe  *xml.SyntaxError
		ue  *unknownEncodingError
		rde *readError
		me  *mislabelledError
	)
	switch {
	case errors.Is(err, errEntryTooLarge):
		l, _ := r.dec.InputPos()
		return &SyntaxError{File: r.file, Line: l, Msg: fmt.Sprintf("requête trop volumineuse : plus de %d Mio lus sans nouvelle requête", MaxEntryBytes>>20), Err: err}
	case errors.As(err, &ue):
		return &SyntaxError{File: r.file, Line: line, Msg: fmt.Sprintf("encodage %q non pris en charge (ISO-8859-15, ISO-8859-1 ou UTF-8 attendu)", ue.name), Err: err}
	case errors.As(err, &me):
		return &SyntaxError{File: r.file, Line: me.line, Msg: fmt.Sprintf("le fichier se déclare en %s mais il est encodé en UTF-8 (les accents deviendraient « Ã© ») : corrigez la première ligne en <?xml version=\"1.0\" encoding=\"UTF-8\"?> ou réexportez-le en ISO-8859-15", me.declared), Err: err}
	case errors.As(err, &rde):
		l, _ := r.dec.InputPos()
		return &SyntaxError{File: r.file, Line: l, Msg: "lecture du fichier interrompue (envoi coupé ?) : renvoyez-le", Err: err}
	case errors.As(err, &xe):
		if strings.HasPrefix(xe.Msg, "unexpected EOF") {
			return &SyntaxError{File: r.file, Line: xe.Line, Msg: "fichier tronqué : fin de fichier inattendue avant la fermeture des balises ouvertes", Err: err}
		}
		return &SyntaxError{File: r.file, Line: xe.Line, Msg: "XML invalide : " + frenchXML(xe.Msg), Err: err}
	default:
		l, _ := r.dec.InputPos()
		return &SyntaxError{File: r.file, Line: l, Msg: "XML invalide : " + frenchXML(strings.TrimPrefix(err.Error(), "xml: ")), Err: err}
	}
}

// xmlMessages are encoding/xml's messages, in French (the rest gets a general sentence).
var xmlMessages = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^element <(\S+)> closed by </(\S+)>$`), "la balise <$1> est fermée par </$2>"},
	{regexp.MustCompile(`^unexpected end element </(\S+)>$`), "fermeture </$1> sans ouverture"},
	{regexp.MustCompile(`^invalid character entity (&\S*;?)`), "entité $1 inconnue (écrivez &amp; pour un « & »)"},
	{regexp.MustCompile(`^invalid UTF-8$`), "octets qui ne sont pas de l'UTF-8 : déclarez l'encodage du fichier (ISO-8859-15) dans sa première ligne"},
	{regexp.MustCompile(`^illegal character code (U\+[0-9A-F]+)$`), "caractère interdit $1"},
	{regexp.MustCompile(`^unquoted or missing attribute value in element$`), "valeur d'attribut sans guillemets"},
	{regexp.MustCompile(`^expected element name after <$`), "nom de balise attendu après « < »"},
}

func frenchXML(msg string) string {
	for _, m := range xmlMessages {
		if m.re.MatchString(msg) {
			return m.re.ReplaceAllString(msg, m.fr)
		}
	}
	return "balises, guillemets ou caractères spéciaux mal formés"
}

func (r *Reader) errorf(line int, format string, args ...any) error {
	return &SyntaxError{File: r.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// mislabelledError: a file declares a single-byte encoding but holds UTF-8.
type mislabelledError struct {
	declared string
	line     int
}

func (e *mislabelledError) Error() string { return "declared " + e.declared + " but encoded in UTF-8" }

// utf8Guard reads a file declared ISO-8859-15 (or another single-byte encoding) and fails
// when its bytes are UTF-8: "é" written as C3 A9 would otherwise turn into "Ã©" in every name.
// In French text in Latin-9, "Ã" or "Â" followed by a control character or a symbol (bytes
// 80–BF) does not occur; in UTF-8 it is every accented letter.
type utf8Guard struct {
	r        io.Reader
	declared string
	prev     byte
	newlines int // seen so far: the declaration that named the encoding is on line 1
}

func (g *utf8Guard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for i := 0; i < n; i++ {
		b := p[i]
		if (g.prev == 0xC3 || g.prev == 0xC2) && b >= 0x80 && b <= 0xBF {
			return 0, &mislabelledError{declared: g.declared, line: 1 + g.newlines}
		}
		if b == '\n' {
			g.newlines++
		}
		g.prev = b
	}
	return n, err
}

// charsetReader is the xml.Decoder CharsetReader: it accepts the encodings
// AAF files are found in. UTF-8 is handled by the decoder itself.
func charsetReader(name string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9", "l9", "csisolatin9":
		return charmap.ISO8859_15.NewDecoder().Reader(&utf8Guard{r: input, declared: name}), nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin-1", "latin1", "l1", "csisolatin1", "iso_8859-1:1987":
		return charmap.ISO8859_1.NewDecoder().Reader(&utf8Guard{r: input, declared: name}), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(&utf8Guard{r: input, declared: name}), nil
	case "us-ascii", "ascii":
		return input, nil
	}
	return nil, &unknownEncodingError{name: name}
}

type unknownEncodingError struct{ name string }

func (e *unknownEncodingError) Error() string { return fmt.Sprintf("unknown encoding %q", e.name) }

// errEntryTooLarge is returned by countingReader past MaxEntryBytes.
var errEntryTooLarge = errors.New("aaf: entry larger than MaxEntryBytes")

// readError marks an error of the underlying reader, as opposed to an error
// the XML decoder found in the bytes.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// countingReader counts the bytes read since the last reset and fails past
// MaxEntryBytes, so that a single huge token cannot exhaust memory.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n > MaxEntryBytes {
		return 0, errEntryTooLarge
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &readError{err: err}
	}
	return n, err
}

func (c *countingReader) reset() { c.n = 0 }

func attrValue(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// isBlank reports whether text is only XML white space (or a byte order mark).
func isBlank(text []byte) bool {
	return len(bytes.TrimLeft(text, " \t\r\n\ufeff")) == 0
}

// textLine returns the line of the first non-blank character of text, which
// starts at line.
func textLine(line int, text []byte) int {
	blank := len(text) - len(bytes.TrimLeft(text, " \t\r\n\ufeff"))
	return line + bytes.Count(text[:blank], []byte("\n"))
}

// excerpt returns the beginning of text, for error messages.
func excerpt(text []byte) string {
	s := strings.TrimSpace(string(text))
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
