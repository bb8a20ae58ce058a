package epp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testPassword = "s3cret-Pw!42"
	testAuthInfo = "auth-XYZ-secret"
)

// lockedBuffer collects log output from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTestClient returns a client of f with small defaults, closed at the
// end of the test. Its debug log is checked for secrets and shown when
// the test fails.
func newTestClient(t *testing.T, f *fakeServer, mod func(*ClientConfig)) *Client {
	t.Helper()
	logs := &lockedBuffer{}
	cfg := ClientConfig{
		Addr:      f.Addr(),
		TLS:       f.clientTLS,
		ClientID:  "registrar1",
		Password:  testPassword,
		PoolSize:  2,
		RateLimit: math.Inf(1),
		Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		out := logs.String()
		for _, secret := range []string{testPassword, testAuthInfo} {
			if strings.Contains(out, secret) {
				t.Errorf("log contains the secret %q", secret)
			}
		}
		if t.Failed() {
			t.Logf("client log:\n%s", out)
		}
	})
	return c
}

func checkCmd(names ...string) *Command {
	return &Command{DomainCheck: &DomainCheck{Names: names}}
}

func createCmd(name string) *Command {
	return &Command{DomainCreate: &DomainCreate{Name: name, Period: &Period{Value: 1, Unit: PeriodYears}, AuthInfo: testAuthInfo}}
}

// waitFor polls cond until it holds, failing the test after 5s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// asTransport returns err as a *TransportError or fails the test.
func asTransport(t *testing.T, kind string, err error) *TransportError {
	t.Helper()
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("Do(%s) = %v, want a *TransportError", kind, err)
	}
	return te
}

func TestClientLoginServices(t *testing.T) {
	tests := []struct {
		name              string
		objURIs, extURIs  []string
		langs             []string
		wantObj, wantExt  []string
		wantLang          string
		feeCheckAllowed   bool
		contactCmdAllowed bool
		secDNSAllowed     bool
	}{
		{
			name:    "offers more than we support",
			objURIs: []string{NSHost, NSDomain, "urn:example:widget-1.0", NSContact},
			extURIs: []string{NSSecDNS, NSFee, NSRGP, "urn:ietf:params:xml:ns:fee-0.11"},
			langs:   []string{"fr", "en"},
			wantObj: []string{NSDomain, NSContact, NSHost}, wantExt: []string{NSFee, NSRGP, NSSecDNS}, wantLang: "en",
			feeCheckAllowed: true, contactCmdAllowed: true, secDNSAllowed: true,
		},
		{
			name:    "thin registry without fees",
			objURIs: []string{NSDomain, NSHost},
			extURIs: []string{NSSecDNS},
			langs:   []string{"fr"},
			wantObj: []string{NSDomain, NSHost}, wantExt: []string{NSSecDNS}, wantLang: "fr", secDNSAllowed: true,
		},
		{
			name:    "no DNSSEC",
			objURIs: []string{NSDomain, NSContact},
			extURIs: []string{NSFee},
			langs:   []string{"en"},
			wantObj: []string{NSDomain, NSContact}, wantExt: []string{NSFee}, wantLang: "en",
			feeCheckAllowed: true, contactCmdAllowed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := defaultGreeting()
			g.ObjURIs, g.ExtURIs, g.Langs = tt.objURIs, tt.extURIs, tt.langs
			f := startFake(t, g)
			c := newTestClient(t, f, nil)
			if got := c.Greeting(); got != nil {
				t.Errorf("Greeting() before connecting = %+v, want nil", got)
			}
			if _, err := c.Do(t.Context(), checkCmd("example.com")); err != nil {
				t.Fatalf("Do(domain:check) = %v, want nil", err)
			}
			l := f.Counts().LastLogin
			if l.ClID != "registrar1" || l.Password != testPassword || l.Version != "1.0" || l.Lang != tt.wantLang {
				t.Errorf("login clID/version/lang = %q/%q/%q, want registrar1/1.0/%q (and the password)", l.ClID, l.Version, l.Lang, tt.wantLang)
			}
			if !slices.Equal(l.ObjURIs, tt.wantObj) || !slices.Equal(l.ExtURIs, tt.wantExt) {
				t.Errorf("login services = %q %q, want %q %q", l.ObjURIs, l.ExtURIs, tt.wantObj, tt.wantExt)
			}
			if got := c.Greeting(); got == nil || got.SvID != "fake-registry" || !slices.Equal(got.ObjURIs, tt.objURIs) {
				t.Errorf("Greeting() = %+v, want the fake's", got)
			}

			fee := &Command{DomainCheck: &DomainCheck{Names: []string{"example.net"},
				Fee: &FeeCheck{Currency: "USD", Commands: []FeeCommand{{Name: FeeCreate}}}}}
			contact := &Command{ContactInfo: &ContactInfo{ID: "c-123"}}
			secDNS := &Command{DomainUpdate: &DomainUpdate{Name: "example.net", Chg: &DomainChg{},
				SecDNS: &SecDNSUpdate{RemAll: true}}}
			for _, x := range []struct {
				cmd     *Command
				allowed bool
			}{{fee, tt.feeCheckAllowed}, {contact, tt.contactCmdAllowed}, {secDNS, tt.secDNSAllowed}} {
				before := f.Counts().Commands
				_, err := c.Do(t.Context(), x.cmd)
				if x.allowed {
					if err != nil {
						t.Errorf("Do(%s) = %v, want nil", x.cmd.Kind(), err)
					}
					continue
				}
				if !errors.Is(err, ErrServiceNotOffered) {
					t.Errorf("Do(%s) = %v, want ErrServiceNotOffered", x.cmd.Kind(), err)
				}
				if n := f.Counts().Commands; n != before {
					t.Errorf("Do(%s) reached the server (%d commands, want %d)", x.cmd.Kind(), n, before)
				}
			}
		})
	}
}

