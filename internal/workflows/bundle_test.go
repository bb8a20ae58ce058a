package workflows

// The test bundle, in River's style (riverqueue/river's own tests build a
// fresh schema, a driver and a client per test): every test gets a fresh
// SQLite database, a scripted registry, a fixed clock and a job table of
// its own, and drives the engine's workers by hand, one job at a time.
// The bundle's engine never starts its River client (the engine's jobs
// interface is replaced by testJobs), so a test decides exactly which job
// runs when and never waits for River's fetch or scheduler;
// TestWakeRunsStepsWithoutFetchPoll and TestStopCancelsAStepInFlight run
// the real client end to end.
//
// A broken transition fails the row of TestRegistrationTransitions named
// after it ("in_progress→blocked: create 1001 pending").

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// template is a migrated database with the test tables, made once; each
// test opens a copy of its own (migrating from scratch costs each test
// about half a second under -race).
var template struct {
	once sync.Once
	path string
	err  error
}

// openTestDB opens a fresh database for one test: a copy of the template,
// as storetest.Open would build it, plus the test tables.
func openTestDB(t *testing.T) *store.DB {
	t.Helper()
	template.once.Do(func() {
		dir, err := os.MkdirTemp("", "workflows-test-")
		if err != nil {
			template.err = err
			return
		}
		template.path = filepath.Join(dir, "template.db")
		template.err = func() error {
			ctx := context.Background()
			db, err := store.Open(ctx, store.Config{SQLitePath: template.path})
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				return err
			}
			if _, err := db.SQLite().ExecContext(ctx, testJobsSchema); err != nil {
				return err
			}
			// Fold the WAL into the file, so that the file alone is the database.
			_, err = db.SQLite().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			return err
		}()
	})
	if template.err != nil {
		t.Fatalf("template database: %v", template.err)
	}
	body, err := os.ReadFile(template.path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := storetest.Config(t, storetest.SQLite)
	if err := os.WriteFile(cfg.SQLitePath, body, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// t0 is when every test starts, on the engine's clock.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixedClock is a registrar.Clock that stands still until a test moves it,
// so that every deadline and timestamp a test checks is exact.
// (registrar.ShiftClock keeps following the wall clock.)
type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// answer is one scripted registry answer.
type answer struct {
	avail  []registrar.Availability // Check
	create registrar.CreateResult   // Create
	info   registrar.DomainInfo     // Info; see ours
	// price and transfer answer TransferPrice and Transfer (transfer_test.go).
	price    registrar.TransferPrice
	transfer registrar.TransferResult
	// host and linked answer HostInfo (dns_test.go).
	host   registrar.Host
	linked bool
	// ours makes an Info answer carry the auth code of the last create the
	// registry received for the name: the domain is the workflow's own.
	ours bool
	err  error
	// hang makes the call wait for its context to end and return the
	// context's error: a registry that does not answer in time.
	hang bool
	// delay makes the call take this long (less, if its context ends
	// first: then it returns the context's error).
	delay time.Duration
	// before runs when the call arrives, before it answers (a crash, a
	// race, a look at the stored state).
	before func()
}

// fakeRegistry is a registrar.Registry that answers from a script. A call
// with no scripted answer left fails the test: every registry call a test
// does not expect is a bug (a second create above all).
type fakeRegistry struct {
	t      testing.TB
	mu     sync.Mutex
	script map[string][]answer // by operation: check, create, info, poll, ack
	calls  []string
	// authInfo remembers the auth code of the last create per name.
	authInfo map[string]string
	// queue is the registry's message queue; a message leaves it on Ack.
	queue []*registrar.PollMessage
	// onAck runs when a message is acknowledged, before it leaves.
	onAck func(id string)
	// locks are the names whose transfer lock was set unscripted.
	locks []string
}

func newFakeRegistry(t testing.TB) *fakeRegistry {
	return &fakeRegistry{t: t, script: map[string][]answer{}, authInfo: map[string]string{}}
}

// on scripts the next answers of an operation.
func (r *fakeRegistry) on(op string, a ...answer) *fakeRegistry {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.script[op] = append(r.script[op], a...)
	return r
}

// next records a call and returns its scripted answer.
func (r *fakeRegistry) next(ctx context.Context, op, call string) (answer, error) {
	r.mu.Lock()
	r.calls = append(r.calls, call)
	q := r.script[op]
	if len(q) == 0 {
		r.mu.Unlock()
		r.t.Errorf("unexpected registry call %s (calls so far: %q)", call, r.Calls())
		return answer{}, registrar.Errorf(registrar.KindInternal, "fake", "unexpected call %s", call)
	}
	a := q[0]
	r.script[op] = q[1:]
	r.mu.Unlock()
	if a.before != nil {
		a.before()
	}
	if a.hang {
		<-ctx.Done()
		return a, ctx.Err()
	}
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-ctx.Done():
			return a, ctx.Err()
		}
	}
	return a, a.err
}

