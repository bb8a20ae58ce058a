package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestDNSCommands: ns set, dnssec set and off, host set, get and delete
// send the requests of docs/API.md (the engine behind them is tested on
// its own).
func TestDNSCommands(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var reqs []string
	pending := map[string]any{"completed": false, "state": "pending", "created_at": "2027-11-01T10:00:00Z", "updated_at": "2027-11-01T10:00:00Z",
		"links":   map[string]string{"self": "/accounts/acct/registrar/registrations/dns.com/update-status"},
		"context": map[string]any{"domain_name": "dns.com"}, "error": nil}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body strings.Builder
		buf := make([]byte, 1024)
		n, _ := r.Body.Read(buf)
		body.Write(buf[:n])
		mu.Lock()
		reqs = append(reqs, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/client/v4/accounts/acct/registrar/registrations/")+" "+body.String())
		mu.Unlock()
		var result any = pending
		status := http.StatusAccepted
		if r.Method == http.MethodGet {
			result, status = map[string]any{"name": "ns1.dns.com", "ipv4": []string{"192.0.2.1"}, "linked": true}, http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": result})
	}))
	t.Cleanup(srv.Close)
	args := func(a ...string) []string {
		return append(a, "--api-url", srv.URL+"/client/v4/", "--account-id", "acct", "--api-token", "tok", "--data-dir", t.TempDir())
	}
	digest := strings.Repeat("AB", 32)
	tests := []struct {
		args    []string
		code    int
		request string
		want    []string
	}{
		{[]string{"ns", "set", "dns.com", "ns1.example.net", "ns2.example.net"}, 4, `PATCH dns.com {"nameservers":["ns1.example.net","ns2.example.net"]}`, nil},
		{[]string{"ns", "set", "dns.com"}, 1, "", nil},
		{[]string{"dnssec", "set", "dns.com", "--ds", "2371 13 2 " + digest[:32] + " " + digest[32:]}, 4,
			`PATCH dns.com {"dnssec":{"ds_records":[{"key_tag":2371,"algorithm":13,"digest_type":2,"digest":"` + digest + `"}]}}`, nil},
		{[]string{"dnssec", "set", "dns.com", "--ds", "x 13 2 AB"}, 1, "", nil},
		{[]string{"dnssec", "off", "dns.com"}, 4, `PATCH dns.com {"dnssec":{"ds_records":[]}}`, nil},
		{[]string{"host", "set", "dns.com", "ns1.dns.com", "--ip", "192.0.2.1", "--ip", "2001:db8::1"}, 4,
			`POST dns.com/hosts/ns1.dns.com {"ipv4":["192.0.2.1"],"ipv6":["2001:db8::1"]}`, nil},
		{[]string{"host", "get", "dns.com", "ns1.dns.com"}, 0, "GET dns.com/hosts/ns1.dns.com ", []string{"ns1.dns.com", "192.0.2.1", "yes"}},
		{[]string{"host", "delete", "dns.com", "ns1.dns.com"}, 4, "DELETE dns.com/hosts/ns1.dns.com ", nil},
	}
	for _, tt := range tests {
		mu.Lock()
		before := len(reqs)
		mu.Unlock()
		code, out, errOut := run(t, args(tt.args...)...)
		name := strings.Join(tt.args, " ")
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d; stdout:\n%s\nstderr:\n%s", name, code, tt.code, out, errOut)
		}
		contains(t, name, out, tt.want...)
		mu.Lock()
		got := append([]string(nil), reqs[before:]...)
		mu.Unlock()
		if tt.request != "" && (len(got) == 0 || got[0] != tt.request) {
			t.Errorf("%s: requests %q, want %q first", name, got, tt.request)
		}
	}
}
