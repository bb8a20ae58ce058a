package workflows

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

func timeZero() time.Time { return time.Time{} }

// pollArgs is the job that drains registries' message queues. It runs
// every PollInterval only while some workflow awaits a registry's review:
// the step that starts the wait queues it, and it snoozes itself while a
// workflow still waits. Otherwise a periodic run every pollIdleFactor
// PollIntervals drains messages nobody waits for, and catches a wait whose
// job was lost: one that began while a run was ending (the job being
// unique while running, its insert was skipped) or a crash; River
// runs periodic jobs on the elected leader only, and the job is unique
// while queued, so there is one poller however many replicas run.
type pollArgs struct{}

// pollIdleFactor sets the periodic registry poll's interval: this many
// PollIntervals (a minute with the default).
const pollIdleFactor = 30

func (pollArgs) Kind() string { return "registry_poll" }

// InsertOpts makes poll runs unique while one is waiting, so a slow drain
// does not pile up runs.
func (pollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// uniqueStates are the job states in which a periodic job counts as already
// queued (River requires at least pending, scheduled, available, running).
var uniqueStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled}

type pollWorker struct {
	river.WorkerDefaults[pollArgs]
	e *Engine
}

// maxMessagesPerPoll bounds one run, to stay well inside the job timeout.
const maxMessagesPerPoll = 200

// Work drains each registry's queue, then snoozes for PollInterval while
// some workflow still awaits a registry's review.
func (w *pollWorker) Work(ctx context.Context, job *river.Job[pollArgs]) error {
	if err := w.drain(ctx); err != nil {
		return err
	}
	var awaiting bool
	if err := w.e.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		awaiting, err = tx.AwaitingRegistry(ctx)
		return err
	}); err != nil {
		return err
	}
	if awaiting {
		return river.JobSnooze(w.e.cfg.PollInterval)
	}
	return nil
}

// drain drains each registry's queue. A message is acknowledged only after
// its outcome is stored; a crash in between brings it back, and handling it
// again changes nothing.
func (w *pollWorker) drain(ctx context.Context) error {
	for _, reg := range w.e.Registries.All() {
		for range maxMessagesPerPoll {
			msg, err := reg.Poll(ctx)
			if err != nil {
				if registrar.IsKind(err, registrar.KindUnavailable) {
					break // try again on the next run
				}
				return err
			}
			if msg == nil {
				break
			}
			if err := w.e.handlePollMessage(ctx, reg, msg); err != nil {
				return err
			}
			if err := reg.Ack(ctx, msg.ID); err != nil && !registrar.IsKind(err, registrar.KindNotFound) {
				return err
			}
		}
	}
	return nil
}

// handlePollMessage settles the workflow waiting on a pending action.
func (e *Engine) handlePollMessage(ctx context.Context, reg registrar.Registry, msg *registrar.PollMessage) error {
	if msg.Transfer != nil {
		return e.handleTransferMessage(ctx, reg, msg)
	}
	var wf *registrar.Workflow
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		wf, err = tx.WorkflowByRegistryTRID(ctx, msg.TransactionID)
		return err
	})
	if registrar.IsKind(err, registrar.KindNotFound) {
		e.Logger.Info("registry message matches no waiting workflow", "message_id", msg.ID, "domain", msg.Domain, "cltrid", msg.TransactionID)
		return nil
	}
	if err != nil {
		return err
	}
	if wf.State != registrar.StateBlocked || wf.Step != stepAwaitCreate {
		return nil
	}
	d, err := decode[registrationData](wf)
	if err != nil {
		return err
	}
	var t transition
	if msg.Success {
		var created, expires time.Time
		if info, err := reg.Info(ctx, wf.Domain); err == nil {
			created, expires = info.CreatedAt, info.ExpiresAt
			if _, ext, err := e.registry(wf, &d); err == nil {
				d.NameserversSet = e.createdNameservers(ctx, reg, ext, wf, &d, info.Nameservers)
			}
		}
		t = e.succeed(wf, &d, created, expires)
	} else {
		reason := msg.Message
		if reason == "" {
			reason = "no reason given"
		}
		t = e.fail(wf, registrar.CodeRegistryRejected, "the registry rejected the registration after review: "+reason)
	}
	wf.Data = mustJSON(d)
	_, err = e.commit(ctx, nil, wf, t)
	return err
}

