package workflows

import (
	"context"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// applyUpdate changes the registration's settings. auto_renew is ours, not
// the registry's, so one transaction does it.
func (e *Engine) applyUpdate(wf *registrar.Workflow) transition {
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		d, err := decode[registrar.UpdateRequest](wf)
		if err != nil {
			return err
		}
		g, err := tx.Registration(ctx, wf.Env, wf.Domain)
		if registrar.IsKind(err, registrar.KindNotFound) || (err == nil && g.AccountID != wf.AccountID) {
			wf.State, wf.Deadline = registrar.StateFailed, timeZero()
			wf.ErrorCode, wf.ErrorMessage = codeRegistrationMissing, "the registration no longer exists"
			return nil
		}
		if err != nil {
			return err
		}
		if d.AutoRenew != nil {
			g.AutoRenew = *d.AutoRenew
		}
		if err := tx.SaveRegistration(ctx, g); err != nil {
			return err
		}
		wf.State, wf.Deadline = registrar.StateSucceeded, timeZero()
		setContext(wf, registrar.StatusContext{Changes: map[string]any{"auto_renew": g.AutoRenew}, Registration: g})
		return nil
	}}
}

// codeRegistrationMissing fails an update whose registration went away
// between the request and the update.
const codeRegistrationMissing = "registration_not_found"
