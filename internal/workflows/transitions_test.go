package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
)

const domain = "example.com"

// transitionCase drives one registration through a transition of the state
// diagram in docs/ARCHITECTURE.md ("Registration states") and checks
// everything the transition stores and every registry call it made.
type transitionCase struct {
	name  string
	cfg   Config        // testConfig() unless set
	env   registrar.Env // live unless set
	email string        // the registrant's; ada@example.com unless set
	// script scripts the registry once the workflow exists.
	script func(b *bundle, id string)
	// drive runs jobs, the sweeper, the poller or the user's click.
	drive func(b *bundle, id string)
	want  outcome
	// check makes further assertions particular to the row.
	check func(b *bundle, id string)
}

type outcome struct {
	// path is every stored state of the workflow, "state/step", in order;
	// the last one is where it is now.
	path      []string
	code, msg string
	ctx       registrar.StatusContext // DomainName is filled in
	// deadline is the workflow's deadline as an offset from t0; 0 for none.
	deadline time.Duration
	// reg is the registration's status; "" when the row is gone (and with
	// it the account's domain slot).
	reg registrar.RegistrationStatus
	// charged: exactly one charge for the workflow, else none.
	charged bool
	mails   int // emails in the outbox
	calls   []string
	// next is the step job left queued ("" for none), due after a delay
	// between minDelay and maxDelay.
	next               string
	minDelay, maxDelay time.Duration
}

func blockedCtx(reason string) registrar.StatusContext {
	return registrar.Blocked(registrar.BlockedByRegistry, reason)
}

// activeCtx is the context of a succeeded registration of domain.
func activeCtx() registrar.StatusContext {
	exp := regExpires
	return registrar.StatusContext{Registration: &registrar.Registration{
		DomainName: domain, Status: registrar.RegistrationActive, CreatedAt: regCreated, ExpiresAt: &exp,
		Locked: true, PrivacyMode: registrar.PrivacyRedaction,
	}}
}

func verifyCtx() registrar.StatusContext {
	exp := t0.Add(15 * 24 * time.Hour)
	return registrar.StatusContext{Action: registrar.ActionRegistrantEmailConfirmationPending, ConfirmationSentTo: "v***@example.com", ActionExpiresAt: &exp}
}

const (
	day         = 24 * time.Hour
	retry1Min   = 750 * time.Millisecond // backoff(1, 1s, 1m) with jitter
	retry1Max   = 1250 * time.Millisecond
	recheck1Min = 45 * time.Second // backoff(1, 1m, 10m) with jitter
	recheck1Max = 75 * time.Second
)

// confirm opens the verification link of the newest email.
func (b *bundle) confirm() *registrar.Workflow {
	b.t.Helper()
	wf, err := b.e.ConfirmEmail(b.ctx, b.verificationCode())
	if err != nil {
		b.t.Fatalf("ConfirmEmail: %v", err)
	}
	return wf
}

// stepFails runs the next step job, which must fail (River retries it).
func (b *bundle) stepFails() {
	b.t.Helper()
	if err := b.runStep(); err == nil {
		b.t.Fatal("step job succeeded; want an error")
	}
}

// expectStored asserts the stored state of a workflow while a registry
// call is in flight: what a crash at that moment would leave.
func expectStored(b *bundle, id, stateStep string, attempts int) func() {
	return func() {
		b.t.Helper()
		wf := b.workflow(id)
		d := b.data(id)
		if got := string(wf.State) + "/" + wf.Step; got != stateStep || d.CreateAttempts != attempts {
			b.t.Errorf("stored while the call is in flight: %s with %d create attempts, want %s with %d", got, d.CreateAttempts, stateStep, attempts)
		}
	}
}