// Calls returns the calls made so far, as "Op name [attempt]".
func (r *fakeRegistry) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// unused reports scripted answers no call consumed.
func (r *fakeRegistry) unused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for op, q := range r.script {
		if len(q) > 0 {
			out = append(out, fmt.Sprintf("%d %s", len(q), op))
		}
	}
	return out
}

func (r *fakeRegistry) Check(ctx context.Context, names []string) ([]registrar.Availability, error) {
	a, err := r.next(ctx, "check", "Check "+strings.Join(names, ","))
	if err != nil {
		return nil, err
	}
	return a.avail, nil
}

// attemptRE takes the attempt number out of a create's client transaction
// ID ("OR-<workflow id prefix>-<attempt>").
var attemptRE = regexp.MustCompile(`^OR-[0-9a-f]{16}-(\d+)$`)

func (r *fakeRegistry) Create(ctx context.Context, req registrar.CreateRequest) (registrar.CreateResult, error) {
	call := "Create " + req.Name + " trid=" + req.TransactionID
	if m := attemptRE.FindStringSubmatch(req.TransactionID); m != nil {
		call = "Create " + req.Name + " #" + m[1]
	}
	r.mu.Lock()
	r.authInfo[req.Name] = req.AuthInfo // the registry acts even if its answer is lost
	r.mu.Unlock()
	a, err := r.next(ctx, "create", call)
	if err != nil {
		return registrar.CreateResult{}, err
	}
	return a.create, nil
}

func (r *fakeRegistry) Info(ctx context.Context, name string) (registrar.DomainInfo, error) {
	a, err := r.next(ctx, "info", "Info "+name)
	if err != nil {
		return registrar.DomainInfo{}, err
	}
	info := a.info
	info.Name = name
	if a.ours {
		r.mu.Lock()
		info.Sponsored, info.AuthInfo = true, r.authInfo[name]
		r.mu.Unlock()
	}
	return info, nil
}

func (r *fakeRegistry) Renew(context.Context, string, time.Time, int) (time.Time, error) {
	r.t.Errorf("unexpected Renew")
	return time.Time{}, errors.New("unexpected Renew")
}

// Update records its call as "Update name +added -removed [auth code]"
// ("auth code" when it sets one, never the code) and sets the auth code
// first: the registry acts even if its answer is lost.
func (r *fakeRegistry) Update(ctx context.Context, u registrar.DomainUpdate) error {
	call := "Update " + u.Name
	for _, s := range u.AddStatuses {
		call += " +" + s
	}
	for _, s := range u.RemoveStatuses {
		call += " -" + s
	}
	call += dnsCall(u) // name servers and DS records (dns_test.go)
	if u.AuthInfo != "" {
		call += " auth code"
		r.mu.Lock()
		r.authInfo[u.Name] = u.AuthInfo
		r.mu.Unlock()
	}
	if len(u.AddStatuses) == 1 && u.AddStatuses[0] == registrar.StatusTransferLocked && len(u.RemoveStatuses) == 0 && u.AuthInfo == "" {
		r.mu.Lock()
		scripted := len(r.script["update"]) > 0
		if !scripted {
			// The transfer lock a registration sets after its create
			// (lockCreated): accepted unscripted, and kept apart from the
			// calls the tests compare.
			r.locks = append(r.locks, u.Name)
			r.mu.Unlock()
			return nil
		}
		r.mu.Unlock()
	}
	_, err := r.next(ctx, "update", call)
	return err
}