func TestClientSequentialCommands(t *testing.T) {
	f := startFake(t, defaultGreeting())
	f.Set(func(k *fakeKnobs) { k.MsgQCount = 5 })
	c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 1 })
	for i := range 5 {
		cmd := checkCmd(fmt.Sprintf("name%d.example", i))
		resp, err := c.Do(t.Context(), cmd)
		if err != nil {
			t.Fatalf("Do(domain:check) = %v, want nil", err)
		}
		if resp.Code() != CodeOK || resp.ClTRID != cmd.ClTRID || resp.ClTRID == "" || resp.SvTRID == "" {
			t.Errorf("Do(domain:check) = code %d clTRID %q svTRID %q, want 1000, %q and an svTRID", resp.Code(), resp.ClTRID, resp.SvTRID, cmd.ClTRID)
		}
		if resp.DomainCheck == nil || resp.DomainCheck.CDs[0].Name != cmd.DomainCheck.Names[0] {
			t.Errorf("Do(domain:check) resData = %+v, want the checked name", resp.DomainCheck)
		}
		if resp.MsgQ == nil || resp.MsgQ.Count != 5 {
			t.Errorf("Do(domain:check) msgQ = %+v, want count 5", resp.MsgQ)
		}
	}
	n := f.Counts()
	if n.Accepts != 1 || n.Logins != 1 || n.Commands != 5 {
		t.Errorf("server saw %d connections, %d logins, %d commands, want 1, 1, 5", n.Accepts, n.Logins, n.Commands)
	}
	if st := c.Stats(); st.Commands != 5 || st.Open != 1 || st.Idle != 1 || st.Connects != 1 {
		t.Errorf("Stats() = %+v, want 5 commands, 1 open idle session, 1 connect", st)
	}
}

func TestClientErrorAnswers(t *testing.T) {
	tests := []struct {
		code       int
		newSession bool // the session is closed after this answer
	}{
		{CodeObjectDoesNotExist, false},
		{CodeCommandFailed, false},
		{CodeCommandFailedClosing, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			f := startFake(t, defaultGreeting())
			c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 1 })
			f.Set(func(k *fakeKnobs) { k.Code = tt.code })
			cmd := createCmd("taken.example")
			resp, err := c.Do(t.Context(), cmd)
			var eppErr *Error
			if !errors.As(err, &eppErr) || eppErr.Code != tt.code || resp == nil || resp.Code() != tt.code {
				t.Fatalf("Do(domain:create) = %v, %v, want a response and *Error with code %d", resp, err, tt.code)
			}
			if eppErr.ClTRID != cmd.ClTRID {
				t.Errorf("Do(domain:create) error clTRID = %q, want %q", eppErr.ClTRID, cmd.ClTRID)
			}
			f.Set(func(k *fakeKnobs) { k.Code = 0 })
			if _, err := c.Do(t.Context(), checkCmd("example.com")); err != nil {
				t.Fatalf("Do(domain:check) = %v, want nil", err)
			}
			wantLogins := 1
			if tt.newSession {
				wantLogins = 2
			}
			if got := f.Counts().Logins; got != wantLogins {
				t.Errorf("logins after a %d answer = %d, want %d", tt.code, got, wantLogins)
			}
		})
	}
}

