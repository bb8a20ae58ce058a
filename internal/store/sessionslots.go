package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// SessionSlotsConfig configures SessionSlots.
type SessionSlotsConfig struct {
	// Registry names the registry whose sessions are counted: replicas
	// count together under the same name.
	Registry string
	// Slots is the deployment's total of sessions to the registry.
	Slots int
	// CheckInterval is how often the connection holding the slots is
	// checked while idle [SessionSlotsCheckIntervalDefault]: a connection
	// lost while idle is noticed (and its slots treated as unconfirmed)
	// within this time.
	CheckInterval time.Duration
	Logger        *slog.Logger // [the database's]
}

// Defaults and bounds of SessionSlots.
const (
	SessionSlotsCheckIntervalDefault = 2 * time.Second
	sessionSlotsQueryTimeout         = 5 * time.Second
	sessionSlotsConnectTimeout       = 10 * time.Second
	sessionSlotsMinBackoff           = 100 * time.Millisecond
	sessionSlotsMaxBackoff           = 5 * time.Second
)

// errSlotsClosed and errSlotsDisconnected are TryAcquire's refusals.
var (
	errSlotsClosed       = errors.New("store: session slots closed")
	errSlotsDisconnected = errors.New("store: session slots: no connection to PostgreSQL, no new session until it is back")
)

// SessionSlots counts the EPP sessions to one registry across every
// replica of a PostgreSQL deployment: it implements epp.SessionGate (by
// its method set; store does not import epp).
//
// Slot i is the session-level advisory lock (key, i), key derived from the
// registry's name, held on one connection of its own (not from the
// pool): when a replica dies, PostgreSQL ends its connection and frees its
// slots. When that connection is lost while the replica lives on (a
// PostgreSQL restart), SessionSlots grants nothing new, reconnects with
// backoff and takes back the slots it had granted; one another replica
// took meanwhile is reported lost, and the epp pool closes the session
// that held it.
type SessionSlots struct {
	key      int32
	n        int
	interval time.Duration
	log      *slog.Logger
	connCfg  *pgx.ConnConfig

	reqs      chan chan acquired // TryAcquire → the worker
	kick      chan struct{}      // a slot was released: unlock it
	stop      chan struct{}
	done      chan struct{} // closed when the worker has stopped
	ready     chan struct{} // closed after the first connection attempt
	connected atomic.Bool
	closeOnce sync.Once

	mu     sync.Mutex
	state  []slotState  // by slot number
	grants []*slotGrant // by slot number, for slotGranted
	share  int          // the most slots this replica may hold (fairShare)
}

type slotState int

const (
	slotFree     slotState = iota // not held by our connection
	slotGranted                   // granted to a session (unconfirmed while disconnected)
	slotReleased                  // given back, still locked by our connection
)

// slotGrant is one grant of a slot; done (under mu) once it is released
// or lost.
type slotGrant struct {
	lost    chan struct{}
	done    bool
	revoked bool // lost closed to take the slot back; still ours until released
}

type acquired struct {
	release func()
	lost    <-chan struct{}
	ok      bool
	err     error
}

// SessionSlots starts counting the sessions of one registry; Close stops
// it and frees its slots. It connects in the background; TryAcquire waits
// for that first attempt. PostgreSQL only.
func (db *DB) SessionSlots(cfg SessionSlotsConfig) (*SessionSlots, error) {
	if db.pool == nil {
		return nil, errors.New("store: session slots need PostgreSQL (on SQLite one process holds the data dir)")
	}
	if cfg.Slots < 1 {
		return nil, fmt.Errorf("store: session slots for %q: %d slots, want at least 1", cfg.Registry, cfg.Slots)
	}
	if cfg.CheckInterval <= 0 {
		cfg.CheckInterval = SessionSlotsCheckIntervalDefault
	}
	if cfg.Logger == nil {
		cfg.Logger = db.log
	}
	cc := db.pool.Config().ConnConfig.Copy()
	cc.RuntimeParams["application_name"] = "registrar epp session slots"
	s := &SessionSlots{
		key:      sessionSlotsKey(cfg.Registry),
		n:        cfg.Slots,
		interval: cfg.CheckInterval,
		log:      cfg.Logger.With("component", "session-slots", "registry", cfg.Registry),
		connCfg:  cc,
		reqs:     make(chan chan acquired),
		kick:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		ready:    make(chan struct{}),
		state:    make([]slotState, cfg.Slots),
		grants:   make([]*slotGrant, cfg.Slots),
		share:    cfg.Slots,
	}
	go s.run()
	return s, nil
}

// sessionSlotsKey is the first advisory lock key of a registry's slots. The
// two-key form never meets the one-key locks of migrations and accounts.
func sessionSlotsKey(registry string) int32 {
	h := fnv.New32a()
	h.Write([]byte("openregistrar epp sessions\x00" + registry))
	return int32(h.Sum32())
}

