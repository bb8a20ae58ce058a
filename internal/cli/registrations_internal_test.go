package cli

import (
	"slices"
	"testing"

	"github.com/openregistrar/registrar/client"
)

// TestDNSRows: registrar get shows the name servers and DS records the
// registry holds, and says DNSSEC is off without records.
func TestDNSRows(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		r    client.Registration
		want []string
	}{
		{"nothing reported yet", client.Registration{}, []string{"nameservers", "-", "dnssec", "off"}},
		{"off", client.Registration{Nameservers: []string{"ns1.example.net", "ns2.example.net"}, DNSSEC: &client.DNSSEC{}},
			[]string{"nameservers", "ns1.example.net, ns2.example.net", "dnssec", "off"}},
		{"two DS records", client.Registration{Nameservers: []string{"ns1.example.net"}, DNSSEC: &client.DNSSEC{DSRecords: []client.DSRecord{
			{KeyTag: 2371, Algorithm: 13, DigestType: 2, Digest: "AB"}, {KeyTag: 1, Algorithm: 8, DigestType: 4, Digest: "CD"}}}},
			[]string{"nameservers", "ns1.example.net", "dnssec", "on: DS 2371 13 2 AB; DS 1 8 4 CD"}},
	} {
		if got := dnsRows(&tt.r); !slices.Equal(got, tt.want) {
			t.Errorf("%s: dnsRows = %q, want %q", tt.name, got, tt.want)
		}
	}
}
