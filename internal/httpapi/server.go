// Package httpapi serves Cloudflare's Registrar API (v4 envelope, the
// /registrar/ and /registrar-sandbox/ endpoints) over net/http. It is the
// only place where error kinds become HTTP statuses and error codes.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/schema"
)

// Defaults of [Config]: a zero field takes its default.
const (
	SyncWaitDefault     = 5 * time.Second
	MaxBodyBytesDefault = 64 << 10
	// RateLimitDefault is 1200 requests per 5 minutes, as Cloudflare's API.
	RateLimitDefault = 4.0
	RateBurstDefault = 1200
	// MaxChecksPerAccountDefault bounds an account's domain checks and
	// searches running at once, so that one account's burst cannot take
	// every registry session from the others.
	MaxChecksPerAccountDefault = 4
	// The verification link is unauthenticated, so it is limited per
	// client address instead: 1 request a second sustained, bursts of 30
	// (a household or an office behind one address opening its links),
	// the buckets of at most 10,000 addresses kept at a time.
	VerifyRateLimitDefault   = 1.0
	VerifyRateBurstDefault   = 30
	VerifyLimiterSizeDefault = 10000
	// UnavailableRetryAfter is the Retry-After of a 503 for a database or
	// dependency out of reach, in seconds.
	UnavailableRetryAfter = 5
)

// Config tunes the API.
type Config struct {
	// SyncWait is how long POST and PATCH hold the request for the
	// workflow to finish [5s].
	SyncWait time.Duration
	// MaxBodyBytes bounds request bodies [64 KiB].
	MaxBodyBytes int64
	// RateLimit is the sustained requests per second allowed per token
	// [4, that is 1200 per 5 minutes as Cloudflare's API]; RateBurst the
	// bucket size [1200]. A negative RateLimit disables limiting.
	RateLimit float64
	RateBurst int
	// MaxChecksPerAccount is how many domain checks and searches, which
	// ask registries, one account may have running at once [4]; over it
	// the API answers 429 with Retry-After. Negative: no bound.
	MaxChecksPerAccount int
	// VerifyRateLimit is the sustained requests per second allowed per
	// client address on /verify-email [1]; VerifyRateBurst the bucket size
	// [30]; VerifyLimiterSize the most addresses tracked at a time
	// [10,000] (beyond it, new addresses share one bucket until idle
	// ones are dropped). A negative VerifyRateLimit disables limiting.
	VerifyRateLimit   float64
	VerifyRateBurst   int
	VerifyLimiterSize int
	// Mode is the live environment's mode, reported by /healthz: "demo"
	// (no registries configured: a built-in test registry, no charges) or
	// "live" [live].
	Mode string
	// Registries names the registries behind each environment's API
	// ("live", "sandbox"), reported by /healthz; set by the daemon.
	Registries map[string][]string
}

func (c *Config) setDefaults() {
	if c.SyncWait == 0 {
		c.SyncWait = SyncWaitDefault
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = MaxBodyBytesDefault
	}
	if c.RateLimit == 0 {
		c.RateLimit = RateLimitDefault
	}
	if c.RateBurst == 0 {
		c.RateBurst = RateBurstDefault
	}
	if c.MaxChecksPerAccount == 0 {
		c.MaxChecksPerAccount = MaxChecksPerAccountDefault
	}
	if c.VerifyRateLimit == 0 {
		c.VerifyRateLimit = VerifyRateLimitDefault
	}
	if c.VerifyRateBurst == 0 {
		c.VerifyRateBurst = VerifyRateBurstDefault
	}
	if c.VerifyLimiterSize == 0 {
		c.VerifyLimiterSize = VerifyLimiterSizeDefault
	}
	if c.Mode == "" {
		c.Mode = "live"
	}
}

