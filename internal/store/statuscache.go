package store

import (
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// statusKey names what a status endpoint shows: the newest workflow of a
// kind for a domain in an account and environment.
type statusKey struct {
	account string
	env     registrar.Env
	kind    registrar.WorkflowKind
	domain  string
}

// stamp orders the states of one status key: a later workflow (a new
// registration after a failed one) is newer than any version of an earlier
// one, and a higher version of the same workflow is newer.
type stamp struct {
	created int64 // unix microseconds
	version int64
}

func stampOf(wf *registrar.Workflow) stamp { return stamp{micros(wf.CreatedAt), wf.Version} }

func (s stamp) before(t stamp) bool {
	return s.created < t.created || (s.created == t.created && s.version < t.version)
}

// statusCache keeps the workflows status endpoints show, so that the
// hottest read of the API costs no query while nothing changes.
//
// Every committed workflow change invalidates its key with the stamp of the
// new state (writeWorkflow → publish): from then on the slot refuses
// anything older, so a read that raced with the change cannot store what
// it read. A read stores only what is newer than what is cached. So once a
// change's invalidation has run every read sees it, and one reader never
// sees a workflow go back in time. Emptying the cache (when full, or when
// the PostgreSQL listener reconnects) starts a new epoch, and reads begun
// in an earlier epoch store nothing.
//
// Entries also expire, a safety net for a change that never reaches this
// replica. The cache is off on PostgreSQL until the change listener is
// connected.
type statusCache struct {
	ttl   time.Duration
	size  int
	mu    sync.Mutex
	on    bool
	epoch uint64
	m     map[statusKey]*statusSlot
}

type statusSlot struct {
	min     stamp               // the newest state known to exist
	wf      *registrar.Workflow // nil when not cached
	expires time.Time
}

func newStatusCache(on bool) *statusCache {
	return &statusCache{ttl: time.Minute, size: 50000, on: on, m: make(map[statusKey]*statusSlot)}
}

// get returns the cached workflow of k.
func (c *statusCache) get(k statusKey) (*registrar.Workflow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.m[k]
	if !c.on || s == nil || s.wf == nil || time.Now().After(s.expires) {
		return nil, false
	}
	return s.wf, true
}

// begin starts a read from the database and returns the epoch to hand to
// put.
func (c *statusCache) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// put stores what a read begun in epoch found, unless something newer is
// known.
func (c *statusCache) put(k statusKey, epoch uint64, wf *registrar.Workflow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.on || epoch != c.epoch {
		return
	}
	s := c.slot(k)
	st := stampOf(wf)
	if st.before(s.min) || (s.wf != nil && st.before(stampOf(s.wf))) {
		return
	}
	s.wf, s.expires = wf, time.Now().Add(c.ttl)
}

// invalidate records that k's state at stamp st exists and drops anything
// older.
func (c *statusCache) invalidate(k statusKey, st stamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.slot(k)
	if s.min.before(st) {
		s.min = st
	}
	if s.wf != nil && stampOf(s.wf).before(st) {
		s.wf = nil
	}
}

// slot returns k's slot, making one. Called with c.mu held.
func (c *statusCache) slot(k statusKey) *statusSlot {
	s := c.m[k]
	if s == nil {
		if len(c.m) >= c.size {
			// Full: start over rather than track recency.
			c.reset()
		}
		s = &statusSlot{}
		c.m[k] = s
	}
	return s
}

// reset empties the cache and starts a new epoch. Called with c.mu held.
func (c *statusCache) reset() {
	clear(c.m)
	c.epoch++
}

// enable turns the cache on, empty.
func (c *statusCache) enable() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset()
	c.on = true
}

// disable turns the cache off and empties it.
func (c *statusCache) disable() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset()
	c.on = false
}
