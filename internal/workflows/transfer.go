package workflows

// Transfers, both sides (docs/ARCHITECTURE.md, "Transfer states"). A
// transfer in is a workflow like a registration: it claims the domain's
// row (status transfer_pending), stores each request attempt before
// sending it, settles an unknown outcome with a transfer query, and waits
// blocked on the losing registrar for the registry's poll message, with a
// periodic query as fallback. A transfer out is a workflow the poll worker
// starts when the registry tells us another registrar asked for a domain
// an account holds here.

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// The steps of transfers.
const (
	stepTransferStart   = "transfer_start"   // price and eligibility, before anything is sent
	stepTransferRequest = "transfer_request" // send the request (or settle an earlier attempt)
	stepTransferAwait   = "transfer_await"   // the losing registrar decides; a query now and then
	stepTransferOut     = "transfer_out"     // a transfer of ours asked for; a query after its act-by date
)

// TransferTimeoutDefault is Config.TransferTimeout's default: beyond the
// registries' five-day window for the losing registrar, plus time for a
// late poll message or query to land.
const TransferTimeoutDefault = 10 * 24 * time.Hour

// transferRecheckMax caps the backoff of the fallback query while a
// transfer awaits the losing registrar.
const transferRecheckMax = time.Hour

// transferData is the private state of a transfer-in workflow: the
// request as validated (with its defaults) and what the steps record.
type transferData struct {
	registrar.TransferInRequest
	Extension string `json:"extension"`
	// Attempts counts transfer requests that may have reached the
	// registry; it is stored before each is sent. When positive, the
	// outcome of an earlier attempt may be unknown and a query comes
	// first.
	Attempts int    `json:"attempts,omitempty"`
	TRID     string `json:"trid,omitempty"`
	SvTRID   string `json:"svtrid,omitempty"`
	// DomainCreatedAt is the domain's creation, from the registry.
	DomainCreatedAt time.Time  `json:"domain_created_at,omitzero"`
	ActBy           *time.Time `json:"act_by,omitempty"`
	Retries         int        `json:"retries,omitempty"`
	BlockedSince    *time.Time `json:"blocked_since,omitempty"`
	// The transfer's price (one year added), charged on success.
	PriceCents int64  `json:"price_cents"`
	Currency   string `json:"currency"`
}

// transferInKey and transferOutKey are the RegistryTRID of a transfer
// workflow waiting on the registry: transfer messages name the domain,
// not our command.
func transferInKey(env registrar.Env, domain string) string {
	return "transfer-in:" + string(env) + ":" + domain
}

func transferOutKey(env registrar.Env, domain string) string {
	return "transfer-out:" + string(env) + ":" + domain
}

// transfers returns the registry of ext in env as a registrar.Transfers,
// or an error with reason extension_not_supported_via_api when it offers
// no transfers.
func (e *Engine) transfers(env registrar.Env, ext string) (registrar.Registry, registrar.Transfers, registrar.Extension, error) {
	reg, terms, err := e.Registries.Lookup(env, ext)
	if err != nil {
		return nil, nil, terms, err
	}
	tr, ok := reg.(registrar.Transfers)
	if !ok {
		return nil, nil, terms, &registrar.Error{Kind: registrar.KindInvalid, Op: "workflows.transfers", Reason: registrar.TransferReasonExtensionNotSupportedViaAPI,
			Message: "transfers of ." + ext + " domains are not supported through the API"}
	}
	return reg, tr, terms, nil
}