func TestRegistrationTransitions(t *testing.T) {
	t.Parallel()
	steps := func(n int) func(b *bundle, id string) {
		return func(b *bundle, id string) {
			for range n {
				b.step()
			}
		}
	}
	cases := []transitionCase{
		{
			name: "(none)→pending: POST claims the domain and queues the check",
			want: outcome{path: []string{"pending/start"}, deadline: time.Hour, reg: registrar.RegistrationPending, next: stepStart},
		},
		{
			name: "pending→in_progress: check available at standard price",
			env:  registrar.EnvSandbox,
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain))
				c := created
				c.before = expectStored(b, id, "in_progress/create", 1) // the attempt is stored before it is sent
				b.reg.on("create", c)
			},
			drive: steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "succeeded/create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: false, calls: []string{"Check example.com", "Create example.com #1"}},
		},
		{
			name:   "pending→action_required: registrant email verify…",
			email:  "verify.ada@example.com",
			script: func(b *bundle, id string) { b.reg.on("check", available(domain)) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "action_required/verify_email"}, ctx: verifyCtx(), deadline: 15 * day,
				reg: registrar.RegistrationPending, mails: 1, calls: []string{"Check example.com"}},
			check: func(b *bundle, id string) {
				m := b.outbox()[0]
				if m.To != "verify.ada@example.com" || m.WorkflowID != id || !strings.Contains(m.Subject, domain) {
					b.t.Errorf("verification mail: %+v", m)
				}
				if len(b.jobsOf(mailArgs{}.Kind(), "")) != 0 {
					b.t.Error("a delivery job was queued with no mailer configured")
				}
			},
		},
		{
			name:   "pending→failed: domain_unavailable (check)",
			script: func(b *bundle, id string) { b.reg.on("check", taken(domain, "In use")) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "failed/start"}, code: registrar.CodeDomainUnavailable,
				msg: "example.com is not available for registration (In use)", calls: []string{"Check example.com"}},
		},
		{
			name:   "pending→failed: domain_premium (check)",
			script: func(b *bundle, id string) { b.reg.on("check", premium(domain)) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "failed/start"}, code: registrar.CodeDomainPremium,
				msg: "example.com is a premium domain; premium domains cannot be registered through the API", calls: []string{"Check example.com"}},
		},
		{
			name:   "pending→failed: registry_rejected (check refused by policy)",
			script: func(b *bundle, id string) { b.reg.on("check", answer{err: errPolicy}) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "failed/start"}, code: registrar.CodeRegistryRejected,
				msg: "Parameter value policy error", calls: []string{"Check example.com"}},
		},
		{
			name:   "pending→failed: registry_rejected (check invalid)",
			script: func(b *bundle, id string) { b.reg.on("check", answer{err: errSyntax}) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "failed/start"}, code: registrar.CodeRegistryRejected,
				msg: "Parameter value syntax error", calls: []string{"Check example.com"}},
		},
		{
			name:   "pending→blocked: check unreachable",
			script: func(b *bundle, id string) { b.reg.on("check", answer{err: errUnreachable}) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "blocked/start"}, ctx: blockedCtx("the registry is unreachable; retrying"),
				deadline: 7 * day, reg: registrar.RegistrationPending, calls: []string{"Check example.com"},
				next: stepStart, minDelay: retry1Min, maxDelay: retry1Max},
		},
		{
			name: "in_progress→blocked: create unreachable, outcome unknown",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errUnreachable})
			},
			drive: steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/create"}, ctx: blockedCtx("the registry is unreachable; retrying"),
				deadline: 7 * day, reg: registrar.RegistrationPending, calls: []string{"Check example.com", "Create example.com #1"},
				next: stepCreate, minDelay: retry1Min, maxDelay: retry1Max},
		},
		{
			name: "in_progress→blocked: create not answered in time",
			cfg:  shortJobs(),
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{hang: true})
			},
			drive: steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/create"}, ctx: blockedCtx("the registry did not answer in time; checking"),
				deadline: 7 * day, reg: registrar.RegistrationPending, calls: []string{"Check example.com", "Create example.com #1"},
				next: stepCreate, minDelay: retry1Min, maxDelay: retry1Max},
		},
		{
			name: "blocked→in_progress: retried check answers available",
			script: func(b *bundle, id string) {
				b.reg.on("check", answer{err: errUnreachable}, available(domain)).on("create", created)
			},
			drive: steps(2),
			want: outcome{path: []string{"pending/start", "blocked/start", "in_progress/create", "succeeded/create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true, calls: []string{"Check example.com", "Check example.com", "Create example.com #1"}},
			check: func(b *bundle, id string) {
				if d := b.data(id); d.Retries != 0 || d.BlockedSince != nil {
					b.t.Errorf("back in progress, the blocked bookkeeping stays: retries %d, blocked since %v", d.Retries, d.BlockedSince)
				}
			},
		},
		{
			name: "blocked→failed: retried check answers taken",
			script: func(b *bundle, id string) {
				b.reg.on("check", answer{err: errUnreachable}, taken(domain, ""))
			},
			drive: steps(2),
			want: outcome{path: []string{"pending/start", "blocked/start", "failed/start"}, code: registrar.CodeDomainUnavailable,
				msg: "example.com is not available for registration", calls: []string{"Check example.com", "Check example.com"}},
		},
		{
			name: "blocked→succeeded: info after an unknown create shows it ours",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errUnreachable}).on("info", infoOurs)
			},
			drive: steps(2),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/create", "succeeded/create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true, calls: []string{"Check example.com", "Create example.com #1", "Info example.com"}},
		},
		{
			// The workflow stays blocked while the retried create is in
			// flight: its outcome decides, as for any retried step.
			name: "blocked→succeeded: info after an unknown create finds nothing, create again",
			script: func(b *bundle, id string) {
				c := created
				c.before = expectStored(b, id, "blocked/create", 2)
				b.reg.on("check", available(domain)).on("create", answer{err: errUnreachable}, c).on("info", answer{err: errNotFound})
			},
			drive: steps(2),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/create", "blocked/create", "succeeded/create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true,
				calls: []string{"Check example.com", "Create example.com #1", "Info example.com", "Create example.com #2"}},
		},
		{
			name: "blocked→failed: domain_unavailable, info after an unknown create shows another registrar's",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errUnreachable}).on("info", answer{info: registrar.DomainInfo{Sponsored: false}})
			},
			drive: steps(2),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/create", "failed/create"}, code: registrar.CodeDomainUnavailable,
				msg: "example.com is not available for registration", calls: []string{"Check example.com", "Create example.com #1", "Info example.com"}},
		},
		{
			name: "blocked→blocked: info after an unknown create unreachable too",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errUnreachable}).on("info", answer{err: errUnreachable})
			},
			drive: func(b *bundle, id string) {
				b.step()
				b.clock.Advance(time.Hour) // the blocked deadline runs from the first block
				b.step()
			},
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/create", "blocked/create"}, ctx: blockedCtx("the registry is unreachable; retrying"),
				deadline: 7 * day, reg: registrar.RegistrationPending, calls: []string{"Check example.com", "Create example.com #1", "Info example.com"},
				next: stepCreate, minDelay: 2 * retry1Min, maxDelay: 2 * retry1Max},
		},
		{
			name:  "action_required→in_progress: verification link opened (then create 1000)",
			email: "verify.ada@example.com",
			script: func(b *bundle, id string) {
				c := created
				c.before = expectStored(b, id, "in_progress/create", 1)
				b.reg.on("check", available(domain)).on("create", c)
			},
			drive: func(b *bundle, id string) {
				b.step()
				b.clock.Advance(day)
				if wf := b.confirm(); wf.State != registrar.StateInProgress || wf.Step != stepCreate {
					b.t.Errorf("ConfirmEmail returned %s/%s, want in_progress/create", wf.State, wf.Step)
				}
				if wf := b.workflow(id); !wf.Deadline.Equal(t0.Add(day + time.Hour)) {
					b.t.Errorf("in progress after the click: deadline %v, want an hour after it", wf.Deadline)
				}
				b.step()
			},
			want: outcome{path: []string{"pending/start", "action_required/verify_email", "in_progress/create", "in_progress/create", "succeeded/create"},
				ctx: activeCtx(), reg: registrar.RegistrationActive, charged: true, mails: 1, calls: []string{"Check example.com", "Create example.com #1"}},
		},
		{
			name:   "in_progress→succeeded: create 1000, registration active and charged once",
			script: func(b *bundle, id string) { b.reg.on("check", available(domain)).on("create", created) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "succeeded/create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true, calls: []string{"Check example.com", "Create example.com #1"}},
			check: func(b *bundle, id string) {
				c := b.charges()[0]
				if c.AmountCents != 1099 || c.Currency != "USD" || c.Years != 1 || c.Domain != domain || !c.CreatedAt.Equal(t0) {
					b.t.Errorf("charge %+v, want 1099 USD for one year of %s at t0", c, domain)
				}
				if d := b.data(id); d.CreateSvTRID != "SV-1" || d.CreateTRID != "OR-"+id[:16]+"-1" {
					b.t.Errorf("stored transaction IDs: client %q, server %q", d.CreateTRID, d.CreateSvTRID)
				}
			},
		},
		{
			name: "in_progress→succeeded: create 1000 slow but in time",
			script: func(b *bundle, id string) {
				slow := created
				slow.delay = 100 * time.Millisecond // the step may wait 22.5 s
				b.reg.on("check", available(domain)).on("create", slow)
			},
			drive: steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "succeeded/create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true, calls: []string{"Check example.com", "Create example.com #1"}},
		},
		{
			name: "in_progress→succeeded: create 2302 but info shows an earlier attempt ours",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errTaken}).on("info", infoOurs)
			},
			drive: steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "succeeded/create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true, calls: []string{"Check example.com", "Create example.com #1", "Info example.com"}},
		},
		{
			name:   "in_progress→blocked: create 1001 pending",
			script: func(b *bundle, id string) { b.reg.on("check", available(domain)).on("create", pending) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/await_create"}, ctx: blockedCtx("the registry is reviewing the registration"),
				deadline: 7 * day, reg: registrar.RegistrationPending, calls: []string{"Check example.com", "Create example.com #1"},
				next: stepAwaitCreate, minDelay: recheck1Min, maxDelay: recheck1Max},
			check: func(b *bundle, id string) {
				if wf := b.workflow(id); wf.RegistryTRID != "OR-"+id[:16]+"-1" {
					b.t.Errorf("awaiting the registry's review of %q, want the create's clTRID", wf.RegistryTRID)
				}
			},
		},
		{
			name: "blocked→succeeded: poll message paResult=1",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", pending).on("info", infoOurs)
			},
			drive: func(b *bundle, id string) {
				b.step()
				b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: domain, Success: true, TransactionID: b.data(id).CreateTRID})
				if err := b.poll(); err != nil {
					b.t.Fatal(err)
				}
				b.step() // the info re-check, now stale
			},
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/await_create", "succeeded/await_create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true,
				calls: []string{"Check example.com", "Create example.com #1", "Poll", "Info example.com", "Ack m1", "Poll"}},
		},
		{
			name:   "blocked→failed: registry_rejected by poll message paResult=0",
			script: func(b *bundle, id string) { b.reg.on("check", available(domain)).on("create", pending) },
			drive: func(b *bundle, id string) {
				b.step()
				b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: domain, Success: false, TransactionID: b.data(id).CreateTRID, Message: "Name reserved by policy"})
				if err := b.poll(); err != nil {
					b.t.Fatal(err)
				}
			},
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/await_create", "failed/await_create"}, code: registrar.CodeRegistryRejected,
				msg:   "the registry rejected the registration after review: Name reserved by policy",
				calls: []string{"Check example.com", "Create example.com #1", "Poll", "Ack m1", "Poll"}, next: stepAwaitCreate, minDelay: recheck1Min, maxDelay: recheck1Max},
		},
		{
			name: "blocked→succeeded: info re-check shows the pending create ours",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", pending).on("info", infoOurs)
			},
			drive: steps(2),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/await_create", "succeeded/await_create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true, calls: []string{"Check example.com", "Create example.com #1", "Info example.com"}},
		},
		{
			name: "blocked→failed: registry_rejected, info re-check finds the pending create gone",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", pending).on("info", answer{err: errNotFound})
			},
			drive: steps(2),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/await_create", "failed/await_create"}, code: registrar.CodeRegistryRejected,
				msg: "the registry rejected the registration after review", calls: []string{"Check example.com", "Create example.com #1", "Info example.com"}},
		},
		{
			name: "blocked→blocked: info re-check shows the create still pending",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", pending).on("info", answer{ours: true, info: registrar.DomainInfo{Pending: true}})
			},
			drive: steps(2),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/await_create", "blocked/await_create"},
				ctx: blockedCtx("the registry is reviewing the registration"), deadline: 7 * day, reg: registrar.RegistrationPending,
				calls: []string{"Check example.com", "Create example.com #1", "Info example.com"},
				next:  stepAwaitCreate, minDelay: 2 * recheck1Min, maxDelay: 2 * recheck1Max},
		},
		{
			name: "blocked→blocked: info re-check of a pending create unreachable",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", pending).on("info", answer{err: errUnreachable})
			},
			drive: steps(2),
			want: outcome{path: []string{"pending/start", "in_progress/create", "blocked/await_create", "blocked/await_create"},
				ctx: blockedCtx("the registry is unreachable; retrying"), deadline: 7 * day, reg: registrar.RegistrationPending,
				calls: []string{"Check example.com", "Create example.com #1", "Info example.com"},
				next:  stepAwaitCreate, minDelay: 2 * retry1Min, maxDelay: 2 * retry1Max},
		},
		{
			name: "in_progress→failed: domain_unavailable, create 2302 and info shows another's",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errTaken}).
					on("info", answer{info: registrar.DomainInfo{Sponsored: true, AuthInfo: "not-our-code"}})
			},
			drive: steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "failed/create"}, code: registrar.CodeDomainUnavailable,
				msg: "example.com is not available for registration", calls: []string{"Check example.com", "Create example.com #1", "Info example.com"}},
		},
		{
			name: "in_progress→failed: domain_unavailable, create 2302 and info finds nothing",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errTaken}).on("info", answer{err: errNotFound})
			},
			drive: steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "failed/create"}, code: registrar.CodeDomainUnavailable,
				msg: "example.com is not available for registration", calls: []string{"Check example.com", "Create example.com #1", "Info example.com"}},
		},
		{
			name:   "in_progress→failed: registry_rejected, create 2306",
			script: func(b *bundle, id string) { b.reg.on("check", available(domain)).on("create", answer{err: errPolicy}) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "failed/create"}, code: registrar.CodeRegistryRejected,
				msg: "the registry rejected the registration: Parameter value policy error", calls: []string{"Check example.com", "Create example.com #1"}},
		},
		{
			name:   "in_progress→failed: registry_rejected, create 2005",
			script: func(b *bundle, id string) { b.reg.on("check", available(domain)).on("create", answer{err: errSyntax}) },
			drive:  steps(1),
			want: outcome{path: []string{"pending/start", "in_progress/create", "failed/create"}, code: registrar.CodeRegistryRejected,
				msg: "the registry rejected the registration: Parameter value syntax error", calls: []string{"Check example.com", "Create example.com #1"}},
		},
		{
			name: "in_progress→succeeded: a create whose answer was never stored is reconciled with info",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errInternal}).on("info", infoOurs)
			},
			drive: func(b *bundle, id string) {
				b.stepFails() // the step dies after the registry acted: River retries the job
				b.step()
			},
			want: outcome{path: []string{"pending/start", "in_progress/create", "succeeded/create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true, calls: []string{"Check example.com", "Create example.com #1", "Info example.com"}},
		},
		{
			name: "in_progress→in_progress: a lost create the registry never saw is sent again after info",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errInternal}, created).on("info", answer{err: errNotFound})
			},
			drive: func(b *bundle, id string) {
				b.stepFails()
				b.step()
			},
			want: outcome{path: []string{"pending/start", "in_progress/create", "in_progress/create", "succeeded/create"}, ctx: activeCtx(),
				reg: registrar.RegistrationActive, charged: true,
				calls: []string{"Check example.com", "Create example.com #1", "Info example.com", "Create example.com #2"}},
		},
		{
			name: "pending→failed: deadline_exceeded (sweeper)",
			drive: func(b *bundle, id string) {
				b.clock.Advance(time.Hour - time.Second)
				b.sweep() // not yet
				b.clock.Advance(2 * time.Second)
				b.sweep()
				b.step() // the queued check, now stale, asks nothing
			},
			want: outcome{path: []string{"pending/start", "failed/start"}, code: registrar.CodeDeadlineExceeded,
				msg: "the workflow did not finish in time (it was pending)"},
			check: func(b *bundle, id string) {
				if b.logs.has("WARN") {
					b.t.Errorf("warned with no create sent: %q", b.logs.recs)
				}
			},
		},
		{
			name: "in_progress→failed: deadline_exceeded (sweeper)",
			script: func(b *bundle, id string) {
				b.reg.on("check", available(domain)).on("create", answer{err: errInternal})
			},
			drive: func(b *bundle, id string) {
				b.stepFails() // stays in progress, its job retrying
				b.clock.Advance(time.Hour + time.Second)
				b.sweep()
				b.step() // the retry finds the workflow failed: no info, no create
			},
			want: outcome{path: []string{"pending/start", "in_progress/create", "failed/create"}, code: registrar.CodeDeadlineExceeded,
				msg: "the workflow did not finish in time (it was in_progress)", calls: []string{"Check example.com", "Create example.com #1"}},
			check: func(b *bundle, id string) {
				// The create may have made the domain ours: a person must look.
				if !b.logs.has("WARN registration failed by deadline after a create was sent") {
					b.t.Errorf("no warning to reconcile by hand; logged %q", b.logs.recs)
				}
			},
		},
		{
			name:   "blocked→failed: deadline_exceeded (sweeper)",
			script: func(b *bundle, id string) { b.reg.on("check", answer{err: errUnreachable}) },
			drive: func(b *bundle, id string) {
				b.step()
				b.clock.Advance(7*day - time.Second)
				b.sweep() // the in-progress hour does not apply to blocked
				b.clock.Advance(2 * time.Second)
				b.sweep()
			},
			want: outcome{path: []string{"pending/start", "blocked/start", "failed/start"}, code: registrar.CodeDeadlineExceeded,
				msg: "the workflow did not finish in time (it was blocked)", calls: []string{"Check example.com"},
				next: stepStart, minDelay: retry1Min, maxDelay: retry1Max},
		},
		{
			name:   "action_required→failed: action_expired (sweeper)",
			email:  "verify.ada@example.com",
			script: func(b *bundle, id string) { b.reg.on("check", available(domain)) },
			drive: func(b *bundle, id string) {
				b.step()
				b.clock.Advance(15*day - time.Second)
				b.sweep()
				b.clock.Advance(2 * time.Second)
				b.sweep()
			},
			want: outcome{path: []string{"pending/start", "action_required/verify_email", "failed/verify_email"}, code: registrar.CodeActionExpired,
				msg: "the required action was not taken before it expired", mails: 1, calls: []string{"Check example.com"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t)
		})
	}
}