// Deps are the API's collaborators.
type Deps struct {
	Reader    registrar.Reader
	Workflows registrar.Workflows
	Notifier  registrar.Notifier
	// Domains answers domain check and search.
	Domains registrar.Domains
	// Catalog is every extension the registrar knows.
	Catalog *registrar.Catalog
	// Registries routes each environment's extensions, with the terms
	// registrations are validated against; nil: the catalog's API
	// extensions in both environments (for tests of the API alone).
	Registries registrar.Registries
	// Clocks are the environments' clocks, which workflow times are
	// written in (the engine's); an environment without one follows the
	// wall clock.
	Clocks map[registrar.Env]registrar.Clock
	// Webhooks manages accounts' webhook endpoints (ours).
	Webhooks registrar.Webhooks
	// Tokens manages accounts' API tokens (ours).
	Tokens registrar.Tokens
	Logger *slog.Logger
}

// Server is the HTTP API.
type Server struct {
	Deps
	cfg     Config
	limiter *limiter
	checks  *gate // registry checks running, by account
	// verifyLimiter limits /verify-email per client address.
	verifyLimiter *limiter
	mux           *http.ServeMux
	patterns      []string         // "METHOD path" of every route handle registered (TestOpenAPIRoutes)
	schemas       schema.Validator // compiled registration schemas
	// draining is closed by Drain: held long-polls answer at once.
	draining  chan struct{}
	drainOnce sync.Once
}

