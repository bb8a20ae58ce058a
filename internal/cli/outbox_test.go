package cli_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestVerifyThroughTheOutbox: the first hour of a user trying the email
// verification: the action_required advice says where the sandbox's (and
// demo mode's) mail is, "outbox show --latest" prints the link, opening
// it verifies the address, and the registration then succeeds.
func TestVerifyThroughTheOutbox(t *testing.T) {
	t.Parallel()
	dir, d, _ := startAPIServer(t, 200*time.Millisecond)
	if d.Mode() != "demo" {
		t.Fatalf("the test server's mode is %q, want demo", d.Mode())
	}
	for _, tt := range []struct {
		name   string
		domain string
		api    []string
	}{
		{"demo mode", "verify-ob.com", nil},
		{"sandbox API", "verify-ob.net", []string{"--sandbox"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := append([]string{"--data-dir", dir}, tt.api...)
			code, out, errOut := run(t, append([]string{"register", tt.domain, "--wait", "--contact", writeContact(t, "verify-ada@example.com")}, api...)...)
			want := "Action required: check v***@example.com for the verification email and open its link.\n" +
				`The sandbox keeps its mail in the outbox: "registrar outbox show --latest" prints the link.` + "\n" +
				"The registration of " + tt.domain + " goes on once the address is verified"
			if code != 3 || !strings.Contains(out, want) {
				t.Fatalf("register %s = exit %d, want 3 and\n%s\nstdout:\n%s\nstderr:\n%s", tt.domain, code, want, out, errOut)
			}

			code, out, errOut = run(t, "outbox", "show", "--latest", "--data-dir", dir)
			if code != 0 || !strings.Contains(spaces.ReplaceAllString(out, " "), "subject: Verify your email address to register "+tt.domain) {
				t.Fatalf("outbox show --latest = exit %d, want the mail of %s\nstdout:\n%s\nstderr:\n%s", code, tt.domain, out, errOut)
			}
			link := linkOf(t, out)
			if !strings.Contains(out, "\n\nHello ") || strings.Count(out, link) != 2 {
				t.Errorf("outbox show --latest printed no body with the link under its headers:\n%s", out)
			}
			code, list, _ := run(t, "outbox", "list", "--data-dir", dir)
			if code != 0 || !strings.Contains(list, link) {
				t.Errorf("outbox list = exit %d, want the link %s in its table:\n%s", code, link, list)
			}

			res, err := http.Get(link)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d %s", link, res.StatusCode, page)
			}

			code, out, errOut = run(t, append([]string{"status", tt.domain, "--wait"}, api...)...)
			if code != 0 || !strings.Contains(spaces.ReplaceAllString(out, " "), "state: succeeded") {
				t.Errorf("status %s --wait after verifying = exit %d, want 0 and succeeded\nstdout:\n%s\nstderr:\n%s", tt.domain, code, out, errOut)
			}
		})
	}
}

// linkOf returns the link row of "outbox show".
func linkOf(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "link:"); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatalf("outbox show printed no link row:\n%s", out)
	return ""
}
