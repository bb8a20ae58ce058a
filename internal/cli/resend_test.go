package cli_test

import (
	"strings"
	"testing"
	"time"
)

// TestResendVerification: a registration waiting on its registrant's
// email is pointed at resend-verification, which sends the email again
// with a new link (the newest in the outbox), and says so; one that waits
// on nothing is an API error; the name is required.
func TestResendVerification(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 200*time.Millisecond)
	sandbox := []string{"--sandbox", "--data-dir", dir}
	code, out, errOut := run(t, append([]string{"register", "verify-rs.com", "--wait", "--contact", writeContact(t, "verify-ada@example.com")}, sandbox...)...)
	if want := `No email? "registrar resend-verification verify-rs.com --sandbox" sends it again.`; code != 3 || !strings.Contains(out, want) {
		t.Fatalf("register = exit %d, want 3 and %q\nstdout:\n%s\nstderr:\n%s", code, want, out, errOut)
	}
	_, shown, _ := run(t, "outbox", "show", "--latest", "--data-dir", dir)
	first := linkOf(t, shown)

	code, out, errOut = run(t, append([]string{"resend-verification", "verify-rs.com"}, sandbox...)...)
	words := spaces.ReplaceAllString(out, " ")
	for _, want := range []string{"200 OK: the registration of verify-rs.com is action_required", "state: action_required", "sent to: v***@example.com",
		"Sent again to v***@example.com, with a new link; it and the links sent before work until ", `"registrar outbox show --latest" prints the link.`} {
		if code != 0 || !strings.Contains(words, want) {
			t.Errorf("resend-verification = exit %d, want 0 and %q\nstdout:\n%s\nstderr:\n%s", code, want, out, errOut)
		}
	}
	_, shown, _ = run(t, "outbox", "show", "--latest", "--data-dir", dir)
	if second := linkOf(t, shown); second == first || !strings.Contains(shown, "verify-rs.com") {
		t.Errorf("the newest email after resend-verification has link %s (the first was %s), want a new link for verify-rs.com", second, first)
	}

	code, _, _ = run(t, append([]string{"register", "plain-rs.com", "--wait", "--contact", writeContact(t, "ada@example.com")}, sandbox...)...)
	if code != 0 {
		t.Fatalf("register plain-rs.com = exit %d", code)
	}
	code, _, errOut = run(t, append([]string{"resend-verification", "plain-rs.com"}, sandbox...)...)
	if code != 1 || !strings.Contains(errOut, "is not waiting for its registrant to confirm their email address") {
		t.Errorf("resend-verification of a registration waiting on nothing = exit %d, stderr %q; want 1 and the server's reason", code, errOut)
	}
	if code, _, errOut := run(t, "resend-verification", "--data-dir", dir); code != 1 || !strings.Contains(errOut, "takes one domain name") {
		t.Errorf("resend-verification without a name = exit %d, stderr %q", code, errOut)
	}
}
