// Package ttlcache is a map whose entries expire, bounded in size and safe
// for concurrent use. It imports only the standard library, so any package
// may use it.
package ttlcache

import (
	"sync"
	"time"
)

// Cache maps keys to values for a fixed time after each Put. It holds at
// most its size of entries: a Put of a new key into a full cache first
// drops the expired entries and then, if more than seven eighths of the
// size remain, arbitrary ones down to that, so that the sweep runs once
// per many Puts rather than on each. Callers pass the time, so tests need
// no sleeping.
type Cache[K comparable, V any] struct {
	ttl  time.Duration
	size int

	mu sync.RWMutex
	m  map[K]entry[V]
}

type entry[V any] struct {
	v       V
	expires time.Time
}

// New returns a cache whose entries live for ttl, holding at most size of
// them (at least one).
func New[K comparable, V any](ttl time.Duration, size int) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, size: max(size, 1), m: make(map[K]entry[V])}
}

// Get returns k's value if it was put less than the cache's ttl before
// now.
func (c *Cache[K, V]) Get(k K, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put stores v under k until now plus the cache's ttl.
func (c *Cache[K, V]) Put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.size {
		c.evict(now)
	}
	c.m[k] = entry[V]{v: v, expires: now.Add(c.ttl)}
}

// Len returns the number of entries held, expired or not.
func (c *Cache[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// evict makes room in a full cache. Called with c.mu held.
func (c *Cache[K, V]) evict(now time.Time) {
	for k, e := range c.m {
		if !now.Before(e.expires) {
			delete(c.m, k)
		}
	}
	target := c.size - max(c.size/8, 1)
	for k := range c.m {
		if len(c.m) <= target {
			break
		}
		delete(c.m, k)
	}
}
