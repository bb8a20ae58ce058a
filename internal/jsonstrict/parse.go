package jsonstrict

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// kind is the JSON type of a node.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
)

// String returns the JSON type name used in error messages.
func (k kind) String() string {
	switch k {
	case kindNull:
		return "null"
	case kindBool:
		return "boolean"
	case kindNumber:
		return "number"
	case kindString:
		return "string"
	case kindObject:
		return "object"
	default:
		return "array"
	}
}

// node is one JSON value. A document is stored as a slice of nodes in
// document order (pre-order); the members or elements of a container follow
// it, each child's next field giving the index of its following sibling.
type node struct {
	kind kind
	b    bool   // kindBool: the value
	key  string // member name, when the parent is an object
	s    string // kindString: the value; kindNumber: the literal
	// start is the input offset before the value's first token; the bytes
	// from start up to the value may be whitespace, ',' or ':'.
	start int
	end   int // input offset just past the value
	next  int // index of the first node after this value's subtree
	n     int // kindObject, kindArray: number of members or elements
}

// raw returns the JSON text of n.
func (n *node) raw(data []byte) []byte {
	b := data[n.start:n.end]
	for len(b) > 0 {
		switch b[0] {
		case ' ', '\t', '\r', '\n', ',', ':':
			b = b[1:]
			continue
		}
		break
	}
	return b
}

// frame is an open object or array during parsing.
type frame struct {
	node   int     // index of the container's node
	seg    segment // how the container is reached from its parent
	obj    bool
	hasKey bool   // object: a member name was read, its value is pending
	key    string // object: the pending member name
	count  int    // completed members or elements
	seen   map[string]struct{}
}

// linearDupLimit is the number of members up to which duplicate member
// names are found by scanning the previous members instead of using a map.
const linearDupLimit = 16

type parser struct {
	data  []byte
	nodes []node
	stack []frame
}

// errAt returns an *Error for the current position: the pointer of the
// innermost open container, followed by extra if non-nil.
func (p *parser) errAt(extra *segment, msg string) *Error {
	segs := make([]segment, 0, len(p.stack)+1)
	for i := 1; i < len(p.stack); i++ {
		segs = append(segs, p.stack[i].seg)
	}
	if extra != nil {
		segs = append(segs, *extra)
	}
	return &Error{Pointer: pointer(segs), Message: msg}
}

// parse tokenizes data into a node tree, enforcing the syntactic rules.
func parse(data []byte) ([]node, *Error) {
	p := parser{
		data:  data,
		nodes: make([]node, 0, min(len(data)/8+1, maxTokens)),
		stack: make([]frame, 0, 8),
	}
	checkUTF8 := !utf8.Valid(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tokens := 0
	for {
		start := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(data, err)
		}
		end := int(dec.InputOffset())
		if tokens++; tokens > maxTokens {
			return nil, &Error{Message: fmt.Sprintf("request body too complex: more than %d JSON tokens", maxTokens)}
		}
		var top *frame
		if len(p.stack) > 0 {
			top = &p.stack[len(p.stack)-1]
		}

		// End of a container.
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			n := &p.nodes[top.node]
			n.end = end
			n.next = len(p.nodes)
			n.n = top.count
			p.stack = p.stack[:len(p.stack)-1]
			if len(p.stack) == 0 {
				break
			}
			top = &p.stack[len(p.stack)-1]
			top.count++
			top.hasKey = false
			continue
		}

		// Member name.
		if top != nil && top.obj && !top.hasKey {
			key := tok.(string) // Decoder.Token only returns a string here.
			if checkUTF8 && !utf8.Valid(data[start:end]) {
				return nil, p.errAt(nil, "invalid JSON: invalid UTF-8 in member name")
			}
			if p.isDuplicate(top, key) {
				seg := keySegment(key)
				return nil, p.errAt(&seg, fmt.Sprintf("duplicate field %q", key))
			}
			top.key = key
			top.hasKey = true
			continue
		}

		// Start of a value.
		var seg segment
		nd := node{start: start, end: end}
		if top != nil {
			if top.obj {
				nd.key = top.key
				seg = keySegment(top.key)
			} else {
				seg = indexSegment(top.count)
			}
		}
		switch t := tok.(type) {
		case json.Delim: // '{' or '['
			if len(p.stack) >= maxDepth {
				return nil, p.errAt(&seg, fmt.Sprintf("nesting too deep: more than %d levels", maxDepth))
			}
			nd.kind = kindArray
			if t == '{' {
				nd.kind = kindObject
			}
			p.nodes = append(p.nodes, nd)
			p.stack = append(p.stack, frame{node: len(p.nodes) - 1, seg: seg, obj: t == '{'})
			continue
		case string:
			if checkUTF8 && !utf8.Valid(data[start:end]) {
				return nil, p.errAt(&seg, "invalid JSON: invalid UTF-8 in string")
			}
			nd.kind = kindString
			nd.s = t
		case json.Number:
			nd.kind = kindNumber
			nd.s = string(t)
		case bool:
			nd.kind = kindBool
			nd.b = t
		case nil:
			nd.kind = kindNull
		}
		nd.next = len(p.nodes) + 1
		p.nodes = append(p.nodes, nd)
		if top == nil {
			break
		}
		top.count++
		top.hasKey = false
	}
	rest := data[dec.InputOffset():]
	if len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return nil, &Error{Message: "trailing data after the JSON value"}
	}
	return p.nodes, nil
}

// isDuplicate reports whether the object f already has a member named key.
func (p *parser) isDuplicate(f *frame, key string) bool {
	if f.seen != nil {
		if _, dup := f.seen[key]; dup {
			return true
		}
		f.seen[key] = struct{}{}
		return false
	}
	j := f.node + 1
	for range f.count {
		if p.nodes[j].key == key {
			return true
		}
		j = p.nodes[j].next
	}
	if f.count+1 >= linearDupLimit {
		f.seen = make(map[string]struct{}, 2*linearDupLimit)
		j := f.node + 1
		for range f.count {
			f.seen[p.nodes[j].key] = struct{}{}
			j = p.nodes[j].next
		}
		f.seen[key] = struct{}{}
	}
	return false
}

// syntaxError converts an error from Decoder.Token on data into an *Error.
func syntaxError(data []byte, err error) *Error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Message: "invalid JSON: unexpected end of input"}
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return &Error{Message: "invalid JSON: " + errorMessage(err)}
	}
	// The scanner reports data directly after a top-level scalar (as in
	// `1x` or `"a"b`) this way.
	if strings.HasSuffix(se.Error(), "after top-level value") {
		return &Error{Message: "trailing data after the JSON value"}
	}
	// The offsets in errors from Decoder.Token are not always input
	// offsets; a full scan of data finds the same first error with an
	// exact offset (the number of bytes read, including the bad one).
	var raw json.RawMessage
	var full *json.SyntaxError
	if errors.As(json.Unmarshal(data, &raw), &full) && full.Offset > 0 {
		se = full
		se.Offset--
	}
	return &Error{Message: "invalid JSON: " + se.Error() + " at byte offset " + strconv.FormatInt(se.Offset, 10)}
}
