package epp

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// addSeeds adds every golden, interop and lenient document as a seed,
// and the shapes that test the parser's limits.
func addSeeds(f *testing.F) {
	for _, b := range shapeSeeds() {
		f.Add(b)
	}
	for _, pattern := range []string{"*.xml", "interop/*.xml", "lenient/*.xml"} {
		files, _ := filepath.Glob(filepath.Join("testdata", pattern))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

// shapeSeeds are documents at and beyond the parser's limits: many
// attributes, namespace declarations and elements, deep nesting and long
// names, inside an EPP command where they fit.
func shapeSeeds() [][]byte {
	cmd := func(inner string) []byte {
		return []byte(`<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><check>` +
			`<domain:check xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">` + inner +
			`</domain:check></check><clTRID>ABC-1</clTRID></command></epp>`)
	}
	var decls strings.Builder
	for i := range MaxAttrs {
		fmt.Fprintf(&decls, ` xmlns:p%d="urn:x:%d"`, i, i)
	}
	return [][]byte{
		manyAttrs(MaxAttrs - 1),
		manyAttrs(MaxAttrs),
		manyAttrs(20),
		nested(MaxDepth),
		nested(MaxDepth + 1),
		siblings(200),
		cmd(strings.Repeat(`<domain:name>a.example</domain:name>`, 100)),
		cmd(`<domain:name a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" i="9" a="10">a.example</domain:name>`),
		cmd(`<domain:name` + decls.String() + `>a.example</domain:name>`),
		cmd(`<domain:` + strings.Repeat("n", MaxNameLen) + `>a.example</domain:` + strings.Repeat("n", MaxNameLen) + `>`),
		cmd(strings.Repeat(`<domain:name>`, MaxDepth) + strings.Repeat(`</domain:name>`, MaxDepth)),
	}
}

// checkFormatError fails unless err is a *FormatError with an EPP error code.
func checkFormatError(t *testing.T, err error) {
	var fe *FormatError
	if !errors.As(err, &fe) || !ValidCode(fe.Code) || fe.Code < 2000 {
		t.Fatalf("error %v (%T) is not a *FormatError with an EPP error code", err, err)
	}
}

func FuzzParseCommand(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := ParseCommand(in)
		if err != nil {
			checkFormatError(t, err)
			return
		}
		out, err := c.Marshal()
		if err != nil {
			t.Fatalf("Marshal(ParseCommand(x)) = %v, want no error for %+v", err, c)
		}
		c2, err := ParseCommand(out)
		if err != nil {
			t.Fatalf("ParseCommand(Marshal(c)) = %v\n%s", err, out)
		}
		if diff := cmp.Diff(c, c2); diff != "" {
			t.Fatalf("ParseCommand(Marshal(c)) = %+v, want %+v (-want +got):\n%s", c2, c, diff)
		}
		out2, err := c2.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("Marshal is not stable: %v\n%s\n%s", err, out, out2)
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		g, r, err := ParseServerMessage(in)
		if err != nil {
			checkFormatError(t, err)
			return
		}
		if (g == nil) == (r == nil) {
			t.Fatalf("ParseServerMessage = %v, %v: want exactly one", g, r)
		}
		var m message = r
		if g != nil {
			m = g
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal(Parse(x)) = %v, want no error for %+v", err, m)
		}
		g2, r2, err := ParseServerMessage(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(m)) = %v\n%s", err, out)
		}
		if diff := cmp.Diff(g, g2); diff != "" {
			t.Fatalf("ParseGreeting(Marshal(g)) = %+v, want %+v (-want +got):\n%s", g2, g, diff)
		}
		if diff := cmp.Diff(r, r2); diff != "" {
			t.Fatalf("ParseResponse(Marshal(r)) = %+v, want %+v (-want +got):\n%s", r2, r, diff)
		}
		if r != nil {
			// Err never panics and is consistent with Code.
			if (r.Err() != nil) != (r.Code() >= 2000) {
				t.Fatalf("Err() = %v for code %d", r.Err(), r.Code())
			}
		}
	})
}