// StartTransferIn implements registrar.Workflows. As for registrations the
// domain name is the idempotency key: the registrations row claimed here
// (status transfer_pending) makes concurrent and repeated POSTs of one
// account find one workflow, also once it succeeded; a domain held here
// otherwise (registered by this account, or held by another) fails at once
// with domain_on_cloudflare. A repeat gets the transfer with Existing set.
func (e *Engine) StartTransferIn(ctx context.Context, p registrar.Principal, env registrar.Env, req registrar.TransferInRequest) (*registrar.Workflow, error) {
	const op = "workflows.StartTransferIn"
	_, _, ext, err := e.transfers(env, req.Extension)
	if err != nil {
		return nil, registrar.Invalid(op, "/domain_name", "%s", registrar.AsError(err).Message)
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
	// A transfer adds one year, sold at the extension's renewal price.
	d := transferData{TransferInRequest: req, Extension: ext.Name, PriceCents: ext.RenewalCents, Currency: ext.Currency}
	wf := &registrar.Workflow{
		ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowTransferIn, Domain: req.DomainName,
		State: registrar.StatePending, Step: stepTransferStart, Data: mustJSON(d),
		CreatedAt: now, UpdatedAt: now, Deadline: now.Add(e.cfg.InProgressTimeout),
	}
	setContext(wf, registrar.StatusContext{})
	g := &registrar.Registration{
		AccountID: p.AccountID, Env: env, WorkflowID: wf.ID, DomainName: req.DomainName, Status: registrar.RegistrationTransferPending,
		CreatedAt: now, AutoRenew: req.AutoRenew, Locked: true, PrivacyMode: req.PrivacyMode,
	}
	var out *registrar.Workflow
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		holder, err := tx.ClaimDomain(ctx, g, 1)
		if err != nil {
			return err
		}
		if holder != nil && holder.AccountID == p.AccountID {
			// A repeated POST, also after the transfer succeeded (a client
			// retrying a POST whose answer it lost): the transfer that
			// claimed the row, not a new failed workflow that would hide
			// it from transfer-in-status.
			out, err = tx.LatestWorkflow(ctx, p.AccountID, env, registrar.WorkflowTransferIn, req.DomainName)
			if err == nil && out.ID == holder.WorkflowID {
				out.Existing = true
				return nil
			}
			if err != nil && !registrar.IsKind(err, registrar.KindNotFound) {
				return err
			}
		}
		if holder != nil {
			// Held here already: by this account (registered, or being
			// registered) or by another. The reference's reason.
			wf.State, wf.Deadline = registrar.StateFailed, time.Time{}
			wf.ErrorCode, wf.ErrorMessage = registrar.TransferReasonAlreadyHere, fmt.Sprintf("%s is already registered with this registrar", req.DomainName)
			out = wf
			return tx.InsertWorkflow(ctx, wf)
		}
		out = wf
		return e.admit(ctx, tx, p, env, wf, stepTransferStart)
	})
	if err != nil {
		return nil, err
	}
	e.jobs.wake(ctx)
	return out, nil
}

// transferStep runs a transfer-in workflow's current step.
func (e *Engine) transferStep(ctx context.Context, wf *registrar.Workflow, prepared bool) (transition, error) {
	d, err := decode[transferData](wf)
	if err != nil {
		return transition{}, err
	}
	reg, tr, _, err := e.transfers(wf.Env, d.Extension)
	if err != nil {
		return transition{}, err
	}
	var t transition
	switch wf.Step {
	case stepTransferStart:
		t, err = e.transferStart(ctx, wf, &d, tr)
	case stepTransferRequest:
		t, err = e.transferRequest(ctx, wf, &d, reg, tr, prepared)
	case stepTransferAwait:
		t, err = e.transferQuery(ctx, wf, &d, reg, tr, stepTransferAwait)
	default:
		return transition{}, river.JobCancel(fmt.Errorf("unknown transfer step %q", wf.Step))
	}
	wf.Data = mustJSON(d)
	return t, err
}

// authInfo is the request's auth code as the registry takes it: decoded
// from base64 (the schema has checked its form).
func (d *transferData) authInfo() string {
	b, err := base64.StdEncoding.DecodeString(d.AuthCode)
	if err != nil {
		return d.AuthCode
	}
	return string(b)
}

