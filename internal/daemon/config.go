package daemon

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/domains"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/rdap"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/workflows"
)

// Defaults of the daemon's own settings; the components' settings take
// the defaults their packages declare (workflows.JobTimeoutDefault, ...).
const (
	ListenDefault          = "127.0.0.1:8080"
	DataDirDefault         = "./registrar-data"
	ShutdownTimeoutDefault = 30 * time.Second
)

// Config is the server's configuration. Each component's settings live in
// its own Config, embedded here; Settings lists every one that the command
// line and REGISTRAR_* environment variables set.
type Config struct {
	Listen      string // host:port of the API
	DataDir     string // SQLite database, built-in registries' state, lock file
	DatabaseURL string // postgres://… to use PostgreSQL instead of SQLite
	PublicURL   string // base of links in email; default http://<listen>
	SMTPURL     string // smtp://user:pass@host:port?from=… ; empty keeps mail in the outbox
	// SMTPPasswordFile holds the SMTP password, kept off the command line
	// (/proc/PID/cmdline); it replaces the password of SMTPURL.
	SMTPPasswordFile string
	// SQLiteSynchronous is SQLite's synchronous setting for the registrar's
	// database and the built-in registries' [store.SynchronousDefault].
	SQLiteSynchronous string
	// Registries is a registries file (YAML): which EPP registries serve
	// the live API's extensions. Empty: demo mode, on the built-in demo
	// registry.
	Registries string
	// SandboxListen is the built-in sandbox registry's EPP address
	// [127.0.0.1:0, a free port].
	SandboxListen string
	// Catalog is a catalog file (JSON, the shape of the embedded default
	// internal/registrar/catalog.json) replacing the default extensions.
	Catalog string
	// SandboxExtensions are the extensions the sandbox API registers,
	// comma-separated; empty: [SandboxExtensionsDefault]. Each must be one
	// the catalog sells through the API.
	SandboxExtensions string
	// SandboxDelay is the built-in registries' scenario delay
	// [sandbox.DefaultDelay].
	SandboxDelay time.Duration
	// SandboxTransferDelay is how long the built-in registries' losing
	// registrar stays silent on an xfer- transfer before the registry
	// approves it (--sandbox-transfer-delay), standing for ICANN's 5 days.
	SandboxTransferDelay time.Duration
	// SandboxLogRetention is how long the built-in registries keep their
	// command log [sandbox.DefaultLogRetention].
	SandboxLogRetention time.Duration
	// ShutdownTimeout bounds draining requests and jobs on stop
	// [ShutdownTimeoutDefault].
	ShutdownTimeout time.Duration
	// MetricsListen, when set, serves /metrics on its own host:port
	// instead of the API's listener.
	MetricsListen string

	// API tunes the HTTP API (its Mode is set by the daemon).
	API httpapi.Config
	// Workflows tunes the workflow engine (its PublicURL and Policies are
	// set by the daemon).
	Workflows workflows.Config
	// Search tunes domain search's cache.
	Search domains.Config
	// RDAP is the public RDAP service's registrar entity and rate limit
	// (its PublicURL, Now and Logger are set by the daemon).
	RDAP rdap.Config

	Logger *slog.Logger
	// Clock is the base of the environments' business clocks (each adds
	// its environment's stored offset: `registrar sandbox clock
	// advance`) [registrar.SystemClock]; tests shift it to reach
	// deadlines.
	Clock registrar.Clock
	// Out receives the first-start banner (account, token, curl line).
	Out io.Writer
	// Command is how the banner tells its reader to run the command line:
	// the way the server was started ("./registrar", "go run
	// ./cmd/registrar") [registrar].
	Command string
}

