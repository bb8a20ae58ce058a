package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// syncBuffer is a log sink tests read while a server writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// RFC 7235 section 2.1: the auth scheme is case-insensitive.
func TestBearerSchemeCaseInsensitive(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, nil)
	for _, c := range []struct {
		header string
		want   int
	}{
		{"Bearer " + a.token, http.StatusOK},
		{"bearer " + a.token, http.StatusOK},
		{"BEARER " + a.token, http.StatusOK},
		{"bEaReR " + a.token, http.StatusOK},
		{"Basic " + a.token, http.StatusUnauthorized},
		{"Bearer", http.StatusUnauthorized},
		{"Bearer ", http.StatusUnauthorized},
		{"Bearerx " + a.token, http.StatusUnauthorized},
	} {
		r := a.do("GET", "registrar", "extensions", "", "Authorization", c.header)
		if r.Status != c.want {
			t.Errorf("Authorization: %.12q… = %d, want %d", c.header, r.Status, c.want)
		}
	}
}

// outageReader is a database that is down.
type outageReader struct{ registrar.Reader }

func (outageReader) Authenticate(ctx context.Context, hash string) (registrar.Principal, error) {
	return registrar.Principal{}, registrar.Wrap(registrar.KindUnavailable, "store.Authenticate", fmt.Errorf("dial tcp: connection refused"), "the database is unavailable; try again shortly")
}

// A database outage is 503 with Retry-After and a warning in the log,
// never 500 with an ERROR line.
func TestOutageIs503(t *testing.T) {
	t.Parallel()
	var log syncBuffer
	srv := New(Deps{Reader: outageReader{}, Workflows: &fakeWorkflows{}, Logger: slog.New(slog.NewTextHandler(&log, nil))}, Config{RateLimit: -1})
	for _, m := range []string{"GET", "POST"} {
		req := httptest.NewRequest(m, "/client/v4/accounts/x/registrar/registrations", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+mustToken())
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var env struct {
			Errors []struct{ Code int } `json:"errors"`
		}
		json.Unmarshal(rec.Body.Bytes(), &env)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "5" || len(env.Errors) != 1 || env.Errors[0].Code != CodeUnavailable {
			t.Errorf("%s during an outage = %d, Retry-After %q, %s; want 503, Retry-After 5, code %d", m, rec.Code, rec.Header().Get("Retry-After"), rec.Body, CodeUnavailable)
		}
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("an outage logged an error:\n%s", log.String())
	}
}

func mustToken() string {
	tok, _ := registrar.NewToken()
	return tok
}

// verifyWorkflows answers ConfirmEmail with err and counts the calls.
type verifyWorkflows struct {
	registrar.Workflows
	mu    sync.Mutex
	calls int
	err   error
}

func (v *verifyWorkflows) ConfirmEmail(ctx context.Context, code string) (*registrar.Workflow, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	return nil, v.err
}