// transferStart checks, before anything is sent, that the registry
// would take the transfer: not premium, the auth code right, nothing in
// the domain's statuses or age against it.
func (e *Engine) transferStart(ctx context.Context, wf *registrar.Workflow, d *transferData, tr registrar.Transfers) (transition, error) {
	price, err := tr.TransferPrice(ctx, wf.Domain)
	if err == nil {
		if price.Premium {
			return e.fail(wf, registrar.TransferReasonDomainPremium, fmt.Sprintf("%s is a premium domain; premium transfers are not supported through the API", wf.Domain)), nil
		}
		var info registrar.DomainInfo
		info, err = tr.TransferInfo(ctx, wf.Domain, d.authInfo())
		if err == nil {
			if info.Sponsored {
				return e.fail(wf, registrar.TransferReasonAlreadyHere, fmt.Sprintf("%s is already registered with this registrar", wf.Domain)), nil
			}
			if r := registrar.TransferBlockers(info, e.clock(wf.Env).Now()); len(r) > 0 {
				return e.fail(wf, r[0], fmt.Sprintf("%s cannot be transferred now (%s)", wf.Domain, strings.Join(r, ", "))), nil
			}
			d.DomainCreatedAt = info.CreatedAt
		}
	}
	if t, done := e.transferError(wf, d, err, stepTransferStart); done {
		return t, nil
	}
	if err != nil {
		return transition{}, err
	}
	t := e.advanceTransfer(wf, d, stepTransferRequest)
	e.recordTransferAttempt(wf, d)
	t.preparedCreate = true
	return t, nil
}

// transferError turns a registry error into the transition it calls for:
// blocked and retried when the registry is unreachable, failed with the
// registry's reason when it refused. done is false for other errors.
func (e *Engine) transferError(wf *registrar.Workflow, d *transferData, err error, retryStep string) (transition, bool) {
	switch registrar.KindOf(err) {
	case registrar.KindUnavailable:
		return e.blockTransfer(wf, d, retryStep, registrar.BlockedByRegistry, registrar.AsError(err).Message+"; retrying"), true
	case registrar.KindNotFound, registrar.KindRejected, registrar.KindInvalid, registrar.KindConflict:
		code := registrar.TransferReasonOf(err)
		if code == "" {
			code = registrar.CodeRegistryRejected
		}
		return e.fail(wf, code, "the registry refused the transfer: "+registrar.AsError(err).Message), true
	}
	return transition{}, false
}

// recordTransferAttempt notes a transfer request before it is sent.
func (e *Engine) recordTransferAttempt(wf *registrar.Workflow, d *transferData) {
	d.Attempts++
	d.TRID = fmt.Sprintf("OT-%s-%d", wf.ID[:16], d.Attempts)
	wf.Data = mustJSON(d)
}

// transferRequest sends the transfer request, at most once per unknown
// outcome: when an earlier attempt may have reached the registry, a
// query settles it first, and a new request goes only when the registry
// knows of no transfer.
func (e *Engine) transferRequest(ctx context.Context, wf *registrar.Workflow, d *transferData, reg registrar.Registry, tr registrar.Transfers, prepared bool) (transition, error) {
	if !prepared {
		if d.Attempts > 0 {
			res, err := tr.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpQuery, Name: wf.Domain, AuthInfo: d.authInfo()})
			if !noTransfer(err) {
				if err != nil && ctx.Err() != nil {
					return e.blockTransfer(wf, d, stepTransferRequest, registrar.BlockedByRegistry, "the registry did not answer in time; checking"), nil
				}
				return e.settleTransfer(ctx, wf, d, reg, res, err, stepTransferRequest)
			}
		}
		e.recordTransferAttempt(wf, d)
		if ok, err := e.commit(ctx, nil, wf, transition{}); err != nil || !ok {
			if err == nil {
				err = errStale
			}
			return transition{}, err
		}
	}
	res, err := tr.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpRequest, Name: wf.Domain, AuthInfo: d.authInfo(), Years: 1, TransactionID: d.TRID})
	if err != nil && registrar.KindOf(err) == registrar.KindInternal && ctx.Err() != nil {
		return e.blockTransfer(wf, d, stepTransferRequest, registrar.BlockedByRegistry, "the registry did not answer in time; checking"), nil
	}
	if err == nil {
		d.SvTRID = res.ServerTransactionID
		if res.Pending && res.Status == "" {
			res.Status = registrar.TransferPending
		}
	}
	return e.settleTransfer(ctx, wf, d, reg, res, err, stepTransferRequest)
}

