// Package daemon is the composition root: it reads the configuration,
// opens the database, starts the sandbox registry, the workflow engine and
// the HTTP server, and shuts them down in reverse order. It is the only
// package that imports everything.
package daemon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/openregistrar/registrar/internal/epp"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/openregistrar/registrar/internal/domains"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/mail"
	"github.com/openregistrar/registrar/internal/metrics"
	"github.com/openregistrar/registrar/internal/privatefile"
	"github.com/openregistrar/registrar/internal/rdap"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/web"
	"github.com/openregistrar/registrar/internal/workflows"
)

// Paths of the files in the data dir.
const (
	dbFile      = "registrar.db"
	sandboxFile = "sandbox.db"
	demoFile    = "demo-registry.db"
	lockFile    = "registrar.lock"
	pidFile     = "registrar.pid"
	cliFile     = "cli.json"
)

// SQLitePath returns the registrar database file of a data dir.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, dbFile) }

// SandboxPath returns the sandbox registry's state file of a data dir.
func SandboxPath(dataDir string) string { return filepath.Join(dataDir, sandboxFile) }

// DemoPath returns the demo registry's state file of a data dir: the
// built-in test registry behind the live API in demo mode, separate from
// the sandbox registry so that a name bought in one environment never
// affects availability in the other.
func DemoPath(dataDir string) string { return filepath.Join(dataDir, demoFile) }

// Daemon is a running server.
type Daemon struct {
	cfg  Config
	log  *slog.Logger
	lock *os.File
	// file is the registries file; nil in demo mode.
	file    *RegistriesFile
	db      *store.DB
	catalog *registrar.Catalog
	// builtins are the built-in test registries: the sandbox registry
	// first, then in demo mode the demo registry.
	builtins []*builtin
	// builtinDB holds the built-in registries' state on PostgreSQL.
	builtinDB *sql.DB
	clients   []*epp.Client
	slots     []*store.SessionSlots // the file registries' session gates (PostgreSQL)
	engine    *workflows.Engine
	api       *httpapi.Server
	domains   *domains.Service
	http      *http.Server
	ln        net.Listener
	replica   *store.Replica
	// clocks are the environments' shifted clocks: the workflows' (on
	// cfg.Clock) and the built-in registries' (on the wall clock), both
	// refreshed from the clocks table every second; clocksDone closes
	// when the refresh loop has stopped.
	clocks, registryClocks map[registrar.Env]*store.ShiftedClock
	clocksDone             chan struct{}
	cancel                 context.CancelFunc
	served                 chan error
	// registryNames name clients, in order (metrics, /readyz).
	registryNames []string
	metrics       *metrics.Metrics
	// metricsHTTP serves /metrics on --metrics-listen; nil when the API's
	// listener serves it.
	metricsHTTP *http.Server
	metricsLn   net.Listener
}

// fail stops the server with err, as if its HTTP server had failed: Wait
// returns it.
func (d *Daemon) fail(err error) {
	select {
	case d.served <- err:
	default:
	}
}