// sweepArgs is the periodic job that ends overdue workflows, so that no
// workflow stays non-terminal forever.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "workflow_sweep" }

func (sweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	e *Engine
}

// Work fails every workflow past its deadline.
func (w *sweepWorker) Work(ctx context.Context, job *river.Job[sweepArgs]) error {
	return w.e.Sweep(ctx)
}

// Sweep fails every non-terminal workflow whose deadline has passed on
// its environment's clock (deadlines are set on it, and a shifted sandbox
// clock runs ahead of the wall clock): action_required ones with
// action_expired, others with deadline_exceeded.
func (e *Engine) Sweep(ctx context.Context) error {
	for _, env := range []registrar.Env{registrar.EnvLive, registrar.EnvSandbox} {
		if err := e.sweep(ctx, env); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) sweep(ctx context.Context, env registrar.Env) error {
	for {
		var overdue []*registrar.Workflow
		err := e.DB.InTx(ctx, func(tx *store.Tx) error {
			var err error
			overdue, err = tx.OverdueWorkflows(ctx, env, e.clock(env).Now(), 100)
			return err
		})
		if err != nil || len(overdue) == 0 {
			return err
		}
		for _, wf := range overdue {
			code, msg := registrar.CodeDeadlineExceeded, fmt.Sprintf("the workflow did not finish in time (it was %s)", wf.State)
			if wf.State == registrar.StateActionRequired {
				code, msg = registrar.CodeActionExpired, "the required action was not taken before it expired"
			}
			if wf.Kind == registrar.WorkflowRegistration {
				if d, err := decode[registrationData](wf); err == nil && d.CreateAttempts > 0 {
					e.Logger.Warn("registration failed by deadline after a create was sent: the registry may hold the domain for us; reconcile by hand",
						"workflow_id", wf.ID, "domain", wf.Domain, "cltrid", d.CreateTRID)
				}
			}
			if _, err := e.commit(ctx, nil, wf, e.fail(wf, code, msg)); err != nil {
				return err
			}
		}
		if len(overdue) < 100 {
			return nil
		}
	}
}

// mailArgs is the job that delivers one outbox message over SMTP.
type mailArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

func (mailArgs) Kind() string { return "send_email" }

type mailWorker struct {
	river.WorkerDefaults[mailArgs]
	e *Engine
}

// queueMail records msg in the outbox within tx, and queues its delivery
// when a mailer is configured; delivery redacts the message's secret from
// the outbox. Without a mailer the outbox is the recipient's inbox, the
// one clear copy of the secret.
func (e *Engine) queueMail(ctx context.Context, tx *store.Tx, workflowID string, msg registrar.Message) error {
	if e.Mailer == nil {
		msg.Secret = ""
	}
	id, err := tx.InsertOutbox(ctx, workflowID, msg, e.Clock.Now())
	if err != nil {
		return err
	}
	if e.Mailer == nil {
		return nil
	}
	return e.jobs.insert(ctx, tx, mailArgs{OutboxID: id}, nil)
}

// Work sends one message. River retries failures with backoff; each
// attempt is recorded on the outbox row.
func (w *mailWorker) Work(ctx context.Context, job *river.Job[mailArgs]) error {
	e := w.e
	var m store.OutboxMessage
	if err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		m, err = tx.OutboxMessage(ctx, job.Args.OutboxID)
		return err
	}); err != nil {
		return err
	}
	if m.SentAt != nil {
		return nil
	}
	sendErr := e.Mailer.Send(ctx, registrar.Message{To: m.To, Subject: m.Subject, Body: m.Body})
	errMsg := ""
	if sendErr != nil {
		errMsg = sendErr.Error()
	}
	if err := e.DB.InTx(ctx, func(tx *store.Tx) error { return tx.MarkOutboxSent(ctx, m.ID, e.Clock.Now(), errMsg) }); err != nil {
		return err
	}
	return sendErr
}
