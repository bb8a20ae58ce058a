package sandbox

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// loginSecDNS logs in with every service, secDNS-1.1 included.
func (ts *testServer) loginSecDNS(t *testing.T, clientID string) *client {
	t.Helper()
	c := ts.dial(t)
	l := loginCmd(clientID, testAccounts[clientID])
	l.Login.ExtURIs = []string{epp.NSFee, epp.NSRGP, epp.NSSecDNS}
	if r := c.do(l); r.Code() != epp.CodeOK {
		t.Fatalf("login as %s = %+v", clientID, r.Results)
	}
	return c
}

const (
	sha1Digest   = "49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC"
	sha256Digest = "E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766"
)

func TestServerNameserversAndDNSSEC(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend})
		us, them := ts.loginSecDNS(t, "ours"), ts.login(t, "theirs")
		wantCode(t, "contact create", us.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
		wantCode(t, "contact create 2", us.do(&epp.Command{ContactCreate: adaContact("c-bob")}), epp.CodeOK)
		wantCode(t, "their contact", them.do(&epp.Command{ContactCreate: adaContact("c-eve")}), epp.CodeOK)
		wantCode(t, "domain create", us.do(&epp.Command{DomainCreate: domainCreate("example.com", "c-ada")}), epp.CodeOK)
		wantCode(t, "their domain", them.do(&epp.Command{DomainCreate: domainCreate("example.org", "c-eve")}), epp.CodeOK)

		// Host check: the defaults exist, a new name is free.
		r := us.do(&epp.Command{HostCheck: &epp.HostCheck{Names: []string{DefaultNameserver1, "ns1.example.com"}}})
		wantCode(t, "host check", r, epp.CodeOK)
		if want := (&epp.HostChkData{CDs: []epp.HostCD{{Name: DefaultNameserver1, Reason: "In use"}, {Name: "ns1.example.com", Avail: true}}}); !cmp.Equal(want, r.HostCheck) {
			t.Errorf("host check = %+v, want %+v", r.HostCheck, want)
		}
		wantCode(t, "glue host", us.do(&epp.Command{HostCreate: &epp.HostCreate{Name: "ns1.example.com", Addrs: []epp.HostAddr{{Addr: "192.0.2.1"}}}}), epp.CodeOK)
		wantCode(t, "glueless host", us.do(&epp.Command{HostCreate: &epp.HostCreate{Name: "ns2.example.com"}}), epp.CodeOK)

		ns := func(add, rem []string) *epp.Command {
			u := &epp.DomainUpdate{Name: "example.com"}
			if add != nil {
				u.Add = &epp.DomainAddRem{NS: add}
			}
			if rem != nil {
				u.Rem = &epp.DomainAddRem{NS: rem}
			}
			return &epp.Command{DomainUpdate: u}
		}
		wantCode(t, "ns add", us.do(ns([]string{DefaultNameserver1, "ns1.example.com"}, nil)), epp.CodeOK)
		wantCode(t, "ns without glue", us.do(ns([]string{"ns2.example.com"}, nil)), epp.CodeParamPolicyError)
		wantCode(t, "ns unknown", us.do(ns([]string{"ns9.example.net"}, nil)), epp.CodeObjectDoesNotExist)
		wantCode(t, "ns on another's domain", them.do(&epp.Command{DomainUpdate: &epp.DomainUpdate{Name: "example.com",
			Add: &epp.DomainAddRem{NS: []string{DefaultNameserver2}}}}), epp.CodeAuthorizationError)
		var many []string
		for i := range 12 {
			h := fmt.Sprintf("ns%d.example.net", i)
			wantCode(t, "host create "+h, us.do(&epp.Command{HostCreate: &epp.HostCreate{Name: h}}), epp.CodeOK)
			many = append(many, h)
		}
		wantCode(t, "14 name servers", us.do(ns(many, nil)), epp.CodeParamPolicyError)
		wantCode(t, "ns swap", us.do(ns([]string{DefaultNameserver2}, []string{DefaultNameserver1})), epp.CodeOK)

		// Host info: linked, with its glue; delete refused while linked.
		r = us.do(&epp.Command{HostInfo: &epp.HostInfo{Name: "ns1.example.com"}})
		wantCode(t, "host info", r, epp.CodeOK)
		if r.HostInfo == nil || !cmp.Equal(r.HostInfo.Statuses, []string{"linked", "ok"}) ||
			!cmp.Equal(r.HostInfo.Addrs, []epp.HostAddr{{IP: "v4", Addr: "192.0.2.1"}}) || r.HostInfo.ClID != "ours" {
			t.Errorf("host info = %+v", r.HostInfo)
		}
		wantCode(t, "delete linked host", us.do(&epp.Command{HostDelete: &epp.HostDelete{Name: "ns1.example.com"}}), epp.CodeAssociationProhibitsOperation)
		wantCode(t, "remove last glue of a linked host", us.do(&epp.Command{HostUpdate: &epp.HostUpdate{Name: "ns1.example.com",
			Rem: &epp.HostAddRem{Addrs: []epp.HostAddr{{Addr: "192.0.2.1"}}}}}), epp.CodeParamPolicyError)
		wantCode(t, "glue update", us.do(&epp.Command{HostUpdate: &epp.HostUpdate{Name: "ns1.example.com",
			Add: &epp.HostAddRem{Addrs: []epp.HostAddr{{IP: epp.IPv6, Addr: "2001:DB8::1"}}}}}), epp.CodeOK)
		wantCode(t, "their glue update", them.do(&epp.Command{HostUpdate: &epp.HostUpdate{Name: "ns1.example.com",
			Add: &epp.HostAddRem{Addrs: []epp.HostAddr{{Addr: "192.0.2.9"}}}}}), epp.CodeAuthorizationError)
		wantCode(t, "external host with an address", us.do(&epp.Command{HostUpdate: &epp.HostUpdate{Name: "ns0.example.net",
			Add: &epp.HostAddRem{Addrs: []epp.HostAddr{{Addr: "192.0.2.9"}}}}}), epp.CodeParamPolicyError)
		wantCode(t, "delete registry host", us.do(&epp.Command{HostDelete: &epp.HostDelete{Name: DefaultNameserver1}}), epp.CodeAuthorizationError)
		wantCode(t, "domain delete with subordinate hosts", us.do(&epp.Command{DomainDelete: &epp.DomainDelete{Name: "example.com"}}),
			epp.CodeAssociationProhibitsOperation)

		// DNSSEC.
		sec := func(s *epp.SecDNSUpdate) *epp.Command {
			return &epp.Command{DomainUpdate: &epp.DomainUpdate{Name: "example.com", Chg: &epp.DomainChg{}, SecDNS: s}}
		}
		ds1 := epp.DSData{KeyTag: 12345, Alg: 8, DigestType: 1, Digest: sha1Digest}
		ds2 := epp.DSData{KeyTag: 2371, Alg: 13, DigestType: 2, Digest: sha256Digest}
		wantCode(t, "ds add", us.do(sec(&epp.SecDNSUpdate{Add: []epp.DSData{ds1, ds2}})), epp.CodeOK)
		wantCode(t, "ds unknown algorithm", us.do(sec(&epp.SecDNSUpdate{Add: []epp.DSData{{KeyTag: 1, Alg: 99, DigestType: 2, Digest: sha256Digest}}})), epp.CodeParamPolicyError)
		wantCode(t, "ds wrong digest length", us.do(sec(&epp.SecDNSUpdate{Add: []epp.DSData{{KeyTag: 1, Alg: 8, DigestType: 2, Digest: sha1Digest}}})), epp.CodeParamPolicyError)
		wantCode(t, "ds GOST", us.do(sec(&epp.SecDNSUpdate{Add: []epp.DSData{{KeyTag: 1, Alg: 8, DigestType: 3, Digest: sha256Digest}}})), epp.CodeParamPolicyError)
		wantCode(t, "ds without secDNS login", them.do(&epp.Command{DomainUpdate: &epp.DomainUpdate{Name: "example.org", Chg: &epp.DomainChg{},
			SecDNS: &epp.SecDNSUpdate{RemAll: true}}}), epp.CodeUnimplementedExtension)
		r = us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "example.com"}})
		wantCode(t, "domain info", r, epp.CodeOK)
		if want := (&epp.SecDNSData{DS: []epp.DSData{ds2, ds1}}); !cmp.Equal(want, r.SecDNSInfo) {
			t.Errorf("secDNS infData = %+v, want %+v", r.SecDNSInfo, want)
		}
		if want := []string{"ns1.example.com", DefaultNameserver2}; r.DomainInfo == nil || !cmp.Equal(r.DomainInfo.NS, want) {
			t.Errorf("domain info ns = %+v, want %v", r.DomainInfo, want)
		}
		wantCode(t, "ds rem one", us.do(sec(&epp.SecDNSUpdate{Rem: []epp.DSData{ds1}})), epp.CodeOK)
		d, _, err := ts.e.DomainInfo(t.Context(), "ours", "", "example.com", "")
		if err != nil || !cmp.Equal(d.DSRecords, []registrar.DSRecord{{KeyTag: 2371, Algorithm: 13, DigestType: 2, Digest: sha256Digest}}) {
			t.Errorf("DomainInfo DS = %+v, %v", d.DSRecords, err)
		}
		wantCode(t, "ds rem all", us.do(sec(&epp.SecDNSUpdate{RemAll: true})), epp.CodeOK)
		r = us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "example.com"}})
		if r.SecDNSInfo != nil {
			t.Errorf("secDNS infData after rem all = %+v, want none", r.SecDNSInfo)
		}

		// Registrant change.
		chg := func(id string) *epp.Command {
			return &epp.Command{DomainUpdate: &epp.DomainUpdate{Name: "example.com", Chg: &epp.DomainChg{Registrant: &id}}}
		}
		wantCode(t, "registrant of another", us.do(chg("c-eve")), epp.CodeAuthorizationError)
		wantCode(t, "registrant unknown", us.do(chg("c-nobody")), epp.CodeObjectDoesNotExist)
		wantCode(t, "registrant change", us.do(chg("c-bob")), epp.CodeOK)
		r = us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "example.com"}})
		if r.DomainInfo == nil || r.DomainInfo.Registrant != "c-bob" {
			t.Errorf("registrant after the change = %+v", r.DomainInfo)
		}

		// Unlinked: the host can go.
		wantCode(t, "ns rem", us.do(ns(nil, []string{"ns1.example.com"})), epp.CodeOK)
		wantCode(t, "delete unlinked host", us.do(&epp.Command{HostDelete: &epp.HostDelete{Name: "ns1.example.com"}}), epp.CodeOK)
		wantCode(t, "host info after delete", us.do(&epp.Command{HostInfo: &epp.HostInfo{Name: "ns1.example.com"}}), epp.CodeObjectDoesNotExist)
	})
}