// noTransfer reports whether a transfer query's error says the registry
// knows of no transfer of the name, so that the request never arrived:
// 2303 (KindNotFound), or 2301 "object not pending transfer"
// (KindConflict), which RFC 5731 registries, the sandbox among them,
// answer a query of a name that has no transfer.
func noTransfer(err error) bool {
	return registrar.IsKind(err, registrar.KindNotFound) || registrar.IsKind(err, registrar.KindConflict)
}

// transferQuery asks the registry where the transfer stands: the
// fallback of the poll message while the losing registrar decides.
func (e *Engine) transferQuery(ctx context.Context, wf *registrar.Workflow, d *transferData, reg registrar.Registry, tr registrar.Transfers, step string) (transition, error) {
	res, err := tr.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpQuery, Name: wf.Domain, AuthInfo: d.authInfo()})
	if err != nil && (registrar.KindOf(err) == registrar.KindUnavailable || ctx.Err() != nil) {
		// Still waiting: keep the losing registrar's context, retry later.
		return e.awaitTransfer(wf, d), nil
	}
	return e.settleTransfer(ctx, wf, d, reg, res, err, step)
}

// settleTransfer moves a transfer in by what the registry said of it.
func (e *Engine) settleTransfer(ctx context.Context, wf *registrar.Workflow, d *transferData, reg registrar.Registry, res registrar.TransferResult, err error, retryStep string) (transition, error) {
	if err != nil {
		if t, done := e.transferError(wf, d, err, retryStep); done {
			return t, nil
		}
		return transition{}, err
	}
	switch res.Status {
	case registrar.TransferPending:
		if !res.ActBy.IsZero() {
			d.ActBy = ptr(res.ActBy.UTC())
		}
		return e.awaitTransfer(wf, d), nil
	case registrar.TransferClientApproved, registrar.TransferServerApproved:
		expires := res.ExpiresAt
		if expires.IsZero() {
			if info, err := reg.Info(ctx, wf.Domain); err == nil {
				expires = info.ExpiresAt
			}
		}
		e.lockCreated(ctx, reg, wf) // stored locked, as a registration
		return e.succeedTransfer(wf, d, expires), nil
	case registrar.TransferClientRejected:
		return e.fail(wf, registrar.CodeTransferRejected, "the losing registrar rejected the transfer"), nil
	case registrar.TransferClientCancelled, registrar.TransferServerCancelled:
		return e.fail(wf, registrar.CodeTransferCancelled, "the transfer was cancelled ("+res.Status+")"), nil
	}
	return transition{}, registrar.Errorf(registrar.KindInternal, "workflows.settleTransfer", "the registry gave transfer status %q", res.Status)
}

// advanceTransfer puts a transfer in progress at step.
func (e *Engine) advanceTransfer(wf *registrar.Workflow, d *transferData, step string) transition {
	if wf.State != registrar.StateInProgress {
		wf.Deadline = e.clock(wf.Env).Now().Add(e.cfg.InProgressTimeout)
	}
	wf.State, wf.Step, wf.RegistryTRID = registrar.StateInProgress, step, ""
	d.Retries, d.BlockedSince = 0, nil
	wf.Data = mustJSON(d)
	setContext(wf, registrar.StatusContext{})
	return transition{next: step}
}

// blockTransfer marks the transfer blocked and retries step after a
// backoff; the deadline runs from the first block.
func (e *Engine) blockTransfer(wf *registrar.Workflow, d *transferData, step, by, reason string) transition {
	now := e.clock(wf.Env).Now()
	if d.BlockedSince == nil {
		d.BlockedSince = &now
	}
	d.Retries++
	wf.State, wf.Step = registrar.StateBlocked, step
	wf.Deadline = d.BlockedSince.Add(e.cfg.BlockedTimeout)
	wf.Data = mustJSON(d)
	setContext(wf, registrar.Blocked(by, reason))
	return transition{next: step, delay: backoff(d.Retries, e.cfg.RetryMin, e.cfg.RetryMax)}
}