// FuzzMarshalRoundTrip puts arbitrary strings into many fields: whatever
// Marshal accepts must parse back to the same message.
func FuzzMarshalRoundTrip(f *testing.F) {
	f.Add("example.com", "2fooBAR", "Some text", "10.00", 1)
	f.Add(" a  b ", "x\ty", "a\r\nb & <c>", "-0.0", 99)
	f.Add("", "", "\u00e9\U0001F600", ".5", 0)
	f.Add("urn:x", "name", "]]>", "5.", 100)
	f.Add("xfer-example.com", "request", "sandbox-auth", "500.00", 1)
	f.Add("example.net", "pending", "ClientX", "0", 2)
	f.Add("example.org", "request", "redemptionPeriod", "Registrant error.", 3)
	f.Add("pendingRestore", "autoRenewPeriod", "pendingDelete", "", 4)
	f.Fuzz(func(t *testing.T, a, b, c, dec string, n int) {
		when := date(2026, 1, 2, 3, 4, 5).Add(time.Duration(n) * time.Millisecond)
		msgs := []message{
			&Command{ClTRID: a, DomainCheck: &DomainCheck{Names: []string{a, b}, Fee: &FeeCheck{Currency: c,
				Commands: []FeeCommand{{Name: b, Period: &Period{n, "y"}}}}}},
			&Command{DomainCreate: &DomainCreate{Name: a, AuthInfo: b, Registrant: c, NS: []string{c},
				Contacts: []DomainContact{{"admin", a}}, Fee: &FeeTransform{Fees: []Fee{{dec, c}}, Credits: []Fee{{dec, b}}}}},
			&Command{DomainUpdate: &DomainUpdate{Name: a, Chg: &DomainChg{Registrant: &b, AuthInfo: &c}, Add: &DomainAddRem{Statuses: []string{b}}}},
			&Command{DomainInfo: &DomainInfo{Name: a, Hosts: b, AuthInfo: c}},
			&Command{DomainDelete: &DomainDelete{Name: a}},
			&Command{DomainUpdate: &DomainUpdate{Name: a, Chg: &DomainChg{}, RGP: &RGPRestore{Op: b}}},
			&Command{ClTRID: a, DomainUpdate: &DomainUpdate{Name: a, Chg: &DomainChg{}, RGP: &RGPRestore{Op: RGPRestoreReport,
				Report: &RGPReport{PreData: a, PostData: b, DelTime: when, ResTime: when, ResReason: c, Statements: []string{a, c}, Other: dec}}}},
			&Command{DomainRenew: &DomainRenew{Name: a, CurExpDate: when.Truncate(24 * time.Hour)}},
			&Command{Login: &Login{ClID: a, Password: b, NewPassword: c, Version: "1.0", Lang: dec, ObjURIs: []string{a}, ExtURIs: []string{c}}},
			&Command{Poll: &Poll{Op: a, MsgID: b}},
			&Command{ContactCreate: &ContactCreate{ID: a, Email: b, AuthInfo: c, Voice: dec, PostalInfo: []PostalInfo{
				{Type: "loc", Name: c, Org: b, Street: []string{a, b, c}, City: c, SP: b, PC: a, CC: dec}},
				Unspec: []KeyValue{{Key: a, Value: b}, {Key: "NexusCategory", Value: c}}}},
			&Command{HostCreate: &HostCreate{Name: a, Addrs: []HostAddr{{IP: b, Addr: c}}}},
			&Command{ClTRID: c, DomainTransfer: &DomainTransfer{Op: b, Name: a, Period: &Period{n, "y"}, AuthInfo: c,
				Fee: &FeeTransform{Currency: b, Fees: []Fee{{dec, a}}}}},
			&Command{DomainTransfer: &DomainTransfer{Op: TransferQuery, Name: a, AuthInfo: b}},
			&Response{Results: []Result{{Code: 1001}}, SvTRID: "SRV-1",
				DomainTransfer: &DomainTrnData{Name: a, TrStatus: b, ReID: c, ReDate: when, AcID: a, AcDate: when, ExDate: when},
				FeeTransfer:    &FeeTransformData{Currency: c, Period: &Period{n, "y"}, Fees: []Fee{{dec, b}}}},
			&Response{Results: []Result{{Code: n, Msg: c, Values: []Value{{NS: a, Name: b, Text: c, Reason: c}, {Text: c}}}},
				MsgQ: &MsgQ{Count: n, ID: a, QDate: when, Msg: c}, ClTRID: a, SvTRID: b},
			&Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1",
				DomainInfo: &DomainInfData{Name: a, ROID: b, ClID: a, Statuses: []string{c}, Hosts: []string{a}, UpDate: when, AuthInfo: c},
				FeeCheck: &FeeChkData{Currency: "USD", CDs: []FeeCD{{ObjID: a, Class: b, Reason: c,
					Commands: []FeeCommandData{{Name: "create", Fees: []Fee{{dec, c}}, Reason: b}}}}},
				FeeCreate: &FeeTransformData{Currency: a, Balance: dec, CreditLimit: dec}},
			&Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1", RGPUpdate: &RGPData{Statuses: []string{a, b}},
				RGPInfo: &RGPData{Statuses: []string{c}}},
			&Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1",
				DomainCheck: &DomainChkData{CDs: []DomainCD{{Name: a, Avail: n%2 == 0, Reason: b}}}},
			&Response{Results: []Result{{Code: 1301}}, SvTRID: "SRV-1",
				DomainPan: &DomainPanData{Name: a, PaClTRID: b, PaSvTRID: c, PaDate: when}},
			&Greeting{SvID: a, SvDate: when, Versions: []string{"1.0"}, Langs: []string{b}, ObjURIs: []string{c}},
		}
		for i, m := range msgs {
			out, err := m.Marshal()
			if err != nil {
				checkFormatError(t, err)
				continue
			}
			back, err := parseAs(m, out)
			if err != nil {
				t.Fatalf("message %d: Parse(Marshal(m)) = %v\n%s", i, err, out)
			}
			if diff := cmp.Diff(m, back); diff != "" {
				t.Fatalf("message %d: Parse(Marshal(m)) = %+v, want %+v (-want +got):\n%s", i, back, m, diff)
			}
		}
	})
}

