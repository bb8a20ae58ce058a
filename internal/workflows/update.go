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
			setContext(wf, updateContext(d, false))
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
		c := updateContext(d, false)
		c.Registration = g
		setContext(wf, c)
		return nil
	}}
}

// updateContext is the public context of an update workflow: the fields
// it changes (fields_updated, and ours, changes, with their values) and
// whether the registry has yet to confirm them. auto_renew is ours, so an
// update is confirmed once applied.
func updateContext(req registrar.UpdateRequest, pending bool) registrar.StatusContext {
	c := registrar.StatusContext{Changes: map[string]any{}, PendingRegistryConfirmation: pending}
	if req.AutoRenew != nil {
		c.FieldsUpdated = append(c.FieldsUpdated, "auto_renew")
		c.Changes["auto_renew"] = *req.AutoRenew
	}
	return c
}

// codeRegistrationMissing fails an update whose registration went away
// between the request and the update.
const codeRegistrationMissing = "registration_not_found"