func TestCheckDS(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ds   registrar.DSRecord
		code int
	}{
		{registrar.DSRecord{KeyTag: 1, Algorithm: 8, DigestType: 1, Digest: "49fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac"}, 0},
		{registrar.DSRecord{KeyTag: 1, Algorithm: 13, DigestType: 2, Digest: sha256Digest}, 0},
		{registrar.DSRecord{KeyTag: 1, Algorithm: 14, DigestType: 4, Digest: sha256Digest + sha256Digest[:32]}, 0},
		{registrar.DSRecord{KeyTag: 1, Algorithm: 14, DigestType: 4, Digest: sha256Digest}, CodePolicyError},
		{registrar.DSRecord{KeyTag: 1, Algorithm: 3, DigestType: 2, Digest: sha256Digest}, CodePolicyError},
		{registrar.DSRecord{KeyTag: 1, Algorithm: 8, DigestType: 2, Digest: "zz"}, CodeSyntaxError},
		{registrar.DSRecord{KeyTag: 70000, Algorithm: 8, DigestType: 2, Digest: sha256Digest}, CodeRangeError},
	} {
		got, err := CheckDS(tt.ds)
		code := 0
		if e, ok := err.(*Error); ok {
			code = e.Code
		}
		if code != tt.code {
			t.Errorf("CheckDS(%+v) = %v, want code %d", tt.ds, err, tt.code)
		}
		if err == nil && got.Digest != fmt.Sprintf("%X", mustHex(t, tt.ds.Digest)) {
			t.Errorf("CheckDS(%+v) digest %q, want upper case", tt.ds, got.Digest)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestShow(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend})
		us := ts.loginSecDNS(t, "ours")
		wantCode(t, "contact create", us.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
		wantCode(t, "domain create", us.do(&epp.Command{DomainCreate: domainCreate("example.com", "c-ada")}), epp.CodeOK)
		wantCode(t, "glue host", us.do(&epp.Command{HostCreate: &epp.HostCreate{Name: "ns1.example.com", Addrs: []epp.HostAddr{{Addr: "192.0.2.1"}}}}), epp.CodeOK)
		wantCode(t, "ns and DS", us.do(&epp.Command{DomainUpdate: &epp.DomainUpdate{Name: "example.com",
			Add:    &epp.DomainAddRem{NS: []string{"ns1.example.com", DefaultNameserver1}},
			SecDNS: &epp.SecDNSUpdate{Add: []epp.DSData{{KeyTag: 2371, Alg: 13, DigestType: 2, Digest: sha256Digest}}}}}), epp.CodeOK)
		before := len(mustLog(t, ts.e))
		h, err := ts.e.Show(t.Context(), "Example.com")
		if err != nil {
			t.Fatalf("Show = %v", err)
		}
		if h.Sponsor != "ours" || h.Registrant != "c-ada" || !cmp.Equal(h.Nameservers, []string{"ns1.example.com", DefaultNameserver1}) ||
			len(h.Hosts) != 2 || h.Hosts[0].Name != "ns1.example.com" || !cmp.Equal(h.Hosts[0].Addrs, []HostAddr{{IP: "v4", Addr: "192.0.2.1"}}) ||
			h.Hosts[1].Sponsor != RegistrySponsor || len(h.DSRecords) != 1 {
			t.Errorf("Show = %+v", h)
		}
		if after := len(mustLog(t, ts.e)); after != before {
			t.Errorf("Show logged %d commands, want none", after-before)
		}
		// Subordinate hosts follow their domain to a new sponsor.
		if err := ts.e.Alter(t.Context(), "example.com", Alteration{Sponsor: "theirs"}); err != nil {
			t.Fatalf("Alter = %v", err)
		}
		if h, _ := ts.e.Show(t.Context(), "example.com"); h.Hosts[0].Sponsor != "theirs" || h.Hosts[1].Sponsor != RegistrySponsor {
			t.Errorf("hosts after a change of sponsor = %+v", h.Hosts)
		}
		if _, err := ts.e.Show(t.Context(), "nothing.example"); err == nil {
			t.Errorf("Show(unknown) = nil error")
		}
	})
}
