package workflows

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river/rivertype"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// TestStepWorkerFailures covers the step jobs that cannot make a
// transition: River cancels the ones that can never run, and retries the
// others with the workflow left as it was.
func TestStepWorkerFailures(t *testing.T) {
	t.Parallel()
	type result int
	const (
		retried result = iota
		cancelled
		done // nothing to do
	)
	on := true
	cases := []struct {
		name string
		// setup returns the workflow whose job runs next.
		setup func(b *bundle) string
		want  result
		state string   // the workflow's stored state/step afterwards
		calls []string // registry calls after setup
	}{
		{
			name: "a job for a workflow that does not exist is cancelled",
			setup: func(b *bundle) string {
				if err := b.db.InTx(b.ctx, func(tx *store.Tx) error {
					return b.jobs.insert(b.ctx, tx, stepArgs{WorkflowID: "gone", Step: stepStart}, nil)
				}); err != nil {
					b.t.Fatal(err)
				}
				return ""
			},
			want: cancelled,
		},
		{
			name: "an unknown registration step is cancelled",
			setup: func(b *bundle) string {
				wf := b.register(registrar.EnvLive, domain, "ada@example.com")
				b.exec(`UPDATE workflows SET step = 'renew' WHERE id = ?`, wf.ID)
				return wf.ID
			},
			want: cancelled, state: "pending/renew",
		},
		{
			name: "an unknown update step is cancelled",
			setup: func(b *bundle) string {
				b.succeedRegistration(registrar.EnvLive, domain)
				b.reg.calls = nil
				wf, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{AutoRenew: &on})
				if err != nil {
					b.t.Fatal(err)
				}
				b.exec(`UPDATE workflows SET step = 'transfer' WHERE id = ?`, wf.ID)
				return wf.ID
			},
			want: cancelled, state: "pending/transfer",
		},
		{
			name: "unreadable private data is retried",
			setup: func(b *bundle) string {
				wf := b.register(registrar.EnvLive, domain, "ada@example.com")
				b.exec(`UPDATE workflows SET data = 'null' || data WHERE id = ?`, wf.ID)
				return wf.ID
			},
			want: retried, state: "pending/start",
		},
		{
			name: "a job for a workflow waiting for its user does nothing",
			setup: func(b *bundle) string {
				b.reg.on("check", available(domain))
				wf := b.register(registrar.EnvLive, domain, "verify.ada@example.com")
				b.step()
				b.reg.calls = nil
				if err := b.db.InTx(b.ctx, func(tx *store.Tx) error {
					return b.jobs.insert(b.ctx, tx, stepArgs{WorkflowID: wf.ID, Step: stepCreate}, nil)
				}); err != nil {
					b.t.Fatal(err)
				}
				return wf.ID
			},
			want: done, state: "action_required/verify_email",
		},
		{
			name: "check: extension no longer served",
			setup: func(b *bundle) string {
				wf := b.register(registrar.EnvLive, domain, "ada@example.com")
				b.router.remove(registrar.EnvLive, "com")
				return wf.ID
			},
			want: retried, state: "pending/start",
		},
		{
			name: "create: extension no longer served",
			setup: func(b *bundle) string {
				b.reg.on("check", available(domain)).on("create", answer{err: errUnreachable})
				wf := b.register(registrar.EnvLive, domain, "ada@example.com")
				b.step()
				b.reg.calls = nil
				b.router.remove(registrar.EnvLive, "com")
				return wf.ID
			},
			want: retried, state: "blocked/create",
		},
		{
			name: "await_create: extension no longer served",
			setup: func(b *bundle) string {
				wf := b.awaitingReview()
				b.reg.calls = nil
				b.router.remove(registrar.EnvLive, "com")
				return wf.ID
			},
			want: retried, state: "blocked/await_create",
		},
		{
			name: "check answering for two names is retried",
			setup: func(b *bundle) string {
				a := available(domain)
				a.avail = append(a.avail, registrar.Availability{Name: "other.com", Available: true})
				b.reg.on("check", a)
				return b.register(registrar.EnvLive, domain, "ada@example.com").ID
			},
			want: retried, state: "pending/start", calls: []string{"Check example.com"},
		},
		{
			name: "check failing unexpectedly is retried",
			setup: func(b *bundle) string {
				b.reg.on("check", answer{err: errors.New("EOF")})
				return b.register(registrar.EnvLive, domain, "ada@example.com").ID
			},
			want: retried, state: "pending/start", calls: []string{"Check example.com"},
		},
		{
			name: "info failing unexpectedly after an unknown create is retried, with no create",
			setup: func(b *bundle) string {
				b.reg.on("check", available(domain)).on("create", answer{err: errUnreachable}).on("info", answer{err: errInternal})
				wf := b.register(registrar.EnvLive, domain, "ada@example.com")
				b.step()
				b.reg.calls = nil
				return wf.ID
			},
			want: retried, state: "blocked/create", calls: []string{"Info example.com"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			id := c.setup(b)
			var before []string
			if id != "" {
				before = b.history(id)
			}
			err := b.runStep()
			var cancel *rivertype.JobCancelError
			switch c.want {
			case cancelled:
				if !errors.As(err, &cancel) {
					t.Errorf("job error %v, want it cancelled", err)
				}
			case retried:
				if err == nil || errors.As(err, &cancel) {
					t.Errorf("job error %v, want one River retries", err)
				}
			case done:
				if err != nil {
					t.Errorf("job error %v, want none", err)
				}
			}
			if id != "" {
				if diff := cmp.Diff(before, b.history(id)); diff != "" {
					t.Errorf("the job stored a transition (-before +after):\n%s", diff)
				}
				var state, step string
				if err := b.db.SQLite().QueryRowContext(b.ctx, `SELECT state, step FROM workflows WHERE id = ?`, id).Scan(&state, &step); err != nil {
					t.Fatal(err)
				}
				if state+"/"+step != c.state {
					t.Errorf("workflow %s/%s, want %s", state, step, c.state)
				}
			}
			if diff := cmp.Diff(c.calls, b.reg.Calls()); diff != "" {
				t.Errorf("registry calls (-want +got):\n%s", diff)
			}
		})
	}
}

