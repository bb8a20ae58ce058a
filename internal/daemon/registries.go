package daemon

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/eppregistry"
	"github.com/openregistrar/registrar/internal/privatefile"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/tlsca"
)

// Built-in sandbox registry settings.
const (
	// sandboxSessions is the EPP session pool towards the built-in sandbox.
	// slow- registrations hold a session for the sandbox delay, as a slow
	// registry would, so the pool is generous.
	sandboxSessions = 32
	// sandboxSessionCap is the sandbox server's session cap per client.
	sandboxSessionCap = 64
)

// TLSDir returns the directory of the sandbox's certificates in a data dir.
func TLSDir(dataDir string) string { return filepath.Join(dataDir, "tls") }

// SandboxPassword returns the EPP password of the built-in sandbox
// registry kept in dataDir, making one on first use.
func SandboxPassword(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "sandbox-password")
	if b, err := os.ReadFile(path); err == nil {
		pw := strings.TrimSpace(string(b))
		if n := len(pw); n < 6 || n > 16 {
			return "", fmt.Errorf("%s is damaged (%d characters, want 6 to 16): delete it to make a new password (a registrar that logs in to this sandbox with the old one needs the new one)", path, n)
		}
		return pw, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	pw := NewEPPPassword()
	if err := privatefile.WriteFile(path, []byte(pw+"\n")); err != nil {
		return "", err
	}
	return pw, nil
}

// NewEPPPassword returns a random password of 16 characters, the most EPP
// allows (RFC 5730 pwType), with the character classes registries want.
func NewEPPPassword() string {
	var b [12]byte
	rand.Read(b[:])
	s := base64.RawURLEncoding.EncodeToString(b[:])[:13]
	n, _ := rand.Int(rand.Reader, big.NewInt(10))
	return "Pw" + s + n.String()
}

