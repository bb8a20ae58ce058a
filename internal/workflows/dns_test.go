package workflows

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
)

// dnsCall is the part of a fake Update's call naming its name server and
// DS changes: " ns+host", " ns-host", " ds+keytag", " ds-keytag", " ds-all".
func dnsCall(u registrar.DomainUpdate) string {
	var s string
	for _, n := range u.AddNameservers {
		s += " ns+" + n
	}
	for _, n := range u.RemoveNameservers {
		s += " ns-" + n
	}
	for _, r := range u.AddDS {
		s += " ds+" + strconv.Itoa(r.KeyTag)
	}
	for _, r := range u.RemoveDS {
		s += " ds-" + strconv.Itoa(r.KeyTag)
	}
	if u.RemoveAllDS {
		s += " ds-all"
	}
	return s
}

// The fake registry's registrar.HostRegistry: scripted like the rest,
// by operation hostinfo, hostcreate, hostupdate, hostdelete.

func (r *fakeRegistry) CreateHost(ctx context.Context, h registrar.Host) error {
	_, err := r.next(ctx, "hostcreate", "CreateHost "+h.Name+" "+strings.Join(append(append([]string{}, h.IPv4...), h.IPv6...), ","))
	return err
}

func (r *fakeRegistry) HostInfo(ctx context.Context, name string) (registrar.Host, bool, error) {
	a, err := r.next(ctx, "hostinfo", "HostInfo "+name)
	h := a.host
	h.Name = name
	return h, a.linked, err
}

func (r *fakeRegistry) UpdateHost(ctx context.Context, name string, add, rem registrar.Host) error {
	call := "UpdateHost " + name
	for _, a := range append(append([]string{}, add.IPv4...), add.IPv6...) {
		call += " +" + a
	}
	for _, a := range append(append([]string{}, rem.IPv4...), rem.IPv6...) {
		call += " -" + a
	}
	_, err := r.next(ctx, "hostupdate", call)
	return err
}

func (r *fakeRegistry) DeleteHost(ctx context.Context, name string) error {
	_, err := r.next(ctx, "hostdelete", "DeleteHost "+name)
	return err
}

var (
	unreachable = answer{err: registrar.Errorf(registrar.KindUnavailable, "fake", "the registry is unreachable")}
	ds1         = registrar.DSRecord{KeyTag: 12345, Algorithm: 13, DigestType: 2, Digest: strings.Repeat("AB", 32)}
)

func nsInfo(ns ...string) answer {
	return answer{ours: true, info: registrar.DomainInfo{Statuses: []string{"ok"}, Nameservers: ns}}
}

// TestNameserverUpdate: PATCH nameservers asks the registry what it
// holds and sends one update with the difference; a retry after an
// unknown outcome settles it with the next info instead of sending it
// again; the registration keeps the new list.
func TestNameserverUpdate(t *testing.T) {
	t.Parallel()
	want := []string{"ns2.example.net", "ns3.example.net"}
	cases := []struct {
		name   string
		script func(r *fakeRegistry)
		steps  int
		path   []string
		calls  []string
	}{
		{
			name: "one update with the difference",
			script: func(r *fakeRegistry) {
				r.on("info", nsInfo("ns1.example.net", "NS2.example.net.")).on("update", answer{})
			},
			steps: 1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"Info example.com", "Update example.com ns+ns3.example.net ns-ns1.example.net"},
		},
		{
			name:   "the registry has them already: no update",
			script: func(r *fakeRegistry) { r.on("info", nsInfo("ns3.example.net", "ns2.example.net")) },
			steps:  1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"Info example.com"},
		},
		{
			name: "the update's answer was lost: the retry's info finds it made, no second update",
			script: func(r *fakeRegistry) {
				r.on("info", nsInfo("ns1.example.net"), nsInfo("ns2.example.net", "ns3.example.net")).on("update", unreachable)
			},
			steps: 2, path: []string{"pending/apply", "blocked/apply", "succeeded/apply"},
			calls: []string{"Info example.com", "Update example.com ns+ns2.example.net ns+ns3.example.net ns-ns1.example.net", "Info example.com"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			b.succeedRegistration(registrar.EnvLive, domain)
			calls := len(b.reg.Calls())
			c.script(b.reg)
			wf, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{Nameservers: want})
			if err != nil {
				t.Fatal(err)
			}
			pending := registrar.StatusContext{DomainName: domain, FieldsUpdated: []string{"nameservers"},
				PendingRegistryConfirmation: true, Changes: map[string]any{"nameservers": []any{"ns2.example.net", "ns3.example.net"}}}
			if diff := cmp.Diff(pending, statusContext(t, wf)); diff != "" {
				t.Errorf("public context while pending (-want +got):\n%s", diff)
			}
			for range c.steps {
				b.step()
			}
			if diff := cmp.Diff(c.path, b.history(wf.ID)); diff != "" {
				t.Errorf("stored states (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.calls, b.reg.Calls()[calls:]); diff != "" {
				t.Errorf("registry calls (-want +got):\n%s", diff)
			}
			if g := b.registration(registrar.EnvLive, domain); !cmp.Equal(g.Nameservers, want) {
				t.Errorf("registration nameservers = %q, want %q", g.Nameservers, want)
			}
			got := statusContext(t, b.workflow(wf.ID))
			if got.PendingRegistryConfirmation || !cmp.Equal(got.FieldsUpdated, []string{"nameservers"}) || got.Registration == nil ||
				!cmp.Equal(got.Registration.Nameservers, want) {
				t.Errorf("final context = %+v, want nameservers confirmed on the registration", got)
			}
		})
	}
}

