// Package workflows runs registrations and updates as durable workflows on
// the River job engine.
//
// A workflow's state lives in the workflows table. Each step runs as a
// River job; when a step ends, the workflow's new state, the job for the
// next step and the completion of the current job commit in one
// transaction, so a crash at any point either loses the whole step (and
// River runs it again) or none of it. Registry calls happen outside
// transactions; a create whose outcome is unknown is reconciled with an
// info before it is ever repeated.
package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/webhooks"
)

// Defaults of [Config]: a zero field takes its default.
const (
	MaxDomainsDefault        = 100
	InProgressTimeoutDefault = time.Hour
	BlockedTimeoutDefault    = 7 * 24 * time.Hour
	// ActionTimeoutDefault is ICANN's registrant-verification window.
	ActionTimeoutDefault     = 15 * 24 * time.Hour
	JobTimeoutDefault        = 30 * time.Second
	RescueAfterDefault       = time.Minute
	RetryMinDefault          = time.Second
	RetryMaxDefault          = time.Minute
	PendingRecheckDefault    = time.Minute
	PollIntervalDefault      = 2 * time.Second
	SweepIntervalDefault     = 30 * time.Second
	WorkersDefault           = 50
	LifecycleIntervalDefault = time.Minute
	ReconcileEveryDefault    = 24 * time.Hour
	// EventRetentionDefault keeps the event feed for 30 days.
	EventRetentionDefault = 720 * time.Hour
	// MaxInFlightDefault keeps one account's flood of registrations to
	// under half the default workers and the built-in registries' EPP
	// sessions, so others' registrations find both free.
	MaxInFlightDefault = 20
)

