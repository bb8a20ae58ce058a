package cli_test

import (
	"strings"
	"testing"
	"time"
)

// TestContactsSet: `registrar contacts set` changes a registrant: the
// change waits for both registrants, and the command says whose links
// it waits for; without a role it is a usage error.
func TestContactsSet(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 2*time.Second)
	const name = "owner-cli.com"
	if code, out, errOut := run(t, "register", name, "--wait", "--data-dir", dir); code != 0 {
		t.Fatalf("register = %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "contacts", "set", name, "--data-dir", dir); code != 1 || !strings.Contains(errOut, "--registrant") {
		t.Errorf("contacts set without a role = %d %q, want a usage error", code, errOut)
	}
	code, out, errOut := run(t, "contacts", "set", name, "--registrant", writeContact(t, "grace@example.net"), "--data-dir", dir)
	if code == 1 {
		t.Fatalf("contacts set = %d\n%s%s", code, out, errOut)
	}
	// The sample contact with another email: a material change.
	contains(t, "contacts set", out, "action_required",
		"Waiting for confirmation by prior_registrant (a***@example.com) and new_registrant (g***@example.net)")
}
