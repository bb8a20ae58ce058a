package epp

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// addSeeds adds every golden, interop and lenient document as a seed.
func addSeeds(f *testing.F) {
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
	f.Fuzz(func(t *testing.T, a, b, c, dec string, n int) {
		when := date(2026, 1, 2, 3, 4, 5).Add(time.Duration(n) * time.Millisecond)
		msgs := []message{
			&Command{ClTRID: a, DomainCheck: &DomainCheck{Names: []string{a, b}, Fee: &FeeCheck{Currency: c,
				Commands: []FeeCommand{{Name: b, Period: &Period{n, "y"}}}}}},
			&Command{DomainCreate: &DomainCreate{Name: a, AuthInfo: b, Registrant: c, NS: []string{c},
				Contacts: []DomainContact{{"admin", a}}, Fee: &FeeTransform{Fees: []Fee{{dec, c}}, Credits: []Fee{{dec, b}}}}},
			&Command{DomainUpdate: &DomainUpdate{Name: a, Chg: &DomainChg{Registrant: &b, AuthInfo: &c}, Add: &DomainAddRem{Statuses: []string{b}}}},
			&Command{DomainInfo: &DomainInfo{Name: a, Hosts: b, AuthInfo: c}},
			&Command{DomainRenew: &DomainRenew{Name: a, CurExpDate: when.Truncate(24 * time.Hour)}},
			&Command{Login: &Login{ClID: a, Password: b, NewPassword: c, Version: "1.0", Lang: dec, ObjURIs: []string{a}, ExtURIs: []string{c}}},
			&Command{Poll: &Poll{Op: a, MsgID: b}},
			&Command{ContactCreate: &ContactCreate{ID: a, Email: b, AuthInfo: c, Voice: dec, PostalInfo: []PostalInfo{
				{Type: "loc", Name: c, Org: b, Street: []string{a, b, c}, City: c, SP: b, PC: a, CC: dec}},
				Unspec: []KeyValue{{Key: a, Value: b}, {Key: "NexusCategory", Value: c}}}},
			&Command{HostCreate: &HostCreate{Name: a, Addrs: []HostAddr{{IP: b, Addr: c}}}},
			&Response{Results: []Result{{Code: n, Msg: c, Values: []Value{{NS: a, Name: b, Text: c, Reason: c}, {Text: c}}}},
				MsgQ: &MsgQ{Count: n, ID: a, QDate: when, Msg: c}, ClTRID: a, SvTRID: b},
			&Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1",
				DomainInfo: &DomainInfData{Name: a, ROID: b, ClID: a, Statuses: []string{c}, Hosts: []string{a}, UpDate: when, AuthInfo: c},
				FeeCheck: &FeeChkData{Currency: "USD", CDs: []FeeCD{{ObjID: a, Class: b, Reason: c,
					Commands: []FeeCommandData{{Name: "create", Fees: []Fee{{dec, c}}, Reason: b}}}}},
				FeeCreate: &FeeTransformData{Currency: a, Balance: dec, CreditLimit: dec}},
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
