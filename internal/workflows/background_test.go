package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/openregistrar/registrar/internal/registrar"
)

// awaitingReview starts a registration whose create went pending.
func (b *bundle) awaitingReview() *registrar.Workflow {
	b.t.Helper()
	b.reg.on("check", available(domain)).on("create", pending)
	wf := b.register(registrar.EnvLive, domain, "ada@example.com")
	b.step()
	if got := b.workflow(wf.ID); got.Step != stepAwaitCreate {
		b.t.Fatalf("not awaiting review: %s/%s", got.State, got.Step)
	}
	return wf
}

// The poll worker stores a message's outcome before it acknowledges the
// message: a crash in between brings the message back.
func TestPollAcksOnlyAfterStore(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	wf := b.awaitingReview()
	acked := false
	b.reg.onAck = func(id string) {
		acked = true
		got := b.workflow(wf.ID)
		if got.State != registrar.StateSucceeded || len(b.charges()) != 1 {
			t.Errorf("message %s acked while the workflow is %s with %d charges: its outcome is not stored yet", id, got.State, len(b.charges()))
		}
	}
	// The info for the dates fails: the registration is active all the
	// same, dated by our clock.
	b.reg.on("info", answer{err: errUnreachable})
	b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: domain, Success: true, TransactionID: b.data(wf.ID).CreateTRID})
	if err := b.poll(); err != nil {
		t.Fatal(err)
	}
	if !acked || len(b.reg.queued()) != 0 {
		t.Fatalf("acked %v, still queued %q", acked, b.reg.queued())
	}
	exp := t0.AddDate(1, 0, 0)
	want := registrar.StatusContext{DomainName: domain, Registration: &registrar.Registration{DomainName: domain, Status: registrar.RegistrationActive,
		CreatedAt: t0, ExpiresAt: &exp, Locked: true, PrivacyMode: registrar.PrivacyRedaction}}
	if diff := cmp.Diff(want, statusContext(t, b.workflow(wf.ID))); diff != "" {
		t.Errorf("context (-want +got):\n%s", diff)
	}
}

func TestPollWorker(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// setup queues messages and scripts both registries; it may start
		// a workflow and return it.
		setup   func(b *bundle, other *fakeRegistry) *registrar.Workflow
		wantErr bool
		calls   []string // of the first registry after setup
		other   []string // of the second registry
		queued  []string // messages left in the first registry's queue
		state   registrar.State
	}{
		{
			name: "a message matching no workflow is acked",
			setup: func(b *bundle, other *fakeRegistry) *registrar.Workflow {
				b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: "stray.com", Success: true, TransactionID: "OR-0000000000000000-1"})
				return nil
			},
			calls: []string{"Poll", "Ack m1", "Poll"}, other: []string{"Poll"},
		},
		{
			name: "a message for a workflow no longer awaiting it changes nothing",
			setup: func(b *bundle, other *fakeRegistry) *registrar.Workflow {
				wf := b.awaitingReview()
				b.reg.on("info", infoOurs)
				b.step() // the info re-check settled it first
				b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: domain, Success: false, TransactionID: b.data(wf.ID).CreateTRID})
				return wf
			},
			calls: []string{"Check example.com", "Create example.com #1", "Info example.com", "Poll", "Ack m1", "Poll"}, other: []string{"Poll"},
			state: registrar.StateSucceeded,
		},
		{
			name: "a queue out of reach is tried on the next run; other registries are still drained",
			setup: func(b *bundle, other *fakeRegistry) *registrar.Workflow {
				b.reg.on("poll", answer{err: errUnreachable})
				b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: "stray.com", TransactionID: "x"})
				other.enqueue(registrar.PollMessage{ID: "n1", Domain: "stray.net", TransactionID: "y"})
				return nil
			},
			calls: []string{"Poll"}, other: []string{"Poll", "Ack n1", "Poll"}, queued: []string{"m1"},
		},
		{
			name: "a broken poll fails the job",
			setup: func(b *bundle, other *fakeRegistry) *registrar.Workflow {
				b.reg.on("poll", answer{err: errInternal})
				return nil
			},
			wantErr: true, calls: []string{"Poll"},
		},
		{
			name: "a message whose outcome cannot be stored is not acked",
			setup: func(b *bundle, other *fakeRegistry) *registrar.Workflow {
				wf := b.awaitingReview()
				b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: domain, Success: false, TransactionID: b.data(wf.ID).CreateTRID})
				if _, err := b.db.SQLite().ExecContext(b.ctx, `UPDATE workflows SET data = '{' WHERE id = ?`, wf.ID); err != nil {
					b.t.Fatal(err)
				}
				return wf
			},
			wantErr: true, calls: []string{"Check example.com", "Create example.com #1", "Poll"}, queued: []string{"m1"},
			state: registrar.StateBlocked,
		},
		{
			name: "a message acked elsewhere meanwhile is fine",
			setup: func(b *bundle, other *fakeRegistry) *registrar.Workflow {
				b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: "stray.com", TransactionID: "x"})
				b.reg.on("ack", answer{err: errNotFound})
				return nil
			},
			calls: []string{"Poll", "Ack m1", "Poll"}, other: []string{"Poll"},
		},
		{
			name: "an ack out of reach fails the job",
			setup: func(b *bundle, other *fakeRegistry) *registrar.Workflow {
				b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: "stray.com", TransactionID: "x"})
				b.reg.on("ack", answer{err: errUnreachable})
				return nil
			},
			wantErr: true, calls: []string{"Poll", "Ack m1"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			other := newFakeRegistry(t)
			b.router.add(registrar.EnvLive, registrar.Extension{Name: "net", MinYears: 1, MaxYears: 10, Currency: "USD"}, other)
			wf := c.setup(b, other)
			err := b.poll()
			if (err != nil) != c.wantErr {
				t.Errorf("poll: %v, want error %v", err, c.wantErr)
			}
			if diff := cmp.Diff(c.calls, b.reg.Calls()); diff != "" {
				t.Errorf("registry calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.other, other.Calls()); diff != "" {
				t.Errorf("second registry's calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.queued, b.reg.queued()); diff != "" {
				t.Errorf("messages left (-want +got):\n%s", diff)
			}
			if wf != nil {
				var state string
				if err := b.db.SQLite().QueryRowContext(b.ctx, `SELECT state FROM workflows WHERE id = ?`, wf.ID).Scan(&state); err != nil {
					t.Fatal(err)
				}
				if registrar.State(state) != c.state {
					t.Errorf("workflow %s, want %s", state, c.state)
				}
			}
		})
	}
}

