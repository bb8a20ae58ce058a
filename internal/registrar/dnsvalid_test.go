package registrar

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateNameservers(t *testing.T) {
	many := make([]string, 14)
	for i := range many {
		many[i] = "ns" + string(rune('a'+i)) + ".example.net"
	}
	cases := []struct {
		name     string
		in       []string
		want     []string
		pointers []string
	}{
		{name: "two, normalised", in: []string{"NS1.Example.NET.", "ns2.example.net"}, want: []string{"ns1.example.net", "ns2.example.net"}},
		{name: "thirteen", in: many[:13], want: many[:13]},
		{name: "fourteen", in: many, want: many, pointers: []string{"/nameservers"}},
		{name: "one", in: []string{"ns1.example.net"}, want: []string{"ns1.example.net"}, pointers: []string{"/nameservers"}},
		{name: "not a host name", in: []string{"ns1.example.net", "ns 2.example.net", "localhost"}, want: []string{"ns1.example.net"},
			pointers: []string{"/nameservers/1", "/nameservers/2"}},
		{name: "duplicate after normalisation", in: []string{"ns1.example.net", "NS1.example.net."}, want: []string{"ns1.example.net"},
			pointers: []string{"/nameservers/1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, errs := ValidateNameservers("/nameservers", c.in, parseHost)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("normalised (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.pointers, pointers(errs)); diff != "" {
				t.Errorf("pointers (-want +got):\n%s (%v)", diff, errs)
			}
		})
	}
}

// parseHost stands for domainname.ParseHost, which registrar may not
// import: lower case, one trailing dot dropped, at least two labels, no
// space.
func parseHost(s string) (string, error) {
	h := strings.ToLower(strings.TrimSuffix(s, "."))
	if !strings.Contains(h, ".") || strings.ContainsAny(h, " _") {
		return "", fmt.Errorf("host name %q is not a host name", s)
	}
	return h, nil
}

func pointers(errs []FieldError) []string {
	var p []string
	for _, e := range errs {
		p = append(p, e.Pointer)
	}
	return p
}

