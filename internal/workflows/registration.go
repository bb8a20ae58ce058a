package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

type stepWorker struct {
	river.WorkerDefaults[stepArgs]
	e *Engine
}

// maxInlineSteps bounds how many steps one job runs in a row.
const maxInlineSteps = 8

// Work runs a workflow's steps, from the step it is at, for as long as each
// step leads straight to another. Every step's transition commits on its
// own; the last one of the run also schedules the next job (when something
// must be waited for) and completes this job, in the same transaction. If
// the process dies in between, the job stays running, River rescues it, and
// the workflow resumes at its stored step.
func (w *stepWorker) Work(ctx context.Context, job *river.Job[stepArgs]) error {
	e := w.e
	wf, err := e.DB.WorkflowByID(ctx, job.Args.WorkflowID)
	if registrar.IsKind(err, registrar.KindNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	// What the step logs names the API request that started the workflow.
	if id := requestIDOf(wf); id != "" {
		ctx = registrar.WithRequestID(ctx, id)
	}
	// Registry calls get three quarters of the job's time, so that what
	// they return (a timeout included) can still be stored before River
	// gives up on the job.
	callCtx, cancel := context.WithTimeout(ctx, e.cfg.JobTimeout*3/4)
	defer cancel()
	prepared := false // the previous transition of this run recorded the create attempt now due
	for i := 1; ; i++ {
		if wf.State.Terminal() || wf.State == registrar.StateActionRequired {
			return nil // nothing to run: a stale job, or a workflow waiting for its user
		}
		kind, step, from, start := string(wf.Kind), wf.Step, wf.State, time.Now()
		t, err := e.step(callCtx, wf, prepared)
		if errors.Is(err, errStale) {
			return nil
		}
		if err != nil {
			return err
		}
		if t.next == "" || t.delay > 0 || i == maxInlineSteps {
			ok, err := e.commit(ctx, job, wf, t)
			e.observeStep(ok && err == nil, kind, step, from, wf.State, time.Since(start))
			return err
		}
		ok, err := e.commit(ctx, nil, wf, transition{apply: t.apply})
		e.observeStep(ok && err == nil, kind, step, from, wf.State, time.Since(start))
		if err != nil || !ok {
			return err
		}
		prepared = t.preparedCreate
	}
}

// requestIDOf returns the ID of the API request that started wf, when
// its data records one.
func requestIDOf(wf *registrar.Workflow) string {
	var d struct {
		RequestID string `json:"request_id"`
	}
	if json.Unmarshal(wf.Data, &d) != nil {
		return ""
	}
	return d.RequestID
}

// observeStep tells the observer of a step whose transition was stored.
func (e *Engine) observeStep(stored bool, kind, step string, from, to registrar.State, d time.Duration) {
	if !stored {
		return
	}
	e.Observer.Step(kind, step, d)
	if to != from {
		e.Observer.Transition(kind, string(to))
	}
}

// step runs the workflow's current step and returns its transition, with
// the workflow's state already changed. prepared says that this run has
// just stored the create attempt the step is to send.
func (e *Engine) step(ctx context.Context, wf *registrar.Workflow, prepared bool) (transition, error) {
	switch {
	case wf.Kind == registrar.WorkflowRegistration:
		d, err := decode[registrationData](wf)
		if err != nil {
			return transition{}, err
		}
		var t transition
		switch wf.Step {
		case stepStart:
			t, err = e.start(ctx, wf, &d)
		case stepCreate:
			t, err = e.create(ctx, wf, &d, prepared)
		case stepAwaitCreate:
			t, err = e.awaitCreate(ctx, wf, &d)
		default:
			return transition{}, river.JobCancel(fmt.Errorf("unknown registration step %q", wf.Step))
		}
		wf.Data = mustJSON(d)
		return t, err
	case wf.Kind == registrar.WorkflowTransferIn:
		return e.transferStep(ctx, wf, prepared)
	case wf.Kind == registrar.WorkflowTransferOut && wf.Step == stepTransferOut:
		return e.transferOutStep(ctx, wf)
	case wf.Kind == registrar.WorkflowUpdate && wf.Step == stepApply:
		return e.applyUpdate(ctx, wf)
	case wf.Kind == registrar.WorkflowRenewal && wf.Step == stepRenew:
		return e.renewStep(ctx, wf)
	case wf.Kind == registrar.WorkflowExpiry && wf.Step == stepDelete:
		return e.expiryStep(ctx, wf)
	case wf.Kind == registrar.WorkflowRestore && wf.Step == stepRestore:
		return e.restoreStep(ctx, wf)
	}
	return transition{}, river.JobCancel(fmt.Errorf("unknown workflow step %s/%s", wf.Kind, wf.Step))
}

// errStale means the workflow changed under a running step, which must
// drop what it was doing.
var errStale = errors.New("workflow changed concurrently")

func decode[T any](wf *registrar.Workflow) (T, error) {
	var v T
	if err := json.Unmarshal(wf.Data, &v); err != nil {
		return v, registrar.Wrap(registrar.KindInternal, "workflows.decode", err, "")
	}
	if u, ok := any(&v).(interface{ upgrade() }); ok {
		u.upgrade()
	}
	return v, nil
}

// registry returns the registry of the workflow's extension, and the
// terms it is sold on.
func (e *Engine) registry(wf *registrar.Workflow, d *registrationData) (registrar.Registry, registrar.Extension, error) {
	return e.Registries.Lookup(wf.Env, d.Extension)
}

// start checks that the name is available at standard price, then asks for
// email verification or goes on to create.
func (e *Engine) start(ctx context.Context, wf *registrar.Workflow, d *registrationData) (transition, error) {
	reg, _, err := e.registry(wf, d)
	if err != nil {
		return transition{}, err
	}
	avail, err := reg.Check(ctx, []string{wf.Domain})
	if err == nil && len(avail) != 1 {
		err = registrar.Errorf(registrar.KindInternal, "workflows.start", "registry answered a check for one name with %d results", len(avail))
	}
	switch registrar.KindOf(err) {
	case registrar.KindUnavailable:
		return e.block(wf, d, stepStart, "the registry is unreachable; retrying"), nil
	case registrar.KindRejected, registrar.KindInvalid:
		return e.fail(wf, registrar.CodeRegistryRejected, registrar.AsError(err).Message), nil
	}
	if err != nil {
		return transition{}, err
	}
	a := avail[0]
	switch {
	case !a.Available:
		reason := ""
		if a.Reason != "" {
			reason = " (" + a.Reason + ")"
		}
		return e.fail(wf, registrar.CodeDomainUnavailable, fmt.Sprintf("%s is not available for registration%s", wf.Domain, reason)), nil
	case a.Premium:
		return e.fail(wf, registrar.CodeDomainPremium, fmt.Sprintf("%s is a premium domain; premium domains cannot be registered through the API", wf.Domain)), nil
	}
	verify, err := e.needsVerification(ctx, wf, d.Contacts.Registrant.Email)
	if err != nil {
		return transition{}, err
	}
	if verify {
		return e.requireVerification(wf, d), nil
	}
	// Go on to create, recording the first attempt in the same commit.
	t := e.advance(wf, d, stepCreate)
	e.recordAttempt(wf, d)
	t.preparedCreate = true
	return t, nil
}

// recordAttempt notes a create attempt before it is sent. If we crash
// after the registry acts but before its answer is stored, the next run
// sees the attempt and reconciles instead of creating twice.
func (e *Engine) recordAttempt(wf *registrar.Workflow, d *registrationData) {
	d.CreateAttempts++
	d.CreateTRID = fmt.Sprintf("OR-%s-%d", wf.ID[:16], d.CreateAttempts)
	if d.RequestID != "" {
		d.CreateTRID = clTRIDWithRequest(d.CreateTRID, d.RequestID)
	}
	wf.Data = mustJSON(d)
}

// clTRIDWithRequest appends the request ID to a client transaction ID,
// cut so that the whole stays within EPP's 64 characters.
func clTRIDWithRequest(trid, requestID string) string {
	const maxClTRID = 64
	if room := maxClTRID - len(trid) - 1; len(requestID) > room {
		requestID = requestID[:max(room, 0)]
	}
	if requestID == "" {
		return trid
	}
	return trid + "-" + requestID
}

// needsVerification reports whether the registrant's email must be
// verified before the domain is created, by the rule of the workflow's
// environment.
func (e *Engine) needsVerification(ctx context.Context, wf *registrar.Workflow, email string) (bool, error) {
	switch rule := e.policy(wf.Env).Verify; rule {
	case registrar.VerifyScenario:
		return registrar.ScenarioVerifies(email), nil
	case registrar.VerifyNewAddresses:
		verified, err := e.DB.EmailVerified(ctx, wf.AccountID, wf.Env, email)
		return !verified, err
	default:
		return false, registrar.Errorf(registrar.KindInternal, "workflows.needsVerification", "unknown verification rule %q", rule)
	}
}

// create sends the create to the registry, at most once per unknown
// outcome: when an earlier attempt may have reached the registry, an info
// decides first. prepared means this run has just stored the attempt to
// send (with the transition out of the check), so no earlier one exists.
func (e *Engine) create(ctx context.Context, wf *registrar.Workflow, d *registrationData, prepared bool) (transition, error) {
	reg, ext, err := e.registry(wf, d)
	if err != nil {
		return transition{}, err
	}
	if !prepared {
		if d.CreateAttempts > 0 {
			t, settled, err := e.reconcile(ctx, reg, wf, d, stepCreate)
			if err != nil || settled {
				return t, err
			}
		}
		e.recordAttempt(wf, d)
		if ok, err := e.commit(ctx, nil, wf, transition{}); err != nil || !ok {
			if err == nil {
				err = errStale
			}
			return transition{}, err
		}
	}
	res, err := reg.Create(ctx, registrar.CreateRequest{
		Name: wf.Domain, Years: d.Years, Registrant: *d.Contacts.Registrant,
		Admin: d.Contacts.Administrator, Tech: d.Contacts.Technical, Billing: d.Contacts.Billing,
		RegistrantExtensions: registrantExtensions(ext, d.ContactExtensions),
		AuthInfo:             d.AuthInfo, TransactionID: d.CreateTRID,
	})
	switch registrar.KindOf(err) {
	case registrar.KindUnavailable:
		return e.block(wf, d, stepCreate, registrar.AsError(err).Message+"; retrying"), nil
	case registrar.KindConflict:
		// Taken: by someone else, or by an earlier attempt of ours whose
		// answer was lost. The info decides.
		t, settled, err := e.reconcile(ctx, reg, wf, d, stepCreate)
		if err == nil && !settled {
			t = e.fail(wf, registrar.CodeDomainUnavailable, fmt.Sprintf("%s is not available for registration", wf.Domain))
		}
		return t, err
	case registrar.KindRejected, registrar.KindInvalid:
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry rejected the registration: "+registrar.AsError(err).Message), nil
	}
	if err != nil {
		if ctx.Err() != nil {
			// Our own step timed out: the outcome is unknown.
			return e.block(wf, d, stepCreate, "the registry did not answer in time; checking"), nil
		}
		return transition{}, err
	}
	d.CreateSvTRID = res.ServerTransactionID // the registry's ID for our create, for support cases
	if res.Pending {
		return e.awaitPending(wf, d), nil
	}
	e.lockCreated(ctx, reg, wf)
	d.NameserversSet = e.createdNameservers(ctx, reg, ext, wf, d, nil)
	return e.succeed(wf, d, res.CreatedAt, res.ExpiresAt), nil
}

// lockCreated sets the transfer lock a new registration is stored with
// (locked: true) at the registry, which an EPP create cannot. It is
// best effort: the registration succeeds without it, and reconciliation,
// finding the lock missing, re-applies it with an update workflow.
func (e *Engine) lockCreated(ctx context.Context, reg registrar.Registry, wf *registrar.Workflow) {
	err := reg.Update(ctx, registrar.DomainUpdate{Name: wf.Domain, AddStatuses: []string{registrar.StatusTransferLocked}})
	if err != nil {
		e.Logger.Warn("could not set the transfer lock of a new registration; reconciliation will", "workflow_id", wf.ID, "domain", wf.Domain, "error", err)
	}
}

// registrantExtensions are a request's contact extensions as the registry
// knows them: by each field's key, in the order of the extension's
// fields; a boolean is "true" or "false".
func registrantExtensions(ext registrar.Extension, values map[string]any) []registrar.KeyValue {
	var out []registrar.KeyValue
	for _, f := range ext.ContactExtensions {
		v, ok := values[f.Name]
		if !ok {
			continue
		}
		out = append(out, registrar.KeyValue{Key: f.Key(), Value: fmt.Sprint(v)})
	}
	return out
}

// reconcile asks the registry what became of earlier create attempts. It
// settles the workflow when the domain is ours (created or pending) or
// someone else's; it does not settle it when the domain does not exist, so
// that the caller may create.
func (e *Engine) reconcile(ctx context.Context, reg registrar.Registry, wf *registrar.Workflow, d *registrationData, retryStep string) (transition, bool, error) {
	info, err := reg.Info(ctx, wf.Domain)
	switch {
	case err == nil && info.Sponsored && info.AuthInfo == d.AuthInfo:
		if info.Pending {
			return e.awaitPending(wf, d), true, nil
		}
		if !slices.Contains(info.Statuses, registrar.StatusTransferLocked) {
			e.lockCreated(ctx, reg, wf)
		}
		if _, ext, err := e.registry(wf, d); err == nil {
			d.NameserversSet = e.createdNameservers(ctx, reg, ext, wf, d, info.Nameservers)
		}
		return e.succeed(wf, d, info.CreatedAt, info.ExpiresAt), true, nil
	case err == nil:
		return e.fail(wf, registrar.CodeDomainUnavailable, fmt.Sprintf("%s is not available for registration", wf.Domain)), true, nil
	case registrar.IsKind(err, registrar.KindNotFound):
		return transition{}, false, nil
	case registrar.IsKind(err, registrar.KindUnavailable) || ctx.Err() != nil:
		return e.block(wf, d, retryStep, "the registry is unreachable; retrying"), true, nil
	}
	return transition{}, true, err
}

// awaitCreate re-checks a pending create with an info, as a fallback to the
// registry's poll message.
func (e *Engine) awaitCreate(ctx context.Context, wf *registrar.Workflow, d *registrationData) (transition, error) {
	reg, _, err := e.registry(wf, d)
	if err != nil {
		return transition{}, err
	}
	t, settled, err := e.reconcile(ctx, reg, wf, d, stepAwaitCreate)
	if err != nil || settled {
		return t, err
	}
	return e.fail(wf, registrar.CodeRegistryRejected, "the registry rejected the registration after review"), nil
}

// advance puts the workflow in progress at step.
func (e *Engine) advance(wf *registrar.Workflow, d *registrationData, step string) transition {
	if wf.State != registrar.StateInProgress {
		wf.Deadline = e.clock(wf.Env).Now().Add(e.cfg.InProgressTimeout)
	}
	wf.State, wf.Step, wf.RegistryTRID = registrar.StateInProgress, step, ""
	d.Retries, d.BlockedSince = 0, nil
	wf.Data = mustJSON(d)
	setContext(wf, registrar.StatusContext{})
	return transition{next: step}
}

// block marks the workflow blocked on the registry and retries step after a
// backoff. The blocked deadline runs from the first block.
func (e *Engine) block(wf *registrar.Workflow, d *registrationData, step, reason string) transition {
	now := e.clock(wf.Env).Now()
	if d.BlockedSince == nil {
		d.BlockedSince = &now
	}
	d.Retries++
	wf.State, wf.Step = registrar.StateBlocked, step
	wf.Deadline = d.BlockedSince.Add(e.cfg.BlockedTimeout)
	wf.Data = mustJSON(d)
	setContext(wf, registrar.Blocked(registrar.BlockedByRegistry, reason))
	return transition{next: step, delay: backoff(d.Retries, e.cfg.RetryMin, e.cfg.RetryMax)}
}

// awaitPending marks the workflow blocked until the registry's review of
// the create ends. The poll worker normally settles it; an info re-check
// runs now and then in case a message is lost.
func (e *Engine) awaitPending(wf *registrar.Workflow, d *registrationData) transition {
	t := e.block(wf, d, stepAwaitCreate, "the registry is reviewing the registration")
	wf.RegistryTRID = d.CreateTRID
	t.delay = backoff(d.Retries, e.cfg.PendingRecheck, 10*time.Minute)
	return t
}

// requireVerification pauses the workflow until the registrant confirms
// their email address, and sends the verification email.
func (e *Engine) requireVerification(wf *registrar.Workflow, d *registrationData) transition {
	now := e.clock(wf.Env).Now()
	expires := now.Add(e.cfg.ActionTimeout)
	code, hash := registrar.NewSecret("")
	msg := e.verificationMail(wf, d, code, expires)
	wf.State, wf.Step, wf.Deadline = registrar.StateActionRequired, stepVerifyEmail, expires
	setContext(wf, registrar.StatusContext{
		Action:             registrar.ActionRegistrantEmailConfirmationPending,
		ConfirmationSentTo: registrar.MaskEmail(d.Contacts.Registrant.Email), ActionExpiresAt: &expires,
	})
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		if err := tx.InsertVerification(ctx, hash, wf.ID, d.Contacts.Registrant.Email, now, expires); err != nil {
			return err
		}
		return e.queueMail(ctx, tx, wf.ID, msg)
	}}
}