func TestClientConcurrency(t *testing.T) {
	const poolSize, workers, perWorker = 3, 8, 10
	f := startFake(t, defaultGreeting())
	f.Set(func(k *fakeKnobs) { k.Delay = 2 * time.Millisecond })
	c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = poolSize })
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				if _, err := c.Do(t.Context(), checkCmd(fmt.Sprintf("w%d-%d.example", w, i))); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Do(domain:check) = %v, want nil", err)
	}
	n := f.Counts()
	if n.MaxActive > poolSize || n.Logins > poolSize {
		t.Errorf("server saw up to %d connections and %d logins, want at most %d", n.MaxActive, n.Logins, poolSize)
	}
	if n.MaxActive < 2 {
		t.Errorf("server saw at most %d connection, want commands spread over sessions", n.MaxActive)
	}
	if n.Commands != workers*perWorker {
		t.Errorf("server saw %d commands, want %d", n.Commands, workers*perWorker)
	}
}

func TestClientTimeouts(t *testing.T) {
	const query, transform = 150 * time.Millisecond, 600 * time.Millisecond
	tests := []struct {
		name     string
		cmd      *Command
		delay    time.Duration
		ctxLimit time.Duration // 0: none
		wantErr  bool
	}{
		{"query slower than the query timeout", checkCmd("slow.example"), 400 * time.Millisecond, 0, true},
		{"transform within the transform timeout", createCmd("slow.example"), 400 * time.Millisecond, 0, false},
		{"transform slower than the transform timeout", createCmd("slow.example"), 900 * time.Millisecond, 0, true},
		{"caller deadline shorter than the timeout", createCmd("slow.example"), 400 * time.Millisecond, 100 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, defaultGreeting())
			c := newTestClient(t, f, func(cfg *ClientConfig) {
				cfg.PoolSize = 1
				cfg.QueryTimeout, cfg.TransformTimeout = query, transform
			})
			if _, err := c.Do(t.Context(), checkCmd("warmup.example")); err != nil {
				t.Fatalf("Do(domain:check) = %v, want nil", err)
			}
			f.Set(func(k *fakeKnobs) { k.Delay = tt.delay })
			ctx := t.Context()
			if tt.ctxLimit > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxLimit)
				defer cancel()
			}
			kind := tt.cmd.Kind()
			start := time.Now()
			_, err := c.Do(ctx, tt.cmd)
			elapsed := time.Since(start)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Do(%s) = %v, want nil", kind, err)
				}
				return
			}
			te := asTransport(t, kind, err)
			if !te.Sent || !te.Timeout() || te.Op != "read" {
				t.Errorf("Do(%s) = %#v, want a read timeout with Sent", kind, te)
			}
			if elapsed >= tt.delay {
				t.Errorf("Do(%s) took %v, want less than the server's delay %v", kind, elapsed, tt.delay)
			}
			// The poisoned session is never reused: the next command
			// logs in on a new connection.
			f.Set(func(k *fakeKnobs) { k.Delay = 0 })
			if _, err := c.Do(t.Context(), checkCmd("next.example")); err != nil {
				t.Fatalf("Do(domain:check) = %v, want nil", err)
			}
			if n := f.Counts(); n.Logins != 2 {
				t.Errorf("logins = %d, want 2 (a new session after the timeout)", n.Logins)
			}
			if st := c.Stats(); st.Poisoned != 1 {
				t.Errorf("Stats().Poisoned = %d, want 1", st.Poisoned)
			}
		})
	}
}

