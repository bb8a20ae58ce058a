package sandbox

import (
	"bufio"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/openregistrar/registrar/internal/epp"
)

// session is one EPP session: one connection, served by one goroutine.
type session struct {
	s    *Server
	conn *tls.Conn
	br   *bufio.Reader
	log  *slog.Logger

	addr      string    // the remote address's throttle key
	loginBy   time.Time // the end of the time to log in
	preFrames int       // frames read before login
	preBytes  int       // their bytes, headers included

	loggedIn bool
	clientID string
	failures int             // failed logins
	objs     map[string]bool // objURIs of the login
	exts     map[string]bool // extURIs of the login
}

func newSession(s *Server, conn *tls.Conn, log *slog.Logger) *session {
	return &session{s: s, conn: conn, br: bufio.NewReader(conn), log: log,
		addr: addrKey(conn.RemoteAddr()), loginBy: time.Now().Add(s.cfg.PreLoginTimeout)}
}

// run sends the greeting, then reads and answers commands, one at a time,
// until the session ends.
func (ss *session) run() {
	defer ss.endLogin()
	if !ss.greet() {
		return
	}
	cfg := &ss.s.cfg
	for {
		idle, read := time.Now().Add(cfg.IdleTimeout), time.Now().Add(cfg.ReadTimeout)
		maxFrame := cfg.MaxFrameSize
		if !ss.loggedIn {
			// Before login a connection gets PreLoginTimeout in all and
			// PreLoginBytes in all; max 1 refuses any frame.
			idle, read = earliest(idle, ss.loginBy), earliest(read, ss.loginBy)
			maxFrame = max(1, min(maxFrame, cfg.PreLoginBytes-ss.preBytes))
		}
		ss.conn.SetReadDeadline(idle)
		if _, err := ss.br.Peek(1); err != nil {
			ss.closing("waiting for a command", err)
			return
		}
		ss.conn.SetReadDeadline(read)
		frame, err := epp.ReadFrame(ss.br, maxFrame)
		if err != nil {
			if !ss.loggedIn && maxFrame < cfg.MaxFrameSize && errors.Is(err, epp.ErrFrameTooLarge) {
				ss.refuse("too much data before login: the limit is " + strconv.Itoa(cfg.PreLoginBytes) + " bytes")
				return
			}
			ss.closing("reading a frame", err)
			return
		}
		if f := cfg.Trace; f != nil {
			f(true, frame)
		}
		if !ss.loggedIn {
			ss.preFrames++
			ss.preBytes += 4 + len(frame)
			if ss.preFrames > cfg.PreLoginFrames {
				ss.refuse("too many frames before login: the limit is " + strconv.Itoa(cfg.PreLoginFrames))
				return
			}
		}
		if end := ss.handle(frame); end {
			ss.closeGracefully()
			return
		}
	}
}

// refuse answers 2500 with reason, unparsed, and closes the session.
func (ss *session) refuse(reason string) {
	ss.log.Debug("sandbox EPP: session closed", "client_id", ss.clientID, "reason", reason)
	ss.reply("refused", ss.failure("", epp.CodeCommandFailedClosing, reason))
	ss.closeGracefully()
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// closing logs why the session ends.
func (ss *session) closing(while string, err error) {
	reason := err.Error()
	switch {
	case errors.Is(err, io.EOF):
		reason = "closed by the client"
	case errors.Is(err, os.ErrDeadlineExceeded) && !ss.loggedIn && !time.Now().Before(ss.loginBy):
		reason = "no login within " + ss.s.cfg.PreLoginTimeout.String()
	case errors.Is(err, os.ErrDeadlineExceeded) && while == "waiting for a command":
		reason = "idle timeout"
	case errors.Is(err, os.ErrDeadlineExceeded):
		reason = "read timeout"
	case errors.Is(err, epp.ErrFrameTooLarge), errors.Is(err, epp.ErrBadLength):
		reason = "bad frame length: " + err.Error()
	}
	ss.log.Debug("sandbox EPP: session closed", "client_id", ss.clientID, "while", while, "reason", reason)
}

// closeGracefully ends a session the server closes after an answer
// (logout, 2501, 2502): it closes the write side, so that the answer is
// not lost to a reset, and waits briefly for the client to close its side.
func (ss *session) closeGracefully() {
	if err := ss.conn.CloseWrite(); err != nil {
		return
	}
	ss.conn.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, io.LimitReader(ss.br, 1<<20))
}

// endLogin releases the session's slot in its client's session count.
func (ss *session) endLogin() {
	if ss.loggedIn {
		ss.s.release(ss.clientID)
		ss.loggedIn = false
	}
}

