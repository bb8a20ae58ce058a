package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestTokenCommands creates, lists and revokes API tokens through the
// CLI against a real server, and uses the tokens it creates.
func TestTokenCommands(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 0)

	code, out, errOut := run(t, "token", "create", "ci", "--read-only", "--sandbox-only", "--expires", "720h", "--output", "json", "--data-dir", dir)
	var ci struct {
		ID, Value, Scope string
		SandboxOnly      bool       `json:"sandbox_only"`
		ExpiresOn        *time.Time `json:"expires_on"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &ci) != nil || !strings.HasPrefix(ci.Value, "orat_") || ci.Scope != "read" || !ci.SandboxOnly ||
		ci.ExpiresOn == nil || time.Until(*ci.ExpiresOn) < 719*time.Hour || time.Until(*ci.ExpiresOn) > 721*time.Hour {
		t.Fatalf("token create --read-only --sandbox-only --expires 720h = %d, %s %s; want a read, sandbox-only token expiring in 30 days", code, out, errOut)
	}
	code, out, errOut = run(t, "token", "create", "deploy", "--expires", "2099-01-02T03:04:05Z", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "shown only now") || !strings.Contains(out, "orat_") || !strings.Contains(out, "2099-01-02T03:04:05Z") {
		t.Fatalf("token create deploy = %d, %q, %q; want the token, its expiry and its secret once", code, out, errOut)
	}
	deploy := out[strings.LastIndex(out, "orat_"):]
	deploy = strings.TrimSpace(deploy)

	code, out, errOut = run(t, "token", "list", "--data-dir", dir)
	if code != 0 || strings.Contains(out, "orat_") {
		t.Fatalf("token list = %d, %q, %q; want the tokens without secrets", code, out, errOut)
	}
	golden(t, "token-list.txt", out)

	// The new tokens work, within their limits.
	if code, _, errOut := run(t, "list", "--sandbox", "--api-token", ci.Value, "--data-dir", dir); code != 0 {
		t.Errorf("list --sandbox with the sandbox-only token = %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, "list", "--api-token", ci.Value, "--data-dir", dir); code != 1 || !strings.Contains(errOut, "sandbox-only") {
		t.Errorf("list (live) with the sandbox-only token = %d, %q; want 1 saying it is sandbox-only", code, errOut)
	}
	if code, _, errOut := run(t, "token", "create", "wider", "--api-token", ci.Value, "--data-dir", dir); code != 1 || !strings.Contains(errOut, "read-only") {
		t.Errorf("token create with a read-only token = %d, %q; want 1 saying it is read-only", code, errOut)
	}

	if code, out, errOut := run(t, "token", "revoke", ci.ID, "--api-token", deploy, "--data-dir", dir); code != 0 || !strings.Contains(out, "revoked token "+ci.ID) {
		t.Fatalf("token revoke = %d, %q, %q", code, out, errOut)
	}
	if code, _, errOut := run(t, "list", "--sandbox", "--api-token", ci.Value, "--data-dir", dir); code != 1 || !strings.Contains(errOut, "invalid API token") {
		t.Errorf("list with the revoked token = %d, %q; want 1, invalid API token", code, errOut)
	}

	for _, tc := range []struct {
		what, want string
		args       []string
	}{
		{"no name", "one NAME", []string{"token", "create"}},
		{"bad expiry", "--expires", []string{"token", "create", "x", "--expires", "next week"}},
		{"past expiry", "not in the future", []string{"token", "create", "x", "--expires", "-1h"}},
		{"no ID", "one token ID", []string{"token", "revoke"}},
	} {
		if code, _, errOut := run(t, append(tc.args, "--data-dir", dir)...); code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: %v = %d, %q; want a usage error naming %q", tc.what, tc.args, code, errOut, tc.want)
		}
	}
}