func TestClientCutConnection(t *testing.T) {
	tests := []struct {
		name     string
		knobs    fakeKnobs
		wantOp   string
		wantSent bool
	}{
		{"registry down", fakeKnobs{Down: true}, "connect", false},
		{"cut during login, before the command", fakeKnobs{CutLogin: true}, "login", false},
		{"cut after the command was read", fakeKnobs{CutAfterRead: true}, "read", true},
		{"answer for another clTRID", fakeKnobs{WrongClTRID: true}, "read", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, defaultGreeting())
			f.Set(func(k *fakeKnobs) { *k = tt.knobs })
			c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 1 })
			cmd := createCmd("cut.example")
			resp, err := c.Do(t.Context(), cmd)
			te := asTransport(t, "domain:create", err)
			if resp != nil || te.Op != tt.wantOp || te.Sent != tt.wantSent {
				t.Errorf("Do(domain:create) = %v, %v, want nil and a %s error with Sent %v", resp, err, tt.wantOp, tt.wantSent)
			}
			if st := c.Stats(); st.Open != 0 {
				t.Errorf("Stats().Open = %d after a failed command, want 0", st.Open)
			}
		})
	}
}

// A hostile registry's message beyond the parser's limits costs the
// client one bounded parse: the command fails with an error matching
// ErrLimit and the session is closed, never reused.
func TestClientHostileRegistry(t *testing.T) {
	hostile := manyAttrs(100000)
	tests := []struct {
		name   string
		knobs  fakeKnobs
		wantOp string
	}{
		{"greeting", fakeKnobs{HostileHello: hostile}, "connect"},
		{"answer", fakeKnobs{Hostile: hostile}, "read"},
		{"deep answer", fakeKnobs{Hostile: nested(100000)}, "read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, defaultGreeting())
			f.Set(func(k *fakeKnobs) { *k = tt.knobs })
			c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 1 })
			resp, err := c.Do(t.Context(), checkCmd("hostile.example"))
			te := asTransport(t, "domain:check", err)
			if resp != nil || te.Op != tt.wantOp || !errors.Is(err, ErrLimit) {
				t.Errorf("Do(domain:check) = %v, %v, want nil and a %s error matching ErrLimit", resp, err, tt.wantOp)
			}
			if st := c.Stats(); st.Open != 0 {
				t.Errorf("Stats().Open = %d after a hostile message, want 0", st.Open)
			}
		})
	}
}

// A session the server closed while it was idle is dropped before use:
// the command goes out once, on a new session, and succeeds.
func TestClientStaleSessionReplaced(t *testing.T) {
	f := startFake(t, defaultGreeting())
	c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 1 })
	if _, err := c.Do(t.Context(), checkCmd("a.example")); err != nil {
		t.Fatalf("Do(domain:check) = %v, want nil", err)
	}
	f.KillConns()
	waitFor(t, "the client to notice the closed session", func() bool { return c.Stats().Open == 0 })
	if _, err := c.Do(t.Context(), createCmd("b.example")); err != nil {
		t.Fatalf("Do(domain:create) = %v, want nil", err)
	}
	if n := f.Counts(); n.Commands != 2 || n.Logins != 2 {
		t.Errorf("server saw %d commands and %d logins, want 2 and 2", n.Commands, n.Logins)
	}
	if st := c.Stats(); st.Reconnects != 1 {
		t.Errorf("Stats().Reconnects = %d, want 1", st.Reconnects)
	}
}