// Config tunes the engine. Zero values take the defaults in brackets (the
// *Default constants).
type Config struct {
	// MaxDomains is how many registrations an account may hold per
	// environment [100].
	MaxDomains int
	// InProgressTimeout bounds pending and in_progress [1h].
	InProgressTimeout time.Duration
	// BlockedTimeout is how long a workflow may stay blocked before it fails
	// with deadline_exceeded [7 days].
	BlockedTimeout time.Duration
	// TransferTimeout is how long a transfer may wait on the losing
	// registrar (and an outbound transfer past its act-by date) before it
	// fails with deadline_exceeded [10 days: past the registries' 5-day
	// window].
	TransferTimeout time.Duration
	// ActionTimeout is how long an action_required workflow waits for the
	// user before it fails with action_expired [15 days, ICANN's
	// registrant-verification window].
	ActionTimeout time.Duration
	// JobTimeout bounds one step [30s]; RescueAfter is when River rescues
	// the job of a crashed process [1m]; it must exceed JobTimeout.
	JobTimeout  time.Duration
	RescueAfter time.Duration
	// RetryMin and RetryMax bound the backoff between attempts while a
	// registry is unreachable [1s, 1m].
	RetryMin, RetryMax time.Duration
	// PendingRecheck is how often a pending registry action is re-checked
	// with an info, besides the poll messages that normally settle it [1m,
	// backing off to 10m].
	PendingRecheck time.Duration
	// PollInterval is how often registries' message queues are drained
	// while a workflow awaits a registry's review [2s]; otherwise they are
	// drained every 30 PollIntervals.
	PollInterval time.Duration
	// SweepInterval is how often overdue workflows are failed [30s].
	SweepInterval time.Duration
	// Workers is the number of concurrent steps [50].
	Workers int
	// MaxInFlight is how many registrations one account may have pending
	// or in progress per environment, holding or waiting for a worker and
	// a registry session [20]; over it a new one is refused with a rate
	// limit error and a retry delay. Negative: no cap.
	MaxInFlight int
	// LifecycleInterval is how often the lifecycle job looks for
	// registrations to renew, expire, notify or delete [1m];
	// KickLifecycle runs it at once.
	LifecycleInterval time.Duration
	// ReconcileEvery is the period within which every registration is
	// checked against its registry [24h], spread over it.
	ReconcileEvery time.Duration
	// ReconcileRate is how many infos a second reconciliation sends each
	// registry [5]; negative: no limit.
	ReconcileRate float64
	// EventRetention is how long the event feed keeps an event [720h];
	// an hourly job (on the elected leader) deletes older ones.
	EventRetention time.Duration
	// PublicURL is the base of links in email ("http://127.0.0.1:8080").
	PublicURL string
	// Policies is each environment's policy: verification rule and
	// billing. An environment left out gets its default: the sandbox's
	// scenario rule without billing, and for live the real rule with
	// billing (the daemon gives live the demo policy when no registries
	// are configured).
	Policies map[registrar.Env]registrar.Policy

	// WebhookAllowPrivate lets webhook endpoints be plain http and reach
	// loopback, private and link-local addresses (local development and
	// tests); WebhookTimeout bounds one delivery [10s]; an endpoint whose
	// deliveries all fail for WebhookDisableAfter is disabled [5 days]; a
	// rotated secret keeps signing for WebhookOverlap [24h]; the
	// dispatcher looks for new events every WebhookDispatchInterval [1s].
	WebhookAllowPrivate     bool
	WebhookTimeout          time.Duration
	WebhookDisableAfter     time.Duration
	WebhookOverlap          time.Duration
	WebhookDispatchInterval time.Duration

	// webhookRetryBase is the first webhook retry's delay [5s]; tests
	// shorten it.
	webhookRetryBase time.Duration
	// fetchPoll overrides River's fetch poll on SQLite [1s]; tests push
	// it out of reach to prove that wake alone gets steps run.
	fetchPoll time.Duration
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.MaxDomains == 0 {
		c.MaxDomains = MaxDomainsDefault
	}
	def(&c.InProgressTimeout, InProgressTimeoutDefault)
	def(&c.BlockedTimeout, BlockedTimeoutDefault)
	def(&c.ActionTimeout, ActionTimeoutDefault)
	def(&c.TransferTimeout, TransferTimeoutDefault)
	def(&c.JobTimeout, JobTimeoutDefault)
	def(&c.RescueAfter, RescueAfterDefault)
	def(&c.RetryMin, RetryMinDefault)
	def(&c.RetryMax, RetryMaxDefault)
	def(&c.PendingRecheck, PendingRecheckDefault)
	def(&c.PollInterval, PollIntervalDefault)
	def(&c.SweepInterval, SweepIntervalDefault)
	def(&c.LifecycleInterval, LifecycleIntervalDefault)
	def(&c.ReconcileEvery, ReconcileEveryDefault)
	def(&c.EventRetention, EventRetentionDefault)
	def(&c.fetchPoll, time.Second)
	def(&c.WebhookTimeout, WebhookTimeoutDefault)
	def(&c.WebhookDisableAfter, WebhookDisableAfterDefault)
	def(&c.WebhookOverlap, WebhookOverlapDefault)
	def(&c.WebhookDispatchInterval, WebhookDispatchIntervalDefault)
	def(&c.webhookRetryBase, webhookRetryBaseDefault)
	if c.ReconcileRate == 0 {
		c.ReconcileRate = ReconcileRateDefault
	}
	if c.Workers == 0 {
		c.Workers = WorkersDefault
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = MaxInFlightDefault
	}
	policies := map[registrar.Env]registrar.Policy{
		registrar.EnvSandbox: {Verify: registrar.VerifyScenario},
		registrar.EnvLive:    {Verify: registrar.VerifyNewAddresses, Billed: true},
	}
	for env, p := range c.Policies {
		policies[env] = p
	}
	c.Policies = policies
}

// clock returns the business clock of env.
func (e *Engine) clock(env registrar.Env) registrar.Clock {
	if c, ok := e.Clocks[env]; ok {
		return c
	}
	return e.Clock
}

// policy returns the policy of env.
func (e *Engine) policy(env registrar.Env) registrar.Policy { return e.cfg.Policies[env] }

// Deps are the engine's collaborators.
type Deps struct {
	DB         *store.DB
	Registries registrar.Registries
	// Clock is the business clock of every environment, unless Clocks
	// names one for it: the sandbox environment (and the live one in demo
	// mode) can run on a clock shifted ahead, so that a year of a domain's
	// life passes in seconds.
	Clock  registrar.Clock
	Clocks map[registrar.Env]registrar.Clock
	Logger *slog.Logger
	// Mailer delivers the outbox; nil keeps mail in the outbox only.
	Mailer registrar.Mailer
	// Observer is told of steps, transitions and webhook deliveries
	// (metrics); nil: none.
	Observer Observer
}

