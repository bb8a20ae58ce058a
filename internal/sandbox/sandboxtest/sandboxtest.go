// Package sandboxtest starts the sandbox registry for tests, reached the
// way the registrar reaches it in production: a sandbox.Server on
// 127.0.0.1 over TLS with client certificates (made by tlsca), an
// epp.Client logged in to it, and eppregistry on top. Everything a test
// starts is closed when it ends.
package sandboxtest

import (
	"errors"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/eppregistry"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/tlsca"
)

// ClientID is the client ID of the registry Registry returns, and the
// login Options.ClientIDs holds when empty.
const ClientID = "openregistrar"

// password is every test login's password.
const password = "sandbox-test-pw"

// Options configures Start. The zero value is a fresh sandbox registry
// with the engine's defaults (a 3 s scenario delay, the system clock).
type Options struct {
	// Engine configures the sandbox engine: Delay, Clock, Prices, Logger.
	Engine sandbox.Config
	// Path is the engine's SQLite file; "" means a new file in a
	// temporary directory. A test that restarts the registry closes the
	// Server and starts another with the first one's Path.
	Path string
	// Open, when set, opens the engine instead of sandbox.Open(Path, cfg):
	// sandbox.OpenPostgres on a test database, for instance. A test that
	// restarts the registry, or starts a second replica of it, passes the
	// same Open again. Path is then unused.
	Open func(cfg sandbox.Config) (*sandbox.Engine, error)
	// ClientIDs are the logins the EPP server accepts (3 to 16
	// characters each); empty means ClientID only.
	ClientIDs []string
	// PoolSize is the number of EPP sessions of each registry's client
	// [2].
	PoolSize int
	// Trace, when set, receives every frame the server reads (in) and
	// writes (out), as sandbox.ServerConfig.Trace.
	Trace func(in bool, frame []byte)
}

// Server is a running sandbox registry: its engine and its EPP server.
type Server struct {
	// Engine is the registry's engine, for what a test checks behind EPP
	// (its command log, its prices).
	Engine *sandbox.Engine
	// EPP is the engine's EPP server, listening on 127.0.0.1.
	EPP *sandbox.Server
	// Path is the engine's SQLite file; "" when Options.Open opened the
	// engine.
	Path string

	opts  Options
	files tlsca.Files

	mu      sync.Mutex
	clients []*epp.Client
	closed  bool
}

// Start opens a sandbox engine, serves it over EPP on 127.0.0.1 on a free
// port, and closes both, and every registry's EPP client, when the test
// ends. It fails the test on any error.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	dir := t.TempDir()
	if o.Path == "" && o.Open == nil {
		o.Path = filepath.Join(dir, "sandbox.db")
	}
	if len(o.ClientIDs) == 0 {
		o.ClientIDs = []string{ClientID}
	}
	if o.PoolSize == 0 {
		o.PoolSize = 2
	}
	files, err := tlsca.Ensure(filepath.Join(dir, "tls"), "sandboxtest")
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	srvTLS, err := files.ServerConfig(true)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	var engine *sandbox.Engine
	if o.Open != nil {
		engine, err = o.Open(o.Engine)
	} else {
		engine, err = sandbox.Open(o.Path, o.Engine)
	}
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	accounts := make(map[string]string, len(o.ClientIDs))
	for _, id := range o.ClientIDs {
		accounts[id] = password
	}
	srv := sandbox.NewServer(engine, sandbox.ServerConfig{TLS: srvTLS, Accounts: accounts, MaxSessionsPerClient: 100, Trace: o.Trace})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		engine.Close()
		t.Fatalf("sandboxtest: %v", err)
	}
	s := &Server{Engine: engine, EPP: srv, Path: o.Path, opts: o, files: files}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("sandboxtest: %v", err)
		}
	})
	return s
}

// Registry returns the sandbox registry as the registrar sees it when
// logged in as clientID (one of Options.ClientIDs): eppregistry over a new
// epp.Client, closed with the Server.
func (s *Server) Registry(t testing.TB, clientID string) *eppregistry.Registry {
	t.Helper()
	if !slices.Contains(s.opts.ClientIDs, clientID) {
		t.Fatalf("sandboxtest: client ID %q is not among the logins %q", clientID, s.opts.ClientIDs)
	}
	cliTLS, err := s.files.ClientConfig()
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	c, err := epp.NewClient(epp.ClientConfig{Addr: s.EPP.Addr(), TLS: cliTLS, ClientID: clientID, Password: password,
		PoolSize: s.opts.PoolSize, RateLimit: math.Inf(1)})
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		t.Fatal("sandboxtest: Registry after Close")
	}
	s.clients = append(s.clients, c)
	return eppregistry.New("sandbox", c, clientID, nil)
}

// Close closes the registries' EPP clients, the EPP server and the
// engine. It runs when the test ends; a test calls it earlier to restart
// the registry on the same file. Close is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	clients, closed := s.clients, s.closed
	s.clients, s.closed = nil, true
	s.mu.Unlock()
	if closed {
		return nil
	}
	var errs []error
	for _, c := range clients {
		errs = append(errs, c.Close())
	}
	errs = append(errs, s.EPP.Close(), s.Engine.Close())
	return errors.Join(errs...)
}

// Registry starts a sandbox registry with the engine configuration cfg
// and returns it as the registrar sees it, logged in as ClientID, with its
// engine.
func Registry(t testing.TB, cfg sandbox.Config) (*eppregistry.Registry, *sandbox.Engine) {
	t.Helper()
	s := Start(t, Options{Engine: cfg})
	return s.Registry(t, ClientID), s.Engine
}