func (c transitionCase) run(t *testing.T) {
	cfg := c.cfg
	if cfg.PublicURL == "" {
		cfg = testConfig()
	}
	b := newBundle(t, bundleOpts{cfg: cfg})
	env, email := c.env, c.email
	if env == "" {
		env = registrar.EnvLive
	}
	if email == "" {
		email = "ada@example.com"
	}
	wf := b.register(env, domain, email)
	if c.script != nil {
		c.script(b, wf.ID)
	}
	if c.drive != nil {
		c.drive(b, wf.ID)
	}
	w := c.want
	got := b.workflow(wf.ID)

	if diff := cmp.Diff(w.path, b.history(wf.ID)); diff != "" {
		t.Errorf("stored states (-want +got):\n%s", diff)
	}
	if now, want := string(got.State)+"/"+got.Step, w.path[len(w.path)-1]; now != want {
		t.Errorf("workflow is %s, want %s", now, want)
	}
	if got.ErrorCode != w.code || got.ErrorMessage != w.msg {
		t.Errorf("error %q %q, want %q %q", got.ErrorCode, got.ErrorMessage, w.code, w.msg)
	}
	wantCtx := w.ctx
	wantCtx.DomainName = domain
	gotCtx := statusContext(t, got)
	if got.State == registrar.StateBlocked && got.RegistryTRID == "" {
		// A blocked workflow retrying on its own says when (jittered).
		if at := gotCtx.NextAttemptAt; at == nil || !at.After(got.UpdatedAt) || at.After(got.UpdatedAt.Add(b.e.cfg.RetryMax)) {
			t.Errorf("next_attempt_at %v, want after %v by at most %s", at, got.UpdatedAt, b.e.cfg.RetryMax)
		}
		gotCtx.NextAttemptAt = nil
	}
	if diff := cmp.Diff(wantCtx, gotCtx); diff != "" {
		t.Errorf("public context (-want +got):\n%s", diff)
	}
	wantDeadline := time.Time{}
	if w.deadline != 0 {
		wantDeadline = t0.Add(w.deadline)
	}
	if !got.Deadline.Equal(wantDeadline) {
		t.Errorf("deadline %v, want %v", got.Deadline, wantDeadline)
	}
	if got.State.Terminal() && got.RegistryTRID != "" {
		t.Errorf("terminal workflow still awaits registry transaction %q", got.RegistryTRID)
	}

	g := b.registration(env, domain)
	switch {
	case w.reg == "" && g != nil:
		t.Errorf("registration %s still held (%s); a failed registration gives the domain back", domain, g.Status)
	case w.reg != "" && g == nil:
		t.Errorf("registration %s gone, want %s", domain, w.reg)
	case g != nil && (g.Status != w.reg || g.WorkflowID != wf.ID):
		t.Errorf("registration %s of workflow %s, want %s of %s", g.Status, g.WorkflowID, w.reg, wf.ID)
	}
	wantSlots := 0
	if w.reg != "" {
		wantSlots = 1
	}
	if n := b.slots(env); n != wantSlots {
		t.Errorf("account holds %d domain slots, want %d", n, wantSlots)
	}

	charges := b.charges()
	switch {
	case w.charged && (len(charges) != 1 || charges[0].WorkflowID != wf.ID):
		t.Errorf("charges %+v, want exactly one for workflow %s", charges, wf.ID)
	case !w.charged && len(charges) != 0:
		t.Errorf("charges %+v, want none", charges)
	}
	if n := len(b.outbox()); n != w.mails {
		t.Errorf("%d emails in the outbox, want %d", n, w.mails)
	}

	calls := b.reg.Calls()
	if diff := cmp.Diff(w.calls, calls); diff != "" {
		t.Errorf("registry calls (-want +got):\n%s", diff)
	}
	checkCalls(t, calls)
	// A registration that became active had its transfer lock set at the
	// registry right after the create answered (lockCreated); a pending
	// create's is left to reconciliation.
	b.reg.mu.Lock()
	locks := slices.Clone(b.reg.locks)
	b.reg.mu.Unlock()
	created := got.State == registrar.StateSucceeded && slices.Contains(calls, "Create "+domain+" #1") && !slices.Contains(calls, "Poll")
	if created && !slices.Contains(locks, domain) {
		t.Errorf("%s succeeded from its create without its transfer lock set (calls %q)", domain, calls)
	}

	q := b.queuedSteps()
	switch {
	case w.next == "" && len(q) != 0:
		t.Errorf("step jobs left queued: %+v, want none", q)
	case w.next != "" && len(q) != 1:
		t.Errorf("step jobs queued: %+v, want one for %s", q, w.next)
	case w.next != "":
		want := `{"workflow_id":"` + wf.ID + `","step":"` + w.next + `"}`
		// The delay is measured when the job is inserted; allow for the time
		// the test took to get there.
		if q[0].Args != want || q[0].Delay < w.minDelay-250*time.Millisecond || q[0].Delay > w.maxDelay {
			t.Errorf("queued %s after %s, want %s after %s to %s", q[0].Args, q[0].Delay, want, w.minDelay, w.maxDelay)
		}
	}
	if c.check != nil {
		c.check(b, wf.ID)
	}
}