// TryAcquire takes a free slot without waiting for one (epp.SessionGate).
// It fails while the connection holding the slots is down.
func (s *SessionSlots) TryAcquire(ctx context.Context) (release func(), lost <-chan struct{}, ok bool, err error) {
	select {
	case <-s.ready:
	case <-s.done:
		return nil, nil, false, errSlotsClosed
	case <-ctx.Done():
		return nil, nil, false, context.Cause(ctx)
	}
	if !s.connected.Load() {
		return nil, nil, false, errSlotsDisconnected
	}
	reply := make(chan acquired, 1)
	select {
	case s.reqs <- reply:
	case <-s.done:
		return nil, nil, false, errSlotsClosed
	case <-ctx.Done():
		return nil, nil, false, context.Cause(ctx)
	}
	a := <-reply // the worker answers every request it takes, within its query timeout
	return a.release, a.lost, a.ok, a.err
}

// Close frees every slot (its connection ends) and stops. Sessions still
// holding slots see them lost.
func (s *SessionSlots) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	return nil
}

// run owns the connection: it connects and reconnects, grants, unlocks
// released slots, and checks the connection while idle.
func (s *SessionSlots) run() {
	defer close(s.done)
	var conn *pgx.Conn
	defer func() {
		s.connected.Store(false)
		if conn != nil {
			ctx, cancel := context.WithTimeout(context.Background(), sessionSlotsQueryTimeout)
			conn.Close(ctx) // PostgreSQL frees the slots
			cancel()
		}
		s.loseAll()
	}()
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	backoff := sessionSlotsMinBackoff
	first := true
	for {
		if conn == nil {
			c, err := s.connect()
			if err == nil {
				// The share first, so that a replica starting beside
				// others does not take more than its share meanwhile.
				if err = s.rebalance(c); err != nil {
					s.disconnect(c, err)
				} else {
					conn, backoff = c, sessionSlotsMinBackoff
					s.connected.Store(true)
				}
			}
			if first {
				first = false
				close(s.ready)
			}
			if err != nil {
				s.log.Warn("session slots: cannot connect to PostgreSQL; no new EPP session until it is back", "err", err, "backoff", backoff)
				if !s.wait(backoff) {
					return
				}
				backoff = min(2*backoff, sessionSlotsMaxBackoff)
				continue
			}
		}
		var err error
		select {
		case <-s.stop:
			return
		case reply := <-s.reqs:
			var a acquired
			a, err = s.grant(conn)
			reply <- a
		case <-s.kick:
			err = s.unlockReleased(conn)
		case <-tick.C:
			err = s.rebalance(conn)
		}
		if err != nil {
			s.disconnect(conn, err)
			conn = nil
		}
	}
}

// wait sleeps for d, refusing requests meanwhile; false when stopped.
func (s *SessionSlots) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return false
		case <-t.C:
			return true
		case reply := <-s.reqs:
			reply <- acquired{err: errSlotsDisconnected}
		}
	}
}

// connect opens the connection and locks again every slot granted before
// (a slot released meanwhile is free: the new connection holds nothing).
// A granted slot another replica holds now is lost.
func (s *SessionSlots) connect() (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), sessionSlotsConnectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, s.connCfg)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	var held []int
	for i, st := range s.state {
		switch st {
		case slotGranted:
			held = append(held, i)
		case slotReleased:
			s.state[i] = slotFree
		}
	}
	s.mu.Unlock()
	kept, lost := 0, 0
	for _, i := range held {
		got, err := s.tryLock(conn, i)
		if err != nil {
			conn.Close(context.Background())
			return nil, err
		}
		s.mu.Lock()
		switch {
		case got:
			kept++
			if s.state[i] == slotReleased { // released while we locked it
				s.kickSelf()
			}
		case s.state[i] == slotGranted:
			lost++
			g := s.grants[i]
			g.done = true
			if !g.revoked {
				close(g.lost)
			}
			s.state[i], s.grants[i] = slotFree, nil
		case s.state[i] == slotReleased:
			s.state[i] = slotFree
		}
		s.mu.Unlock()
	}
	if len(held) > 0 {
		s.log.Info("session slots: reconnected to PostgreSQL", "kept", kept, "lost", lost)
	}
	if lost > 0 {
		s.log.Warn("session slots: other replicas took slots while we were disconnected; closing as many sessions", "lost", lost)
	}
	return conn, nil
}

// fairShare is the most slots one of replicas replicas may hold out of n:
// an equal share, rounded down so that every replica gets one while there
// are at least as many slots as replicas (the remainder stays unused),
// and at least one.
func fairShare(n, replicas int) int {
	return max(1, n/max(1, replicas))
}

