package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestErrorsNameTheFix: each error of the API commands says what to do,
// in these words.
func TestErrorsNameTheFix(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, time.Minute)
	var cf struct {
		URL string `json:"api_url"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "cli.json"))
	if err != nil || json.Unmarshal(raw, &cf) != nil {
		t.Fatalf("cli.json: %v %s", err, raw)
	}
	// A data dir whose cli.json names a server that is not running.
	stale := t.TempDir()
	if err := os.WriteFile(filepath.Join(stale, "cli.json"), []byte(`{"api_url":"http://127.0.0.1:1/client/v4/","account_id":"a","api_token":"t"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string   // exactly, when not ""
		stderr []string // substrings, in this order
	}{
		{"ack", []string{"register", "my-site.page"}, 1, "", []string{
			"[10000] acknowledgements: is required to register under .page (at /acknowledgements)",
			"\nhint: add --ack hsts_preload (see \"registrar extensions page\")\n"}},
		{"contact extension", []string{"register", "hint.us"}, 1, "", []string{
			"(at /contact_extensions)",
			"\nhint: add --contact-extension application_purpose=VALUE --contact-extension nexus_category=VALUE (see \"registrar extensions us\")\n"}},
		{"years", []string{"register", "hint.com", "--years", "11"}, 1, "", []string{"(at /years)", "\nhint: change --years (see \"registrar extensions com\")\n"}},
		{"registrant", []string{"register", "hint.com", "--sandbox"}, 1, "", []string{"(at /contacts/registrant)",
			"\nhint: give the registrant with --contact FILE (JSON: email, phone, postal_info)\n"}},
		{"premium unchecked", []string{"register", "premium-hint.com"}, 2, "", nil},
		{"premium checked", []string{"register", "premium-shop.net"}, 2,
			"failed: domain_premium: premium-shop.net is a premium name; premium names cannot be registered through the API\n", nil},
		{"unknown flag", []string{"register", "x.com", "-bogus"}, 1, "", []string{"registrar: unknown flag -bogus; see \"registrar register --help\"\n"}},
		{"name with a dash", []string{"list", "-x.com"}, 1, "", []string{
			"registrar: unknown flag -x.com (to give a name that starts with -, use -- before it); see \"registrar list --help\"\n"}},
		{"bad flag value", []string{"ns", "set", "x.com", "--wait", "--timeout", "soon"}, 1, "", []string{"registrar: invalid value \"soon\" for flag -timeout", "; see \"registrar ns set --help\"\n"}},
		{"check, no name", []string{"check", "foo", "a..com"}, 1, "", []string{
			"registrar: no domain name to check:\n  foo: domain name \"foo\" is an extension on its own; put a name in front of it, like \"example.foo\"\n  a..com: "}},
		{"sort-by", []string{"list", "--sort-by", "size"}, 1, "", []string{
			"registrar: --sort-by \"size\": want a column (domain, status, created, expires, auto-renew, locked, privacy; any case) or the API's registry_created_at, registry_expires_at or name\n"}},
		{"no server, cli.json", []string{"get", "x.com", "--data-dir", stale}, 1, "", []string{
			"registrar: cannot reach the registrar at http://127.0.0.1:1/client/v4/ (from " + filepath.Join(stale, "cli.json") +
				"): is \"registrar serve\" running? Use --api-url or REGISTRAR_API_URL.\n"}},
		{"no server, flag", []string{"get", "x.com", "--api-url", "http://127.0.0.1:1"}, 1, "", []string{
			"registrar: cannot reach the registrar at http://127.0.0.1:1/client/v4/ (from --api-url): is \"registrar serve\" running?"}},
		{"not the API's path", []string{"get", "x.com", "--api-url", "http://127.0.0.1:8080/v4/"}, 1, "", []string{
			"registrar: the API URL must end in /client/v4/ (got http://127.0.0.1:8080/v4/) (from --api-url)\n"}},
		{"token", []string{"get", "x.com", "--api-token", "not-a-token"}, 1, "", []string{"401 Unauthorized",
			"\nhint: the server at " + cf.URL + " (from " + filepath.Join(dir, "cli.json") + ") does not know the API token from --api-token: it may belong to another data dir or server\n"}},
	}
	// check first, so that the server knows premium-shop.net is premium.
	if code, out, errOut := run(t, "check", "premium-shop.net", "--data-dir", dir); code != 0 {
		t.Fatalf("check = %d\n%s%s", code, out, errOut)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if !strings.Contains(strings.Join(args, " "), "--data-dir") {
				args = append(args, "--data-dir", dir)
			}
			code, out, errOut := run(t, args...)
			if code != tt.code || (tt.stdout != "" && out != tt.stdout) {
				t.Errorf("registrar %s = %d, want %d; stdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, tt.code, out, errOut)
			}
			rest := errOut
			for _, want := range tt.stderr {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("registrar %s: stderr has no %q (in order):\n%s", strings.Join(args, " "), want, errOut)
					break
				}
				rest = rest[i+len(want):]
			}
			if strings.Contains(errOut, "Flags:") {
				t.Errorf("registrar %s printed the whole usage:\n%s", strings.Join(args, " "), errOut)
			}
		})
	}
	if code, _, errOut := run(t, "register", "--help"); code != 0 || !strings.Contains(errOut, "Flags:\n") || !strings.Contains(errOut, "-years") {
		t.Errorf("register --help = %d, want the flags:\n%s", code, errOut)
	}
}
