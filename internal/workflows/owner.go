package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// Change of registrant (ICANN Transfer Policy, Part II; issue 14): PATCH
// contacts is an update workflow. A material change of the registrant
// (registrar.MaterialChange) waits, action_required at
// stepConfirmRegistrant, for the prior and the new registrant to open
// the links emailed to them; then the apply step sets the new registrant
// at the registry and the transaction that ends the workflow stores the
// contacts and, unless the registrant opted out, a 60-day lock against
// transfers out (store.DomainContacts). Any other change of contacts
// applies at once.

// stepConfirmRegistrant is where an update waits for the confirmations
// of a change of registrant.
const stepConfirmRegistrant = "confirm_registrant"

// ownerChange is the state of a change of contacts in an update
// workflow's data (updateData.Owner).
type ownerChange struct {
	// Prior are the contacts before the change, Next after it (Prior with
	// the roles the request sets replaced).
	Prior    registrar.Contacts `json:"prior"`
	Next     registrar.Contacts `json:"next"`
	Material bool               `json:"material,omitempty"`
	// Awaiting are the parties yet to confirm; Codes the hash of each
	// party's link code; SentTo each party's masked address.
	Awaiting  []string          `json:"awaiting,omitempty"`
	Codes     map[string]string `json:"codes,omitempty"`
	SentTo    map[string]string `json:"sent_to,omitempty"`
	ExpiresAt *time.Time        `json:"expires_at,omitempty"`
	// PriorRegistrantID is the registry's registrant before our first
	// update, and Attempts the updates that may have reached it: after an
	// unknown outcome an info tells whether the registrant changed.
	PriorRegistrantID string `json:"prior_registrant_id,omitempty"`
	Attempts          int    `json:"attempts,omitempty"`
	Applied           bool   `json:"applied,omitempty"`
	// LockUntil is the end of the transfer lock the change sets.
	LockUntil *time.Time `json:"lock_until,omitempty"`
}

// applyContacts runs the contacts part of an update's apply step: on its
// first run it works out the change and, when it is material, asks for
// the confirmations; once confirmed (or when it is not material) it sets
// a changed registrant at the registry. done is true when the step ends
// here (waiting, blocked or failed).
func (e *Engine) applyContacts(ctx context.Context, wf *registrar.Workflow, d *updateData) (transition, bool, error) {
	if d.Owner == nil {
		prior, err := e.priorContacts(ctx, wf)
		if err != nil {
			return transition{}, true, err
		}
		change := *d.Contacts
		for _, c := range []**registrar.Contact{&change.Registrant, &change.Administrator, &change.Technical, &change.Billing} {
			if *c != nil {
				n := **c
				n.Normalize()
				*c = &n
			}
		}
		next := prior.Merge(change)
		d.Owner = &ownerChange{Prior: prior, Next: next, Material: registrar.MaterialChange(prior.Registrant, next.Registrant)}
		if d.Owner.Material {
			return e.askRegistrantChange(wf, d), true, nil
		}
	}
	o := d.Owner
	if len(o.Awaiting) > 0 {
		return transition{}, true, registrar.Errorf(registrar.KindInternal, "workflows.applyContacts", "the change of registrant of %s is not confirmed", wf.Domain)
	}
	if !o.Applied && o.Next.Registrant != nil && !sameContact(o.Prior.Registrant, o.Next.Registrant) {
		if t, done, err := e.changeRegistrant(ctx, wf, d); done || err != nil {
			return t, done, err
		}
	}
	if o.Material && !d.TransferLockOptOut && o.LockUntil == nil {
		o.LockUntil = ptr(e.clock(wf.Env).Now().Add(registrar.TransferLockAfterChange).UTC())
	}
	wf.Data = mustJSON(d)
	return transition{}, false, nil
}

