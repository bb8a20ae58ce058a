package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
)

// StartHost records the change and answers a pending workflow.
func (f *fakeWorkflows) StartHost(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, c registrar.HostChange) (*registrar.Workflow, error) {
	f.mu.Lock()
	f.hosts = append(f.hosts, c)
	f.mu.Unlock()
	now := time.Now()
	return &registrar.Workflow{ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowUpdate,
		Domain: domain, State: registrar.StatePending, CreatedAt: now, UpdatedAt: now}, nil
}

func nsList(n int) string {
	var s []string
	for i := range n {
		s = append(s, `"ns`+string(rune('a'+i))+`.example.net"`)
	}
	return "[" + strings.Join(s, ",") + "]"
}

var (
	sha256Hex = strings.Repeat("ab", 32)
	async     = []string{"Prefer", "respond-async"}
)

// TestPatchDNSValidation: PATCH nameservers and dnssec are checked before
// any workflow starts, each violation at its pointer; valid values reach
// the workflow normalised.
func TestPatchDNSValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		body     string
		pointers []string
		message  string
	}{
		{"14 nameservers", `{"nameservers": ` + nsList(14) + `}`, []string{"/nameservers"}, "2 to 13"},
		{"one nameserver", `{"nameservers": ["ns1.example.net"]}`, []string{"/nameservers"}, "2 to 13"},
		{"not a host name", `{"nameservers": ["ns1.example.net", "ns_2.example.net", "localhost"]}`, []string{"/nameservers/1", "/nameservers/2"}, "nameservers/1: "},
		{"duplicate", `{"nameservers": ["ns1.example.net", "NS1.example.net."]}`, []string{"/nameservers/1"}, "listed twice"},
		{"DS unknown algorithm", `{"dnssec": {"ds_records": [{"key_tag": 1, "algorithm": 99, "digest_type": 2, "digest": "` + sha256Hex + `"}]}}`,
			[]string{"/dnssec/ds_records/0/algorithm"}, "algorithm 99"},
		{"DS wrong digest length", `{"dnssec": {"ds_records": [{"key_tag": 1, "algorithm": 13, "digest_type": 2, "digest": "` + sha256Hex[:40] + `"}]}}`,
			[]string{"/dnssec/ds_records/0/digest"}, "64 hex digits"},
		{"DS SHA-1", `{"dnssec": {"ds_records": [{"key_tag": 1, "algorithm": 13, "digest_type": 1, "digest": "` + sha256Hex[:40] + `"}]}}`,
			[]string{"/dnssec/ds_records/0/digest_type"}, "SHA-1"},
		{"both at once", `{"nameservers": ["x"], "dnssec": {"ds_records": [{"key_tag": 70000, "algorithm": 13, "digest_type": 2, "digest": "` + sha256Hex + `"}]}}`,
			[]string{"/nameservers", "/nameservers/0", "/dnssec/ds_records/0/key_tag"}, ""},
		{"DS unknown member", `{"dnssec": {"ds_records": [{"keytag": 1}]}}`, []string{"/dnssec/ds_records/0/keytag"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			api := newTestAPI(t, testCatalog())
			res := api.do("PATCH", "registrar", "registrations/example.com", c.body, async...)
			if res.Status != http.StatusBadRequest || res.Env.Success {
				t.Fatalf("status %d %s, want 400", res.Status, res.Body)
			}
			if diff := cmp.Diff(c.pointers, res.pointers()); diff != "" {
				t.Errorf("pointers (-want +got):\n%s\n%s", diff, res.Body)
			}
			if c.message != "" && !strings.Contains(res.Env.Errors[0].Message, c.message) {
				t.Errorf("message %q, want one with %q", res.Env.Errors[0].Message, c.message)
			}
			if len(api.wfs.updates) != 0 {
				t.Errorf("an update started: %+v", api.wfs.updates)
			}
		})
	}
	t.Run("valid, normalised", func(t *testing.T) {
		t.Parallel()
		api := newTestAPI(t, testCatalog())
		res := api.do("PATCH", "registrar", "registrations/example.com",
			`{"nameservers": ["NS1.Example.NET.", "ns2.bücher.de"], "dnssec": {"ds_records": [{"key_tag": 2371, "algorithm": 13, "digest_type": 2, "digest": "`+sha256Hex+`"}]}}`, async...)
		if res.Status != http.StatusAccepted {
			t.Fatalf("status %d %s", res.Status, res.Body)
		}
		want := registrar.UpdateRequest{Nameservers: []string{"ns1.example.net", "ns2.xn--bcher-kva.de"},
			DNSSEC: &registrar.DNSSEC{DSRecords: []registrar.DSRecord{{KeyTag: 2371, Algorithm: 13, DigestType: 2, Digest: strings.ToUpper(sha256Hex)}}}}
		if diff := cmp.Diff([]registrar.UpdateRequest{want}, api.wfs.updates); diff != "" {
			t.Errorf("update (-want +got):\n%s", diff)
		}
	})
	t.Run("dnssec off", func(t *testing.T) {
		t.Parallel()
		api := newTestAPI(t, testCatalog())
		if res := api.do("PATCH", "registrar", "registrations/example.com", `{"dnssec": {"ds_records": []}}`, async...); res.Status != http.StatusAccepted {
			t.Fatalf("status %d %s", res.Status, res.Body)
		}
		if u := api.wfs.updates; len(u) != 1 || u[0].DNSSEC == nil || len(u[0].DNSSEC.DSRecords) != 0 {
			t.Errorf("update %+v, want DNSSEC with no records", u)
		}
	})
}

