package moodlexml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// node is an element of the document: its name, attributes, children, and the character
// data directly inside it (CDATA included).
type node struct {
	name  string
	attrs []xml.Attr
	kids  []*node
	data  strings.Builder
	line  int
}

// attr is the value of the attribute name, and whether it is present.
func (n *node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// child is the first child element called name, or nil.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// children are the child elements called name.
func (n *node) children(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// value is n's own character data, trimmed ("" for a nil node).
func (n *node) value() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.data.String())
}

// textValue is the trimmed content of n's <text> child, or of n itself when it has none
// (old files write <category>$course$/a</category>).
func (n *node) textValue() string {
	if n == nil {
		return ""
	}
	if t := n.child("text"); t != nil {
		return t.value()
	}
	return n.value()
}

// readTree reads the whole document into a tree of nodes, each with its line.
func readTree(r io.Reader) (*node, error) {
	lr := &limitedReader{r: r, max: MaxDocument}
	dec := xml.NewDecoder(lr)
	dec.Strict = true
	dec.CharsetReader = charsetReader
	var root *node
	var stack []*node
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, errTooLarge) {
			return nil, fmt.Errorf("le fichier dépasse %d Mio : découpez la banque de questions en plusieurs fichiers", MaxDocument>>20)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("ce fichier n'est pas un XML valide (ligne %d : %s) : vérifiez qu'il s'agit bien d'un export « Format Moodle XML »", se.Line, se.Msg)
			}
			return nil, fmt.Errorf("ce fichier n'est pas un XML lisible : %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Local, attrs: t.Attr, line: line}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("ligne %d : un document XML n'a qu'un élément racine", line)
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].data.Write(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("ce fichier n'est pas un XML valide (aucun élément) : vérifiez qu'il s'agit bien d'un export « Format Moodle XML »")
	}
	if root.name != "quiz" {
		return nil, fmt.Errorf("ligne %d : l'élément racine est <%s>, un fichier Moodle XML commence par <quiz>", root.line, root.name)
	}
	return root, nil
}

// charsetReader reads the ISO-8859-1 documents old Moodle versions wrote; UTF-8 needs none.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		return &latin1Reader{r: input}, nil
	}
	return nil, fmt.Errorf("encodage « %s » non pris en charge : enregistrez le fichier en UTF-8", charset)
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8.
type latin1Reader struct {
	r   io.Reader
	out []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.out) == 0 {
		buf := make([]byte, (len(p)+1)/2)
		n, err := l.r.Read(buf)
		for _, b := range buf[:n] {
			l.out = append(l.out, string(rune(b))...)
		}
		if len(l.out) == 0 {
			return 0, err
		}
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}