// DefaultConfig returns the configuration of `registrar serve` without
// flags: every setting at its declared default.
func DefaultConfig() Config {
	return Config{
		Listen: ListenDefault, DataDir: DataDirDefault, SQLiteSynchronous: store.SynchronousDefault,
		SandboxExtensions: SandboxExtensionsDefault,
		SandboxDelay:      sandbox.DefaultDelay, SandboxTransferDelay: sandbox.DefaultTransferDelay, SandboxLogRetention: sandbox.DefaultLogRetention, ShutdownTimeout: ShutdownTimeoutDefault,
		API: httpapi.Config{
			SyncWait: httpapi.SyncWaitDefault, MaxBodyBytes: httpapi.MaxBodyBytesDefault,
			RateLimit: httpapi.RateLimitDefault, RateBurst: httpapi.RateBurstDefault,
			MaxChecksPerAccount: httpapi.MaxChecksPerAccountDefault,
		},
		Workflows: workflows.Config{
			MaxDomains: workflows.MaxDomainsDefault, Workers: workflows.WorkersDefault, MaxInFlight: workflows.MaxInFlightDefault,
			InProgressTimeout: workflows.InProgressTimeoutDefault, BlockedTimeout: workflows.BlockedTimeoutDefault, TransferTimeout: workflows.TransferTimeoutDefault,
			ActionTimeout: workflows.ActionTimeoutDefault, JobTimeout: workflows.JobTimeoutDefault,
			RescueAfter: workflows.RescueAfterDefault, RetryMin: workflows.RetryMinDefault, RetryMax: workflows.RetryMaxDefault,
			PendingRecheck: workflows.PendingRecheckDefault, PollInterval: workflows.PollIntervalDefault,
			SweepInterval:     workflows.SweepIntervalDefault,
			LifecycleInterval: workflows.LifecycleIntervalDefault, ReconcileEvery: workflows.ReconcileEveryDefault,
			EventRetention: workflows.EventRetentionDefault,
			WebhookTimeout: workflows.WebhookTimeoutDefault, WebhookDisableAfter: workflows.WebhookDisableAfterDefault, WebhookOverlap: workflows.WebhookOverlapDefault,
		},
		Search: domains.Config{CacheTTL: domains.CacheTTLDefault, CacheSize: domains.CacheSizeDefault},
		RDAP:   rdap.Config{RegistrarName: rdap.RegistrarNameDefault, RateLimit: rdap.RateLimitDefault, RateBurst: rdap.RateBurstDefault},
	}
}

// Setting is one knob of the server: its flag name (the environment
// variable is REGISTRAR_ and the name in upper snake case: --data-dir is
// REGISTRAR_DATA_DIR), what it does, and the field of a Config it sets.
// Value is a *string, *bool, *int, *int64, *float64 or *time.Duration.
type Setting struct {
	Name  string
	Usage string
	Value any
}