// rebalance checks the connection and sets this replica's share from the
// number of replicas declared on the database (JoinReplicas; none counts
// as one). Slots beyond a smaller share are revoked: their sessions close
// and release them, so that a replica that has just started gets its
// share instead of waiting for the others' sessions to end on their own.
func (s *SessionSlots) rebalance(conn *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), sessionSlotsQueryTimeout)
	defer cancel()
	var replicas int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
		AND classid::bigint = $1 AND objid::bigint <> 0
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, replicasLock).Scan(&replicas); err != nil {
		return err
	}
	share := fairShare(s.n, replicas)
	s.mu.Lock()
	defer s.mu.Unlock()
	if share != s.share {
		s.log.Info("session slots: replicas changed", "replicas", replicas, "slots", s.n, "share", share)
		if replicas > s.n {
			s.log.Warn("session slots: more replicas than the registry's sessions (pool_size): some replicas get none", "replicas", replicas, "slots", s.n)
		}
	}
	s.share = share
	held := 0
	for i, g := range s.grants {
		if s.state[i] != slotGranted || g.revoked {
			continue
		}
		if held++; held > share {
			g.revoked = true
			close(g.lost)
		}
	}
	return nil
}

// heldLocked is the number of slots granted and not revoked.
func (s *SessionSlots) heldLocked() int {
	held := 0
	for i, g := range s.grants {
		if s.state[i] == slotGranted && !g.revoked {
			held++
		}
	}
	return held
}

// grant locks a free slot, preferring one released but still locked by
// us, while this replica holds less than its share. err is the
// connection's failure, which is also the answer's.
func (s *SessionSlots) grant(conn *pgx.Conn) (acquired, error) {
	s.mu.Lock()
	if s.heldLocked() >= s.share {
		s.mu.Unlock()
		return acquired{}, nil
	}
	var free []int
	for i, st := range s.state {
		if st == slotReleased {
			a := s.grantLocked(i)
			s.mu.Unlock()
			return a, nil
		}
		if st == slotFree {
			free = append(free, i)
		}
	}
	s.mu.Unlock()
	// Only this goroutine takes a slot out of slotFree, so free stays
	// free while we try it.
	for _, i := range free {
		got, err := s.tryLock(conn, i)
		if err != nil {
			return acquired{err: fmt.Errorf("store: session slots: %w", err)}, err
		}
		if got {
			s.mu.Lock()
			a := s.grantLocked(i)
			s.mu.Unlock()
			return a, nil
		}
	}
	return acquired{}, nil
}

func (s *SessionSlots) grantLocked(i int) acquired {
	g := &slotGrant{lost: make(chan struct{})}
	s.state[i], s.grants[i] = slotGranted, g
	release := func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if g.done {
			return
		}
		g.done = true
		s.state[i], s.grants[i] = slotReleased, nil
		s.kickSelf()
	}
	return acquired{release: release, lost: g.lost, ok: true}
}

func (s *SessionSlots) kickSelf() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// unlockReleased unlocks the slots given back, for any replica to take.
func (s *SessionSlots) unlockReleased(conn *pgx.Conn) error {
	s.mu.Lock()
	var rel []int
	for i, st := range s.state {
		if st == slotReleased {
			rel = append(rel, i)
		}
	}
	s.mu.Unlock()
	for _, i := range rel {
		ctx, cancel := context.WithTimeout(context.Background(), sessionSlotsQueryTimeout)
		var unlocked bool
		err := conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1, $2)", s.key, int32(i)).Scan(&unlocked)
		cancel()
		if err != nil {
			return err
		}
		s.mu.Lock()
		if s.state[i] == slotReleased { // only this goroutine grants it again
			s.state[i] = slotFree
		}
		s.mu.Unlock()
	}
	return nil
}

func (s *SessionSlots) tryLock(conn *pgx.Conn, i int) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), sessionSlotsQueryTimeout)
	defer cancel()
	var got bool
	err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", s.key, int32(i)).Scan(&got)
	return got, err
}

// disconnect drops a failed connection. Slots released but not yet
// unlocked are free (PostgreSQL ends the session); granted ones stay
// granted, unconfirmed, until the next connection takes them back.
func (s *SessionSlots) disconnect(conn *pgx.Conn, err error) {
	s.connected.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	conn.Close(ctx)
	cancel()
	s.mu.Lock()
	granted := 0
	for i, st := range s.state {
		switch st {
		case slotReleased:
			s.state[i] = slotFree
		case slotGranted:
			granted++
		}
	}
	s.mu.Unlock()
	s.log.Warn("session slots: lost the PostgreSQL connection; no new EPP session until it is back", "err", err, "sessions", granted)
}

// loseAll tells the holders of granted slots that they are gone (Close).
func (s *SessionSlots) loseAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, g := range s.grants {
		if g != nil && !g.done {
			g.done = true
			if !g.revoked {
				close(g.lost)
			}
		}
		s.state[i], s.grants[i] = slotFree, nil
	}
}
