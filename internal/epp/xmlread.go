package epp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// This file turns a document into a small namespace-resolved tree. It does
// its own prefix resolution on top of encoding/xml's RawToken, so that
// every element and attribute is identified by namespace URI and local
// name, unbound prefixes are errors (encoding/xml would silently keep the
// prefix as if it were a URI), and prefixes never matter.

const (
	nsXML   = "http://www.w3.org/XML/1998/namespace"
	nsXMLNS = "http://www.w3.org/2000/xmlns/"
)

// ErrLimit is matched (errors.Is) by the error of a message that exceeds
// the parser's limits (see MaxDepth, MaxElements, MaxAttrs and MaxNameLen). A server answers it with 2001 and closes
// the connection; a client drops the session.
var ErrLimit = errors.New("exceeds the parser's limits")

// Limits bound the work of parsing one message, on top of the frame size
// (ReadFrame). Parsing is linear in the message's size; these limits stop
// it at the first element that breaks one of them, before the tree grows
// further. Every message of RFC 5730-5734, RFC 5910, fee-1.0 and the
// NeuLevel extension fits with room to spare: EPP nests about ten deep, its
// longest names are about 30 bytes, an element carries at most a handful
// of attributes (the <epp> root one namespace declaration per extension),
// and a check of a hundred names with fees is about 2,000 elements.
const (
	// MaxDepth bounds element nesting.
	MaxDepth = 64
	// MaxElements bounds the elements of one message.
	MaxElements = 20000
	// MaxAttrs bounds the attributes of one element, namespace
	// declarations included.
	MaxAttrs = 128
	// MaxNameLen bounds an element or attribute name, prefix included,
	// in bytes.
	MaxNameLen = 256
)

// xmlLimits are the limits of one parse; tests lift them to measure the
// parser itself.
type xmlLimits struct {
	depth, elements, attrs, name int
}

var eppLimits = xmlLimits{depth: MaxDepth, elements: MaxElements, attrs: MaxAttrs, name: MaxNameLen}

// element is one XML element with its namespace resolved.
type element struct {
	space, local string
	attrs        []attribute
	children     []*element
	text         []byte // character data directly inside this element
	textPos      int    // length of the parent's text when this element began
}

type attribute struct {
	space, local, value string
}

// attr returns the value of the unqualified attribute local. A nil
// element (a missing child, already reported) has no attributes.
func (e *element) attr(local string) (string, bool) {
	if e == nil {
		return "", false
	}
	for _, a := range e.attrs {
		if a.space == "" && a.local == local {
			return a.value, true
		}
	}
	return "", false
}

// allText returns the character data of e and all its descendants, in
// document order.
func (e *element) allText() string {
	if len(e.children) == 0 {
		return string(e.text)
	}
	var b strings.Builder
	var walk func(*element)
	walk = func(x *element) {
		pos := 0
		for _, c := range x.children {
			b.Write(x.text[pos:c.textPos])
			pos = c.textPos
			walk(c)
		}
		b.Write(x.text[pos:])
	}
	walk(e)
	return b.String()
}

// parseXML parses a complete XML document into a tree, within eppLimits.
// DOCTYPE declarations are refused; comments and processing instructions
// other than the XML declaration are skipped.
func parseXML(b []byte) (*element, error) {
	return parseXMLLimits(b, eppLimits)
}

