package workflows

// A domain's life after its registration (docs/ARCHITECTURE.md, "The life
// of a domain"): renewals, expiry (ICANN ERRP, RFC 3915's RGP), restore
// and deletion. Renewals, expiries and restores are durable workflows
// like registrations: each step stores what it is about to send before a
// registry call, an unknown outcome is settled with an info before
// anything is repeated, and every change of a registration is written
// with its history event in one transaction. The lifecycle job (a River
// periodic job, run by the leader only) moves registrations along on
// their environment's clock.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// The steps of the lifecycle workflows.
const (
	stepRenew   = "renew"   // renewal: renew at the registry
	stepDelete  = "delete"  // expiry: delete at the registry, which starts redemption
	stepRestore = "restore" // restore: the RGP restore request and report
)

// statusDeleted is the status a history's last event gives a registration
// deleted for good (no registration row has it).
const statusDeleted registrar.RegistrationStatus = "deleted"

// The expiry notices (ICANN ERRP), each sent once per term.
const (
	noticeMonth = "month"        // about a month before expiry
	noticeWeek  = "week"         // about a week before
	noticeAfter = "after_expiry" // within five days after
)

// lifeRetry is the backoff state of a lifecycle workflow blocked on its
// registry.
type lifeRetry struct {
	Retries      int        `json:"retries,omitempty"`
	BlockedSince *time.Time `json:"blocked_since,omitempty"`
}

// renewalData is a renewal workflow's private state.
type renewalData struct {
	Years int `json:"years"`
	// CurExpiresAt is the expiry the renewal extends: with the domain,
	// the key of the renewals row that makes a term's renewal one
	// workflow.
	CurExpiresAt time.Time `json:"cur_expires_at"`
	Automatic    bool      `json:"automatic,omitempty"`
	Extension    string    `json:"extension"`
	PriceCents   int64     `json:"price_cents"`
	Currency     string    `json:"currency"`
	// Attempts counts renews that may have reached the registry. It is
	// stored before each renew is sent: when it is positive, an info
	// comes first.
	Attempts int `json:"attempts,omitempty"`
	lifeRetry
}

// expiryData is an expiry workflow's private state.
type expiryData struct {
	Extension string                `json:"extension"`
	Model     registrar.ExpiryModel `json:"model"`
	// ExpiresAt is the expiry of the term that ended unrenewed.
	ExpiresAt time.Time `json:"expires_at"`
	Attempts  int       `json:"attempts,omitempty"`
	TRID      string    `json:"trid,omitempty"`
	lifeRetry
}

// restoreData is a restore workflow's private state.
type restoreData struct {
	Extension  string    `json:"extension"`
	PriceCents int64     `json:"price_cents"`
	Currency   string    `json:"currency"`
	DeletedAt  time.Time `json:"deleted_at"`
	Attempts   int       `json:"attempts,omitempty"`
	lifeRetry
}

// extensionOf returns the extension of an ASCII domain name.
func extensionOf(domain string) string {
	_, ext, _ := strings.Cut(domain, ".")
	return ext
}

// lifeTerms are the registry and the lifecycle terms of an extension in
// an environment.
type lifeTerms struct {
	reg registrar.Registry
	ext registrar.Extension
	lc  registrar.Lifecycle
}

func (e *Engine) terms(env registrar.Env, ext string) (lifeTerms, error) {
	reg, x, err := e.Registries.Lookup(env, ext)
	if err != nil {
		return lifeTerms{}, err
	}
	return lifeTerms{reg: reg, ext: x, lc: x.Lifecycle.WithDefaults(x.RenewalCents)}, nil
}

// event appends a history event for g, as it is now, in tx.
func event(ctx context.Context, tx *store.Tx, g *registrar.Registration, at time.Time, typ, workflowID, detail string) error {
	return tx.AddRegistrationEvent(ctx, g.Env, g.DomainName, g.AccountID, registrar.RegistrationEvent{
		At: at, Type: typ, Status: g.Status, ExpiresAt: g.ExpiresAt, WorkflowID: workflowID, Detail: detail})
}

// setStatus stores g with a new status that began at now, and its event.
func setStatus(ctx context.Context, tx *store.Tx, g *registrar.Registration, status registrar.RegistrationStatus, now time.Time, typ, workflowID, detail string) error {
	g.Status = status
	if err := tx.SaveRegistrationStatus(ctx, g, now); err != nil {
		return err
	}
	return event(ctx, tx, g, now, typ, workflowID, detail)
}

