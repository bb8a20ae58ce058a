package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/client"
	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/workflows"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// startAPIServer runs a server for the API commands on a new data dir and
// returns the dir, whose cli.json the commands read. The sandbox
// registry's slow-, pending- and outage- scenarios take 1s: with a
// shorter sync window they answer 202 and --wait has something to follow;
// with a longer one every POST and PATCH answers the same on a busy
// machine.
func startAPIServer(t *testing.T, syncWait time.Duration) (dir string, d *daemon.Daemon, banner string) {
	t.Helper()
	dir = t.TempDir()
	var out bytes.Buffer
	// normal: a test's data need not survive an OS crash (see the daemon
	// tests' startServer).
	d, err := daemon.Start(context.Background(), daemon.Config{Listen: "127.0.0.1:0", DataDir: dir, SQLiteSynchronous: "normal",
		API: httpapi.Config{RateLimit: -1, SyncWait: syncWait}, SandboxDelay: time.Second,
		Workflows: workflows.Config{PollInterval: 100 * time.Millisecond}, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Stop(context.Background()) })
	return dir, d, out.String()
}

// writeContact writes a registrant contact file with the given email.
func writeContact(t *testing.T, email string) string {
	t.Helper()
	c := daemon.SampleContact()
	c.Email = email
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "contact.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	timeRE     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
	idRE       = regexp.MustCompile(`\b[0-9a-f]{16,}\b`)
	durationRE = regexp.MustCompile(`\b(\d+(\.\d+)?(ns|µs|us|ms|s|m|h))+\b`)
	spaces     = regexp.MustCompile(` +`)
)

// unsetenv unsets an environment variable for the test.
func unsetenv(t *testing.T, name string) {
	t.Setenv(name, "") // restores it after the test
	os.Unsetenv(name)
}

// normalize replaces what changes from run to run (times, IDs, durations)
// with placeholders, and drops trailing blanks. A time becomes as wide as
// the tables print it, which keeps their columns aligned.
func normalize(s string) string {
	s = timeRE.ReplaceAllString(s, "YYYY-MM-DDThh:mm:ssZ")
	s = idRE.ReplaceAllString(s, "<id>")
	s = durationRE.ReplaceAllString(s, "<duration>")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// golden compares got, normalized, with testdata/name; -update rewrites
// the file.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	got = normalize(got)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// TestGolden: the table and JSON output of every API command, in order on
// one account.
func TestGolden(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, time.Minute)
	contact := writeContact(t, "verify-golden@example.com")
	steps := []struct {
		golden string
		code   int
		args   []string
	}{
		{"check.txt", 0, []string{"check", "example.com", "premium-shop.net", "taken-shop.com", "example.io", "not a name", "foo", "EXAMPLE.com"}},
		{"check.json", 0, []string{"check", "example.com", "premium-shop.net", "taken-shop.com", "example.io", "--output", "json"}},
		{"search.txt", 0, []string{"search", "coffee", "shop", "--limit", "5"}},
		{"search.json", 0, []string{"search", "coffee shop", "--extensions", "com,dev", "--output", "json"}},
		{"extensions-us.txt", 0, []string{"extensions", "us"}},
		{"extensions-com.txt", 0, []string{"extensions", ".com"}},
		{"register.txt", 0, []string{"register", "golden.com", "--years", "2", "--auto-renew"}},
		{"register.json", 0, []string{"register", "golden.dev", "--ack", "hsts_preload", "--output", "json"}},
		{"register-again.txt", 0, []string{"register", "golden.com", "--years", "3", "--auto-renew"}},
		{"register-again-plain.txt", 0, []string{"register", "golden.com"}},
		{"register-failed.txt", 2, []string{"register", "reject-golden.com"}},
		{"register-failed.json", 2, []string{"register", "taken-golden.com", "--output", "json"}},
		{"register-action.txt", 3, []string{"register", "verify-golden.com", "--contact", contact}},
		{"register-action.json", 3, []string{"register", "verify-golden.com", "--contact", contact, "--output", "json"}},
		{"register-accepted.txt", 4, []string{"register", "slow-golden.com", "--async"}},
		{"check-mine.txt", 0, []string{"check", "golden.com", "taken-shop.com"}},
		{"get.txt", 0, []string{"get", "golden.com"}},
		{"get.json", 0, []string{"get", "golden.com", "--output", "json"}},
		{"autorenew.txt", 0, []string{"autorenew", "golden.com", "off"}},
		{"autorenew.json", 0, []string{"autorenew", "golden.com", "on", "--output", "json"}},
		{"status.txt", 2, []string{"status", "reject-golden.com"}},
		{"status-update.json", 0, []string{"status", "golden.com", "--update", "--output", "json"}},
		{"list.txt", 0, []string{"list", "--sort-by", "name"}},
		{"list.txt", 0, []string{"list", "--sort-by", "DOMAIN"}}, // the column's name is the API's name
		{"list-status.txt", 0, []string{"list", "--sort-by", "Status", "--direction", "desc"}},
		{"list.json", 0, []string{"list", "--sort-by", "name", "--output", "json"}},
		{"list-sandbox.json", 0, []string{"list", "--sandbox", "--output", "json"}},
		{"transfer-check.txt", 0, []string{"transfer-check", "xfer-golden.com", "xfer-locked-golden.com", "xfer-new-golden.com", "golden.com", "nobody-golden.com",
			"--auth-code", "xfer-golden.com=" + sandboxAuthCode, "--auth-code", "golden.com=" + sandboxAuthCode}},
		{"transfer-check.json", 0, []string{"transfer-check", "xfer-golden.com", "xfer-premium-golden.com", "--auth-code", "xfer-golden.com=d3Jvbmc=", "--output", "json"}},
		{"transfer.txt", 0, []string{"transfer", "xfer-ack-golden.com", "--auth-code", sandboxAuthCode, "--auto-renew"}},
		{"transfer-again.txt", 0, []string{"transfer", "xfer-ack-golden.com", "--auth-code", sandboxAuthCode}},
		{"transfer-failed.json", 2, []string{"transfer", "xfer-nack-golden.com", "--auth-code", sandboxAuthCode, "--output", "json"}},
	}
	for _, s := range steps {
		code, out, errOut := run(t, append(s.args, "--data-dir", dir)...)
		if code != s.code {
			t.Errorf("registrar %s = exit status %d, want %d; stdout:\n%s\nstderr:\n%s", strings.Join(s.args, " "), code, s.code, out, errOut)
		}
		if strings.HasSuffix(s.golden, ".json") && !json.Valid([]byte(out)) {
			t.Errorf("registrar %s printed invalid JSON:\n%s", strings.Join(s.args, " "), out)
		}
		golden(t, s.golden, out)
	}
}

