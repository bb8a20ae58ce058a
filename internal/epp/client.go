package epp

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// ClientConfig configures a Client. Zero values take the defaults in
// brackets.
type ClientConfig struct {
	Addr string // host:port of the registry's EPP server
	// TLS is required: server verification (RootCAs, ServerName; the
	// host of Addr when empty) and optionally a client certificate.
	// InsecureSkipVerify is refused. TLS 1.2 is the minimum.
	TLS      *tls.Config
	ClientID string // clID, 3-16 characters
	Password string // 6-16 characters; never logged

	PoolSize  int     // sessions, 1..100 [2]
	RateLimit float64 // commands/s across the pool [10]; math.Inf(1) for none
	RateBurst int     // [max(1, RateLimit)]

	KeepAlive        time.Duration // send <hello> on a session idle this long [4m]
	QueryTimeout     time.Duration // check, info, poll; also hello and logout [10s]
	TransformTimeout time.Duration // create, renew, update, transfer, delete [20s]
	DialTimeout      time.Duration // TCP + TLS + greeting + login [15s]

	// A session is logged out and replaced, when idle, after this many
	// commands (hellos included, login not) [1000] or after this long [12h].
	MaxSessionCommands int
	MaxSessionAge      time.Duration

	// ClTRIDPrefix starts generated client transaction IDs: 1-32
	// characters of [A-Za-z0-9._-] ["OR"].
	ClTRIDPrefix string
	Logger       *slog.Logger // [discard]
	MaxFrameSize int          // largest frame accepted [DefaultMaxFrameSize]

	// Sessions, when set, bounds this pool's sessions together with the
	// other Clients sharing it (replicas of one deployment): a session is
	// dialed only with a slot from it and gives the slot back when closed.
	// When it grants none, the pool works with the sessions it has; with
	// none open, Do fails fast (ErrBackingOff, ErrNoSessionSlot) and the
	// gate is asked again after a short wait. Idle sessions give their
	// slot back after KeepAlive instead of sending <hello>, so that idle
	// replicas do not keep slots busy ones need. Nil: PoolSize alone.
	Sessions SessionGate

	// Observe, when set, is told of every command Do writes: its kind,
	// the result code (0 when no answer came) and how long the round
	// trip took (metrics). It must not block.
	Observe func(kind string, code int, d time.Duration)
}

// Client is a pool of EPP sessions to one registry. It is safe for
// concurrent use. Sessions are opened on demand, up to the pool size;
// each carries one command at a time.
type Client struct {
	cfg      ClientConfig
	tls      *tls.Config
	log      *slog.Logger
	limiter  *rate.Limiter
	trPrefix string
	trSeq    atomic.Uint64
	greeting atomic.Pointer[Greeting]

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // maintainer, session readers, hellos, logouts
	kick   chan struct{}  // wakes the maintainer

	nextSessionID atomic.Uint64
	commands      atomic.Uint64
	hellos        atomic.Uint64

	closeOnce sync.Once
	closeErr  error

	mu           sync.Mutex
	closed       bool
	idle         []*session // FIFO
	open         int        // sessions dialing, idle, in use or logging out
	dialing      int
	retiring     int // logging out
	target       int
	changed      chan struct{} // closed and replaced on every pool change
	failures     int           // consecutive failed connects
	backoffUntil time.Time
	lastErr      error
	lost         int // sessions lost and not yet replaced
	// slotWaitUntil holds off dialing after the gate granted no slot, and
	// slotErr says why.
	slotWaitUntil time.Time
	slotErr       error
	logoutErrs    []error
	st            ClientStats // counters only
}

// ClientStats is a snapshot of the pool, for tests and logs.
type ClientStats struct {
	PoolSize int // configured
	Target   int // current target size: PoolSize less one per 2502, at least 1
	Open     int // sessions dialing, idle, in use or logging out
	Idle     int
	Dialing  int

	Commands        uint64 // commands written by Do
	Hellos          uint64 // keepalive hellos answered
	Connects        uint64 // sessions opened (logged in)
	ConnectFailures uint64 // failed connect or login attempts
	Reconnects      uint64 // sessions opened to replace a lost or retired one
	Poisoned        uint64 // sessions closed after a timeout or I/O error mid-command
	Recycled        uint64 // sessions retired after MaxSessionCommands or MaxSessionAge
	SessionLimit    uint64 // 2502 answers seen
	SlotWaits       uint64 // dials not made: the SessionGate granted no slot
	SlotsLost       uint64 // sessions closed because the SessionGate lost their slot
	IdleClosed      uint64 // idle sessions logged out to give their slot back
	BackoffUntil    time.Time
}

