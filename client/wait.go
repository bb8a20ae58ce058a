package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Default polling of Wait: see WaitOptions.
const (
	DefaultInterval           = time.Second
	DefaultMultiplier         = 2.0
	DefaultMaxInterval        = 30 * time.Second
	DefaultBlockedInterval    = 30 * time.Second
	DefaultMaxBlockedInterval = 10 * time.Minute
	DefaultMaxBlocked         = time.Hour
	// Transfers wait on the losing registrar for up to the registry's
	// five days: Wait polls them in minutes, not seconds.
	DefaultTransferInterval    = 5 * time.Minute
	DefaultMaxTransferInterval = 30 * time.Minute
	// A server out of reach (restarting, refusing or resetting
	// connections) is polled again for up to DefaultMaxUnreachable of
	// consecutive failures: after each failure of a poll (once the
	// client's own retries are spent), Wait waits
	// DefaultUnreachableInterval, then twice as long, up to
	// DefaultMaxInterval.
	DefaultMaxUnreachable      = time.Minute
	DefaultUnreachableInterval = time.Second
)

// pollJitter is the fraction of each poll delay taken away at random, so
// that many waiting clients do not poll in step.
const pollJitter = 0.2

// WaitOptions tune Wait. Zero values take the defaults.
type WaitOptions struct {
	// Interval is the first delay while the workflow is pending or
	// in_progress [DefaultInterval]; each next one is Multiplier times
	// longer, up to MaxInterval [DefaultMaxInterval].
	Interval    time.Duration
	MaxInterval time.Duration
	// Multiplier is the growth of the delay from one poll to the next, at
	// least 1 [DefaultMultiplier].
	Multiplier float64
	// BlockedInterval is the first delay while the workflow is blocked
	// [DefaultBlockedInterval]; each next one is Multiplier times longer,
	// up to MaxBlockedInterval [DefaultMaxBlockedInterval].
	BlockedInterval    time.Duration
	MaxBlockedInterval time.Duration
	// MaxBlocked is the most time, in all, that Wait waits on a blocked
	// workflow before it gives up with an error matching ErrGaveUpBlocked
	// [DefaultMaxBlocked]. Negative means no limit (ctx still bounds Wait).
	MaxBlocked time.Duration
	// TransferInterval is the first delay while a transfer is blocked on
	// the losing registrar (Context.BlockedBy is BlockedByLosingRegistrar)
	// [DefaultTransferInterval]; each next one is Multiplier times longer,
	// up to MaxTransferInterval [DefaultMaxTransferInterval]. No delay
	// runs past Context.TransferActBy, when the registry approves the
	// transfer; from then on the workflow is polled as blocked on the
	// registry. Time blocked on the losing registrar does not count
	// towards MaxBlocked: that wait is the transfer's normal course (the
	// server fails a transfer blocked past its own limit); bound it with
	// ctx.
	TransferInterval    time.Duration
	MaxTransferInterval time.Duration
	// MaxUnreachable is the most time of consecutive failed polls, the
	// server out of reach (connection refused or reset, 502, 503, 504
	// after the client's retries), before Wait gives up with an error
	// matching ErrUnreachable [DefaultMaxUnreachable]; failed polls are
	// retried after UnreachableInterval, growing by Multiplier up to
	// MaxInterval [DefaultUnreachableInterval]. Negative: give up at the
	// first failure.
	MaxUnreachable      time.Duration
	UnreachableInterval time.Duration
	// OnChange, when set, is called first with prev nil and the status
	// Wait starts from, then each time a poll finds another state, with
	// the delay before the next poll (0 when Wait returns). It runs on
	// Wait's goroutine: keep it short.
	OnChange func(prev, cur *WorkflowStatus, next time.Duration)
	// OnPoll, when set, is called after each poll that Wait follows with
	// another: with the status read (the last one read when the poll
	// failed), the poll's error when it found the server out of reach
	// (nil otherwise), and the delay before the next poll. It runs after
	// OnChange, on Wait's goroutine: keep it short.
	OnPoll func(cur *WorkflowStatus, err error, next time.Duration)
}

