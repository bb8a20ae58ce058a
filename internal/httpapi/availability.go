package httpapi

import "github.com/openregistrar/registrar/internal/registrar"

// availabilityRoutes registers POST domain-check and GET domain-search
// under base.
func (s *Server) availabilityRoutes(env registrar.Env, base string) {}
