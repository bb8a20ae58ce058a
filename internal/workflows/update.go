package workflows

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// updateData is an update workflow's private state: the request, and
// what the registry step needs. Data stored before it held the request
// alone, which decodes into it unchanged.
type updateData struct {
	registrar.UpdateRequest
	// NewAuthCode marks an auth-code workflow (POST .../auth-code): it
	// sets AuthInfo at the registry.
	NewAuthCode bool `json:"new_auth_code,omitempty"`
	// AuthInfo is the new auth code, kept only while the workflow runs so
	// that its registry step can be retried after a crash or an unknown
	// outcome; the transaction that ends the workflow stores the data
	// without it (see redactUpdate). It never appears in the context or a
	// log line.
	AuthInfo string `json:"auth_info,omitempty"`
	// Host marks a host workflow (POST, PATCH, DELETE .../hosts/{host}):
	// the glue host change it makes through registrar.HostRegistry.
	Host *registrar.HostChange `json:"host,omitempty"`
	// Retries counts consecutive attempts while blocked, for backoff.
	Retries      int        `json:"retries,omitempty"`
	BlockedSince *time.Time `json:"blocked_since,omitempty"`
	// Owner is the state of a change of contacts (owner.go).
	Owner *ownerChange `json:"owner,omitempty"`
}

// changes reports whether the update changes anything.
func (d *updateData) changes() bool { return d.AutoRenew != nil || d.registry() || d.Contacts != nil }

// registry reports whether the update changes something at the registry.
func (d *updateData) registry() bool {
	return d.Locked != nil || d.NewAuthCode || d.Nameservers != nil || d.DNSSEC != nil || d.Host != nil
}

// applyUpdate runs an update's one step: the registry's part, if any,
// then the registration's settings, in the transaction that records the
// end.
func (e *Engine) applyUpdate(ctx context.Context, wf *registrar.Workflow) (transition, error) {
	d, err := decode[updateData](wf)
	if err != nil {
		return transition{}, err
	}
	if d.Contacts != nil {
		if t, done, err := e.applyContacts(ctx, wf, &d); done || err != nil {
			return t, err
		}
	}
	if d.Host != nil {
		if t, done, err := e.updateHost(ctx, wf, &d); done || err != nil {
			return t, err
		}
	} else if d.registry() {
		if t, done, err := e.updateRegistry(ctx, wf, &d); done || err != nil {
			return t, err
		}
	}
	return e.finishUpdate(wf, d), nil
}

// updateRegistry makes the registry's part of an update: it asks first
// what the registry holds (statuses, auth code), so that a retry after an
// unknown outcome neither repeats an update that was made nor adds a
// status already set, which registries may refuse; then it sends one
// <domain:update> with what is missing. done is true when the workflow
// is blocked or failed instead of going on.
func (e *Engine) updateRegistry(ctx context.Context, wf *registrar.Workflow, d *updateData) (transition, bool, error) {
	_, ext, _ := strings.Cut(wf.Domain, ".")
	reg, _, err := e.Registries.Lookup(wf.Env, ext)
	if err != nil {
		return transition{}, true, err
	}
	info, err := reg.Info(ctx, wf.Domain)
	if err == nil && !info.Sponsored {
		return e.fail(wf, codeRegistrationMissing, "the registry says another registrar sponsors "+wf.Domain), true, nil
	}
	if err == nil {
		u := registrar.DomainUpdate{Name: wf.Domain}
		locked := slices.Contains(info.Statuses, registrar.StatusTransferLocked)
		switch {
		case d.Locked != nil && *d.Locked && !locked:
			u.AddStatuses = []string{registrar.StatusTransferLocked}
		case d.Locked != nil && !*d.Locked && locked:
			u.RemoveStatuses = []string{registrar.StatusTransferLocked}
		}
		if d.NewAuthCode && info.AuthInfo != d.AuthInfo {
			u.AuthInfo = d.AuthInfo
		}
		dnsUpdate(&u, info, d.UpdateRequest)
		if len(u.AddStatuses)+len(u.RemoveStatuses) > 0 || u.AuthInfo != "" || dnsChanges(u) {
			err = reg.Update(ctx, u)
		}
	}
	switch {
	case err == nil:
		return transition{}, false, nil
	case registrar.IsKind(err, registrar.KindUnavailable):
		return e.blockUpdate(wf, d, registrar.AsError(err).Message+"; retrying"), true, nil
	case ctx.Err() != nil:
		return e.blockUpdate(wf, d, "the registry did not answer in time; checking"), true, nil
	case registrar.IsKind(err, registrar.KindNotFound):
		return e.fail(wf, codeRegistrationMissing, "the registry does not know "+wf.Domain), true, nil
	case registrar.IsKind(err, registrar.KindRejected), registrar.IsKind(err, registrar.KindInvalid), registrar.IsKind(err, registrar.KindConflict):
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry refused the update: "+registrar.AsError(err).Message), true, nil
	}
	return transition{}, true, err
}