func (o *WaitOptions) setDefaults() {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultMaxInterval
	}
	o.MaxInterval = max(o.MaxInterval, o.Interval)
	if o.Multiplier < 1 {
		o.Multiplier = DefaultMultiplier
	}
	if o.BlockedInterval <= 0 {
		o.BlockedInterval = DefaultBlockedInterval
	}
	if o.MaxBlockedInterval <= 0 {
		o.MaxBlockedInterval = DefaultMaxBlockedInterval
	}
	o.MaxBlockedInterval = max(o.MaxBlockedInterval, o.BlockedInterval)
	if o.TransferInterval <= 0 {
		o.TransferInterval = DefaultTransferInterval
	}
	if o.MaxTransferInterval <= 0 {
		o.MaxTransferInterval = DefaultMaxTransferInterval
	}
	o.MaxTransferInterval = max(o.MaxTransferInterval, o.TransferInterval)
	if o.MaxBlocked == 0 {
		o.MaxBlocked = DefaultMaxBlocked
	}
	if o.MaxUnreachable == 0 {
		o.MaxUnreachable = DefaultMaxUnreachable
	}
	if o.UnreachableInterval <= 0 {
		o.UnreachableInterval = DefaultUnreachableInterval
	}
}

// ErrNoStatusLink is returned by Wait for a status without links.self.
var ErrNoStatusLink = errors.New("client: the workflow status has no links.self to poll")

// ErrUnreachable matches the error of a Wait that gave up on a server out
// of reach for WaitOptions.MaxUnreachable (see UnreachableError): the
// workflow may still be running there.
var ErrUnreachable = errors.New("client: the server is unreachable; the workflow may still be running")

// UnreachableError is the error of a Wait that gave up on a server out of
// reach; it matches ErrUnreachable and unwraps to the last poll's error.
type UnreachableError struct {
	// Status is the last status read.
	Status *WorkflowStatus
	// For is how long polls failed in a row.
	For time.Duration
	// Err is the last poll's error.
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the server did not answer for %s (%v); the workflow may still be running there", e.For.Round(time.Second), e.Err)
}

// Is makes errors.Is(err, ErrUnreachable) true.
func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }

func (e *UnreachableError) Unwrap() error { return e.Err }

// unreachable reports whether a poll's error says the server is out of
// reach for now (a transport error, or a gateway's or the server's own
// 502, 503, 504) rather than that the poll is wrong.
func unreachable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.StatusCode {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	return retryableNetError(err)
}

// Wait follows a workflow by polling status.Links.Self (a GET; it never
// re-submits anything) until the workflow stops needing a poller, and
// returns the last status:
//
//   - succeeded or failed: returned at once, with a nil error (the
//     status's Err says why a workflow failed).
//   - action_required: returned at once, with a nil error. The workflow
//     waits for the user: show Context.Action and
//     Context.ConfirmationSentTo, and call Wait again once they acted.
//   - pending or in_progress: polled after Interval, then delays growing
//     by Multiplier up to MaxInterval.
//   - blocked: polled after BlockedInterval, then delays growing by
//     Multiplier up to MaxBlockedInterval; after MaxBlocked blocked in
//     all, Wait returns the last status and a *BlockedError matching
//     ErrGaveUpBlocked.
//   - blocked on the losing registrar (a transfer in or out): polled
//     after TransferInterval, then delays growing by Multiplier up to
//     MaxTransferInterval, none past Context.TransferActBy; this time
//     does not count towards MaxBlocked.
//
// A Retry-After on a status response (WorkflowStatus.RetryAfter, of the
// starting status too) replaces the delay of its state:
// the server knows when a step ends or a blocked workflow tries again
// (docs/API.md, "Retry-After on workflow statuses"). Without one, the
// delays above apply. Delays are jittered (up to a fifth shorter), and
// still end at MaxBlocked and Context.TransferActBy. A change of state
// restarts the delays of the new state.
//
// Long-polls: every poll sends Prefer: wait=60 (less when MaxBlocked or
// a transfer's act-by date comes sooner) and If-None-Match with the last
// status's ETag. A server that answers with Preference-Applied: wait (this
// registrar: docs/API.md, "ETags and long-poll") holds each poll until the
// status changes, so Wait polls again as soon as an answer (200, or 304
// when nothing changed) arrives: it sees each change as it commits. A
// server that does not is polled on the delays above. The first poll of
// a status that carries an ETag is sent at once, as a long-poll. The
// client's HTTP timeout must exceed a minute (the default is 2 minutes).
//
// When ctx is done Wait returns the last status and ctx's error. A poll
// that finds the server out of reach (after the client's retries) is
// retried after UnreachableInterval, growing, until polls have failed for
// MaxUnreachable in a row; then Wait returns the last status and an
// *UnreachableError matching ErrUnreachable: the workflow may well go on
// at the server. Any other failed poll ends Wait with the last status and
// its error. A status Wait starts from that needs no polling is returned
// without a request. An unknown state is returned with an error rather
// than polled forever.
//
// Wait follows any workflow whose status has links.self: registrations,
// updates, transfers in (TransferIn, TransferInStatus) and out
// (TransferOutStatus).
func (c *Client) Wait(ctx context.Context, status *WorkflowStatus, opts WaitOptions) (*WorkflowStatus, error) {
	if status == nil {
		return nil, errors.New("client: Wait: nil status")
	}
	opts.setDefaults()
	p := poller{c: c, opts: opts, cur: status}
	return p.run(ctx)
}