// TestExtensionsList: the list, in both forms (not golden: it is the
// whole catalog).
func TestExtensionsList(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 0)
	code, out, errOut := run(t, "extensions", "--data-dir", dir)
	if code != 0 || !regexp.MustCompile(`(?m)^EXTENSION +TLD +YEARS +REQUIRES$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^com +com +1 to 10 +-$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^page +page +1 to 10 +acknowledgements.hsts_preload$`).MatchString(out) {
		t.Errorf("extensions = %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "extensions", "--data-dir", dir, "--output", "json")
	var exts []client.Extension
	if err := json.Unmarshal([]byte(out), &exts); code != 0 || err != nil || len(exts) < 40 {
		t.Fatalf("extensions --output json = %d, %d extensions, %v\n%s", code, len(exts), err, errOut)
	}
	for _, e := range exts {
		if e.Metadata.Name == "" || !json.Valid(e.RegistrationSchema) || !bytes.HasPrefix(bytes.TrimSpace(e.RegistrationSchema), []byte("{")) {
			t.Errorf("extension %+v has no name or schema", e.Metadata)
		}
	}
}

// TestRegisterScenarios: register and --wait through every sandbox
// scenario, with their exit codes and what they print.
func TestRegisterScenarios(t *testing.T) {
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
		// Steps that finish at once take --wait: on a busy machine they
		// may take longer than the 200ms sync window.
		{"plain", []step{
			{[]string{"register", "plain-s.com", "--wait"}, 0, []string{"the registration of plain-s.com ", "state:       succeeded", "status:      active"}},
			// Registering again returns the same workflow, and says so.
			{[]string{"register", "plain-s.com", "--wait", "--auto-renew"}, 0, []string{"plain-s.com is already registered in this account (created ",
				`); none of this request was applied (auto-renew): change auto-renew with "registrar autorenew plain-s.com on|off".`, "state:       succeeded"}},
			{[]string{"status", "plain-s.com"}, 0, []string{"domain:      plain-s.com", "state:       succeeded"}},
		}},
		{"slow, waited for", []step{
			{append([]string{"register", "slow-s.com", "--wait"}, fast...), 0, []string{"202 Accepted: the registration of slow-s.com is ",
				"slow-s.com: in_progress, ", " elapsed, waiting for the next change", "slow-s.com: succeeded, ", "\n\ndomain:      slow-s.com\nstate:       succeeded"}},
		}},
		{"slow, not waited for", []step{
			{[]string{"register", "slow-n.com"}, 4, []string{"202 Accepted: the registration of slow-n.com is ", "Not finished yet: follow it with \"registrar status slow-n.com --wait\"."}},
			{append([]string{"status", "slow-n.com", "--wait"}, fast...), 0, []string{"slow-n.com: ", "state:       succeeded"}},
		}},
		{"async", []step{
			{[]string{"register", "slow-a.com", "--async"}, 4, []string{"202 Accepted: the registration of slow-a.com is pending", "state:       pending", "Not finished yet"}},
			{[]string{"status", "slow-a.com", "--wait", "--output", "json"}, 0, []string{`"state": "succeeded"`}},
		}},
		{"async, gave up after --timeout", []step{
			{[]string{"register", "slow-t.com", "--async", "--wait", "--timeout", "300ms"}, 4, []string{"202 Accepted", "slow-t.com: pending",
				"Gave up waiting after 300ms (--timeout): slow-t.com is still ", "follow it with \"registrar status slow-t.com --wait\""}},
		}},
		{"pending", []step{
			{append([]string{"register", "pending-s.com", "--wait"}, fast...), 0, []string{"202 Accepted", "pending-s.com: blocked (registry: The registry is reviewing the registration.), ", "pending-s.com: succeeded, ", "state:       succeeded"}},
		}},
		{"pending, gave up while blocked", []step{
			{append([]string{"register", "pending-g.com", "--wait", "--max-blocked", "100ms"}, fast...), 4, []string{"pending-g.com: blocked (registry: The registry is reviewing the registration.), ",
				"state:       blocked", "waiting on:  registry", "Gave up waiting: pending-g.com was blocked for ", "(--max-blocked 100ms)"}},
		}},
		{"outage", []step{
			{append([]string{"register", "outage-s.com", "--wait"}, fast...), 0, []string{"202 Accepted", "outage-s.com: blocked (registry: The registry is unreachable; retrying.), ", "outage-s.com: succeeded, ", "state:       succeeded"}},
		}},
		{"reject", []step{
			{[]string{"register", "reject-s.com", "--wait"}, 2, []string{"the registration of reject-s.com ", "state:    failed", "error:    registry_rejected: the registry rejected the registration"}},
			{[]string{"status", "reject-s.com"}, 2, []string{"error:    registry_rejected"}},
		}},
		{"verify", []step{
			{[]string{"register", "verify-s.com", "--wait", "--contact", writeContact(t, "verify-ada@example.com")}, 3, []string{
				"202 Accepted: the registration of verify-s.com is ", "action:          registrant_email_confirmation_pending", "sent to:         v***@example.com",
				"Action required: check v***@example.com for the verification email and open its link.", "registrar status verify-s.com --wait"}},
			{[]string{"status", "verify-s.com"}, 3, []string{"state:           action_required", "check v***@example.com for the verification email"}},
			{[]string{"list"}, 0, []string{"verify-s.com", "registration_pending"}},
		}},
		{"sandbox API", []step{
			{[]string{"register", "plain-sb.com", "--sandbox", "--wait", "--contact", writeContact(t, "ada@example.com")}, 0, []string{"state:       succeeded"}},
			{[]string{"register", "express-sb.com", "--sandbox"}, 1, nil},                                                // no express mode in the sandbox
			{[]string{"register", "plain-sb.org", "--sandbox", "--contact", writeContact(t, "ada@example.com")}, 1, nil}, // com and net only
			{[]string{"get", "plain-sb.com", "--sandbox"}, 0, []string{"status:      active"}},
			{[]string{"get", "plain-sb.com"}, 1, nil}, // not in the live API
		}},
		{"autorenew", []step{
			{[]string{"register", "renew-s.com", "--wait"}, 0, nil},
			{[]string{"autorenew", "renew-s.com", "on", "--wait"}, 0, []string{"the update of renew-s.com ", "state:       succeeded", "changes:     auto_renew=true", "auto-renew:  on"}},
			{[]string{"get", "renew-s.com"}, 0, []string{"auto-renew:  on"}},
			{[]string{"autorenew", "renew-s.com", "off", "--async"}, 4, []string{"202 Accepted: the update of renew-s.com is pending", "registrar status renew-s.com --update --wait"}},
			{append([]string{"status", "renew-s.com", "--update", "--wait"}, fast...), 0, []string{"changes:     auto_renew=false"}},
			{[]string{"get", "renew-s.com"}, 0, []string{"auto-renew:  off"}},
		}},
		{"API errors", []step{
			{[]string{"get", "nonexistent.com"}, 1, nil},
			{[]string{"status", "nonexistent.com"}, 1, nil},
			{[]string{"autorenew", "nonexistent.com", "on"}, 1, nil},
			{[]string{"register", "example.invalid"}, 1, nil},
			{[]string{"check", "a.com", "b.com", "c.com", "d.com", "e.com", "f.com", "g.com", "h.com", "i.com", "j.com", "k.com", "l.com", "m.com", "n.com", "o.com", "p.com", "q.com", "r.com", "s.com", "t.com", "u.com"}, 1, nil},
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
				// Columns are aligned with spaces: compare words.
				rest := spaces.ReplaceAllString(out, " ")
				for _, w := range s.want {
					w = spaces.ReplaceAllString(w, " ")
					i := strings.Index(rest, w)
					if i < 0 {
						t.Errorf("%s printed no %q (in order); stdout:\n%s\nstderr:\n%s", cmd, w, out, errOut)
						break
					}
					rest = rest[i+len(w):]
				}
			}
		})
	}
}