// StartRenewal implements registrar.Workflows.
func (e *Engine) StartRenewal(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, req registrar.RenewalRequest) (*registrar.Workflow, error) {
	const op = "workflows.StartRenewal"
	years := req.Years
	if years == 0 {
		years = 1
	}
	if years < 1 || years > registrar.MaxTermYears {
		return nil, registrar.Invalid(op, "/years", "years must be between 1 and %d", registrar.MaxTermYears)
	}
	return e.startRenewal(ctx, p.AccountID, env, domain, years, req.CurrentExpiresAt, false)
}

// startRenewal starts the renewal of a term, or returns the one it has.
func (e *Engine) startRenewal(ctx context.Context, accountID string, env registrar.Env, domain string, years int, cur *time.Time, automatic bool) (*registrar.Workflow, error) {
	const op = "workflows.StartRenewal"
	now := e.clock(env).Now()
	var out *registrar.Workflow
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		g, err := tx.Registration(ctx, env, domain)
		if registrar.IsKind(err, registrar.KindNotFound) || (err == nil && g.AccountID != accountID) {
			return registrar.Errorf(registrar.KindNotFound, op, "registration of %s not found", domain)
		}
		if err != nil {
			return err
		}
		if (g.Status != registrar.RegistrationActive && g.Status != registrar.RegistrationExpired) || g.ExpiresAt == nil {
			msg := fmt.Sprintf("%s cannot be renewed while it is %s", domain, g.Status)
			switch g.Status {
			case registrar.RegistrationPending, registrar.RegistrationTransferPending:
				msg += "; retry once it is active"
			case registrar.RegistrationRedemptionPeriod:
				msg += "; only a restore brings it back"
			}
			return registrar.Errorf(registrar.KindConflict, op, "%s", msg)
		}
		// The term: the current one, or the one the client names by its
		// expiry, matched by date (registries keep dates, and the command
		// line shows expiries to the second).
		term := *g.ExpiresAt
		if cur != nil && !utcDay(*cur).Equal(utcDay(term)) {
			term = cur.UTC()
			if t, ok, err := tx.RenewalTermOn(ctx, env, domain, term); err != nil {
				return err
			} else if ok {
				term = t
			}
		}
		t, err := e.terms(env, extensionOf(domain))
		if err != nil {
			return registrar.Invalid(op, "/domain_name", "%s", registrar.AsError(err).Message)
		}
		wf := &registrar.Workflow{
			ID: registrar.NewID(), AccountID: accountID, Env: env, Kind: registrar.WorkflowRenewal, Domain: domain,
			State: registrar.StatePending, Step: stepRenew,
			Data: mustJSON(renewalData{Years: years, CurExpiresAt: term, Automatic: automatic, Extension: t.ext.Name,
				PriceCents: t.ext.RenewalCents * int64(years), Currency: t.ext.Currency}),
			CreatedAt: now, UpdatedAt: now, Deadline: now.Add(e.cfg.InProgressTimeout),
		}
		setContext(wf, registrar.StatusContext{})
		existing, err := tx.ClaimRenewal(ctx, env, domain, term, wf.ID)
		if err != nil {
			return err
		}
		if existing != "" {
			old, err := tx.Workflow(ctx, existing)
			if err != nil && !registrar.IsKind(err, registrar.KindNotFound) {
				return err
			}
			if err == nil && old.AccountID == accountID && (automatic || old.State != registrar.StateFailed) {
				out = old // the same term's renewal, in any state
				out.Existing = true
				return nil
			}
			// An explicit request after a failed renewal of the term (or
			// a row left by an earlier holder) starts a new one.
			ok, err := tx.ReplaceRenewal(ctx, env, domain, term, existing, wf.ID)
			if err != nil {
				return err
			}
			if !ok {
				return registrar.Errorf(registrar.KindConflict, op, "another renewal of %s started meanwhile; retry", domain)
			}
		}
		if !term.Equal(*g.ExpiresAt) {
			return registrar.Errorf(registrar.KindConflict, op, "%s expires at %s, not at the current_expires_at given (%s)",
				domain, g.ExpiresAt.Format(time.RFC3339), cur.UTC().Format(time.RFC3339))
		}
		if term.AddDate(years, 0, 0).After(now.AddDate(registrar.MaxTermYears, 0, 0)) {
			e := registrar.Invalid(op, "/years", "renewing %s for %d years would take it past the maximum term of %d years from now",
				domain, years, registrar.MaxTermYears)
			e.Reason = registrar.CodeDomainMaxTerm
			return e
		}
		g.Renewal = &registrar.RenewalState{WorkflowID: wf.ID, State: wf.State, Automatic: automatic, UpdatedAt: now}
		if err := tx.SaveRegistration(ctx, g); err != nil {
			return err
		}
		if err := tx.InsertWorkflow(ctx, wf); err != nil {
			return err
		}
		out = wf
		return e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: stepRenew}, nil)
	})
	if err != nil {
		return nil, err
	}
	if !out.Completed() {
		e.jobs.wake(ctx)
	}
	return out, nil
}