func TestClientReconnectBackoff(t *testing.T) {
	f := startFake(t, defaultGreeting())
	c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 1 })
	if _, err := c.Do(t.Context(), checkCmd("a.example")); err != nil {
		t.Fatalf("Do(domain:check) = %v, want nil", err)
	}
	// The registry goes down: existing connections are cut and new ones
	// closed at once.
	f.Set(func(k *fakeKnobs) { k.Down = true })
	f.KillConns()
	waitFor(t, "the client to notice the closed session", func() bool { return c.Stats().Open == 0 })
	before := f.Counts().Accepts

	// Callers keep trying for 700ms. With backoff (100ms doubling,
	// jittered to at least half) that is at most 4 connection attempts
	// (t=0, >=50ms, >=150ms, >=350ms); each call fails fast.
	const window = 700 * time.Millisecond
	var calls, backingOff int
	for start := time.Now(); time.Since(start) < window; calls++ {
		t0 := time.Now()
		_, err := c.Do(t.Context(), checkCmd("b.example"))
		te := asTransport(t, "domain:check", err)
		if te.Sent {
			t.Fatalf("Do(domain:check) = %v, want Sent false while the registry is down", err)
		}
		if errors.Is(err, ErrBackingOff) {
			backingOff++
		}
		if d := time.Since(t0); d > 200*time.Millisecond {
			t.Errorf("Do(domain:check) took %v while backing off, want a fast failure", d)
		}
		time.Sleep(2 * time.Millisecond)
	}
	attempts := f.Counts().Accepts - before
	if attempts < 2 || attempts > 5 {
		t.Errorf("%d connection attempts in %v (%d calls), want 2-5", attempts, window, calls)
	}
	if backingOff < calls/2 {
		t.Errorf("%d of %d calls failed with ErrBackingOff, want most", backingOff, calls)
	}
	if st := c.Stats(); st.BackoffUntil.IsZero() || st.ConnectFailures < 2 {
		t.Errorf("Stats() = %+v, want a backoff and failures counted", st)
	}

	// The registry comes back: the pool reconnects once the backoff ends.
	f.Set(func(k *fakeKnobs) { k.Down = false })
	waitFor(t, "a successful command after the restart", func() bool {
		_, err := c.Do(t.Context(), checkCmd("c.example"))
		return err == nil
	})
	if st := c.Stats(); st.Reconnects != 1 || !st.BackoffUntil.IsZero() {
		t.Errorf("Stats() = %+v, want one reconnect and no backoff", st)
	}
}

func TestClientSessionLimit(t *testing.T) {
	t.Run("on login", func(t *testing.T) {
		const capacity, workers = 2, 16
		f := startFake(t, defaultGreeting())
		f.Set(func(k *fakeKnobs) { k.SessionCap = capacity; k.Delay = 20 * time.Millisecond })
		c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 4 })
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for i := range workers {
			wg.Go(func() {
				if _, err := c.Do(t.Context(), checkCmd(fmt.Sprintf("n%d.example", i))); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("Do(domain:check) = %v, want nil (other sessions were open)", err)
		}
		st, n := c.Stats(), f.Counts()
		if st.Target != capacity || st.SessionLimit != 2 || n.MaxLoggedIn > capacity {
			t.Errorf("Stats() = %+v, server max logged in %d, want target %d after two 2502s", st, n.MaxLoggedIn, capacity)
		}
	})
	t.Run("on a command", func(t *testing.T) {
		f := startFake(t, defaultGreeting())
		c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 2 })
		f.Set(func(k *fakeKnobs) { k.Code = CodeSessionLimitExceeded })
		_, err := c.Do(t.Context(), checkCmd("a.example"))
		var eppErr *Error
		if !errors.As(err, &eppErr) || eppErr.Code != CodeSessionLimitExceeded {
			t.Fatalf("Do(domain:check) = %v, want a 2502 *Error", err)
		}
		if st := c.Stats(); st.Target != 1 || st.Open != 0 || st.BackoffUntil.IsZero() {
			t.Errorf("Stats() = %+v, want target 1, the session closed and a backoff", st)
		}
		// No session is open and the pool is backing off: fail fast.
		_, err = c.Do(t.Context(), checkCmd("b.example"))
		if te := asTransport(t, "domain:check", err); te.Sent || !errors.Is(err, ErrBackingOff) {
			t.Errorf("Do(domain:check) = %v, want ErrBackingOff, not sent", err)
		}
	})
}

func TestClientKeepAlive(t *testing.T) {
	f := startFake(t, defaultGreeting())
	c := newTestClient(t, f, func(cfg *ClientConfig) {
		cfg.PoolSize = 1
		cfg.KeepAlive = 50 * time.Millisecond
	})
	if _, err := c.Do(t.Context(), checkCmd("a.example")); err != nil {
		t.Fatalf("Do(domain:check) = %v, want nil", err)
	}
	waitFor(t, "three keepalive hellos", func() bool { return f.Counts().Hellos >= 3 })
	if _, err := c.Do(t.Context(), checkCmd("b.example")); err != nil {
		t.Fatalf("Do(domain:check) = %v, want nil", err)
	}
	if n := f.Counts(); n.Accepts != 1 || n.Commands != 2 {
		t.Errorf("server saw %d connections and %d commands, want 1 and 2 (same session kept alive)", n.Accepts, n.Commands)
	}
	if st := c.Stats(); st.Hellos < 3 {
		t.Errorf("Stats().Hellos = %d, want >= 3", st.Hellos)
	}
}

