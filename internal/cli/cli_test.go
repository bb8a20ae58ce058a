package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/cli"
	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/workflows"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// startServer runs a server on dir, as `registrar serve` would.
func startServer(t *testing.T, dir string) *daemon.Daemon {
	t.Helper()
	// normal: a test's data need not survive an OS crash (see the daemon
	// tests' startServer).
	d, err := daemon.Start(context.Background(), daemon.Config{Listen: "127.0.0.1:0", DataDir: dir, SQLiteSynchronous: "normal", API: httpapi.Config{RateLimit: -1},
		SandboxDelay: 100 * time.Millisecond, Workflows: workflows.Config{PollInterval: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Stop(context.Background()) })
	return d
}

// TestAdminCommandsBesideARunningServer: account create, outbox list and
// sandbox log work on the data dir of a running server.
func TestAdminCommandsBesideARunningServer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := startServer(t, dir)

	contactFile := filepath.Join(t.TempDir(), "contact.json")
	contact := daemon.SampleContact()
	contact.Email = "verify-cli@example.com"
	raw, _ := json.Marshal(contact)
	os.WriteFile(contactFile, raw, 0o600)

	// A contact file is held to the contact rules of the registration
	// schemas, as a registrant in a request is.
	badFile := filepath.Join(t.TempDir(), "bad-contact.json")
	os.WriteFile(badFile, []byte(strings.Replace(string(raw), contact.Phone, "555-1234", 1)), 0o600)
	if code, _, errOut := run(t, "account", "create", "--name", "bad", "--data-dir", dir, "--contact", badFile); code == 0 ||
		!strings.Contains(errOut, "/phone must be E.164") {
		t.Errorf("account create with a bad phone = %d, stderr %q; want an error naming /phone", code, errOut)
	}

	code, out, errOut := run(t, "account", "create", "--name", "acme", "--data-dir", dir, "--contact", contactFile, "--output", "json")
	if code != 0 {
		t.Fatalf("account create = %d, stderr %s", code, errOut)
	}
	var created struct {
		AccountID string `json:"account_id"`
		APIToken  string `json:"api_token"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || !registrar.ValidID(created.AccountID) || !registrar.LooksLikeToken(created.APIToken) {
		t.Fatalf("account create printed %q (%v), want {account_id, api_token}", out, err)
	}
	// A second account of the name is refused, unless asked for.
	code, out, errOut = run(t, "account", "create", "--name", "acme", "--data-dir", dir)
	want := regexp.MustCompile(`^registrar: an account named "acme" exists already \(ID ` + created.AccountID +
		`, created \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\): choose another --name, or give --allow-duplicate-name to create a second account of that name\n$`)
	if code != 1 || out != "" || !want.MatchString(errOut) {
		t.Errorf("account create --name acme again = %d, stdout %q, stderr %q; want 1 and %s", code, out, errOut, want)
	}
	if code, out, errOut := run(t, "account", "create", "--name", "acme", "--data-dir", dir, "--allow-duplicate-name"); code != 0 || !strings.Contains(out, "API token:") {
		t.Errorf("account create --name acme --allow-duplicate-name = %d, stdout %q, stderr %q; want a new account", code, out, errOut)
	}
	// The new token works on the running server, with the contact from the file.
	req, _ := http.NewRequest("POST", d.URL()+"accounts/"+created.AccountID+"/registrar/registrations", strings.NewReader(`{"domain_name":"cli-test.com"}`))
	req.Header.Set("Authorization", "Bearer "+created.APIToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST with the new token = %d, want 202 (action_required: the contact's email starts with verify)", res.StatusCode)
	}

	var msgs []map[string]any
	for deadline := time.Now().Add(10 * time.Second); len(msgs) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		code, out, errOut = run(t, "outbox", "list", "--data-dir", dir, "--output", "json")
		if code != 0 {
			t.Fatalf("outbox list = %d, stderr %s", code, errOut)
		}
		if err := json.Unmarshal([]byte(out), &msgs); err != nil {
			t.Fatalf("outbox list printed %q: %v", out, err)
		}
	}
	if len(msgs) != 1 || msgs[0]["to"] != "verify-cli@example.com" || !strings.Contains(msgs[0]["subject"].(string), "cli-test.com") ||
		!strings.Contains(msgs[0]["body"].(string), "/verify-email/") || msgs[0]["created_at"] == nil {
		t.Errorf("outbox list = %v, want the verification mail with to, subject, body, created_at", msgs)
	}
	if code, out, _ := run(t, "outbox", "list", "--data-dir", dir); code != 0 || !strings.Contains(out, "verify-cli@example.com") || !strings.Contains(out, "SUBJECT") {
		t.Errorf("outbox list as a table = %d %q", code, out)
	}

	// The live API's check went to the demo registry (demo mode), not to
	// the sandbox API's registry.
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"sandbox", "log", "--demo", "--data-dir", dir, "--output", "json"}, true},
		{[]string{"sandbox", "log", "--data-dir", dir, "--output", "json"}, false},
	} {
		code, out, errOut = run(t, tt.args...)
		var log []map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &log) != nil {
			t.Fatalf("%v = %d %q %s", tt.args, code, out, errOut)
		}
		found := false
		for _, e := range log {
			if e["domain"] == "cli-test.com" && e["command"] == "check" && strings.HasPrefix(e["result"].(string), "1000") && e["time"] != nil {
				found = true
			}
		}
		if found != tt.want {
			t.Errorf("%v has a check of cli-test.com: %v, want %v: %s", tt.args, found, tt.want, out)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	badDir := t.TempDir()
	tests := []struct {
		args   []string
		code   int
		output string // a substring of stdout+stderr
	}{
		{nil, 1, "Usage"},
		{[]string{"help"}, 0, "registrar serve"},
		{[]string{"help"}, 0, "registrar register NAME"},
		{[]string{"frobnicate"}, 1, `unknown command "frobnicate"`},
		{[]string{"account"}, 1, "usage: registrar account create"},
		{[]string{"account", "create"}, 1, "--name is required"},
		{[]string{"account", "create", "--help"}, 0, "Example:"},
		{[]string{"serve", "--help"}, 0, "REGISTRAR_SYNC_WAIT"},
		{[]string{"serve", "--no-such-flag"}, 1, "registrar: unknown flag -no-such-flag; see \"registrar serve --help\"\n"},
		{[]string{"serve", "extra"}, 1, `unexpected argument "extra"`},
		{[]string{"serve", "--job-timeout", "2m", "--rescue-after", "1m"}, 1, "--rescue-after (1m0s) must exceed --job-timeout (2m0s)"},
		{[]string{"serve", "--database", "mysql://x"}, 1, "--database must be a postgres://"},
		{[]string{"serve", "--workers", "-3"}, 1, "--workers must not be negative"},
		{[]string{"serve", "--retry-min", "1m", "--retry-max", "1s"}, 1, "--retry-max (1s) must not be below --retry-min (1m0s)"},
		{[]string{"serve", "--public-url", "ftp://x"}, 1, "--public-url"},
		{[]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", badDir, "--registries", "/nonexistent/registries.yaml"}, 1, "/nonexistent/registries.yaml"},
		{[]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", badDir, "--catalog", "/nonexistent/catalog.json"}, 1, "catalog: open /nonexistent/catalog.json"},
		{[]string{"outbox", "list", "--data-dir", "/nonexistent/dir"}, 1, "no registrar database in /nonexistent/dir"},
		{[]string{"outbox", "list", "--output", "xml"}, 1, "--output must be table or json"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, tt.args...)
		if code != tt.code || !strings.Contains(out+errOut, tt.output) {
			t.Errorf("registrar %s = %d, output %q; want %d with %q", strings.Join(tt.args, " "), code, out+errOut, tt.code, tt.output)
		}
	}
}

// TestEnvironmentFallback: flags default to their REGISTRAR_* variables.
func TestEnvironmentFallback(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("REGISTRAR_DATA_DIR", dir)
	t.Setenv("REGISTRAR_OUTPUT", "json")
	if code, out, errOut := run(t, "account", "create", "--name", "env"); code != 0 || !strings.Contains(out, `"account_id"`) {
		t.Fatalf("account create with REGISTRAR_DATA_DIR and REGISTRAR_OUTPUT = %d %q %s", code, out, errOut)
	}
	if _, err := os.Stat(daemon.SQLitePath(dir)); err != nil {
		t.Errorf("REGISTRAR_DATA_DIR was not used: %v", err)
	}
	t.Setenv("REGISTRAR_SYNC_WAIT", "soon")
	if code, _, errOut := run(t, "serve"); code != 1 || !strings.Contains(errOut, "REGISTRAR_SYNC_WAIT") {
		t.Errorf("serve with a bad REGISTRAR_SYNC_WAIT = %d %q, want an error naming it", code, errOut)
	}
}
