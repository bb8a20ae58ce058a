package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openregistrar/registrar/internal/epp"
)

// Defaults of ServerConfig.
const (
	DefaultMaxSessionsPerClient = 10
	DefaultIdleTimeout          = 5 * time.Minute
	DefaultFailedLoginLimit     = 3
	DefaultReadTimeout          = time.Minute
	DefaultSvID                 = "OpenRegistrar sandbox"
	DefaultPreLoginFrames       = 16
	DefaultPreLoginBytes        = 64 << 10
	DefaultPreLoginTimeout      = 30 * time.Second
	DefaultLoginFailures        = 10
	DefaultLoginFailureInterval = time.Minute
)

// ServerConfig configures a Server. A zero field takes the default in
// brackets.
type ServerConfig struct {
	// TLS is the listener's TLS configuration, such as tlsca's
	// Files.ServerConfig: its ClientAuth decides whether client
	// certificates are verified when presented, or required. Required:
	// EPP runs over TLS only.
	TLS *tls.Config
	// Accounts are the accepted logins: client ID to password.
	Accounts map[string]string
	// MaxSessionsPerClient caps the logged-in sessions of one client ID
	// [DefaultMaxSessionsPerClient]; a login beyond it answers 2502 and
	// closes the connection.
	MaxSessionsPerClient int
	// IdleTimeout closes a connection on which no command started for
	// this long [DefaultIdleTimeout].
	IdleTimeout time.Duration
	// FailedLoginLimit is the number of failed logins on a connection
	// [DefaultFailedLoginLimit]: the last one answers 2501 and closes the
	// connection; those before answer 2200.
	FailedLoginLimit int
	// MaxFrameSize limits a frame's length, header included
	// [epp.DefaultMaxFrameSize]; a longer length header (or one below 5)
	// closes the connection (RFC 5734 section 4) without an answer.
	MaxFrameSize int
	// ReadTimeout bounds the TLS handshake, the reading of a frame once its
	// first byte has arrived, and the writing of an answer
	// [DefaultReadTimeout]; when it passes the connection is closed.
	ReadTimeout time.Duration
	// PreLoginFrames [DefaultPreLoginFrames], PreLoginBytes (headers
	// included) [DefaultPreLoginBytes] and PreLoginTimeout (from the end of
	// the TLS handshake) [DefaultPreLoginTimeout] bound what a connection
	// may send, and for how long, before it has logged in: a frame beyond
	// either count answers 2500 and closes the connection, the timeout
	// closes it.
	PreLoginFrames  int
	PreLoginBytes   int
	PreLoginTimeout time.Duration
	// LoginFailures [DefaultLoginFailures] and LoginFailureInterval
	// [DefaultLoginFailureInterval] throttle failed logins across
	// connections, per client ID and per remote address (IPv6 per /64):
	// each has a token bucket of LoginFailures failures that gets one back
	// per LoginFailureInterval. A login while either bucket is empty is
	// answered 2501, its password unchecked, and the connection closed.
	LoginFailures        int
	LoginFailureInterval time.Duration
	// SvID is the greeting's server name [DefaultSvID].
	SvID string
	// Logger receives a debug record per session event and command. Nil
	// discards.
	Logger *slog.Logger
	// Trace, when set, receives every frame the server reads (in) and
	// writes (out), for tests that check frames against the schemas.
	// Frames hold passwords and auth codes: never log them.
	Trace func(in bool, frame []byte)
}

// The services the server offers in its greeting and accepts at login.
var (
	serverObjURIs = []string{epp.NSDomain, epp.NSContact, epp.NSHost}
	serverExtURIs = []string{epp.NSFee, epp.NSNeuLevel, epp.NSRGP, epp.NSSecDNS}
)

// Server is the sandbox registry's EPP front end (RFC 5730-5734): a TLS
// listener whose sessions run the engine's commands as the client ID they
// logged in with. Each connection is one session, served by one goroutine
// that reads a frame, runs its command and writes the answer, in order
// (pipelined frames wait their turn).
//
// Answers that come from the engine carry its svTRID ("SANDBOX-<log
// seq>") and are in its command log; answers the server gives itself
// (session commands, commands refused before reaching the engine,
// malformed frames, 2400 for an outage) carry an svTRID of the form
// "SRV-<server run>-<n>" and are only in the server's slog records.
type Server struct {
	engine *Engine
	cfg    ServerConfig
	log    *slog.Logger
	runID  string
	trSeq  atomic.Uint64

	// ctx is the context of the engine's commands, cancelled by Close.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	ln       net.Listener
	conns    map[net.Conn]struct{}
	sessions map[string]int // logged-in sessions per client ID
	throttle *loginThrottle // failed logins per client ID and address
	closed   bool
	wg       sync.WaitGroup

	// sent, when set before Listen (by tests), sees every frame the
	// server writes.
	sent func([]byte)
}