// New returns the API server.
func New(deps Deps, cfg Config) *Server {
	cfg.setDefaults()
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Registries == nil {
		cat := deps.Catalog
		if cat == nil {
			cat = registrar.DefaultCatalog()
		}
		r := registrar.NewRouter()
		r.AddCatalog(registrar.EnvLive, cat, nil)
		r.AddCatalog(registrar.EnvSandbox, cat, nil)
		deps.Registries = r
	}
	s := &Server{Deps: deps, cfg: cfg, limiter: newLimiter(cfg.RateLimit, cfg.RateBurst), checks: newGate(cfg.MaxChecksPerAccount), mux: http.NewServeMux(),
		verifyLimiter: newLimiter(cfg.VerifyRateLimit, cfg.VerifyRateBurst).bounded(cfg.VerifyLimiterSize),
		draining:      make(chan struct{})}
	s.routes()
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// request is what every API handler gets: the caller, and the environment
// and account of the path.
type request struct {
	*http.Request
	id        string
	principal registrar.Principal
	env       registrar.Env
}

// accountID is the path's account, which authentication has checked is
// the caller's.
func (r *request) accountID() string { return r.principal.AccountID }

type handlerFunc func(w http.ResponseWriter, r *request) error

// api wraps an API handler: it authenticates the bearer token, checks that
// the path's account is the token's (a 404 otherwise, so that account IDs
// cannot be probed), checks the scope, applies the rate limit and writes
// any error in the envelope.
func (s *Server) api(env registrar.Env, scope registrar.Scope, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		r := &request{Request: hr, id: requestIDOf(hr), env: env}
		w.Header().Set(RequestIDHeader, r.id)
		err := s.authorize(r, scope)
		noteAccount(hr, r.principal.AccountID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

func (s *Server) authorize(r *request, scope registrar.Scope) error {
	const op = "httpapi.authorize"
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	// Auth schemes are case-insensitive (RFC 7235 section 2.1).
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		if r.Header.Get("X-Auth-Key") != "" {
			return registrar.Errorf(registrar.KindUnauthorized, op, "API keys are not supported; send an API token as Authorization: Bearer <token>")
		}
		return registrar.Errorf(registrar.KindUnauthorized, op, "missing API token: send Authorization: Bearer <token>")
	}
	token = strings.TrimSpace(token)
	if !registrar.LooksLikeToken(token) {
		return registrar.Errorf(registrar.KindUnauthorized, op, "invalid API token")
	}
	p, err := s.authenticate(r.Context(), token)
	if err != nil {
		return err
	}
	if r.PathValue("account_id") != p.AccountID {
		return errAccountNotFound(r.URL.Path)
	}
	r.principal = p
	if !p.Can(scope) {
		if scope == registrar.ScopeWrite {
			return registrar.Errorf(registrar.KindForbidden, op, "the API token is read-only: it lacks the %s permission this request needs", scope)
		}
		return registrar.Errorf(registrar.KindForbidden, op, "the API token lacks the %s permission", scope)
	}
	if p.SandboxOnly && r.env == registrar.EnvLive {
		return registrar.Errorf(registrar.KindForbidden, op, "the API token is sandbox-only: use the /registrar-sandbox/ endpoints")
	}
	if d, ok := s.limiter.allow(p.TokenID); !ok {
		return &registrar.Error{Kind: registrar.KindRateLimited, Op: op, Message: "rate limit exceeded; slow down",
			RetryAfterSeconds: int((d + time.Second - 1) / time.Second)}
	}
	return nil
}

func errAccountNotFound(path string) error {
	return registrar.Errorf(kindNoAccount, "httpapi.authorize", "could not route to %s, perhaps your object identifier is invalid?", path)
}

// limiter is a token bucket per key: an API token, or a client address.
type limiter struct {
	rate  rate.Limit
	burst int
	mu    sync.Mutex
	m     map[string]*rate.Limiter
	// size, when positive, bounds m: keys come from the network, so a
	// full map first drops the buckets that are full again (idle keys,
	// the same as new ones), at most once a second; when that frees
	// nothing, new keys share the overflow bucket.
	size     int
	swept    time.Time
	overflow *rate.Limiter
	timeNow  func() time.Time
}

func newLimiter(r float64, burst int) *limiter {
	if r < 0 {
		return nil
	}
	return &limiter{rate: rate.Limit(r), burst: burst, m: make(map[string]*rate.Limiter), timeNow: time.Now}
}

// bounded sets the most keys l tracks at a time.
func (l *limiter) bounded(size int) *limiter {
	if l != nil {
		l.size = size
		l.overflow = rate.NewLimiter(l.rate, l.burst)
	}
	return l
}

// bucket returns key's bucket; l.mu is held.
func (l *limiter) bucket(key string) *rate.Limiter {
	if lim := l.m[key]; lim != nil {
		return lim
	}
	if l.size > 0 && len(l.m) >= l.size {
		now := l.timeNow()
		if now.Sub(l.swept) >= time.Second {
			l.swept = now
			for k, lim := range l.m {
				if lim.TokensAt(now) >= float64(l.burst) {
					delete(l.m, k)
				}
			}
		}
		if len(l.m) >= l.size {
			return l.overflow
		}
	}
	lim := rate.NewLimiter(l.rate, l.burst)
	l.m[key] = lim
	return lim
}

// allow takes one request from key's bucket, or says how long until one
// is available.
func (l *limiter) allow(key string) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	now := l.timeNow()
	l.mu.Lock()
	lim := l.bucket(key)
	l.mu.Unlock()
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// awaitDone waits up to the sync window for wf to finish, without holding a
// database connection or a worker: it sleeps on the workflow's change
// notifications and re-reads only when woken. It returns early on
// action_required, which never resolves on its own.
func (s *Server) awaitDone(ctx context.Context, wf *registrar.Workflow) *registrar.Workflow {
	if settled(wf) {
		return wf
	}
	changed, cancel := s.Notifier.Subscribe(wf.ID)
	defer cancel()
	deadline := time.NewTimer(s.cfg.SyncWait)
	defer deadline.Stop()
	// A safety net for a lost notification (a PostgreSQL listener
	// reconnecting): re-read now and then anyway.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		// Subscribed first, read second: no change can slip in between.
		if cur, err := s.Reader.Workflow(ctx, wf.AccountID, wf.ID); err == nil {
			wf = cur
		}
		if settled(wf) {
			return wf
		}
		select {
		case <-changed:
		case <-tick.C:
		case <-deadline.C:
			if cur, err := s.Reader.Workflow(ctx, wf.AccountID, wf.ID); err == nil {
				wf = cur
			}
			return wf
		case <-ctx.Done():
			return wf
		}
	}
}

func settled(wf *registrar.Workflow) bool {
	return wf.Completed() || wf.State == registrar.StateActionRequired
}
