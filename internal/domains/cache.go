package domains

import (
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// cache keeps the registries' recent answers, per environment and name,
// for searches and KnownPremium. Entries expire after ttl; at most size
// are kept.
type cache struct {
	ttl  time.Duration
	size int

	mu sync.Mutex
	m  map[cacheKey]cacheEntry
}

type cacheKey struct {
	env  registrar.Env
	name string // ASCII
}

type cacheEntry struct {
	a       registrar.DomainAvailability
	expires time.Time
}

func newCache(ttl time.Duration, size int) *cache {
	return &cache{ttl: ttl, size: size, m: map[cacheKey]cacheEntry{}}
}

// get returns the unexpired answer about name in env.
func (c *cache) get(env registrar.Env, name string) (registrar.DomainAvailability, bool) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[cacheKey{env, name}]
	if !ok || !now.Before(e.expires) {
		return registrar.DomainAvailability{}, false
	}
	return e.a, true
}

// put records answers in env. When the cache is full it drops the expired
// entries first, then arbitrary ones.
func (c *cache) put(env registrar.Env, answers []registrar.DomainAvailability) {
	now := time.Now()
	expires := now.Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m)+len(answers) > c.size {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m)+len(answers) <= c.size {
				break
			}
			delete(c.m, k)
		}
	}
	for _, a := range answers {
		c.m[cacheKey{env, a.Name}] = cacheEntry{a: a, expires: expires}
	}
}