// sameDayOrAfter reports whether a is on b's UTC date or later: registries
// keep expiry dates, and may answer them at another time of day.
func sameDayOrAfter(a, b time.Time) bool {
	return !utcDay(a).Before(utcDay(b))
}

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// renewStep runs a renewal's one step. Before a renew that may repeat an
// earlier one (an attempt was sent) or that the registry may have made
// itself (the autorenew model, past expiry), an info says what is left
// to do: nothing when the registry's expiry already reaches the target,
// otherwise a renew from the registry's expiry for the remaining years,
// which its curExpDate check makes fail rather than renew twice.
func (e *Engine) renewStep(ctx context.Context, wf *registrar.Workflow) (transition, error) {
	d, err := decode[renewalData](wf)
	if err != nil {
		return transition{}, err
	}
	t, err := e.terms(wf.Env, d.Extension)
	if err != nil {
		return transition{}, err
	}
	now := e.clock(wf.Env).Now()
	g, err := e.DB.Registration(ctx, wf.AccountID, wf.Env, wf.Domain)
	if registrar.IsKind(err, registrar.KindNotFound) {
		return e.fail(wf, codeRegistrationMissing, "the registration no longer exists"), nil
	}
	if err != nil {
		return transition{}, err
	}
	if g.Status != registrar.RegistrationActive && g.Status != registrar.RegistrationExpired || g.ExpiresAt == nil {
		return e.fail(wf, registrar.CodeRenewalWindowClosed, windowClosed(wf.Domain, g.Status)), nil
	}
	windowEnd := g.ExpiresAt.Add(t.lc.Grace)
	target := d.CurExpiresAt.AddDate(d.Years, 0, 0)
	from, years := d.CurExpiresAt, d.Years
	if d.Attempts > 0 || !now.Before(d.CurExpiresAt) {
		info, err := t.reg.Info(ctx, wf.Domain)
		switch {
		case err == nil && !info.Sponsored:
			return e.fail(wf, codeRegistrationMissing, "the registry says another registrar sponsors "+wf.Domain), nil
		case err == nil:
		case registrar.IsKind(err, registrar.KindUnavailable) || ctx.Err() != nil:
			return e.blockLife(wf, &d.lifeRetry, &d, stepRenew, "the registry is unreachable; retrying", windowEnd), nil
		case registrar.IsKind(err, registrar.KindNotFound):
			return e.fail(wf, codeRegistrationMissing, "the registry does not know "+wf.Domain), nil
		default:
			return transition{}, err
		}
		if sameDayOrAfter(info.ExpiresAt, target) {
			return e.succeedRenewal(wf, &d, info.ExpiresAt), nil // renewed: by an earlier attempt, or the registry's autorenew
		}
		if utcDay(info.ExpiresAt).After(utcDay(from)) {
			// Part of the term is renewed already: renew the rest from
			// the registry's expiry.
			n := 0
			for n < years-1 && sameDayOrAfter(info.ExpiresAt, d.CurExpiresAt.AddDate(n+1, 0, 0)) {
				n++
			}
			from, years = info.ExpiresAt, years-n
		}
	}
	if !now.Before(windowEnd) {
		return e.fail(wf, registrar.CodeRenewalWindowClosed, windowClosed(wf.Domain, g.Status)), nil
	}
	// Store the attempt before it is sent.
	d.Attempts++
	wf.Data = mustJSON(d)
	if ok, err := e.commit(ctx, nil, wf, transition{}); err != nil || !ok {
		if err == nil {
			err = errStale
		}
		return transition{}, err
	}
	newExp, err := t.reg.Renew(ctx, wf.Domain, from, years)
	switch registrar.KindOf(err) {
	case registrar.KindUnavailable:
		return e.blockLife(wf, &d.lifeRetry, &d, stepRenew, registrar.AsError(err).Message+"; retrying", windowEnd), nil
	case registrar.KindRejected, registrar.KindInvalid, registrar.KindConflict, registrar.KindNotFound:
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry refused the renewal: "+registrar.AsError(err).Message), nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return e.blockLife(wf, &d.lifeRetry, &d, stepRenew, "the registry did not answer in time; checking", windowEnd), nil
		}
		return transition{}, err
	}
	if newExp.IsZero() {
		newExp = from.AddDate(years, 0, 0)
	}
	return e.succeedRenewal(wf, &d, newExp), nil
}