// TestRegistrationNameserversValidation: POST registrations' nameservers
// go through the extension's schema (count, uniqueness) and then the
// host-name rules; one inside the domain is refused (its glue cannot
// exist yet).
func TestRegistrationNameserversValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		ns       string
		pointers []string
	}{
		{"14 nameservers", nsList(14), []string{"/nameservers"}},
		{"not a host name", `["ns1.example.net", "ns 2.example.net"]`, []string{"/nameservers/1"}},
		{"inside the domain", `["ns1.ada.com", "ns2.example.net"]`, []string{"/nameservers/0"}},
		{"not strings", `["ns1.example.net", 7]`, []string{"/nameservers/1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			api := newTestAPI(t, testCatalog())
			res := api.do("POST", "registrar", "registrations", `{"domain_name": "ada.com", "nameservers": `+c.ns+`}`, async...)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d %s, want 400", res.Status, res.Body)
			}
			if diff := cmp.Diff(c.pointers, res.pointers()); diff != "" {
				t.Errorf("pointers (-want +got):\n%s\n%s", diff, res.Body)
			}
		})
	}
	api := newTestAPI(t, testCatalog())
	res := api.do("POST", "registrar", "registrations", `{"domain_name": "ada.com", "nameservers": ["NS1.example.net", "ns2.example.net"]}`, async...)
	if res.Status != http.StatusAccepted {
		t.Fatalf("valid: status %d %s", res.Status, res.Body)
	}
	if got := api.wfs.started(); len(got) != 1 || !cmp.Equal(got[0].Nameservers, []string{"ns1.example.net", "ns2.example.net"}) {
		t.Errorf("started %+v", got)
	}
}