// One sweep fails every overdue workflow, however many.
func TestSweepFailsAllOverdue(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.MaxDomains, cfg.MaxInFlight = 1000, -1
	b := newBundle(t, bundleOpts{cfg: cfg})
	const n = 130 // the sweeper takes 100 at a time
	for i := range n {
		b.register(registrar.EnvLive, fmt.Sprintf("name%d.com", i), "ada@example.com")
	}
	b.clock.Advance(30 * time.Minute)
	late := b.register(registrar.EnvLive, "late.com", "ada@example.com")
	b.clock.Advance(31 * time.Minute)
	b.sweep()
	var failed, other int
	if err := b.db.SQLite().QueryRowContext(b.ctx, `SELECT count(*) FILTER (WHERE state = 'failed' AND error_code = 'deadline_exceeded'),
		count(*) FILTER (WHERE state <> 'failed') FROM workflows`).Scan(&failed, &other); err != nil {
		t.Fatal(err)
	}
	if failed != n || other != 1 {
		t.Errorf("%d failed and %d others, want %d failed and the late one", failed, other, n)
	}
	if got := b.workflow(late.ID); got.State != registrar.StatePending {
		t.Errorf("a workflow within its deadline was swept: %s", got.State)
	}
	if s := b.slots(registrar.EnvLive); s != 1 {
		t.Errorf("%d domain slots held, want 1", s)
	}
}

// runMail runs the oldest queued delivery job.
func (b *bundle) runMail() error {
	b.t.Helper()
	q := b.jobsOf(mailArgs{}.Kind(), "available")
	if len(q) == 0 {
		b.t.Fatal("no delivery job queued")
	}
	var args mailArgs
	if err := json.Unmarshal([]byte(q[0].Args), &args); err != nil {
		b.t.Fatal(err)
	}
	err := (&mailWorker{e: b.e}).Work(b.ctx, &river.Job[mailArgs]{JobRow: &rivertype.JobRow{ID: q[0].ID}, Args: args})
	if err == nil {
		b.setJobState(q[0].ID, "completed", "")
	}
	return err
}