// blockLife marks a lifecycle workflow blocked on its registry and
// retries step with backoff; data is its private state, r the retry
// state within it. A renewal retries until its window ends (windowEnd,
// zero for other kinds), then fails renewal_window_closed.
func (e *Engine) blockLife(wf *registrar.Workflow, r *lifeRetry, data any, step, reason string, windowEnd time.Time) transition {
	now := e.clock(wf.Env).Now()
	if !windowEnd.IsZero() && !now.Before(windowEnd) {
		return e.fail(wf, registrar.CodeRenewalWindowClosed, windowClosed(wf.Domain, registrar.RegistrationExpired))
	}
	if r.BlockedSince == nil {
		r.BlockedSince = &now
	}
	r.Retries++
	wf.State, wf.Step = registrar.StateBlocked, step
	wf.Deadline = r.BlockedSince.Add(e.cfg.BlockedTimeout)
	if end := windowEnd.Add(e.cfg.BlockedTimeout); !windowEnd.IsZero() && end.After(wf.Deadline) {
		// The step itself fails the renewal when its window ends; the
		// sweep is only a backstop.
		wf.Deadline = end
	}
	wf.Data = mustJSON(data)
	setContext(wf, registrar.Blocked(registrar.BlockedByRegistry, reason))
	return transition{next: step, delay: backoff(r.Retries, e.cfg.RetryMin, e.cfg.RetryMax)}
}

func windowClosed(domain string, status registrar.RegistrationStatus) string {
	return fmt.Sprintf("%s expired past its grace period before it could be renewed (it is %s)", domain, status)
}

// succeedRenewal stores the new expiry (and active, from expired), the
// charge (once: charges are unique per workflow, where the environment
// bills) and the renewed event, and ends the workflow.
func (e *Engine) succeedRenewal(wf *registrar.Workflow, d *renewalData, expires time.Time) transition {
	now := e.clock(wf.Env).Now()
	wf.State, wf.Deadline, wf.RegistryTRID = registrar.StateSucceeded, time.Time{}, ""
	wf.ErrorCode, wf.ErrorMessage = "", ""
	d.lifeRetry = lifeRetry{}
	wf.Data = mustJSON(d)
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		g, err := tx.Registration(ctx, wf.Env, wf.Domain)
		if registrar.IsKind(err, registrar.KindNotFound) || (err == nil && g.AccountID != wf.AccountID) {
			return registrar.Errorf(registrar.KindConflict, "workflows.succeedRenewal", "the registration of %s is gone", wf.Domain)
		}
		if err != nil {
			return err
		}
		g.ExpiresAt = ptr(expires.UTC())
		g.Renewal = &registrar.RenewalState{WorkflowID: wf.ID, State: registrar.StateSucceeded, Automatic: d.Automatic, UpdatedAt: now}
		if g.Status == registrar.RegistrationExpired {
			g.Status = registrar.RegistrationActive
			err = tx.SaveRegistrationStatus(ctx, g, now)
		} else {
			err = tx.SaveRegistration(ctx, g)
		}
		if err != nil {
			return err
		}
		if e.policy(wf.Env).Billed {
			if _, err := tx.InsertCharge(ctx, store.Charge{
				ID: registrar.NewID(), AccountID: wf.AccountID, WorkflowID: wf.ID, Domain: wf.Domain, Years: d.Years,
				AmountCents: d.PriceCents, Currency: d.Currency, CreatedAt: now,
			}); err != nil {
				return err
			}
		}
		if err := event(ctx, tx, g, now, registrar.EventRenewed, wf.ID, fmt.Sprintf("renewed for %d year(s)", d.Years)); err != nil {
			return err
		}
		setContext(wf, registrar.StatusContext{Registration: g})
		return nil
	}}
}

