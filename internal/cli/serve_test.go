package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
)

// TestServeFlagsDocumented: every flag of serve has its environment
// variable, and a row in docs/CONFIGURATION.md with that variable; the
// page has no row for a flag that does not exist.
func TestServeFlagsDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/CONFIGURATION.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // flag → row
	for _, m := range regexp.MustCompile("(?m)^\\| `--([a-z0-9-]+)` \\|.*$").FindAllStringSubmatch(string(doc), -1) {
		rows[m[1]] = m[0]
	}
	cfg := daemon.DefaultConfig()
	e := &cmdEnv{ctx: context.Background(), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	f, _, _ := e.serveFlags(&cfg)
	n := 0
	f.VisitAll(func(fl *flag.Flag) {
		n++
		env := envName(fl.Name)
		if !strings.HasSuffix(fl.Usage, "($"+env+")") {
			t.Errorf("--%s: usage %q does not name $%s", fl.Name, fl.Usage, env)
		}
		row, ok := rows[fl.Name]
		if !ok {
			t.Errorf("docs/CONFIGURATION.md has no row for --%s", fl.Name)
		} else if !strings.Contains(row, "`"+env+"`") {
			t.Errorf("docs/CONFIGURATION.md: the row of --%s does not name %s: %s", fl.Name, env, row)
		}
		delete(rows, fl.Name)
	})
	for name := range rows {
		t.Errorf("docs/CONFIGURATION.md documents --%s, which serve does not have", name)
	}
	if n < len(cfg.Settings()) {
		t.Errorf("serve has %d flags for %d settings", n, len(cfg.Settings()))
	}
}

// TestServeSettingsFromEnvAndFlags: a setting takes its environment
// variable, a flag beats it, and each reaches its component's config.
func TestServeSettingsFromEnvAndFlags(t *testing.T) {
	t.Setenv("REGISTRAR_WORKERS", "7")
	t.Setenv("REGISTRAR_SYNC_WAIT", "9s")
	t.Setenv("REGISTRAR_SEARCH_CACHE_TTL", "2m")
	t.Setenv("REGISTRAR_MAX_BODY_BYTES", "1000")
	cfg := daemon.DefaultConfig()
	e := &cmdEnv{ctx: context.Background(), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	f, _, _ := e.serveFlags(&cfg)
	if err := f.parse([]string{"--sync-wait", "3s", "--rate-limit", "-1"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Workflows.Workers != 7 || cfg.API.SyncWait != 3*time.Second || cfg.Search.CacheTTL != 2*time.Minute ||
		cfg.API.MaxBodyBytes != 1000 || cfg.API.RateLimit != -1 {
		t.Errorf("workers %d, sync wait %s, search cache TTL %s, max body %d, rate limit %v; want 7, 3s (flag over env), 2m, 1000, -1",
			cfg.Workflows.Workers, cfg.API.SyncWait, cfg.Search.CacheTTL, cfg.API.MaxBodyBytes, cfg.API.RateLimit)
	}
	// Untouched settings keep their declared defaults.
	if cfg.Workflows.JobTimeout != 30*time.Second || cfg.Listen != daemon.ListenDefault {
		t.Errorf("job timeout %s, listen %s: the defaults changed", cfg.Workflows.JobTimeout, cfg.Listen)
	}

	t.Setenv("REGISTRAR_RETRY_MIN", "soon")
	cfg = daemon.DefaultConfig()
	f, _, _ = e.serveFlags(&cfg)
	if err := f.parse(nil); err == nil || !strings.Contains(err.Error(), "$REGISTRAR_RETRY_MIN") {
		t.Errorf("a bad variable: %v, want an error naming $REGISTRAR_RETRY_MIN", err)
	}
}

// TestCommandName: the banner's commands are run as the server was.
func TestCommandName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ argv0, want string }{
		{"/tmp/go-build123456/b001/exe/registrar", "go run ./cmd/registrar"},
		{"./registrar", "./registrar"},
		{"registrar", "registrar"},
		{"/usr/local/bin/registrar", "/usr/local/bin/registrar"},
		{"bin/registrar", "bin/registrar"},
	} {
		if got := commandName(tc.argv0); got != tc.want {
			t.Errorf("commandName(%q) = %q, want %q", tc.argv0, got, tc.want)
		}
	}
}