// FuzzParseUnspec: whatever ParseUnspec accepts formats back to text that
// parses to the same pairs.
func FuzzParseUnspec(f *testing.F) {
	f.Add("AppPurpose=P1 NexusCategory=C31/DE")
	f.Add("  a=  b=c ")
	f.Add("a==b")
	f.Add("=x")
	f.Add("A=1 a=2")
	f.Fuzz(func(t *testing.T, s string) {
		pairs, err := ParseUnspec(s)
		if err != nil {
			checkFormatError(t, err)
			return
		}
		back, err := ParseUnspec(FormatUnspec(pairs))
		if err != nil || !slices.Equal(back, pairs) {
			t.Fatalf("ParseUnspec(FormatUnspec(%q)) = %q, %v; want %q", pairs, back, err, pairs)
		}
	})
}

// treeStats returns the depth, element count, largest attribute count and
// longest local name of a tree.
func treeStats(e *element, depth int) (maxDepth, elements, attrs, name int) {
	maxDepth, elements, attrs, name = depth, 1, len(e.attrs), len(e.local)
	for _, a := range e.attrs {
		name = max(name, len(a.local))
	}
	for _, c := range e.children {
		d, n, a, l := treeStats(c, depth+1)
		maxDepth, elements, attrs, name = max(maxDepth, d), elements+n, max(attrs, a), max(name, l)
	}
	return maxDepth, elements, attrs, name
}

// FuzzParseXML: a document the parser accepts is within its limits and
// parses to the same tree with the limits lifted; one it refuses for a
// limit is refused or exceeds a limit without them.
func FuzzParseXML(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		root, err := parseXML(in)
		free, ferr := parseXMLLimits(in, unlimited)
		switch {
		case err == nil:
			d, n, a, l := treeStats(root, 1)
			if d > MaxDepth || n > MaxElements || a > MaxAttrs || l > MaxNameLen {
				t.Fatalf("parseXML accepted depth %d, %d elements, %d attributes, name of %d bytes", d, n, a, l)
			}
			if ferr != nil {
				t.Fatalf("parseXML = nil but without limits %v", ferr)
			}
			if !reflect.DeepEqual(root, free) {
				t.Fatalf("trees differ with and without limits")
			}
		case errors.Is(err, ErrLimit):
			if ferr == nil && bytes.Count(in, []byte("<")) <= MaxDepth && len(in) <= MaxNameLen {
				t.Fatalf("parseXML = %v for a document smaller than any limit", err)
			}
		}
	})
}