// renewalFailed records a failed renewal on its registration, in the
// transaction that fails the workflow: the renewal state, the event, and
// for an automatic renewal an email to the registrant with what to do.
func (e *Engine) renewalFailed(ctx context.Context, tx *store.Tx, wf *registrar.Workflow) error {
	now := e.clock(wf.Env).Now()
	var d renewalData
	json.Unmarshal(wf.Data, &d) // our own JSON; a zero d only skips the email
	g, err := tx.Registration(ctx, wf.Env, wf.Domain)
	if registrar.IsKind(err, registrar.KindNotFound) || (err == nil && g.AccountID != wf.AccountID) {
		return nil
	}
	if err != nil {
		return err
	}
	g.Renewal = &registrar.RenewalState{WorkflowID: wf.ID, State: registrar.StateFailed, Automatic: d.Automatic,
		ErrorCode: wf.ErrorCode, ErrorMessage: wf.ErrorMessage, UpdatedAt: now}
	if err := tx.SaveRegistration(ctx, g); err != nil {
		return err
	}
	if err := event(ctx, tx, g, now, registrar.EventRenewalFailed, wf.ID, wf.ErrorCode+": "+wf.ErrorMessage); err != nil {
		return err
	}
	if !d.Automatic {
		return nil
	}
	to, err := e.registrantEmail(ctx, tx, g)
	if err != nil || to == "" {
		return err
	}
	expiry := "its expiry"
	if g.ExpiresAt != nil {
		expiry = g.ExpiresAt.Format("2 January 2006 15:04 MST")
	}
	return e.queueMail(ctx, tx, wf.ID, registrar.Message{
		To:      to,
		Subject: "The automatic renewal of " + wf.Domain + " failed",
		Body: fmt.Sprintf("Hello,\n\nThe automatic renewal of %s failed: %s (%s).\n\n"+
			"The domain stays registered until %s. To renew it before then, run\n\n%s\n\n"+
			"Unless it is renewed it expires, and after its grace period only a restore, at a higher price, brings it back.\n",
			wf.Domain, wf.ErrorMessage, wf.ErrorCode, expiry, e.renewHow(g)),
	})
}

// renewHow tells how to renew g: the command, and the API call.
func (e *Engine) renewHow(g *registrar.Registration) string {
	api := "registrar"
	if g.Env == registrar.EnvSandbox {
		api = "registrar-sandbox"
	}
	base := strings.TrimRight(e.cfg.PublicURL, "/")
	return fmt.Sprintf("    registrar renew %s\n\nor call the API:\n\n    POST %s/client/v4/accounts/%s/%s/registrations/%s/renew {\"years\": 1}",
		g.DomainName, base, g.AccountID, api, g.DomainName)
}

// registrantEmail returns the registrant's email address of g: from the
// workflow that registered or transferred it in, else the account's
// default contact.
func (e *Engine) registrantEmail(ctx context.Context, tx *store.Tx, g *registrar.Registration) (string, error) {
	if wf, err := tx.Workflow(ctx, g.WorkflowID); err == nil {
		var d struct {
			Contacts struct {
				Registrant *registrar.Contact `json:"registrant"`
			} `json:"contacts"`
			Registrant *registrar.Contact `json:"registrant"` // data of earlier releases
		}
		if json.Unmarshal(wf.Data, &d) == nil {
			if c := d.Contacts.Registrant; c != nil && c.Email != "" {
				return c.Email, nil
			}
			if c := d.Registrant; c != nil && c.Email != "" {
				return c.Email, nil
			}
		}
	} else if !registrar.IsKind(err, registrar.KindNotFound) {
		return "", err
	}
	acct, err := e.DB.Account(ctx, g.AccountID)
	if err != nil {
		return "", err
	}
	if acct.DefaultContact == nil {
		e.Logger.Warn("no registrant email for a lifecycle notice", "domain", g.DomainName)
		return "", nil
	}
	return acct.DefaultContact.Email, nil
}