// awaitTransfer marks the transfer blocked on the losing registrar. The
// poll worker normally settles it (RegistryTRID names the domain); a
// query runs now and then in case a message is lost. Its deadline is
// TransferTimeout from the request, past the registry's window.
func (e *Engine) awaitTransfer(wf *registrar.Workflow, d *transferData) transition {
	now := e.clock(wf.Env).Now()
	if wf.State != registrar.StateBlocked || d.BlockedSince == nil || wf.Step != stepTransferAwait {
		d.BlockedSince, d.Retries = &now, 0
	}
	d.Retries++
	wf.State, wf.Step = registrar.StateBlocked, stepTransferAwait
	wf.Deadline = d.BlockedSince.Add(e.cfg.TransferTimeout)
	wf.RegistryTRID = transferInKey(wf.Env, wf.Domain)
	wf.Data = mustJSON(d)
	reason := "the losing registrar has until the end of the transfer window to approve or reject the transfer"
	if d.ActBy != nil {
		reason = "the losing registrar has until " + d.ActBy.Format(time.RFC3339) + " to approve or reject the transfer; then the registry approves it"
	}
	c := registrar.Blocked(registrar.BlockedByLosingRegistrar, reason)
	c.TransferActBy = d.ActBy
	setContext(wf, c)
	return transition{next: stepTransferAwait, delay: backoff(d.Retries, e.cfg.PendingRecheck, transferRecheckMax)}
}

// succeedTransfer activates the registration with the registry's new
// expiry, charges the transfer (where the environment's policy bills,
// once: the workflow's version guards the commit) and ends the workflow.
func (e *Engine) succeedTransfer(wf *registrar.Workflow, d *transferData, expires time.Time) transition {
	now := e.clock(wf.Env).Now()
	if expires.IsZero() {
		expires = now.AddDate(1, 0, 0)
	}
	wf.State, wf.Deadline, wf.RegistryTRID = registrar.StateSucceeded, time.Time{}, ""
	wf.ErrorCode, wf.ErrorMessage = "", ""
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		g, err := tx.Registration(ctx, wf.Env, wf.Domain)
		if registrar.IsKind(err, registrar.KindNotFound) || (err == nil && g.WorkflowID != wf.ID) {
			return registrar.Errorf(registrar.KindConflict, "workflows.succeedTransfer", "the transfer of %s was given up meanwhile", wf.Domain)
		}
		if err != nil {
			return err
		}
		g.ExpiresAt = ptr(expires.UTC())
		if !d.DomainCreatedAt.IsZero() {
			g.CreatedAt = d.DomainCreatedAt.UTC()
		}
		if err := setStatus(ctx, tx, g, registrar.RegistrationActive, now, registrar.EventRegistered, wf.ID, "transferred in"); err != nil {
			return err
		}
		if e.policy(wf.Env).Billed {
			if _, err := tx.InsertCharge(ctx, store.Charge{
				ID: registrar.NewID(), AccountID: wf.AccountID, WorkflowID: wf.ID, Domain: wf.Domain, Years: 1,
				AmountCents: d.PriceCents, Currency: d.Currency, CreatedAt: now,
			}); err != nil {
				return err
			}
		}
		setContext(wf, registrar.StatusContext{Registration: g})
		return nil
	}}
}

// CancelTransferIn implements registrar.Workflows. A transfer whose
// request may have reached the registry is cancelled there first
// (TransferOpCancel); one not yet sent ends at once.
func (e *Engine) CancelTransferIn(ctx context.Context, p registrar.Principal, env registrar.Env, domain string) (*registrar.Workflow, error) {
	const op = "workflows.CancelTransferIn"
	for range 3 {
		wf, err := e.latest(ctx, p.AccountID, env, registrar.WorkflowTransferIn, domain)
		if err != nil {
			return nil, err
		}
		if wf.Completed() {
			return nil, registrar.Errorf(registrar.KindConflict, op, "the transfer of %s has ended (%s); there is nothing to cancel", domain, wf.State)
		}
		d, err := decode[transferData](wf)
		if err != nil {
			return nil, err
		}
		if d.Attempts > 0 {
			_, tr, _, err := e.transfers(env, d.Extension)
			if err != nil {
				return nil, err
			}
			_, err = tr.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpCancel, Name: domain, AuthInfo: d.authInfo()})
			// Not found: no transfer reached the registry, or it has
			// ended; a settled one is the poll message's to report.
			if err != nil && !registrar.IsKind(err, registrar.KindNotFound) {
				return nil, err
			}
		}
		t := e.fail(wf, registrar.CodeTransferCancelled, "the transfer was cancelled by the account")
		ok, err := e.commit(ctx, nil, wf, t)
		if err != nil {
			return nil, err
		}
		if ok {
			return wf, nil
		}
	}
	return nil, registrar.Errorf(registrar.KindConflict, op, "the transfer of %s changed while it was being cancelled; try again", domain)
}

