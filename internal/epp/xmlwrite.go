package epp

import (
	"bytes"
	"strings"
)

// xmlDecl starts every document this package writes.
const xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>` + "\n"

// writer builds an indented XML document. Callers choose every prefix and
// namespace declaration themselves; values must have been validated (no
// characters outside the XML Char production), and are only escaped here.
type writer struct {
	buf   bytes.Buffer
	depth int
}

func newWriter() *writer {
	w := &writer{}
	w.buf.WriteString(xmlDecl)
	return w
}

func (w *writer) bytes() []byte { return w.buf.Bytes() }

func (w *writer) indent() {
	for i := 0; i < w.depth; i++ {
		w.buf.WriteString("  ")
	}
}

// tag writes "<name a="v"..." without the closing bracket. attrs are
// name/value pairs; a pair with an empty value is left out (in this
// package an empty attribute value means "absent"), except xmlns="",
// which puts an element in no namespace.
func (w *writer) tag(name string, attrs []string) {
	w.indent()
	w.buf.WriteByte('<')
	w.buf.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == "" && attrs[i] != "xmlns" {
			continue
		}
		w.buf.WriteByte(' ')
		w.buf.WriteString(attrs[i])
		w.buf.WriteString(`="`)
		escapeAttr(&w.buf, attrs[i+1])
		w.buf.WriteByte('"')
	}
}

// start opens a container element on its own line.
func (w *writer) start(name string, attrs ...string) {
	w.tag(name, attrs)
	w.buf.WriteString(">\n")
	w.depth++
}

// end closes a container element opened with start.
func (w *writer) end(name string) {
	w.depth--
	w.indent()
	w.buf.WriteString("</")
	w.buf.WriteString(name)
	w.buf.WriteString(">\n")
}

// leaf writes an element with text content on one line, or an empty
// element when text is "".
func (w *writer) leaf(name, text string, attrs ...string) {
	w.tag(name, attrs)
	if text == "" {
		w.buf.WriteString("/>\n")
		return
	}
	w.buf.WriteByte('>')
	escapeText(&w.buf, text)
	w.buf.WriteString("</")
	w.buf.WriteString(name)
	w.buf.WriteString(">\n")
}

// optLeaf writes leaf only when text is not "".
func (w *writer) optLeaf(name, text string, attrs ...string) {
	if text != "" {
		w.leaf(name, text, attrs...)
	}
}

// escapeText escapes character data. Carriage returns are written as
// character references, since a parser turns a literal CR into LF.
func escapeText(b *bytes.Buffer, s string) {
	if !strings.ContainsAny(s, "&<>\r") {
		b.WriteString(s)
		return
	}
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(r)
		}
	}
}

// escapeAttr escapes a double-quoted attribute value, including the white
// space that attribute-value normalisation would otherwise turn into
// spaces.
func escapeAttr(b *bytes.Buffer, s string) {
	if !strings.ContainsAny(s, "&<>\"\r\n\t") {
		b.WriteString(s)
		return
	}
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\r':
			b.WriteString("&#xD;")
		case '\n':
			b.WriteString("&#xA;")
		case '\t':
			b.WriteString("&#x9;")
		default:
			b.WriteRune(r)
		}
	}
}
