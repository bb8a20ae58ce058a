package cli

import (
	"fmt"
	"path/filepath"

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
	log, err := e.logger(*logLevel)
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
