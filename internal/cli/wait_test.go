package cli_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestWaitServerGone: a server that stops answering while --wait follows
// a workflow is retried for --max-unreachable, then the command says the
// workflow goes on at the server and exits 4, not 1; the progress line
// named why the workflow was blocked, and polls followed the server's
// Retry-After.
func TestWaitServerGone(t *testing.T) {
	t.Parallel()
	var polls atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/registrar/registrations/gone.com/registration-status") {
			http.NotFound(w, r)
			return
		}
		if polls.Add(1) == 2 {
			// The server goes away after its second answer.
			defer srv.CloseClientConnections()
			defer func() { go srv.Close() }()
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "1")
		w.Write([]byte(`{"success":true,"errors":[],"messages":[],"result":{"completed":false,"state":"blocked",
			"created_at":"2026-12-04T05:00:00Z","updated_at":"2026-12-04T05:00:01Z",
			"links":{"self":"/accounts/acct/registrar/registrations/gone.com/registration-status","resource":"/accounts/acct/registrar/registrations/gone.com"},
			"context":{"domain_name":"gone.com","blocked_by":"registry","detail":"The registry is unreachable; retrying."},"error":null}}`))
	}))
	start := time.Now()
	code, out, errOut := run(t, "status", "gone.com", "--wait", "--max-unreachable", "500ms",
		"--api-url", srv.URL+"/client/v4/", "--api-token", "tok", "--account-id", "acct", "--data-dir", t.TempDir())
	if code != 4 {
		t.Fatalf("status --wait with the server gone = exit %d, want 4\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"gone.com: blocked (registry: The registry is unreachable; retrying.), ",
		"state:       blocked",
		"Gave up waiting: the server did not answer for ",
		"; gone.com was blocked when last seen. It goes on at the server: follow it with \"registrar status gone.com --wait\".",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout has no %q:\n%s", want, out)
		}
	}
	if n := polls.Load(); n != 2 {
		t.Errorf("%d polls answered, want 2", n)
	}
	// The second poll came after Retry-After (1s, jittered down to 0.8s),
	// not after the 30s a blocked workflow is polled at without one.
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s: the Retry-After was not followed", d)
	}
}

// TestWaitFollowsTheServer: with the default polling, --wait sees a
// sandbox outage or review end within seconds of the server finishing
// it (1s of --sandbox-delay here), following the server's Retry-After,
// not after the 30s a blocked workflow is otherwise left unpolled.
func TestWaitFollowsTheServer(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 200*time.Millisecond)
	for _, domain := range []string{"outage-rt.com", "pending-rt.com"} {
		t.Run(domain, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			code, out, errOut := run(t, "register", domain, "--wait", "--data-dir", dir)
			took := time.Since(start)
			if code != 0 || !strings.Contains(out, domain+": blocked (registry: ") {
				t.Fatalf("register %s --wait = exit %d, want 0 after a blocked line\nstdout:\n%s\nstderr:\n%s", domain, code, out, errOut)
			}
			if took > 10*time.Second {
				t.Errorf("register %s --wait took %s, want a few seconds:\n%s", domain, took, out)
			}
		})
	}
}