// TestWaitJSON: with --output json, stdout is the final status as JSON
// and the progress goes to stderr.
func TestWaitJSON(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 200*time.Millisecond)
	code, out, errOut := run(t, "register", "slow-json.com", "--wait", "--wait-interval", "50ms", "--output", "json", "--data-dir", dir)
	var st client.WorkflowStatus
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.State != client.StateSucceeded || st.Context.Registration == nil {
		t.Fatalf("register --wait --output json = %d %v, stdout:\n%s", code, err, out)
	}
	if !strings.Contains(errOut, "slow-json.com: succeeded, ") {
		t.Errorf("stderr has no progress: %q", errOut)
	}
	contact := writeContact(t, "verify-json@example.com")
	code, out, errOut = run(t, "register", "verify-json.com", "--contact", contact, "--wait", "--output", "json", "--data-dir", dir)
	if code != 3 || !json.Valid([]byte(out)) || !strings.Contains(errOut, "check v***@example.com for the verification email") {
		t.Errorf("register verify --output json = %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, _, errOut = run(t, "register", "reject-json.com", "--wait", "--output", "json", "--data-dir", dir)
	if code != 2 || !strings.Contains(errOut, "failed: registry_rejected: ") {
		t.Errorf("register reject --output json = %d, stderr %q", code, errOut)
	}
}

// TestCredentials: the server's first start writes cli.json (0600) with
// what the banner shows; flags beat environment variables, which beat
// the file.
func TestCredentials(t *testing.T) {
	for _, v := range []string{"REGISTRAR_API_URL", "REGISTRAR_API_TOKEN", "REGISTRAR_ACCOUNT_ID", "REGISTRAR_DATA_DIR", "REGISTRAR_SANDBOX", "REGISTRAR_OUTPUT"} {
		unsetenv(t, v)
	}
	dir, d, banner := startAPIServer(t, 0)
	path := filepath.Join(dir, "cli.json")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cli.json has mode %v, want 0600", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	var file struct {
		APIURL    string `json:"api_url"`
		AccountID string `json:"account_id"`
		APIToken  string `json:"api_token"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if file.APIURL != d.URL() || !strings.Contains(banner, "account ID: "+file.AccountID) || !strings.Contains(banner, "API token:  "+file.APIToken) {
		t.Errorf("cli.json = %s; want the API URL %s and the account and token of the banner:\n%s", raw, d.URL(), banner)
	}
	if !strings.Contains(banner, path) || !strings.Contains(banner, "~/.netrc") || !strings.Contains(banner, "only the token's hash") {
		t.Errorf("the banner does not tell of %s:\n%s", path, banner)
	}

	list := func(args ...string) (int, string) {
		code, _, errOut := run(t, append([]string{"list"}, args...)...)
		return code, errOut
	}
	if code, errOut := list("--data-dir", dir); code != 0 {
		t.Fatalf("list with the file = %d %s", code, errOut)
	}
	t.Setenv("REGISTRAR_DATA_DIR", dir)
	if code, errOut := list(); code != 0 {
		t.Fatalf("list with $REGISTRAR_DATA_DIR = %d %s", code, errOut)
	}
	// The environment beats the file, and flags the environment.
	t.Setenv("REGISTRAR_API_TOKEN", "orat_not-a-token")
	if code, errOut := list(); code != 1 || !strings.Contains(errOut, "401") || !strings.Contains(errOut, "the API token from $REGISTRAR_API_TOKEN") {
		t.Errorf("list with a bad $REGISTRAR_API_TOKEN = %d %s, want 1 and a 401", code, errOut)
	}
	if code, errOut := list("--api-token", file.APIToken); code != 0 {
		t.Errorf("list with --api-token over a bad $REGISTRAR_API_TOKEN = %d %s", code, errOut)
	}
	unsetenv(t, "REGISTRAR_API_TOKEN")
	t.Setenv("REGISTRAR_API_URL", "http://"+d.Addr()+"/elsewhere/")
	if code, errOut := list(); code != 1 || errOut != "registrar: the API URL must end in /client/v4/ (got http://"+d.Addr()+"/elsewhere/) (from $REGISTRAR_API_URL)\n" {
		t.Errorf("list with a $REGISTRAR_API_URL not ending in /client/v4/ = %d %s, want 1 and that it must", code, errOut)
	}
	t.Setenv("REGISTRAR_API_URL", "http://"+d.Addr()+"/elsewhere/client/v4/")
	if code, errOut := list(); code != 1 || !strings.Contains(errOut, "404") || !strings.HasSuffix(errOut,
		"\nhint: http://"+d.Addr()+"/elsewhere/client/v4/ (from $REGISTRAR_API_URL) does not look like the registrar's API, whose URL ends in /client/v4/\n") {
		t.Errorf("list with another $REGISTRAR_API_URL = %d %s, want 1, a 404 and a hint", code, errOut)
	}
	t.Setenv("REGISTRAR_API_URL", "http://"+d.Addr())
	if code, errOut := list(); code != 0 {
		t.Errorf("list with a $REGISTRAR_API_URL without a path (/client/v4/ added) = %d %s", code, errOut)
	}
	if code, errOut := list("--api-url", d.URL()); code != 0 {
		t.Errorf("list with --api-url over $REGISTRAR_API_URL = %d %s", code, errOut)
	}
	unsetenv(t, "REGISTRAR_API_URL")
	t.Setenv("REGISTRAR_ACCOUNT_ID", "0123456789abcdef0123456789abcdef")
	if code, errOut := list(); code != 1 || !strings.Contains(errOut, "404") {
		t.Errorf("list with another $REGISTRAR_ACCOUNT_ID = %d %s, want 1 and a 404", code, errOut)
	}
	if code, errOut := list("--account-id", file.AccountID); code != 0 {
		t.Errorf("list with --account-id over $REGISTRAR_ACCOUNT_ID = %d %s", code, errOut)
	}
	unsetenv(t, "REGISTRAR_ACCOUNT_ID")
	// Without the file, the values must be given.
	empty := t.TempDir()
	if code, errOut := list("--data-dir", empty); code != 1 || !strings.Contains(errOut, "no API token or account ID") || !strings.Contains(errOut, filepath.Join(empty, "cli.json")) {
		t.Errorf("list without cli.json = %d %s", code, errOut)
	}
	if code, errOut := list("--data-dir", empty, "--api-url", file.APIURL, "--api-token", file.APIToken, "--account-id", file.AccountID); code != 0 {
		t.Errorf("list with every flag and no cli.json = %d %s", code, errOut)
	}
	// A cli.json a crash left empty is named, with what to do.
	damaged := t.TempDir()
	os.WriteFile(filepath.Join(damaged, "cli.json"), nil, 0o600)
	if code, errOut := list("--data-dir", damaged); code != 1 || !strings.Contains(errOut, filepath.Join(damaged, "cli.json")+" is damaged") || !strings.Contains(errOut, "delete it") {
		t.Errorf("list with an empty cli.json = %d %s, want an error naming it and saying to delete it", code, errOut)
	}
	// A later start on the same address keeps the file as it is (one on
	// another address points it there: daemon's TestStartFiles).
	addr := d.Addr()
	if err := d.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	d2, err := daemon.Start(context.Background(), daemon.Config{Listen: addr, DataDir: dir, API: httpapi.Config{RateLimit: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Stop(context.Background())
	if raw2, _ := os.ReadFile(path); !bytes.Equal(raw, raw2) {
		t.Errorf("a later start rewrote cli.json: %s", raw2)
	}
}

// TestAPIUsage: usage errors of the API commands exit 1, before any
// request.
func TestAPIUsage(t *testing.T) {
	t.Parallel()
	creds := []string{"--api-url", "http://127.0.0.1:1/client/v4/", "--api-token", "t", "--account-id", "a"}
	tests := []struct {
		args   []string
		code   int
		output string
	}{
		{[]string{"check"}, 1, "check needs at least one domain name"},
		{[]string{"search"}, 1, "search needs a query"},
		{[]string{"extensions", "com", "net"}, 1, "extensions takes at most one extension"},
		{[]string{"register"}, 1, "register takes one domain name, not 0"},
		{[]string{"register", "a.com", "b.com"}, 1, "usage: registrar register NAME [flags]"},
		{[]string{"register", "--years", "two", "a.com"}, 1, `invalid value "two" for flag -years`},
		{[]string{"register", "a.com", "--contact-extension", "novalue"}, 1, "want KEY=VALUE"},
		{[]string{"register", "a.com", "--contact", "/nonexistent/contact.json"}, 1, "/nonexistent/contact.json"},
		{[]string{"register", "--help"}, 0, "registrar register example.com --years 2 --auto-renew --wait"},
		{[]string{"status"}, 1, "status takes one domain name"},
		{[]string{"get", "a.com", "b.com"}, 1, "get takes one domain name"},
		{[]string{"list", "extra"}, 1, `unexpected argument "extra"`},
		{[]string{"autorenew", "a.com"}, 1, "autorenew takes a domain name and on or off"},
		{[]string{"autorenew", "a.com", "maybe"}, 1, "usage: registrar autorenew NAME on|off [flags]"},
		{[]string{"check", "a.com", "--output", "xml"}, 1, "--output must be table or json"},
		{[]string{"check", "--help"}, 0, "REGISTRAR_API_TOKEN"},
		{[]string{"list", "--data-dir", "/nonexistent/dir"}, 1, "no API token or account ID"},
		{[]string{"transfer-check"}, 1, "transfer-check needs at least one domain name"},
		{[]string{"transfer-check", "a.com", "--auth-code", "nocode"}, 1, "want NAME=CODE"},
		{[]string{"transfer-check", "a.com", "--auth-code", "b.com=YQ=="}, 1, "--auth-code names b.com, which is not among the domain names"},
		{[]string{"transfer"}, 1, "transfer takes one domain name, not 0"},
		{[]string{"transfer", "--help"}, 0, "registrar transfer example.com --auth-code c2VjcmV0 --auto-renew --wait"},
		{[]string{"transfer-cancel", "a.com", "b.com"}, 1, "transfer-cancel takes one domain name"},
		{[]string{"transfer-out"}, 1, "usage: registrar transfer-out "},
		{[]string{"transfer-out", "approve"}, 1, "transfer-out approve takes one domain name, not 0"},
		{[]string{"transfer-out", "status", "a.com", "b.com"}, 1, "transfer-out status takes one domain name"},
		{[]string{"status", "a.com", "--update", "--transfer"}, 1, "status takes one of --update, --transfer, --renewal and --restore"},
	}
	bad := writeContact(t, "x@example.com")
	os.WriteFile(bad, []byte(`{"email": "x@example.com", "telephone": "+1.5"}`), 0o600)
	tests = append(tests, struct {
		args   []string
		code   int
		output string
	}{[]string{"register", "a.com", "--contact", bad}, 1, `unknown field "telephone"`})
	for _, tt := range tests {
		args := tt.args
		if !strings.Contains(tt.output, "no API token") {
			args = append(args[:len(args):len(args)], creds...)
		}
		code, out, errOut := run(t, args...)
		if code != tt.code || !strings.Contains(out+errOut, tt.output) {
			t.Errorf("registrar %s = %d, output %q; want %d with %q", strings.Join(tt.args, " "), code, out+errOut, tt.code, tt.output)
		}
	}
}
