package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/privatefile"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/tlsca"
)

// sandboxServe runs the sandbox registry alone: an EPP server over TLS
// that another registrar, or any EPP client, can use.
func (e *cmdEnv) sandboxServe(args []string) error {
	f := newFlags(e, "sandbox serve", "Run the sandbox registry alone, as an EPP server over TLS (RFC 5730-5734).",
		"registrar sandbox serve --listen 127.0.0.1:7000 --data-dir ./sandbox-data")
	listen := f.string("listen", "127.0.0.1:7000", "address of the EPP server (700 is EPP's registered port)")
	dataDir := f.string("data-dir", "./sandbox-data", "directory of the registry's state, log and certificates")
	clientID := f.string("client-id", daemon.SandboxClientID, "the client ID (registrar) the server accepts")
	password := f.string("password", "", "its password, 6 to 16 characters (default: one made and kept in the data dir)")
	require := f.bool("require-client-cert", false, "require a client certificate signed by the data dir's CA")
	delay := f.duration("sandbox-delay", sandbox.DefaultDelay, "delay of the slow-, pending- and outage- scenarios")
	logLevel := f.string("log-level", "info", "log level: debug, info, warn or error")
	if err := f.parse(args); err != nil {
		return err
	}
	log, err := e.logger(*logLevel, "text")
	if err != nil {
		return err
	}
	if n := len(*clientID); n < 3 || n > 16 {
		return fmt.Errorf("--client-id must be 3 to 16 characters")
	}
	// The data dir 0700 and every file in it 0600, as `registrar serve`.
	if err := privatefile.MakeDir(*dataDir); err != nil {
		return err
	}
	pw := *password
	if pw == "" {
		if pw, err = daemon.SandboxPassword(*dataDir); err != nil {
			return err
		}
	}
	if len(pw) < 6 || len(pw) > 16 {
		return fmt.Errorf("--password must be 6 to 16 characters (EPP pwType)")
	}
	files, err := tlsca.Ensure(daemon.TLSDir(*dataDir), *clientID)
	if err != nil {
		return err
	}
	engine, err := sandbox.Open(daemon.SandboxPath(*dataDir), sandbox.Config{Delay: *delay, Logger: log.With("component", "sandbox")})
	if err != nil {
		return err
	}
	defer engine.Close()
	tlsCfg, err := files.ServerConfig(*require)
	if err != nil {
		return err
	}
	srv := sandbox.NewServer(engine, sandbox.ServerConfig{TLS: tlsCfg, Accounts: map[string]string{*clientID: pw}, Logger: log.With("component", "sandbox-epp")})
	if err := srv.Listen(*listen); err != nil {
		return err
	}
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	clientCert := "optional"
	if *require {
		clientCert = "required"
	}
	fmt.Fprintf(e.stdout, `The sandbox registry is serving EPP over TLS at %s; stop it with Ctrl-C.

  client ID:          %s
  password:           %s
  CA certificate:     %s
  client certificate: %s (%s)
  client key:         %s

`, srv.Addr(), *clientID, pw, abs(files.CACert), abs(files.ClientCert), clientCert, abs(files.ClientKey))
	<-e.ctx.Done()
	return srv.Close()
}

// The schemas of the built-in registries on PostgreSQL: daemon's
// sandboxSchema and demoSchema.
const (
	sandboxPGSchema = "sandbox_registry"
	demoPGSchema    = "demo_registry"
)

// sandboxAlter changes a domain at the built-in registry behind the
// registrar's back, for reconciliation: its expiry, its statuses, its
// sponsor, or its existence.
func (e *cmdEnv) sandboxAlter(args []string) error {
	f := newFlags(e, "sandbox alter NAME", "Change a domain at the built-in registry as its operator would, behind the registrar's back "+
		"(logged as the command alter): its expiry, its statuses, its sponsor (a transfer away), or purge it.",
		"registrar sandbox alter example.com --expires 2027-01-02 --add-status serverHold")
	dataDir, database := dbFlags(f)
	demo := f.bool("demo", false, "the demo registry instead: the built-in registry behind the live API in demo mode")
	expires := f.string("expires", "", "the new expiry, a date (2027-01-02) or an RFC 3339 time")
	sponsor := f.string("sponsor", "", "the new sponsoring client ID, as after a transfer to another registrar")
	purge := f.bool("purge", false, "delete the domain outright, as at the end of pendingDelete")
	var alt sandbox.Alteration
	f.FlagSet.Func("add-status", "an EPP status to set (serverHold, clientTransferProhibited...); repeatable", func(s string) error {
		alt.AddStatuses = append(alt.AddStatuses, s)
		return nil
	})
	f.FlagSet.Func("remove-status", "an EPP status to clear; repeatable", func(s string) error {
		alt.RemoveStatuses = append(alt.RemoveStatuses, s)
		return nil
	})
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("sandbox alter takes one domain name, not %d", len(pos))
	}
	if *expires != "" {
		t, err := time.Parse(time.DateOnly, *expires)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, *expires); err != nil {
				return f.usageError("--expires %q: want a date such as 2027-01-02 or an RFC 3339 time", *expires)
			}
		}
		alt.ExpiresAt = t.UTC()
	}
	alt.Sponsor, alt.Purge = *sponsor, *purge
	if alt.ExpiresAt.IsZero() && alt.Sponsor == "" && !alt.Purge && len(alt.AddStatuses)+len(alt.RemoveStatuses) == 0 {
		return f.usageError("sandbox alter needs a change: --expires, --add-status, --remove-status, --sponsor or --purge")
	}
	engine, closeDB, err := openBuiltinEngine(*dataDir, *database, *demo)
	if err != nil {
		return err
	}
	defer closeDB()
	defer engine.Close()
	if err := engine.Alter(e.ctx, pos[0], alt); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s altered at the registry.\n", pos[0])
	return nil
}