func (b *bundle) exec(query string, args ...any) {
	b.t.Helper()
	if _, err := b.db.SQLite().ExecContext(b.ctx, query, args...); err != nil {
		b.t.Fatal(err)
	}
}

// A step whose workflow changed while it called the registry drops its
// transition: here the sweeper failed the workflow while its create was in
// flight (and another account may have claimed the name since), and the
// create's success is not stored over the failure.
func TestLostRaceDropsTransition(t *testing.T) {
	t.Parallel()
	for _, reclaimed := range []bool{false, true} {
		name := "failed meanwhile"
		if reclaimed {
			name = "failed and the name claimed by another account meanwhile"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			wf := b.register(registrar.EnvLive, domain, "ada@example.com")
			var other *registrar.Workflow
			c := created
			c.before = func() {
				b.clock.Advance(time.Hour + time.Second)
				b.sweep()
				if reclaimed {
					var err error
					other, err = b.e.StartRegistration(b.ctx, b.otherAccount(), registrar.EnvLive, registrar.RegistrationRequest{DomainName: domain, Extension: "com"})
					if err != nil {
						b.t.Fatal(err)
					}
				}
			}
			b.reg.on("check", available(domain)).on("create", c)
			b.step() // no error: River completes the job, nothing is retried
			got := b.workflow(wf.ID)
			if got.State != registrar.StateFailed || got.ErrorCode != registrar.CodeDeadlineExceeded {
				t.Errorf("workflow %s %s, want the sweeper's failure kept", got.State, got.ErrorCode)
			}
			if diff := cmp.Diff([]string{"pending/start", "in_progress/create", "failed/create"}, b.history(wf.ID)); diff != "" {
				t.Errorf("stored states (-want +got):\n%s", diff)
			}
			g := b.registration(registrar.EnvLive, domain)
			switch {
			case len(b.charges()) != 0:
				t.Errorf("charged %+v for a dropped success", b.charges())
			case !reclaimed && g != nil:
				t.Errorf("registration %+v kept for a failed workflow", g)
			case reclaimed && (g == nil || g.WorkflowID != other.ID || g.Status != registrar.RegistrationPending):
				t.Errorf("the other account's claim became %+v", g)
			}
			want := 0
			if reclaimed {
				want = 1 // the other account's check
			}
			if q := b.queuedSteps(); len(q) != want {
				t.Errorf("jobs queued: %+v, want %d", q, want)
			}
		})
	}
}