// greet sends a greeting; false means the connection failed.
func (ss *session) greet() bool {
	g := &epp.Greeting{
		SvID:     ss.s.cfg.SvID,
		SvDate:   ss.s.engine.now(),
		Versions: []string{"1.0"},
		Langs:    []string{"en"},
		ObjURIs:  serverObjURIs,
		ExtURIs:  serverExtURIs,
	}
	b, err := g.Marshal()
	if err != nil {
		ss.log.Error("sandbox EPP: cannot encode the greeting", "error", err)
		return false
	}
	return ss.write(b)
}

func (ss *session) write(b []byte) bool {
	if f := ss.s.sent; f != nil {
		f(b)
	}
	if f := ss.s.cfg.Trace; f != nil {
		f(false, b)
	}
	ss.conn.SetWriteDeadline(time.Now().Add(ss.s.cfg.ReadTimeout))
	if err := epp.WriteFrame(ss.conn, b); err != nil {
		ss.log.Debug("sandbox EPP: write failed", "client_id", ss.clientID, "error", err)
		return false
	}
	return true
}

// reply sends a response to a command of the given kind and logs it;
// false means the connection failed.
func (ss *session) reply(kind string, r *epp.Response) bool {
	b, err := r.Marshal()
	if err != nil {
		// A bug: say so rather than leave the client waiting.
		ss.log.Error("sandbox EPP: cannot encode a response", "command", kind, "error", err)
		r = &epp.Response{Results: []epp.Result{{Code: epp.CodeCommandFailed, Msg: epp.CodeText(epp.CodeCommandFailed)}},
			SvTRID: r.SvTRID}
		if b, err = r.Marshal(); err != nil {
			return false
		}
	}
	ss.log.LogAttrs(ss.s.ctx, slog.LevelDebug, "sandbox EPP command",
		slog.String("client_id", ss.clientID), slog.String("command", kind),
		slog.String("cltrid", r.ClTRID), slog.String("svtrid", r.SvTRID), slog.Int("code", r.Code()))
	return ss.write(b)
}

// failure returns a response the server gives itself: code, its standard
// message and, if set, reason as an <extValue>.
func (ss *session) failure(clTRID string, code int, reason string) *epp.Response {
	return ss.result(clTRID, ss.s.svTRID(), code, reason)
}

func (ss *session) result(clTRID, svTRID string, code int, reason string) *epp.Response {
	res := epp.Result{Code: code, Msg: epp.CodeText(code)}
	if reason != "" {
		res.Values = []epp.Value{{Reason: reason}}
	}
	return &epp.Response{Results: []epp.Result{res}, ClTRID: clTRID, SvTRID: svTRID}
}

// handle answers one frame; true means the session ends.
func (ss *session) handle(frame []byte) (end bool) {
	cmd, err := epp.ParseCommand(frame)
	if err != nil {
		var fe *epp.FormatError
		if !errors.As(err, &fe) {
			fe = &epp.FormatError{Code: epp.CodeSyntaxError, Reason: err.Error()}
		}
		r := &epp.Response{Results: []epp.Result{fe.Result()}, ClTRID: fe.ClTRID, SvTRID: ss.s.svTRID()}
		if errors.Is(err, epp.ErrLimit) {
			// A message beyond the parser's limits is an attack or a
			// broken client: answer 2001 and close.
			ss.reply("invalid", r)
			return true
		}
		return !ss.reply("invalid", r)
	}
	kind := cmd.Kind()
	switch {
	case cmd.Hello:
		ss.log.Debug("sandbox EPP command", "client_id", ss.clientID, "command", kind)
		return !ss.greet()
	case !ss.loggedIn && cmd.Login != nil:
		return ss.login(cmd)
	case !ss.loggedIn:
		return !ss.reply(kind, ss.failure(cmd.ClTRID, epp.CodeUseError, "log in first"))
	case cmd.Login != nil:
		return !ss.reply(kind, ss.failure(cmd.ClTRID, epp.CodeUseError, "already logged in"))
	case cmd.Logout:
		ss.endLogin()
		ss.reply(kind, ss.failure(cmd.ClTRID, epp.CodeEndingSession, ""))
		return true
	}
	if ns := objectNS(cmd); ns != "" && !ss.objs[ns] {
		return !ss.reply(kind, ss.failure(cmd.ClTRID, epp.CodeUnimplementedObjectService, ns+" is not among the login's services"))
	}
	if usesFee(cmd) && !ss.exts[epp.NSFee] {
		return !ss.reply(kind, ss.failure(cmd.ClTRID, epp.CodeUnimplementedExtension, epp.NSFee+" is not among the login's services"))
	}
	if cmd.DomainUpdate != nil && cmd.DomainUpdate.RGP != nil && !ss.exts[epp.NSRGP] {
		return !ss.reply(kind, ss.failure(cmd.ClTRID, epp.CodeUnimplementedExtension, epp.NSRGP+" is not among the login's services"))
	}
	if cmd.DomainUpdate != nil && cmd.DomainUpdate.SecDNS != nil && !ss.exts[epp.NSSecDNS] {
		return !ss.reply(kind, ss.failure(cmd.ClTRID, epp.CodeUnimplementedExtension, epp.NSSecDNS+" is not among the login's services"))
	}
	return !ss.reply(kind, ss.command(cmd))
}

