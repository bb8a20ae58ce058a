package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
)

// TestStartFiles: the first start's banner and cli.json, the PID file
// while the server runs, cli.json following the server to another
// address, and an address in use naming the settings that change it.
func TestStartFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	cfg := daemon.Config{Listen: "127.0.0.1:0", DataDir: dir, API: httpapi.Config{RateLimit: -1}, Logger: testLogger(t), Out: &out, Command: "./registrar"}
	d, err := daemon.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	banner := out.String()
	for _, want := range []string{
		"  ./registrar check " + daemon.BannerCLIName + "\n",
		"  ./registrar register " + daemon.BannerCLIName + "\n",
		"export REGISTRAR_API_URL=http://" + d.Addr() + "/client/v4 REGISTRAR_ACCOUNT_ID=",
		`-d '{"domain_name": "` + daemon.BannerCurlName + `"}'`,
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner lacks %q:\n%s", want, banner)
		}
	}
	cli := readCLIFile(t, dir)
	if cli["api_url"] != d.URL() || cli["api_token"] == "" || !strings.Contains(banner, cli["api_token"]) {
		t.Errorf("cli.json %v: want the API URL %s and the banner's token", cli, d.URL())
	}
	pid, err := os.ReadFile(filepath.Join(dir, "registrar.pid"))
	if err != nil || strings.TrimSpace(string(pid)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("registrar.pid holds %q (%v), want %d", pid, err, os.Getpid())
	}
	// /healthz names the registries in use.
	resp, err := http.Get("http://" + d.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var health struct {
		Mode       string
		Registries map[string][]string
	}
	if err := json.Unmarshal(raw, &health); err != nil || health.Mode != "demo" ||
		strings.Join(health.Registries["live"], ",") != "demo" || strings.Join(health.Registries["sandbox"], ",") != "sandbox" {
		t.Errorf("/healthz: %s (%v), want demo mode on the demo and sandbox registries", raw, err)
	}

	// Another server on the same address: refused, naming --listen.
	cfg2 := cfg
	cfg2.DataDir, cfg2.Listen, cfg2.Out = filepath.Join(t.TempDir(), "other"), d.Addr(), io.Discard
	if _, err := daemon.Start(context.Background(), cfg2); err == nil ||
		!strings.Contains(err.Error(), "the address is in use") || !strings.Contains(err.Error(), "--listen") || !strings.Contains(err.Error(), "REGISTRAR_LISTEN") {
		t.Errorf("a second server on %s: %v, want an error naming --listen and REGISTRAR_LISTEN", d.Addr(), err)
	}
	if err := d.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "registrar.pid")); !os.IsNotExist(err) {
		t.Errorf("registrar.pid after a clean stop: %v, want it gone", err)
	}

	// A later start on another address than cli.json names (here made
	// stale by hand: port 0 may pick the same port again): no banner,
	// and cli.json follows the server.
	stale := cli
	stale["api_url"] = "http://127.0.0.1:1/client/v4/"
	raw, _ = json.Marshal(stale)
	if err := os.WriteFile(filepath.Join(dir, "cli.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	d, err = daemon.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop(context.Background())
	again := readCLIFile(t, dir)
	if again["api_url"] != d.URL() || again["api_token"] != cli["api_token"] || again["account_id"] != cli["account_id"] {
		t.Errorf("cli.json after a start on %s: %v, want the new URL and the same account and token", d.Addr(), again)
	}
	if got := out.String(); strings.Contains(got, "First start") || !strings.Contains(got, "now points the command line at "+d.URL()+" (it named http://127.0.0.1:1/client/v4/)") {
		t.Errorf("the second start printed %q, want only the cli.json update", got)
	}
}

func readCLIFile(t *testing.T, dir string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "cli.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
