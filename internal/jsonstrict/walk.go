package jsonstrict

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// walker checks a parsed document against a Go type.
type walker struct {
	nodes []node
	data  []byte
	path  []segment
}

func (w *walker) fail(msg string) *Error {
	return &Error{Pointer: pointer(w.path), Message: msg}
}

func (w *walker) mismatch(want string, n *node) *Error {
	return w.fail("expected " + want + ", got " + n.kind.String())
}

// value checks node i against Go type t. quoted reports whether the
// ",string" struct tag option applies.
func (w *walker) value(i int, t reflect.Type, quoted bool) *Error {
	n := &w.nodes[i]
	// Whether the value is reached through a pointer matters for unnamed
	// types with promoted methods, exactly as in encoding/json. The
	// top-level value (empty path) is reached through v.
	viaPtr := len(w.path) == 0
	for t.Kind() == reflect.Pointer {
		if n.kind == kindNull {
			return nil // the pointer is set to nil
		}
		t = t.Elem()
		viaPtr = true
	}
	if t.Kind() == reflect.Interface {
		if t.NumMethod() == 0 {
			return w.any(i)
		}
		if n.kind == kindNull {
			return nil
		}
		return w.fail("cannot be decoded into Go type " + t.String())
	}
	ti := infoOf(t)
	methods := viaPtr || t.Name() != ""
	if quoted {
		return w.quoted(n, t, ti, methods)
	}
	if t == timeType {
		return w.time(n)
	}
	if ti.unmarshaler && methods {
		// The type decides what it accepts, including null.
		u := reflect.New(t).Interface().(json.Unmarshaler)
		if err := u.UnmarshalJSON(n.raw(w.data)); err != nil {
			return w.fail(errorMessage(err))
		}
		return nil
	}
	if n.kind == kindNull {
		switch t.Kind() {
		case reflect.Slice, reflect.Map:
			return nil
		}
		return w.fail("must not be null")
	}
	if ti.textUnmarshaler && methods {
		if n.kind != kindString {
			return w.mismatch("string", n)
		}
		u := reflect.New(t).Interface().(encoding.TextUnmarshaler)
		if err := u.UnmarshalText([]byte(n.s)); err != nil {
			return w.fail(errorMessage(err))
		}
		return nil
	}

	switch t.Kind() {
	case reflect.Struct:
		return w.structValue(i, ti)
	case reflect.Map:
		return w.mapValue(i, t)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if n.kind == kindString {
				if _, err := base64.StdEncoding.DecodeString(n.s); err != nil {
					return w.fail("invalid base64 data")
				}
				return nil
			}
			if n.kind != kindArray {
				return w.mismatch("base64 string or array", n)
			}
		}
		return w.arrayValue(i, t.Elem(), -1)
	case reflect.Array:
		return w.arrayValue(i, t.Elem(), t.Len())
	case reflect.String:
		if t == numberType {
			if n.kind != kindNumber {
				return w.mismatch("number", n)
			}
			return nil
		}
		if n.kind != kindString {
			return w.mismatch("string", n)
		}
		return nil
	case reflect.Bool:
		if n.kind != kindBool {
			return w.mismatch("boolean", n)
		}
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		if n.kind != kindNumber {
			if isIntKind(t.Kind()) {
				return w.mismatch("integer", n)
			}
			return w.mismatch("number", n)
		}
		if msg := checkNumber(n.s, t); msg != "" {
			return w.fail(msg)
		}
		return nil
	default:
		return w.fail("cannot be decoded into Go type " + t.String())
	}
}

// structValue checks object node i against a struct type.
func (w *walker) structValue(i int, ti *typeInfo) *Error {
	n := &w.nodes[i]
	if n.kind != kindObject {
		return w.mismatch("object", n)
	}
	j := i + 1
	for range n.n {
		m := &w.nodes[j]
		w.path = append(w.path, keySegment(m.key))
		f, ok := ti.fields[m.key]
		if !ok {
			return w.fail(fmt.Sprintf("unknown field %q", m.key))
		}
		if e := w.value(j, f.typ, f.quoted); e != nil {
			return e
		}
		w.path = w.path[:len(w.path)-1]
		j = m.next
	}
	return nil
}

// mapValue checks object node i against map type t.
func (w *walker) mapValue(i int, t reflect.Type) *Error {
	n := &w.nodes[i]
	if n.kind != kindObject {
		return w.mismatch("object", n)
	}
	kt := t.Key()
	textKey := reflect.PointerTo(kt).Implements(textUnmarshalerType)
	if !textKey {
		switch kt.Kind() {
		case reflect.String,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			return w.fail("cannot be decoded into Go type " + t.String())
		}
	}
	var seen map[any]string // text keys: decoded key -> member name
	j := i + 1
	for range n.n {
		m := &w.nodes[j]
		w.path = append(w.path, keySegment(m.key))
		switch {
		case textKey:
			kv := reflect.New(kt)
			var err error
			if u, ok := kv.Interface().(json.Unmarshaler); ok {
				// encoding/json passes the quoted member name.
				raw, _ := json.Marshal(m.key)
				err = u.UnmarshalJSON(raw)
			} else {
				err = kv.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(m.key))
			}
			if err != nil {
				return w.fail("invalid key: " + errorMessage(err))
			}
			if kt.Comparable() {
				if seen == nil {
					seen = make(map[any]string)
				}
				k := kv.Elem().Interface()
				if prev, dup := seen[k]; dup {
					return w.fail(fmt.Sprintf("duplicate key %q (same as %q)", m.key, prev))
				}
				seen[k] = m.key
			}
		case kt.Kind() != reflect.String:
			// Integer keys must be canonical so that distinct member
			// names are distinct keys.
			if !isCanonicalInt(m.key) {
				return w.fail("invalid key: expected integer in canonical form")
			}
			if msg := checkNumber(m.key, kt); msg != "" {
				return w.fail("invalid key: " + msg)
			}
		}
		if e := w.value(j, t.Elem(), false); e != nil {
			return e
		}
		w.path = w.path[:len(w.path)-1]
		j = m.next
	}
	return nil
}

