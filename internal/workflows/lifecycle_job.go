package workflows

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/riverqueue/river"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// lifecycleArgs is the job that moves registrations along their life on
// their environment's clock: auto-renewals, expiry notices, expiry,
// redemption, pending delete and deletion. It runs every
// LifecycleInterval as a periodic job, which River runs on the elected
// leader only, and at once on KickLifecycle; it is unique while queued
// or running, so kicks coalesce.
type lifecycleArgs struct{}

func (lifecycleArgs) Kind() string { return "registration_lifecycle" }

func (lifecycleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

type lifecycleWorker struct {
	river.WorkerDefaults[lifecycleArgs]
	e *Engine
}

func (w *lifecycleWorker) Work(ctx context.Context, job *river.Job[lifecycleArgs]) error {
	return w.e.runLifecycle(ctx)
}

// KickLifecycle runs the lifecycle job now instead of at its next
// interval: the daemon calls it when an environment's clock is shifted.
func (e *Engine) KickLifecycle(ctx context.Context) {
	if err := e.DB.InTx(ctx, func(tx *store.Tx) error { return e.jobs.insert(ctx, tx, lifecycleArgs{}, nil) }); err != nil {
		e.Logger.Warn("could not queue the lifecycle job", "error", err)
		return
	}
	e.jobs.wake(ctx)
}

const (
	// lifecyclePage is how many registrations a scan reads at a time.
	lifecyclePage = 500
	// lifecycleLead is how far ahead of expiry the scan looks: past the
	// month's notice, and the longest renewal window a registry may have.
	lifecycleLead = registrar.MaxRenewWindow
	// Expiry notices (ICANN ERRP): about a month and a week before,
	// and within five days after.
	noticeMonthLead = 30 * 24 * time.Hour
	noticeWeekLead  = 7 * 24 * time.Hour
	noticeAfterLag  = 5 * 24 * time.Hour
)

// lifecycleEnvs are the environments the lifecycle job runs in.
var lifecycleEnvs = []registrar.Env{registrar.EnvLive, registrar.EnvSandbox}

// runLifecycle runs one pass over every environment. An error with one
// registration is logged and the pass goes on; the first is returned at
// the end, so River retries the pass (each action is idempotent).
// A clock shifted while a pass runs kicks a job that uniqueness drops
// (the running one is that job), so the pass runs again, with the new
// time, whenever an environment's clock moved against the wall clock
// meanwhile.
func (e *Engine) runLifecycle(ctx context.Context) error {
	skews := func() map[registrar.Env]time.Duration {
		m := map[registrar.Env]time.Duration{}
		for _, env := range lifecycleEnvs {
			m[env] = time.Until(e.clock(env).Now()).Round(time.Second)
		}
		return m
	}
	for {
		before := skews()
		var first error
		for _, env := range lifecycleEnvs {
			if err := e.lifecycleEnv(ctx, env, &first); err != nil {
				return err
			}
		}
		if first != nil || maps.Equal(before, skews()) || ctx.Err() != nil {
			return first
		}
	}
}

func (e *Engine) lifecycleEnv(ctx context.Context, env registrar.Env, first *error) error {
	now := e.clock(env).Now()
	cache := map[string]*lifeTerms{}
	terms := func(domain string) *lifeTerms {
		ext := extensionOf(domain)
		t, ok := cache[ext]
		if !ok {
			if lt, err := e.terms(env, ext); err == nil {
				t = &lt
			}
			cache[ext] = t // nil: no longer routed, skipped
		}
		return t
	}
	scan := func(statuses []registrar.RegistrationStatus, before time.Time) error {
		var cur store.LifecycleCursor
		for {
			page, err := e.DB.ScanLifecycle(ctx, env, statuses, before, cur, lifecyclePage)
			if err != nil {
				return err
			}
			for i := range page {
				g := &page[i]
				t := terms(g.DomainName)
				if t == nil {
					continue
				}
				if err := e.lifecycleOne(ctx, now, g, t); err != nil {
					if ctx.Err() != nil {
						return err
					}
					e.Logger.Warn("lifecycle step failed", "env", env, "domain", g.DomainName, "status", g.Status, "error", err)
					if *first == nil {
						*first = err
					}
				}
			}
			if len(page) < lifecyclePage {
				return nil
			}
			last := page[len(page)-1]
			cur = store.LifecycleCursor{Expires: *last.ExpiresAt, Domain: last.DomainName}
		}
	}
	if err := scan([]registrar.RegistrationStatus{registrar.RegistrationActive, registrar.RegistrationExpired}, now.Add(lifecycleLead)); err != nil {
		return err
	}
	return scan([]registrar.RegistrationStatus{registrar.RegistrationRedemptionPeriod, registrar.RegistrationPendingDelete}, time.Time{})
}

// lifecycleOne does what is due for one registration as a scan saw it.
// Each action re-reads the registration in its transaction and does
// nothing when it has moved on.
func (e *Engine) lifecycleOne(ctx context.Context, now time.Time, g *store.LifecycleRegistration, t *lifeTerms) error {
	exp := *g.ExpiresAt
	switch g.Status {
	case registrar.RegistrationActive, registrar.RegistrationExpired:
		if g.Status == registrar.RegistrationActive && !now.Before(exp) {
			if err := e.expire(ctx, now, g); err != nil {
				return err
			}
			g.Status = registrar.RegistrationExpired
		}
		if g.AutoRenew && !exp.After(now.Add(t.lc.RenewWindow)) && now.Before(exp.Add(t.lc.Grace)) {
			if err := e.autoRenew(ctx, g); err != nil {
				return err
			}
		}
		if !g.AutoRenew {
			if err := e.notify(ctx, now, g); err != nil {
				return err
			}
		}
		if g.Status == registrar.RegistrationExpired && !now.Before(exp.Add(t.lc.Grace)) {
			return e.startExpiry(ctx, now, g, t)
		}
	case registrar.RegistrationRedemptionPeriod:
		if !now.Before(g.StatusSince.Add(t.lc.Redemption)) {
			return e.pendingDelete(ctx, now, g)
		}
	case registrar.RegistrationPendingDelete:
		if !now.Before(g.StatusSince.Add(t.lc.PendingDelete)) {
			return e.deleteForGood(ctx, now, g)
		}
	}
	return nil
}

// still re-reads the registration seen in a scan, in tx: nil when it has
// moved on (another status, another expiry, another holder).
func still(ctx context.Context, tx *store.Tx, seen *store.LifecycleRegistration) (*store.LifecycleRegistration, error) {
	g, err := tx.LifecycleRegistration(ctx, seen.Env, seen.DomainName)
	if registrar.IsKind(err, registrar.KindNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if g.Status != seen.Status || g.AccountID != seen.AccountID || g.ExpiresAt == nil || !g.ExpiresAt.Equal(*seen.ExpiresAt) {
		return nil, nil
	}
	return g, nil
}

// running reports whether the newest workflow of kind for g is running.
func running(ctx context.Context, tx *store.Tx, g *store.LifecycleRegistration, kind registrar.WorkflowKind) (*registrar.Workflow, bool, error) {
	wf, err := tx.LatestWorkflow(ctx, g.AccountID, g.Env, kind, g.DomainName)
	if registrar.IsKind(err, registrar.KindNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return wf, !wf.Completed(), nil
}

// expire marks an active registration past its expiry expired: no
// renewal succeeded in time.
func (e *Engine) expire(ctx context.Context, now time.Time, seen *store.LifecycleRegistration) error {
	return e.DB.InTx(ctx, func(tx *store.Tx) error {
		g, err := still(ctx, tx, seen)
		if g == nil || err != nil {
			return err
		}
		return setStatus(ctx, tx, &g.Registration, registrar.RegistrationExpired, now, registrar.EventExpired, "", "")
	})
}

// autoRenew starts the automatic renewal of the registration's current
// term, unless the term has a renewal already (the renewals row).
func (e *Engine) autoRenew(ctx context.Context, g *store.LifecycleRegistration) error {
	if has, err := e.DB.HasRenewal(ctx, g.Env, g.DomainName, *g.ExpiresAt); err != nil || has {
		return err
	}
	_, err := e.startRenewal(ctx, g.AccountID, g.Env, g.DomainName, 1, g.ExpiresAt, true)
	if registrar.IsKind(err, registrar.KindConflict) || registrar.IsKind(err, registrar.KindNotFound) {
		return nil // moved on meanwhile
	}
	return err
}

// noticeDue returns the expiry notice due at now for a term ending at
// exp, or "".
func noticeDue(now, exp time.Time) string {
	switch {
	case !now.Before(exp.Add(noticeAfterLag)):
		return ""
	case !now.Before(exp):
		return noticeAfter
	case !now.Before(exp.Add(-noticeWeekLead)):
		return noticeWeek
	case !now.Before(exp.Add(-noticeMonthLead)):
		return noticeMonth
	}
	return ""
}

// notify sends the expiry notice due for a registration without
// auto-renew, once per term: the expiry_notices row, the mail and the
// event commit together.
func (e *Engine) notify(ctx context.Context, now time.Time, seen *store.LifecycleRegistration) error {
	notice := noticeDue(now, *seen.ExpiresAt)
	if notice == "" {
		return nil
	}
	// Most passes find it sent: look without taking the writer.
	if sent, err := e.DB.NoticeSent(ctx, seen.Env, seen.DomainName, *seen.ExpiresAt, notice); err != nil || sent {
		return err
	}
	return e.DB.InTx(ctx, func(tx *store.Tx) error {
		g, err := still(ctx, tx, seen)
		if g == nil || err != nil || g.AutoRenew {
			return err
		}
		first, err := tx.ClaimNotice(ctx, g.Env, g.DomainName, *g.ExpiresAt, notice, now)
		if err != nil || !first {
			return err
		}
		to, err := e.registrantEmail(ctx, tx, &g.Registration)
		if err != nil {
			return err
		}
		if to != "" {
			exp := g.ExpiresAt.Format("2 January 2006 15:04 MST")
			subject, lead := g.DomainName+" expires on "+g.ExpiresAt.Format("2 January 2006"), fmt.Sprintf("Your registration of %s expires on %s", g.DomainName, exp)
			if notice == noticeAfter {
				subject, lead = g.DomainName+" has expired", fmt.Sprintf("Your registration of %s expired on %s", g.DomainName, exp)
			}
			if err := e.queueMail(ctx, tx, g.WorkflowID, registrar.Message{
				To: to, Subject: subject,
				Body: fmt.Sprintf("Hello,\n\n%s, and it does not renew automatically.\n\nTo renew it, run\n\n%s\n\n"+
					"or turn auto-renew on. An expired domain can be renewed at the normal price during its grace period; "+
					"after that only a restore, at a higher price, brings it back, and then it is released.\n",
					lead, e.renewHow(&g.Registration)),
			}); err != nil {
				return err
			}
		}
		return event(ctx, tx, &g.Registration, now, registrar.EventNotice, "", notice)
	})
}

// startExpiry starts the expiry workflow of a registration past its
// grace period, unless a renewal is running (it fails when it next runs)
// or the term's expiry has started already.
func (e *Engine) startExpiry(ctx context.Context, now time.Time, seen *store.LifecycleRegistration, t *lifeTerms) error {
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		g, err := still(ctx, tx, seen)
		if g == nil || err != nil {
			return err
		}
		if _, run, err := running(ctx, tx, g, registrar.WorkflowRenewal); err != nil || run {
			return err
		}
		prev, _, err := running(ctx, tx, g, registrar.WorkflowExpiry)
		if err != nil {
			return err
		}
		if prev != nil {
			if d, err := decode[expiryData](prev); err != nil || d.ExpiresAt.Equal(*g.ExpiresAt) {
				return err // this term's expiry is under way, or has ended
			}
		}
		wf := &registrar.Workflow{
			ID: registrar.NewID(), AccountID: g.AccountID, Env: g.Env, Kind: registrar.WorkflowExpiry, Domain: g.DomainName,
			State: registrar.StatePending, Step: stepDelete,
			Data:      mustJSON(expiryData{Extension: t.ext.Name, Model: t.lc.Model, ExpiresAt: *g.ExpiresAt}),
			CreatedAt: now, UpdatedAt: now, Deadline: now.Add(e.cfg.InProgressTimeout),
		}
		setContext(wf, registrar.StatusContext{})
		if err := tx.InsertWorkflow(ctx, wf); err != nil {
			return err
		}
		return e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: stepDelete}, nil)
	})
	if err == nil {
		e.jobs.wake(ctx)
	}
	return err
}