// Settings returns every setting of c, in the order `registrar serve
// --help` lists them: the one table the flags, the environment variables
// and docs/CONFIGURATION.md are checked against.
func (c *Config) Settings() []Setting {
	return []Setting{
		{"listen", "address the API listens on", &c.Listen},
		{"metrics-listen", "address of a listener serving Prometheus metrics (/metrics) alone; empty: /metrics on the API's listener", &c.MetricsListen},
		{"data-dir", "directory of the SQLite database and the built-in registries' state", &c.DataDir},
		{"database", "PostgreSQL URL (postgres://…) to use instead of SQLite", &c.DatabaseURL},
		{"public-url", "base URL of links in email; empty: http://LISTEN", &c.PublicURL},
		{"registries", "registries file (YAML): the EPP registries that serve the live API's extensions; without it the live API runs in demo mode", &c.Registries},
		{"catalog", "catalog file (JSON) replacing the default extensions, prices and registration schemas", &c.Catalog},
		{"smtp-url", "send mail over SMTP: smtp://user:pass@host:587?from=addr (mail always goes to the outbox too)", &c.SMTPURL},
		{"smtp-password-file", "file holding the SMTP password, replacing the one in --smtp-url (keeps it off the command line)", &c.SMTPPasswordFile},
		{"sqlite-synchronous", "full: every acknowledged write is on stable storage first; normal: faster, but an OS crash or power loss can lose the last acknowledged registrations", &c.SQLiteSynchronous},
		{"sandbox-listen", "address of the built-in sandbox registry's EPP server; empty: a free loopback port", &c.SandboxListen},
		{"sandbox-extensions", "extensions the sandbox API registers, comma-separated (Cloudflare's sandbox: com and net); others answer that registration is not supported", &c.SandboxExtensions},
		{"sandbox-delay", "delay of the built-in registries' slow-, pending- and outage- scenarios", &c.SandboxDelay},
		{"sandbox-transfer-delay", "how long the built-in registries wait on an xfer- transfer before approving it (standing for 5 days)", &c.SandboxTransferDelay},
		{"sandbox-log-retention", "how long the built-in registries keep their command log (empty polls are not logged)", &c.SandboxLogRetention},
		{"sync-wait", "how long POST and PATCH wait for the workflow to finish before answering 202", &c.API.SyncWait},
		{"max-body-bytes", "largest request body the API reads", &c.API.MaxBodyBytes},
		{"rate-limit", "requests per second per API token, sustained (negative: no limit)", &c.API.RateLimit},
		{"rate-burst", "requests per API token in a burst", &c.API.RateBurst},
		{"max-checks-per-account", "domain checks and searches one account may have running at once (over it: 429)", &c.API.MaxChecksPerAccount},
		{"max-domains", "registrations an account may hold per environment", &c.Workflows.MaxDomains},
		{"max-in-flight", "registrations one account may have pending or in progress per environment (over it: 429)", &c.Workflows.MaxInFlight},
		{"workers", "workflow steps run at once", &c.Workflows.Workers},
		{"in-progress-timeout", "how long a workflow may stay pending or in_progress before it fails", &c.Workflows.InProgressTimeout},
		{"blocked-timeout", "how long a workflow may stay blocked before it fails", &c.Workflows.BlockedTimeout},
		{"transfer-timeout", "how long a transfer may wait on the losing registrar before it fails (past the registries' 5-day window)", &c.Workflows.TransferTimeout},
		{"action-timeout", "how long an action_required workflow waits for the user", &c.Workflows.ActionTimeout},
		{"job-timeout", "time limit of one workflow step", &c.Workflows.JobTimeout},
		{"rescue-after", "when the steps of a crashed server are run again (must exceed --job-timeout)", &c.Workflows.RescueAfter},
		{"retry-min", "first backoff of a workflow blocked on an unreachable registry", &c.Workflows.RetryMin},
		{"retry-max", "longest backoff of a workflow blocked on an unreachable registry", &c.Workflows.RetryMax},
		{"pending-recheck", "first interval of the info re-checks of a create the registry holds for review", &c.Workflows.PendingRecheck},
		{"poll-interval", "how often registries' message queues are read while a registration awaits a registry's review (otherwise every 30 intervals)", &c.Workflows.PollInterval},
		{"sweep-interval", "how often overdue workflows are failed", &c.Workflows.SweepInterval},
		{"lifecycle-every", "how often registrations are looked at to renew, expire, notify or delete (at once, too, when the clock is advanced)", &c.Workflows.LifecycleInterval},
		{"reconcile-every", "the period within which every registration is checked against its registry, spread over it", &c.Workflows.ReconcileEvery},
		{"reconcile-rate", "infos a second reconciliation may send each registry, within the registry's own rate_limit (negative: no limit of its own)", &c.Workflows.ReconcileRate},
		{"event-retention", "how long the event feed (GET .../events) keeps an event; older ones are deleted hourly", &c.Workflows.EventRetention},
		{"webhook-allow-private", "let webhook endpoints be plain http and reach loopback, private, link-local and metadata addresses (local development and tests only)", &c.Workflows.WebhookAllowPrivate},
		{"webhook-timeout", "time limit of one webhook delivery, connection to answer", &c.Workflows.WebhookTimeout},
		{"webhook-disable-after", "how long a webhook endpoint may fail every delivery before it is disabled (with an event and an email)", &c.Workflows.WebhookDisableAfter},
		{"webhook-secret-overlap", "how long a rotated webhook secret keeps signing beside the new one", &c.Workflows.WebhookOverlap},
		{"search-cache-ttl", "how long a registry's answer about a name serves domain search", &c.Search.CacheTTL},
		{"search-cache-size", "names domain search's cache holds", &c.Search.CacheSize},
		{"rdap-registrar-name", "the registrar's name in RDAP answers (the registrar entity)", &c.RDAP.RegistrarName},
		{"rdap-iana-id", "the registrar's IANA Registrar ID, published in RDAP answers; empty: none", &c.RDAP.IANAID},
		{"rdap-abuse-email", "the registrar's abuse contact address, published in RDAP answers; empty: none", &c.RDAP.AbuseEmail},
		{"rdap-rate-limit", "RDAP requests per minute per client address", &c.RDAP.RateLimit},
		{"rdap-rate-burst", "RDAP requests a client address may make at once", &c.RDAP.RateBurst},
		{"shutdown-timeout", "how long a stop waits for requests and steps in flight", &c.ShutdownTimeout},
	}
}

