package workflows

import (
	"context"

	"github.com/openregistrar/registrar/internal/registrar"
)

// StartRenewal implements registrar.Workflows. (Being built.)
func (e *Engine) StartRenewal(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, req registrar.RenewalRequest) (*registrar.Workflow, error) {
	return nil, registrar.Errorf(registrar.KindInternal, "workflows.StartRenewal", "not built yet")
}

// StartRestore implements registrar.Workflows. (Being built.)
func (e *Engine) StartRestore(ctx context.Context, p registrar.Principal, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return nil, registrar.Errorf(registrar.KindInternal, "workflows.StartRestore", "not built yet")
}

// KickLifecycle runs the lifecycle job now instead of at its next
// interval: the daemon calls it when an environment's clock is shifted.
// (Being built.)
func (e *Engine) KickLifecycle(ctx context.Context) {}