func TestClientRecycle(t *testing.T) {
	t.Run("after MaxSessionCommands", func(t *testing.T) {
		f := startFake(t, defaultGreeting())
		c := newTestClient(t, f, func(cfg *ClientConfig) {
			cfg.PoolSize = 1
			cfg.MaxSessionCommands = 3
		})
		for i := range 7 {
			if _, err := c.Do(t.Context(), checkCmd(fmt.Sprintf("n%d.example", i))); err != nil {
				t.Fatalf("Do(domain:check) = %v, want nil", err)
			}
		}
		n := f.Counts()
		if n.Logins != 3 || n.Logouts != 2 || n.MaxLoggedIn != 1 {
			t.Errorf("server saw %d logins, %d logouts, %d sessions at once, want 3, 2, 1", n.Logins, n.Logouts, n.MaxLoggedIn)
		}
		if st := c.Stats(); st.Recycled != 2 {
			t.Errorf("Stats().Recycled = %d, want 2", st.Recycled)
		}
	})
	t.Run("after MaxSessionAge", func(t *testing.T) {
		f := startFake(t, defaultGreeting())
		c := newTestClient(t, f, func(cfg *ClientConfig) {
			cfg.PoolSize = 1
			cfg.MaxSessionAge = 50 * time.Millisecond
		})
		if _, err := c.Do(t.Context(), checkCmd("a.example")); err != nil {
			t.Fatalf("Do(domain:check) = %v, want nil", err)
		}
		waitFor(t, "the idle session to be logged out", func() bool { return f.Counts().Logouts == 1 })
		if _, err := c.Do(t.Context(), checkCmd("b.example")); err != nil {
			t.Fatalf("Do(domain:check) = %v, want nil", err)
		}
		if n := f.Counts(); n.Logins != 2 {
			t.Errorf("server saw %d logins, want 2", n.Logins)
		}
	})
}

