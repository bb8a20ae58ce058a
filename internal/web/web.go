// Package web serves the account holders' dashboard at / (Miniflux is the
// model): server-rendered html/template pages, assets embedded, no build
// step and no JavaScript framework (one small script long-polls a
// registration's progress; without it the page refreshes itself).
//
// Sign-in exchanges an API token for a server-side session, whose cookie
// is HttpOnly, SameSite=Strict and Secure over TLS. Every form carries a
// CSRF token derived from the session, checked in constant time on every
// POST, and every answer carries a strict Content-Security-Policy (no
// inline script or style).
//
// It is an adapter: it sees the rest only through the core's interfaces
// (registrar.Reader, Workflows, Domains, Registries) and its Sessions.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/schema"
)

// SessionTTL is how long a dashboard session lasts after sign-in.
const SessionTTL = 12 * time.Hour

// CookieName is the session cookie's name.
const CookieName = "registrar_session"

// ContentSecurityPolicy is sent with every answer: nothing inline, nothing
// from elsewhere, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Sessions stores dashboard sessions (store.DB implements it). A session
// is live while it is unexpired, unrevoked, and its token still exists.
type Sessions interface {
	CreateSession(ctx context.Context, idHash string, p registrar.Principal, now, expires time.Time) error
	Session(ctx context.Context, idHash string, now time.Time) (registrar.Principal, error)
	RevokeSession(ctx context.Context, idHash string, now time.Time) error
}

// Accounts reads an account (store.DB implements it).
type Accounts interface {
	Account(ctx context.Context, id string) (registrar.Account, error)
}

// Deps are the dashboard's collaborators.
type Deps struct {
	Reader     registrar.Reader
	Workflows  registrar.Workflows
	Domains    registrar.Domains
	Registries registrar.Registries
	Sessions   Sessions
	// Tokens manages the account's API tokens (the tokens page).
	Tokens registrar.Tokens
	// Accounts gives the account's default contact, which a sandbox
	// registration from the dashboard sends as its registrant.
	Accounts Accounts
	// Clocks are the environments' clocks (the engine's); the sandbox's
	// time is shown on its pages when it is not the wall clock's.
	Clocks map[registrar.Env]registrar.Clock
	// Log is the sandbox registry's command log; nil: no log page.
	Log    SandboxLog
	Logger *slog.Logger
	// Now is the wall clock [time.Now].
	Now func() time.Time
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server is the dashboard, an http.Handler for "/{$}" and "/dashboard/".
type Server struct {
	Deps
	mux     *http.ServeMux
	pages   map[string]*template.Template
	schemas schema.Validator
}

// New returns the dashboard.
func New(deps Deps) *Server {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Server{Deps: deps, mux: http.NewServeMux(), pages: parsePages()}
	s.routes()
	return s
}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"date": func(t *time.Time) string {
			if t == nil || t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02")
		},
		"time": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
		// pair gives a sub-template the page's environment with an item.
		"pair": func(env string, item any) map[string]any { return map[string]any{"Env": env, "Item": item} },
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t := template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
		pages[n[len("templates/"):len(n)-len(".html")]] = t
	}
	return pages
}

// ServeHTTP implements http.Handler: the security headers, then the page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	s.mux.ServeHTTP(w, r)
}

// session is a signed-in request's principal and CSRF token.
type session struct {
	registrar.Principal
	csrf string
}

// newSessionID returns a random session ID (256 bits, URL-safe).
func newSessionID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfToken is the session's CSRF token: derived from the session ID, which
// only the browser holds (the database has its hash), so it needs no
// storage and cannot be computed from anything an attacker can read.
func csrfToken(sessionID string) string {
	m := hmac.New(sha256.New, []byte(sessionID))
	m.Write([]byte("openregistrar dashboard csrf"))
	return hex.EncodeToString(m.Sum(nil))
}

// currentSession returns the request's live session, or ok false.
func (s *Server) currentSession(r *http.Request) (session, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return session{}, false
	}
	p, err := s.Sessions.Session(r.Context(), registrar.HashSecret(c.Value), s.Now())
	if err != nil {
		if e := registrar.AsError(err); e == nil || e.Kind != registrar.KindUnauthorized {
			s.Logger.Warn("session lookup failed", "err", err)
		}
		return session{}, false
	}
	return session{Principal: p, csrf: csrfToken(c.Value)}, true
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

// authed wraps a page that needs a session: without one, the browser goes
// to the sign-in page; a POST must carry the session's CSRF token and
// the session's token must be allowed to write.
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, sess session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentSession(r)
		if r.Method == http.MethodPost {
			if !ok || !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(sess.csrf)) {
				http.Error(w, "Forbidden: the form's CSRF token is missing or wrong; reload the page and try again.", http.StatusForbidden)
				return
			}
			// A read-only token's session may sign out, and nothing else.
			if !sess.Can(registrar.ScopeWrite) && r.URL.Path != "/dashboard/signout" {
				http.Error(w, "Forbidden: this session's token is read-only.", http.StatusForbidden)
				return
			}
		}
		if !ok {
			http.Redirect(w, r, "/dashboard/signin", http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, sess)
	}
}

// page is what every template gets.
type page struct {
	Title   string
	CSRF    string
	Env     string // "live" or "sandbox"
	Account string
	Signed  bool
	// Clock is the environment's time when its clock is shifted from the
	// wall clock by more than a minute ("" otherwise).
	Clock string
	// SandboxLog: the sandbox registry's log page exists.
	SandboxLog bool
	// TokensPage: the page is the tokens page (whose links have no
	// environment).
	TokensPage bool
	Error      string
	// Notice is a confirmation shown above the page's content.
	Notice string
	Data   any
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		panic("web: no template " + name)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout.html", p); err != nil {
		s.Logger.Warn("render", "page", name, "err", err)
	}
}