// login answers a login; true means the session ends.
func (ss *session) login(cmd *epp.Command) (end bool) {
	l := cmd.Login
	keys := []string{"id:" + l.ClID, ss.addr}
	if ok, wait := ss.s.throttle.allow(keys...); !ok {
		ss.log.Debug("sandbox EPP: login throttled", "client_id", l.ClID, "retry_in", wait)
		ss.reply("login", ss.failure(cmd.ClTRID, epp.CodeAuthErrorClosing,
			"too many failed logins for this client ID or address: try again in "+(wait+time.Second-1).Truncate(time.Second).String()))
		return true
	}
	pw, known := ss.s.cfg.Accounts[l.ClID]
	if match := subtle.ConstantTimeCompare([]byte(pw), []byte(l.Password)) == 1; !match || !known {
		ss.s.throttle.fail(keys...)
		ss.failures++
		ss.log.Debug("sandbox EPP: login failed", "client_id", l.ClID, "failures", ss.failures)
		if ss.failures >= ss.s.cfg.FailedLoginLimit {
			ss.reply("login", ss.failure(cmd.ClTRID, epp.CodeAuthErrorClosing, "too many failed logins"))
			return true
		}
		return !ss.reply("login", ss.failure(cmd.ClTRID, epp.CodeAuthenticationError, ""))
	}
	objs, exts := make(map[string]bool), make(map[string]bool)
	for _, u := range l.ObjURIs {
		if !contains(serverObjURIs, u) {
			return !ss.reply("login", ss.failure(cmd.ClTRID, epp.CodeUnimplementedObjectService, "object service not offered: "+u))
		}
		objs[u] = true
	}
	for _, u := range l.ExtURIs {
		if !contains(serverExtURIs, u) {
			return !ss.reply("login", ss.failure(cmd.ClTRID, epp.CodeUnimplementedExtension, "extension not offered: "+u))
		}
		exts[u] = true
	}
	switch {
	case l.Lang != "en":
		return !ss.reply("login", ss.failure(cmd.ClTRID, epp.CodeUnimplementedOption, "lang "+l.Lang+" not offered"))
	case l.NewPassword != "":
		return !ss.reply("login", ss.failure(cmd.ClTRID, epp.CodeUnimplementedOption, "password change not supported"))
	}
	if !ss.s.acquire(l.ClID) {
		ss.reply("login", ss.failure(cmd.ClTRID, epp.CodeSessionLimitExceeded, "too many sessions for "+l.ClID))
		return true
	}
	ss.loggedIn, ss.clientID, ss.objs, ss.exts = true, l.ClID, objs, exts
	return !ss.reply("login", ss.failure(cmd.ClTRID, epp.CodeOK, ""))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// objectNS returns the object namespace a command works on ("" for poll).
func objectNS(c *epp.Command) string {
	switch {
	case c.DomainCheck != nil, c.DomainInfo != nil, c.DomainCreate != nil, c.DomainRenew != nil, c.DomainUpdate != nil,
		c.DomainTransfer != nil, c.DomainDelete != nil:
		return epp.NSDomain
	case c.ContactCreate != nil, c.ContactInfo != nil:
		return epp.NSContact
	case c.HostCreate != nil, c.HostCheck != nil, c.HostInfo != nil, c.HostUpdate != nil, c.HostDelete != nil:
		return epp.NSHost
	}
	return ""
}

func usesFee(c *epp.Command) bool {
	return c.DomainCheck != nil && c.DomainCheck.Fee != nil ||
		c.DomainCreate != nil && c.DomainCreate.Fee != nil ||
		c.DomainRenew != nil && c.DomainRenew.Fee != nil ||
		c.DomainTransfer != nil && c.DomainTransfer.Fee != nil
}