// poller is one Wait.
type poller struct {
	c    *Client
	opts WaitOptions
	cur  *WorkflowStatus

	phase        phase         // of cur
	delay        time.Duration // the un-jittered delay of the next poll
	blockedSince time.Time     // when the current blocked spell was first seen; zero if not blocked
	blockedTotal time.Duration // time blocked in earlier spells
	// giveUpAfterSleep: the next delay ends at MaxBlocked and the server
	// asked not to poll before then.
	giveUpAfterSleep bool
	// longPoll: the server applied the last poll's Prefer: wait, so the
	// next poll is sent at once and held there until the status changes.
	longPoll bool
	// failingSince is when polls started failing with the server out of
	// reach (zero while they succeed); failDelay the un-jittered delay
	// before the next attempt.
	failingSince time.Time
	failDelay    time.Duration
}

// failed decides, after a poll found the server out of reach, the delay
// before the next one, or gives up with an *UnreachableError once polls
// have failed for MaxUnreachable.
func (p *poller) failed(err error, now time.Time) (time.Duration, error) {
	if p.failingSince.IsZero() {
		p.failingSince, p.failDelay = now, p.opts.UnreachableInterval
	}
	failing := now.Sub(p.failingSince)
	left := p.opts.MaxUnreachable - failing
	if left <= 0 {
		return 0, &UnreachableError{Status: p.cur, For: failing, Err: err}
	}
	next := min(jitter(p.failDelay, pollJitter, p.c.rand), left)
	p.failDelay = min(time.Duration(float64(p.failDelay)*p.opts.Multiplier), p.opts.MaxInterval)
	return next, nil
}

func (p *poller) run(ctx context.Context) (*WorkflowStatus, error) {
	now := time.Now()
	p.phase = phaseOf(p.cur, now)
	p.enter(p.phase, now)
	// A status with an entity tag may be long-polled: the first poll
	// goes at once, held by a server that honours it until the status
	// changes, so that a short state (a registry's review) is not slept
	// through. A server that does not answers at once, without
	// Preference-Applied, and the delays take over: one request more.
	p.longPoll = p.cur.ETag != ""
	next, stop, err := p.plan(now)
	p.notify(nil, p.cur, next)
	if stop {
		return p.cur, err
	}
	if p.cur.Links.Self == "" {
		return p.cur, ErrNoStatusLink
	}
	u, err := p.c.resolve(p.cur.Links.Self)
	if err != nil {
		return p.cur, err
	}
	for {
		if err := sleep(ctx, next); err != nil {
			return p.cur, err
		}
		if p.giveUpAfterSleep {
			// Retry-After asked for more time than the limit left.
			return p.cur, p.gaveUp(time.Now())
		}
		var st WorkflowStatus
		res, err := p.c.call(ctx, http.MethodGet, u, nil, p.pollHeader(time.Now()), &st)
		if err != nil {
			if ctx.Err() != nil {
				return p.cur, ctx.Err()
			}
			if !unreachable(err) {
				return p.cur, fmt.Errorf("polling %s: %w", p.cur.Links.Self, err)
			}
			pollErr := err
			if next, err = p.failed(err, time.Now()); err != nil {
				return p.cur, err
			}
			p.polled(pollErr, next)
			continue
		}
		p.failingSince, p.failDelay = time.Time{}, 0
		now := time.Now()
		if res.StatusCode == http.StatusNotModified {
			st = *p.cur // unchanged; the answer's advice is new
			st.RetryAfter = parseRetryAfter(res.Header)
		}
		if tag := res.Header.Get("ETag"); tag != "" {
			st.ETag = tag
		}
		// A server that applied the wait holds the next poll until the
		// status changes: poll again at once. Without a tag there is
		// nothing to hold on.
		p.longPoll = strings.HasPrefix(res.Header.Get("Preference-Applied"), "wait") && st.ETag != ""
		prev := p.cur
		p.cur = &st
		changed := st.State != prev.State
		// A new state, or a transfer reaching its act-by date, restarts
		// the delays.
		if ph := phaseOf(p.cur, now); changed || ph != p.phase {
			p.leave(p.phase, now)
			p.enter(ph, now)
			p.phase = ph
		}
		next, stop, err = p.plan(now)
		if changed {
			p.notify(prev, p.cur, next)
		}
		if stop {
			return p.cur, err
		}
		p.polled(nil, next)
	}
}

