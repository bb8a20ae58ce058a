package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/openregistrar/registrar/internal/privatefile"
)

// What a person starting the server sees and the files it leaves for
// them: the first start's banner, the command line's cli.json (kept
// pointing at the address the server listens on) and the PID file.

// The example names of the first start's banner: one to check and
// register with the command line, one to register with curl. The README
// follows the banner; its other sections use names of their own, so that
// each example works when the README is followed from the top on one data
// dir.
const (
	BannerCLIName  = "hello-demo.com"
	BannerCurlName = "hello-curl.com"
)

// listen opens the API's listener; an address in use names the settings
// that choose another.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on %s: the address is in use (another registrar serve, or another program, listens there); "+
			"choose another with --listen HOST:PORT or REGISTRAR_LISTEN=HOST:PORT (port 0 picks a free one)", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s (--listen, REGISTRAR_LISTEN): %w", addr, err)
	}
	return ln, nil
}

// cliURL is the API's base URL as the command line uses it: the listen
// address, a wildcard host made localhost.
func (d *Daemon) cliURL() string {
	return defaultPublicURL(d.ln.Addr().(*net.TCPAddr)) + "/client/v4/"
}

// cliCredentials is <data-dir>/cli.json.
type cliCredentials struct {
	APIURL    string `json:"api_url"`
	AccountID string `json:"account_id"`
	APIToken  string `json:"api_token"`
}

// writeCLIFile writes cli.json durably (synced, renamed, the directory
// synced), mode 0600.
func (d *Daemon) writeCLIFile(c cliCredentials) error {
	raw, _ := json.MarshalIndent(c, "", "  ")
	return privatefile.WriteFile(filepath.Join(d.cfg.DataDir, cliFile), append(raw, '\n'))
}

// firstStart creates the sandbox account on an empty database and prints
// its ID and token, with commands to paste. It also leaves the API's URL,
// the account ID and the token in <data-dir>/cli.json (mode 0600), where
// the command line finds them: a local credentials file like ~/.netrc; the
// database keeps only the token's hash.
func (d *Daemon) firstStart(ctx context.Context) error {
	acct, token, created, err := d.db.CreateFirstAccount(ctx, "sandbox", SampleContact(), d.cfg.Clock.Now())
	if err != nil || !created {
		return err
	}
	base := strings.TrimSuffix(d.cliURL(), "/")
	out := d.cfg.Out
	fmt.Fprintf(out, `
First start: created a sandbox account and an API token.

  account ID: %s
  API token:  %s

%s`, acct.ID, token, d.demoNotice())
	cliPath := filepath.Join(d.cfg.DataDir, cliFile)
	if err := d.writeCLIFile(cliCredentials{APIURL: base + "/", AccountID: acct.ID, APIToken: token}); err != nil {
		// The token is printed above; a missing file only costs the CLI
		// its defaults.
		d.log.Warn("could not write the command line's credentials file", "path", cliPath, "error", err)
		fmt.Fprintf(out, "Could not write %s (%v): give the registrar command line --api-token and --account-id.\n\n", cliPath, err)
	} else {
		cmd := d.cfg.Command
		if cmd == "" {
			cmd = "registrar"
		}
		fmt.Fprintf(out, `The registrar command line picks up the API URL, account ID and token from
%s (mode 0600: a local credentials file, like ~/.netrc;
the database keeps only the token's hash). Check a name, then register it:

  %s check %s
  %s register %s

`, cliPath, cmd, BannerCLIName, cmd, BannerCLIName)
	}
	fmt.Fprintf(out, `For curl and the SDKs, these variables (the command line reads them too):

  export REGISTRAR_API_URL=%s REGISTRAR_ACCOUNT_ID=%s REGISTRAR_API_TOKEN=%s

  curl -s -X POST $REGISTRAR_API_URL/accounts/$REGISTRAR_ACCOUNT_ID/registrar/registrations \
    -H "Authorization: Bearer $REGISTRAR_API_TOKEN" -d '{"domain_name": "%s"}'

`, base, acct.ID, token, BannerCurlName)
	return nil
}

// updateCLIFile points an existing cli.json at the address the server
// listens on now, when it names another (a server started on another
// --listen than before): the command line follows the server. The account
// and token in it are kept.
func (d *Daemon) updateCLIFile() {
	path := filepath.Join(d.cfg.DataDir, cliFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	var c cliCredentials
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		d.log.Warn("cannot read the command line's credentials file", "path", path, "error", err)
		return
	}
	if now := d.cliURL(); c.APIURL != now {
		old := c.APIURL
		c.APIURL = now
		if err := d.writeCLIFile(c); err != nil {
			d.log.Warn("cannot update the command line's credentials file", "path", path, "error", err)
			return
		}
		fmt.Fprintf(d.cfg.Out, "%s now points the command line at %s (it named %s).\n", path, now, old)
	}
}

// writePID writes the server's process ID to <data-dir>/registrar.pid, for
// `kill $(cat registrar-data/registrar.pid)`; the data dir's lock makes
// it the only server writing there.
func (d *Daemon) writePID() error {
	return privatefile.WriteFile(filepath.Join(d.cfg.DataDir, pidFile), []byte(strconv.Itoa(os.Getpid())+"\n"))
}

// removePID removes the PID file on the way out, if it is still this
// process's.
func (d *Daemon) removePID() {
	path := filepath.Join(d.cfg.DataDir, pidFile)
	if raw, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(raw)) == strconv.Itoa(os.Getpid()) {
		os.Remove(path)
	}
}

// demoNotice is the banner's paragraph on demo mode, or "".
func (d *Daemon) demoNotice() string {
	if !d.DemoMode() {
		return ""
	}
	return `Demo mode: no registries file (--registries) is configured, so the live API
(/registrar/) registers names on a built-in demo registry, with the sandbox's
scenario rules, and records no charges. The sandbox API (/registrar-sandbox/)
has its own registry: a name bought in one never affects the other.

`
}

// RegistriesInUse names the registries behind each environment's API, as
// the start line and /healthz report them: "sandbox" and "demo" for the
// built-in ones, the names of the registries file's otherwise.
func (d *Daemon) RegistriesInUse() map[string][]string {
	live := []string{"demo"}
	if d.file != nil {
		live = nil
		for _, rc := range d.file.Registries {
			live = append(live, rc.Name)
		}
		slices.Sort(live)
	}
	return map[string][]string{"live": live, "sandbox": {"sandbox"}}
}

// Describe says in a line what the live and sandbox APIs register on.
func (d *Daemon) Describe() string {
	if d.DemoMode() {
		return "live API: demo mode, on the built-in demo registry (no charges); sandbox API: the built-in sandbox registry"
	}
	var parts []string
	for _, rc := range d.file.Registries {
		var exts []string
		for _, e := range rc.Extensions {
			exts = append(exts, e.Name)
		}
		parts = append(parts, fmt.Sprintf("%s (%s, %s)", rc.Name, rc.Address, strings.Join(exts, " ")))
	}
	return fmt.Sprintf("live API: the registries of %s: %s; sandbox API: the built-in sandbox registry", d.cfg.Registries, strings.Join(parts, ", "))
}