// Start starts a server and returns once it is ready to serve: the
// database is migrated, the engine runs and the listener is open.
func Start(ctx context.Context, cfg Config) (_ *Daemon, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	// Every line logged with a request's context names its request ID.
	cfg.Logger = slog.New(registrar.ContextHandler(cfg.Logger.Handler()))
	if cfg.Clock == nil {
		cfg.Clock = registrar.SystemClock{}
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = ShutdownTimeoutDefault
	}
	d := &Daemon{cfg: cfg, log: cfg.Logger, served: make(chan error, 1), metrics: metrics.New()}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	// The data dir 0700 and every file in it 0600, also when it exists
	// from before (or refuse, saying which file and what to run).
	if err := privatefile.MakeDir(cfg.DataDir); err != nil {
		return nil, err
	}
	if d.lock, err = lockDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	d.db, err = store.Open(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, SQLitePath: SQLitePath(cfg.DataDir), Logger: cfg.Logger, Synchronous: cfg.SQLiteSynchronous,
		StatusReads: d.metrics.StatusRead})
	if err != nil {
		return nil, err
	}
	if err := d.db.Migrate(ctx); err != nil {
		return nil, err
	}
	if d.catalog, err = loadCatalog(cfg.Catalog); err != nil {
		return nil, err
	}
	var file *RegistriesFile
	if !d.DemoMode() {
		if file, err = LoadRegistries(cfg.Registries); err != nil {
			return nil, err
		}
		d.file = file
	}
	// Replicas of one PostgreSQL database must route the live environment
	// to the same registries, or a workflow rescued by another replica
	// could create its name at a second registry.
	if d.replica, err = d.db.JoinReplicas(ctx, liveRoutes(file), d.fail); err != nil {
		return nil, err
	}
	if err := d.setupClocks(ctx); err != nil {
		return nil, err
	}
	// The built-in registries keep the wall clock (plus the environment's
	// offset), as a real registry would: cfg.Clock is ours, and tests
	// shift it to reach our deadlines.
	routes, err := d.startRegistries(file)
	if err != nil {
		return nil, err
	}
	if d.ln, err = listen(cfg.Listen); err != nil {
		return nil, err
	}
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = defaultPublicURL(d.ln.Addr().(*net.TCPAddr))
	}
	var mailer registrar.Mailer
	if cfg.SMTPURL != "" {
		smtpURL, err := cfg.smtpURL()
		if err != nil {
			return nil, err
		}
		if mailer, err = mail.NewSMTP(smtpURL); err != nil {
			return nil, err
		}
	}
	wcfg := cfg.Workflows
	wcfg.PublicURL, wcfg.Policies = publicURL, d.policies()
	d.engine, err = workflows.New(workflows.Deps{
		DB: d.db, Registries: routes,
		Clock: cfg.Clock, Clocks: d.engineClocks(), Logger: cfg.Logger, Mailer: mailer, Observer: d.metrics,
	}, wcfg)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel = cancel
	if err := d.engine.Start(runCtx); err != nil {
		return nil, fmt.Errorf("start workflow engine: %w", err)
	}
	go d.db.Listen(runCtx)
	d.clocksDone = make(chan struct{})
	go d.refreshClocks(runCtx, time.Second)
	apiConfig := cfg.API
	apiConfig.Mode, apiConfig.Registries = d.Mode(), d.RegistriesInUse()
	d.domains = domains.New(routes, d.catalog, cfg.Search)
	d.api = httpapi.New(httpapi.Deps{Reader: d.db, Workflows: d.engine, Notifier: d.db.Notifier(), Catalog: d.catalog, Registries: routes,
		Domains: d.domains, Clocks: d.engineClocks(), Webhooks: d.engine, Tokens: d.db,
		Logger: cfg.Logger.With("component", "http")},
		apiConfig)
	// RDAP (issue 14) shares the API's listener: public, unauthenticated,
	// rate-limited per address, for the live environment's names only.
	mux := http.NewServeMux()
	rdapConfig := cfg.RDAP
	rdapConfig.PublicURL, rdapConfig.Logger = publicURL, cfg.Logger.With("component", "rdap")
	mux.Handle("/rdap/", rdap.Handler(d.db, rdapConfig))
	mux.Handle("/", d.api)
	mux.HandleFunc("GET /readyz", d.handleReady)
	d.addMetricsSources()
	if cfg.MetricsListen == "" {
		mux.Handle("GET /metrics", d.metrics.Handler(cfg.Logger))
	} else if err := d.serveMetrics(cfg.MetricsListen); err != nil {
		return nil, err
	}
	// The account holders' dashboard (issue 17): its own paths, beside the
	// API's /client/v4/ and /healthz.
	dash := web.New(web.Deps{Reader: d.db, Workflows: d.engine, Domains: d.domains, Registries: routes, Sessions: d.db, Tokens: d.db, Accounts: d.db,
		Clocks: d.engineClocks(), Log: sandboxLog{d.Sandbox()}, Logger: cfg.Logger.With("component", "web")})
	mux.Handle("GET /{$}", dash)
	mux.Handle("/dashboard/", dash)
	d.http = &http.Server{
		Handler:           httpapi.Instrument(mux, cfg.Logger.With("component", "http"), d.metrics),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	// Held long-polls answer at once on shutdown: Shutdown waits for them.
	d.http.RegisterOnShutdown(d.api.Drain)
	if err := d.firstStart(ctx); err != nil {
		return nil, err
	}
	d.updateCLIFile()
	if err := d.writePID(); err != nil {
		return nil, err
	}
	go func() { d.served <- d.http.Serve(d.ln) }()
	d.log.Info("registrar ready", "listen", d.ln.Addr().String(), "database", d.databaseName(), "data_dir", cfg.DataDir, "mode", d.Mode())
	if d.DemoMode() {
		d.log.Warn("demo mode: no registries file (--registries), so the live API registers on the built-in demo registry and records no charges",
			"demo_registry", DemoPath(cfg.DataDir))
	}
	return d, nil
}