const (
	minBackoff   = 100 * time.Millisecond
	maxBackoff   = 30 * time.Second
	maxPoolSize  = 100
	maxTRIDStem  = 32
	foreverSleep = time.Hour
)

// NewClient validates cfg and returns a Client. It does not connect: the
// first session is opened by the first Do.
func NewClient(cfg ClientConfig) (*Client, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	tc := cfg.TLS.Clone()
	if tc.ServerName == "" {
		host, _, _ := net.SplitHostPort(cfg.Addr)
		tc.ServerName = host
	}
	if tc.MinVersion < tls.VersionTLS12 {
		tc.MinVersion = tls.VersionTLS12
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	limit := rate.Limit(cfg.RateLimit)
	if math.IsInf(cfg.RateLimit, 1) {
		limit = rate.Inf
	}
	c := &Client{
		cfg:      cfg,
		tls:      tc,
		log:      cfg.Logger.With("epp_server", cfg.Addr, "clID", cfg.ClientID),
		limiter:  rate.NewLimiter(limit, cfg.RateBurst),
		trPrefix: cfg.ClTRIDPrefix + "-" + hex.EncodeToString(rnd[:]) + "-",
		kick:     make(chan struct{}, 1),
		target:   cfg.PoolSize,
		changed:  make(chan struct{}),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.wg.Add(1)
	go c.maintain()
	return c, nil
}

func (cfg *ClientConfig) setDefaults() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if _, port, err := net.SplitHostPort(cfg.Addr); err != nil || port == "" {
		bad("Addr %q: want host:port", cfg.Addr)
	}
	switch {
	case cfg.TLS == nil:
		bad("TLS: required (server verification, client certificate)")
	case cfg.TLS.InsecureSkipVerify:
		bad("TLS: InsecureSkipVerify is not allowed")
	}
	if n := len(cfg.ClientID); n < 3 || n > 16 || strings.TrimSpace(cfg.ClientID) != cfg.ClientID {
		bad("ClientID: want 3-16 characters")
	}
	if n := len(cfg.Password); n < 6 || n > 16 {
		bad("Password: want 6-16 characters") // never echo it
	}
	if cfg.PoolSize == 0 {
		cfg.PoolSize = 2
	}
	if cfg.PoolSize < 1 || cfg.PoolSize > maxPoolSize {
		bad("PoolSize %d: want 1-%d", cfg.PoolSize, maxPoolSize)
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 10
	}
	if !(cfg.RateLimit > 0) { // also NaN
		bad("RateLimit %v: want > 0", cfg.RateLimit)
	}
	if cfg.RateBurst == 0 {
		cfg.RateBurst = int(max(1, min(cfg.RateLimit, 1e6)))
	}
	if cfg.RateBurst < 0 {
		bad("RateBurst %d: want > 0", cfg.RateBurst)
	}
	durations := []struct {
		name string
		d    *time.Duration
		def  time.Duration
	}{
		{"KeepAlive", &cfg.KeepAlive, 4 * time.Minute},
		{"QueryTimeout", &cfg.QueryTimeout, 10 * time.Second},
		{"TransformTimeout", &cfg.TransformTimeout, 20 * time.Second},
		{"DialTimeout", &cfg.DialTimeout, 15 * time.Second},
		{"MaxSessionAge", &cfg.MaxSessionAge, 12 * time.Hour},
	}
	for _, x := range durations {
		if *x.d == 0 {
			*x.d = x.def
		}
		if *x.d < 0 {
			bad("%s %v: want > 0", x.name, *x.d)
		}
	}
	if cfg.MaxSessionCommands == 0 {
		cfg.MaxSessionCommands = 1000
	}
	if cfg.MaxSessionCommands < 0 {
		bad("MaxSessionCommands %d: want > 0", cfg.MaxSessionCommands)
	}
	if cfg.ClTRIDPrefix == "" {
		cfg.ClTRIDPrefix = "OR"
	}
	if len(cfg.ClTRIDPrefix) > maxTRIDStem || strings.IndexFunc(cfg.ClTRIDPrefix, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-')
	}) >= 0 {
		bad("ClTRIDPrefix %q: want 1-%d characters of [A-Za-z0-9._-]", cfg.ClTRIDPrefix, maxTRIDStem)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxFrameSize == 0 {
		cfg.MaxFrameSize = DefaultMaxFrameSize
	}
	if cfg.MaxFrameSize < 0 {
		bad("MaxFrameSize %d: want > 0", cfg.MaxFrameSize)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("epp: invalid client configuration: %w", err)
	}
	return nil
}

// newClTRID returns prefix-random-counter: unique per client and, through
// the random part, across restarts. At most 32+1+12+1+13 = 59 characters.
func (c *Client) newClTRID() string {
	return c.trPrefix + strconv.FormatUint(c.trSeq.Add(1), 36)
}

// maxClTRID is the longest clTRID EPP allows (RFC 5730's trIDStringType).
const maxClTRID = 64

// TaggedClTRID returns a new generated client transaction ID (as Do
// makes) followed by "-" and tag, the tag cut so that the whole is at
// most 64 characters: a caller's way to name, in the registry's records,
// what caused a command (an API request's ID, say).
func (c *Client) TaggedClTRID(tag string) string {
	id := c.newClTRID()
	if room := maxClTRID - len(id) - 1; len(tag) > room {
		tag = tag[:max(room, 0)]
	}
	if tag == "" {
		return id
	}
	return id + "-" + tag
}

// timeoutFor returns the command timeout for a Command.Kind.
func (c *Client) timeoutFor(kind string) time.Duration {
	verb := kind[strings.IndexByte(kind, ':')+1:]
	switch verb {
	case "check", "info", "poll", "hello", "logout":
		return c.cfg.QueryTimeout
	}
	return c.cfg.TransformTimeout // create, renew, update, transfer, delete, and anything unknown
}

// Do sends cmd on a pooled session and returns the response.
//
// It sets cmd.ClTRID when empty (prefix, random part, counter) and the
// response's ClTRID is always the command's. A 2xxx answer is returned as
// the response and its *Error. A failure to get an answer is a
// *TransportError whose Sent field says whether the command may have
// reached the server; Do never retries a command it has written. An
// invalid command gives the *FormatError of Marshal; a command needing a
// service the server did not offer gives ErrServiceNotOffered. Login,
// logout and hello are managed by the client and refused here.
func (c *Client) Do(ctx context.Context, cmd *Command) (*Response, error) {
	if cmd == nil {
		return nil, errors.New("epp: Do: nil command")
	}
	kind := cmd.Kind()
	switch kind {
	case "":
		return nil, errors.New("epp: Do: empty command")
	case "hello", "login", "logout":
		return nil, fmt.Errorf("epp: Do(%s): session commands are managed by the client", kind)
	}
	if cmd.ClTRID == "" {
		cmd.ClTRID = c.newClTRID()
	}
	frame, err := cmd.Marshal()
	if err != nil {
		return nil, err
	}
	if c.isClosed() {
		return nil, &TransportError{Op: "acquire", Err: ErrClientClosed}
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, &TransportError{Op: "ratelimit", Err: err}
	}
	timeout := c.timeoutFor(kind)
	for attempt := 0; ; attempt++ {
		s, err := c.acquire(ctx)
		if err != nil {
			return nil, err
		}
		if ns := s.missingService(cmd); ns != "" {
			c.release(s)
			return nil, fmt.Errorf("%w: Do(%s) needs %s", ErrServiceNotOffered, kind, ns)
		}
		if ctx.Err() != nil {
			c.release(s)
			return nil, &TransportError{Op: "acquire", Err: context.Cause(ctx)}
		}
		start := time.Now()
		cctx, cancel := context.WithTimeoutCause(ctx, timeout, &timeoutError{what: kind, d: timeout})
		answer, stale, err := s.exchange(cctx, frame)
		cancel()
		if stale {
			// Nothing was written: using another session is no retry.
			c.drop(s, "closed by the server while idle", err)
			if attempt < c.cfg.PoolSize {
				continue
			}
			return nil, err
		}
		if err != nil {
			if err.(*TransportError).Sent {
				c.commands.Add(1)
				s.commands++
			}
			c.poison(s, kind, cmd.ClTRID, err)
			c.observe(kind, 0, time.Since(start))
			return nil, err
		}
		c.commands.Add(1)
		s.commands++
		return c.finish(ctx, s, cmd, kind, answer, time.Since(start))
	}
}

// finish interprets the answer to a command written on s and disposes of s.
func (c *Client) finish(ctx context.Context, s *session, cmd *Command, kind string, answer []byte, d time.Duration) (*Response, error) {
	g, resp, err := ParseServerMessage(answer)
	switch {
	case err != nil:
		err = fmt.Errorf("unreadable response: %w", err)
	case g != nil:
		err = errors.New("got a <greeting> in answer to a command")
	case resp.ClTRID != "" && resp.ClTRID != cmd.ClTRID:
		err = fmt.Errorf("response for clTRID %q, want %q", resp.ClTRID, cmd.ClTRID)
	}
	if err != nil {
		terr := &TransportError{Op: "read", Err: err, Sent: true}
		c.poison(s, kind, cmd.ClTRID, terr)
		c.observe(kind, 0, d)
		return nil, terr
	}
	if resp.ClTRID == "" {
		resp.ClTRID = cmd.ClTRID
	}
	code := resp.Code()
	c.observe(kind, code, d)
	attrs := []any{"session", s.id, "kind", kind, "clTRID", cmd.ClTRID, "svTRID", resp.SvTRID,
		"code", code, "duration", d.Round(time.Microsecond)}
	if resp.MsgQ != nil {
		attrs = append(attrs, "msgQ", resp.MsgQ.Count)
	}
	c.log.DebugContext(ctx, "epp command", attrs...)
	switch code {
	case CodeSessionLimitExceeded:
		c.sessionLimit(s, kind)
	case CodeCommandFailedClosing, CodeAuthErrorClosing, CodeEndingSession:
		c.drop(s, fmt.Sprintf("server answered %d and closes the session", code), nil)
	default:
		c.release(s)
	}
	return resp, resp.Err()
}

func (c *Client) observe(kind string, code int, d time.Duration) {
	if c.cfg.Observe != nil {
		c.cfg.Observe(kind, code, d)
	}
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *Client) broadcastLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Client) kickMaintainer() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// acquire returns a session for the caller's exclusive use: an idle one,
// or a new one if the pool is below its target and not backing off. It
// waits (honouring ctx) for a session to come back, but fails fast with
// ErrBackingOff when no session is open and connecting is on hold.
func (c *Client) acquire(ctx context.Context) (*session, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, &TransportError{Op: "acquire", Err: ErrClientClosed}
		}
		for len(c.idle) > 0 {
			s := c.idle[0]
			c.idle = slices.Delete(c.idle, 0, 1)
			if s.isDead() {
				c.dropLocked(s, "closed by the server while idle", s.readErr)
				continue
			}
			c.mu.Unlock()
			return s, nil
		}
		var wake <-chan time.Time
		var timer *time.Timer
		if c.open < c.target {
			wait := max(time.Until(c.backoffUntil), time.Until(c.slotWaitUntil))
			if wait <= 0 {
				return c.dialLocked(ctx)
			}
			if c.open == 0 {
				err := c.backoffErrLocked(wait)
				c.mu.Unlock()
				return nil, err
			}
			// Other sessions are open: wait for one of them, or for the
			// end of the backoff.
			timer = time.NewTimer(wait)
			wake = timer.C
		}
		changed := c.changed
		c.mu.Unlock()
		var err error
		select {
		case <-changed:
		case <-wake:
		case <-ctx.Done():
			err = &TransportError{Op: "acquire", Err: fmt.Errorf("waiting for a free session: %w", context.Cause(ctx))}
		case <-c.ctx.Done():
			err = &TransportError{Op: "acquire", Err: ErrClientClosed}
		}
		if timer != nil {
			timer.Stop()
		}
		if err != nil {
			return nil, err
		}
	}
}

