package sandbox

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/epp"
)

// dialFrom connects from the loopback address localIP (any of
// 127.0.0.0/8), with the client certificate, and reads the greeting.
func (ts *testServer) dialFrom(t *testing.T, localIP string) *client {
	t.Helper()
	d := &tls.Dialer{
		NetDialer: &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}, Timeout: ioTimeout},
		Config:    ts.clientTLS(t, true),
	}
	conn, err := d.DialContext(t.Context(), "tcp", ts.srv.Addr())
	if err != nil {
		t.Fatalf("dial from %s: %v", localIP, err)
	}
	c := &client{t: t, conn: conn.(*tls.Conn), br: bufio.NewReader(conn)}
	t.Cleanup(func() { c.conn.Close() })
	if g, _, err := c.readErr(); err != nil || g == nil {
		t.Fatalf("greeting: %v, %v", g, err)
	}
	return c
}

// paddedHello returns a <hello> frame of n bytes.
func paddedHello(t *testing.T, n int) []byte {
	t.Helper()
	b, err := (&epp.Command{Hello: true}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return append(b, bytes.Repeat([]byte(" "), n-len(b))...)
}

// wantRefused checks that the server answers code with a reason
// containing reason, then closes the connection.
func (c *client) wantRefused(what string, code int, reason string) {
	c.t.Helper()
	r := c.read()
	wantCode(c.t, what, r, code)
	if got := fmt.Sprint(r.Results); !strings.Contains(got, reason) {
		c.t.Errorf("%s: results %s, want a reason containing %q", what, got, reason)
	}
	c.expectClosed()
}

func TestServerParserLimits(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{})
	attrs := func(n int) []byte {
		var b strings.Builder
		b.WriteString(`<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello`)
		for i := range n {
			fmt.Fprintf(&b, ` a%d=""`, i)
		}
		b.WriteString(`/></epp>`)
		return []byte(b.String())
	}
	tests := []struct {
		desc string
		doc  []byte
	}{
		{"40,000 attributes", attrs(40000)},
		{"deep nesting", []byte(strings.Repeat("<a>", 1000) + strings.Repeat("</a>", 1000))},
		{"long name", []byte("<" + strings.Repeat("n", 10000) + "/>")},
		{"many elements", []byte("<r>" + strings.Repeat("<c/>", 30000) + "</r>")},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			// After login, and (with a large frame budget) before it.
			c := ts.login(t, "ours")
			if err := epp.WriteFrame(c.conn, tt.doc); err != nil {
				t.Fatal(err)
			}
			c.wantRefused("logged-in frame", epp.CodeSyntaxError, "limits")
		})
	}
	big := startServer(t, serverOpts{cfg: ServerConfig{PreLoginBytes: 1 << 20}})
	c := big.dial(t)
	if err := epp.WriteFrame(c.conn, attrs(40000)); err != nil {
		t.Fatal(err)
	}
	c.wantRefused("pre-login frame of 40,000 attributes", epp.CodeSyntaxError, "limits")
}

func TestServerPreLoginFrames(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{cfg: ServerConfig{PreLoginFrames: 4}})
	c := ts.dial(t)
	for range 4 {
		c.hello()
	}
	c.send(&epp.Command{Hello: true})
	c.wantRefused("fifth frame before login", epp.CodeCommandFailedClosing, "too many frames before login")

	// Logged in, the count no longer applies.
	c = ts.dial(t)
	c.hello()
	wantCode(t, "login", c.do(loginCmd("ours", "ours-secret")), epp.CodeOK)
	for range 10 {
		c.hello()
	}
}

func TestServerPreLoginBytes(t *testing.T) {
	t.Parallel()
	const limit = 4096
	ts := startServer(t, serverOpts{cfg: ServerConfig{PreLoginBytes: limit}})
	// One frame over the budget: refused from its length header.
	c := ts.dial(t)
	if err := epp.WriteFrame(c.conn, paddedHello(t, limit)); err != nil {
		t.Fatal(err)
	}
	c.wantRefused("frame over the budget", epp.CodeCommandFailedClosing, "too much data before login")

	// Frames that add up to the budget are read; the next is refused.
	c = ts.dial(t)
	for range 4 {
		if err := epp.WriteFrame(c.conn, paddedHello(t, limit/4-4)); err != nil {
			t.Fatal(err)
		}
		if g, _, err := c.readErr(); err != nil || g == nil {
			t.Fatalf("hello: %v, %v", g, err)
		}
	}
	c.send(&epp.Command{Hello: true})
	c.wantRefused("frame after the budget", epp.CodeCommandFailedClosing, "too much data before login")

	// Logged in, frames up to MaxFrameSize are read.
	c = ts.login(t, "ours")
	if err := epp.WriteFrame(c.conn, paddedHello(t, 4*limit)); err != nil {
		t.Fatal(err)
	}
	if g, _, err := c.readErr(); err != nil || g == nil {
		t.Fatalf("hello after login: %v, %v", g, err)
	}
}

func TestServerPreLoginTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 500 * time.Millisecond
	ts := startServer(t, serverOpts{cfg: ServerConfig{PreLoginTimeout: timeout, PreLoginFrames: 1000}})
	// Hellos do not extend the time to log in.
	c := ts.dial(t)
	start := time.Now()
	for time.Since(start) < timeout/2 {
		c.hello()
		time.Sleep(timeout / 10)
	}
	c.expectClosed()
	if elapsed := time.Since(start); elapsed < timeout/2 {
		t.Errorf("closed %v after connecting, want about %v", elapsed, timeout)
	}
	// A session that logged in stays open past it.
	c = ts.login(t, "ours")
	time.Sleep(2 * timeout)
	c.hello()
}

// TestServerLoginThrottle tries wrong passwords one per connection, as
// fast as the server answers: only LoginFailures of them are checked, then
// the client ID and the address are locked out, each on its own.
func TestServerLoginThrottle(t *testing.T) {
	t.Parallel()
	const burst = 5
	ts := startServer(t, serverOpts{cfg: ServerConfig{LoginFailures: burst, LoginFailureInterval: time.Hour}})
	checked, throttled := 0, 0
	for range 100 {
		c := ts.dialFrom(t, "127.0.0.1")
		r := c.do(loginCmd("ours", "wrong-password"))
		switch r.Code() {
		case epp.CodeAuthenticationError:
			checked++
		case epp.CodeAuthErrorClosing:
			throttled++
			c.expectClosed()
		default:
			t.Fatalf("wrong password: %d %+v", r.Code(), r.Results)
		}
		c.conn.Close()
	}
	if checked != burst || throttled != 100-burst {
		t.Errorf("100 wrong passwords: %d checked and %d throttled, want %d and %d", checked, throttled, burst, 100-burst)
	}
	// The client ID is locked out from another address, right password
	// or not.
	c := ts.dialFrom(t, "127.0.0.2")
	c.send(loginCmd("ours", "ours-secret"))
	c.wantRefused("right password for a locked-out client ID", epp.CodeAuthErrorClosing, "too many failed logins")
	// The address is locked out for another client ID.
	c = ts.dialFrom(t, "127.0.0.1")
	c.send(loginCmd("theirs", "theirs-secret"))
	c.wantRefused("another client ID from a locked-out address", epp.CodeAuthErrorClosing, "too many failed logins")
	// Another client ID from another address logs in.
	c = ts.dialFrom(t, "127.0.0.2")
	wantCode(t, "another client ID from another address", c.do(loginCmd("theirs", "theirs-secret")), epp.CodeOK)
}

func TestLoginThrottleRefills(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := newLoginThrottle(3, time.Minute)
	l.now = clock.Now
	for range 3 {
		if ok, _ := l.allow("id:a"); !ok {
			t.Fatal("allow before the burst is spent = false")
		}
		l.fail("id:a")
	}
	ok, wait := l.allow("id:a", "addr:x")
	if ok || wait != time.Minute {
		t.Errorf("allow after 3 failures = %v, %v; want false, 1m", ok, wait)
	}
	clock.Advance(time.Minute)
	if ok, _ := l.allow("id:a"); !ok {
		t.Error("allow a minute later = false, want one failure back")
	}
	l.fail("id:a")
	if ok, _ := l.allow("id:a"); ok {
		t.Error("allow after spending it = true")
	}
}

// TestLoginThrottleBounded fails logins with 50,000 keys: the throttle
// keeps at most maxThrottleKeys of them, and the keys beyond share one
// bucket (throttled together, not let through).
func TestLoginThrottleBounded(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := newLoginThrottle(2, time.Minute)
	l.now = clock.Now
	l.max = 1000
	for i := range 50000 {
		l.fail(fmt.Sprintf("addr:%d", i))
		clock.Advance(time.Millisecond)
	}
	if n := l.len(); n > l.max {
		t.Errorf("keys tracked = %d, want at most %d", n, l.max)
	}
	if ok, _ := l.allow("addr:new"); ok {
		t.Error("allow for a new key with the table full of throttled keys = true, want the shared bucket's false")
	}
	// Once their buckets are full again, keys are forgotten.
	clock.Advance(time.Hour)
	if ok, _ := l.allow("addr:new"); !ok {
		t.Error("allow an hour later = false")
	}
	l.fail("addr:new")
	if n := l.len(); n != 1 {
		t.Errorf("keys tracked an hour later = %d, want 1", n)
	}
}

func TestAddrKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, want string }{
		{"192.0.2.1:700", "addr:192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:700", "addr:2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.1]:700", "addr:192.0.2.1"},
	}
	for _, tt := range tests {
		a, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := addrKey(a); got != tt.want {
			t.Errorf("addrKey(%s) = %s, want %s", tt.addr, got, tt.want)
		}
	}
}