// SandboxClientID is the registrar's client ID at the built-in sandbox
// registry.
const SandboxClientID = "openregistrar"

func (d *Daemon) databaseName() string {
	if d.db.IsPostgres() {
		return "postgres"
	}
	return SQLitePath(d.cfg.DataDir)
}

// Addr returns the address the API listens on.
func (d *Daemon) Addr() string { return d.ln.Addr().String() }

// URL returns the API's base URL, "http://127.0.0.1:8080/client/v4/".
func (d *Daemon) URL() string { return "http://" + d.Addr() + "/client/v4/" }

// DB returns the database (for tests and tools).
func (d *Daemon) DB() *store.DB { return d.db }

// Sandbox returns the sandbox registry, behind the /registrar-sandbox/
// API (for tests and tools).
func (d *Daemon) Sandbox() *sandbox.Engine { return d.builtins[0].engine }

// SandboxAddr returns the built-in sandbox registry's EPP address.
func (d *Daemon) SandboxAddr() string { return d.builtins[0].server.Addr() }

// Demo returns the demo registry behind the live API in demo mode, or nil
// (for tests and tools).
func (d *Daemon) Demo() *sandbox.Engine {
	if len(d.builtins) < 2 {
		return nil
	}
	return d.builtins[1].engine
}

// DemoMode reports whether the server runs in demo mode: no registries
// file, so the live API is served by the built-in demo registry and
// records no charges.
func (d *Daemon) DemoMode() bool { return d.cfg.Registries == "" }

// Mode is the live environment's mode as /healthz and the logs report it:
// "demo" or "live".
func (d *Daemon) Mode() string {
	if d.DemoMode() {
		return ModeDemo
	}
	return ModeLive
}

// policies returns each environment's policy. The sandbox API keeps the
// sandbox's scenario rules, has no express mode (Cloudflare's sandbox
// requires contacts.registrant) and is never billed. The live API follows the
// real rules with real registries; in demo mode it keeps the sandbox's
// deterministic verification rule (only "verify…" addresses are asked)
// and records no charges.
func (d *Daemon) policies() map[registrar.Env]registrar.Policy {
	live := registrar.Policy{Verify: registrar.VerifyNewAddresses, Billed: true}
	if d.DemoMode() {
		live = registrar.Policy{Verify: registrar.VerifyScenario}
	}
	return map[registrar.Env]registrar.Policy{
		registrar.EnvSandbox: {Verify: registrar.VerifyScenario, RegistrantRequired: true},
		registrar.EnvLive:    live,
	}
}

// The live environment's modes.
const (
	ModeDemo = "demo"
	ModeLive = "live"
)

// Engine returns the workflow engine (for tests: Sweep).
func (d *Daemon) Engine() *workflows.Engine { return d.engine }