// When a retried create finds its workflow changed while the info was in
// flight, it sends no create at all.
func TestStaleRetrySendsNoCreate(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	wf := b.register(registrar.EnvLive, domain, "ada@example.com")
	b.reg.on("check", available(domain)).on("create", answer{err: errInternal})
	b.stepFails()
	b.reg.on("info", answer{err: errNotFound, before: func() {
		b.clock.Advance(time.Hour + time.Second)
		b.sweep()
	}})
	if err := b.runStep(); err != nil {
		t.Fatalf("the stale step failed its job: %v", err)
	}
	if diff := cmp.Diff([]string{"Check example.com", "Create example.com #1", "Info example.com"}, b.reg.Calls()); diff != "" {
		t.Errorf("registry calls (-want +got):\n%s", diff)
	}
	if got := b.workflow(wf.ID); got.State != registrar.StateFailed || b.data(wf.ID).CreateAttempts != 1 {
		t.Errorf("workflow %s with %d attempts, want failed with 1", got.State, b.data(wf.ID).CreateAttempts)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	if _, err := New(Deps{DB: db, Registries: &fakeRouter{}}, Config{JobTimeout: time.Minute, RescueAfter: time.Minute}); err == nil {
		t.Error("a rescue delay no longer than the job timeout was accepted")
	}
	e, err := New(Deps{DB: db, Registries: &fakeRouter{}}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{MaxDomains: 100, InProgressTimeout: time.Hour, BlockedTimeout: 7 * day, TransferTimeout: 10 * day, ActionTimeout: 15 * day,
		JobTimeout: 30 * time.Second, RescueAfter: time.Minute, RetryMin: time.Second, RetryMax: time.Minute,
		PendingRecheck: time.Minute, PollInterval: 2 * time.Second, SweepInterval: 30 * time.Second, Workers: 50,
		MaxInFlight: 20, LifecycleInterval: time.Minute, ReconcileEvery: 24 * time.Hour, EventRetention: 30 * day, ReconcileRate: ReconcileRateDefault, fetchPoll: time.Second,
		WebhookTimeout: 10 * time.Second, WebhookDisableAfter: 5 * day, WebhookOverlap: 24 * time.Hour, WebhookDispatchInterval: time.Second, webhookRetryBase: 5 * time.Second,
		Policies: map[registrar.Env]registrar.Policy{
			registrar.EnvSandbox: {Verify: registrar.VerifyScenario},
			registrar.EnvLive:    {Verify: registrar.VerifyNewAddresses, Billed: true},
		}}
	if diff := cmp.Diff(want, e.cfg, cmp.AllowUnexported(Config{})); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if _, ok := e.Clock.(registrar.SystemClock); !ok || e.Logger == nil {
		t.Errorf("clock %T, logger %v", e.Clock, e.Logger)
	}
}

// recordHandler keeps the messages of the records it handles.
type recordHandler struct {
	msgs  *[]string
	attrs []slog.Attr
	group string
}

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	s := h.group + r.Message
	for _, a := range h.attrs {
		s += " " + a.String()
	}
	*h.msgs = append(*h.msgs, s)
	return nil
}
func (h recordHandler) WithAttrs(a []slog.Attr) slog.Handler {
	h.attrs = append(append([]slog.Attr(nil), h.attrs...), a...)
	return h
}
func (h recordHandler) WithGroup(g string) slog.Handler { h.group += g + "."; return h }

func TestMinLevel(t *testing.T) {
	t.Parallel()
	var msgs []string
	log := slog.New(minLevel{recordHandler{msgs: &msgs}, slog.LevelWarn})
	log.Info("dropped")
	log.Warn("kept")
	log.With("component", "river").Info("dropped too")
	log.With("component", "river").Warn("kept with attrs")
	log.WithGroup("g").Debug("dropped in a group")
	log.WithGroup("g").Error("kept in a group")
	want := []string{"kept", "kept with attrs component=river", "g.kept in a group"}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n        int
		min, max time.Duration
		lo, hi   time.Duration
	}{
		{1, time.Second, time.Minute, 750 * time.Millisecond, 1250 * time.Millisecond},
		{2, time.Second, time.Minute, 1500 * time.Millisecond, 2500 * time.Millisecond},
		{4, time.Second, time.Minute, 6 * time.Second, 10 * time.Second},
		{7, time.Second, time.Minute, 48 * time.Second, time.Minute}, // 64s with jitter, capped
		{50, time.Second, time.Minute, 45 * time.Second, time.Minute},
		{3, time.Minute, 10 * time.Minute, 3 * time.Minute, 5 * time.Minute},
	}
	for _, c := range cases {
		for range 200 {
			if d := backoff(c.n, c.min, c.max); d < c.lo || d > c.hi {
				t.Fatalf("backoff(%d, %s, %s) = %s, want %s to %s", c.n, c.min, c.max, d, c.lo, c.hi)
			}
		}
	}
}

func TestScheduleAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) { // time stands still: the delay is exact
		if o := scheduleAfter(0); o != nil {
			t.Errorf("no delay scheduled at %v: River would wait for its scheduler", o.ScheduledAt)
		}
		if d := time.Until(scheduleAfter(time.Minute).ScheduledAt); d != time.Minute {
			t.Errorf("a minute's delay is due in %s", d)
		}
	})
}

func TestNewAuthInfo(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		a := newAuthInfo()
		// RFC 5731 allows 6 to 64 characters; registries want mixed classes.
		if len(a) != 23 || !strings.HasSuffix(a, "-9a") || seen[a] {
			t.Fatalf("auth code %q (seen before: %v)", a, seen[a])
		}
		seen[a] = true
	}
}

