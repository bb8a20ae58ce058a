package eppregistry_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
)

// TestNameserversHostsDNSSEC drives the issue 14 fields of DomainUpdate,
// DomainInfo and the HostRegistry through the sandbox registry over EPP,
// every frame valid against the schemas.
func TestNameserversHostsDNSSEC(t *testing.T) {
	t.Parallel()
	f, _ := newLifeFixture(t, registrar.ExpiryAutoRenew)
	ctx := context.Background()
	reg := f.reg
	mustCreate(t, reg, "dns.example")

	glue := registrar.Host{Name: "ns1.dns.example", IPv4: []string{"192.0.2.1"}, IPv6: []string{"2001:db8::1"}}
	if err := reg.CreateHost(ctx, glue); err != nil {
		t.Fatalf("CreateHost = %v", err)
	}
	if err := reg.CreateHost(ctx, glue); registrar.AsError(err) == nil || registrar.AsError(err).Kind != registrar.KindConflict {
		t.Errorf("CreateHost again = %v, want conflict", err)
	}
	ns := []string{"ns1.dns.example", sandbox.DefaultNameserver1}
	if err := reg.Update(ctx, registrar.DomainUpdate{Name: "dns.example", AddNameservers: ns}); err != nil {
		t.Fatalf("Update(ns) = %v", err)
	}
	h, linked, err := reg.HostInfo(ctx, "ns1.dns.example")
	if err != nil || !linked || !cmp.Equal(h, glue) {
		t.Errorf("HostInfo = %+v, %v, %v; want %+v, linked", h, linked, err, glue)
	}
	wantKind(t, "DeleteHost linked", reg.DeleteHost(ctx, "ns1.dns.example"), registrar.KindConflict, "2305")
	if err := reg.UpdateHost(ctx, "ns1.dns.example", registrar.Host{IPv4: []string{"192.0.2.2"}}, registrar.Host{IPv6: []string{"2001:db8::1"}}); err != nil {
		t.Fatalf("UpdateHost = %v", err)
	}
	if h, _, _ := reg.HostInfo(ctx, "ns1.dns.example"); !cmp.Equal(h.IPv4, []string{"192.0.2.1", "192.0.2.2"}) || h.IPv6 != nil {
		t.Errorf("HostInfo after UpdateHost = %+v", h)
	}
	_, _, err = reg.HostInfo(ctx, "ns9.dns.example")
	wantKind(t, "HostInfo unknown", err, registrar.KindNotFound, "2303")

	ds := registrar.DSRecord{KeyTag: 2371, Algorithm: 13, DigestType: 2, Digest: "e2d3c916f6deeac73294e8268fb5885044a833fc5459588f4a9184cfc41a5766"}
	if err := reg.Update(ctx, registrar.DomainUpdate{Name: "dns.example", AddDS: []registrar.DSRecord{ds}}); err != nil {
		t.Fatalf("Update(DS) = %v", err)
	}
	bad := ds
	bad.Algorithm = 99
	wantKind(t, "Update(DS unknown algorithm)", reg.Update(ctx, registrar.DomainUpdate{Name: "dns.example", AddDS: []registrar.DSRecord{bad}}),
		registrar.KindRejected, "2306")
	info := mustInfo(t, reg, "dns.example")
	if !slices.Equal(info.Nameservers, []string{"ns1.dns.example", sandbox.DefaultNameserver1}) {
		t.Errorf("Info nameservers = %v", info.Nameservers)
	}
	ds.Digest = "E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766"
	if !cmp.Equal(info.DSRecords, []registrar.DSRecord{ds}) {
		t.Errorf("Info DS = %+v", info.DSRecords)
	}
	if err := reg.Update(ctx, registrar.DomainUpdate{Name: "dns.example", RemoveAllDS: true,
		RemoveNameservers: []string{"ns1.dns.example"}, AddNameservers: []string{sandbox.DefaultNameserver2}}); err != nil {
		t.Fatalf("Update(rem all DS, swap ns) = %v", err)
	}
	info = mustInfo(t, reg, "dns.example")
	if info.DSRecords != nil || !slices.Equal(info.Nameservers, []string{sandbox.DefaultNameserver1, sandbox.DefaultNameserver2}) {
		t.Errorf("Info after rem all = ns %v, DS %+v", info.Nameservers, info.DSRecords)
	}
	if err := reg.DeleteHost(ctx, "ns1.dns.example"); err != nil {
		t.Errorf("DeleteHost unlinked = %v", err)
	}

	// A registrant change creates the new contact first; a retry reuses it.
	before := info.RegistrantID
	newReg := registrar.Contact{Email: "new@example.org", Phone: "+1.5555550100",
		PostalInfo: registrar.PostalInfo{Name: "New Holder", Address: registrar.Address{City: "Springfield", CountryCode: "US"}}}
	for range 2 {
		if err := reg.Update(ctx, registrar.DomainUpdate{Name: "dns.example", Registrant: &newReg}); err != nil {
			t.Fatalf("Update(registrant) = %v", err)
		}
	}
	if after := mustInfo(t, reg, "dns.example").RegistrantID; after == before || after == "" {
		t.Errorf("registrant %q after the change, was %q", after, before)
	}
}

// TestUpdateCreatesExternalHosts: an update naming an external name
// server the registry has no host object for creates it first (without
// addresses), one already there is used as it is, and a missing one
// under the domain (glue never created) is refused before anything is
// sent, not reported as the domain's own 2303.
func TestUpdateCreatesExternalHosts(t *testing.T) {
	t.Parallel()
	f, _ := newLifeFixture(t, registrar.ExpiryAutoRenew)
	ctx := context.Background()
	reg := f.reg
	mustCreate(t, reg, "ext.example")
	if err := reg.CreateHost(ctx, registrar.Host{Name: "ns2.elsewhere.net"}); err != nil {
		t.Fatalf("CreateHost = %v", err)
	}
	ns := []string{"ns1.elsewhere.net", "ns2.elsewhere.net"}
	if err := reg.Update(ctx, registrar.DomainUpdate{Name: "ext.example", AddNameservers: ns}); err != nil {
		t.Fatalf("Update(external ns) = %v", err)
	}
	if info := mustInfo(t, reg, "ext.example"); !slices.Equal(info.Nameservers, ns) {
		t.Errorf("Info nameservers = %v, want %v", info.Nameservers, ns)
	}
	h, linked, err := reg.HostInfo(ctx, "ns1.elsewhere.net")
	if err != nil || !linked || len(h.IPv4)+len(h.IPv6) != 0 {
		t.Errorf("HostInfo(created external host) = %+v, %v, %v; want linked, no addresses", h, linked, err)
	}
	wantKind(t, "Update(ns without glue)", reg.Update(ctx, registrar.DomainUpdate{Name: "ext.example", AddNameservers: []string{"ns1.ext.example"}}),
		registrar.KindRejected, "no glue host")
}
