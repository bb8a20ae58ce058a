// Package jsonstrict decodes JSON request bodies strictly and reports every
// problem with an RFC 6901 JSON Pointer to the offending member, in the style
// of the Cloudflare v4 API error objects.
//
// Decode works in three passes over a fully buffered body:
//
//  1. A token pass (encoding/json Decoder with UseNumber) builds an
//     order-preserving tree of the document and rejects malformed JSON,
//     invalid UTF-8, duplicate member names, nesting deeper than 64 levels,
//     more than 10,000 tokens, and trailing data after the value.
//  2. The tree is walked against the Go type of the destination, using the
//     same struct-field rules as encoding/json (json tags, "-", embedded
//     structs, ",string"), except that member names must match exactly.
//     Unknown members, wrong JSON types, non-integers or out-of-range numbers
//     for integer fields, and null for non-nullable Go types are rejected.
//     Types implementing json.Unmarshaler or encoding.TextUnmarshaler are
//     leaves: their method is tried on a fresh value so that a failure can
//     be reported with the member's pointer (such methods therefore run
//     twice per value and should have no side effects).
//  3. The validated body is decoded into the destination with json.Unmarshal,
//     so the usual encoding/json semantics apply.
//
// The first problem in document order is reported as an *Error; problems
// found by the token pass (syntax, duplicates, ...) take precedence over
// problems found by the type walk.
package jsonstrict

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Limits that bound the cost of decoding a single body.
const (
	// maxDepth is the maximum number of nested objects and arrays.
	maxDepth = 64
	// maxTokens is the maximum number of JSON tokens (delimiters, member
	// names and scalar values) in a body.
	maxTokens = 10000
)

// Error is one decoding problem. Decode returns it (as an error) for every
// problem caused by the content of the body; other errors returned by Decode
// come from reading the body or from an invalid destination.
type Error struct {
	// Pointer is the RFC 6901 JSON Pointer of the offending member, for
	// example "/contacts/registrant/phone" or "/domains/3". It is "" when
	// the problem concerns the body as a whole (empty body, malformed JSON,
	// trailing data) or the top-level value.
	Pointer string
	// Message describes the problem, for example `unknown field "foo"`,
	// `expected integer, got string` or `must not be null`.
	Message string
}

// Error returns "<pointer>: <message>", or just the message when Pointer is
// empty.
func (e *Error) Error() string {
	if e.Pointer == "" {
		return e.Message
	}
	return e.Pointer + ": " + e.Message
}

// Decode reads exactly one JSON value from r into v (a pointer to a struct,
// typically), strictly: unknown object members, wrong JSON types, duplicate
// member names, trailing data after the value, invalid UTF-8 or malformed
// JSON, and a null where the Go field is not a pointer/slice/map/interface
// are all errors, reported as an *Error naming the offending member by its
// JSON Pointer. So are an empty (or all-whitespace) body, nesting deeper
// than 64 levels and more than 10,000 tokens. Member names must match the Go
// field's JSON name exactly (encoding/json would also accept a
// case-insensitive match). A non-pointer time.Time must not be null; other
// json.Unmarshaler implementations are given null and decide for themselves.
//
// r is read fully; callers should bound it with http.MaxBytesReader. An
// error from r (such as *http.MaxBytesError) is returned unchanged. If v is
// not a non-nil pointer, Decode returns a *json.InvalidUnmarshalError without
// reading r. v is left unmodified when the body is rejected by the strict
// checks, which run before anything is stored into v.
func Decode(r io.Reader, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &json.InvalidUnmarshalError{Type: reflect.TypeOf(v)}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if e := check(data, rv.Type().Elem()); e != nil {
		return e
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fallbackError(err)
	}
	return nil
}

// check runs the token pass and the type walk over data for a destination
// of type t. It returns nil if json.Unmarshal into a *t is expected to
// succeed.
func check(data []byte, t reflect.Type) *Error {
	if len(bytes.TrimLeft(data, " \t\r\n")) == 0 {
		return &Error{Message: "request body is empty"}
	}
	nodes, e := parse(data)
	if e != nil {
		return e
	}
	w := walker{nodes: nodes, data: data}
	return w.value(0, t, false)
}

// fallbackError converts an error from json.Unmarshal, which should only
// occur for unusual destination types, into an *Error with the best pointer
// available.
func fallbackError(err error) *Error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		var p strings.Builder
		if ute.Field != "" {
			for seg := range strings.SplitSeq(ute.Field, ".") {
				p.WriteByte('/')
				writeEscaped(&p, seg)
			}
		}
		msg := "expected a value compatible with " + ute.Type.String() + ", got " + ute.Value
		return &Error{Pointer: p.String(), Message: msg}
	}
	return &Error{Message: errorMessage(err)}
}

// errorMessage returns err's message without the "json: " prefix that
// encoding/json adds.
func errorMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// segment is one reference token of a JSON Pointer: a member name, or an
// array index when index >= 0.
type segment struct {
	key   string
	index int
}

func keySegment(k string) segment { return segment{key: k, index: -1} }

func indexSegment(i int) segment { return segment{index: i} }

// pointer formats segs as an RFC 6901 JSON Pointer.
func pointer(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		if s.index >= 0 {
			b.WriteString(strconv.Itoa(s.index))
		} else {
			writeEscaped(&b, s.key)
		}
	}
	return b.String()
}

// writeEscaped writes a reference token escaped per RFC 6901:
// "~" becomes "~0" and "/" becomes "~1".
func writeEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '~':
			b.WriteString("~0")
		case '/':
			b.WriteString("~1")
		default:
			b.WriteByte(c)
		}
	}
}
