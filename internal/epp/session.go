package epp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// TransportError is a failure to get an answer to a command: no session
// could be had, the connection failed, or no response came in time.
//
// Sent tells whether the command may have reached the server: it is true
// once any byte of the command was written to the connection. For a
// transform a TransportError with Sent set is an UNKNOWN OUTCOME: the
// command may have been executed, and must not be retried blindly (see
// epp.md §8.4 for reconciliation). With Sent false the command certainly
// was not executed.
//
// Op says where it failed:
//   - "ratelimit": the context ended while waiting for the rate limiter;
//   - "acquire": the context ended while waiting for a free session, or
//     the client is closed (ErrClientClosed);
//   - "connect": a new session could not be opened (TCP, TLS, greeting),
//     or the pool is backing off after failed connects (ErrBackingOff);
//   - "login": the server refused the login (see LoginError);
//   - "write": the command could not be written;
//   - "read": no usable response arrived: timeout (Timeout reports it),
//     connection lost, or an unreadable or mismatched answer.
type TransportError struct {
	Op   string
	Err  error
	Sent bool
}

func (e *TransportError) Error() string {
	state := "not sent"
	if e.Sent {
		state = "sent, outcome unknown"
	}
	return fmt.Sprintf("epp %s: %v (command %s)", e.Op, e.Err, state)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the error is a deadline: the command's own
// timeout or the caller's context deadline.
func (e *TransportError) Timeout() bool {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// LoginError is a login the server refused. It is carried by a
// *TransportError with Op "login" (the caller's command was not sent).
// It deliberately does not unwrap to *Error: the code answers the login,
// not the caller's command.
type LoginError struct {
	Code   int
	Msg    string // the server's message
	SvTRID string
}

// ConfigError reports a refusal that retrying cannot fix: a wrong client
// ID, password, certificate or source address (2200, 2201, 2501).
func (e *LoginError) ConfigError() bool {
	switch e.Code {
	case CodeAuthenticationError, CodeAuthorizationError, CodeAuthErrorClosing:
		return true
	}
	return false
}

func (e *LoginError) Error() string {
	switch {
	case e.ConfigError():
		return fmt.Sprintf("login refused with %d %q: configuration error: check the client ID, password, client certificate and allowed source address", e.Code, e.Msg)
	case e.Code == CodeSessionLimitExceeded:
		return fmt.Sprintf("login refused with %d %q: session limit exceeded, pool size reduced", e.Code, e.Msg)
	}
	return fmt.Sprintf("login failed with %d %q", e.Code, e.Msg)
}

var (
	// ErrClientClosed is returned (inside a *TransportError) by Do on a
	// closed Client.
	ErrClientClosed = errors.New("epp: client closed")
	// ErrBackingOff is returned (inside a *TransportError, Sent false) when
	// no session is open and the pool is waiting before its next connect
	// attempt. The error also carries the last connect failure.
	ErrBackingOff = errors.New("epp: registry unavailable, backing off before reconnecting")
	// ErrServiceNotOffered is returned by Do for a command whose object
	// or extension namespace the session did not log in with, because the
	// server's greeting did not offer it. The command is not sent.
	ErrServiceNotOffered = errors.New("epp: service not offered by the server")
)

// timeoutError is the cause of a command's own deadline.
type timeoutError struct {
	what string
	d    time.Duration
}

func (e *timeoutError) Error() string        { return fmt.Sprintf("no answer to %s within %s", e.what, e.d) }
func (e *timeoutError) Timeout() bool        { return true }
func (e *timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// countingConn counts the bytes written to the network below TLS, so that
// a failed write can tell whether anything at all left.
type countingConn struct {
	net.Conn
	written atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.written.Add(int64(n))
	return n, err
}

// session is one EPP session: one TLS connection, logged in. A reader
// goroutine delivers the frames the server sends; the session's user
// writes one command at a time and waits for its answer. A session is
// used by one goroutine at a time (whoever took it from the pool), so the
// fields below the line need no lock.
type session struct {
	id   uint64
	conn *tls.Conn
	raw  *countingConn

	in      chan []byte   // frames from the server (buffer 1)
	dead    chan struct{} // closed when the reader stops
	readErr error         // why it stopped; written before dead is closed
	stop    chan struct{} // closed by close
	once    sync.Once
	// releaseSlot gives the session's SessionGate slot back; close calls
	// it. revoked (guarded by Client.mu) says the gate lost the slot.
	releaseSlot func()
	revoked     bool

	created  time.Time
	lastUsed time.Time
	commands int // commands and hellos written after login
	objURIs  []string
	extURIs  []string
}

func newSession(id uint64, conn *tls.Conn, raw *countingConn) *session {
	now := time.Now()
	return &session{
		id: id, conn: conn, raw: raw,
		in: make(chan []byte, 1), dead: make(chan struct{}), stop: make(chan struct{}),
		created: now, lastUsed: now,
	}
}

// readLoop reads frames until the connection fails or is closed.
func (s *session) readLoop(maxFrame int) {
	for {
		b, err := ReadFrame(s.conn, maxFrame)
		if err != nil {
			s.readErr = err
			close(s.dead)
			return
		}
		select {
		case s.in <- b:
		case <-s.stop:
			s.readErr = net.ErrClosed
			close(s.dead)
			return
		}
	}
}

// close closes the connection, then gives its slot back; the reader
// stops. Idempotent.
func (s *session) close() {
	s.once.Do(func() {
		close(s.stop)
		s.conn.Close()
		if s.releaseSlot != nil {
			s.releaseSlot()
		}
	})
}

func (s *session) isDead() bool {
	select {
	case <-s.dead:
		return true
	default:
		return false
	}
}

// receive waits for the next frame until ctx ends.
func (s *session) receive(ctx context.Context) ([]byte, error) {
	select {
	case b := <-s.in:
		return b, nil
	case <-s.dead:
		select {
		case b := <-s.in: // the reader queues a frame before it stops
			return b, nil
		default:
		}
		return nil, fmt.Errorf("connection lost: %w", s.readErr)
	case <-ctx.Done():
		select {
		case b := <-s.in:
			return b, nil
		default:
		}
		return nil, context.Cause(ctx)
	}
}

// exchange writes one frame and waits for one frame in answer, until ctx
// ends (ctx must have a deadline, which also bounds the write). stale
// reports that the session was found unusable before anything was
// written: closed by the server while idle, or unsolicited data pending.
// Errors are *TransportError with Sent set from the bytes that reached the
// connection.
func (s *session) exchange(ctx context.Context, frame []byte) (answer []byte, stale bool, err error) {
	if s.isDead() {
		return nil, true, &TransportError{Op: "write", Err: fmt.Errorf("session closed by the server before the command was sent: %w", s.readErr)}
	}
	select {
	case <-s.in:
		return nil, true, &TransportError{Op: "write", Err: errors.New("unsolicited data from the server before the command was sent")}
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, false, &TransportError{Op: "write", Err: context.Cause(ctx)}
	}
	dl, _ := ctx.Deadline()
	if err := s.conn.SetWriteDeadline(dl); err != nil {
		return nil, false, &TransportError{Op: "write", Err: err}
	}
	before := s.raw.written.Load()
	err = WriteFrame(s.conn, frame)
	if err != nil {
		return nil, false, &TransportError{Op: "write", Err: err, Sent: s.raw.written.Load() != before}
	}
	answer, err = s.receive(ctx)
	if err != nil {
		return nil, false, &TransportError{Op: "read", Err: err, Sent: true}
	}
	return answer, false, nil
}

// missingService returns the namespace cmd needs that the session did
// not log in with, or "".
func (s *session) missingService(cmd *Command) string {
	var obj string
	switch {
	case cmd.DomainCheck != nil, cmd.DomainInfo != nil, cmd.DomainCreate != nil, cmd.DomainRenew != nil, cmd.DomainUpdate != nil,
		cmd.DomainTransfer != nil, cmd.DomainDelete != nil:
		obj = NSDomain
	case cmd.ContactCreate != nil, cmd.ContactInfo != nil:
		obj = NSContact
	case cmd.HostCreate != nil, cmd.HostCheck != nil, cmd.HostInfo != nil, cmd.HostUpdate != nil, cmd.HostDelete != nil:
		obj = NSHost
	}
	if obj != "" && !slices.Contains(s.objURIs, obj) {
		return obj
	}
	fee := (cmd.DomainCheck != nil && cmd.DomainCheck.Fee != nil) ||
		(cmd.DomainCreate != nil && cmd.DomainCreate.Fee != nil) ||
		(cmd.DomainRenew != nil && cmd.DomainRenew.Fee != nil) ||
		(cmd.DomainTransfer != nil && cmd.DomainTransfer.Fee != nil)
	if fee && !slices.Contains(s.extURIs, NSFee) {
		return NSFee
	}
	if cmd.DomainUpdate != nil && cmd.DomainUpdate.RGP != nil && !slices.Contains(s.extURIs, NSRGP) {
		return NSRGP
	}
	if cmd.DomainUpdate != nil && cmd.DomainUpdate.SecDNS != nil && !slices.Contains(s.extURIs, NSSecDNS) {
		return NSSecDNS
	}
	if cmd.ContactCreate != nil && len(cmd.ContactCreate.Unspec) > 0 && !slices.Contains(s.extURIs, NSNeuLevel) {
		return NSNeuLevel
	}
	return ""
}

// Services this client supports, in the order it asks for them.
var (
	supportedObjURIs = []string{NSDomain, NSContact, NSHost}
	supportedExtURIs = []string{NSFee, NSNeuLevel, NSRGP, NSSecDNS}
)

// loginFor builds the login for a greeting: version 1.0, "en" if offered
// (else the first language), and the services both sides support.
func (c *Client) loginFor(g *Greeting) (*Login, error) {
	if !slices.Contains(g.Versions, "1.0") {
		return nil, fmt.Errorf("server offers EPP versions %q, want 1.0", g.Versions)
	}
	lang := "en"
	if len(g.Langs) > 0 && !slices.Contains(g.Langs, "en") {
		lang = g.Langs[0]
	}
	l := &Login{ClID: c.cfg.ClientID, Password: c.cfg.Password, Version: "1.0", Lang: lang}
	for _, u := range supportedObjURIs {
		if slices.Contains(g.ObjURIs, u) {
			l.ObjURIs = append(l.ObjURIs, u)
		}
	}
	if len(l.ObjURIs) == 0 {
		return nil, fmt.Errorf("server offers none of the object services we support (domain, contact, host): %q", g.ObjURIs)
	}
	for _, u := range supportedExtURIs {
		if slices.Contains(g.ExtURIs, u) {
			l.ExtURIs = append(l.ExtURIs, u)
		}
	}
	return l, nil
}

// connect opens a session: TCP, TLS, greeting and login, all within
// DialTimeout and ctx, and aborted by Close. The session holds slot, if
// any, from the moment it exists. Errors are *TransportError with Sent
// false.
func (c *Client) connect(ctx context.Context, slot *gateSlot) (*session, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.DialTimeout,
		&timeoutError{what: "connect (TCP, TLS, greeting, login)", d: c.cfg.DialTimeout})
	defer cancel()
	stop := context.AfterFunc(c.ctx, cancel)
	defer stop()

	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", c.cfg.Addr)
	if err != nil {
		return nil, &TransportError{Op: "connect", Err: err}
	}
	raw := &countingConn{Conn: nc}
	tc := tls.Client(raw, c.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		nc.Close()
		return nil, &TransportError{Op: "connect", Err: fmt.Errorf("TLS handshake with %s: %w", c.cfg.Addr, err)}
	}
	s := newSession(c.nextSessionID.Add(1), tc, raw)
	if slot != nil {
		s.releaseSlot = slot.release
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		s.readLoop(c.cfg.MaxFrameSize)
		c.kickMaintainer()
	}()
	fail := func(op string, err error) (*session, error) {
		s.close()
		return nil, &TransportError{Op: op, Err: err}
	}

	b, err := s.receive(ctx)
	if err != nil {
		return fail("connect", fmt.Errorf("waiting for the greeting: %w", err))
	}
	g, _, err := ParseServerMessage(b)
	if err != nil {
		return fail("connect", fmt.Errorf("unreadable greeting: %w", err))
	}
	if g == nil {
		return fail("connect", errors.New("server sent a <response> instead of a <greeting>"))
	}
	c.greeting.Store(g)

	login, err := c.loginFor(g)
	if err != nil {
		return fail("login", err)
	}
	cmd := &Command{Login: login, ClTRID: c.newClTRID()}
	frame, err := cmd.Marshal()
	if err != nil {
		return fail("login", err)
	}
	answer, _, err := s.exchange(ctx, frame)
	if err != nil {
		return fail("login", err.(*TransportError).Err)
	}
	_, resp, err := ParseServerMessage(answer)
	if err != nil {
		return fail("login", fmt.Errorf("unreadable login response: %w", err))
	}
	if resp == nil {
		return fail("login", errors.New("server sent a <greeting> in answer to <login>"))
	}
	if resp.Code() != CodeOK {
		le := &LoginError{Code: resp.Code(), SvTRID: resp.SvTRID}
		if len(resp.Results) > 0 {
			le.Msg = resp.Results[0].Msg
		}
		return fail("login", le)
	}
	s.objURIs, s.extURIs = login.ObjURIs, login.ExtURIs
	s.lastUsed = time.Now()
	c.log.Info("epp session logged in", "session", s.id, "svID", g.SvID,
		"objURIs", s.objURIs, "extURIs", s.extURIs, "svTRID", resp.SvTRID)
	return s, nil
}

// logout sends <logout> (expecting 1500) and closes the session.
func (c *Client) logout(s *session, reason string) error {
	defer s.close()
	ctx, cancel := context.WithTimeoutCause(context.Background(), c.cfg.QueryTimeout,
		&timeoutError{what: "logout", d: c.cfg.QueryTimeout})
	defer cancel()
	frame, err := (&Command{Logout: true, ClTRID: c.newClTRID()}).Marshal()
	if err != nil {
		return err
	}
	answer, stale, err := s.exchange(ctx, frame)
	if stale {
		c.log.Info("epp session closed", "session", s.id, "reason", reason, "logout", "session already closed by the server")
		return nil
	}
	if err != nil {
		c.log.Warn("epp logout failed", "session", s.id, "reason", reason, "err", err)
		return fmt.Errorf("epp: logout of session %d: %w", s.id, err)
	}
	_, resp, err := ParseServerMessage(answer)
	switch {
	case err != nil:
		err = fmt.Errorf("epp: logout of session %d: unreadable response: %w", s.id, err)
	case resp == nil:
		err = fmt.Errorf("epp: logout of session %d: got a <greeting>", s.id)
	case resp.Code() != CodeEndingSession:
		err = fmt.Errorf("epp: logout of session %d: got %d %s, want 1500", s.id, resp.Code(), resp.Results[0].Msg)
	}
	if err != nil {
		c.log.Warn("epp logout failed", "session", s.id, "reason", reason, "err", err)
		return err
	}
	c.log.Info("epp session logged out", "session", s.id, "reason", reason, "commands", s.commands,
		"age", time.Since(s.created).Round(time.Millisecond), "svTRID", resp.SvTRID)
	return nil
}

// hello sends a keepalive <hello> on an idle session taken from the pool,
// then hands the session back (or drops it if it failed).
func (c *Client) hello(s *session) {
	ctx, cancel := context.WithTimeoutCause(context.Background(), c.cfg.QueryTimeout,
		&timeoutError{what: "hello", d: c.cfg.QueryTimeout})
	defer cancel()
	frame, err := (&Command{Hello: true}).Marshal()
	if err != nil { // cannot happen: a hello has no fields
		c.drop(s, "keepalive", err)
		return
	}
	answer, stale, err := s.exchange(ctx, frame)
	if stale {
		c.drop(s, "closed by the server while idle", err)
		return
	}
	if err != nil {
		c.poison(s, "hello", "", err)
		return
	}
	s.commands++
	c.hellos.Add(1)
	g, resp, err := ParseServerMessage(answer)
	switch {
	case err != nil:
		c.poison(s, "hello", "", fmt.Errorf("unreadable answer to <hello>: %w", err))
		return
	case resp != nil && resp.Code() == CodeSessionLimitExceeded:
		c.sessionLimit(s, "hello")
		return
	case resp != nil:
		c.poison(s, "hello", "", fmt.Errorf("got a <response> with code %d in answer to <hello>", resp.Code()))
		return
	}
	c.greeting.Store(g)
	c.log.Debug("epp keepalive", "session", s.id, "svID", g.SvID)
	c.release(s)
}
