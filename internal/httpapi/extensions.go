package httpapi

import "github.com/openregistrar/registrar/internal/registrar"

// extensionRoutes registers GET extensions and extensions/{ext} under base.
func (s *Server) extensionRoutes(env registrar.Env, base string) {}