// blockUpdate marks an update blocked by an unreachable registry and
// retries its step with backoff; its context keeps the requested changes.
func (e *Engine) blockUpdate(wf *registrar.Workflow, d *updateData, reason string) transition {
	now := e.clock(wf.Env).Now()
	if d.BlockedSince == nil {
		d.BlockedSince = &now
	}
	d.Retries++
	wf.State, wf.Step = registrar.StateBlocked, stepApply
	wf.Deadline = d.BlockedSince.Add(e.cfg.BlockedTimeout)
	wf.Data = mustJSON(d)
	c := registrar.Blocked(registrar.BlockedByRegistry, reason)
	u := updateContext(*d, true)
	c.FieldsUpdated, c.Changes, c.PendingRegistryConfirmation = u.FieldsUpdated, u.Changes, true
	setContext(wf, c)
	return transition{next: stepApply, delay: backoff(d.Retries, e.cfg.RetryMin, e.cfg.RetryMax)}
}

// finishUpdate records the update's end: the registration's settings
// (auto_renew, and locked once the registry has it) and the workflow,
// its data without the auth code, in one transaction.
func (e *Engine) finishUpdate(wf *registrar.Workflow, d updateData) transition {
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		g, err := tx.Registration(ctx, wf.Env, wf.Domain)
		if registrar.IsKind(err, registrar.KindNotFound) || (err == nil && g.AccountID != wf.AccountID) {
			e.fail(wf, codeRegistrationMissing, "the registration no longer exists")
			return nil
		}
		if err != nil {
			return err
		}
		if d.AutoRenew != nil {
			g.AutoRenew = *d.AutoRenew
		}
		if d.Locked != nil {
			g.Locked = *d.Locked
		}
		if err := tx.SaveRegistration(ctx, g); err != nil {
			return err
		}
		if err := recordDNS(ctx, tx, g, d.UpdateRequest); err != nil {
			return err
		}
		if err := e.saveContacts(ctx, tx, wf, &d); err != nil {
			return err
		}
		wf.State, wf.Deadline = registrar.StateSucceeded, timeZero()
		d.AuthInfo, d.BlockedSince, d.Retries = "", nil, 0
		wf.Data = mustJSON(d)
		c := updateContext(d, false)
		c.Registration = g
		setContext(wf, c)
		return nil
	}}
}

// redactUpdate removes the auth code from an update workflow's data: it
// is kept only until the workflow ends.
func redactUpdate(wf *registrar.Workflow) {
	d, err := decode[updateData](wf)
	if err != nil || d.AuthInfo == "" {
		return
	}
	d.AuthInfo = ""
	wf.Data = mustJSON(d)
}

// updateContext is the public context of an update workflow: the fields
// it changes (fields_updated, and ours, changes, with their values) and
// whether the registry has yet to confirm them. auto_renew is ours, so an
// update of it alone is confirmed once applied; locked and auth_code are
// confirmed by the registry. A new auth code is named, never shown.
func updateContext(d updateData, pending bool) registrar.StatusContext {
	c := registrar.StatusContext{Changes: map[string]any{}, PendingRegistryConfirmation: pending}
	if d.AutoRenew != nil {
		c.FieldsUpdated = append(c.FieldsUpdated, "auto_renew")
		c.Changes["auto_renew"] = *d.AutoRenew
	}
	if d.Locked != nil {
		c.FieldsUpdated = append(c.FieldsUpdated, "locked")
		c.Changes["locked"] = *d.Locked
	}
	if d.NewAuthCode {
		c.FieldsUpdated = append(c.FieldsUpdated, "auth_code")
	}
	dnsContext(&c, d)
	ownerContext(d, &c)
	return c
}

// codeRegistrationMissing fails an update whose registration went away
// between the request and the update.
const codeRegistrationMissing = "registration_not_found"
