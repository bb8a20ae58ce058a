package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/client"
)

// sandboxAuthCode is the built-in registries' auth code of every xfer-
// name, base64 as the API takes it: "sandbox-auth".
const sandboxAuthCode = "c2FuZGJveC1hdXRo"

// contains checks that out has each of want, in this order, comparing
// words (columns are aligned with spaces).
func contains(t *testing.T, cmd, out string, want ...string) {
	t.Helper()
	rest := spaces.ReplaceAllString(out, " ")
	for _, w := range want {
		w = spaces.ReplaceAllString(w, " ")
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s printed no %q (in order); stdout:\n%s", cmd, w, out)
			return
		}
		rest = rest[i+len(w):]
	}
}

// TestTransferCommands: transfers in through the command line, as a user
// runs them against a server whose live API is in demo mode, through
// every outcome, with their exit codes.
func TestTransferCommands(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 200*time.Millisecond)
	fast := []string{"--wait-interval", "50ms"}
	type step struct {
		args []string
		code int
		want []string // substrings of stdout, in this order
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"check", []step{
			{[]string{"transfer-check", "xfer-ok-c.com", "xfer-locked-c.com", "xfer-nocode-c.com", "--auth-code", "xfer-ok-c.com=" + sandboxAuthCode, "--auth-code", "xfer-locked-c.com=" + sandboxAuthCode},
				0, []string{"NAME TRANSFERABLE PRICE RENEWAL REASONS", "xfer-ok-c.com yes ", " USD ", "xfer-locked-c.com no - - domain_locked", "xfer-nocode-c.com yes"}},
		}},
		{"approved at once", []step{
			{append([]string{"transfer", "xfer-ack-s.com", "--auth-code", sandboxAuthCode, "--wait"}, fast...), 0,
				[]string{"202 Accepted: the transfer of xfer-ack-s.com ", "state:       succeeded", "status:      active"}},
			{[]string{"status", "xfer-ack-s.com", "--transfer"}, 0, []string{"state:       succeeded"}},
			{[]string{"get", "xfer-ack-s.com"}, 0, []string{"status:      active"}},
			{[]string{"list"}, 0, []string{"xfer-ack-s.com", "active"}},
		}},
		{"rejected", []step{
			{append([]string{"transfer", "xfer-nack-s.com", "--auth-code", sandboxAuthCode, "--wait"}, fast...), 2,
				[]string{"the transfer of xfer-nack-s.com ", "state:    failed", "error:    transfer_rejected"}},
			{[]string{"get", "xfer-nack-s.com"}, 1, nil},
		}},
		{"approved by the registry, waited for while blocked on the losing registrar", []step{
			{append([]string{"transfer", "xfer-silent-s.com", "--auth-code", sandboxAuthCode, "--async", "--wait"}, fast...), 0,
				[]string{"202 Accepted: the transfer of xfer-silent-s.com is pending", "xfer-silent-s.com: blocked (losing_registrar: The losing registrar has until ", "xfer-silent-s.com: succeeded, ", "state:       succeeded"}},
		}},
		{"not waited for", []step{
			{[]string{"transfer", "xfer-async-s.com", "--auth-code", sandboxAuthCode, "--async"}, 4,
				[]string{"202 Accepted: the transfer of xfer-async-s.com is pending", `follow it with "registrar status xfer-async-s.com --transfer --wait"`}},
			{append([]string{"status", "xfer-async-s.com", "--transfer", "--wait"}, fast...), 0, []string{"state:       succeeded"}},
		}},
		{"refused before the request", []step{
			{[]string{"transfer", "xfer-locked-s.com", "--auth-code", sandboxAuthCode, "--wait"}, 2, []string{"error:    domain_locked"}},
			{[]string{"transfer", "xfer-format-s.com", "--auth-code", "not base64!"}, 1, nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, s := range tt.steps {
				code, out, errOut := run(t, append(s.args, "--data-dir", dir)...)
				cmd := "registrar " + strings.Join(s.args, " ")
				if code != s.code {
					t.Errorf("%s = exit status %d, want %d; stdout:\n%s\nstderr:\n%s", cmd, code, s.code, out, errOut)
					continue
				}
				if code == 1 && !strings.HasPrefix(errOut, "registrar: ") {
					t.Errorf("%s: exit status 1 without an error message: stderr %q", cmd, errOut)
				}
				contains(t, cmd, out, s.want...)
			}
		})
	}
}