// Validate checks the configuration and says what to fix.
func (c *Config) Validate() error {
	var errs []error
	if c.Listen == "" {
		errs = append(errs, errors.New("--listen is empty"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir is empty"))
	}
	if c.DatabaseURL != "" && !store.IsPostgresURL(c.DatabaseURL) {
		errs = append(errs, errors.New("--database must be a postgres:// or postgresql:// URL"))
	}
	if !store.ValidSynchronous(c.SQLiteSynchronous) {
		errs = append(errs, fmt.Errorf("--sqlite-synchronous %q must be %s or %s", c.SQLiteSynchronous, store.SynchronousFull, store.SynchronousNormal))
	}
	if c.SMTPPasswordFile != "" && c.SMTPURL == "" {
		errs = append(errs, errors.New("--smtp-password-file needs --smtp-url"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--public-url %q must be an http:// or https:// URL", c.PublicURL))
		}
	}
	for _, s := range c.Settings() {
		neg := false
		switch v := s.Value.(type) {
		case *time.Duration:
			neg = *v < 0
		case *int:
			neg = *v < 0
		case *int64:
			neg = *v < 0
		}
		if neg {
			errs = append(errs, fmt.Errorf("--%s must not be negative", s.Name))
		}
	}
	if id := c.RDAP.IANAID; id != "" && strings.Trim(id, "0123456789") != "" {
		errs = append(errs, fmt.Errorf("--rdap-iana-id %q must be a number (the registrar's IANA Registrar ID)", id))
	}
	if e := c.RDAP.AbuseEmail; e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			errs = append(errs, fmt.Errorf("--rdap-abuse-email %q must be a bare email address (abuse@example.com)", e))
		}
	}
	w := c.Workflows
	if w.JobTimeout > 0 && w.RescueAfter > 0 && w.RescueAfter <= w.JobTimeout {
		errs = append(errs, fmt.Errorf("--rescue-after (%s) must exceed --job-timeout (%s)", w.RescueAfter, w.JobTimeout))
	}
	if w.RetryMin > 0 && w.RetryMax > 0 && w.RetryMax < w.RetryMin {
		errs = append(errs, fmt.Errorf("--retry-max (%s) must not be below --retry-min (%s)", w.RetryMax, w.RetryMin))
	}
	return errors.Join(errs...)
}

// smtpURL is SMTPURL with the password of SMTPPasswordFile, when set: the
// file's content less a final newline.
func (c *Config) smtpURL() (string, error) {
	if c.SMTPPasswordFile == "" {
		return c.SMTPURL, nil
	}
	u, err := url.Parse(c.SMTPURL)
	if err != nil || u.User == nil || u.User.Username() == "" {
		return "", errors.New("--smtp-password-file needs a user name in --smtp-url (smtp://user@host:587?from=addr)")
	}
	b, err := os.ReadFile(c.SMTPPasswordFile)
	if err != nil {
		return "", fmt.Errorf("--smtp-password-file: %w", err)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if pw == "" {
		return "", fmt.Errorf("--smtp-password-file: %s is empty", c.SMTPPasswordFile)
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String(), nil
}