func sameContact(a, b *registrar.Contact) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// priorContacts are a registration's contacts: as last changed, or as
// its registration (or transfer in) was made, or, when neither is known,
// the account's default contact as registrant.
func (e *Engine) priorContacts(ctx context.Context, wf *registrar.Workflow) (registrar.Contacts, error) {
	stored, err := e.DB.DomainContacts(ctx, wf.Env, wf.Domain)
	if err == nil && stored.AccountID == wf.AccountID {
		return stored.Contacts, nil
	}
	if err != nil && !registrar.IsKind(err, registrar.KindNotFound) {
		return registrar.Contacts{}, err
	}
	var out registrar.Contacts
	g, err := e.DB.Registration(ctx, wf.AccountID, wf.Env, wf.Domain)
	if err != nil && !registrar.IsKind(err, registrar.KindNotFound) {
		return out, err
	}
	if err == nil && g.WorkflowID != "" {
		if made, err := e.DB.WorkflowByID(ctx, g.WorkflowID); err == nil {
			if made.Kind == registrar.WorkflowRegistration {
				if rd, err := decode[registrationData](made); err == nil {
					out = rd.Contacts
				}
			} else {
				var td struct {
					Contacts registrar.Contacts `json:"contacts"`
				}
				if json.Unmarshal(made.Data, &td) == nil {
					out = td.Contacts
				}
			}
		}
	}
	if out.Registrant == nil {
		acct, err := e.DB.Account(ctx, wf.AccountID)
		if err != nil {
			return out, err
		}
		out.Registrant = acct.DefaultContact
	}
	return out, nil
}

// askRegistrantChange pauses the update until the prior and the new
// registrant confirm the change, and emails each a link (one-time codes,
// stored hashed, as a registration's email verification). The new
// registrant's confirmation is also the verification of its address. A
// prior registrant we know nothing of cannot be asked: then only the new
// one is.
func (e *Engine) askRegistrantChange(wf *registrar.Workflow, d *updateData) transition {
	now := e.clock(wf.Env).Now()
	expires := now.Add(e.cfg.ActionTimeout)
	o := d.Owner
	o.Codes, o.SentTo, o.ExpiresAt, o.Awaiting = map[string]string{}, map[string]string{}, &expires, nil
	type ask struct {
		hash, email string
		msg         registrar.Message
	}
	var asks []ask
	describe := func(c *registrar.Contact) string {
		s := c.PostalInfo.Name
		if c.PostalInfo.Organization != "" {
			s += ", " + c.PostalInfo.Organization
		}
		return s + " <" + c.Email + ">"
	}
	for _, p := range []struct {
		party string
		c     *registrar.Contact
		role  string
	}{
		{registrar.PartyPriorRegistrant, o.Prior.Registrant, "the current registrant"},
		{registrar.PartyNewRegistrant, o.Next.Registrant, "the new registrant"},
	} {
		if p.c == nil || p.c.Email == "" {
			continue
		}
		code, hash := registrar.NewSecret("")
		link := strings.TrimRight(e.cfg.PublicURL, "/") + "/verify-email/" + url.PathEscape(code)
		from := "(unknown)"
		if o.Prior.Registrant != nil {
			from = describe(o.Prior.Registrant)
		}
		asks = append(asks, ask{hash: hash, email: p.c.Email, msg: registrar.Message{
			To:      p.c.Email,
			Subject: "Confirm the change of registrant of " + wf.Domain,
			Body: fmt.Sprintf("Hello %s,\n\nA change of the registrant of %s was requested:\n\n  from: %s\n  to:   %s\n\n"+
				"As %s, please confirm it by opening this link:\n\n%s\n\n"+
				"Both the current and the new registrant must confirm. The link expires on %s; then the change is dropped.\n%s"+
				"If you did not expect this, do not open the link: the change will not be made.\n",
				p.c.PostalInfo.Name, wf.Domain, from, describe(o.Next.Registrant), p.role, link, expires.Format(time.RFC1123), lockNote(d)),
			Secret: code,
		}})
		o.Awaiting = append(o.Awaiting, p.party)
		o.Codes[p.party] = hash
		o.SentTo[p.party] = registrar.MaskEmail(p.c.Email)
	}
	wf.State, wf.Step, wf.Deadline = registrar.StateActionRequired, stepConfirmRegistrant, expires
	wf.Data = mustJSON(d)
	setContext(wf, awaitingContext(*d))
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		for _, a := range asks {
			if err := tx.InsertVerification(ctx, a.hash, wf.ID, a.email, now, expires); err != nil {
				return err
			}
			if err := e.queueMail(ctx, tx, wf.ID, a.msg); err != nil {
				return err
			}
		}
		return nil
	}}
}