// Poll returns the oldest queued message, unless an error is scripted;
// Ack likewise.
func (r *fakeRegistry) Poll(ctx context.Context) (*registrar.PollMessage, error) {
	r.mu.Lock()
	r.calls = append(r.calls, "Poll")
	if q := r.script["poll"]; len(q) > 0 {
		r.script["poll"] = q[1:]
		r.mu.Unlock()
		return nil, q[0].err
	}
	defer r.mu.Unlock()
	if len(r.queue) == 0 {
		return nil, nil
	}
	m := *r.queue[0]
	return &m, nil
}

func (r *fakeRegistry) Ack(ctx context.Context, id string) error {
	r.mu.Lock()
	r.calls = append(r.calls, "Ack "+id)
	onAck := r.onAck
	if q := r.script["ack"]; len(q) > 0 {
		// A scripted failure: the message is gone all the same (acked by
		// someone else, or by a registry that answered too late).
		r.script["ack"] = q[1:]
		r.drop(id)
		r.mu.Unlock()
		return q[0].err
	}
	r.mu.Unlock()
	if onAck != nil {
		onAck(id)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.drop(id) {
		return registrar.Errorf(registrar.KindNotFound, "fake.Ack", "no message %s", id)
	}
	return nil
}

// drop removes a message from the queue; r.mu is held.
func (r *fakeRegistry) drop(id string) bool {
	for i, m := range r.queue {
		if m.ID == id {
			r.queue = append(r.queue[:i], r.queue[i+1:]...)
			return true
		}
	}
	return false
}

// queued returns the IDs of the queued messages.
func (r *fakeRegistry) queued() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, m := range r.queue {
		ids = append(ids, m.ID)
	}
	return ids
}

// enqueue adds a message to the registry's queue.
func (r *fakeRegistry) enqueue(m registrar.PollMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queue = append(r.queue, &m)
}

// fakeRouter is a registrar.Registries over explicit routes that a test
// can take away again.
type fakeRouter struct {
	mu     sync.Mutex
	routes map[string]route // by env + "/" + extension
	all    []registrar.Registry
}

type route struct {
	reg registrar.Registry
	ext registrar.Extension
}

func (f *fakeRouter) add(env registrar.Env, ext registrar.Extension, reg registrar.Registry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.routes == nil {
		f.routes = map[string]route{}
	}
	f.routes[string(env)+"/"+ext.Name] = route{reg, ext}
	for _, have := range f.all {
		if have == reg {
			return
		}
	}
	f.all = append(f.all, reg)
}

func (f *fakeRouter) remove(env registrar.Env, ext string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.routes, string(env)+"/"+ext)
}

func (f *fakeRouter) Lookup(env registrar.Env, ext string) (registrar.Registry, registrar.Extension, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rt, ok := f.routes[string(env)+"/"+ext]
	if !ok {
		return nil, registrar.Extension{}, registrar.Errorf(registrar.KindInvalid, "fake.Lookup", "the extension .%s is not supported", ext)
	}
	return rt.reg, rt.ext, nil
}

func (f *fakeRouter) All() []registrar.Registry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]registrar.Registry(nil), f.all...)
}

// testJobs is the engine's jobs interface over a table of the test's own
// database, written in the engine's transactions: a job exists exactly
// when the transaction that queued it committed, and a step's completion
// commits with its transition, as with River.
type testJobs struct {
	mu    sync.Mutex
	wakes int // calls of wake
}