// TestDNSSECOnThenOff: DS records go to the registry as secDNS add (and
// rem of those it should no longer have); none turns DNSSEC off with rem
// all; the registration shows each.
func TestDNSSECOnThenOff(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	b.succeedRegistration(registrar.EnvLive, domain)
	calls := len(b.reg.Calls())
	old := registrar.DSRecord{KeyTag: 1, Algorithm: 8, DigestType: 1, Digest: strings.Repeat("cd", 20)}
	b.reg.on("info", answer{ours: true, info: registrar.DomainInfo{DSRecords: []registrar.DSRecord{old}}}).on("update", answer{})
	on, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{DNSSEC: &registrar.DNSSEC{DSRecords: []registrar.DSRecord{ds1}}})
	if err != nil {
		t.Fatal(err)
	}
	b.step()
	if got := b.workflow(on.ID); got.State != registrar.StateSucceeded {
		t.Fatalf("DNSSEC on: %s %s", got.State, got.ErrorMessage)
	}
	if g := b.registration(registrar.EnvLive, domain); g.DNSSEC == nil || !cmp.Equal(g.DNSSEC.DSRecords, []registrar.DSRecord{ds1}) {
		t.Errorf("registration dnssec = %+v, want ds1", g.DNSSEC)
	}
	b.reg.on("info", answer{ours: true, info: registrar.DomainInfo{DSRecords: []registrar.DSRecord{ds1}}}).on("update", answer{})
	off, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{DNSSEC: &registrar.DNSSEC{}})
	if err != nil {
		t.Fatal(err)
	}
	if c := statusContext(t, off); !cmp.Equal(c.FieldsUpdated, []string{"dnssec"}) || !c.PendingRegistryConfirmation {
		t.Errorf("pending context = %+v", c)
	}
	b.step()
	if got := b.workflow(off.ID); got.State != registrar.StateSucceeded {
		t.Fatalf("DNSSEC off: %s %s", got.State, got.ErrorMessage)
	}
	want := []string{"Info example.com", "Update example.com ds+12345 ds-1", "Info example.com", "Update example.com ds-all"}
	if diff := cmp.Diff(want, b.reg.Calls()[calls:]); diff != "" {
		t.Errorf("registry calls (-want +got):\n%s", diff)
	}
	if g := b.registration(registrar.EnvLive, domain); g.DNSSEC == nil || len(g.DNSSEC.DSRecords) != 0 {
		t.Errorf("registration dnssec = %+v, want off (no records)", g.DNSSEC)
	}
}

