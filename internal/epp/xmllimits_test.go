package epp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// manyAttrs returns an <epp> root carrying n attributes.
func manyAttrs(n int) []byte {
	var b strings.Builder
	b.WriteString(`<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"`)
	for i := range n {
		fmt.Fprintf(&b, ` a%d="v"`, i)
	}
	b.WriteString(`/>`)
	return []byte(b.String())
}

// nested returns depth elements, each inside the one before.
func nested(depth int) []byte {
	return []byte(strings.Repeat("<a>", depth) + strings.Repeat("</a>", depth))
}

// siblings returns a root with n-1 empty children: n elements in all.
func siblings(n int) []byte {
	return []byte("<r>" + strings.Repeat("<c/>", n-1) + "</r>")
}

func TestParseXMLLimits(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("n", n) }
	tests := []struct {
		name    string
		doc     []byte
		limited bool // errors.Is(err, ErrLimit)
	}{
		{"depth at the limit", nested(MaxDepth), false},
		{"depth over the limit", nested(MaxDepth + 1), true},
		{"elements at the limit", siblings(MaxElements), false},
		{"elements over the limit", siblings(MaxElements + 1), true},
		{"attributes at the limit", manyAttrs(MaxAttrs - 1), false}, // plus xmlns
		{"attributes over the limit", manyAttrs(MaxAttrs), true},
		{"40,000 attributes", manyAttrs(40000), true},
		{"element name at the limit", []byte("<" + long(MaxNameLen) + "/>"), false},
		{"element name over the limit", []byte("<" + long(MaxNameLen+1) + "/>"), true},
		{"prefixed element name over the limit", []byte(`<p:` + long(MaxNameLen-1) + ` xmlns:p="urn:x"/>`), true},
		{"attribute name at the limit", []byte(`<a ` + long(MaxNameLen) + `="1"/>`), false},
		{"attribute name over the limit", []byte(`<a ` + long(MaxNameLen+1) + `="1"/>`), true},
		{"prefix declaration over the limit", []byte(`<a xmlns:` + long(MaxNameLen) + `="urn:x"/>`), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseXML(tt.doc)
			if got := errors.Is(err, ErrLimit); got != tt.limited {
				t.Fatalf("parseXML: error %v, want a limit error: %v", err, tt.limited)
			}
			if !tt.limited && err != nil {
				t.Fatalf("parseXML: %v, want no error", err)
			}
		})
	}
}

// TestParseLimitIsSyntaxError checks what a server and a client see: a
// *FormatError with code 2001 that matches ErrLimit.
func TestParseLimitIsSyntaxError(t *testing.T) {
	t.Parallel()
	doc := manyAttrs(40000)
	_, err := ParseCommand(doc)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Code != CodeSyntaxError || !errors.Is(err, ErrLimit) {
		t.Errorf("ParseCommand(40,000 attributes) = %v, want a 2001 *FormatError matching ErrLimit", err)
	}
	_, _, err = ParseServerMessage(doc)
	if !errors.As(err, &fe) || fe.Code != CodeSyntaxError || !errors.Is(err, ErrLimit) {
		t.Errorf("ParseServerMessage(40,000 attributes) = %v, want a 2001 *FormatError matching ErrLimit", err)
	}
}

func TestParseXMLDuplicates(t *testing.T) {
	t.Parallel()
	many := func(extra string) []byte {
		var b strings.Builder
		b.WriteString(`<a xmlns:p="urn:x" xmlns:q="urn:x"`)
		for i := range 20 {
			fmt.Fprintf(&b, ` b%d="1"`, i)
		}
		b.WriteString(extra + `/>`)
		return []byte(b.String())
	}
	tests := []struct {
		name string
		doc  []byte
		dup  bool
	}{
		{"few distinct", []byte(`<a x="1" y="2"/>`), false},
		{"few repeated", []byte(`<a x="1" y="2" x="3"/>`), true},
		{"few, same namespace by two prefixes", []byte(`<a xmlns:p="urn:x" xmlns:q="urn:x" p:x="1" q:x="2"/>`), true},
		{"namespace declared twice", []byte(`<a xmlns:p="urn:x" xmlns:p="urn:y"/>`), true},
		{"default namespace declared twice", []byte(`<a xmlns="urn:x" xmlns="urn:x"/>`), true},
		{"prefixed and unprefixed", []byte(`<a xmlns:p="urn:x" p:x="1" x="2"/>`), false},
		{"many distinct", many(""), false},
		{"many repeated", many(` b7="2"`), true},
		{"many, same namespace by two prefixes", many(` p:z="1" q:z="2"`), true},
		{"many, prefixed and unprefixed", many(` p:z="1" z="2"`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseXML(tt.doc)
			if got := err != nil && strings.Contains(err.Error(), "duplicate attribute"); got != tt.dup {
				t.Fatalf("parseXML(%s): error %v, want a duplicate: %v", tt.doc, err, tt.dup)
			}
			if !tt.dup && err != nil {
				t.Fatalf("parseXML: %v, want no error", err)
			}
		})
	}
}