// dialLocked opens a new session for the caller; c.mu is held on entry
// and released. After a failed connect it goes back to waiting when other
// sessions are open (the command was not sent), and returns the error
// otherwise.
func (c *Client) dialLocked(ctx context.Context) (*session, error) {
	c.open++
	c.dialing++
	c.mu.Unlock()

	var slot *gateSlot
	if c.cfg.Sessions != nil {
		var err error
		if slot, err = c.takeSlot(ctx); err != nil {
			return c.noSlot(ctx, err)
		}
	}
	s, err := c.connect(ctx, slot)
	if slot != nil {
		if err != nil {
			slot.release() // a no-op if the session took it and closed
		} else if slot.lost != nil {
			c.watchSlot(s, slot.lost)
		}
	}

	c.mu.Lock()
	c.dialing--
	if err == nil {
		c.failures, c.backoffUntil, c.lastErr = 0, time.Time{}, nil
		c.slotWaitUntil, c.slotErr = time.Time{}, nil
		c.st.Connects++
		replaced := c.lost > 0
		if replaced {
			c.lost--
			c.st.Reconnects++
		}
		closed := c.closed
		c.mu.Unlock()
		if replaced {
			c.log.Info("epp session reconnected", "session", s.id)
		}
		if closed {
			c.release(s) // logs it out
			return nil, &TransportError{Op: "acquire", Err: ErrClientClosed}
		}
		return s, nil
	}
	c.open--
	aborted := ctx.Err() != nil || c.ctx.Err() != nil
	var le *LoginError
	if errors.As(err, &le) && le.Code == CodeSessionLimitExceeded {
		c.shrinkLocked()
	}
	if !aborted {
		c.st.ConnectFailures++
		c.noteFailureLocked(err)
	}
	others := c.open > 0
	c.broadcastLocked()
	c.mu.Unlock()
	if !aborted {
		if le != nil && le.ConfigError() {
			c.log.Error("epp login refused: configuration error", "code", le.Code, "msg", le.Msg)
		} else {
			c.log.Warn("epp connect failed", "err", err)
		}
	}
	if aborted || !others {
		return nil, err
	}
	return c.acquire(ctx)
}