// parseXMLLimits is parseXML within lim. Its work is linear in len(b):
// namespace scopes are one map of binding stacks (no copy per element),
// and duplicate attributes are found with a set, not by comparing each
// attribute with every earlier one.
func parseXMLLimits(b []byte, lim xmlLimits) (*element, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	type open struct {
		el       *element
		raw      xml.Name
		declared []string // prefixes the element bound, unbound at its end
	}
	scope := nsScope{"xml": {nsXML}}
	var stack []open
	var root *element
	var keys []attrKey
	seen := make(map[attrKey]struct{})
	elements := 0
	first := true
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		isFirst := first
		first = false
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, errors.New("more than one root element")
			}
			if err := checkLimits(t, len(stack), elements, lim); err != nil {
				return nil, err
			}
			elements++
			declared, err := scope.bind(t.Attr)
			if err != nil {
				return nil, err
			}
			el := &element{}
			if el.space, el.local, err = scope.resolve(t.Name, true); err != nil {
				return nil, err
			}
			keys = keys[:0]
			for _, a := range t.Attr {
				if a.Name.Space == "" && a.Name.Local == "xmlns" {
					keys = append(keys, attrKey{nsXMLNS, ""})
					continue
				}
				if a.Name.Space == "xmlns" {
					keys = append(keys, attrKey{nsXMLNS, a.Name.Local})
					continue
				}
				space, local, err := scope.resolve(a.Name, false)
				if err != nil {
					return nil, err
				}
				keys = append(keys, attrKey{space, local})
				el.attrs = append(el.attrs, attribute{space, local, a.Value})
			}
			if i := duplicate(keys, seen); i >= 0 {
				return nil, fmt.Errorf("duplicate attribute %s", rawName(t.Attr[i].Name))
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1].el
				el.textPos = len(parent.text)
				parent.children = append(parent.children, el)
			} else {
				root = el
			}
			stack = append(stack, open{el, t.Name, declared})
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, errors.New("unexpected end element")
			}
			top := stack[len(stack)-1]
			if top.raw != t.Name {
				return nil, fmt.Errorf("element <%s> closed by </%s>", rawName(top.raw), rawName(t.Name))
			}
			scope.unbind(top.declared)
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.Trim(t, " \t\r\n")) != 0 {
					return nil, errors.New("character data outside the root element")
				}
				continue
			}
			top := stack[len(stack)-1].el
			top.text = append(top.text, t...)
		case xml.Comment:
		case xml.ProcInst:
			if strings.EqualFold(t.Target, "xml") && !isFirst {
				return nil, errors.New("XML declaration not at the start of the document")
			}
		case xml.Directive:
			return nil, errors.New("DOCTYPE and other declarations are not allowed")
		}
	}
	if len(stack) != 0 {
		return nil, io.ErrUnexpectedEOF
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// checkLimits checks a start tag at the given depth, after elements
// others, against lim. Errors match ErrLimit.
func checkLimits(t xml.StartElement, depth, elements int, lim xmlLimits) error {
	switch {
	case depth >= lim.depth:
		return fmt.Errorf("%w: elements nested deeper than %d", ErrLimit, lim.depth)
	case elements >= lim.elements:
		return fmt.Errorf("%w: more than %d elements", ErrLimit, lim.elements)
	case len(t.Attr) > lim.attrs:
		return fmt.Errorf("%w: more than %d attributes in one element", ErrLimit, lim.attrs)
	case nameLen(t.Name) > lim.name:
		return fmt.Errorf("%w: element name longer than %d bytes", ErrLimit, lim.name)
	}
	for _, a := range t.Attr {
		if nameLen(a.Name) > lim.name {
			return fmt.Errorf("%w: attribute name longer than %d bytes", ErrLimit, lim.name)
		}
	}
	return nil
}

func nameLen(n xml.Name) int {
	if n.Space == "" {
		return len(n.Local)
	}
	return len(n.Space) + 1 + len(n.Local)
}

// attrKey identifies an attribute of an element: its namespace URI and
// local name, or (nsXMLNS, prefix) for a namespace declaration.
type attrKey struct{ space, local string }

// duplicate returns the index of the first key that repeats an earlier
// one, or -1. Up to eight keys are compared pairwise (the usual case, no
// allocation); more go through seen, which it empties first.
func duplicate(keys []attrKey, seen map[attrKey]struct{}) int {
	if len(keys) <= 8 {
		for i := 1; i < len(keys); i++ {
			for _, o := range keys[:i] {
				if o == keys[i] {
					return i
				}
			}
		}
		return -1
	}
	clear(seen)
	for i, k := range keys {
		if _, ok := seen[k]; ok {
			return i
		}
		seen[k] = struct{}{}
	}
	return -1
}

// nsScope maps each prefix ("" for the default namespace) to the stack of
// its bindings, innermost last: an element's declarations are pushed at
// its start and popped at its end, so that nothing is copied per element.
type nsScope map[string][]string

// bind pushes an element's xmlns declarations and returns the prefixes
// it bound.
func (s nsScope) bind(attrs []xml.Attr) ([]string, error) {
	var declared []string
	for _, a := range attrs {
		var p string
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			if a.Value == nsXML || a.Value == nsXMLNS {
				return nil, fmt.Errorf("reserved namespace %s bound as default", a.Value)
			}
			p = ""
		case a.Name.Space == "xmlns":
			p = a.Name.Local
			switch {
			case p == "xmlns" || strings.Contains(p, ":"):
				return nil, fmt.Errorf("bad namespace prefix %q", p)
			case p == "xml":
				if a.Value != nsXML {
					return nil, errors.New("prefix xml bound to another namespace")
				}
				continue
			case a.Value == "":
				return nil, fmt.Errorf("prefix %s undeclared (not allowed in XML 1.0)", p)
			case a.Value == nsXML || a.Value == nsXMLNS:
				return nil, fmt.Errorf("reserved namespace %s bound to prefix %s", a.Value, p)
			}
		default:
			continue
		}
		s[p] = append(s[p], a.Value)
		declared = append(declared, p)
	}
	return declared, nil
}

// unbind pops the bindings bind pushed.
func (s nsScope) unbind(declared []string) {
	for _, p := range declared {
		if v := s[p][:len(s[p])-1]; len(v) > 0 {
			s[p] = v
		} else {
			delete(s, p)
		}
	}
}

// resolve maps a raw (prefix, local) name to (namespace URI, local name).
// Unprefixed attributes are in no namespace; unprefixed elements are in
// the default namespace.
func (s nsScope) resolve(n xml.Name, isElement bool) (string, string, error) {
	if n.Local == "" || strings.Contains(n.Local, ":") {
		return "", "", fmt.Errorf("bad name %q", rawName(n))
	}
	if n.Space == "" {
		if isElement {
			uri, _ := s.lookup("")
			return uri, n.Local, nil
		}
		return "", n.Local, nil
	}
	uri, ok := s.lookup(n.Space)
	if !ok {
		return "", "", fmt.Errorf("unbound namespace prefix %q in <%s>", n.Space, rawName(n))
	}
	return uri, n.Local, nil
}

// lookup returns the innermost binding of prefix.
func (s nsScope) lookup(prefix string) (string, bool) {
	v := s[prefix]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}