// startRegistries starts the built-in registries, each an EPP server on
// loopback that we reach over TLS with our client certificate: the sandbox
// registry behind the /registrar-sandbox/ API and, in demo mode (no
// registries file), the demo registry behind the live API. Otherwise it
// connects to the registries of the registries file. It returns the routes
// from extensions to registries.
func (d *Daemon) startRegistries(file *RegistriesFile) (*registrar.Router, error) {
	cfg := d.cfg
	files, err := tlsca.Ensure(TLSDir(cfg.DataDir), SandboxClientID)
	if err != nil {
		return nil, err
	}
	pw, err := SandboxPassword(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	sbx, err := d.startBuiltin("sandbox", cfg.SandboxListen, files, pw, d.registryClocks[registrar.EnvSandbox])
	if err != nil {
		return nil, err
	}
	routes := registrar.NewRouter()
	sandboxExts, err := sandboxExtensions(cmp.Or(cfg.SandboxExtensions, SandboxExtensionsDefault), d.catalog)
	if err != nil {
		return nil, err
	}
	// The built-in registries' extensions get its default name servers
	// (sandbox.DefaultNameservers, hosts it holds from the start).
	for _, ext := range sandboxExts {
		ext.DefaultNameservers = sandbox.DefaultNameservers()
		routes.Add(registrar.EnvSandbox, ext, sbx)
	}
	if d.DemoMode() {
		demo, err := d.startBuiltin("demo", "127.0.0.1:0", files, pw, d.registryClocks[registrar.EnvLive])
		if err != nil {
			return nil, err
		}
		for _, name := range d.catalog.Names() {
			ext, _ := d.catalog.Lookup(name)
			ext.DefaultNameservers = sandbox.DefaultNameservers()
			routes.Add(registrar.EnvLive, ext, demo)
		}
		return routes, nil
	}
	for _, rc := range file.Registries {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: rc.ServerName}
		if rc.CA != "" {
			if tc.RootCAs, err = tlsca.CertPool(rc.CA); err != nil {
				return nil, fmt.Errorf("registry %s: %w", rc.Name, err)
			}
		}
		if rc.ClientCert != "" {
			cert, err := tls.LoadX509KeyPair(rc.ClientCert, rc.ClientKey)
			if err != nil {
				return nil, fmt.Errorf("registry %s: client certificate: %w", rc.Name, err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		gate, err := d.sessionGate(rc.Name, rc.PoolSize)
		if err != nil {
			return nil, err
		}
		reg, err := d.connect(rc.Name, epp.ClientConfig{
			Addr: rc.Address, TLS: tc, ClientID: rc.ClientID, Password: rc.Password,
			PoolSize: rc.PoolSize, RateLimit: rc.RateLimit, RateBurst: rc.RateBurst, KeepAlive: rc.KeepAlive,
			QueryTimeout: rc.QueryTimeout, TransformTimeout: rc.TransformTimeout, Sessions: gate,
		})
		if err != nil {
			return nil, err
		}
		reg.ContactExtensions = eppregistry.ContactExtensionForm(rc.ContactExtensions)
		for _, e := range rc.Extensions {
			routes.Add(registrar.EnvLive, d.fileExtension(e, rc, reg.ContactExtensions), reg)
		}
	}
	return routes, nil
}

// liveRoutes describes where the live environment registers names, the
// same on every replica with the same configuration: "live=demo" in demo
// mode, or the registries file's routes (extension, registry address and
// client ID; not its secrets or tuning) as a hash.
func liveRoutes(file *RegistriesFile) string {
	if file == nil {
		return "live=demo"
	}
	var routes []string
	for _, rc := range file.Registries {
		for _, e := range rc.Extensions {
			routes = append(routes, e.Name+" "+rc.Address+" "+rc.ClientID)
		}
	}
	slices.Sort(routes)
	sum := sha256.Sum256([]byte(strings.Join(routes, "\n")))
	return fmt.Sprintf("live=registries:%x (%d extensions)", sum[:6], len(routes))
}

// The built-in registries' state on PostgreSQL: a schema each, in the
// registrar's database, shared by its replicas.
const (
	sandboxSchema = "sandbox_registry"
	demoSchema    = "demo_registry"
)

// builtinConns bounds the connections of the built-in registries on
// PostgreSQL: their commands take one lock each, one at a time.
const builtinConns = 4

// openBuiltin opens the state of the built-in registry name ("sandbox" or
// "demo"): its SQLite file in the data dir or, when the registrar runs on
// PostgreSQL, its schema there, so that every replica of the database
// serves one registry (a workflow rescued by another replica finds the
// create it sent). The registries' own connections are separate from the
// registrar's pool.
func (d *Daemon) openBuiltin(name string, cfg sandbox.Config) (*sandbox.Engine, error) {
	if !d.db.IsPostgres() {
		path := SandboxPath(d.cfg.DataDir)
		if name == "demo" {
			path = DemoPath(d.cfg.DataDir)
		}
		return sandbox.Open(path, cfg)
	}
	if d.builtinDB == nil {
		d.builtinDB = stdlib.OpenDB(*d.db.Pool().Config().ConnConfig.Copy())
		d.builtinDB.SetMaxOpenConns(builtinConns)
		d.builtinDB.SetMaxIdleConns(builtinConns)
	}
	schema := sandboxSchema
	if name == "demo" {
		schema = demoSchema
	}
	return sandbox.OpenPostgres(d.builtinDB, schema, cfg)
}

// ReadBuiltinLog returns the command log of a server's built-in sandbox
// registry (demo: the demo registry), kept in its data dir or, given the
// server's PostgreSQL URL, in that database.
func ReadBuiltinLog(ctx context.Context, dataDir, databaseURL string, demo bool) ([]sandbox.LogEntry, error) {
	if databaseURL == "" {
		path := SandboxPath(dataDir)
		if demo {
			path = DemoPath(dataDir)
		}
		return sandbox.ReadLog(ctx, path)
	}
	cc, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	db := stdlib.OpenDB(*cc)
	defer db.Close()
	schema := sandboxSchema
	if demo {
		schema = demoSchema
	}
	return sandbox.ReadLogPostgres(ctx, db, schema)
}

// RequestTransferOut makes the other registrar of a server's built-in
// sandbox registry (demo: the demo registry) request the transfer of
// name, a domain the server sponsors, as another registrar's customer
// would: the registry queues the request's message for the server, which
// starts the domain's outbound transfer when it next polls. Without an
// answer the registry approves the transfer transferDelay later (0: the
// sandbox's default); give the server's --sandbox-transfer-delay. The
// registry is kept in the data dir or, given the server's PostgreSQL URL,
// in that database; a running server may have it open.
func RequestTransferOut(ctx context.Context, dataDir, databaseURL string, demo bool, name string, transferDelay time.Duration) error {
	cfg := sandbox.Config{TransferDelay: transferDelay}
	var engine *sandbox.Engine
	if databaseURL == "" {
		path := SandboxPath(dataDir)
		if demo {
			path = DemoPath(dataDir)
		}
		// sandbox.Open would create a missing file: an empty registry
		// that holds no domain of ours.
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("no built-in registry in %s (%w): start the server there first, or pass its --data-dir", dataDir, err)
		}
		var err error
		if engine, err = sandbox.Open(path, cfg); err != nil {
			return err
		}
	} else {
		cc, err := pgx.ParseConfig(databaseURL)
		if err != nil {
			return fmt.Errorf("database URL: %w", err)
		}
		db := stdlib.OpenDB(*cc)
		defer db.Close()
		schema := sandboxSchema
		if demo {
			schema = demoSchema
		}
		if engine, err = sandbox.OpenPostgres(db, schema, cfg); err != nil {
			return err
		}
	}
	defer engine.Close()
	return engine.RequestTransferFromOther(ctx, name)
}

// startBuiltin opens a built-in test registry (see openBuiltin) on clock
// (its environment's, shifted with it), serves it over EPP on addr, and
// connects to it.
func (d *Daemon) startBuiltin(name, addr string, files tlsca.Files, pw string, clock registrar.Clock) (*eppregistry.Registry, error) {
	engine, err := d.openBuiltin(name, sandbox.Config{Delay: d.cfg.SandboxDelay, TransferDelay: d.cfg.SandboxTransferDelay, LogRetention: d.cfg.SandboxLogRetention,
		Synchronous: d.cfg.SQLiteSynchronous, Prices: catalogPrices(d.catalog), Clock: clock,
		Logger: d.cfg.Logger.With("component", name)})
	if err != nil {
		return nil, err
	}
	b := builtin{engine: engine}
	d.builtins = append(d.builtins, &b)
	srvTLS, err := files.ServerConfig(false)
	if err != nil {
		return nil, err
	}
	b.server = sandbox.NewServer(engine, sandbox.ServerConfig{
		TLS: srvTLS, Accounts: map[string]string{SandboxClientID: pw}, MaxSessionsPerClient: sandboxSessionCap,
		Logger: d.cfg.Logger.With("component", name+"-epp"),
	})
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := b.server.Listen(addr); err != nil {
		return nil, fmt.Errorf("%s registry: listen on %s: %w", name, addr, err)
	}
	cliTLS, err := files.ClientConfig()
	if err != nil {
		return nil, err
	}
	reg, err := d.connect(name, epp.ClientConfig{
		Addr: b.server.Addr(), TLS: cliTLS, ClientID: SandboxClientID, Password: pw,
		PoolSize: sandboxSessions, RateLimit: math.Inf(1),
	})
	if err != nil {
		return nil, err
	}
	reg.ContactExtensions = eppregistry.FormNeuLevel // the built-in registries take them as .us does
	return reg, nil
}

// builtin is a running built-in test registry.
type builtin struct {
	engine *sandbox.Engine
	server *sandbox.Server
}

func (b *builtin) close() {
	if b.server != nil {
		b.server.Close()
	}
	b.engine.Close()
}

// fileExtension is the extension e of the registries file as it is sold:
// the file's terms, and the catalog's request fields for it (contact
// roles, contact extensions, acknowledgements), so that requests are
// validated as GET extensions/{ext} documents and nothing the catalog
// asks for is lost; contact extensions are refused when the registry does
// not take them (form); its lifecycle is its registry's (rc), with the
// defaults for what the file leaves out.
func (d *Daemon) fileExtension(e ExtensionConfig, rc RegistryConfig, form eppregistry.ContactExtensionForm) registrar.Extension {
	// LoadRegistries has checked the prices.
	regCents, _ := registrar.ParseCents(e.RegistrationPrice)
	renewCents, _ := registrar.ParseCents(e.RenewalPrice)
	ext := registrar.Extension{Name: e.Name}
	if c, ok := d.catalog.Lookup(e.Name); ok {
		ext.ContactRoles, ext.ContactExtensions, ext.Acknowledgements = c.ContactRoles, c.ContactExtensions, c.Acknowledgements
		ext.CreatedAt, ext.UpdatedAt = c.CreatedAt, c.UpdatedAt
	}
	ext.MinYears, ext.MaxYears, ext.Currency = e.MinYears, e.MaxYears, e.Currency
	ext.RegistrationCents, ext.RenewalCents = regCents, renewCents
	ext.ContactExtensionsUnsent = form == eppregistry.FormNone
	ext.Lifecycle = rc.LifecycleTerms.WithDefaults(renewCents)
	ext.DefaultNameservers = rc.DefaultNameservers
	return ext
}

// connect makes an EPP client (sessions open on first use) and the
// registry on top of it.
func (d *Daemon) connect(name string, cc epp.ClientConfig) (*eppregistry.Registry, error) {
	cc.Logger = d.cfg.Logger.With("component", "epp", "registry", name)
	cc.Observe = d.metrics.EPPObserver(name)
	c, err := epp.NewClient(cc)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", name, err)
	}
	d.clients = append(d.clients, c)
	d.registryNames = append(d.registryNames, name)
	return eppregistry.New(name, c, cc.ClientID, d.cfg.Logger), nil
}

// SandboxExtensionsDefault are the extensions of Cloudflare's sandbox API
// (the registrar_sandbox package's documentation): com and net.
const SandboxExtensionsDefault = "com,net"

// sandboxExtensions returns the catalog's extensions named in list
// (comma-separated, with or without a leading dot), which the sandbox API
// registers: each must be one the catalog sells through the API, and one
// at least.
func sandboxExtensions(list string, c *registrar.Catalog) ([]registrar.Extension, error) {
	var out []registrar.Extension
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(name)), ".")
		if name == "" {
			continue
		}
		ext, ok := c.Lookup(name)
		if !ok || ext.Support != registrar.SupportAPI {
			return nil, fmt.Errorf("--sandbox-extensions: .%s is not an extension the catalog sells through the API", name)
		}
		out = append(out, ext)
	}
	if len(out) == 0 {
		return nil, errors.New("--sandbox-extensions names no extension: name at least one, such as com")
	}
	return out, nil
}