// noteFailureLocked starts or extends the backoff: 100ms doubling to 30s,
// jittered to between half and all of that.
func (c *Client) noteFailureLocked(err error) {
	c.failures++
	d := maxBackoff
	if c.failures <= 16 {
		d = min(maxBackoff, minBackoff<<(c.failures-1))
	}
	d = d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
	if until := time.Now().Add(d); until.After(c.backoffUntil) {
		c.backoffUntil = until
	}
	c.lastErr = err
}

func (c *Client) backoffErrLocked(wait time.Duration) error {
	if c.slotWaitUntil.After(c.backoffUntil) { // waiting for a slot, not after failed connects
		err := fmt.Errorf("%w (next slot request in %s): %w", ErrBackingOff, wait.Round(time.Millisecond), c.slotErr)
		return &TransportError{Op: "connect", Err: err}
	}
	err := fmt.Errorf("%w (%d failed attempts, next in %s): %w",
		ErrBackingOff, c.failures, wait.Round(time.Millisecond), c.lastErr)
	return &TransportError{Op: "connect", Err: err}
}

// shrinkLocked lowers the target pool size by one, not below 1 (2502).
func (c *Client) shrinkLocked() {
	c.st.SessionLimit++
	if c.target > 1 {
		c.target--
	}
	c.log.Warn("epp session limit exceeded (2502): pool size reduced", "target", c.target)
}