func lockNote(d *updateData) string {
	if d.TransferLockOptOut {
		return "The registrant opted out of the 60-day lock against transfers to another registrar.\n"
	}
	return "Once made, the change locks the domain against transfers to another registrar for 60 days.\n"
}

// awaitingContext is the public context of an update waiting for the
// confirmations of a change of registrant.
func awaitingContext(d updateData) registrar.StatusContext {
	o := d.Owner
	c := updateContext(d, true)
	c.Action, c.ActionExpiresAt = registrar.ActionRegistrantChangeConfirmationPending, o.ExpiresAt
	c.Awaiting = slices.Clone(o.Awaiting)
	c.ConfirmationsSentTo = map[string]string{}
	for _, p := range o.Awaiting {
		c.ConfirmationsSentTo[p] = o.SentTo[p]
	}
	if len(o.Awaiting) > 0 {
		c.ConfirmationSentTo = o.SentTo[o.Awaiting[0]]
	}
	return c
}

// ownerContext adds a change of contacts to an update's public context:
// the field, the opt-out, and the lock once decided. Contact details
// never appear in it.
func ownerContext(d updateData, c *registrar.StatusContext) {
	if d.Contacts == nil {
		return
	}
	c.FieldsUpdated = append(c.FieldsUpdated, "contacts")
	if d.TransferLockOptOut {
		c.Changes["transfer_lock_opt_out"] = true
	}
	if d.Owner != nil && d.Owner.LockUntil != nil {
		c.TransferLockedUntil = d.Owner.LockUntil
	}
}

// changeRegistrant sets the new registrant at the registry. It asks first
// (an info) who the registrant is: after an attempt whose answer was
// lost, a registrant other than the one before the first attempt means
// the update was made, and it is not sent again. Each attempt is stored
// before it is sent.
func (e *Engine) changeRegistrant(ctx context.Context, wf *registrar.Workflow, d *updateData) (transition, bool, error) {
	_, ext, _ := strings.Cut(wf.Domain, ".")
	reg, _, err := e.Registries.Lookup(wf.Env, ext)
	if err != nil {
		return transition{}, true, err
	}
	o := d.Owner
	info, err := reg.Info(ctx, wf.Domain)
	if err == nil && !info.Sponsored {
		return e.fail(wf, codeRegistrationMissing, "the registry says another registrar sponsors "+wf.Domain), true, nil
	}
	if err == nil {
		if o.Attempts > 0 && info.RegistrantID != o.PriorRegistrantID {
			o.Applied = true
			return transition{}, false, nil
		}
		if o.Attempts == 0 {
			o.PriorRegistrantID = info.RegistrantID
		}
		o.Attempts++
		wf.Data = mustJSON(d)
		if ok, err := e.commit(ctx, nil, wf, transition{}); err != nil || !ok {
			if err == nil {
				err = errStale
			}
			return transition{}, true, err
		}
		next := *o.Next.Registrant
		if err = reg.Update(ctx, registrar.DomainUpdate{Name: wf.Domain, Registrant: &next}); err == nil {
			o.Applied = true
			return transition{}, false, nil
		}
	}
	switch {
	case registrar.IsKind(err, registrar.KindUnavailable):
		return e.blockUpdate(wf, d, registrar.AsError(err).Message+"; retrying"), true, nil
	case ctx.Err() != nil:
		return e.blockUpdate(wf, d, "the registry did not answer in time; checking"), true, nil
	case registrar.IsKind(err, registrar.KindNotFound):
		return e.fail(wf, codeRegistrationMissing, "the registry does not know "+wf.Domain), true, nil
	case registrar.IsKind(err, registrar.KindRejected), registrar.IsKind(err, registrar.KindInvalid), registrar.IsKind(err, registrar.KindConflict):
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry refused the change of registrant: "+registrar.AsError(err).Message), true, nil
	}
	return transition{}, true, err
}

