package workflows

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// StartRegistration implements registrar.Workflows. The domain name is the
// idempotency key: the registrations table holds one row per domain and
// environment from the first POST until the workflow fails, so repeated or
// concurrent requests of one account find that row and get its workflow,
// and another account's request finds it taken. Such a workflow comes
// back with Existing set.
func (e *Engine) StartRegistration(ctx context.Context, p registrar.Principal, env registrar.Env, req registrar.RegistrationRequest) (*registrar.Workflow, error) {
	const op = "workflows.StartRegistration"
	_, ext, err := e.Registries.Lookup(env, req.Extension)
	if err != nil {
		return nil, registrar.Invalid(op, "/domain_name", "%s", registrar.AsError(err).Message)
	}
	// The request has passed its extension's registration schema
	// (internal/schema): what is left is to fill in the defaults.
	if req.Years == 0 {
		req.Years, _ = ext.Years()
	}
	if req.Contacts.Registrant == nil {
		if e.policy(env).RegistrantRequired {
			return nil, registrar.Invalid(op, "/contacts/registrant", "%s", registrar.MsgRegistrantRequired)
		}
		acct, err := e.DB.Account(ctx, p.AccountID)
		if err != nil {
			return nil, err
		}
		if acct.DefaultContact == nil {
			return nil, registrar.Invalid(op, "/contacts/registrant", "%s", registrar.MsgNoRegistrant)
		}
		req.Contacts.Registrant = acct.DefaultContact
	}
	if req.PrivacyMode == "" {
		req.PrivacyMode = registrar.PrivacyRedaction
	}
	now := e.clock(env).Now()
	d := registrationData{
		RegistrationRequest: req, Extension: ext.Name, Consents: consents(ext, req.Acknowledgements, now),
		AuthInfo:   newAuthInfo(),
		PriceCents: ext.RegistrationCents * int64(req.Years), Currency: ext.Currency,
		RequestID: registrar.RequestID(ctx),
	}
	wf := &registrar.Workflow{
		ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowRegistration, Domain: req.DomainName,
		State: registrar.StatePending, Step: stepStart, Data: mustJSON(d),
		CreatedAt: now, UpdatedAt: now, Deadline: now.Add(e.cfg.InProgressTimeout),
	}
	setContext(wf, registrar.StatusContext{})
	g := &registrar.Registration{
		AccountID: p.AccountID, Env: env, WorkflowID: wf.ID, DomainName: req.DomainName, Status: registrar.RegistrationPending,
		CreatedAt: now, AutoRenew: req.AutoRenew, Locked: true, PrivacyMode: req.PrivacyMode,
	}
	var out *registrar.Workflow
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		holder, err := tx.ClaimDomain(ctx, g, req.Years)
		if err != nil {
			return err
		}
		if holder != nil && holder.AccountID == p.AccountID {
			out, err = tx.LatestWorkflow(ctx, p.AccountID, env, registrar.WorkflowRegistration, req.DomainName)
			if err != nil {
				return err
			}
			out.Existing = true
			return nil
		}
		if holder != nil {
			// Another account holds the name: this request fails as
			// unavailable, as it would at the registry, without touching it.
			wf.State, wf.Deadline = registrar.StateFailed, time.Time{}
			wf.ErrorCode, wf.ErrorMessage = registrar.CodeDomainUnavailable, fmt.Sprintf("%s is not available for registration", req.DomainName)
			out = wf
			return tx.InsertWorkflow(ctx, wf)
		}
		out = wf
		return e.admit(ctx, tx, p, env, wf, stepStart)
	})
	if err != nil {
		return nil, err
	}
	e.jobs.wake(ctx)
	return out, nil
}

// admit starts wf, whose domain it has just claimed in tx: it takes one
// of the account's domain slots, checks the account's in-flight cap,
// stores wf and queues its first step, all in tx.
func (e *Engine) admit(ctx context.Context, tx *store.Tx, p registrar.Principal, env registrar.Env, wf *registrar.Workflow, step string) error {
	if err := tx.ReserveDomainSlot(ctx, p.AccountID, env, e.cfg.MaxDomains); err != nil {
		return err
	}
	if err := e.checkInFlight(ctx, tx, p.AccountID, env); err != nil {
		return err
	}
	if err := tx.InsertWorkflow(ctx, wf); err != nil {
		return err
	}
	return e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: step}, nil)
}

// inFlightRetryAfter is the retry delay given to an account over its
// in-flight cap: about one registration's time.
const inFlightRetryAfter = 5