// release hands a session back after use: to the idle list, or to a
// logout when it is due for recycling, the pool shrank or the client is
// closing.
func (c *Client) release(s *session) {
	now := time.Now()
	s.lastUsed = now
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		c.retireLocked(s, "client closed")
	case s.revoked:
		c.retireLocked(s, "session slot lost")
	case s.commands >= c.cfg.MaxSessionCommands:
		c.st.Recycled++
		c.retireLocked(s, "recycled: command limit reached")
	case now.Sub(s.created) >= c.cfg.MaxSessionAge:
		c.st.Recycled++
		c.retireLocked(s, "recycled: maximum age reached")
	case c.open-c.retiring > c.target:
		c.retireLocked(s, "pool size reduced")
	default:
		c.idle = append(c.idle, s)
		c.broadcastLocked()
		c.kickMaintainer()
	}
}

// retireLocked logs s out in the background; the pool counts it as open
// until its connection is closed, so the server never sees more than
// PoolSize sessions.
func (c *Client) retireLocked(s *session, reason string) {
	c.retiring++
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		err := c.logout(s, reason)
		c.mu.Lock()
		c.open--
		c.retiring--
		if c.closed {
			if err != nil {
				c.logoutErrs = append(c.logoutErrs, err)
			}
		} else {
			c.lost++
		}
		c.broadcastLocked()
		c.mu.Unlock()
	}()
}

// drop closes a session that is not in the idle list (in use) without
// logging out: the server closed it or announced it would.
func (c *Client) drop(s *session, reason string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(s, reason, err)
}

func (c *Client) dropLocked(s *session, reason string, err error) {
	s.close()
	c.open--
	if !c.closed {
		c.lost++
	}
	c.broadcastLocked()
	c.log.Info("epp session closed", "session", s.id, "reason", reason, "err", err)
}