// expiryStep runs an expiry's one step: under the autorenew model the
// delete at the registry that starts its redemption (an info first when
// an attempt may have been sent; a registry showing redemption already
// counts as done); under the delete model nothing is sent. Then the
// registration enters redemption.
func (e *Engine) expiryStep(ctx context.Context, wf *registrar.Workflow) (transition, error) {
	d, err := decode[expiryData](wf)
	if err != nil {
		return transition{}, err
	}
	t, err := e.terms(wf.Env, d.Extension)
	if err != nil {
		return transition{}, err
	}
	g, err := e.DB.Registration(ctx, wf.AccountID, wf.Env, wf.Domain)
	if registrar.IsKind(err, registrar.KindNotFound) {
		return e.fail(wf, codeRegistrationMissing, "the registration no longer exists"), nil
	}
	if err != nil {
		return transition{}, err
	}
	if g.Status != registrar.RegistrationExpired || g.ExpiresAt == nil || !g.ExpiresAt.Equal(d.ExpiresAt) {
		return e.fail(wf, codeExpiryCancelled, fmt.Sprintf("%s was renewed or moved on (it is %s) before its expiry was carried out", wf.Domain, g.Status)), nil
	}
	if d.Model == registrar.ExpiryDelete {
		return e.redeem(wf, &d), nil
	}
	lc, ok := t.reg.(registrar.Lifecycler)
	if !ok {
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry of ."+d.Extension+" does not support deleting domains"), nil
	}
	if d.Attempts > 0 {
		info, err := t.reg.Info(ctx, wf.Domain)
		switch {
		case err == nil && (containsAny(info.RGPStatuses, registrar.RGPRedemption, registrar.RGPPendingDelete) || !info.Sponsored):
			return e.redeem(wf, &d), nil
		case err == nil:
		case registrar.IsKind(err, registrar.KindNotFound):
			return e.redeem(wf, &d), nil
		case registrar.IsKind(err, registrar.KindUnavailable) || ctx.Err() != nil:
			return e.blockLife(wf, &d.lifeRetry, &d, stepDelete, "the registry is unreachable; retrying", time.Time{}), nil
		default:
			return transition{}, err
		}
	}
	if tr, done, err := e.removeGlue(ctx, wf, &d, t.reg); done {
		return tr, err
	}
	d.Attempts++
	d.TRID = fmt.Sprintf("OR-%s-d%d", wf.ID[:16], d.Attempts)
	wf.Data = mustJSON(d)
	if ok, err := e.commit(ctx, nil, wf, transition{}); err != nil || !ok {
		if err == nil {
			err = errStale
		}
		return transition{}, err
	}
	err = lc.Delete(ctx, wf.Domain, d.TRID)
	switch registrar.KindOf(err) {
	case registrar.KindUnavailable:
		return e.blockLife(wf, &d.lifeRetry, &d, stepDelete, registrar.AsError(err).Message+"; retrying", time.Time{}), nil
	case registrar.KindNotFound:
		return e.redeem(wf, &d), nil // deleted already
	case registrar.KindRejected, registrar.KindInvalid, registrar.KindConflict:
		e.Logger.Warn("the registry refused to delete an expired domain: its registration stays expired until someone looks", "domain", wf.Domain, "error", err)
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry refused the delete: "+registrar.AsError(err).Message), nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return e.blockLife(wf, &d.lifeRetry, &d, stepDelete, "the registry did not answer in time; checking", time.Time{}), nil
		}
		return transition{}, err
	}
	return e.redeem(wf, &d), nil
}

// removeGlue deletes an expiring domain's own glue, its subordinate host
// objects, before the domain's delete, as registries require (RFC 5731
// section 3.2.2: a domain with subordinate hosts cannot be deleted): it
// first takes those hosts off the domain's own name servers, then deletes
// each. Every attempt reads the registry first, so a repeated one does
// only what is left. done is false when the domain has no glue left; a
// host that another domain still uses ends the expiry failed, naming it.
func (e *Engine) removeGlue(ctx context.Context, wf *registrar.Workflow, d *expiryData, reg registrar.Registry) (tr transition, done bool, err error) {
	hr, ok := reg.(registrar.HostRegistry)
	if !ok {
		return transition{}, false, nil
	}
	trouble := func(err error) (transition, bool, error) {
		switch registrar.KindOf(err) {
		case registrar.KindUnavailable:
			return e.blockLife(wf, &d.lifeRetry, d, stepDelete, "the registry is unreachable while removing the domain's glue; retrying", time.Time{}), true, nil
		case registrar.KindRejected, registrar.KindInvalid, registrar.KindConflict:
			e.Logger.Warn("the registry refused to remove an expired domain's glue: its registration stays expired until someone looks", "domain", wf.Domain, "error", err)
			return e.fail(wf, registrar.CodeRegistryRejected, "the registry refused to remove the domain's glue: "+registrar.AsError(err).Message), true, nil
		}
		if ctx.Err() != nil {
			return e.blockLife(wf, &d.lifeRetry, d, stepDelete, "the registry did not answer in time while removing the domain's glue; checking", time.Time{}), true, nil
		}
		return transition{}, true, err
	}
	info, err := reg.Info(ctx, wf.Domain)
	if err != nil {
		if registrar.IsKind(err, registrar.KindNotFound) {
			return transition{}, false, nil // the delete finds it gone
		}
		return trouble(err)
	}
	if len(info.Hosts) == 0 {
		return transition{}, false, nil
	}
	var own []string
	for _, ns := range info.Nameservers {
		if slices.Contains(info.Hosts, ns) {
			own = append(own, ns)
		}
	}
	if len(own) > 0 {
		if err := reg.Update(ctx, registrar.DomainUpdate{Name: wf.Domain, RemoveNameservers: own}); err != nil {
			return trouble(err)
		}
	}
	for _, h := range info.Hosts {
		err := hr.DeleteHost(ctx, h)
		switch {
		case err == nil, registrar.IsKind(err, registrar.KindNotFound):
		case registrar.IsKind(err, registrar.KindConflict):
			e.Logger.Warn("an expired domain's glue host is a name server of other domains: the domain cannot be deleted until they stop using it", "domain", wf.Domain, "host", h)
			return e.fail(wf, registrar.CodeRegistryRejected, fmt.Sprintf("the glue host %s is a name server of other domains, so the registry will delete neither it nor %s", h, wf.Domain)), true, nil
		default:
			return trouble(err)
		}
	}
	e.Logger.Info("removed an expired domain's glue before its delete", "domain", wf.Domain, "hosts", len(info.Hosts))
	return transition{}, false, nil
}