// Observer sees what the engine does, for metrics. Its methods must not
// block. Labels are bounded sets: workflow kinds, states and steps, and
// delivery outcomes.
type Observer interface {
	// Step: a workflow step ran for d (and its transition was stored).
	Step(kind, step string, d time.Duration)
	// Transition: a step moved a workflow to state.
	Transition(kind, state string)
	// WebhookDelivery: one delivery attempt ended: "delivered", "failed"
	// (the receiver answered an error, or could not be reached) or
	// "disabled" (the endpoint failed too long and was disabled).
	WebhookDelivery(outcome string)
	// JobStarted: a River job of kind started, latency after the time it
	// was scheduled for (the queue's wait, whatever the job).
	JobStarted(kind string, latency time.Duration)
}

type nopObserver struct{}

func (nopObserver) JobStarted(string, time.Duration) {}

// jobLatency is River worker middleware that tells the Observer how long
// each job waited between the time it was scheduled for and its start.
type jobLatency struct {
	river.MiddlewareDefaults
	observer Observer
}

func (m *jobLatency) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	if !job.AttemptedAt.IsZero() {
		m.observer.JobStarted(job.Kind, max(job.AttemptedAt.Sub(job.ScheduledAt), 0))
	}
	return doInner(ctx)
}

func (nopObserver) Step(string, string, time.Duration) {}
func (nopObserver) Transition(string, string)          {}
func (nopObserver) WebhookDelivery(string)             {}

// Engine runs workflows. It implements registrar.Workflows.
type Engine struct {
	Deps
	cfg        Config
	jobs       jobs
	reconciler reconcileState
	hooks      *webhooks.Client
}

var _ registrar.Workflows = (*Engine)(nil)

