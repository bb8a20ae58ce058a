package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// lifecycleAPI is a stand-in for a server's renew, restore and history
// endpoints, recording the requests: the engine behind them is tested on
// its own, this is the command line's side.
func lifecycleAPI(t *testing.T) (args func(...string) []string, seen func() []string) {
	var mu sync.Mutex
	var reqs []string
	wf := func(kind, state string) map[string]any {
		st := map[string]any{"completed": state == "succeeded" || state == "failed", "state": state,
			"created_at": "2027-11-01T10:00:00Z", "updated_at": "2027-11-01T10:00:01Z",
			"links":   map[string]string{"self": "/accounts/acct/registrar/registrations/life.com/" + kind + "-status"},
			"context": map[string]any{"domain_name": "life.com"}, "error": nil}
		if state == "failed" {
			st["error"] = map[string]string{"code": "not_restorable", "message": "life.com is not in its redemption period"}
		}
		return st
	}
	answers := map[string]struct {
		status int
		result any
	}{
		"POST /renew":         {201, wf("renewal", "succeeded")},
		"GET /renewal-status": {200, wf("renewal", "succeeded")},
		"POST /restore":       {202, wf("restore", "pending")},
		"GET /restore-status": {200, wf("restore", "failed")},
		"GET /history":        {200, []map[string]any{{"at": "2026-11-01T10:00:00Z", "type": "registered", "status": "active", "expires_at": "2027-11-01T10:00:00Z"}, {"at": "2027-10-02T10:00:00Z", "type": "renewed", "status": "active", "expires_at": "2028-11-01T10:00:00Z", "detail": "auto-renewal, 1 year"}}},
		"GET ": {200, map[string]any{"domain_name": "life.com", "status": "active", "created_at": "2026-11-01T10:00:00Z", "expires_at": "2028-11-01T10:00:00Z",
			"auto_renew": true, "locked": false, "privacy_mode": "redaction",
			"renewal":       map[string]any{"workflow_id": "w1", "state": "failed", "automatic": true, "error_code": "registry_rejected", "error_message": "2304 object status prohibits operation", "updated_at": "2027-10-02T10:00:00Z"},
			"registry_sync": map[string]any{"state": "differs", "checked_at": "2027-10-03T10:00:00Z", "differences": []map[string]string{{"field": "expires_at", "ours": "2027-11-01", "registry": "2028-11-01", "action": "ours_corrected"}}}}},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body strings.Builder
		buf := make([]byte, 512)
		n, _ := r.Body.Read(buf)
		body.Write(buf[:n])
		mu.Lock()
		reqs = append(reqs, r.Method+" "+r.URL.Path+" "+body.String())
		mu.Unlock()
		_, rest, _ := strings.Cut(r.URL.Path, "/registrations/life.com")
		a, ok := answers[r.Method+" "+rest]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		json.NewEncoder(w).Encode(map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": a.result})
	}))
	t.Cleanup(srv.Close)
	args = func(a ...string) []string {
		return append(a, "--api-url", srv.URL+"/client/v4/", "--account-id", "acct", "--api-token", "tok", "--data-dir", t.TempDir())
	}
	seen = func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), reqs...)
	}
	return args, seen
}

// TestLifecycleCommands: renew, restore, history, status --renewal and
// --restore, and get's renewal and registry sync rows, with their exit
// statuses and the requests they send.
func TestLifecycleCommands(t *testing.T) {
	t.Parallel()
	args, seen := lifecycleAPI(t)
	tests := []struct {
		args    []string
		code    int
		want    []string
		request string
	}{
		{[]string{"renew", "life.com", "--years", "2"}, 0, []string{"201 Created: the renewal of life.com finished: succeeded", "state:", "succeeded"},
			`POST /client/v4/accounts/acct/registrar/registrations/life.com/renew {"years":2}`},
		{[]string{"renew", "life.com", "--years", "11"}, 1, nil, ""},
		{[]string{"restore", "life.com"}, 4, []string{"202 Accepted: the restore of life.com is pending", `"registrar status life.com --restore --wait"`},
			`POST /client/v4/accounts/acct/registrar/registrations/life.com/restore {}`},
		{[]string{"status", "life.com", "--renewal"}, 0, []string{"state:", "succeeded"}, "GET /client/v4/accounts/acct/registrar/registrations/life.com/renewal-status "},
		{[]string{"status", "life.com", "--restore"}, 2, []string{"state:", "failed", "error:", "not_restorable"}, ""},
		{[]string{"status", "life.com", "--restore", "--renewal"}, 1, nil, ""},
		{[]string{"history", "life.com"}, 0, []string{"AT EVENT STATUS EXPIRES DETAIL", "registered active", "renewed active", "auto-renewal, 1 year"}, ""},
		{[]string{"get", "life.com"}, 0, []string{"auto-renew:", "on", "renewal:", "failed (automatic", "registry_rejected", "registry sync:", "differs", "expires_at; ours 2027-11-01; registry 2028-11-01; ours_corrected"}, ""},
	}
	for _, tt := range tests {
		before := len(seen())
		code, out, errOut := run(t, args(tt.args...)...)
		name := strings.Join(tt.args, " ")
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d; stdout:\n%s\nstderr:\n%s", name, code, tt.code, out, errOut)
		}
		contains(t, name, out, tt.want...)
		if tt.request != "" {
			if reqs := seen(); len(reqs) <= before || reqs[before] != tt.request {
				t.Errorf("%s: requests %q, want %q first", name, reqs[before:], tt.request)
			}
		}
	}
	var evs []map[string]any
	code, out, _ := run(t, args("history", "life.com", "--output", "json")...)
	if err := json.Unmarshal([]byte(out), &evs); code != 0 || err != nil || len(evs) != 2 {
		t.Errorf("history --output json: exit %d, %v: %s", code, err, out)
	}
}