// verificationMail is the email that asks the registrant to confirm
// their address with code, before expires: the first one and each sent
// again (ResendVerification).
func (e *Engine) verificationMail(wf *registrar.Workflow, d *registrationData, code string, expires time.Time) registrar.Message {
	link := strings.TrimRight(e.cfg.PublicURL, "/") + "/verify-email/" + url.PathEscape(code)
	return registrar.Message{
		To:      d.Contacts.Registrant.Email,
		Subject: "Verify your email address to register " + wf.Domain,
		Body: fmt.Sprintf("Hello %s,\n\nPlease confirm that %s is the registrant email address for %s by opening this link:\n\n%s\n\n"+
			"The link expires on %s. Until then the registration waits for you.\nIf you did not ask to register %s, ignore this message.\n",
			d.Contacts.Registrant.PostalInfo.Name, d.Contacts.Registrant.Email, wf.Domain, link, expires.Format(time.RFC1123), wf.Domain),
		Secret: code,
	}
}

// succeed activates the registration, charges for it (where the
// environment's policy bills, once per workflow) and ends the workflow.
func (e *Engine) succeed(wf *registrar.Workflow, d *registrationData, created, expires time.Time) transition {
	now := e.clock(wf.Env).Now()
	if created.IsZero() {
		created = now
	}
	if expires.IsZero() {
		expires = created.AddDate(d.Years, 0, 0)
	}
	wf.State, wf.Deadline, wf.RegistryTRID = registrar.StateSucceeded, time.Time{}, ""
	wf.ErrorCode, wf.ErrorMessage = "", ""
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		g, err := tx.Registration(ctx, wf.Env, wf.Domain)
		if registrar.IsKind(err, registrar.KindNotFound) || (err == nil && g.WorkflowID != wf.ID) {
			// Only a failure of this workflow gives its registration up
			// (see fail): the workflow changed under this step, which lost
			// the race, as the version check below would say.
			return registrar.Errorf(registrar.KindConflict, "workflows.succeed", "the registration of %s was given up meanwhile", wf.Domain)
		}
		if err != nil {
			return err
		}
		g.CreatedAt, g.ExpiresAt = created.UTC(), ptr(expires.UTC())
		if err := setStatus(ctx, tx, g, registrar.RegistrationActive, now, registrar.EventRegistered, wf.ID, ""); err != nil {
			return err
		}
		if d.NameserversSet != nil {
			g.Nameservers = d.NameserversSet
			if err := tx.SetRegistrationDNS(ctx, g.Env, g.DomainName, d.NameserversSet, nil); err != nil {
				return err
			}
		}
		if e.policy(wf.Env).Billed {
			if _, err := tx.InsertCharge(ctx, store.Charge{
				ID: registrar.NewID(), AccountID: wf.AccountID, WorkflowID: wf.ID, Domain: wf.Domain, Years: d.Years,
				AmountCents: d.PriceCents, Currency: d.Currency, CreatedAt: now,
			}); err != nil {
				return err
			}
		}
		setContext(wf, registrar.StatusContext{Registration: g})
		return nil
	}}
}