// checkInFlight refuses a new registration while the account already has
// cfg.MaxInFlight of them pending or in progress in env, so that one
// account's flood never takes every worker and registry session from the
// others.
func (e *Engine) checkInFlight(ctx context.Context, tx *store.Tx, accountID string, env registrar.Env) error {
	if e.cfg.MaxInFlight < 0 {
		return nil
	}
	return tx.CountInFlight(ctx, accountID, env, func(n int) error {
		if n < e.cfg.MaxInFlight {
			return nil
		}
		return &registrar.Error{Kind: registrar.KindRateLimited, Op: "workflows.StartRegistration", RetryAfterSeconds: inFlightRetryAfter,
			Message: fmt.Sprintf("the account already has %d registrations pending or in progress, the most it may have at once; retry when one finishes", n)}
	})
}

// StartUpdate implements registrar.Workflows. A request that changes
// nothing (no auto_renew, no locked) is valid, as in both Cloudflare SDKs:
// its workflow is stored succeeded at once, with the registration as it
// is, and queues no job, so it touches neither the registration nor a
// registry.
func (e *Engine) StartUpdate(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, req registrar.UpdateRequest) (*registrar.Workflow, error) {
	return e.startUpdate(ctx, p, env, domain, updateData{UpdateRequest: req})
}

// StartAuthCode implements registrar.Workflows: an update workflow that
// sets a new auth code at the registry. The code is returned here and
// kept in the workflow's data only until the workflow ends.
func (e *Engine) StartAuthCode(ctx context.Context, p registrar.Principal, env registrar.Env, domain string) (*registrar.Workflow, string, error) {
	code := registrar.NewAuthCode()
	wf, err := e.startUpdate(ctx, p, env, domain, updateData{NewAuthCode: true, AuthInfo: code})
	if err != nil {
		return nil, "", err
	}
	return wf, code, nil
}

// startUpdate stores an update workflow and queues its step. An update
// that changes the registry needs an active registration and waits for
// no other: while an update of the domain is running, it is refused
// (KindConflict), so that two registry updates never race and the auth
// code a caller gets is the one the registry holds.
func (e *Engine) startUpdate(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, d updateData) (*registrar.Workflow, error) {
	const op = "workflows.StartUpdate"
	now := e.clock(env).Now()
	wf := &registrar.Workflow{
		ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowUpdate, Domain: domain,
		State: registrar.StatePending, Step: stepApply, Data: mustJSON(d),
		CreatedAt: now, UpdatedAt: now, Deadline: now.Add(e.cfg.InProgressTimeout),
	}
	setContext(wf, updateContext(d, true))
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		g, err := tx.Registration(ctx, env, domain)
		if err != nil {
			return err
		}
		if g.AccountID != p.AccountID {
			return registrar.Errorf(registrar.KindNotFound, op, "registration of %s not found", domain)
		}
		if !d.changes() {
			wf.State, wf.Deadline = registrar.StateSucceeded, timeZero()
			c := updateContext(d, false) // no fields updated, nothing to confirm
			c.Registration = g
			setContext(wf, c)
			return tx.InsertWorkflow(ctx, wf)
		}
		if d.registry() || d.Contacts != nil {
			if g.Status != registrar.RegistrationActive {
				return registrar.Errorf(registrar.KindConflict, op, "%s is not registered yet (%s); retry once it is active", domain, g.Status)
			}
			prev, err := tx.LatestWorkflow(ctx, p.AccountID, env, registrar.WorkflowUpdate, domain)
			if err != nil && !registrar.IsKind(err, registrar.KindNotFound) {
				return err
			}
			if err == nil && !prev.Completed() {
				return registrar.Errorf(registrar.KindConflict, op, "another update of %s is in progress; retry when it has finished", domain)
			}
		}
		if err := tx.InsertWorkflow(ctx, wf); err != nil {
			return err
		}
		return e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: stepApply}, nil)
	})
	if err != nil {
		return nil, err
	}
	if !wf.Completed() {
		e.jobs.wake(ctx)
	}
	return wf, nil
}

// ConfirmEmail implements registrar.Workflows: the registrant opened the
// verification link. Opening it again is harmless.
func (e *Engine) ConfirmEmail(ctx context.Context, code string) (*registrar.Workflow, error) {
	const op = "workflows.ConfirmEmail"
	now := e.Clock.Now()
	// Look before locking: anyone can send codes, and an unknown one must
	// not queue behind (or hold) the single writer.
	if _, err := e.DB.Verification(ctx, registrar.HashSecret(code)); err != nil {
		return nil, err
	}
	var wf *registrar.Workflow
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		v, err := tx.ConfirmVerification(ctx, registrar.HashSecret(code), now)
		if err != nil {
			return err
		}
		wf, err = tx.Workflow(ctx, v.WorkflowID)
		if err != nil {
			return err
		}
		// The link expires on the clock its expiry was set by.
		if e.clock(wf.Env).Now().After(v.ExpiresAt) && wf.State != registrar.StateSucceeded {
			return registrar.Errorf(registrar.KindConflict, op, "this verification link has expired")
		}
		if wf.Kind == registrar.WorkflowUpdate {
			return e.confirmRegistrantChange(ctx, tx, wf, registrar.HashSecret(code))
		}
		if wf.State == registrar.StateFailed {
			return registrar.Errorf(registrar.KindConflict, op, "the registration this link was for has ended")
		}
		if wf.State != registrar.StateActionRequired || wf.Step != stepVerifyEmail {
			return nil // confirmed before, and the workflow has moved on
		}
		d, err := decode[registrationData](wf)
		if err != nil {
			return err
		}
		e.advance(wf, &d, stepCreate)
		if err := tx.SaveWorkflow(ctx, wf); err != nil {
			return err
		}
		return e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: stepCreate}, nil)
	})
	if err != nil {
		return nil, err
	}
	e.jobs.wake(ctx)
	return wf, nil
}

