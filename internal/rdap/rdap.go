// Package rdap is the registrar's RDAP service (RFC 7480, RFC 9082, RFC
// 9083) for the domains it sponsors in the live environment: GET
// /rdap/domain/{name} and /rdap/help, shaped by the ICANN gTLD RDAP
// Response Profile, with the registrant's and technical contact's data
// redacted per ICANN's Registration Data Policy and marked as RFC 9537
// asks. Answers are application/rdap+json, open to any origin (CORS), and
// rate-limited per client address.
package rdap

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/registrar"
)

// ContentType is the media type of every answer (RFC 7480 §4.2).
const ContentType = "application/rdap+json"

// Source reads what RDAP publishes.
type Source interface {
	// PublicRegistration returns the live registration of domain (ASCII
	// form) and when it last changed, or an error of KindNotFound when
	// the registrar holds none. Sandbox registrations are never public.
	PublicRegistration(ctx context.Context, domain string) (*registrar.Registration, time.Time, error)
}

// Defaults of Config.
const (
	RegistrarNameDefault = "OpenRegistrar"
	RateLimitDefault     = 60  // requests per minute per client address
	RateBurstDefault     = 30  // requests a client address may make at once
	RateClientsDefault   = 1e5 // client addresses remembered
)

// Config configures the RDAP service. Zero fields take the defaults of
// WithDefaults.
type Config struct {
	// RegistrarName is the registrar entity's full name
	// [RegistrarNameDefault].
	RegistrarName string
	// IANAID is the registrar's IANA Registrar ID, published as the
	// registrar entity's handle and public ID; empty publishes none.
	IANAID string
	// AbuseEmail is the registrar's abuse contact address, published as
	// an abuse entity of the registrar; empty publishes none.
	AbuseEmail string
	// PublicURL is the base of the links in answers, e.g.
	// "https://registrar.example"; the /rdap/ paths are appended.
	PublicURL string
	// RateLimit is how many requests a client address may make per
	// minute [RateLimitDefault]; RateBurst how many at once
	// [RateBurstDefault]; RateClients how many addresses are remembered
	// [RateClientsDefault].
	RateLimit   int
	RateBurst   int
	RateClients int
	// Now is the clock [time.Now].
	Now    func() time.Time
	Logger *slog.Logger
}

// WithDefaults returns c with its zero fields at their defaults.
func (c Config) WithDefaults() Config {
	if c.RegistrarName == "" {
		c.RegistrarName = RegistrarNameDefault
	}
	if c.RateLimit <= 0 {
		c.RateLimit = RateLimitDefault
	}
	if c.RateBurst <= 0 {
		c.RateBurst = RateBurstDefault
	}
	if c.RateClients <= 0 {
		c.RateClients = RateClientsDefault
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c
}

type server struct {
	src   Source
	cfg   Config
	limit *limiter
}

// Handler returns the RDAP service, answering under /rdap/.
func Handler(src Source, cfg Config) http.Handler {
	cfg = cfg.WithDefaults()
	s := &server{src: src, cfg: cfg, limit: newLimiter(cfg.RateLimit, cfg.RateBurst, cfg.RateClients)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /rdap/domain/{name}", s.handleDomainGet)
	mux.HandleFunc("GET /rdap/help", s.handleHelpGet)
	for _, q := range []string{"ip", "autnum", "nameserver", "entity", "domains", "nameservers", "entities"} {
		mux.HandleFunc("GET /rdap/"+q+"/", s.handleNotImplemented)
		mux.HandleFunc("GET /rdap/"+q, s.handleNotImplemented)
	}
	mux.HandleFunc("/rdap/", s.handleUnknown)
	return s.middleware(mux)
}

// middleware sets the headers every answer carries and applies the rate
// limit before anything is read.
func (s *server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*") // RFC 7480 §5.6; the profile's TIG 1.13
		h.Set("Content-Type", ContentType)
		if wait, ok := s.limit.allow(clientKey(r.RemoteAddr), s.cfg.Now()); !ok {
			h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			s.writeError(w, http.StatusTooManyRequests, "Too Many Requests",
				"This address has made too many RDAP queries; retry after the number of seconds in Retry-After.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *server) handleDomainGet(w http.ResponseWriter, r *http.Request) {
	name, err := domainname.Parse(r.PathValue("name"))
	if err != nil {
		s.writeError(w, http.StatusBadRequest, "Bad Request", err.Error())
		return
	}
	g, changed, err := s.src.PublicRegistration(r.Context(), name.ASCII)
	if err == nil && !public(g.Status) {
		err = registrar.Errorf(registrar.KindNotFound, "rdap", "not yet or no longer sponsored")
	}
	switch {
	case registrar.IsKind(err, registrar.KindNotFound):
		s.writeError(w, http.StatusNotFound, "Not Found",
			fmt.Sprintf("The domain %s is not sponsored by %s.", name.ASCII, s.cfg.RegistrarName))
		return
	case err != nil:
		s.cfg.Logger.Error("rdap domain query", "domain", name.ASCII, "err", err)
		s.writeError(w, http.StatusInternalServerError, "Internal Server Error", "The query could not be answered; try again later.")
		return
	}
	s.write(w, http.StatusOK, s.domain(name, g, changed))
}

func (s *server) handleHelpGet(w http.ResponseWriter, r *http.Request) {
	s.write(w, http.StatusOK, Help{Conformance: conformance, Notices: s.notices()})
}

func (s *server) handleNotImplemented(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, http.StatusNotImplemented, "Not Implemented",
		"This server answers domain queries for the names its registrar sponsors, and /rdap/help.")
}

func (s *server) handleUnknown(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "RDAP queries are GET or HEAD requests.")
		return
	}
	s.writeError(w, http.StatusNotFound, "Not Found", "No such RDAP path; see /rdap/help.")
}

// writeError writes an RFC 9083 §6 error body.
func (s *server) writeError(w http.ResponseWriter, code int, title, description string) {
	s.write(w, code, Error{Conformance: conformance, ErrorCode: code, Title: title, Description: []string{description}})
}

func (s *server) write(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.cfg.Logger.Error("rdap encode", "err", err)
		code, b = http.StatusInternalServerError, []byte(`{"errorCode":500,"title":"Internal Server Error","description":[]}`)
	}
	w.WriteHeader(code)
	w.Write(b)
}

// url is the public URL of an RDAP path ("domain/example.com").
func (s *server) url(path string) string { return s.cfg.PublicURL + "/rdap/" + path }