// fail ends the workflow with a workflow error code and gives the domain
// back: nothing was created or charged.
func (e *Engine) fail(wf *registrar.Workflow, code, message string) transition {
	wf.State, wf.Deadline, wf.RegistryTRID = registrar.StateFailed, time.Time{}, ""
	wf.ErrorCode, wf.ErrorMessage = code, message
	var keep registrar.StatusContext
	if wf.Kind == registrar.WorkflowUpdate {
		// An update's status names its requested changes in every state;
		// its new auth code, if any, is dropped with the transition.
		keep.FieldsUpdated, keep.Changes = statusChanges(wf)
		redactUpdate(wf)
	}
	setContext(wf, keep)
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		if wf.Kind == registrar.WorkflowRenewal {
			return e.renewalFailed(ctx, tx, wf)
		}
		if wf.Kind != registrar.WorkflowRegistration && wf.Kind != registrar.WorkflowTransferIn {
			return nil // an update, outbound transfer, expiry or restore leaves the registration as it is
		}
		return tx.DeleteRegistration(ctx, wf.Env, wf.Domain, wf.ID)
	}}
}

// statusChanges returns the fields and changes named in a workflow's
// public context.
func statusChanges(wf *registrar.Workflow) ([]string, map[string]any) {
	var c registrar.StatusContext
	json.Unmarshal(wf.Context, &c) // our own JSON; nil changes if it were not
	return c.FieldsUpdated, c.Changes
}

func ptr[T any](v T) *T { return &v }
