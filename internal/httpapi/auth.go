package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// Token lookups are cached briefly: every API request authenticates, and
// the lookup was a third of the cost of a status read. Tokens cannot be
// revoked or re-scoped through the API yet; when they can, the cache must
// be invalidated on that change (today a change would take effect within
// tokenCacheTTL).
const (
	tokenCacheTTL  = 30 * time.Second
	tokenCacheSize = 10000
)

// tokenCache maps token hashes to principals for a short while. Only
// successful lookups are cached, so an unknown token always reaches the
// database.
type tokenCache struct {
	ttl  time.Duration
	size int
	mu   sync.RWMutex
	m    map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p       registrar.Principal
	expires time.Time
}

func newTokenCache(ttl time.Duration, size int) *tokenCache {
	return &tokenCache{ttl: ttl, size: size, m: make(map[string]cachedPrincipal)}
}

func (c *tokenCache) get(hash string, now time.Time) (registrar.Principal, bool) {
	c.mu.RLock()
	e, ok := c.m[hash]
	c.mu.RUnlock()
	if !ok || now.After(e.expires) {
		return registrar.Principal{}, false
	}
	return e.p, true
}

func (c *tokenCache) put(hash string, p registrar.Principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.size {
		// Full: drop everything rather than track recency; the cache
		// refills from the database within one request per token.
		clear(c.m)
	}
	c.m[hash] = cachedPrincipal{p: p, expires: now.Add(c.ttl)}
}

// authenticate returns the principal of an API token.
func (s *Server) authenticate(ctx context.Context, token string) (registrar.Principal, error) {
	hash := registrar.HashSecret(token)
	now := time.Now()
	if p, ok := s.tokens.get(hash, now); ok {
		return p, nil
	}
	p, err := s.Reader.Authenticate(ctx, hash)
	if err != nil {
		return p, err
	}
	s.tokens.put(hash, p, now)
	return p, nil
}