// openBuiltinEngine opens the built-in registry of a data dir (or of a
// PostgreSQL database) as `sandbox log` reads it: an existing one only.
func openBuiltinEngine(dataDir, databaseURL string, demo bool) (*sandbox.Engine, func(), error) {
	if databaseURL == "" {
		path := daemon.SandboxPath(dataDir)
		if demo {
			path = daemon.DemoPath(dataDir)
		}
		if _, err := os.Stat(path); err != nil {
			return nil, nil, fmt.Errorf("no built-in registry in %s (%w): start the server there first, or pass its --data-dir", dataDir, err)
		}
		engine, err := sandbox.Open(path, sandbox.Config{})
		return engine, func() {}, err
	}
	cc, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("database URL: %w", err)
	}
	db := stdlib.OpenDB(*cc)
	schema := sandboxPGSchema
	if demo {
		schema = demoPGSchema
	}
	engine, err := sandbox.OpenPostgres(db, schema, sandbox.Config{})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return engine, func() { db.Close() }, nil
}

// sandboxShow prints what the built-in registry holds for a domain: its
// sponsor, dates, statuses, registrant, name servers, the hosts with
// their addresses, and DS records.
func (e *cmdEnv) sandboxShow(args []string) error {
	f := newFlags(e, "sandbox show NAME", "Show what the built-in registry holds for a domain: sponsor, expiry, statuses, "+
		"name servers, hosts with their addresses (glue), DS records.",
		"registrar sandbox show example.com")
	dataDir, database := dbFlags(f)
	demo := f.bool("demo", false, "the demo registry instead: the built-in registry behind the live API in demo mode")
	output := f.output()
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("sandbox show takes one domain name, not %d", len(pos))
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	engine, closeDB, err := openBuiltinEngine(*dataDir, *database, *demo)
	if err != nil {
		return err
	}
	defer closeDB()
	defer engine.Close()
	h, err := engine.Show(e.ctx, pos[0])
	var se *sandbox.Error
	if errors.As(err, &se) && se.Code == sandbox.CodeObjectNotExists {
		return fmt.Errorf("the registry holds no domain %s", pos[0])
	}
	if err != nil {
		return err
	}
	if *output == "json" {
		return writeJSON(e.stdout, h)
	}
	w := e.stdout
	fmt.Fprintf(w, "domain:      %s\n", h.Name)
	fmt.Fprintf(w, "sponsor:     %s\n", h.Sponsor)
	if h.Registrant != "" {
		fmt.Fprintf(w, "registrant:  %s\n", h.Registrant)
	}
	fmt.Fprintf(w, "created:     %s\n", h.CreatedAt.Format(time.RFC3339))
	fmt.Fprintf(w, "expires:     %s\n", h.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintf(w, "statuses:    %s\n", strings.Join(append(slices.Clone(h.Statuses), h.RGPStatuses...), " "))
	if len(h.Nameservers) == 0 {
		fmt.Fprintln(w, "nameservers: none")
	}
	for _, ns := range h.Nameservers {
		fmt.Fprintf(w, "nameserver:  %s\n", ns)
	}
	for _, host := range h.Hosts {
		var addrs []string
		for _, a := range host.Addrs {
			addrs = append(addrs, a.Addr)
		}
		kind := "external"
		if host.Superordinate != "" {
			kind = "subordinate"
		}
		if host.Linked {
			kind += ", linked"
		}
		fmt.Fprintf(w, "host:        %s (%s; sponsor %s) %s\n", host.Name, kind, host.Sponsor, strings.Join(addrs, " "))
	}
	if len(h.DSRecords) == 0 {
		fmt.Fprintln(w, "dnssec:      off (no DS records)")
	}
	for _, d := range h.DSRecords {
		fmt.Fprintf(w, "ds:          %d %d %d %s\n", d.KeyTag, d.Algorithm, d.DigestType, d.Digest)
	}
	return nil
}