// New builds an engine on db's database; Start runs it.
func New(deps Deps, cfg Config) (*Engine, error) {
	cfg.setDefaults()
	if cfg.RescueAfter <= cfg.JobTimeout {
		return nil, fmt.Errorf("workflows: the rescue delay (%s) must exceed the job timeout (%s)", cfg.RescueAfter, cfg.JobTimeout)
	}
	if deps.Clock == nil {
		deps.Clock = registrar.SystemClock{}
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Observer == nil {
		deps.Observer = nopObserver{}
	}
	// River reports routine progress at info level; keep its warnings.
	riverLog := slog.New(minLevel{deps.Logger.Handler(), slog.LevelWarn}).With("component", "river")
	deps.Logger = deps.Logger.With("component", "workflows")
	e := &Engine{Deps: deps, cfg: cfg, hooks: webhooks.New(webhooks.Config{AllowPrivate: cfg.WebhookAllowPrivate, Timeout: cfg.WebhookTimeout})}

	workers := river.NewWorkers()
	river.AddWorker(workers, &stepWorker{e: e})
	river.AddWorker(workers, &pollWorker{e: e})
	river.AddWorker(workers, &sweepWorker{e: e})
	river.AddWorker(workers, &mailWorker{e: e})
	river.AddWorker(workers, &lifecycleWorker{e: e})
	river.AddWorker(workers, &reconcileWorker{e: e})
	river.AddWorker(workers, &pruneEventsWorker{e: e})
	river.AddWorker(workers, &dispatchWorker{e: e})
	river.AddWorker(workers, &webhookWorker{e: e})
	rc := &river.Config{
		Middleware:           []rivertype.Middleware{&jobLatency{observer: deps.Observer}},
		Logger:               riverLog,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		// A job inserted now is fetched at most this long after River hears
		// of it (the default, 100ms, was most of a registration's time).
		// 1 ms, not 5: a step queued shortly after the previous fetch
		// waited out the rest of the cooldown (SQLite, one registration
		// at a time: 5.6 ms with 5 ms, 4.0-4.4 ms with 1 ms). On PostgreSQL
		// River also sends no insert NOTIFY within the cooldown of the last
		// one, so a step queued sooner than that after the previous one
		// waited for the 1 s fetch poll (p99 0.8-1.1 s, one at a time, once
		// a registration took under 5 ms). Under load fetches still batch:
		// throughput did not change (docs/BENCHMARKS.md).
		FetchCooldown: time.Millisecond,
		Workers:       workers,
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(pollIdleFactor*cfg.PollInterval),
				func() (river.JobArgs, *river.InsertOpts) { return pollArgs{}, nil },
				&river.PeriodicJobOpts{ID: "registry_poll", RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(cfg.SweepInterval),
				func() (river.JobArgs, *river.InsertOpts) { return sweepArgs{}, nil },
				&river.PeriodicJobOpts{ID: "workflow_sweep", RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(cfg.LifecycleInterval),
				func() (river.JobArgs, *river.InsertOpts) { return lifecycleArgs{}, nil },
				&river.PeriodicJobOpts{ID: "registration_lifecycle", RunOnStart: true}),
			e.reconcileJob(),
			river.NewPeriodicJob(river.PeriodicInterval(pruneEventsInterval),
				func() (river.JobArgs, *river.InsertOpts) { return pruneEventsArgs{}, nil },
				&river.PeriodicJobOpts{ID: "event_prune", RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(cfg.WebhookDispatchInterval),
				func() (river.JobArgs, *river.InsertOpts) { return dispatchArgs{}, nil },
				&river.PeriodicJobOpts{ID: "webhook_dispatch", RunOnStart: true}),
		},
	}
	var err error
	if db := deps.DB.Pool(); db != nil {
		e.jobs, err = newRiverJobs(riverpgxv5.New(db), rc, (*store.Tx).PgxTx, river.JobCompleteTx[*riverpgxv5.Driver, pgx.Tx, stepArgs])
	} else {
		// Without River's polled listener; see wake.go.
		e.jobs, err = newSQLiteJobs(deps.DB.SQLite(), rc, cfg.fetchPoll)
	}
	if err != nil {
		return nil, fmt.Errorf("workflows: %w", err)
	}
	return e, nil
}

// Start starts working jobs.
func (e *Engine) Start(ctx context.Context) error { return e.jobs.start(ctx) }

// Stop waits for running steps to finish (up to ctx's deadline, then
// cancels them) and stops.
func (e *Engine) Stop(ctx context.Context) error { return e.jobs.stop(ctx) }

// jobs is River behind the one interface the engine needs, whichever
// database driver it runs on.
type jobs interface {
	insert(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error
	// wake makes the workers fetch at once jobs just committed, where the
	// database does not tell them (SQLite: see wake.go).
	wake(ctx context.Context)
	complete(ctx context.Context, tx *store.Tx, job *river.Job[stepArgs]) error
	start(ctx context.Context) error
	stop(ctx context.Context) error
}

type riverJobs[TTx any] struct {
	client     *river.Client[TTx]
	wakes      bool // no listener: wake inserts a wake-up job (wake.go)
	unwrap     func(*store.Tx) TTx
	completeTx func(context.Context, TTx, *river.Job[stepArgs]) (*river.Job[stepArgs], error)
}

func newRiverJobs[TTx any](driver riverdriver.Driver[TTx], cfg *river.Config, unwrap func(*store.Tx) TTx,
	completeTx func(context.Context, TTx, *river.Job[stepArgs]) (*river.Job[stepArgs], error)) (*riverJobs[TTx], error) {
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, err
	}
	return &riverJobs[TTx]{client: client, unwrap: unwrap, completeTx: completeTx}, nil
}

func (r *riverJobs[TTx]) insert(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := r.client.InsertTx(ctx, r.unwrap(tx), args, opts)
	return err
}

func (r *riverJobs[TTx]) complete(ctx context.Context, tx *store.Tx, job *river.Job[stepArgs]) error {
	_, err := r.completeTx(ctx, r.unwrap(tx), job)
	return err
}

func (r *riverJobs[TTx]) start(ctx context.Context) error { return r.client.Start(ctx) }

func (r *riverJobs[TTx]) stop(ctx context.Context) error {
	err := r.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// Out of patience: cancel the steps still running. Each is
		// transactional, so a cancelled step is simply run again later.
		return r.client.StopAndCancel(context.WithoutCancel(ctx))
	}
	return err
}

// riverAfter returns River's clock, for scheduling jobs. Business deadlines use
// the engine's Clock instead, which tests may shift days ahead; River
// compares scheduled_at with the wall clock.
func riverAfter(d time.Duration) time.Time { return time.Now().Add(d) }

// minLevel drops records below a level.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}