// saveContacts stores the contacts an update changed, and the lock it
// set, in the transaction that ends it. A change that sets no lock keeps
// one that runs.
func (e *Engine) saveContacts(ctx context.Context, tx *store.Tx, wf *registrar.Workflow, d *updateData) error {
	if d.Owner == nil {
		return nil
	}
	rec := store.DomainContacts{Env: wf.Env, Domain: wf.Domain, AccountID: wf.AccountID, Contacts: d.Owner.Next,
		ChangedAt: e.clock(wf.Env).Now(), WorkflowID: wf.ID}
	old, err := tx.DomainContacts(ctx, wf.Env, wf.Domain)
	switch {
	case err == nil && old.AccountID == wf.AccountID:
		rec.TransferLockUntil = old.TransferLockUntil
	case err != nil && !registrar.IsKind(err, registrar.KindNotFound):
		return err
	}
	if d.Owner.LockUntil != nil {
		rec.TransferLockUntil = *d.Owner.LockUntil
	}
	return tx.SaveDomainContacts(ctx, rec)
}

// confirmRegistrantChange records a party's confirmation of a change of
// registrant (the link of ConfirmEmail); the last one resumes the
// update at its apply step. Opening a link again is harmless.
func (e *Engine) confirmRegistrantChange(ctx context.Context, tx *store.Tx, wf *registrar.Workflow, hash string) error {
	if wf.State == registrar.StateFailed {
		return registrar.Errorf(registrar.KindConflict, "workflows.ConfirmEmail", "the change of registrant this link was for has ended")
	}
	if wf.State != registrar.StateActionRequired || wf.Step != stepConfirmRegistrant {
		return nil
	}
	d, err := decode[updateData](wf)
	if err != nil || d.Owner == nil {
		return err
	}
	o := d.Owner
	o.Awaiting = slices.DeleteFunc(o.Awaiting, func(p string) bool { return o.Codes[p] == hash })
	if len(o.Awaiting) > 0 {
		wf.Data = mustJSON(d)
		setContext(wf, awaitingContext(d))
		return tx.SaveWorkflow(ctx, wf)
	}
	wf.State, wf.Step = registrar.StateInProgress, stepApply
	wf.Deadline = e.clock(wf.Env).Now().Add(e.cfg.InProgressTimeout)
	wf.Data = mustJSON(d)
	setContext(wf, updateContext(d, true))
	if err := tx.SaveWorkflow(ctx, wf); err != nil {
		return err
	}
	return e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: stepApply}, nil)
}

// transferOutLock returns the end of the lock after a change of
// registrant that refuses a transfer out of g now, or nil.
func transferOutLock(ctx context.Context, tx *store.Tx, g *registrar.Registration, now time.Time) (*time.Time, error) {
	c, err := tx.DomainContacts(ctx, g.Env, g.DomainName)
	if registrar.IsKind(err, registrar.KindNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if c.AccountID != g.AccountID || !c.TransferLocked(now) {
		return nil, nil
	}
	return ptr(c.TransferLockUntil), nil
}

// lockedOutDetail says why a transfer out is refused.
func lockedOutDetail(domain string, until time.Time) string {
	return fmt.Sprintf("%s: the registrant of %s changed; transfers to another registrar are refused until %s (ICANN Transfer Policy, 60-day lock after a change of registrant)",
		registrar.TransferReasonRegistrantChangeLock, domain, until.Format(time.RFC3339))
}

// rejectLockedTransferOut rejects at the registry a transfer out that
// the lock after a change of registrant refuses, and fails the outbound
// transfer with the reason; an unreachable registry is asked again.
func (e *Engine) rejectLockedTransferOut(ctx context.Context, wf *registrar.Workflow, d *transferOutData, tr registrar.Transfers) (transition, error) {
	_, err := tr.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpReject, Name: wf.Domain})
	if err == nil {
		detail := lockedOutDetail(wf.Domain, *d.LockedUntil)
		t := e.fail(wf, registrar.CodeTransferRejected, detail)
		setContext(wf, registrar.StatusContext{Detail: detail, TransferLockedUntil: d.LockedUntil})
		return t, nil
	}
	if !registrar.IsKind(err, registrar.KindUnavailable) && ctx.Err() == nil {
		return transition{}, err
	}
	d.Checks++
	wf.Data = mustJSON(d)
	return transition{next: stepTransferOut, delay: backoff(d.Checks, e.cfg.RetryMin, e.cfg.RetryMax)}, nil
}
