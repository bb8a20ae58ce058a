package client

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRetryPolicy drives one call against scripted answers in virtual
// time and checks which attempts were made, when, and the outcome.
func TestRetryPolicy(t *testing.T) {
	reset := &netError{syscall.ECONNRESET}
	httpDate := func() string { return time.Now().Add(4 * time.Second).UTC().Format(http.TimeFormat) }
	tests := []struct {
		name    string
		method  string // GET (Registration) or POST (Register)
		answers func() []answer
		times   []time.Duration // of the attempts
		status  int             // of the APIError; 0 for success
		netErr  bool            // the call fails with the transport error
	}{
		{"429 with Retry-After seconds", "GET", func() []answer {
			return []answer{fail(429, 971, "slow down", "Retry-After", "3"), ok(reg("x.com"))}
		}, []time.Duration{0, 3 * time.Second}, 0, false},
		{"429 with Retry-After date", "GET", func() []answer {
			return []answer{fail(429, 971, "slow down", "Retry-After", httpDate()), ok(reg("x.com"))}
		}, []time.Duration{0, 4 * time.Second}, 0, false},
		{"429 without Retry-After backs off", "GET", func() []answer {
			return []answer{fail(429, 971, "slow down"), ok(reg("x.com"))}
		}, []time.Duration{0, 500 * time.Millisecond}, 0, false},
		{"503 backs off exponentially until success", "GET", func() []answer {
			return []answer{fail(503, 1503, "db down"), fail(503, 1503, "db down"), fail(503, 1503, "db down"), ok(reg("x.com"))}
		}, []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond}, 0, false},
		{"503 until the retries run out", "GET", func() []answer {
			return []answer{fail(503, 1503, "db down")}
		}, []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond}, 503, false},
		{"500 is retried", "GET", func() []answer {
			return []answer{fail(500, 1500, "bug"), ok(reg("x.com"))}
		}, []time.Duration{0, 500 * time.Millisecond}, 0, false},
		{"501 is not retried", "GET", func() []answer {
			return []answer{fail(501, 1500, "not implemented")}
		}, []time.Duration{0}, 501, false},
		{"503 with x-should-retry false is not retried", "GET", func() []answer {
			return []answer{fail(503, 1503, "down", "x-should-retry", "false")}
		}, []time.Duration{0}, 503, false},
		{"400 with x-should-retry true is retried", "GET", func() []answer {
			return []answer{fail(400, 1001, "odd", "x-should-retry", "true"), ok(reg("x.com"))}
		}, []time.Duration{0, 500 * time.Millisecond}, 0, false},
		{"400 is not retried", "GET", func() []answer {
			return []answer{fail(400, 1001, "domain_name: bad")}
		}, []time.Duration{0}, 400, false},
		{"404 is not retried", "GET", func() []answer {
			return []answer{fail(404, 7003, "no such registration")}
		}, []time.Duration{0}, 404, false},
		{"408 is not retried", "GET", func() []answer {
			return []answer{fail(408, 1, "timeout")}
		}, []time.Duration{0}, 408, false},
		{"network error then success", "GET", func() []answer {
			return []answer{{netErr: reset}, ok(reg("x.com"))}
		}, []time.Duration{0, 500 * time.Millisecond}, 0, false},
		{"network errors until the retries run out", "GET", func() []answer {
			return []answer{{netErr: reset}}
		}, []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond}, 0, true},
		{"Retry-After beyond a minute is not waited for", "GET", func() []answer {
			return []answer{fail(429, 971, "slow down", "Retry-After", "3600")}
		}, []time.Duration{0}, 429, false},
		{"POST retried on 503", "POST", func() []answer {
			return []answer{fail(503, 1503, "db down"), okStatus(201, wfStatus(StateSucceeded))}
		}, []time.Duration{0, 500 * time.Millisecond}, 0, false},
		{"POST retried on a network error", "POST", func() []answer {
			return []answer{{netErr: reset}, okStatus(201, wfStatus(StateSucceeded))}
		}, []time.Duration{0, 500 * time.Millisecond}, 0, false},
		{"POST not retried on 400", "POST", func() []answer {
			return []answer{fail(400, 1001, "years: out of range", "x-should-retry", "false")}
		}, []time.Duration{0}, 400, false},
		{"POST not retried on 403 quota", "POST", func() []answer {
			return []answer{fail(403, 1006, "the account holds its maximum number of domains")}
		}, []time.Duration{0}, 403, false},
		{"POST not retried on 409", "POST", func() []answer {
			return []answer{fail(409, 1005, "conflict")}
		}, []time.Duration{0}, 409, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t, tt.answers()...)
				c := newTestClient(t, f)
				var err error
				if tt.method == "POST" {
					_, err = c.Register(t.Context(), RegisterRequest{DomainName: "x.com"}, RegisterOptions{})
				} else {
					_, err = c.Registration(t.Context(), "x.com")
				}
				if diff := cmp.Diff(tt.times, f.times()); diff != "" {
					t.Errorf("attempt times (-want +got):\n%s", diff)
				}
				for _, r := range f.seen() {
					if r.Method != tt.method {
						t.Errorf("attempt with method %s, want %s", r.Method, tt.method)
					}
					if tt.method == "POST" && r.Body != `{"domain_name":"x.com"}` {
						t.Errorf("POST body = %s, want the same body on every attempt", r.Body)
					}
				}
				var ae *APIError
				switch {
				case tt.status != 0:
					if !errors.As(err, &ae) || ae.StatusCode != tt.status {
						t.Fatalf("err = %v, want an *APIError with status %d", err, tt.status)
					}
				case tt.netErr:
					if !errors.Is(err, syscall.ECONNRESET) {
						t.Fatalf("err = %v, want the connection reset", err)
					}
				default:
					if err != nil {
						t.Fatalf("err = %v, want success", err)
					}
				}
			})
		})
	}
}

