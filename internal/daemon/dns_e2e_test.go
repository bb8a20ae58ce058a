package daemon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/epp/epptest"
	"github.com/openregistrar/registrar/internal/rdap"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store/storetest"
	"github.com/openregistrar/registrar/internal/tlsca"
)

// TestDNSEndToEnd: issue 14's name servers, glue hosts and DNSSEC, over
// HTTP through a running server and over EPP/TLS to the built-in
// registries (the sandbox environment's, and the demo registry behind the
// live API), on both stores: what the API reports is what the registry
// holds, every change is one update workflow, the registry's rules hold
// (a host in use is not deleted), and bad input is refused at its pointer
// before anything starts. The live name is then read back over RDAP.
func TestDNSEndToEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		for _, env := range []string{"registrar-sandbox", "registrar"} {
			t.Run(env, func(t *testing.T) {
				t.Parallel()
				dnsEndToEnd(t, dnsClient{t: t, s: s, env: env, engine: s.builtin(env), defaults: sandbox.DefaultNameservers()})
			})
		}
	})
}

// TestDNSFramesEndToEnd runs TestDNSEndToEnd's steps in the live API on a
// registries file's sandbox registry, checking every EPP frame either
// side sent against the schemas (secDNS-1.1 and host-1.0 included), and
// a registries file's default_nameservers.
func TestDNSFramesEndToEnd(t *testing.T) {
	t.Parallel()
	frames := &epptest.Frames{}
	dir := t.TempDir()
	files, err := tlsca.Ensure(filepath.Join(dir, "tls"), "framed")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := sandbox.Open(filepath.Join(dir, "sandbox.db"), sandbox.Config{Delay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srvTLS, _ := files.ServerConfig(true)
	srv := sandbox.NewServer(engine, sandbox.ServerConfig{TLS: srvTLS, Accounts: map[string]string{"framed": "framed-pw1"},
		Trace: func(in bool, b []byte) {
			frames.Add(map[bool]string{true: "sent by the registrar", false: "sent by the sandbox"}[in], b)
		}})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "registries.yaml")
	defaults := []string{"dns1.example.org", "dns2.example.org"}
	if err := os.WriteFile(file, []byte(fmt.Sprintf(`registries:
  - name: framed
    address: %s
    server_name: localhost
    client_id: framed
    password: framed-pw1
    client_cert: %s
    client_key: %s
    ca: %s
    default_nameservers: [%s, %s]
    extensions:
      - {name: com, currency: USD, registration_price: "10.44", renewal_price: "10.44"}
`, srv.Addr(), files.ClientCert, files.ClientKey, files.CACert, defaults[0], defaults[1])), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.Registries = file })
	// Cleanups run last first: the server stops, then the registry, and
	// then every frame is checked.
	t.Cleanup(func() {
		srv.Close()
		engine.Close()
		if frames.Len() == 0 {
			t.Error("no EPP frames recorded")
		}
		frames.Validate(t)
	})
	s.verifyRegistrant()
	dnsEndToEnd(t, dnsClient{t: t, s: s, env: "registrar", engine: engine, defaults: defaults})
}