// TestHostEndpoints: POST, PATCH and DELETE .../hosts/{host} start host
// workflows with validated hosts; glue outside the domain and addresses
// that cannot be glue are refused at their pointers.
func TestHostEndpoints(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, host, body string
		status                   int
		pointers                 []string
		message                  string
		want                     *registrar.HostChange
	}{
		{name: "create", method: "POST", host: "NS1.example.com", body: `{"ipv4": ["192.0.2.1"], "ipv6": ["2001:DB8::1"]}`, status: http.StatusAccepted,
			want: &registrar.HostChange{Op: registrar.HostCreate, Host: registrar.Host{Name: "ns1.example.com", IPv4: []string{"192.0.2.1"}, IPv6: []string{"2001:db8::1"}}}},
		{name: "update", method: "PATCH", host: "ns1.example.com", body: `{"ipv4": ["198.51.100.1"]}`, status: http.StatusAccepted,
			want: &registrar.HostChange{Op: registrar.HostUpdate, Host: registrar.Host{Name: "ns1.example.com", IPv4: []string{"198.51.100.1"}}}},
		{name: "delete", method: "DELETE", host: "ns1.example.com", status: http.StatusAccepted,
			want: &registrar.HostChange{Op: registrar.HostDelete, Host: registrar.Host{Name: "ns1.example.com"}}},
		{name: "glue outside the domain", method: "POST", host: "ns1.example.net", body: `{"ipv4": ["192.0.2.1"]}`, status: http.StatusBadRequest,
			pointers: []string{""}, message: "host in the path: glue host ns1.example.net is not under example.com"},
		{name: "delete outside the domain", method: "DELETE", host: "ns1.example.net", status: http.StatusBadRequest,
			pointers: []string{""}, message: "not under example.com"},
		{name: "private and mistyped addresses", method: "POST", host: "ns1.example.com", body: `{"ipv4": ["10.1.2.3", "2001:db8::1"], "ipv6": ["::1"]}`,
			status: http.StatusBadRequest, pointers: []string{"/ipv4/0", "/ipv4/1", "/ipv6/0"}, message: "ipv4/0: 10.1.2.3 is not a public address"},
		{name: "no addresses", method: "POST", host: "ns1.example.com", body: `{}`, status: http.StatusBadRequest, pointers: []string{""}, message: "1 to 13 addresses"},
		{name: "unknown member", method: "PATCH", host: "ns1.example.com", body: `{"ip": ["192.0.2.1"]}`, status: http.StatusBadRequest, pointers: []string{"/ip"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			api := newTestAPI(t, testCatalog())
			res := api.do(c.method, "registrar", "registrations/example.com/hosts/"+c.host, c.body, async...)
			if res.Status != c.status {
				t.Fatalf("status %d %s, want %d", res.Status, res.Body, c.status)
			}
			if diff := cmp.Diff(c.pointers, res.pointers()); diff != "" {
				t.Errorf("pointers (-want +got):\n%s\n%s", diff, res.Body)
			}
			if c.message != "" && !strings.Contains(res.Env.Errors[0].Message, c.message) {
				t.Errorf("message %q, want one with %q", res.Env.Errors[0].Message, c.message)
			}
			var want []registrar.HostChange
			if c.want != nil {
				want = append(want, *c.want)
			}
			if diff := cmp.Diff(want, api.wfs.hosts); diff != "" {
				t.Errorf("host workflows (-want +got):\n%s", diff)
			}
		})
	}
}

// hostReader knows one registration, example.com, of the test account.
type hostReader struct{ fakeReader }

func (h hostReader) Registration(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Registration, error) {
	if domain != "example.com" {
		return nil, registrar.Errorf(registrar.KindNotFound, "fake", "registration of %s not found", domain)
	}
	return &registrar.Registration{DomainName: domain, AccountID: accountID}, nil
}

// hostRegistry is a registry that knows one host, ns1.example.com, in use.
type hostRegistry struct{ registrar.Registry }

func (hostRegistry) HostInfo(ctx context.Context, name string) (registrar.Host, bool, error) {
	if name != "ns1.example.com" {
		return registrar.Host{}, false, registrar.Errorf(registrar.KindNotFound, "fake", "2303 object does not exist")
	}
	return registrar.Host{IPv4: []string{"192.0.2.1"}}, true, nil
}
func (hostRegistry) CreateHost(context.Context, registrar.Host) error { return nil }
func (hostRegistry) UpdateHost(context.Context, string, registrar.Host, registrar.Host) error {
	return nil
}
func (hostRegistry) DeleteHost(context.Context, string) error { return nil }

// TestHostGet: GET .../hosts/{host} shows what the registry holds.
func TestHostGet(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, testCatalog())
	r := registrar.NewRouter()
	r.AddCatalog(registrar.EnvLive, testCatalog(), hostRegistry{})
	api.srv.Registries = r
	api.srv.Reader = hostReader{api.srv.Reader.(fakeReader)}
	res := api.do("GET", "registrar", "registrations/example.com/hosts/NS1.example.com", "")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d %s", res.Status, res.Body)
	}
	var got map[string]any
	json.Unmarshal(res.Env.Result, &got)
	want := map[string]any{"name": "ns1.example.com", "ipv4": []any{"192.0.2.1"}, "linked": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	for _, p := range []string{"registrations/example.com/hosts/ns2.example.com", "registrations/example.com/hosts/ns1.example.net", "registrations/other.com/hosts/ns1.other.com"} {
		if res := api.do("GET", "registrar", p, ""); res.Status != http.StatusNotFound {
			t.Errorf("GET %s: status %d %s, want 404", p, res.Status, res.Body)
		}
	}
}