// codeExpiryCancelled ends an expiry whose registration was renewed or
// changed before it ran.
const codeExpiryCancelled = "expiry_cancelled"

func containsAny(have []string, want ...string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// redeem ends an expiry: the registration enters its redemption period.
func (e *Engine) redeem(wf *registrar.Workflow, d *expiryData) transition {
	now := e.clock(wf.Env).Now()
	wf.State, wf.Deadline, wf.RegistryTRID = registrar.StateSucceeded, time.Time{}, ""
	d.lifeRetry = lifeRetry{}
	wf.Data = mustJSON(d)
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		g, err := tx.Registration(ctx, wf.Env, wf.Domain)
		if err == nil && (g.AccountID != wf.AccountID || g.Status != registrar.RegistrationExpired) {
			err = registrar.Errorf(registrar.KindConflict, "workflows.redeem", "the registration of %s changed meanwhile", wf.Domain)
		}
		if err != nil {
			return err
		}
		if err := setStatus(ctx, tx, g, registrar.RegistrationRedemptionPeriod, now, registrar.EventRedemption, wf.ID, string(d.Model)); err != nil {
			return err
		}
		setContext(wf, registrar.StatusContext{Registration: g})
		return nil
	}}
}

// StartRestore implements registrar.Workflows.
func (e *Engine) StartRestore(ctx context.Context, p registrar.Principal, env registrar.Env, domain string) (*registrar.Workflow, error) {
	const op = "workflows.StartRestore"
	now := e.clock(env).Now()
	var out *registrar.Workflow
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockRegistration(ctx, env, domain); err != nil {
			return err
		}
		g, err := tx.LifecycleRegistration(ctx, env, domain)
		if registrar.IsKind(err, registrar.KindNotFound) || (err == nil && g.AccountID != p.AccountID) {
			return registrar.Errorf(registrar.KindNotFound, op, "registration of %s not found", domain)
		}
		if err != nil {
			return err
		}
		prev, err := tx.LatestWorkflow(ctx, p.AccountID, env, registrar.WorkflowRestore, domain)
		if err != nil && !registrar.IsKind(err, registrar.KindNotFound) {
			return err
		}
		if err == nil && !prev.Completed() {
			out = prev
			out.Existing = true
			return nil
		}
		if g.Status != registrar.RegistrationRedemptionPeriod {
			return &registrar.Error{Kind: registrar.KindConflict, Op: op, Reason: registrar.CodeNotRestorable,
				Message: fmt.Sprintf("%s is %s, not in its redemption period: only a registration in redemption_period can be restored", domain, g.Status)}
		}
		t, err := e.terms(env, extensionOf(domain))
		if err != nil {
			return registrar.Invalid(op, "/domain_name", "%s", registrar.AsError(err).Message)
		}
		wf := &registrar.Workflow{
			ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowRestore, Domain: domain,
			State: registrar.StatePending, Step: stepRestore,
			Data: mustJSON(restoreData{Extension: t.ext.Name, PriceCents: t.lc.RestoreCents, Currency: t.ext.Currency,
				DeletedAt: g.StatusSince}),
			CreatedAt: now, UpdatedAt: now, Deadline: now.Add(e.cfg.InProgressTimeout),
		}
		setContext(wf, registrar.StatusContext{})
		if err := tx.InsertWorkflow(ctx, wf); err != nil {
			return err
		}
		out = wf
		return e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: stepRestore}, nil)
	})
	if err != nil {
		return nil, err
	}
	if !out.Completed() {
		e.jobs.wake(ctx)
	}
	return out, nil
}

