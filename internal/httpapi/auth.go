package httpapi

import (
	"context"

	"github.com/openregistrar/registrar/internal/registrar"
)

// authenticate returns the principal of an API token. The store caches
// lookups and purges its cache on every replica when a token is revoked
// (see store.DB.Authenticate), so a revocation takes effect at once.
func (s *Server) authenticate(ctx context.Context, token string) (registrar.Principal, error) {
	return s.Reader.Authenticate(ctx, registrar.HashSecret(token))
}
