package epp

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"time"
)

// SessionGate bounds the sessions of several Clients together, typically
// one Client per replica of a deployment that shares one session limit at
// the registry (ClientConfig.Sessions). It holds a fixed number of slots;
// a Client takes one before it dials and gives it back when that
// session's connection is closed, for whatever reason (logout, recycling,
// a poisoned session, 2502, Close), so the sessions open at once through
// one gate never outnumber its slots.
//
// Its methods use only standard types so that an implementation needs no
// import of this package.
type SessionGate interface {
	// TryAcquire takes a free slot without waiting for one. ok is false
	// when none is free; err is set when the gate cannot grant a slot now
	// (for example, its database is out of reach). Either way the Client
	// dials nothing.
	//
	// With ok, release gives the slot back; the Client calls it exactly
	// once, when the session's connection is closed, possibly with the
	// pool's lock held, so it must not block. lost, which may be nil, is
	// closed if the gate loses the slot before release (another holder
	// took it while the gate was cut off): the Client then closes the
	// session that holds it, once its command in flight, if any, is
	// answered. Calling release after lost is closed is harmless.
	TryAcquire(ctx context.Context) (release func(), lost <-chan struct{}, ok bool, err error)
}

// ErrNoSessionSlot is returned (inside a *TransportError with Op
// "connect", Sent false) when the pool has no session open and its
// SessionGate granted no slot for a new one: every slot is held by other
// Clients (other replicas), or the gate could not tell. The pool asks the
// gate again after a short wait (slotRetry); until then Do fails fast with
// ErrBackingOff wrapping this error.
var ErrNoSessionSlot = errors.New("epp: no session slot free (the deployment's sessions to this registry are all open)")

// slotRetry is how long a pool refused a slot waits (jittered to between
// half and all of it) before asking the gate again. It does not grow like
// the connect backoff: slots free up as other replicas' sessions close,
// and a replica without sessions should pick one up soon after.
const slotRetry = 500 * time.Millisecond

// gateSlot is a slot taken from the gate for one session.
type gateSlot struct {
	release func() // idempotent
	lost    <-chan struct{}
}

// takeSlot asks the gate for a slot; the error wraps ErrNoSessionSlot.
func (c *Client) takeSlot(ctx context.Context) (*gateSlot, error) {
	release, lost, ok, err := c.cfg.Sessions.TryAcquire(ctx)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrNoSessionSlot, err)
	case !ok:
		return nil, ErrNoSessionSlot
	}
	return &gateSlot{release: sync.OnceFunc(release), lost: lost}, nil
}

// noSlot ends a dial that got no slot (dialLocked's c.open and c.dialing
// are still counted): like a failed connect, it waits for the sessions
// open, if any, and fails fast otherwise; the next slot request waits
// for slotRetry.
func (c *Client) noSlot(ctx context.Context, err error) (*session, error) {
	c.mu.Lock()
	c.open--
	c.dialing--
	aborted := ctx.Err() != nil || c.ctx.Err() != nil
	if !aborted {
		c.st.SlotWaits++
		d := slotRetry/2 + time.Duration(mrand.Int64N(int64(slotRetry/2)+1))
		c.slotWaitUntil, c.slotErr = time.Now().Add(d), err
	}
	others := c.open > 0
	c.broadcastLocked()
	c.mu.Unlock()
	if !aborted {
		c.log.Debug("epp session slot refused", "err", err, "open", others)
	}
	if aborted || !others {
		return nil, &TransportError{Op: "connect", Err: err}
	}
	return c.acquire(ctx)
}

// watchSlot closes s once the gate loses its slot; it returns when s is
// closed.
func (c *Client) watchSlot(s *session, lost <-chan struct{}) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		select {
		case <-lost:
			c.revoke(s)
		case <-s.stop:
		}
	}()
}

// revoke closes a session whose slot the gate lost: at once when idle,
// after its command when in use (release sees s.revoked).
func (c *Client) revoke(s *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.st.SlotsLost++
	s.revoked = true
	c.log.Warn("epp session slot lost: closing the session", "session", s.id)
	if i := slices.Index(c.idle, s); i >= 0 {
		c.idle = slices.Delete(c.idle, i, i+1)
		c.retireLocked(s, "session slot lost")
	}
}