// The periodic jobs are unique while one is queued or running, so a slow
// run does not pile up more.
func TestPeriodicJobsAreUnique(t *testing.T) {
	t.Parallel()
	for _, o := range []struct {
		kind string
		opts func() (bool, []rivertype.JobState)
	}{
		{"poll", func() (bool, []rivertype.JobState) {
			u := pollArgs{}.InsertOpts().UniqueOpts
			return u.ByArgs, u.ByState
		}},
		{"sweep", func() (bool, []rivertype.JobState) {
			u := sweepArgs{}.InsertOpts().UniqueOpts
			return u.ByArgs, u.ByState
		}},
	} {
		byArgs, states := o.opts()
		has := map[rivertype.JobState]bool{}
		for _, s := range states {
			has[s] = true
		}
		if !byArgs || !has[rivertype.JobStateRunning] || !has[rivertype.JobStateAvailable] || !has[rivertype.JobStateScheduled] || !has[rivertype.JobStatePending] {
			t.Errorf("%s: unique by args %v in %v", o.kind, byArgs, states)
		}
	}
}

// Stopping the engine with a step still waiting on the registry cancels
// the step once the stop's patience runs out; the step stores what it
// knows (the create's outcome is unknown: blocked) and its retry is
// queued. This runs the real River client.
func TestStopCancelsAStepInFlight(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	reg := newFakeRegistry(t)
	router := &fakeRouter{}
	router.add(registrar.EnvLive, testExt, reg)
	cfg := testConfig()
	cfg.PollInterval, cfg.SweepInterval = time.Hour, time.Hour
	e, err := New(Deps{DB: db, Registries: router, Clock: &fixedClock{now: t0}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sent := make(chan struct{})
	reg.on("check", available(domain)).on("create", answer{hang: true, before: func() { close(sent) }})
	ctx := t.Context()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	acct, _, err := db.CreateAccount(ctx, "ada", contact("ada@example.com"), t0)
	if err != nil {
		t.Fatal(err)
	}
	wf, err := e.StartRegistration(ctx, registrar.Principal{AccountID: acct.ID}, registrar.EnvLive, registrar.RegistrationRequest{DomainName: domain, Extension: "com"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-sent:
	case <-time.After(20 * time.Second):
		t.Fatal("the create was never sent")
	}
	stopCtx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := e.Stop(stopCtx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	got, err := db.WorkflowByID(ctx, wf.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := statusContext(t, got)
	if got.State != registrar.StateBlocked || got.Step != stepCreate || c.BlockedReason != "the registry did not answer in time; checking" {
		t.Errorf("after a cancelled create: %s/%s %q, want blocked/create, outcome unknown", got.State, got.Step, c.BlockedReason)
	}
	var queued int
	if err := db.SQLite().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'workflow_step' AND state = 'scheduled'`).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued != 1 {
		t.Errorf("%d retries scheduled, want one", queued)
	}
	calls := slices.DeleteFunc(reg.Calls(), func(c string) bool { return c == "Poll" }) // the periodic poll runs on start
	if diff := cmp.Diff([]string{"Check example.com", "Create example.com #1"}, calls); diff != "" {
		t.Errorf("registry calls (-want +got):\n%s", diff)
	}
}

// The poll message and the step's own info re-check may settle a pending
// create at the same time: one success is stored, and one charge.
func TestPollAndRecheckRace(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	wf := b.awaitingReview()
	recheck := infoOurs
	recheck.before = func() { // the poller gets there first
		b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: domain, Success: true, TransactionID: b.data(wf.ID).CreateTRID})
		if err := b.poll(); err != nil {
			t.Error(err)
		}
	}
	b.reg.on("info", recheck, infoOurs)
	b.step()
	if diff := cmp.Diff([]string{"pending/start", "in_progress/create", "blocked/await_create", "succeeded/await_create"}, b.history(wf.ID)); diff != "" {
		t.Errorf("stored states (-want +got):\n%s", diff)
	}
	if c := b.charges(); len(c) != 1 {
		t.Errorf("charges %+v, want one", c)
	}
	want := []string{"Check example.com", "Create example.com #1", "Info example.com", "Poll", "Info example.com", "Ack m1", "Poll"}
	if diff := cmp.Diff(want, b.reg.Calls()); diff != "" {
		t.Errorf("registry calls (-want +got):\n%s", diff)
	}
	if !b.logs.has("INFO workflow changed concurrently; dropping this transition") {
		t.Errorf("the re-check's transition was not dropped as a lost race: %q", b.logs.recs)
	}
}