// dnsStatus is the part of an update's status the DNS tests look at.
type dnsStatus struct {
	Completed bool            `json:"completed"`
	State     registrar.State `json:"state"`
	Context   struct {
		FieldsUpdated               []string        `json:"fields_updated"`
		PendingRegistryConfirmation bool            `json:"pending_registry_confirmation"`
		Changes                     json.RawMessage `json:"changes"`
	} `json:"context"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// dnsClient is one environment of a server, as the DNS tests use it.
type dnsClient struct {
	t   *testing.T
	s   *server
	env string
	// engine is the registry behind env, and defaults the default name
	// servers it gives a registration (sorted).
	engine   *sandbox.Engine
	defaults []string
}

func (c dnsClient) url(path string) string { return c.s.base(c.env) + path }

// registration GETs a registration.
func (c dnsClient) registration(domain string) registrar.Registration {
	c.t.Helper()
	r := c.s.do("GET", c.url("/registrations/"+domain), c.s.token, nil)
	if r.Status != http.StatusOK {
		c.t.Fatalf("GET registration %s = %d %s", domain, r.Status, r.Body)
	}
	var g registrar.Registration
	if err := json.Unmarshal(r.Env.Result, &g); err != nil {
		c.t.Fatalf("decode registration %s: %v", r.Body, err)
	}
	return g
}

// register registers domain with the body's extra members and waits for
// it to succeed.
func (c dnsClient) register(domain string, extra map[string]any) {
	c.t.Helper()
	body := map[string]any{"domain_name": domain}
	if c.env == "registrar-sandbox" {
		body["contacts"] = map[string]any{"registrant": daemon.SampleContact()}
	}
	for k, v := range extra {
		body[k] = v
	}
	r := c.s.do("POST", c.url("/registrations"), c.s.token, body)
	if r.Status != http.StatusCreated && r.Status != http.StatusAccepted {
		c.t.Fatalf("POST registration %s = %d %s", domain, r.Status, r.Body)
	}
	if st := c.s.waitState(c.env, domain, 30*time.Second, completed); st.State != registrar.StateSucceeded {
		c.t.Fatalf("registration of %s ended %s %+v", domain, st.State, st.Error)
	}
}

// change sends a request that starts an update workflow (PATCH of the
// registration, or a glue host's POST, PATCH or DELETE), waits for the
// workflow to complete and returns its update-status.
func (c dnsClient) change(method, path string, body any) dnsStatus {
	c.t.Helper()
	r := c.s.do(method, c.url(path), c.s.token, body)
	if r.Status != http.StatusOK && r.Status != http.StatusAccepted {
		c.t.Fatalf("%s %s %v = %d %s", method, path, body, r.Status, r.Body)
	}
	domain := strings.Split(strings.TrimPrefix(path, "/registrations/"), "/")[0]
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r := c.s.do("GET", c.url("/registrations/"+domain+"/update-status"), c.s.token, nil)
		if r.Status != http.StatusOK {
			c.t.Fatalf("GET update-status of %s = %d %s", domain, r.Status, r.Body)
		}
		var st dnsStatus
		if err := json.Unmarshal(r.Env.Result, &st); err != nil {
			c.t.Fatalf("decode update-status %s: %v", r.Body, err)
		}
		if st.Completed {
			return st
		}
		if !st.Context.PendingRegistryConfirmation {
			c.t.Errorf("%s %s: update %s without pending_registry_confirmation: %s", method, path, st.State, r.Body)
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s %s: update still %s after 30s", method, path, st.State)
		}
	}
}

// succeeded checks that an update succeeded, naming field.
func (c dnsClient) succeeded(what string, st dnsStatus, field string) {
	c.t.Helper()
	if st.State != registrar.StateSucceeded || !slices.Equal(st.Context.FieldsUpdated, []string{field}) || st.Context.PendingRegistryConfirmation {
		c.t.Fatalf("%s: update %s fields_updated %v pending %v error %+v, want succeeded [%s], confirmed",
			what, st.State, st.Context.FieldsUpdated, st.Context.PendingRegistryConfirmation, st.Error, field)
	}
}

// holding returns what the registry holds for domain.
func (c dnsClient) holding(domain string) sandbox.Holding {
	c.t.Helper()
	h, err := c.engine.Show(context.Background(), domain)
	if err != nil {
		c.t.Fatalf("registry's %s: %v", domain, err)
	}
	return h
}

// updates counts the registry's domain updates of domain, and those it
// accepted.
func (c dnsClient) updates(domain string) (all, ok int) {
	c.t.Helper()
	log, err := c.engine.Log(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	for _, e := range log {
		if e.Command == "update" && e.Domain == domain {
			all++
			if strings.HasPrefix(e.Result, "1000 ") || strings.HasPrefix(e.Result, "1001 ") {
				ok++
			}
		}
	}
	return all, ok
}

// badRequest checks that a request is refused with 400 code 10000 at
// pointer ("" for none, with a message containing msg), and starts no
// update.
func (c dnsClient) badRequest(method, path string, body any, pointer, msg string) {
	c.t.Helper()
	r := c.s.do(method, c.url(path), c.s.token, body)
	if r.Status != http.StatusBadRequest || len(r.Env.Errors) == 0 {
		c.t.Errorf("%s %s %v = %d %s, want 400", method, path, body, r.Status, r.Body)
		return
	}
	for _, e := range r.Env.Errors {
		got := ""
		if e.Source != nil {
			got = e.Source.Pointer
		}
		if e.Code == 10000 && got == pointer && strings.Contains(e.Message, msg) {
			return
		}
	}
	c.t.Errorf("%s %s %v = %s, want code 10000 at %q with %q", method, path, body, r.Body, pointer, msg)
}

func dnsEndToEnd(t *testing.T, c dnsClient) {
	s, env := c.s, c.env
	prefix := map[string]string{"registrar-sandbox": "sbx", "registrar": "live"}[env]
	name := prefix + "-dns-e2e.com"
	plain := prefix + "-dns-defaults.com"
	defaults := c.defaults

	// A registration with name servers has them, at the registry too; one
	// without gets the registry's defaults.
	// External hosts: the registry has no host objects for them until the
	// registrar makes them.
	external := []string{"ns2.example.net", "ns1.example.net"}
	c.register(name, map[string]any{"nameservers": []string{"NS2.Example.NET.", "ns1.example.net"}})
	if g := c.registration(name); !slices.Equal(g.Nameservers, external) {
		t.Errorf("registration's nameservers = %v, want %v", g.Nameservers, external)
	}
	if h := c.holding(name); !slices.Equal(h.Nameservers, []string{"ns1.example.net", "ns2.example.net"}) {
		t.Errorf("registry's name servers of %s = %v, want %v", name, h.Nameservers, external)
	}
	c.register(plain, nil)
	if g := c.registration(plain); !slices.Equal(g.Nameservers, defaults) {
		t.Errorf("registration without nameservers has %v, want the defaults %v", g.Nameservers, defaults)
	}
	if h := c.holding(plain); !slices.Equal(h.Nameservers, defaults) {
		t.Errorf("registry's name servers of %s = %v, want the defaults %v", plain, h.Nameservers, defaults)
	}

	// A name server change: one update at the registry with the diff.
	before, _ := c.updates(name)
	glueNS := "ns1." + name
	newSet := []string{"ns1.example.net", "ns3.example.org"}
	st := c.change("PATCH", "/registrations/"+name, map[string]any{"nameservers": newSet})
	c.succeeded("nameservers change", st, "nameservers")
	if h := c.holding(name); !slices.Equal(h.Nameservers, newSet) {
		t.Errorf("registry's name servers after the change = %v, want %v", h.Nameservers, newSet)
	}
	if g := c.registration(name); !slices.Equal(g.Nameservers, newSet) {
		t.Errorf("registration's nameservers after the change = %v, want %v", g.Nameservers, newSet)
	}
	if after, ok := c.updates(name); after-before != 1 || ok == 0 {
		t.Errorf("the change sent %d domain updates, want 1", after-before)
	}

	// Glue: create, change the addresses, delegate to it.
	st = c.change("POST", "/registrations/"+name+"/hosts/"+glueNS, map[string]any{"ipv4": []string{"192.0.2.1"}, "ipv6": []string{"2001:db8::1"}})
	c.succeeded("glue create", st, "hosts")
	wantAddrs := func(what string, addrs ...sandbox.HostAddr) {
		t.Helper()
		for _, h := range c.holding(name).Hosts {
			if h.Name == glueNS {
				if !slices.Equal(h.Addrs, addrs) {
					t.Errorf("%s: registry's %s has %v, want %v", what, glueNS, h.Addrs, addrs)
				}
				return
			}
		}
		t.Errorf("%s: the registry has no host %s", what, glueNS)
	}
	wantAddrs("after POST", sandbox.HostAddr{IP: "v4", Addr: "192.0.2.1"}, sandbox.HostAddr{IP: "v6", Addr: "2001:db8::1"})
	st = c.change("PATCH", "/registrations/"+name+"/hosts/"+glueNS, map[string]any{"ipv4": []string{"198.51.100.7"}, "ipv6": []string{"2001:db8::1"}})
	c.succeeded("glue update", st, "hosts")
	wantAddrs("after PATCH", sandbox.HostAddr{IP: "v6", Addr: "2001:db8::1"}, sandbox.HostAddr{IP: "v4", Addr: "198.51.100.7"})
	r := s.do("GET", c.url("/registrations/"+name+"/hosts/"+glueNS), s.token, nil)
	var host struct {
		Name   string   `json:"name"`
		IPv4   []string `json:"ipv4"`
		IPv6   []string `json:"ipv6"`
		Linked bool     `json:"linked"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Env.Result, &host) != nil || host.Name != glueNS ||
		!slices.Equal(host.IPv4, []string{"198.51.100.7"}) || !slices.Equal(host.IPv6, []string{"2001:db8::1"}) || host.Linked {
		t.Errorf("GET host = %d %s, want %s unlinked with its addresses", r.Status, r.Body, glueNS)
	}

	withGlue := []string{glueNS, "ns1.example.net"}
	st = c.change("PATCH", "/registrations/"+name, map[string]any{"nameservers": withGlue})
	c.succeeded("delegation to the glue host", st, "nameservers")
	if h := c.holding(name); !slices.Equal(h.Nameservers, []string{"ns1.example.net", glueNS}) {
		t.Errorf("registry's name servers with glue = %v", h.Nameservers)
	}

	// A host in use is not deleted; once out of the name servers it is.
	st = c.change("DELETE", "/registrations/"+name+"/hosts/"+glueNS, nil)
	if st.State != registrar.StateFailed || st.Error == nil || st.Error.Code != registrar.CodeHostInUse {
		t.Errorf("DELETE of a host in use: %s %+v, want failed %s", st.State, st.Error, registrar.CodeHostInUse)
	}
	wantAddrs("after the refused DELETE", sandbox.HostAddr{IP: "v6", Addr: "2001:db8::1"}, sandbox.HostAddr{IP: "v4", Addr: "198.51.100.7"})
	st = c.change("PATCH", "/registrations/"+name, map[string]any{"nameservers": external})
	c.succeeded("delegation away from the glue host", st, "nameservers")
	st = c.change("DELETE", "/registrations/"+name+"/hosts/"+glueNS, nil)
	c.succeeded("glue delete", st, "hosts")
	for _, h := range c.holding(name).Hosts {
		if h.Name == glueNS {
			t.Errorf("the registry still has %s after its DELETE", glueNS)
		}
	}
	if r := s.do("GET", c.url("/registrations/"+name+"/hosts/"+glueNS), s.token, nil); r.Status != http.StatusNotFound {
		t.Errorf("GET a deleted host = %d %s, want 404", r.Status, r.Body)
	}

	// DNSSEC on, then off.
	ds := registrar.DSRecord{KeyTag: 2371, Algorithm: 13, DigestType: 2, Digest: strings.Repeat("1f98c0d7", 8)}
	st = c.change("PATCH", "/registrations/"+name, map[string]any{"dnssec": map[string]any{"ds_records": []registrar.DSRecord{ds}}})
	c.succeeded("DNSSEC on", st, "dnssec")
	ds.Digest = strings.ToUpper(ds.Digest)
	if h := c.holding(name); !slices.Equal(h.DSRecords, []registrar.DSRecord{ds}) {
		t.Errorf("registry's DS records = %+v, want %+v", h.DSRecords, ds)
	}
	if g := c.registration(name); g.DNSSEC == nil || !slices.Equal(g.DNSSEC.DSRecords, []registrar.DSRecord{ds}) {
		t.Errorf("registration's dnssec = %+v, want %+v", g.DNSSEC, ds)
	}
	if env == "registrar" {
		checkRDAPDNS(t, s, name, external, true)
	}
	st = c.change("PATCH", "/registrations/"+name, map[string]any{"dnssec": map[string]any{"ds_records": []any{}}})
	c.succeeded("DNSSEC off", st, "dnssec")
	if h := c.holding(name); len(h.DSRecords) != 0 {
		t.Errorf("registry's DS records after off = %+v, want none", h.DSRecords)
	}
	if g := c.registration(name); g.DNSSEC == nil || len(g.DNSSEC.DSRecords) != 0 {
		t.Errorf("registration's dnssec after off = %+v, want {ds_records: []}", g.DNSSEC)
	}
	if env == "registrar" {
		checkRDAPDNS(t, s, name, external, false)
	}

	// Back to the registry's documented defaults, named as a user would
	// copy them from the docs (they are under .test, which is reserved
	// rather than a public TLD).
	sbx := sandbox.DefaultNameservers()
	st = c.change("PATCH", "/registrations/"+name, map[string]any{"nameservers": []string{"NS1.sandbox.openregistrar.test.", sbx[1]}})
	c.succeeded("back to the defaults", st, "nameservers")
	if h := c.holding(name); !slices.Equal(h.Nameservers, sbx) {
		t.Errorf("registry's name servers back at the sandbox's defaults = %v, want %v", h.Nameservers, sbx)
	}
	if g := c.registration(name); !slices.Equal(g.Nameservers, sbx) {
		t.Errorf("registration's nameservers back at the sandbox's defaults = %v, want %v", g.Nameservers, sbx)
	}

	// Bad input: 400 at the pointer, nothing starts.
	before, _ = c.updates(name)
	many := make([]string, 14)
	for i := range many {
		many[i] = "ns" + string(rune('a'+i)) + ".example.net"
	}
	c.badRequest("PATCH", "/registrations/"+name, map[string]any{"nameservers": many}, "/nameservers", "")
	c.badRequest("PATCH", "/registrations/"+name, map[string]any{"nameservers": []string{"ns1.example.net", "not a host!"}}, "/nameservers/1", "")
	c.badRequest("POST", "/registrations/"+name+"/hosts/ns1.elsewhere.net", map[string]any{"ipv4": []string{"192.0.2.1"}}, "", "host in the path")
	c.badRequest("DELETE", "/registrations/"+name+"/hosts/ns1.elsewhere.net", nil, "", "host in the path")
	bad := ds
	bad.Algorithm = 99
	c.badRequest("PATCH", "/registrations/"+name, map[string]any{"dnssec": map[string]any{"ds_records": []registrar.DSRecord{bad}}}, "/dnssec/ds_records/0/algorithm", "")
	bad = ds
	bad.Digest = bad.Digest[:40]
	c.badRequest("PATCH", "/registrations/"+name, map[string]any{"dnssec": map[string]any{"ds_records": []registrar.DSRecord{ds, bad}}}, "/dnssec/ds_records/1/digest", "")
	// Another account sees none of it: in its own account the name is
	// not found, and the owner's account is not its to use.
	otherID, otherToken := s.newAccount("dns-other-"+prefix, daemon.SampleContact())
	newOwner := *daemon.SampleContact()
	newOwner.Email, newOwner.PostalInfo.Name = "mallory@example.com", "Mallory"
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"PATCH", "/registrations/" + name, map[string]any{"contacts": map[string]any{"registrant": newOwner}}},
		{"PATCH", "/registrations/" + name, map[string]any{"nameservers": []string{"ns1.example.net", "ns2.example.net"}}},
		{"PATCH", "/registrations/" + name, map[string]any{"dnssec": map[string]any{"ds_records": []registrar.DSRecord{}}}},
		{"POST", "/registrations/" + name + "/hosts/ns9." + name, map[string]any{"ipv4": []string{"192.0.2.9"}}},
		{"GET", "/registrations/" + name + "/hosts/ns9." + name, nil},
		{"DELETE", "/registrations/" + name + "/hosts/ns9." + name, nil},
	} {
		own := strings.Replace(c.url(req.path), "/accounts/"+s.account+"/", "/accounts/"+otherID+"/", 1)
		if r := s.do(req.method, own, otherToken, req.body); r.Status != http.StatusNotFound {
			t.Errorf("another account's %s %s = %d %s, want 404", req.method, req.path, r.Status, r.Body)
		}
		if r := s.do(req.method, c.url(req.path), otherToken, req.body); r.Status < 400 || r.Status == http.StatusBadRequest {
			t.Errorf("another account's token on the owner's %s %s = %d %s, want refused", req.method, req.path, r.Status, r.Body)
		}
	}
	if g := c.registration(name); !slices.Equal(g.Nameservers, sbx) {
		t.Errorf("nameservers after another account's requests = %v, want still %v", g.Nameservers, sbx)
	}
	if after, _ := c.updates(name); after != before {
		t.Errorf("bad input and other accounts sent %d domain updates to the registry, want none", after-before)
	}
	if r := s.do("GET", c.url("/registrations/"+name+"/update-status"), s.token, nil); r.Status == http.StatusOK {
		var st dnsStatus
		json.Unmarshal(r.Env.Result, &st)
		if !slices.Equal(st.Context.FieldsUpdated, []string{"nameservers"}) {
			t.Errorf("after bad input the last update is %v, want the last good one, back to the defaults", st.Context.FieldsUpdated)
		}
	}
}

// checkRDAPDNS reads a live name over RDAP: its name servers, and
// secureDNS.delegationSigned as signed says.
func checkRDAPDNS(t *testing.T, s *server, name string, nameservers []string, signed bool) {
	t.Helper()
	code, body := rdapGet(t, "http://"+s.d.Addr()+"/rdap/domain/"+name)
	if code != http.StatusOK {
		t.Fatalf("RDAP %s = %d %s", name, code, body)
	}
	var d rdap.Domain
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ns := range d.Nameservers {
		got = append(got, ns.LDHName)
	}
	if !slices.Equal(got, nameservers) || d.SecureDNS.DelegationSigned != signed || signed != (len(d.SecureDNS.DSData) == 1) {
		t.Errorf("RDAP %s: nameservers %v secureDNS %+v, want %v delegationSigned %v", name, got, d.SecureDNS, nameservers, signed)
	}
}