func TestValidateDNSSEC(t *testing.T) {
	sha256 := strings.Repeat("ab", 32)
	sha384 := strings.Repeat("cd", 48)
	ok := DSRecord{KeyTag: 12345, Algorithm: 13, DigestType: 2, Digest: sha256}
	cases := []struct {
		name     string
		in       []DSRecord
		want     []DSRecord
		pointers []string
		message  string
	}{
		{name: "SHA-256, upper-cased", in: []DSRecord{ok}, want: []DSRecord{{12345, 13, 2, strings.ToUpper(sha256)}}},
		{name: "SHA-384 with ED25519, key tag 0 and 65535", in: []DSRecord{{0, 15, 4, sha384}, {65535, 8, 2, sha256}},
			want: []DSRecord{{0, 15, 4, strings.ToUpper(sha384)}, {65535, 8, 2, strings.ToUpper(sha256)}}},
		{name: "none turns DNSSEC off", in: nil, want: []DSRecord{}},
		{name: "deprecated RSASHA1 still accepted", in: []DSRecord{{1, 5, 2, sha256}}, want: []DSRecord{{1, 5, 2, strings.ToUpper(sha256)}}},
		{name: "unknown algorithm", in: []DSRecord{{1, 99, 2, sha256}}, want: []DSRecord{}, pointers: []string{"/dnssec/ds_records/0/algorithm"}, message: "algorithm 99"},
		{name: "MUST NOT algorithm RSAMD5", in: []DSRecord{{1, 1, 2, sha256}}, want: []DSRecord{}, pointers: []string{"/dnssec/ds_records/0/algorithm"}},
		{name: "SHA-1 refused", in: []DSRecord{{1, 13, 1, strings.Repeat("ab", 20)}}, want: []DSRecord{}, pointers: []string{"/dnssec/ds_records/0/digest_type"}, message: "SHA-1"},
		{name: "unknown digest type", in: []DSRecord{{1, 13, 7, sha256}}, want: []DSRecord{}, pointers: []string{"/dnssec/ds_records/0/digest_type"}},
		{name: "wrong digest length", in: []DSRecord{ok, {1, 13, 2, sha256[:62]}}, want: []DSRecord{{12345, 13, 2, strings.ToUpper(sha256)}},
			pointers: []string{"/dnssec/ds_records/1/digest"}, message: "64 hex digits"},
		{name: "SHA-384 length for SHA-256", in: []DSRecord{{1, 13, 2, sha384}}, want: []DSRecord{}, pointers: []string{"/dnssec/ds_records/0/digest"}},
		{name: "not hex", in: []DSRecord{{1, 13, 2, strings.Repeat("zz", 32)}}, want: []DSRecord{}, pointers: []string{"/dnssec/ds_records/0/digest"}},
		{name: "key tag out of range", in: []DSRecord{{65536, 13, 2, sha256}, {-1, 13, 2, sha256}}, want: []DSRecord{},
			pointers: []string{"/dnssec/ds_records/0/key_tag", "/dnssec/ds_records/1/key_tag"}},
		{name: "duplicate", in: []DSRecord{ok, {12345, 13, 2, strings.ToUpper(sha256)}}, want: []DSRecord{{12345, 13, 2, strings.ToUpper(sha256)}},
			pointers: []string{"/dnssec/ds_records/1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, errs := ValidateDNSSEC("/dnssec", DNSSEC{DSRecords: c.in})
			if diff := cmp.Diff(c.want, got.DSRecords); diff != "" {
				t.Errorf("normalised (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.pointers, pointers(errs)); diff != "" {
				t.Errorf("pointers (-want +got):\n%s (%v)", diff, errs)
			}
			if c.message != "" && (len(errs) == 0 || !strings.Contains(errs[0].Message, c.message)) {
				t.Errorf("message %v, want one naming %q", errs, c.message)
			}
		})
	}
	nine := make([]DSRecord, 9)
	for i := range nine {
		nine[i] = DSRecord{KeyTag: i, Algorithm: 13, DigestType: 2, Digest: sha256}
	}
	if _, errs := ValidateDNSSEC("/dnssec", DNSSEC{DSRecords: nine}); len(errs) != 1 || errs[0].Pointer != "/dnssec/ds_records" {
		t.Errorf("nine records: %v", errs)
	}
}

func TestValidateHost(t *testing.T) {
	cases := []struct {
		name     string
		in       Host
		want     Host
		pointers []string
	}{
		{name: "v4 and v6, canonical", in: Host{Name: "NS1.example.com", IPv4: []string{"192.0.2.1"}, IPv6: []string{"2001:DB8:0:0::1"}},
			want: Host{Name: "ns1.example.com", IPv4: []string{"192.0.2.1"}, IPv6: []string{"2001:db8::1"}}},
		{name: "deeper subdomain", in: Host{Name: "a.ns.example.com", IPv4: []string{"198.51.100.7"}},
			want: Host{Name: "a.ns.example.com", IPv4: []string{"198.51.100.7"}}},
		{name: "glue outside the domain", in: Host{Name: "ns1.example.net", IPv4: []string{"192.0.2.1"}},
			want: Host{IPv4: []string{"192.0.2.1"}}, pointers: []string{"/host"}},
		{name: "the domain itself", in: Host{Name: "example.com", IPv4: []string{"192.0.2.1"}},
			want: Host{IPv4: []string{"192.0.2.1"}}, pointers: []string{"/host"}},
		{name: "suffix look-alike", in: Host{Name: "ns1.notexample.com", IPv4: []string{"192.0.2.1"}},
			want: Host{IPv4: []string{"192.0.2.1"}}, pointers: []string{"/host"}},
		{name: "no address", in: Host{Name: "ns1.example.com"}, want: Host{Name: "ns1.example.com"}, pointers: []string{""}},
		{name: "bad addresses, and fourteen of them", in: Host{Name: "ns1.example.com",
			IPv4: []string{"10.0.0.1", "127.0.0.1", "2001:db8::1", "192.0.2.300", "192.0.2.1", "192.0.2.1", "::ffff:192.0.2.9"},
			IPv6: []string{"fe80::1", "fd00::1", "::1", "192.0.2.2", "ff02::1", "2001:db8::1%eth0", "2001:db8::2"}},
			want: Host{Name: "ns1.example.com", IPv4: []string{"192.0.2.1"}, IPv6: []string{"2001:db8::2"}},
			pointers: []string{"", "/ipv4/0", "/ipv4/1", "/ipv4/2", "/ipv4/3", "/ipv4/5", "/ipv4/6",
				"/ipv6/0", "/ipv6/1", "/ipv6/2", "/ipv6/3", "/ipv6/4", "/ipv6/5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, errs := ValidateHost("", "example.com", c.in, "/host", parseHost)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("normalised (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.pointers, pointers(errs)); diff != "" {
				t.Errorf("pointers (-want +got):\n%s (%v)", diff, errs)
			}
		})
	}
}