const testJobsSchema = `
CREATE TABLE test_jobs (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	kind      TEXT NOT NULL,
	args      TEXT NOT NULL,
	delay_ms  INTEGER NOT NULL,
	state     TEXT NOT NULL DEFAULT 'available',
	last_error TEXT NOT NULL DEFAULT ''
);
-- Every stored state of every workflow, in order: the transitions a
-- test made.
CREATE TABLE test_history (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	workflow_id TEXT NOT NULL,
	state       TEXT NOT NULL,
	step        TEXT NOT NULL
);
CREATE TRIGGER test_history_insert AFTER INSERT ON workflows BEGIN
	INSERT INTO test_history (workflow_id, state, step) VALUES (NEW.id, NEW.state, NEW.step);
END;
CREATE TRIGGER test_history_update AFTER UPDATE ON workflows BEGIN
	INSERT INTO test_history (workflow_id, state, step) VALUES (NEW.id, NEW.state, NEW.step);
END;
`

func (j *testJobs) insert(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	b, err := json.Marshal(args)
	if err != nil {
		return err
	}
	var delay time.Duration
	if opts != nil && !opts.ScheduledAt.IsZero() {
		delay = time.Until(opts.ScheduledAt)
	}
	_, err = tx.SQLTx().ExecContext(ctx, `INSERT INTO test_jobs (kind, args, delay_ms) VALUES (?, ?, ?)`,
		args.Kind(), string(b), delay.Milliseconds())
	return err
}

func (j *testJobs) wake(context.Context) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.wakes++
}

func (j *testJobs) complete(ctx context.Context, tx *store.Tx, job *river.Job[stepArgs]) error {
	res, err := tx.SQLTx().ExecContext(ctx, `UPDATE test_jobs SET state = 'completed' WHERE id = ? AND state = 'running'`, job.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("complete: job %d is not running", job.ID)
	}
	return nil
}

func (j *testJobs) start(context.Context) error { return nil }
func (j *testJobs) stop(context.Context) error  { return nil }

// queuedJob is a row of test_jobs.
type queuedJob struct {
	ID    int64
	Kind  string
	Args  string
	Delay time.Duration
	State string
}

// bundle is one test's engine and its fakes.
type bundle struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	e      *Engine
	reg    *fakeRegistry
	router *fakeRouter
	clock  *fixedClock
	jobs   *testJobs
	mailer *fakeMailer
	acct   registrar.Account
	p      registrar.Principal
	logs   *logRecorder
}

// logRecorder keeps the engine's log records at info level and above, as
// "LEVEL message key=value...".
type logRecorder struct {
	mu   sync.Mutex
	recs []string
}

func (l *logRecorder) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelInfo }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	rec := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool {
		rec += " " + a.String()
		return true
	})
	l.recs = append(l.recs, rec)
	return nil
}

// contains reports whether a record holds s, in its message or attributes.
func (l *logRecorder) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recs {
		if strings.Contains(r, s) {
			return true
		}
	}
	return false
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// has reports whether a record starting with prefix was logged.
func (l *logRecorder) has(prefix string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recs {
		if strings.HasPrefix(r, prefix) {
			return true
		}
	}
	return false
}

// testExt is the extension the fake registry serves.
var testExt = registrar.Extension{Name: "com", MinYears: 1, MaxYears: 10, Currency: "USD", RegistrationCents: 1099, RenewalCents: 1299}

// bundleOpts changes the engine a bundle builds.
type bundleOpts struct {
	cfg    Config
	mailer bool
}

// testConfig is the engine configuration of every bundle: the defaults,
// a base URL for links, and policies under which live is billed and both
// environments verify by the scenario rule (policy_test.go covers the
// others).
func testConfig() Config {
	return Config{PublicURL: "https://registrar.test/", Policies: map[registrar.Env]registrar.Policy{
		registrar.EnvLive:    {Verify: registrar.VerifyScenario, Billed: true},
		registrar.EnvSandbox: {Verify: registrar.VerifyScenario},
	}}
}

// shortJobs is testConfig with a job timeout short enough that a registry
// that never answers costs a test a fraction of a second (its calls get
// 150 ms).
func shortJobs() Config {
	c := testConfig()
	c.JobTimeout, c.RescueAfter = 200*time.Millisecond, time.Second
	return c
}