// NewServer returns a server for the engine's registry, not yet listening.
func NewServer(e *Engine, cfg ServerConfig) *Server {
	if cfg.MaxSessionsPerClient <= 0 {
		cfg.MaxSessionsPerClient = DefaultMaxSessionsPerClient
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.FailedLoginLimit <= 0 {
		cfg.FailedLoginLimit = DefaultFailedLoginLimit
	}
	if cfg.MaxFrameSize <= 0 {
		cfg.MaxFrameSize = epp.DefaultMaxFrameSize
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.SvID == "" {
		cfg.SvID = DefaultSvID
	}
	if cfg.PreLoginFrames <= 0 {
		cfg.PreLoginFrames = DefaultPreLoginFrames
	}
	if cfg.PreLoginBytes <= 0 {
		cfg.PreLoginBytes = DefaultPreLoginBytes
	}
	if cfg.PreLoginTimeout <= 0 {
		cfg.PreLoginTimeout = DefaultPreLoginTimeout
	}
	if cfg.LoginFailures <= 0 {
		cfg.LoginFailures = DefaultLoginFailures
	}
	if cfg.LoginFailureInterval <= 0 {
		cfg.LoginFailureInterval = DefaultLoginFailureInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		engine:   e,
		cfg:      cfg,
		log:      cfg.Logger,
		runID:    rand.Text()[:10],
		ctx:      ctx,
		cancel:   cancel,
		conns:    make(map[net.Conn]struct{}),
		sessions: make(map[string]int),
		throttle: newLoginThrottle(cfg.LoginFailures, cfg.LoginFailureInterval),
	}
}

// Listen listens on the TCP address addr (such as "127.0.0.1:0" or
// ":700") and serves connections in the background until Close.
func (s *Server) Listen(addr string) error {
	if s.cfg.TLS == nil {
		return errors.New("sandbox: EPP server: no TLS configuration")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return errors.New("sandbox: EPP server: closed")
	case s.ln != nil:
		return errors.New("sandbox: EPP server: already listening")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: EPP server: %w", err)
	}
	s.ln = tls.NewListener(ln, s.cfg.TLS)
	s.wg.Add(1)
	go s.accept(s.ln)
	s.log.Info("sandbox EPP server listening", "addr", ln.Addr().String())
	return nil
}

// Addr returns the address the server listens on, such as
// "127.0.0.1:41234", or "" before Listen.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops accepting connections, closes every session (a command in
// progress runs to its end in the engine, but its answer is not sent) and
// waits for the server's goroutines to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ln := s.ln
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	var err error
	if ln != nil {
		if err = ln.Close(); errors.Is(err, net.ErrClosed) {
			err = nil
		}
	}
	// Connections first, so that a command cut short by the cancel below
	// answers no one.
	for _, c := range conns {
		c.Close()
	}
	s.cancel()
	s.wg.Wait()
	return err
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// svTRID returns a new server transaction ID for an answer the server
// gives itself.
func (s *Server) svTRID() string {
	return "SRV-" + s.runID + "-" + strconv.FormatUint(s.trSeq.Add(1), 10)
}

func (s *Server) accept(ln net.Listener) {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.isClosed() {
				return
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("sandbox EPP server: accept failed", "error", err, "retry_in", backoff)
			select {
			case <-time.After(backoff):
			case <-s.ctx.Done():
				return
			}
			continue
		}
		backoff = 0
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				conn.Close()
				s.mu.Lock()
				delete(s.conns, conn)
				s.mu.Unlock()
			}()
			s.serve(conn.(*tls.Conn))
		}()
	}
}

// serve runs the TLS handshake and the session of one connection.
func (s *Server) serve(conn *tls.Conn) {
	log := s.log.With("remote", conn.RemoteAddr().String())
	conn.SetDeadline(time.Now().Add(s.cfg.ReadTimeout))
	if err := conn.HandshakeContext(s.ctx); err != nil {
		log.Debug("sandbox EPP: TLS handshake failed", "error", err)
		return
	}
	conn.SetDeadline(time.Time{})
	if st := conn.ConnectionState(); len(st.PeerCertificates) > 0 {
		log.Debug("sandbox EPP: client certificate",
			"cn", st.PeerCertificates[0].Subject.CommonName, "verified", len(st.VerifiedChains) > 0)
	}
	ss := newSession(s, conn, log)
	ss.run()
}

// acquire takes a session slot for clientID, reporting false when the
// client has MaxSessionsPerClient already.
func (s *Server) acquire(clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[clientID] >= s.cfg.MaxSessionsPerClient {
		return false
	}
	s.sessions[clientID]++
	return true
}

func (s *Server) release(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[clientID]--; s.sessions[clientID] <= 0 {
		delete(s.sessions, clientID)
	}
}