// poison closes a session on which a command failed mid-way: a late
// response could still arrive, so it is never reused.
func (c *Client) poison(s *session, kind, clTRID string, err error) {
	s.close()
	c.mu.Lock()
	c.open--
	c.st.Poisoned++
	if !c.closed {
		c.lost++
	}
	c.broadcastLocked()
	c.mu.Unlock()
	sent := false
	var te *TransportError
	if errors.As(err, &te) {
		sent = te.Sent
	}
	c.log.Warn("epp session poisoned", "session", s.id, "kind", kind, "clTRID", clTRID, "sent", sent, "err", err)
}

// sessionLimit handles a 2502 answer on an open session: close it, shrink
// the pool and back off.
func (c *Client) sessionLimit(s *session, kind string) {
	s.close()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open--
	if !c.closed {
		c.lost++
	}
	c.shrinkLocked()
	c.noteFailureLocked(fmt.Errorf("session limit exceeded (2502) on %s", kind))
	c.broadcastLocked()
}

// maintain runs in the background: keepalive hellos on idle sessions,
// recycling of old ones, and removal of sessions the server closed.
func (c *Client) maintain() {
	defer c.wg.Done()
	t := time.NewTimer(foreverSleep)
	defer t.Stop()
	for {
		t.Reset(c.sweep())
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		case <-c.kick:
		}
	}
}

// sweep takes the idle sessions that are due out of the pool and starts
// their hello or logout; it returns the time until the next one is due.
func (c *Client) sweep() time.Duration {
	now := time.Now()
	next := foreverSleep
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return next
	}
	keep := c.idle[:0]
	for _, s := range c.idle {
		idleFor, age := now.Sub(s.lastUsed), now.Sub(s.created)
		switch {
		case s.isDead():
			c.dropLocked(s, "closed by the server while idle", s.readErr)
		case age >= c.cfg.MaxSessionAge:
			c.st.Recycled++
			c.retireLocked(s, "recycled: maximum age reached")
		case idleFor >= c.cfg.KeepAlive && c.cfg.Sessions != nil:
			c.st.IdleClosed++
			c.retireLocked(s, "idle: session slot given back")
		case idleFor >= c.cfg.KeepAlive:
			c.wg.Add(1)
			go func() {
				defer c.wg.Done()
				c.hello(s)
			}()
		default:
			keep = append(keep, s)
			next = min(next, c.cfg.KeepAlive-idleFor, c.cfg.MaxSessionAge-age)
		}
	}
	clear(c.idle[len(keep):])
	c.idle = keep
	return next
}

// Greeting returns a copy of the last greeting seen (on connect or in
// answer to a keepalive hello), or nil before the first connect.
func (c *Client) Greeting() *Greeting {
	g := c.greeting.Load()
	if g == nil {
		return nil
	}
	cp := *g
	cp.Versions = slices.Clone(g.Versions)
	cp.Langs = slices.Clone(g.Langs)
	cp.ObjURIs = slices.Clone(g.ObjURIs)
	cp.ExtURIs = slices.Clone(g.ExtURIs)
	return &cp
}

// Stats returns a snapshot of the pool and its counters.
func (c *Client) Stats() ClientStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.st
	st.PoolSize = c.cfg.PoolSize
	st.Target = c.target
	st.Open = c.open
	st.Idle = len(c.idle)
	st.Dialing = c.dialing
	st.Commands = c.commands.Load()
	st.Hellos = c.hellos.Load()
	if time.Now().Before(c.backoffUntil) {
		st.BackoffUntil = c.backoffUntil
	}
	return st
}

// Close logs out every session (in-flight commands finish first, within
// their timeouts), closes the connections and waits for the client's
// goroutines. Later calls to Do fail with ErrClientClosed. It returns the
// logout failures, if any; the connections are closed regardless.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		for _, s := range c.idle {
			c.retireLocked(s, "client closed")
		}
		c.idle = nil
		c.broadcastLocked()
		c.mu.Unlock()
		c.cancel() // stops the maintainer, aborts connects and waiting callers

		c.mu.Lock()
		for c.open > 0 {
			changed := c.changed
			c.mu.Unlock()
			<-changed
			c.mu.Lock()
		}
		errs := c.logoutErrs
		c.mu.Unlock()
		c.wg.Wait()
		c.closeErr = errors.Join(errs...)
		c.log.Info("epp client closed")
	})
	return c.closeErr
}
