package daemon

import (
	"github.com/openregistrar/registrar/internal/registrar"
)

// sandboxRegistries sends every extension of the catalog, in both
// environments, to the built-in sandbox registry.
type sandboxRegistries struct {
	reg     registrar.Registry
	catalog *registrar.Catalog
}

func newSandboxRegistries(reg registrar.Registry, catalog *registrar.Catalog) *sandboxRegistries {
	return &sandboxRegistries{reg: reg, catalog: catalog}
}

// Registry implements registrar.Registries.
func (s *sandboxRegistries) Registry(env registrar.Env, ext string) (registrar.Registry, error) {
	if _, ok := s.catalog.Lookup(ext); !ok {
		return nil, registrar.Errorf(registrar.KindInvalid, "daemon.Registry", "no registry serves .%s", ext)
	}
	return s.reg, nil
}

// All implements registrar.Registries.
func (s *sandboxRegistries) All() []registrar.Registry { return []registrar.Registry{s.reg} }