// FuzzParseShapes builds documents of the given shape: the parser
// refuses exactly those beyond a limit, with ErrLimit, and accepts the
// others as built.
func FuzzParseShapes(f *testing.F) {
	f.Add(uint16(3), uint16(5), uint16(10), uint16(8), false)
	f.Add(uint16(MaxAttrs-1), uint16(MaxDepth), uint16(MaxElements-MaxDepth), uint16(MaxNameLen), false)
	f.Add(uint16(MaxAttrs), uint16(MaxDepth+1), uint16(MaxElements), uint16(MaxNameLen+1), false)
	f.Add(uint16(40), uint16(2), uint16(2), uint16(4), true)
	f.Add(uint16(5), uint16(1), uint16(1), uint16(1), true)
	f.Fuzz(func(t *testing.T, attrs, depth, leaves, nameLen uint16, dup bool) {
		// A chain of depth elements named n (nameLen bytes), the innermost
		// holding leaves empty <l/> and attrs attributes (plus the
		// default namespace); dup repeats the first attribute.
		depth, nameLen = max(depth, 1), max(nameLen, 1)
		attrs = min(attrs, 4*MaxAttrs)
		depth = min(depth, 4*MaxDepth)
		leaves = min(leaves, 2*MaxElements)
		name := strings.Repeat("n", int(nameLen))
		var b strings.Builder
		for range depth - 1 {
			b.WriteString("<" + name + ">")
		}
		b.WriteString("<" + name + ` xmlns="urn:x"`)
		for i := range attrs {
			fmt.Fprintf(&b, ` a%d="v"`, i)
		}
		if dup && attrs > 0 {
			b.WriteString(` a0="w"`)
		}
		b.WriteString(">" + strings.Repeat("<l/>", int(leaves)))
		for range depth {
			b.WriteString("</" + name + ">")
		}
		nattrs := int(attrs) + 1
		if dup && attrs > 0 {
			nattrs++
		}
		// Errors come in document order: the chain's limits, then the
		// repeated attribute, then the leaves' limits.
		overChain := int(depth) > MaxDepth || nattrs > MaxAttrs || int(nameLen) > MaxNameLen
		overLeaves := leaves > 0 && (int(depth)+1 > MaxDepth || int(depth)+int(leaves) > MaxElements)
		root, err := parseXML([]byte(b.String()))
		switch {
		case overChain, overLeaves && !(dup && attrs > 0):
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("parseXML(%d attributes, depth %d, %d leaves, name %d, dup %v) = %v, want ErrLimit", attrs, depth, leaves, nameLen, dup, err)
			}
		case dup && attrs > 0:
			if err == nil || !strings.Contains(err.Error(), "duplicate attribute") {
				t.Fatalf("parseXML with a repeated attribute = %v, want a duplicate", err)
			}
		case err != nil:
			t.Fatalf("parseXML(%d attributes, depth %d, %d leaves, name %d) = %v, want nil", attrs, depth, leaves, nameLen, err)
		default:
			d, n, a, l := treeStats(root, 1)
			wantD := int(depth)
			if leaves > 0 {
				wantD++
			}
			wantL := int(nameLen) // or <l/>, or a<attrs-1>
			if leaves > 0 {
				wantL = max(wantL, 1)
			}
			if attrs > 0 {
				wantL = max(wantL, len(fmt.Sprint("a", attrs-1)))
			}
			if d != wantD || n != int(depth)+int(leaves) || a != int(attrs) || l != wantL {
				t.Fatalf("tree: depth %d, %d elements, %d attributes, name %d; want %d, %d, %d, %d", d, n, a, l, wantD, int(depth)+int(leaves), attrs, wantL)
			}
		}
	})
}
