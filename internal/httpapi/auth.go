package httpapi

import (
	"context"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// Token lookups are cached briefly: every API request authenticates, and
// the lookup was a third of the cost of a status read. Tokens cannot be
// revoked or re-scoped through the API yet; when they can, the cache must
// be invalidated on that change (today a change would take effect within
// tokenCacheTTL). Only successful lookups are cached, so an unknown token
// always reaches the database.
const (
	tokenCacheTTL  = 30 * time.Second
	tokenCacheSize = 10000
)

// authenticate returns the principal of an API token.
func (s *Server) authenticate(ctx context.Context, token string) (registrar.Principal, error) {
	hash := registrar.HashSecret(token)
	now := time.Now()
	if p, ok := s.tokens.Get(hash, now); ok {
		return p, nil
	}
	p, err := s.Reader.Authenticate(ctx, hash)
	if err != nil {
		return p, err
	}
	s.tokens.Put(hash, p, now)
	return p, nil
}