// pendingDelete ends a redemption period no restore is running in.
func (e *Engine) pendingDelete(ctx context.Context, now time.Time, seen *store.LifecycleRegistration) error {
	return e.DB.InTx(ctx, func(tx *store.Tx) error {
		g, err := still(ctx, tx, seen)
		if g == nil || err != nil {
			return err
		}
		if _, run, err := running(ctx, tx, g, registrar.WorkflowRestore); err != nil || run {
			return err
		}
		return setStatus(ctx, tx, &g.Registration, registrar.RegistrationPendingDelete, now, registrar.EventPendingDelete, "", "")
	})
}

// deleteForGood removes a registration at the end of its pending delete:
// the row goes, the account's domain slot is released and the domain's
// lifecycle records are forgotten; its history keeps the deleted event.
func (e *Engine) deleteForGood(ctx context.Context, now time.Time, seen *store.LifecycleRegistration) error {
	return e.DB.InTx(ctx, func(tx *store.Tx) error {
		g, err := still(ctx, tx, seen)
		if g == nil || err != nil {
			return err
		}
		if err := tx.DeleteRegistration(ctx, g.Env, g.DomainName, g.WorkflowID); err != nil {
			return err
		}
		if err := tx.ForgetDomain(ctx, g.Env, g.DomainName); err != nil {
			return err
		}
		g.Status = statusDeleted
		return event(ctx, tx, &g.Registration, now, registrar.EventDeleted, "", "released")
	})
}