// TestTransferCancel: a transfer blocked on the losing registrar is
// cancelled; the cancel exits 0 with the failed transfer, and a second
// one finds nothing to cancel.
func TestTransferCancel(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 200*time.Millisecond)
	const name = "xfer-cancel.com"
	run(t, "transfer", name, "--auth-code", sandboxAuthCode, "--async", "--data-dir", dir)
	// Cancelled once blocked on the losing registrar: a cancel between
	// the server's recording its request and sending it finds no pending
	// transfer at the registry (2301, a 409).
	deadline := time.Now().Add(time.Minute)
	for {
		code, out, errOut := run(t, "status", name, "--transfer", "--data-dir", dir)
		if code == 4 && strings.Contains(out, "losing_registrar") {
			break
		}
		if code != 4 || time.Now().After(deadline) {
			t.Fatalf("status %s --transfer = %d, want 4 and blocked on the losing registrar:\n%s%s", name, code, out, errOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, out, errOut := run(t, "transfer-cancel", name, "--data-dir", dir)
	if code != 0 {
		t.Fatalf("transfer-cancel = %d\n%s%s", code, out, errOut)
	}
	golden(t, "transfer-cancel.txt", out)
	if code, out, _ := run(t, "status", name, "--transfer", "--data-dir", dir); code != 2 || !strings.Contains(out, "transfer_cancelled") {
		t.Errorf("status --transfer after the cancel = %d\n%s", code, out)
	}
	if code, _, errOut := run(t, "transfer-cancel", name, "--data-dir", dir); code != 1 || !strings.Contains(errOut, "409") {
		t.Errorf("a second transfer-cancel = %d %q, want 1 and a 409", code, errOut)
	}
}

// TestTransferOutCommands: another registrar asks for two of our
// domains (sandbox transfer-request); transfer-out status shows each
// waiting for a decision; the rejected one stays listed, the approved
// one leaves the account.
func TestTransferOutCommands(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, time.Minute)
	do := func(code int, args ...string) string {
		t.Helper()
		got, out, errOut := run(t, append(args, "--data-dir", dir)...)
		if got != code {
			t.Fatalf("registrar %s = exit status %d, want %d; stdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, code, out, errOut)
		}
		return out
	}
	for _, n := range []string{"out-keep.com", "out-go.com"} {
		do(0, "register", n)
		// Registered locked: a transfer request is refused until then.
		if code, _, errOut := run(t, "sandbox", "transfer-request", n, "--demo", "--data-dir", dir); code != 1 || !strings.Contains(errOut, "clientTransferProhibited") {
			t.Errorf("sandbox transfer-request of the locked %s = %d %q, want 1 and clientTransferProhibited", n, code, errOut)
		}
		contains(t, "lock off", do(0, "lock", n, "off"), "succeeded", "locked:      no")
		// An hour: the registry must not approve it before we decide.
		out := do(0, "sandbox", "transfer-request", n, "--demo", "--sandbox-transfer-delay", "1h")
		contains(t, "sandbox transfer-request", out, "otherregistrar requested the transfer of "+n)
	}
	// The server learns of the requests when it next polls the registry.
	for _, n := range []string{"out-keep.com", "out-go.com"} {
		deadline := time.Now().Add(time.Minute)
		for {
			code, out, _ := run(t, "transfer-out", "status", n, "--data-dir", dir)
			if code == 4 {
				contains(t, "transfer-out status", out, "state:", "blocked", "waiting on:", "losing_registrar", "act by:",
					`Decide with "registrar transfer-out approve `+n+`" or "registrar transfer-out reject `+n+`"`)
				if n == "out-keep.com" {
					golden(t, "transfer-out-status.txt", out)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("transfer-out status %s = exit status %d after a minute, want 4 (blocked):\n%s", n, code, out)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	golden(t, "transfer-out-reject.txt", do(0, "transfer-out", "reject", "out-keep.com"))
	var st client.WorkflowStatus
	if err := json.Unmarshal([]byte(do(0, "transfer-out", "approve", "out-go.com", "--output", "json")), &st); err != nil ||
		st.State != client.StateSucceeded {
		t.Errorf("transfer-out approve --output json = %+v, %v; want succeeded", st, err)
	}
	list := do(0, "list")
	if !strings.Contains(list, "out-keep.com") || strings.Contains(list, "out-go.com") {
		t.Errorf("list after the transfers out:\n%s\nwant out-keep.com and not out-go.com", list)
	}
	contains(t, "transfer-out status", do(2, "transfer-out", "status", "out-keep.com"), "state:", "failed", "transfer_rejected")
	contains(t, "transfer-out status", do(0, "transfer-out", "status", "out-go.com"), "state:", "succeeded")
	do(1, "transfer-out", "approve", "out-keep.com") // decided already

	// What the registry refuses, and a data dir without one.
	if code, _, errOut := run(t, "sandbox", "transfer-request", "nobody-holds-this.com", "--demo", "--data-dir", dir); code != 1 || !strings.Contains(errOut, "2303") {
		t.Errorf("sandbox transfer-request of an unknown name = %d %q, want 1 and 2303", code, errOut)
	}
	if code, _, errOut := run(t, "sandbox", "transfer-request", "--demo"); code != 1 || !strings.Contains(errOut, "takes one domain name, not 0") {
		t.Errorf("sandbox transfer-request without a name = %d %q", code, errOut)
	}
	empty := t.TempDir()
	if code, _, errOut := run(t, "sandbox", "transfer-request", "out-keep.com", "--data-dir", empty); code != 1 || !strings.Contains(errOut, "start the server there first") {
		t.Errorf("sandbox transfer-request without a registry = %d %q", code, errOut)
	}
}