// latest returns the account's newest workflow of kind for domain, with
// its data, from the writer.
func (e *Engine) latest(ctx context.Context, accountID string, env registrar.Env, kind registrar.WorkflowKind, domain string) (*registrar.Workflow, error) {
	var wf *registrar.Workflow
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		wf, err = tx.LatestWorkflow(ctx, accountID, env, kind, domain)
		return err
	})
	return wf, err
}

// envsOf returns the environments in which reg serves domain (ASCII).
func (e *Engine) envsOf(reg registrar.Registry, domain string) []registrar.Env {
	var out []registrar.Env
	for _, env := range []registrar.Env{registrar.EnvLive, registrar.EnvSandbox} {
		for ext := domain; ; {
			_, rest, ok := strings.Cut(ext, ".")
			if !ok {
				break
			}
			ext = rest
			if got, _, err := e.Registries.Lookup(env, ext); err == nil {
				if got == reg {
					out = append(out, env)
				}
				break
			}
		}
	}
	return out
}

// handleTransferMessage routes a registry's transfer message: to the
// transfer in of the domain waiting on it, to the outbound transfer of the
// domain, or, for a new request for a domain an account holds here, to a
// new outbound transfer. Anything else is logged and acknowledged.
func (e *Engine) handleTransferMessage(ctx context.Context, reg registrar.Registry, msg *registrar.PollMessage) error {
	tr := msg.Transfer
	domain := strings.ToLower(msg.Domain)
	if domain == "" {
		domain = strings.ToLower(tr.Name)
	}
	for _, env := range e.envsOf(reg, domain) {
		for _, key := range []string{transferInKey(env, domain), transferOutKey(env, domain)} {
			var wf *registrar.Workflow
			err := e.DB.InTx(ctx, func(tx *store.Tx) error {
				var err error
				wf, err = tx.WorkflowByRegistryTRID(ctx, key)
				return err
			})
			if registrar.IsKind(err, registrar.KindNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if wf.Kind == registrar.WorkflowTransferIn {
				if wf.State != registrar.StateBlocked || tr.Status == registrar.TransferPending {
					return nil
				}
				d, err := decode[transferData](wf)
				if err != nil {
					return err
				}
				t, err := e.settleTransfer(ctx, wf, &d, reg, *tr, nil, stepTransferAwait)
				if err != nil {
					return err
				}
				wf.Data = mustJSON(d)
				_, err = e.commit(ctx, nil, wf, t)
				return err
			}
			if tr.Status == registrar.TransferPending {
				return nil // the outbound transfer knows already
			}
			_, err = e.commit(ctx, nil, wf, e.settleTransferOut(wf, tr.Status))
			return err
		}
		if tr.Status == registrar.TransferPending {
			started, err := e.startTransferOut(ctx, env, domain, tr)
			if err != nil || started {
				return err
			}
		}
	}
	e.Logger.Info("registry transfer message matches no workflow", "message_id", msg.ID, "domain", domain, "status", tr.Status)
	return nil
}

// transferOutData is the private state of an outbound transfer.
type transferOutData struct {
	Extension        string    `json:"extension"`
	GainingRegistrar string    `json:"gaining_registrar,omitempty"`
	RequestedAt      time.Time `json:"requested_at,omitzero"`
	ActBy            time.Time `json:"act_by,omitzero"`
	Checks           int       `json:"checks,omitempty"`
	// LockedUntil is set when the lock after a change of registrant
	// refuses the transfer: the step rejects it (owner.go).
	LockedUntil *time.Time `json:"locked_until,omitempty"`
}

// startTransferOut starts the outbound transfer of a domain an account
// holds in env, and emails the account's registrant about it, in one
// transaction. It reports false when no account holds the domain.
func (e *Engine) startTransferOut(ctx context.Context, env registrar.Env, domain string, tr *registrar.TransferResult) (bool, error) {
	now := e.clock(env).Now()
	actBy := tr.ActBy.UTC()
	if actBy.IsZero() {
		actBy = now.Add(5 * 24 * time.Hour)
	}
	started := false
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		g, err := tx.Registration(ctx, env, domain)
		if registrar.IsKind(err, registrar.KindNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if g.Status != registrar.RegistrationActive {
			return nil
		}
		acct, err := tx.Account(ctx, g.AccountID)
		if err != nil {
			return err
		}
		_, ext, _ := strings.Cut(domain, ".")
		d := transferOutData{Extension: ext, GainingRegistrar: tr.RequestingID, RequestedAt: tr.RequestedAt.UTC(), ActBy: actBy}
		if d.LockedUntil, err = transferOutLock(ctx, tx, g, now); err != nil {
			return err
		}
		wf := &registrar.Workflow{
			ID: registrar.NewID(), AccountID: g.AccountID, Env: env, Kind: registrar.WorkflowTransferOut, Domain: domain,
			State: registrar.StateBlocked, Step: stepTransferOut, Data: mustJSON(d), RegistryTRID: transferOutKey(env, domain),
			CreatedAt: now, UpdatedAt: now, Deadline: actBy.Add(e.cfg.TransferTimeout),
		}
		c := registrar.Blocked(registrar.BlockedByLosingRegistrar, fmt.Sprintf("another registrar asked to transfer %s away; approve or reject it "+
			"(POST .../transfer-out/approve or .../transfer-out/reject) before %s, or the registry approves it then", domain, actBy.Format(time.RFC3339)))
		c.TransferActBy = &actBy
		setContext(wf, c)
		if d.LockedUntil != nil {
			// Refused: the step rejects it at the registry at once.
			wf.State = registrar.StateInProgress
			setContext(wf, registrar.StatusContext{Detail: lockedOutDetail(domain, *d.LockedUntil), TransferLockedUntil: d.LockedUntil})
			started = true
			if err := tx.InsertWorkflow(ctx, wf); err != nil {
				return err
			}
			return e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: stepTransferOut}, nil)
		}
		if err := tx.InsertWorkflow(ctx, wf); err != nil {
			return err
		}
		// After the act-by date, a query in case the outcome's message is lost.
		if err := e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: stepTransferOut}, scheduleAfter(actBy.Sub(now)+time.Hour)); err != nil {
			return err
		}
		started = true
		if acct.DefaultContact == nil || acct.DefaultContact.Email == "" {
			return nil
		}
		return e.queueMail(ctx, tx, wf.ID, registrar.Message{
			To:      acct.DefaultContact.Email,
			Subject: "Transfer of " + domain + " to another registrar requested",
			Body: fmt.Sprintf("Hello %s,\n\nAnother registrar has asked to transfer %s away from your account.\n\n"+
				"If you asked for this, approve it to finish at once (POST /client/v4/accounts/%s/%s/registrations/%s/transfer-out/approve), "+
				"or do nothing: the registry approves it on %s.\nIf you did not, reject it before then "+
				"(POST .../registrations/%s/transfer-out/reject).\n",
				acct.DefaultContact.PostalInfo.Name, domain, acct.ID, envSegment(env), domain, actBy.Format(time.RFC1123), domain),
		})
	})
	if err == nil && started {
		e.Logger.Info("transfer out requested", "domain", domain, "env", env, "gaining_registrar", tr.RequestingID)
	}
	return started, err
}