// ResendVerification implements registrar.Workflows: the registrant lost
// (or never got) the verification email of a registration waiting on it.
// A new code goes out in the same email, with the same expiry: the
// workflow's deadline, which does not move, so that resending cannot keep
// a name held. The links sent before keep working until then. The
// first email is not a resend: one may follow it at once, then one a
// VerificationResendInterval, MaxVerificationResends in all (the codes
// stored, one row each, are the count). The workflow is saved (its
// version bumped) in the same transaction, so that two concurrent
// resends cannot both pass the limits: the second loses the race.
func (e *Engine) ResendVerification(ctx context.Context, p registrar.Principal, env registrar.Env, domain string) (*registrar.Workflow, error) {
	const op = "workflows.ResendVerification"
	if !p.Can(registrar.ScopeWrite) {
		return nil, registrar.Errorf(registrar.KindForbidden, op, "the API token is read-only: it lacks the %s permission this request needs", registrar.ScopeWrite)
	}
	var wf *registrar.Workflow
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		wf, err = tx.LatestWorkflow(ctx, p.AccountID, env, registrar.WorkflowRegistration, domain)
		if err != nil {
			return err
		}
		if wf.State != registrar.StateActionRequired || wf.Step != stepVerifyEmail {
			return registrar.Errorf(registrar.KindConflict, op,
				"the registration of %s is not waiting for its registrant to confirm their email address (it is %s): there is no verification email to send again", domain, wf.State)
		}
		now := e.clock(env).Now()
		if !now.Before(wf.Deadline) {
			return registrar.Errorf(registrar.KindConflict, op,
				"the verification of %s expired at %s: the registration is ending; register the name again", domain, wf.Deadline.UTC().Format(time.RFC3339))
		}
		n, newest, err := tx.VerificationsSent(ctx, wf.ID)
		if err != nil {
			return err
		}
		resent := n - 1 // the first email is not a resend
		if resent >= registrar.MaxVerificationResends {
			return registrar.Errorf(registrar.KindConflict, op,
				"the verification email of %s has been sent again %d times, the most it may be; open the link in any of them before %s",
				domain, resent, wf.Deadline.UTC().Format(time.RFC3339))
		}
		if wait := newest.Add(registrar.VerificationResendInterval).Sub(now); resent > 0 && wait > 0 {
			secs, unit := int((wait+time.Second-1)/time.Second), "seconds"
			if secs == 1 {
				unit = "second"
			}
			return &registrar.Error{Kind: registrar.KindRateLimited, Op: op, RetryAfterSeconds: secs,
				Message: fmt.Sprintf("the verification email of %s was sent again less than a minute ago; retry in %d %s", domain, secs, unit)}
		}
		d, err := decode[registrationData](wf)
		if err != nil {
			return err
		}
		code, hash := registrar.NewSecret("")
		msg := e.verificationMail(wf, &d, code, wf.Deadline)
		wf.UpdatedAt = now
		if err := tx.SaveWorkflow(ctx, wf); err != nil {
			return err
		}
		if err := tx.InsertVerification(ctx, hash, wf.ID, d.Contacts.Registrant.Email, now, wf.Deadline); err != nil {
			return err
		}
		return e.queueMail(ctx, tx, wf.ID, msg)
	})
	if err != nil {
		return nil, err
	}
	if e.Mailer != nil {
		e.jobs.wake(ctx) // the mail job, due now
	}
	return wf, nil
}

// consents records the acknowledgements of a request, each with the
// text the extension gives it and the time. The schema has made every
// one present true.
func consents(ext registrar.Extension, acks map[string]any, at time.Time) []consent {
	var out []consent
	for _, a := range ext.Acknowledgements {
		if acks[a.Name] == true {
			out = append(out, consent{Name: a.Name, Text: a.Description, At: at})
		}
	}
	return out
}

// newAuthInfo returns a transfer secret that meets common registry rules
// (RFC 5731 allows 6 to 64 characters; many registries want mixed classes).
func newAuthInfo() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	var b [20]byte
	rand.Read(b[:])
	var s strings.Builder
	for _, c := range b {
		s.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return s.String() + "-9a"
}