func verify(srv *Server, remote string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/verify-email/some-code", nil)
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// /verify-email is limited per client address: a burst, then 429 with
// Retry-After and no database work; another address is not affected.
func TestVerifyEmailRateLimit(t *testing.T) {
	t.Parallel()
	wfs := &verifyWorkflows{err: registrar.Errorf(registrar.KindNotFound, "fake", "verification link not found")}
	srv := New(Deps{Workflows: wfs}, Config{VerifyRateLimit: 0.001, VerifyRateBurst: 3})
	for i := range 3 {
		if rec := verify(srv, "192.0.2.1:1000"); rec.Code != http.StatusNotFound {
			t.Fatalf("request %d within the burst = %d, want 404", i+1, rec.Code)
		}
	}
	rec := verify(srv, "192.0.2.1:2000")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("request over the burst = %d, Retry-After %q; want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	// One client's whole IPv6 /64 is one address.
	for i := range 4 {
		rec := verify(srv, fmt.Sprintf("[2001:db8::%d]:443", i+1))
		if want := map[bool]int{true: 404, false: 429}[i < 3]; rec.Code != want {
			t.Errorf("IPv6 request %d from one /64 = %d, want %d", i+1, rec.Code, want)
		}
	}
	if rec := verify(srv, "198.51.100.7:1000"); rec.Code != http.StatusNotFound {
		t.Errorf("another address = %d, want 404", rec.Code)
	}
	if wfs.calls != 7 {
		t.Errorf("ConfirmEmail called %d times, want 7: a limited request must not reach the database", wfs.calls)
	}
}

// An outage on the verification link is 503 with Retry-After, logged as a
// warning.
func TestVerifyEmailOutage(t *testing.T) {
	t.Parallel()
	var log syncBuffer
	wfs := &verifyWorkflows{err: registrar.Wrap(registrar.KindUnavailable, "store.Verification", fmt.Errorf("sql: database is closed"), "the database is unavailable")}
	srv := New(Deps{Workflows: wfs, Logger: slog.New(slog.NewTextHandler(&log, nil))}, Config{})
	rec := verify(srv, "192.0.2.1:1000")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "5" {
		t.Errorf("verify during an outage = %d, Retry-After %q; want 503, 5", rec.Code, rec.Header().Get("Retry-After"))
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("an outage logged an error:\n%s", log.String())
	}
}

// The per-address limiter holds at most size buckets: a full map drops
// idle buckets, and while none is idle new addresses share one bucket.
func TestLimiterBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(1, 2).bounded(3)
	l.timeNow = func() time.Time { return now }
	for i := range 3 {
		l.allow(fmt.Sprint("busy", i))
	}
	// Full, and no bucket is idle: newcomers share the overflow bucket,
	// whose burst they exhaust together.
	_, ok1 := l.allow("new1")
	_, ok2 := l.allow("new2")
	_, ok3 := l.allow("new3")
	if !ok1 || !ok2 || ok3 {
		t.Errorf("overflow bucket: allowed %v %v %v, want true true false", ok1, ok2, ok3)
	}
	for i := range 1000 {
		l.allow(fmt.Sprint("flood", i))
	}
	if n := len(l.m); n > 3 {
		t.Errorf("%d buckets after 1003 addresses, want at most 3", n)
	}
	// Once the buckets refill they are idle and make room again.
	now = now.Add(time.Minute)
	if _, ok := l.allow("later"); !ok || l.m["later"] == nil || len(l.m) > 3 {
		t.Errorf("after the buckets went idle: allowed %v, own bucket %v, %d buckets", ok, l.m["later"] != nil, len(l.m))
	}
}

// A body that stalls past the server's read timeout is 408, one cut short
// is 400 (code 1000); neither is a 500 or an ERROR line. Over a real
// socket, since the errors come from net/http's connection.
func TestBodyReadFailures(t *testing.T) {
	t.Parallel()
	var log syncBuffer
	a := newTestAPI(t, nil)
	a.srv.Logger = slog.New(slog.NewTextHandler(&log, nil))
	ts := httptest.NewUnstartedServer(a.srv)
	ts.Config.ReadTimeout = 300 * time.Millisecond
	ts.Start()
	defer ts.Close()
	send := func(halfClose bool) (int, string) {
		t.Helper()
		c, err := net.Dial("tcp", ts.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /client/v4/accounts/%s/registrar/registrations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 100\r\n\r\n{\"domain_name\":", a.account, a.token)
		if halfClose {
			c.(*net.TCPConn).CloseWrite()
		} // else: stall; the server's read deadline ends the wait
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env struct {
			Errors []struct{ Code int } `json:"errors"`
		}
		json.NewDecoder(resp.Body).Decode(&env)
		code := ""
		if len(env.Errors) > 0 {
			code = fmt.Sprint(env.Errors[0].Code)
		}
		return resp.StatusCode, code
	}
	if status, code := send(false); status != http.StatusRequestTimeout || code != fmt.Sprint(CodeRequestTimeout) {
		t.Errorf("stalled body = %d code %s, want 408 code %d", status, code, CodeRequestTimeout)
	}
	if status, code := send(true); status != http.StatusBadRequest || code != fmt.Sprint(CodeValidation) {
		t.Errorf("truncated body = %d code %s, want 400 code %d", status, code, CodeValidation)
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("a client's body failure logged an error:\n%s", log.String())
	}
}