// envSegment is an environment's path segment in the API.
func envSegment(env registrar.Env) string {
	if env == registrar.EnvSandbox {
		return "registrar-sandbox"
	}
	return "registrar"
}

// settleTransferOut ends an outbound transfer by the registry's transfer
// status: approved, the registration leaves the account (its workflows
// stay, as history); rejected or cancelled, it stays.
func (e *Engine) settleTransferOut(wf *registrar.Workflow, status string) transition {
	switch status {
	case registrar.TransferClientApproved, registrar.TransferServerApproved:
		wf.State, wf.Deadline, wf.RegistryTRID = registrar.StateSucceeded, time.Time{}, ""
		wf.ErrorCode, wf.ErrorMessage = "", ""
		setContext(wf, registrar.StatusContext{Detail: fmt.Sprintf("%s was transferred to another registrar (%s).", wf.Domain, status)})
		return transition{apply: func(ctx context.Context, tx *store.Tx) error {
			g, err := tx.Registration(ctx, wf.Env, wf.Domain)
			if registrar.IsKind(err, registrar.KindNotFound) {
				return nil
			}
			if err != nil || g.AccountID != wf.AccountID {
				return err
			}
			return tx.DeleteRegistration(ctx, wf.Env, wf.Domain, g.WorkflowID)
		}}
	case registrar.TransferClientRejected:
		return e.fail(wf, registrar.CodeTransferRejected, "the transfer was rejected; the domain stays")
	default:
		return e.fail(wf, registrar.CodeTransferCancelled, "the transfer was cancelled ("+status+"); the domain stays")
	}
}

