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

	// maxDepth bounds element nesting. EPP messages nest about ten deep;
	// the bound keeps hostile input from building deep trees.
	maxDepth = 64
)

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

// parseXML parses a complete XML document into a tree. DOCTYPE
// declarations are refused; comments and processing instructions other
// than the XML declaration are skipped.
func parseXML(b []byte) (*element, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	type open struct {
		el    *element
		raw   xml.Name
		scope map[string]string
	}
	base := map[string]string{"xml": nsXML}
	scope := base
	var stack []open
	var root *element
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
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d", maxDepth)
			}
			ns, err := bindings(scope, t.Attr)
			if err != nil {
				return nil, err
			}
			el := &element{}
			if el.space, el.local, err = resolve(ns, t.Name, true); err != nil {
				return nil, err
			}
			for _, a := range t.Attr {
				if (a.Name.Space == "" && a.Name.Local == "xmlns") || a.Name.Space == "xmlns" {
					continue
				}
				space, local, err := resolve(ns, a.Name, false)
				if err != nil {
					return nil, err
				}
				for _, o := range el.attrs {
					if o.space == space && o.local == local {
						return nil, fmt.Errorf("duplicate attribute %s", a.Name.Local)
					}
				}
				el.attrs = append(el.attrs, attribute{space, local, a.Value})
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1].el
				el.textPos = len(parent.text)
				parent.children = append(parent.children, el)
			} else {
				root = el
			}
			stack = append(stack, open{el, t.Name, ns})
			scope = ns
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, errors.New("unexpected end element")
			}
			top := stack[len(stack)-1]
			if top.raw != t.Name {
				return nil, fmt.Errorf("element <%s> closed by </%s>", rawName(top.raw), rawName(t.Name))
			}
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				scope = stack[len(stack)-1].scope
			} else {
				scope = base
			}
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

// bindings returns the namespace scope of an element: its parent's scope
// plus the element's own xmlns declarations. The parent's map is copied
// only when the element declares something.
func bindings(parent map[string]string, attrs []xml.Attr) (map[string]string, error) {
	scope := parent
	copied := false
	set := func(prefix, uri string) {
		if !copied {
			scope = make(map[string]string, len(parent)+1)
			for k, v := range parent {
				scope[k] = v
			}
			copied = true
		}
		scope[prefix] = uri
	}
	for _, a := range attrs {
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			if a.Value == nsXML || a.Value == nsXMLNS {
				return nil, fmt.Errorf("reserved namespace %s bound as default", a.Value)
			}
			set("", a.Value)
		case a.Name.Space == "xmlns":
			p := a.Name.Local
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
			set(p, a.Value)
		}
	}
	return scope, nil
}

// resolve maps a raw (prefix, local) name to (namespace URI, local name).
// Unprefixed attributes are in no namespace; unprefixed elements are in
// the default namespace.
func resolve(scope map[string]string, n xml.Name, isElement bool) (string, string, error) {
	if n.Local == "" || strings.Contains(n.Local, ":") {
		return "", "", fmt.Errorf("bad name %q", rawName(n))
	}
	if n.Space == "" {
		if isElement {
			return scope[""], n.Local, nil
		}
		return "", n.Local, nil
	}
	uri, ok := scope[n.Space]
	if !ok {
		return "", "", fmt.Errorf("unbound namespace prefix %q in <%s>", n.Space, rawName(n))
	}
	return uri, n.Local, nil
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}