// arrayValue checks array node i whose elements have type elem; max is the
// length of a Go array, or -1 for a slice.
func (w *walker) arrayValue(i int, elem reflect.Type, limit int) *Error {
	n := &w.nodes[i]
	if n.kind != kindArray {
		return w.mismatch("array", n)
	}
	j := i + 1
	for k := range n.n {
		w.path = append(w.path, indexSegment(k))
		if k == limit {
			return w.fail(fmt.Sprintf("too many elements: at most %d allowed", limit))
		}
		if e := w.value(j, elem, false); e != nil {
			return e
		}
		w.path = w.path[:len(w.path)-1]
		j = w.nodes[j].next
	}
	return nil
}

// any checks node i for decoding into an empty interface: anything goes,
// except numbers that do not fit a float64.
func (w *walker) any(i int) *Error {
	n := &w.nodes[i]
	switch n.kind {
	case kindNumber:
		if _, err := strconv.ParseFloat(n.s, 64); err != nil {
			return w.fail("number " + abbreviate(n.s) + " out of range")
		}
	case kindObject, kindArray:
		j := i + 1
		for k := range n.n {
			// Skip subtrees without numbers cheaply.
			c := &w.nodes[j]
			if c.kind == kindNumber || ((c.kind == kindObject || c.kind == kindArray) && c.next > j+1) {
				if n.kind == kindObject {
					w.path = append(w.path, keySegment(c.key))
				} else {
					w.path = append(w.path, indexSegment(k))
				}
				if e := w.any(j); e != nil {
					return e
				}
				w.path = w.path[:len(w.path)-1]
			}
			j = c.next
		}
	}
	return nil
}

// time checks node n for decoding into a time.Time, which must be an
// RFC 3339 string (time.Time's UnmarshalJSON silently accepts null).
func (w *walker) time(n *node) *Error {
	if n.kind == kindNull {
		return w.fail("must not be null")
	}
	if n.kind != kindString {
		return w.mismatch("string", n)
	}
	if err := new(time.Time).UnmarshalJSON(n.raw(w.data)); err != nil {
		return w.fail("expected RFC 3339 date-time string")
	}
	return nil
}

// quoted checks node n for a field with the ",string" option, whose value
// is a JSON string containing the JSON encoding of a t.
func (w *walker) quoted(n *node, t reflect.Type, ti *typeInfo, methods bool) *Error {
	if n.kind == kindNull {
		return w.fail("must not be null")
	}
	if n.kind != kindString {
		return w.mismatch("string", n)
	}
	if (ti.unmarshaler || ti.textUnmarshaler) && methods {
		return nil // left to json.Unmarshal
	}
	s := n.s
	switch k := t.Kind(); {
	case k == reflect.String:
		if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' || !json.Valid([]byte(s)) {
			return w.fail("expected string containing a JSON string")
		}
		if t == numberType {
			var inner string
			if json.Unmarshal([]byte(s), &inner) != nil || !isNumber(inner) {
				return w.fail("expected string containing a quoted number")
			}
		}
	case k == reflect.Bool:
		if s != "true" && s != "false" {
			return w.fail("expected string containing a boolean")
		}
	default:
		if !isNumber(s) {
			if isIntKind(k) {
				return w.fail("expected string containing an integer")
			}
			return w.fail("expected string containing a number")
		}
		if msg := checkNumber(s, t); msg != "" {
			return w.fail(msg)
		}
	}
	return nil
}

func isIntKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// checkNumber checks the JSON number literal s against numeric type t and
// returns a problem description, or "" if s fits.
func checkNumber(s string, t reflect.Type) string {
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		if _, err := strconv.ParseFloat(s, t.Bits()); err != nil {
			return "number " + abbreviate(s) + " out of range"
		}
		return ""
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if strings.ContainsAny(s, ".eE") {
			return "expected integer, got " + abbreviate(s)
		}
		bits := t.Bits()
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || t.OverflowInt(n) {
			lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
			return fmt.Sprintf("integer %s out of range [%d, %d]", abbreviate(s), lo, hi)
		}
		return ""
	default: // unsigned
		if strings.ContainsAny(s, ".eE") {
			return "expected integer, got " + abbreviate(s)
		}
		if n, err := strconv.ParseUint(s, 10, 64); err != nil || t.OverflowUint(n) {
			hi := ^uint64(0) >> (64 - t.Bits())
			return fmt.Sprintf("integer %s out of range [0, %d]", abbreviate(s), hi)
		}
		return ""
	}
}

// isCanonicalInt reports whether s is an integer without a leading zero,
// plus sign or negative zero.
func isCanonicalInt(s string) bool {
	if s == "0" {
		return true
	}
	s = strings.TrimPrefix(s, "-")
	if s == "" || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isNumber reports whether s is a JSON number literal.
func isNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}

// abbreviate shortens long literals quoted in messages.
func abbreviate(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max-3] + "..."
}