// transferOutStep queries an outbound transfer after its act-by date,
// in case the registry's message about its outcome was lost.
func (e *Engine) transferOutStep(ctx context.Context, wf *registrar.Workflow) (transition, error) {
	d, err := decode[transferOutData](wf)
	if err != nil {
		return transition{}, err
	}
	_, tr, _, err := e.transfers(wf.Env, d.Extension)
	if err != nil {
		return transition{}, err
	}
	if d.LockedUntil != nil {
		return e.rejectLockedTransferOut(ctx, wf, &d, tr)
	}
	res, err := tr.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpQuery, Name: wf.Domain})
	if err == nil && res.Status != registrar.TransferPending {
		return e.settleTransferOut(wf, res.Status), nil
	}
	if err != nil && !registrar.IsKind(err, registrar.KindUnavailable) && ctx.Err() == nil {
		return transition{}, err
	}
	d.Checks++
	wf.Data = mustJSON(d)
	return transition{next: stepTransferOut, delay: backoff(d.Checks, e.cfg.PendingRecheck, transferRecheckMax)}, nil
}

// DecideTransferOut implements registrar.Workflows: the account approves
// or rejects (TransferOpApprove, TransferOpReject) a transfer of its
// domain that another registrar asked for.
func (e *Engine) DecideTransferOut(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, dec registrar.TransferOutDecision) (*registrar.Workflow, error) {
	const op = "workflows.DecideTransferOut"
	wf, err := e.latest(ctx, p.AccountID, env, registrar.WorkflowTransferOut, domain)
	if err != nil {
		return nil, err
	}
	if wf.Completed() {
		return nil, registrar.Errorf(registrar.KindConflict, op, "the transfer of %s has ended (%s)", domain, wf.State)
	}
	d, err := decode[transferOutData](wf)
	if err != nil {
		return nil, err
	}
	_, tr, _, err := e.transfers(env, d.Extension)
	if err != nil {
		return nil, err
	}
	opx, status := registrar.TransferOpApprove, registrar.TransferClientApproved
	if dec == registrar.TransferOutReject {
		opx, status = registrar.TransferOpReject, registrar.TransferClientRejected
	}
	res, err := tr.Transfer(ctx, registrar.TransferRequest{Op: opx, Name: domain})
	if err != nil {
		return nil, err
	}
	if res.Status != "" && res.Status != registrar.TransferPending {
		status = res.Status
	}
	if ok, err := e.commit(ctx, nil, wf, e.settleTransferOut(wf, status)); err != nil || !ok {
		if err == nil {
			err = registrar.Errorf(registrar.KindConflict, op, "the transfer of %s changed meanwhile; read its status", domain)
		}
		return nil, err
	}
	return wf, nil
}