func TestClientRateLimit(t *testing.T) {
	const limit, burst, n = 20.0, 2, 12
	f := startFake(t, defaultGreeting())
	c := newTestClient(t, f, func(cfg *ClientConfig) {
		cfg.RateLimit, cfg.RateBurst = limit, burst
	})
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := c.Do(t.Context(), checkCmd(fmt.Sprintf("n%d.example", i))); err != nil {
				t.Errorf("Do(domain:check) = %v, want nil", err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	want := time.Duration(float64(n-burst) / limit * float64(time.Second))
	if elapsed < want-10*time.Millisecond || elapsed > 10*want {
		t.Errorf("%d commands at %v/s (burst %d) took %v, want about %v", n, limit, burst, elapsed, want)
	}
	// A caller whose deadline comes before its token gets an error at once.
	ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	for range burst + 1 {
		_, err := c.Do(ctx, checkCmd("late.example"))
		if err == nil {
			continue
		}
		if te := asTransport(t, "domain:check", err); te.Op != "ratelimit" && te.Op != "acquire" || te.Sent {
			t.Errorf("Do(domain:check) = %v, want a rate limit error, not sent", err)
		}
	}
}

func TestClientCloseLogsOut(t *testing.T) {
	f := startFake(t, defaultGreeting())
	f.Set(func(k *fakeKnobs) { k.Delay = 20 * time.Millisecond })
	c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 3 })
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if _, err := c.Do(t.Context(), checkCmd(fmt.Sprintf("n%d.example", i))); err != nil {
				t.Errorf("Do(domain:check) = %v, want nil", err)
			}
		})
	}
	wg.Wait()
	logins := f.Counts().Logins
	if err := c.Close(); err != nil {
		t.Errorf("Close() = %v, want nil", err)
	}
	if n := f.Counts(); n.Logouts != logins {
		t.Errorf("after Close: %d logouts for %d logins, want all logged out", n.Logouts, logins)
	}
	waitFor(t, "the server to see every connection closed", func() bool { return f.Counts().Active == 0 })
	_, err := c.Do(t.Context(), checkCmd("after.example"))
	if te := asTransport(t, "domain:check", err); !errors.Is(err, ErrClientClosed) || te.Sent {
		t.Errorf("Do(domain:check) after Close = %v, want ErrClientClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
}

func TestClientLoginFailure(t *testing.T) {
	tests := []struct {
		code       int
		wantConfig bool
	}{
		{CodeAuthenticationError, true},
		{CodeAuthorizationError, true},
		{CodeAuthErrorClosing, true},
		{CodeCommandFailed, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			f := startFake(t, defaultGreeting())
			f.Set(func(k *fakeKnobs) { k.LoginCode, k.LoginMsg = tt.code, "credentials rejected by test" })
			c := newTestClient(t, f, nil)
			_, err := c.Do(t.Context(), checkCmd("a.example"))
			te := asTransport(t, "domain:check", err)
			var le *LoginError
			if te.Op != "login" || te.Sent || !errors.As(err, &le) || le.Code != tt.code || le.ConfigError() != tt.wantConfig {
				t.Fatalf("Do(domain:check) = %v, want a login error %d, config %v, not sent", err, tt.code, tt.wantConfig)
			}
			var eppErr *Error
			if errors.As(err, &eppErr) {
				t.Errorf("Do(domain:check) = %v, must not unwrap to *Error (the code is the login's)", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "credentials rejected by test") || strings.Contains(msg, "configuration error") != tt.wantConfig {
				t.Errorf("Do(domain:check) error %q, want the server's message and configuration error %v", msg, tt.wantConfig)
			}
			if strings.Contains(msg, testPassword) {
				t.Errorf("Do(domain:check) error %q contains the password", msg)
			}
			// The pool backs off: the next call fails at once, without a
			// new login.
			_, err = c.Do(t.Context(), checkCmd("b.example"))
			if !errors.Is(err, ErrBackingOff) || !errors.As(err, &le) {
				t.Errorf("Do(domain:check) = %v, want ErrBackingOff carrying the login error", err)
			}
			if n := f.Counts().Logins; n != 1 {
				t.Errorf("logins = %d, want 1", n)
			}
		})
	}
}

func TestClientClTRIDs(t *testing.T) {
	const calls, workers = 1000, 20
	f := startFake(t, defaultGreeting())
	c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 4 })
	var mu sync.Mutex
	seen := make(map[string]bool, calls)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				cmd := &Command{Poll: &Poll{Op: PollReq}}
				resp, err := c.Do(t.Context(), cmd)
				if err != nil {
					t.Errorf("Do(poll) = %v, want nil", err)
					continue
				}
				id := resp.ClTRID
				if id != cmd.ClTRID || len(id) < 3 || len(id) > 64 || !strings.HasPrefix(id, "OR-") {
					t.Errorf("Do(poll) #%d clTRID %q (command %q), want 3-64 characters starting OR-", i, id, cmd.ClTRID)
				}
				mu.Lock()
				if seen[id] {
					t.Errorf("Do(poll) clTRID %q used twice", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	for i := range calls {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(seen) != calls {
		t.Errorf("%d distinct clTRIDs, want %d", len(seen), calls)
	}
	// A caller's own clTRID is kept.
	cmd := &Command{Poll: &Poll{Op: PollReq}, ClTRID: "my-own-trid"}
	if resp, err := c.Do(t.Context(), cmd); err != nil || resp.ClTRID != "my-own-trid" {
		t.Errorf("Do(poll) = %v, %v, want clTRID my-own-trid", resp, err)
	}
}

func TestClientRefusesSessionCommands(t *testing.T) {
	f := startFake(t, defaultGreeting())
	c := newTestClient(t, f, nil)
	for _, cmd := range []*Command{{Hello: true}, {Logout: true}, {Login: &Login{}}, {}} {
		if _, err := c.Do(t.Context(), cmd); err == nil {
			t.Errorf("Do(%s) = nil, want an error", cmd.Kind())
		}
	}
	// An invalid command is a *FormatError, before anything is sent.
	_, err := c.Do(t.Context(), checkCmd())
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Errorf("Do(domain:check) = %v, want a *FormatError", err)
	}
	if n := f.Counts(); n.Accepts != 0 {
		t.Errorf("server saw %d connections, want 0", n.Accepts)
	}
}

func TestNewClientValidation(t *testing.T) {
	_, cliTLS := testTLS(t)
	insecure := cliTLS.Clone()
	insecure.InsecureSkipVerify = true
	valid := ClientConfig{Addr: "127.0.0.1:700", TLS: cliTLS, ClientID: "registrar1", Password: testPassword}
	tests := []struct {
		name string
		mod  func(*ClientConfig)
	}{
		{"no TLS", func(c *ClientConfig) { c.TLS = nil }},
		{"InsecureSkipVerify", func(c *ClientConfig) { c.TLS = insecure }},
		{"no port", func(c *ClientConfig) { c.Addr = "epp.example" }},
		{"short clID", func(c *ClientConfig) { c.ClientID = "ab" }},
		{"long password", func(c *ClientConfig) { c.Password = testPassword + "-much-too-long" }},
		{"pool too large", func(c *ClientConfig) { c.PoolSize = 101 }},
		{"negative rate", func(c *ClientConfig) { c.RateLimit = -1 }},
		{"negative timeout", func(c *ClientConfig) { c.QueryTimeout = -time.Second }},
		{"bad prefix", func(c *ClientConfig) { c.ClTRIDPrefix = "has space" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.mod(&cfg)
			c, err := NewClient(cfg)
			if err == nil {
				c.Close()
				t.Fatalf("NewClient(%s) = nil error, want one", tt.name)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("NewClient(%s) error %q contains the password", tt.name, err)
			}
		})
	}
	c, err := NewClient(valid)
	if err != nil {
		t.Fatalf("NewClient(valid) = %v", err)
	}
	defer c.Close()
	if st := c.Stats(); st.PoolSize != 2 || st.Target != 2 || st.Open != 0 {
		t.Errorf("Stats() = %+v, want pool size 2 and no session (lazy connect)", st)
	}
}

// TestClientNoGoroutineLeak runs the client through sessions, timeouts,
// keepalives and reconnects, then checks that Close leaves nothing
// running.
func TestClientNoGoroutineLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	func() {
		f := startFake(t, defaultGreeting())
		c, err := NewClient(ClientConfig{Addr: f.Addr(), TLS: f.clientTLS, ClientID: "registrar1", Password: testPassword,
			PoolSize: 3, RateLimit: math.Inf(1), KeepAlive: 20 * time.Millisecond, QueryTimeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() { c.Do(t.Context(), checkCmd(fmt.Sprintf("n%d.example", i))) })
		}
		wg.Wait()
		f.Set(func(k *fakeKnobs) { k.Delay = 300 * time.Millisecond })
		c.Do(t.Context(), checkCmd("slow.example")) // poisons a session
		f.Set(func(k *fakeKnobs) { k.Delay = 0 })
		waitFor(t, "keepalive hellos", func() bool { return f.Counts().Hellos >= 2 })
		f.KillConns()
		c.Do(t.Context(), checkCmd("after.example"))
		if err := c.Close(); err != nil {
			t.Logf("Close: %v", err)
		}
		f.Close()
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTaggedClTRID: a tagged transaction ID is a generated one (unique,
// with the client's prefix) ending in the tag, cut to EPP's 64
// characters.
func TestTaggedClTRID(t *testing.T) {
	long := strings.Repeat("p", maxTRIDStem)
	for _, tc := range []struct {
		name, prefix, tag, wantSuffix string
		cut                           bool // the tag does not fit whole
	}{
		{"short tag", "", "req-42", "-req-42", false},
		{"no tag", "", "", "", false},
		{"long prefix cuts the tag", long, strings.Repeat("r", 40), "rrrr", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{Addr: "127.0.0.1:1", TLS: &tls.Config{}, ClientID: "registrar1", Password: testPassword, ClTRIDPrefix: tc.prefix})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			a, b := c.TaggedClTRID(tc.tag), c.TaggedClTRID(tc.tag)
			if a == b {
				t.Errorf("two tagged IDs are both %q", a)
			}
			for _, id := range []string{a, b} {
				if len(id) > 64 || !strings.HasSuffix(id, tc.wantSuffix) || !strings.HasPrefix(id, c.cfg.ClTRIDPrefix+"-") {
					t.Errorf("TaggedClTRID(%q) = %q (%d characters), want at most 64 with prefix %q and suffix %q", tc.tag, id, len(id), c.cfg.ClTRIDPrefix+"-", tc.wantSuffix)
				}
			}
			if tc.cut && len(a) != 64 {
				t.Errorf("cut ID %q is %d characters, want the tag cut to exactly 64", a, len(a))
			}
			if tc.tag == "" && strings.Count(a, "-") != 2 {
				t.Errorf("untagged ID %q: want prefix-random-counter", a)
			}
		})
	}
}