func newBundle(t *testing.T, opts ...bundleOpts) *bundle {
	t.Helper()
	var o bundleOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	cfg := testConfig()
	if o.cfg.PublicURL != "" {
		cfg = o.cfg
	}
	ctx := t.Context()
	b := &bundle{t: t, ctx: ctx, db: openTestDB(t), reg: newFakeRegistry(t), router: &fakeRouter{}, clock: &fixedClock{now: t0}}
	b.router.add(registrar.EnvLive, testExt, b.reg)
	b.router.add(registrar.EnvSandbox, testExt, b.reg)
	b.logs = &logRecorder{}
	deps := Deps{DB: b.db, Registries: b.router, Clock: b.clock, Logger: slog.New(b.logs)}
	if o.mailer {
		b.mailer = &fakeMailer{}
		deps.Mailer = b.mailer
	}
	e, err := New(deps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.jobs = &testJobs{}
	e.jobs = b.jobs // the River client New built is never started
	b.e = e
	b.acct, _, err = b.db.CreateAccount(ctx, "ada", contact("ada@example.com"), t0)
	if err != nil {
		t.Fatal(err)
	}
	b.p = registrar.Principal{AccountID: b.acct.ID}
	t.Cleanup(func() {
		if u := b.reg.unused(); len(u) > 0 && !t.Failed() {
			t.Errorf("scripted registry answers never used: %v (calls: %q)", u, b.reg.Calls())
		}
	})
	return b
}

func contact(email string) *registrar.Contact {
	return &registrar.Contact{Email: email, Phone: "+44.2071234567", PostalInfo: registrar.PostalInfo{
		Name: "Ada Lovelace", Address: registrar.Address{Street: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", CountryCode: "GB"}}}
}

// register starts a registration of domain by the bundle's account.
func (b *bundle) register(env registrar.Env, domain, email string) *registrar.Workflow {
	b.t.Helper()
	wf, err := b.e.StartRegistration(b.ctx, b.p, env, registrar.RegistrationRequest{
		DomainName: domain, Extension: "com", Contacts: registrar.Contacts{Registrant: contact(email)},
	})
	if err != nil {
		b.t.Fatalf("StartRegistration(%s): %v", domain, err)
	}
	return wf
}

// jobsOf lists the jobs of a kind in a state ("" for any), oldest first.
func (b *bundle) jobsOf(kind, state string) []queuedJob {
	b.t.Helper()
	rows, err := b.db.SQLite().QueryContext(b.ctx, `SELECT id, kind, args, delay_ms, state FROM test_jobs
		WHERE kind = ? AND (? = '' OR state = ?) ORDER BY id`, kind, state, state)
	if err != nil {
		b.t.Fatal(err)
	}
	defer rows.Close()
	var out []queuedJob
	for rows.Next() {
		var j queuedJob
		var ms int64
		if err := rows.Scan(&j.ID, &j.Kind, &j.Args, &ms, &j.State); err != nil {
			b.t.Fatal(err)
		}
		j.Delay = time.Duration(ms) * time.Millisecond
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		b.t.Fatal(err)
	}
	return out
}

// queuedSteps lists the workflow steps waiting to run.
func (b *bundle) queuedSteps() []queuedJob { return b.jobsOf(stepArgs{}.Kind(), "available") }

func (b *bundle) setJobState(id int64, state, lastErr string) {
	b.t.Helper()
	if _, err := b.db.SQLite().ExecContext(b.ctx, `UPDATE test_jobs SET state = ?, last_error = ? WHERE id = ?`, state, lastErr, id); err != nil {
		b.t.Fatal(err)
	}
}

// runStep runs the oldest queued step job, whatever its delay (the test
// plays River's scheduler, with time skipped), and settles the job as
// River would: a job the step did not complete itself is completed when
// Work returns nil, cancelled on JobCancel, and left queued for a retry on
// any other error, which runStep returns.
func (b *bundle) runStep() error {
	b.t.Helper()
	q := b.queuedSteps()
	if len(q) == 0 {
		b.t.Fatalf("no step job queued")
	}
	j := q[0]
	var args stepArgs
	if err := json.Unmarshal([]byte(j.Args), &args); err != nil {
		b.t.Fatal(err)
	}
	b.setJobState(j.ID, "running", "")
	job := &river.Job[stepArgs]{JobRow: &rivertype.JobRow{ID: j.ID, Kind: j.Kind, EncodedArgs: []byte(j.Args)}, Args: args}
	err := (&stepWorker{e: b.e}).Work(b.ctx, job)
	var cancel *rivertype.JobCancelError
	switch {
	case errors.As(err, &cancel):
		b.setJobState(j.ID, "cancelled", err.Error())
	case err != nil:
		b.setJobState(j.ID, "available", err.Error())
	default:
		if _, err := b.db.SQLite().ExecContext(b.ctx, `UPDATE test_jobs SET state = 'completed' WHERE id = ? AND state = 'running'`, j.ID); err != nil {
			b.t.Fatal(err)
		}
	}
	return err
}

// step runs the next step job, which must succeed.
func (b *bundle) step() {
	b.t.Helper()
	if err := b.runStep(); err != nil {
		b.t.Fatalf("step job: %v", err)
	}
}

// sweep runs the sweeper job.
func (b *bundle) sweep() {
	b.t.Helper()
	if err := (&sweepWorker{e: b.e}).Work(b.ctx, &river.Job[sweepArgs]{JobRow: &rivertype.JobRow{ID: 1}}); err != nil {
		b.t.Fatalf("sweep: %v", err)
	}
}

// poll runs the registry poll job. Its snooze while a workflow awaits a
// registry's review is not an error.
func (b *bundle) poll() error {
	b.t.Helper()
	_, err := b.pollSnooze()
	return err
}

// pollSnooze runs the registry poll job and returns how long it snoozed
// (zero: it ended).
func (b *bundle) pollSnooze() (time.Duration, error) {
	b.t.Helper()
	err := (&pollWorker{e: b.e}).Work(b.ctx, &river.Job[pollArgs]{JobRow: &rivertype.JobRow{ID: 1}})
	if snooze := (*rivertype.JobSnoozeError)(nil); errors.As(err, &snooze) {
		return snooze.Duration, nil
	}
	return 0, err
}

// workflow reads a workflow back from the database, private data included.
func (b *bundle) workflow(id string) *registrar.Workflow {
	b.t.Helper()
	wf, err := b.db.WorkflowByID(b.ctx, id)
	if err != nil {
		b.t.Fatalf("workflow %s: %v", id, err)
	}
	return wf
}

func (b *bundle) data(id string) registrationData {
	b.t.Helper()
	d, err := decode[registrationData](b.workflow(id))
	if err != nil {
		b.t.Fatal(err)
	}
	return d
}

// history lists every stored state of a workflow as "state/step".
func (b *bundle) history(id string) []string {
	b.t.Helper()
	rows, err := b.db.SQLite().QueryContext(b.ctx, `SELECT state, step FROM test_history WHERE workflow_id = ? ORDER BY seq`, id)
	if err != nil {
		b.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var state, step string
		if err := rows.Scan(&state, &step); err != nil {
			b.t.Fatal(err)
		}
		out = append(out, state+"/"+step)
	}
	return out
}

// registration returns the stored registration of domain, or nil when
// there is none.
func (b *bundle) registration(env registrar.Env, domain string) *registrar.Registration {
	b.t.Helper()
	var g *registrar.Registration
	err := b.db.InTx(b.ctx, func(tx *store.Tx) error {
		var err error
		g, err = tx.Registration(b.ctx, env, domain)
		return err
	})
	if registrar.IsKind(err, registrar.KindNotFound) {
		return nil
	}
	if err != nil {
		b.t.Fatal(err)
	}
	return g
}

func (b *bundle) charges() []store.Charge {
	b.t.Helper()
	c, err := b.db.Charges(b.ctx, b.acct.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

func (b *bundle) outbox() []store.OutboxMessage {
	b.t.Helper()
	m, err := b.db.Outbox(b.ctx)
	if err != nil {
		b.t.Fatal(err)
	}
	return m
}

// slots returns how many domain slots the account holds in env.
func (b *bundle) slots(env registrar.Env) int {
	b.t.Helper()
	var n int
	err := b.db.SQLite().QueryRowContext(b.ctx, `SELECT COALESCE(SUM(count), 0) FROM account_domains WHERE account_id = ? AND env = ?`, b.acct.ID, env).Scan(&n)
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// verificationCode takes the code out of the link in the newest email.
func (b *bundle) verificationCode() string {
	b.t.Helper()
	mail := b.outbox()
	if len(mail) == 0 {
		b.t.Fatal("no email in the outbox")
	}
	m := regexp.MustCompile(`https://registrar\.test/verify-email/(\S+)`).FindStringSubmatch(mail[len(mail)-1].Body)
	if m == nil {
		b.t.Fatalf("no verification link in %q", mail[len(mail)-1].Body)
	}
	return m[1]
}

// statusContext decodes a workflow's public context.
func statusContext(t testing.TB, wf *registrar.Workflow) registrar.StatusContext {
	t.Helper()
	var c registrar.StatusContext
	if err := json.Unmarshal(wf.Context, &c); err != nil {
		t.Fatalf("context %s: %v", wf.Context, err)
	}
	return c
}

// fakeMailer records what it sends; err, when set, fails each send.
type fakeMailer struct {
	mu   sync.Mutex
	sent []registrar.Message
	err  error
}

func (m *fakeMailer) Send(ctx context.Context, msg registrar.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.sent = append(m.sent, msg)
	return nil
}

// checkCalls asserts what no registration may ever do at a registry: send
// the same create attempt twice, or send a new create after an attempt
// without an Info in between to learn what became of it.
func checkCalls(t testing.TB, calls []string) {
	t.Helper()
	seen := map[string]bool{}
	infoSinceCreate := true
	for _, c := range calls {
		switch {
		case strings.HasPrefix(c, "Create "):
			if seen[c] {
				t.Errorf("create sent twice: %q in %q", c, calls)
			}
			if !infoSinceCreate {
				t.Errorf("%q sent after an earlier create without an Info in between: %q", c, calls)
			}
			seen[c], infoSinceCreate = true, false
		case strings.HasPrefix(c, "Info "):
			infoSinceCreate = true
		}
	}
}

// unavailable, rejected, ... are registry errors of each kind, as the EPP
// adapter returns them.
var (
	errUnreachable = registrar.Errorf(registrar.KindUnavailable, "epp.Dial", "the registry is unreachable")
	errTaken       = registrar.Errorf(registrar.KindConflict, "epp.Create", "Object exists")                // 2302
	errPolicy      = registrar.Errorf(registrar.KindRejected, "epp.Create", "Parameter value policy error") // 2306
	errSyntax      = registrar.Errorf(registrar.KindInvalid, "epp.Create", "Parameter value syntax error")  // 2005
	errNotFound    = registrar.Errorf(registrar.KindNotFound, "epp.Info", "Object does not exist")          // 2303
	errInternal    = registrar.Errorf(registrar.KindInternal, "epp.Create", "broken pipe")
)

// available, taken, premium are Check answers for one name.
func available(name string) answer {
	return answer{avail: []registrar.Availability{{Name: name, Available: true}}}
}

func taken(name, reason string) answer {
	return answer{avail: []registrar.Availability{{Name: name, Reason: reason}}}
}

func premium(name string) answer {
	return answer{avail: []registrar.Availability{{Name: name, Available: true, Premium: true}}}
}

// created is a create answered 1000, and pending one answered 1001.
var (
	regCreated = time.Date(2026, 3, 1, 12, 0, 1, 0, time.UTC)
	regExpires = time.Date(2027, 3, 1, 12, 0, 1, 0, time.UTC)
	created    = answer{create: registrar.CreateResult{CreatedAt: regCreated, ExpiresAt: regExpires, ServerTransactionID: "SV-1"}}
	pending    = answer{create: registrar.CreateResult{Pending: true, ServerTransactionID: "SV-P"}}
	infoOurs   = answer{ours: true, info: registrar.DomainInfo{CreatedAt: regCreated, ExpiresAt: regExpires}}
)
