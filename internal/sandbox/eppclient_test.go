package sandbox

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/openregistrar/registrar/internal/epp/epptest"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/store/storetest"
	"github.com/openregistrar/registrar/internal/tlsca"
)

// ioTimeout bounds every read and write of the test client.
const ioTimeout = 10 * time.Second

// testAccounts are the logins of the test servers.
var testAccounts = map[string]string{"ours": "ours-secret", "theirs": "theirs-secret"}

// testServer is an EPP server on 127.0.0.1 over an engine with a fake
// clock. Every frame it sends is validated against the EPP schemas when
// the test ends.
type testServer struct {
	e     *Engine
	srv   *Server
	clock *fakeClock
	files tlsca.Files
	path  string
}

type serverOpts struct {
	cfg         ServerConfig // TLS is set by startServer; nil Accounts are testAccounts
	engine      Config       // a nil Clock is a new fake clock
	requireCert bool
	backend     storetest.Backend // "" is SQLite
}

func startServer(t *testing.T, o serverOpts) *testServer {
	t.Helper()
	clock, _ := o.engine.Clock.(*fakeClock)
	if o.engine.Clock == nil {
		clock = newFakeClock()
		o.engine.Clock = clock
	}
	var e *Engine
	var path string
	if o.backend == storetest.Postgres {
		e = openOn(t, o.backend, o.engine)
	} else {
		e, path = open(t, o.engine)
	}
	files, err := tlsca.Ensure(t.TempDir(), "ours")
	if err != nil {
		t.Fatalf("tlsca.Ensure = %v", err)
	}
	cfg := o.cfg
	if cfg.TLS, err = files.ServerConfig(o.requireCert); err != nil {
		t.Fatalf("ServerConfig = %v", err)
	}
	if cfg.Accounts == nil {
		cfg.Accounts = testAccounts
	}
	srv := NewServer(e, cfg)
	frames := &frameLog{dir: t.TempDir()}
	srv.sent = frames.add
	t.Cleanup(func() { frames.validate(t) }) // after the server has closed
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatalf("Listen = %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return &testServer{e: e, srv: srv, clock: clock, files: files, path: path}
}

// frameLog keeps the frames a server sent.
type frameLog struct {
	dir    string
	mu     sync.Mutex
	frames [][]byte
}

func (l *frameLog) add(b []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.frames = append(l.frames, append([]byte(nil), b...))
}

// validate checks every frame sent against the EPP schemas.
func (l *frameLog) validate(t *testing.T) {
	l.mu.Lock()
	frames := l.frames
	l.mu.Unlock()
	if len(frames) == 0 {
		return
	}
	files := make([]string, len(frames))
	content := make(map[string][]byte)
	for i, f := range frames {
		files[i] = filepath.Join(l.dir, fmt.Sprintf("frame-%04d.xml", i))
		if err := os.WriteFile(files[i], f, 0o600); err != nil {
			t.Fatal(err)
		}
		content[files[i]] = f
	}
	epptest.ValidateFiles(t, files, func(f string) string { return string(content[f]) })
}

// client is a minimal EPP client for the tests, built on epp.ReadFrame,
// epp.WriteFrame and the epp message types only.
type client struct {
	t    *testing.T
	conn *tls.Conn
	br   *bufio.Reader
	n    int
	// greeting is the one sent on connect.
	greeting *epp.Greeting
}

// clientTLS returns the TLS configuration of a client, with the client
// certificate when withCert is set.
func (ts *testServer) clientTLS(t *testing.T, withCert bool) *tls.Config {
	t.Helper()
	if withCert {
		cfg, err := ts.files.ClientConfig()
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	pool, err := tlsca.CertPool(ts.files.CACert)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// connect dials the server and reads the greeting.
func (ts *testServer) connect(t *testing.T, cfg *tls.Config) (*client, error) {
	t.Helper()
	d := &tls.Dialer{Config: cfg}
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", ts.srv.Addr())
	if err != nil {
		return nil, err
	}
	c := &client{t: t, conn: conn.(*tls.Conn), br: bufio.NewReader(conn)}
	t.Cleanup(func() { c.conn.Close() })
	g, r, err := c.readErr()
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, fmt.Errorf("got a response, want a greeting: %+v", r)
	}
	c.greeting = g
	return c, nil
}

// dial connects with the client certificate.
func (ts *testServer) dial(t *testing.T) *client {
	t.Helper()
	c, err := ts.connect(t, ts.clientTLS(t, true))
	if err != nil {
		t.Fatalf("connect = %v", err)
	}
	return c
}

// login dials and logs in as clientID with every service.
func (ts *testServer) login(t *testing.T, clientID string) *client {
	t.Helper()
	c := ts.dial(t)
	if r := c.do(loginCmd(clientID, testAccounts[clientID])); r.Code() != epp.CodeOK {
		t.Fatalf("login as %s = %+v", clientID, r.Results)
	}
	return c
}

func loginCmd(clientID, pw string) *epp.Command {
	return &epp.Command{ClTRID: "login-" + clientID, Login: &epp.Login{ClID: clientID, Password: pw, Version: "1.0", Lang: "en",
		ObjURIs: []string{epp.NSDomain, epp.NSContact, epp.NSHost}, ExtURIs: []string{epp.NSFee}}}
}

// trid returns a new clTRID.
func (c *client) trid() string {
	c.n++
	return fmt.Sprintf("TR-%03d", c.n)
}

func (c *client) sendRaw(b []byte) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatalf("write = %v", err)
	}
}

