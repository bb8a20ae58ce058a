package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// RequestIDHeader carries a request's ID in both directions: a sane one
// sent by the client (or a proxy in front) is kept, otherwise one is
// generated; the response always has it.
const RequestIDHeader = "X-Request-ID"

// maxRequestIDLength bounds an incoming request ID. Our EPP clTRIDs
// begin with it, and a clTRID is at most 64 characters.
const maxRequestIDLength = 40

// RequestObserver records each HTTP request (metrics). Route is the
// ServeMux pattern that matched, never the raw path, so that account IDs
// and domain names never become label values.
type RequestObserver interface {
	ObserveRequest(route, method string, status int, d time.Duration)
}

// requestInfo is what a request's handlers tell the request log.
type requestInfo struct {
	id        string
	accountID string
}

type requestInfoKey struct{}

// Instrument wraps h, the whole HTTP surface of a listener: it gives each
// request its ID (context and response header), records it with obs (nil:
// none) and writes one log line per request: method, route pattern,
// status, duration, account ID and request ID.
func Instrument(h http.Handler, log *slog.Logger, obs RequestObserver) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		info := &requestInfo{id: id}
		ctx := context.WithValue(registrar.WithRequestID(r.Context(), id), requestInfoKey{}, info)
		r = r.WithContext(ctx)
		w.Header().Set(RequestIDHeader, id)
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)

		d := time.Since(start)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if obs != nil {
			obs.ObserveRequest(route, r.Method, sw.status, d)
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", route), slog.Int("status", sw.status),
			slog.Duration("duration", d)}
		if info.accountID != "" {
			attrs = append(attrs, slog.String("account_id", info.accountID))
		}
		log.LogAttrs(ctx, slog.LevelInfo, "http request", attrs...)
	})
}

// requestIDOf returns the ID Instrument gave r, or a new one for a server
// used without it (tests of the API alone).
func requestIDOf(r *http.Request) string {
	if id := registrar.RequestID(r.Context()); id != "" {
		return id
	}
	return newRequestID()
}

// noteAccount tells the request log the caller's account.
func noteAccount(r *http.Request, accountID string) {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		info.accountID = accountID
	}
}

// saneRequestID reports whether a client's request ID may be kept: 1 to
// maxRequestIDLength characters of [A-Za-z0-9._-], so that it is safe in
// logs, headers and clTRIDs.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// statusWriter remembers the status written. Unwrap lets
// http.ResponseController reach the connection (flushes of long-polls
// and event streams).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