// TestParseXMLNamespaceScopes checks that bindings end with their element
// and that an inner one shadows an outer one.
func TestParseXMLNamespaceScopes(t *testing.T) {
	t.Parallel()
	root, err := parseXML([]byte(`<p:a xmlns:p="urn:1" xmlns="urn:d"><p:b xmlns:p="urn:2"><c xmlns=""/></p:b><p:b/><c/></p:a>`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func(*element)
	walk = func(e *element) {
		got = append(got, "{"+e.space+"}"+e.local)
		for _, c := range e.children {
			walk(c)
		}
	}
	walk(root)
	want := "{urn:1}a {urn:2}b {}c {urn:1}b {urn:d}c"
	if strings.Join(got, " ") != want {
		t.Errorf("elements = %s, want %s", strings.Join(got, " "), want)
	}
	if _, err := parseXML([]byte(`<a><p:b xmlns:p="urn:1"/><p:b/></a>`)); err == nil {
		t.Error("a prefix bound on a sibling: no error, want unbound prefix")
	}
}

// TestLimitsLeaveRoom checks that every golden and interop message stays
// far inside the limits: a quarter of each.
func TestLimitsLeaveRoom(t *testing.T) {
	t.Parallel()
	var files []string
	for _, pattern := range []string{"*.xml", "interop/*.xml", "lenient/*.xml"} {
		m, _ := filepath.Glob(filepath.Join("testdata", pattern))
		files = append(files, m...)
	}
	if len(files) < 40 {
		t.Fatalf("found %d test documents, want the golden set", len(files))
	}
	quarter := xmlLimits{depth: MaxDepth / 4, elements: MaxElements / 4, attrs: MaxAttrs / 4, name: MaxNameLen / 4}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseXMLLimits(b, quarter); errors.Is(err, ErrLimit) {
			t.Errorf("%s: %v, want it within a quarter of the limits", name, err)
		}
	}
}

var unlimited = xmlLimits{depth: 1 << 30, elements: 1 << 30, attrs: 1 << 30, name: 1 << 30}

// minParseTime is the shortest of runs parses of doc without limits: the
// least disturbed by other work on the machine.
func minParseTime(t *testing.T, doc []byte, runs int) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range runs {
		start := time.Now()
		if _, err := parseXMLLimits(doc, unlimited); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	return best
}

// TestParseLinearInAttributes checks that parsing is linear in the number
// of attributes, limits lifted: 64 times the attributes costs about 64
// times the allocations and time. The bounds are twice that for
// allocations and 32 times that for time (the garbage collector and a
// shared machine make time grow faster than the work); comparing each
// attribute with every earlier one (as before) made the time ratio about
// 10,000.
func TestParseLinearInAttributes(t *testing.T) {
	if testing.Short() {
		t.Skip("parses 64,000 attributes several times")
	}
	const small, large = 1000, 64000
	const ratio = large / small
	a, b := manyAttrs(small), manyAttrs(large)
	allocs := func(doc []byte) float64 {
		return testing.AllocsPerRun(3, func() { parseXMLLimits(doc, unlimited) })
	}
	if as, al := allocs(a), allocs(b); al > 2*ratio*as {
		t.Errorf("allocations: %v for %d attributes, %v for %d: ratio %.0f, want at most %d", as, small, al, large, al/as, 2*ratio)
	}
	ts, tl := minParseTime(t, a, 20), minParseTime(t, b, 3)
	if r := float64(tl) / float64(ts); r > 32*ratio {
		t.Errorf("time: %v for %d attributes, %v for %d: ratio %.0f, want at most %d (linear: about %d)", ts, small, tl, large, r, 32*ratio, ratio)
	} else {
		t.Logf("time: %v for %d attributes, %v for %d: ratio %.1f", ts, small, tl, large, r)
	}
}

// BenchmarkParseAttributes parses one element with n attributes, limits
// lifted; ns/attr stays flat when parsing is linear.
func BenchmarkParseAttributes(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		doc := manyAttrs(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseXMLLimits(doc, unlimited); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/attr")
		})
	}
}

// BenchmarkParseRefused is the cost of refusing a frame of 100,000
// attributes with the production limits.
func BenchmarkParseRefused(b *testing.B) {
	doc := manyAttrs(100000)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCommand(doc); !errors.Is(err, ErrLimit) {
			b.Fatal(err)
		}
	}
}