// Wait blocks until the HTTP server stops serving on its own (an error) or
// ctx ends.
func (d *Daemon) Wait(ctx context.Context) error {
	select {
	case err := <-d.served:
		return err
	case <-ctx.Done():
		return nil
	}
}

// Stop drains in-flight requests (each waits at most its sync window),
// stops the workers, letting running steps finish, then closes everything.
func (d *Daemon) Stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := d.http.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("drain HTTP: %w", err))
	}
	if d.metricsHTTP != nil {
		if err := d.metricsHTTP.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop metrics listener: %w", err))
		}
	}
	if err := d.engine.Stop(ctx); err != nil {
		errs = append(errs, fmt.Errorf("stop workers: %w", err))
	}
	d.close()
	d.log.Info("registrar stopped")
	return errors.Join(errs...)
}

func (d *Daemon) close() {
	if d.cancel != nil {
		d.cancel()
	}
	if d.clocksDone != nil {
		<-d.clocksDone
	}
	if d.ln != nil && d.http == nil {
		d.ln.Close()
	}
	if d.metricsHTTP != nil {
		d.metricsHTTP.Close()
	} else if d.metricsLn != nil {
		d.metricsLn.Close()
	}
	for _, c := range d.clients {
		c.Close() // logs out
	}
	for _, s := range d.slots {
		s.Close() // after the sessions holding the slots
	}
	for _, b := range d.builtins {
		b.close()
	}
	if d.builtinDB != nil {
		d.builtinDB.Close()
	}
	if d.replica != nil {
		d.replica.Close()
	}
	if d.db != nil {
		d.db.Close()
	}
	if d.lock != nil {
		d.removePID()  // while the lock still keeps other servers out
		d.lock.Close() // releases the lock
	}
}

// SampleContact is the default registrant of the sandbox account made on
// first start, so that a first request needs only a domain name.
func SampleContact() *registrar.Contact {
	return &registrar.Contact{
		Email: "ada@example.com", Phone: "+44.2071234567",
		PostalInfo: registrar.PostalInfo{Name: "Ada Lovelace", Address: registrar.Address{
			Street: "12 St James's Square", City: "London", State: "London", PostalCode: "SW1Y 4LB", CountryCode: "GB",
		}},
	}
}

// defaultPublicURL is the base of links when --public-url is not set: the
// listen address, with "localhost" for a wildcard host (0.0.0.0 or ::)
// that a browser cannot open.
func defaultPublicURL(a *net.TCPAddr) string {
	if a.IP.IsUnspecified() {
		return fmt.Sprintf("http://localhost:%d", a.Port)
	}
	return "http://" + a.String()
}

// catalogPrices prices the sandbox registry's names as the catalog sells
// them.
func catalogPrices(c *registrar.Catalog) func(ext string) (string, string, bool) {
	return func(ext string) (string, string, bool) {
		e, ok := c.Lookup(ext)
		if !ok {
			return "", "", false
		}
		return e.Currency, registrar.FormatCents(e.RegistrationCents), true
	}
}

// loadCatalog reads a catalog file, or returns the default catalog when
// path is empty.
func loadCatalog(path string) (*registrar.Catalog, error) {
	if path == "" {
		return registrar.DefaultCatalog(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer f.Close()
	c, err := registrar.LoadCatalog(f)
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	return c, nil
}

// sandboxLog is the sandbox registry's command log as the dashboard shows
// it.
type sandboxLog struct{ e *sandbox.Engine }

func (l sandboxLog) RegistryLog(ctx context.Context) ([]web.RegistryCommand, error) {
	entries, err := l.e.Log(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.RegistryCommand, len(entries))
	for i, e := range entries {
		out[i] = web.RegistryCommand{Time: e.Time, Domain: e.Domain, Command: e.Command, Result: e.Result, ClTRID: e.ClientTRID}
	}
	return out, nil
}