// TestHostWorkflows: glue host create, update and delete through the
// registry's HostRegistry, each settled against its host info; a host a
// domain uses is never deleted (failed host_in_use).
func TestHostWorkflows(t *testing.T) {
	t.Parallel()
	notFound := answer{err: registrar.Errorf(registrar.KindNotFound, "fake", "2303 object does not exist")}
	h := registrar.Host{Name: "ns1.example.com", IPv4: []string{"192.0.2.1"}, IPv6: []string{"2001:db8::1"}}
	cases := []struct {
		name   string
		change registrar.HostChange
		script func(r *fakeRegistry)
		steps  int
		path   []string
		calls  []string
		code   string
	}{
		{
			name: "create", change: registrar.HostChange{Op: registrar.HostCreate, Host: h},
			script: func(r *fakeRegistry) { r.on("hostinfo", notFound).on("hostcreate", answer{}) },
			steps:  1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"HostInfo ns1.example.com", "CreateHost ns1.example.com 192.0.2.1,2001:db8::1"},
		},
		{
			name: "create whose answer was lost: the retry finds the host and sends nothing", change: registrar.HostChange{Op: registrar.HostCreate, Host: h},
			script: func(r *fakeRegistry) {
				r.on("hostinfo", notFound, answer{host: h}).on("hostcreate", unreachable)
			},
			steps: 2, path: []string{"pending/apply", "blocked/apply", "succeeded/apply"},
			calls: []string{"HostInfo ns1.example.com", "CreateHost ns1.example.com 192.0.2.1,2001:db8::1", "HostInfo ns1.example.com"},
		},
		{
			name: "update replaces the addresses", change: registrar.HostChange{Op: registrar.HostUpdate, Host: h},
			script: func(r *fakeRegistry) {
				r.on("hostinfo", answer{host: registrar.Host{IPv4: []string{"192.0.2.1", "192.0.2.2"}}}).on("hostupdate", answer{})
			},
			steps: 1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"HostInfo ns1.example.com", "UpdateHost ns1.example.com +2001:db8::1 -192.0.2.2"},
		},
		{
			name: "update of a missing host", change: registrar.HostChange{Op: registrar.HostUpdate, Host: h},
			script: func(r *fakeRegistry) { r.on("hostinfo", notFound) },
			steps:  1, path: []string{"pending/apply", "failed/apply"}, code: registrar.CodeHostNotFound,
			calls: []string{"HostInfo ns1.example.com"},
		},
		{
			name: "delete", change: registrar.HostChange{Op: registrar.HostDelete, Host: registrar.Host{Name: h.Name}},
			script: func(r *fakeRegistry) { r.on("hostinfo", answer{host: h}).on("hostdelete", answer{}) },
			steps:  1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"HostInfo ns1.example.com", "DeleteHost ns1.example.com"},
		},
		{
			name: "delete of a host already gone", change: registrar.HostChange{Op: registrar.HostDelete, Host: registrar.Host{Name: h.Name}},
			script: func(r *fakeRegistry) { r.on("hostinfo", notFound) },
			steps:  1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"HostInfo ns1.example.com"},
		},
		{
			name: "delete of a linked host is refused before the registry is asked to", change: registrar.HostChange{Op: registrar.HostDelete, Host: registrar.Host{Name: h.Name}},
			script: func(r *fakeRegistry) { r.on("hostinfo", answer{host: h, linked: true}) },
			steps:  1, path: []string{"pending/apply", "failed/apply"}, code: registrar.CodeHostInUse,
			calls: []string{"HostInfo ns1.example.com"},
		},
		{
			name: "delete refused by the registry (2305)", change: registrar.HostChange{Op: registrar.HostDelete, Host: registrar.Host{Name: h.Name}},
			script: func(r *fakeRegistry) {
				r.on("hostinfo", answer{host: h}).on("hostdelete", answer{err: registrar.Errorf(registrar.KindConflict, "fake", "2305 Object association prohibits operation")})
			},
			steps: 1, path: []string{"pending/apply", "failed/apply"}, code: registrar.CodeHostInUse,
			calls: []string{"HostInfo ns1.example.com", "DeleteHost ns1.example.com"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			b.succeedRegistration(registrar.EnvLive, domain)
			calls := len(b.reg.Calls())
			c.script(b.reg)
			wf, err := b.e.StartHost(b.ctx, b.p, registrar.EnvLive, domain, c.change)
			if err != nil {
				t.Fatal(err)
			}
			if ctx := statusContext(t, wf); !cmp.Equal(ctx.FieldsUpdated, []string{"hosts"}) || !ctx.PendingRegistryConfirmation {
				t.Errorf("pending context = %+v", ctx)
			}
			for range c.steps {
				b.step()
			}
			got := b.workflow(wf.ID)
			if diff := cmp.Diff(c.path, b.history(wf.ID)); diff != "" {
				t.Errorf("stored states (-want +got):\n%s", diff)
			}
			if got.ErrorCode != c.code {
				t.Errorf("error %q %q, want %q", got.ErrorCode, got.ErrorMessage, c.code)
			}
			if c.code == registrar.CodeHostInUse && !strings.Contains(got.ErrorMessage, "remove it from the domain's nameservers") {
				t.Errorf("message %q does not say what to do", got.ErrorMessage)
			}
			if diff := cmp.Diff(c.calls, b.reg.Calls()[calls:]); diff != "" {
				t.Errorf("registry calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRegistrationNameservers: a registration sends its name servers (or
// the extension's defaults) in an update once created, and keeps them.
func TestRegistrationNameservers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		req      []string
		defaults []string
		want     []string
		update   string
	}{
		{name: "the request's", req: []string{"ns1.example.net", "ns2.example.net"}, defaults: []string{"a.ns.test", "b.ns.test"},
			want: []string{"ns1.example.net", "ns2.example.net"}, update: "Update example.com ns+ns1.example.net ns+ns2.example.net"},
		{name: "the extension's defaults", defaults: []string{"a.ns.test", "b.ns.test"},
			want: []string{"a.ns.test", "b.ns.test"}, update: "Update example.com ns+a.ns.test ns+b.ns.test"},
		{name: "none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			ext := testExt
			ext.DefaultNameservers = c.defaults
			b.router.add(registrar.EnvLive, ext, b.reg)
			b.reg.on("check", available(domain)).on("create", created)
			if c.update != "" {
				// The transfer lock goes unscripted only when no update is
				// scripted: script it too.
				b.reg.on("update", answer{}, answer{})
			}
			wf, err := b.e.StartRegistration(b.ctx, b.p, registrar.EnvLive, registrar.RegistrationRequest{
				DomainName: domain, Extension: "com", Contacts: registrar.Contacts{Registrant: contact("ada@example.com")}, Nameservers: c.req,
			})
			if err != nil {
				t.Fatal(err)
			}
			b.step()
			if got := b.workflow(wf.ID); got.State != registrar.StateSucceeded {
				t.Fatalf("registration: %s %s", got.State, got.ErrorMessage)
			}
			calls := b.reg.Calls()
			if c.update != "" && calls[len(calls)-1] != c.update {
				t.Errorf("calls %q, want the last %q", calls, c.update)
			}
			if g := b.registration(registrar.EnvLive, domain); !cmp.Equal(g.Nameservers, c.want) {
				t.Errorf("registration nameservers = %q, want %q", g.Nameservers, c.want)
			}
		})
	}
}

// TestApprovedRegistrationNameservers: a registration the registry
// approves later (a poll message) sends its name servers then, settled
// against the info it reads for the dates.
func TestApprovedRegistrationNameservers(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	ext := testExt
	ext.DefaultNameservers = []string{"a.ns.test", "b.ns.test"}
	b.router.add(registrar.EnvLive, ext, b.reg)
	wf := b.awaitingReview()
	calls := len(b.reg.Calls())
	b.reg.on("info", answer{ours: true, info: registrar.DomainInfo{Nameservers: []string{"a.ns.test"}}}).on("update", answer{})
	b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: domain, Success: true, TransactionID: b.data(wf.ID).CreateTRID})
	if err := b.poll(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Poll", "Info example.com", "Update example.com ns+b.ns.test", "Ack m1", "Poll"}, b.reg.Calls()[calls:]); diff != "" {
		t.Errorf("registry calls (-want +got):\n%s", diff)
	}
	if g := b.registration(registrar.EnvLive, domain); !cmp.Equal(g.Nameservers, ext.DefaultNameservers) {
		t.Errorf("registration nameservers = %q", g.Nameservers)
	}
}