func (c *client) send(cmd *epp.Command) {
	c.t.Helper()
	b, err := cmd.Marshal()
	if err != nil {
		c.t.Fatalf("Marshal(%s) = %v", cmd.Kind(), err)
	}
	c.conn.SetWriteDeadline(time.Now().Add(ioTimeout))
	if err := epp.WriteFrame(c.conn, b); err != nil {
		c.t.Fatalf("WriteFrame = %v", err)
	}
}

func (c *client) readErr() (*epp.Greeting, *epp.Response, error) {
	c.conn.SetReadDeadline(time.Now().Add(ioTimeout))
	b, err := epp.ReadFrame(c.br, 0)
	if err != nil {
		return nil, nil, err
	}
	return epp.ParseServerMessage(b)
}

// read reads a response, failing the test on anything else.
func (c *client) read() *epp.Response {
	c.t.Helper()
	g, r, err := c.readErr()
	switch {
	case err != nil:
		c.t.Fatalf("read = %v", err)
	case g != nil:
		c.t.Fatalf("read a greeting, want a response")
	}
	return r
}

// do sends cmd, with a new clTRID if it has none, and reads the response,
// which must echo the clTRID.
func (c *client) do(cmd *epp.Command) *epp.Response {
	c.t.Helper()
	if cmd.ClTRID == "" && !cmd.Hello {
		cmd.ClTRID = c.trid()
	}
	c.send(cmd)
	r := c.read()
	if r.ClTRID != cmd.ClTRID {
		c.t.Errorf("%s: response clTRID %q, want %q", cmd.Kind(), r.ClTRID, cmd.ClTRID)
	}
	if r.SvTRID == "" {
		c.t.Errorf("%s: response without svTRID", cmd.Kind())
	}
	return r
}

// hello sends <hello> and reads the greeting.
func (c *client) hello() *epp.Greeting {
	c.t.Helper()
	c.send(&epp.Command{Hello: true})
	g, _, err := c.readErr()
	if err != nil || g == nil {
		c.t.Fatalf("hello: greeting %v, error %v", g, err)
	}
	return g
}

// expectClosed checks that the server closes the connection without
// sending anything more.
func (c *client) expectClosed() {
	c.t.Helper()
	g, r, err := c.readErr()
	if err == nil {
		c.t.Fatalf("read = greeting %+v, response %+v; want the connection closed", g, r)
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("read = %v; want the connection closed", err)
	}
}

// wantCode checks a response's result code.
func wantCode(t *testing.T, what string, r *epp.Response, code int) {
	t.Helper()
	if r.Code() != code {
		t.Errorf("%s = %d %+v, want %d", what, r.Code(), r.Results, code)
	}
}

// recordHandler is a slog.Handler that keeps every record.
type recordHandler struct {
	mu      *sync.Mutex
	records *[]slog.Record
}

func newRecordHandler() recordHandler {
	return recordHandler{mu: new(sync.Mutex), records: new([]slog.Record)}
}

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.records = append(*h.records, r.Clone())
	return nil
}
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordHandler) WithGroup(string) slog.Handler      { return h }

// find returns the attributes of the records with message msg.
func (h recordHandler) find(msg string) []map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]string
	for _, r := range *h.records {
		if r.Message != msg {
			continue
		}
		m := make(map[string]string)
		r.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value.String()
			return true
		})
		out = append(out, m)
	}
	return out
}

// text returns every record as text, for leak checks.
func (h recordHandler) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, r := range *h.records {
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.Key + "=" + a.Value.String())
			return true
		})
		b.WriteString("\n")
	}
	return b.String()
}