func (p *poller) polled(err error, next time.Duration) {
	if p.opts.OnPoll != nil {
		p.opts.OnPoll(p.cur, err, next)
	}
}

// phase is how a status is polled, each with its own delays.
type phase int

const (
	phaseActive   phase = iota // pending or in_progress (or a state Wait stops at)
	phaseBlocked               // blocked on the registry, or on a transfer past its act-by date
	phaseTransfer              // blocked on the losing registrar
)

func phaseOf(st *WorkflowStatus, now time.Time) phase {
	if st.State != StateBlocked {
		return phaseActive
	}
	actBy := st.Context.TransferActBy
	if by, _ := st.Context.Blocker(); by == BlockedByLosingRegistrar && (actBy.IsZero() || now.Before(actBy)) {
		return phaseTransfer
	}
	return phaseBlocked
}

// enter starts the delays of a phase.
func (p *poller) enter(ph phase, now time.Time) {
	switch ph {
	case phaseBlocked:
		p.delay = p.opts.BlockedInterval
		p.blockedSince = now
	case phaseTransfer:
		p.delay = p.opts.TransferInterval
	default:
		p.delay = p.opts.Interval
	}
}

// leave ends a phase.
func (p *poller) leave(ph phase, now time.Time) {
	if ph == phaseBlocked && !p.blockedSince.IsZero() {
		p.blockedTotal += now.Sub(p.blockedSince)
		p.blockedSince = time.Time{}
	}
}

// blocked is the time blocked so far, in all.
func (p *poller) blocked(now time.Time) time.Duration {
	d := p.blockedTotal
	if !p.blockedSince.IsZero() {
		d += now.Sub(p.blockedSince)
	}
	return d
}

// blockedOut reports whether the workflow has been blocked for MaxBlocked.
func (p *poller) blockedOut(now time.Time) bool {
	return p.phase == phaseBlocked && p.opts.MaxBlocked > 0 && p.blocked(now) >= p.opts.MaxBlocked
}

func (p *poller) gaveUp(now time.Time) error {
	return &BlockedError{Status: p.cur, Blocked: p.blocked(now)}
}

// plan decides, after reading p.cur, whether to stop (and with what
// error) or the delay before the next poll.
func (p *poller) plan(now time.Time) (next time.Duration, stop bool, err error) {
	s := p.cur.State
	switch {
	case s.Terminal(), s == StateActionRequired:
		return 0, true, nil
	case !s.Known():
		return 0, true, fmt.Errorf("client: Wait: unknown workflow state %q; not polling it", s)
	case p.blockedOut(now):
		return 0, true, p.gaveUp(now)
	}
	next = jitter(p.delay, pollJitter, p.c.rand)
	growTo := p.opts.MaxInterval
	switch p.phase {
	case phaseBlocked:
		growTo = p.opts.MaxBlockedInterval
	case phaseTransfer:
		growTo = p.opts.MaxTransferInterval
		// The registry approves at the act-by date: look then.
		if actBy := p.cur.Context.TransferActBy; !actBy.IsZero() {
			next = min(next, actBy.Sub(now))
		}
	}
	p.delay = min(time.Duration(float64(p.delay)*p.opts.Multiplier), growTo)
	if ra := p.cur.RetryAfter; ra > 0 {
		// The server's word replaces the backoff, within the same bounds.
		next = jitter(ra, pollJitter, p.c.rand)
		if actBy := p.cur.Context.TransferActBy; p.phase == phaseTransfer && !actBy.IsZero() {
			next = min(next, actBy.Sub(now))
		}
	}
	if p.longPoll && p.holdFor(now) >= time.Second {
		// The server holds the poll (at most pollWait, and no longer
		// than the limits below: see pollHeader). Within a second of a
		// limit, the delays below lead to it instead.
		return 0, false, nil
	}
	if p.phase == phaseBlocked && p.opts.MaxBlocked > 0 {
		// The last poll is when the limit is reached; if Retry-After asks
		// for longer than that, Wait gives up then without polling.
		if left := p.opts.MaxBlocked - p.blocked(now); next > left {
			next, p.giveUpAfterSleep = left, p.cur.RetryAfter > left
		}
	}
	return next, false, nil
}