// restoreStep runs a restore's one step: the RGP restore (request and
// report; the registry's side is idempotent, so a retry after an unknown
// outcome repeats it safely), then an info for the expiry the registry
// gives the restored domain.
func (e *Engine) restoreStep(ctx context.Context, wf *registrar.Workflow) (transition, error) {
	d, err := decode[restoreData](wf)
	if err != nil {
		return transition{}, err
	}
	t, err := e.terms(wf.Env, d.Extension)
	if err != nil {
		return transition{}, err
	}
	now := e.clock(wf.Env).Now()
	g, err := e.DB.Registration(ctx, wf.AccountID, wf.Env, wf.Domain)
	if registrar.IsKind(err, registrar.KindNotFound) {
		return e.fail(wf, codeRegistrationMissing, "the registration no longer exists"), nil
	}
	if err != nil {
		return transition{}, err
	}
	if g.Status != registrar.RegistrationRedemptionPeriod {
		return e.fail(wf, registrar.CodeNotRestorable, fmt.Sprintf("%s is no longer in its redemption period (it is %s)", wf.Domain, g.Status)), nil
	}
	lc, ok := t.reg.(registrar.Lifecycler)
	if !ok {
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry of ."+d.Extension+" does not support restores"), nil
	}
	d.Attempts++
	expiry := "unknown"
	if g.ExpiresAt != nil {
		expiry = g.ExpiresAt.Format(time.RFC3339)
	}
	err = lc.Restore(ctx, registrar.RestoreRequest{
		Name: wf.Domain, DeletedAt: d.DeletedAt, RestoredAt: now,
		PreData:       fmt.Sprintf("%s, registered by this registrar, expiring %s, deleted at the end of its grace period", wf.Domain, expiry),
		PostData:      fmt.Sprintf("%s, registered by this registrar, restored at its registrant's request", wf.Domain),
		Reason:        "registrant requested restore",
		TransactionID: fmt.Sprintf("OR-%s-r%d", wf.ID[:16], d.Attempts),
	})
	if err == nil {
		var info registrar.DomainInfo
		info, err = t.reg.Info(ctx, wf.Domain)
		if err == nil {
			return e.succeedRestore(wf, &d, info.ExpiresAt), nil
		}
	}
	switch registrar.KindOf(err) {
	case registrar.KindUnavailable:
		return e.blockLife(wf, &d.lifeRetry, &d, stepRestore, registrar.AsError(err).Message+"; retrying", time.Time{}), nil
	case registrar.KindRejected, registrar.KindInvalid, registrar.KindConflict, registrar.KindNotFound:
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry refused the restore: "+registrar.AsError(err).Message), nil
	}
	if ctx.Err() != nil {
		return e.blockLife(wf, &d.lifeRetry, &d, stepRestore, "the registry did not answer in time; checking", time.Time{}), nil
	}
	return transition{}, err
}

// succeedRestore makes the registration active again with the registry's
// expiry, charges the restore fee once (where the environment bills) and
// ends the workflow.
func (e *Engine) succeedRestore(wf *registrar.Workflow, d *restoreData, expires time.Time) transition {
	now := e.clock(wf.Env).Now()
	wf.State, wf.Deadline, wf.RegistryTRID = registrar.StateSucceeded, time.Time{}, ""
	wf.ErrorCode, wf.ErrorMessage = "", ""
	d.lifeRetry = lifeRetry{}
	wf.Data = mustJSON(d)
	return transition{apply: func(ctx context.Context, tx *store.Tx) error {
		g, err := tx.Registration(ctx, wf.Env, wf.Domain)
		if err == nil && (g.AccountID != wf.AccountID || g.Status != registrar.RegistrationRedemptionPeriod) {
			err = registrar.Errorf(registrar.KindConflict, "workflows.succeedRestore", "the registration of %s changed meanwhile", wf.Domain)
		}
		if err != nil {
			return err
		}
		if !expires.IsZero() {
			g.ExpiresAt = ptr(expires.UTC())
		}
		g.Renewal = nil // a new term: the old one's renewal is history
		if err := setStatus(ctx, tx, g, registrar.RegistrationActive, now, registrar.EventRestored, wf.ID, ""); err != nil {
			return err
		}
		if e.policy(wf.Env).Billed {
			if _, err := tx.InsertCharge(ctx, store.Charge{
				ID: registrar.NewID(), AccountID: wf.AccountID, WorkflowID: wf.ID, Domain: wf.Domain,
				AmountCents: d.PriceCents, Currency: d.Currency, CreatedAt: now,
			}); err != nil {
				return err
			}
		}
		setContext(wf, registrar.StatusContext{Registration: g})
		return nil
	}}
}