func TestMailWorker(t *testing.T) {
	t.Parallel()
	b := newBundle(t, bundleOpts{cfg: testConfig(), mailer: true})
	b.reg.on("check", available(domain))
	b.register(registrar.EnvLive, domain, "verify.ada@example.com")
	b.step()
	if q := b.jobsOf(mailArgs{}.Kind(), ""); len(q) != 1 {
		t.Fatalf("%d delivery jobs, want one, queued with the transition", len(q))
	}

	// The server refuses: River will retry; the attempt is on record.
	b.mailer.err = errors.New("451 try again later")
	if err := b.runMail(); err == nil {
		t.Fatal("a failed delivery did not fail its job")
	}
	m := b.outbox()[0]
	if m.SentAt != nil || m.Attempts != 1 || m.LastError != "451 try again later" {
		t.Errorf("after a failed delivery: sent %v, %d attempts, error %q", m.SentAt, m.Attempts, m.LastError)
	}

	b.mailer.err = nil
	b.clock.Advance(time.Minute)
	if err := b.runMail(); err != nil {
		t.Fatal(err)
	}
	m = b.outbox()[0]
	if m.SentAt == nil || !m.SentAt.Equal(t0.Add(time.Minute)) || m.Attempts != 2 || m.LastError != "" {
		t.Errorf("after delivery: sent %v, %d attempts, error %q", m.SentAt, m.Attempts, m.LastError)
	}
	if len(b.mailer.sent) != 1 || b.mailer.sent[0].To != "verify.ada@example.com" || b.mailer.sent[0].Subject != m.Subject {
		t.Fatalf("sent %+v", b.mailer.sent)
	}
	// The outbox keeps the delivered mail with its link's code redacted.
	sent := b.mailer.sent[0].Body
	i := strings.Index(sent, "/verify-email/") + len("/verify-email/")
	code := sent[i : i+strings.IndexByte(sent[i:], '\n')]
	if want := strings.Replace(sent, code, registrar.SecretRedacted, 1); m.Body != want || strings.Contains(m.Body, code) {
		t.Errorf("outbox body after delivery:\n%s\nwant the sent body with the code redacted:\n%s", m.Body, want)
	}

	// A job run again after the message went out sends nothing.
	var args mailArgs
	if err := json.Unmarshal([]byte(b.jobsOf(mailArgs{}.Kind(), "")[0].Args), &args); err != nil {
		t.Fatal(err)
	}
	if err := (&mailWorker{e: b.e}).Work(b.ctx, &river.Job[mailArgs]{JobRow: &rivertype.JobRow{ID: 1}, Args: args}); err != nil {
		t.Fatal(err)
	}
	if len(b.mailer.sent) != 1 {
		t.Errorf("sent %d times", len(b.mailer.sent))
	}
	// A job for a message that does not exist fails.
	if err := (&mailWorker{e: b.e}).Work(b.ctx, &river.Job[mailArgs]{JobRow: &rivertype.JobRow{ID: 2}, Args: mailArgs{OutboxID: 999}}); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("unknown message: %v", err)
	}
}

// The registry poll runs every PollInterval only while a workflow awaits a
// registry's review: the step that starts the wait queues it, it snoozes
// for PollInterval while the workflow waits, and it ends once the poll
// message settled the workflow. An idle server polls only every 30
// PollIntervals (the periodic run).
func TestPollRunsWhileAwaitingReview(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	if d, err := b.pollSnooze(); err != nil || d != 0 {
		t.Fatalf("poll with nothing awaited: snoozed %v, error %v; want it to end", d, err)
	}
	if n := len(b.jobsOf("registry_poll", "")); n != 0 {
		t.Fatalf("%d poll jobs queued with nothing awaited", n)
	}
	wf := b.awaitingReview()
	if n := len(b.jobsOf("registry_poll", "available")); n != 1 {
		t.Errorf("%d poll jobs queued when the wait started, want 1", n)
	}
	for range 2 {
		if d, err := b.pollSnooze(); err != nil || d != b.e.cfg.PollInterval {
			t.Fatalf("poll while awaiting: snoozed %v, error %v; want %v", d, err, b.e.cfg.PollInterval)
		}
	}
	b.reg.on("info", answer{err: errUnreachable})
	b.reg.enqueue(registrar.PollMessage{ID: "m1", Domain: domain, Success: true, TransactionID: b.data(wf.ID).CreateTRID})
	if d, err := b.pollSnooze(); err != nil || d != 0 {
		t.Fatalf("poll that settled the wait: snoozed %v, error %v; want it to end", d, err)
	}
	if got := b.workflow(wf.ID); got.State != registrar.StateSucceeded {
		t.Errorf("workflow %s, want succeeded", got.State)
	}
}