// pollWait is the Prefer: wait of Wait's polls: the server's cap.
const pollWait = 60 * time.Second

// pollHeader is the header of a poll: Prefer: wait, so that a server
// that supports long-polls holds it until the status changes, at most
// pollWait and never past MaxBlocked or a transfer's act-by date, and
// If-None-Match with the tag of the status Wait has.
func (p *poller) pollHeader(now time.Time) http.Header {
	h := http.Header{}
	// Prefer: wait counts whole seconds: a limit less than one away is
	// met by a poll answered at once.
	if wait := p.holdFor(now); wait >= time.Second {
		h.Set("Prefer", "wait="+strconv.Itoa(int(wait/time.Second)))
	}
	if p.cur.ETag != "" {
		h.Set("If-None-Match", p.cur.ETag)
	}
	return h
}

// holdFor is how long a server may hold the next poll: pollWait, less
// when MaxBlocked or a transfer's act-by date comes sooner.
func (p *poller) holdFor(now time.Time) time.Duration {
	wait := pollWait
	switch p.phase {
	case phaseBlocked:
		if p.opts.MaxBlocked > 0 {
			wait = min(wait, p.opts.MaxBlocked-p.blocked(now))
		}
	case phaseTransfer:
		if actBy := p.cur.Context.TransferActBy; !actBy.IsZero() {
			wait = min(wait, actBy.Sub(now))
		}
	}
	return wait
}

func (p *poller) notify(prev, cur *WorkflowStatus, next time.Duration) {
	if p.opts.OnChange != nil {
		p.opts.OnChange(prev, cur, next)
	}
}

// StatusPoll is the answer of one PollStatus.
type StatusPoll struct {
	// Status is the status read; nil when NotModified.
	Status *WorkflowStatus
	// NotModified: the status still has the tag sent (304).
	NotModified bool
	// WaitApplied: the server applied Prefer: wait (Preference-Applied),
	// so polling again at once with the new tag is a long-poll.
	WaitApplied bool
	// ETag and RetryAfter are the answer's, also of a 304.
	ETag       string
	RetryAfter time.Duration
}

// PollStatus reads the status of the domain's newest workflow at one of
// the status endpoints ("registration-status", "update-status",
// "transfer-in-status", "transfer-out-status", "renewal-status",
// "restore-status") once, as a long-poll: with etag, when not empty, as
// If-None-Match and, when wait is positive, Prefer: wait (in whole
// seconds; this server cuts it to 60), so that a server that supports it
// holds the request until the status changes or wait passes. A domain
// with no such workflow is an *APIError with status 404.
func (c *Client) PollStatus(ctx context.Context, domain, endpoint, etag string, wait time.Duration) (*StatusPoll, error) {
	if domain == "" {
		return nil, errors.New("client: PollStatus: empty domain")
	}
	u, err := c.endpoint("registrations", domain, endpoint)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	if wait > 0 {
		h.Set("Prefer", "wait="+strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	}
	var st WorkflowStatus
	res, err := c.call(ctx, http.MethodGet, u, nil, h, &st)
	if err != nil {
		return nil, err
	}
	p := &StatusPoll{NotModified: res.StatusCode == http.StatusNotModified, ETag: res.Header.Get("ETag"),
		RetryAfter: parseRetryAfter(res.Header), WaitApplied: strings.HasPrefix(res.Header.Get("Preference-Applied"), "wait")}
	if !p.NotModified {
		p.Status = &st
	}
	return p, nil
}