// TestRetryJitter: with jitter, each backoff is between half and all of
// base×2^n.
func TestRetryJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, fail(503, 1503, "down"))
		c := newTestClient(t, f, WithRetry(5, time.Second, 8*time.Second))
		c.rand = func() float64 { return 0.999 }
		c.Registration(t.Context(), "x.com")
		ts := f.times()
		full := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
		if len(ts) != len(full)+1 {
			t.Fatalf("%d attempts, want %d", len(ts), len(full)+1)
		}
		for i, d := range full {
			got := ts[i+1] - ts[i]
			if got < d/2 || got > d {
				t.Errorf("delay %d = %s, want between %s and %s", i+1, got, d/2, d)
			}
		}
	})
}

// TestRetryHonoursContext: a cancelled ctx ends the backoff at once.
func TestRetryHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, fail(503, 1503, "down", "Retry-After", "30"))
		c := newTestClient(t, f)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Registration(ctx, "x.com")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the deadline", err)
		}
		if d := time.Since(start); d != 10*time.Second {
			t.Errorf("returned after %s, want 10s", d)
		}
		if n := len(f.seen()); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
}

// TestWithRetryOff: WithRetry(0, ...) makes one attempt.
func TestWithRetryOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, fail(503, 1503, "down"))
		c := newTestClient(t, f, WithRetry(0, time.Second, time.Second))
		if _, err := c.Registration(t.Context(), "x.com"); err == nil {
			t.Fatal("no error")
		}
		if n := len(f.seen()); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, tt := range []struct {
			v    string
			want time.Duration
		}{
			{"", 0},
			{"5", 5 * time.Second},
			{"0", 0},
			{"-3", 0},
			{"1.5", 1500 * time.Millisecond},
			{"soon", 0},
			{time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat), 90 * time.Second},
			{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
		} {
			if got := parseRetryAfter(http.Header{"Retry-After": {tt.v}}); got != tt.want {
				t.Errorf("Retry-After %q = %s, want %s", tt.v, got, tt.want)
			}
		}
	})
}

// netError is a transport error like the net package's.
type netError struct{ err error }

func (e *netError) Error() string   { return "read tcp 127.0.0.1:1->127.0.0.1:2: " + e.err.Error() }
func (e *netError) Unwrap() error   { return e.err }
func (e *netError) Timeout() bool   { return false }
func (e *netError) Temporary() bool { return false }

func reg(domain string) Registration {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	exp := t0.AddDate(1, 0, 0)
	return Registration{DomainName: domain, Status: DomainActive, CreatedAt: t0, ExpiresAt: &exp, Locked: true, PrivacyMode: PrivacyRedaction}
}
