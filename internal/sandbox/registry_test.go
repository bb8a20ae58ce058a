package sandbox_test

// These tests drive the sandbox registry the way the registrar does in
// production: eppregistry over an EPP session with the sandbox's server on
// loopback (sandboxtest). Errors are the registrar's, with the kinds of
// eppregistry's table and the registry's result code and reason in their
// message; the engine's command log shows what reached the registry.

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openregistrar/registrar/internal/eppregistry"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/sandbox/sandboxtest"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// The registrars of the tests: us, another registrar, and the one that
// holds every taken- name.
const (
	ours   = sandboxtest.ClientID
	theirs = "theirs"
)

// testDelay is the scenario delay of the tests: time only passes for it in
// slow- creates (which wait in real time) since the clock is fake.
const testDelay = 50 * time.Millisecond

const (
	ok1000  = "1000 Command completed successfully"
	ok1001  = "1001 Command completed successfully; action pending"
	ok1300  = "1300 Command completed successfully; no messages"
	ok1301  = "1301 Command completed successfully; ack to dequeue"
	err2302 = "2302 Object exists"
	err2303 = "2303 Object does not exist"
	err2201 = "2201 Authorization error"
	err2400 = "2400 Command failed"
)

// fixture is a sandbox registry over EPP with a fake clock, and a registry
// (an EPP client) per registrar, made on first use.
type fixture struct {
	t     *testing.T
	store *store
	srv   *sandboxtest.Server
	cfg   sandbox.Config
	clock interface {
		registrar.Clock
		Advance(time.Duration)
	}
	regs map[string]*eppregistry.Registry
}

// start starts a sandbox registry on backend b for ours, theirs and
// sandbox.OtherRegistrar. A zero cfg.Delay is testDelay; a nil cfg.Clock
// is a fake clock.
func start(t *testing.T, b storetest.Backend, cfg sandbox.Config) *fixture {
	t.Helper()
	if cfg.Delay == 0 {
		cfg.Delay = testDelay
	}
	f := &fixture{t: t, store: newStore(t, b), cfg: cfg}
	if cfg.Clock == nil {
		clock := sandbox.NewFakeClock()
		f.clock, f.cfg.Clock = clock, clock
	}
	f.srv = sandboxtest.Start(t, sandboxtest.Options{Engine: f.cfg, Open: f.store.open, ClientIDs: []string{ours, theirs, sandbox.OtherRegistrar}})
	f.regs = map[string]*eppregistry.Registry{}
	return f
}

// as returns the registry as clientID sees it.
func (f *fixture) as(clientID string) registrar.Registry {
	f.t.Helper()
	r, ok := f.regs[clientID]
	if !ok {
		r = f.srv.Registry(f.t, clientID)
		f.regs[clientID] = r
	}
	return r
}

// engine returns the running engine.
func (f *fixture) engine() *sandbox.Engine { return f.srv.Engine }

// restart closes the registry and starts it again on the same file or
// schema.
func (f *fixture) restart() {
	f.t.Helper()
	if err := f.srv.Close(); err != nil {
		f.t.Fatalf("Close() = %v", err)
	}
	f.srv = sandboxtest.Start(f.t, sandboxtest.Options{Engine: f.cfg, Open: f.store.open, ClientIDs: []string{ours, theirs, sandbox.OtherRegistrar}})
	f.regs = map[string]*eppregistry.Registry{}
}

func contact() registrar.Contact {
	return registrar.Contact{
		Email: "ada@example.com",
		Phone: "+44.2079460000",
		PostalInfo: registrar.PostalInfo{
			Name:    "Ada Lovelace",
			Address: registrar.Address{Street: "12 St James's Square", City: "London", State: "London", PostalCode: "SW1Y 4JH", CountryCode: "GB"},
		},
	}
}

func createReq(name string) registrar.CreateRequest {
	return registrar.CreateRequest{
		Name:          name,
		Years:         1,
		Registrant:    contact(),
		AuthInfo:      "auth-" + name,
		TransactionID: "cl-" + name,
	}
}

// mustCreate creates name through r, failing the test on error.
func mustCreate(t *testing.T, r registrar.Registry, name string) registrar.CreateResult {
	t.Helper()
	res, err := r.Create(context.Background(), createReq(name))
	if err != nil {
		t.Fatalf("Create(%q) = %v", name, err)
	}
	return res
}

// errDiff describes how err differs from want (nil: no error), comparing
// kinds and messages; "" when it does not.
func errDiff(err error, want *registrar.Error) string {
	if want == nil {
		if err != nil {
			return "error " + err.Error() + ", want none"
		}
		return ""
	}
	got := registrar.AsError(err)
	if got == nil {
		if err == nil {
			return "no error, want " + want.Error()
		}
		return "error " + err.Error() + " is not a *registrar.Error"
	}
	return cmp.Diff(want, got, cmpopts.IgnoreFields(registrar.Error{}, "Op", "Err", "Fields", "RetryAfterSeconds"))
}

func rerr(k registrar.Kind, msg string) *registrar.Error {
	return &registrar.Error{Kind: k, Message: msg}
}

// unreachable is the error of a command the registry answered 2400.
var unreachable = rerr(registrar.KindUnavailable, err2400)

// ignoreLogVolatile compares log entries without their sequence number,
// time and server transaction ID.
var ignoreLogVolatile = cmpopts.IgnoreFields(sandbox.LogEntry{}, "Seq", "Time", "ServerTRID")

func entry(client, command, domain, result, cltrid string) sandbox.LogEntry {
	return sandbox.LogEntry{ClientID: client, Command: command, Domain: domain, Result: result, ClientTRID: cltrid}
}

// mustLog returns the engine's log of domain and poll commands: without
// the contact creates eppregistry sends before a domain create, and with
// the clTRIDs the EPP client generates (OR-…) blanked, as the tests did
// not choose them. A domain create carries the registration's transaction
// ID.
func mustLog(t *testing.T, e *sandbox.Engine) []sandbox.LogEntry {
	t.Helper()
	l, err := e.Log(context.Background())
	if err != nil {
		t.Fatalf("Log() = %v", err)
	}
	return withoutContacts(l)
}

// withoutContacts returns the log entries as mustLog does.
func withoutContacts(l []sandbox.LogEntry) []sandbox.LogEntry {
	var out []sandbox.LogEntry
	for _, le := range l {
		if le.Command == "contact:create" {
			continue
		}
		if strings.HasPrefix(le.ClientTRID, "OR-") {
			le.ClientTRID = ""
		}
		out = append(out, le)
	}
	return out
}

func TestCreateScenarios(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		tests := []struct {
			name        string
			wantPending bool
			wantErr     *registrar.Error
			wantResult  string
		}{
			{name: "example.com", wantResult: ok1000},
			{name: "slow-example.com", wantResult: ok1000},
			{name: "pending-example.com", wantPending: true, wantResult: ok1001},
			{name: "reject-example.com",
				wantErr:    rerr(registrar.KindRejected, "2306 Parameter value policy error: name reserved by registry policy"),
				wantResult: "2306 Parameter value policy error: name reserved by registry policy"},
			{name: "taken-example.com", wantErr: rerr(registrar.KindConflict, err2302), wantResult: err2302},
			// eppregistry sends no fee extension, which a premium create
			// needs (RFC 8748).
			{name: "premium-example.com",
				wantErr:    rerr(registrar.KindRejected, "2003 Required parameter missing: premium name requires the fee extension (500.00 USD)"),
				wantResult: "2003 Required parameter missing: premium name requires the fee extension (500.00 USD)"},
			// Only the first label counts.
			{name: "example.reject-x.com", wantResult: ok1000},
			{name: "Upper.COM", wantResult: ok1000},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				f := start(t, backend, sandbox.Config{})
				start := time.Now()
				got, err := f.as(ours).Create(context.Background(), createReq(tt.name))
				if d := errDiff(err, tt.wantErr); d != "" {
					t.Fatalf("Create(%q): %s", tt.name, d)
				}
				if strings.HasPrefix(tt.name, "slow-") {
					if elapsed := time.Since(start); elapsed < testDelay {
						t.Errorf("Create(%q) answered after %v, want at least %v", tt.name, elapsed, testDelay)
					}
				}
				l := mustLog(t, f.engine())
				wantLog := []sandbox.LogEntry{entry(ours, "create", strings.ToLower(tt.name), tt.wantResult, "cl-"+tt.name)}
				if diff := cmp.Diff(wantLog, l, ignoreLogVolatile); diff != "" {
					t.Errorf("Log() after Create(%q) mismatch (-want +got):\n%s", tt.name, diff)
				}
				if err == nil {
					now := f.clock.Now().Truncate(time.Microsecond)
					want := registrar.CreateResult{Pending: tt.wantPending, CreatedAt: now, ExpiresAt: now.AddDate(1, 0, 0), ServerTransactionID: l[0].ServerTRID}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("Create(%q) result mismatch (-want +got):\n%s", tt.name, diff)
					}
				}
			})
		}
	})
}

func TestCreateExisting(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{})
		mustCreate(t, f.as(ours), "example.com")
		mustCreate(t, f.as(ours), "pending-example.com")
		for _, client := range []string{ours, theirs} {
			for _, name := range []string{"example.com", "EXAMPLE.com", "pending-example.com"} {
				req := createReq(name)
				req.AuthInfo = "auth-" + client + "-" + name
				_, err := f.as(client).Create(context.Background(), req)
				if d := errDiff(err, rerr(registrar.KindConflict, err2302)); d != "" {
					t.Errorf("Create(%q) as %s: %s", name, client, d)
				}
			}
		}
	})
}

// TestCreateInvalid checks the engine's rules on a create that eppregistry
// sends as asked.
func TestCreateInvalid(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		tests := []struct {
			desc    string
			modify  func(*registrar.CreateRequest)
			wantErr *registrar.Error
			// wantLog is the create's log entry; "" when the create is refused
			// before it reaches the engine.
			wantLog string
		}{
			{"eleven years", func(r *registrar.CreateRequest) { r.Years = 11 },
				rerr(registrar.KindRejected, "2004 Parameter value range error: period must be 1 to 10 years"),
				"2004 Parameter value range error: period must be 1 to 10 years"},
			{"bad name", func(r *registrar.CreateRequest) { r.Name = "-bad.com" },
				rerr(registrar.KindRejected, `2005 Parameter value syntax error: invalid domain name "-bad.com"`),
				`2005 Parameter value syntax error: invalid domain name "-bad.com"`},
			{"single label", func(r *registrar.CreateRequest) { r.Name = "com" },
				rerr(registrar.KindRejected, `2005 Parameter value syntax error: invalid domain name "com"`),
				`2005 Parameter value syntax error: invalid domain name "com"`},
			// The registrant's contact create fails first.
			{"no auth info", func(r *registrar.CreateRequest) { r.AuthInfo = "" },
				rerr(registrar.KindRejected, "2003 Required parameter missing: authInfo is required"), ""},
			// The EPP client refuses to send what the schema forbids: a bug of
			// ours, not the registry's answer.
			{"zero years", func(r *registrar.CreateRequest) { r.Years = 0 }, rerr(registrar.KindInternal, ""), ""},
			{"no registrant email", func(r *registrar.CreateRequest) { r.Registrant.Email = "" }, rerr(registrar.KindInternal, ""), ""},
			{"ten years", func(r *registrar.CreateRequest) { r.Years = 10 }, nil, ok1000},
		}
		for _, tt := range tests {
			t.Run(tt.desc, func(t *testing.T) {
				t.Parallel()
				f := start(t, backend, sandbox.Config{})
				req := createReq("example.com")
				tt.modify(&req)
				_, err := f.as(ours).Create(context.Background(), req)
				if d := errDiff(err, tt.wantErr); d != "" {
					t.Fatalf("Create(%+v): %s", req, d)
				}
				var wantLog []sandbox.LogEntry
				if tt.wantLog != "" {
					wantLog = append(wantLog, entry(ours, "create", req.Name, tt.wantLog, req.TransactionID))
				}
				if diff := cmp.Diff(wantLog, mustLog(t, f.engine()), ignoreLogVolatile); diff != "" {
					t.Errorf("Log() mismatch (-want +got):\n%s", diff)
				}
				if tt.wantErr != nil {
					if _, err := f.as(ours).Info(context.Background(), req.Name); !registrar.IsKind(err, registrar.KindNotFound) && !registrar.IsKind(err, registrar.KindRejected) {
						t.Errorf("Info(%q) after a failed create = %v, want not found", req.Name, err)
					}
				}
			})
		}
	})
}

func TestCheck(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{})
		mustCreate(t, f.as(theirs), "theirs.com")
		mustCreate(t, f.as(ours), "pending-example.com")
		names := []string{"free.com", "theirs.com", "Theirs.COM", "taken-example.com", "premium-example.com", "reject-example.com", "pending-example.com", "slow-example.com"}
		got, err := f.as(ours).Check(context.Background(), names)
		if err != nil {
			t.Fatalf("Check(%q) = %v", names, err)
		}
		// Every name has a price: the fee check eppregistry asks for does not
		// depend on availability.
		std := registrar.Availability{Currency: "USD", CreatePrice: "10.00"}
		avail := func(name string, ok bool, reason string) registrar.Availability {
			a := std
			a.Name, a.Available, a.Reason = name, ok, reason
			return a
		}
		premium := avail("premium-example.com", true, "")
		premium.Premium, premium.CreatePrice = true, "500.00"
		want := []registrar.Availability{
			avail("free.com", true, ""),
			avail("theirs.com", false, "In use"),
			avail("theirs.com", false, "In use"),
			avail("taken-example.com", false, "In use"),
			premium,
			avail("reject-example.com", true, ""),
			avail("pending-example.com", false, "In use"),
			avail("slow-example.com", true, ""),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Check(%q) mismatch (-want +got):\n%s", names, diff)
		}

		bad := []string{"ok.com", "not a name"}
		_, err = f.as(ours).Check(context.Background(), bad)
		if d := errDiff(err, rerr(registrar.KindRejected, `2005 Parameter value syntax error: invalid domain name "not a name"`)); d != "" {
			t.Errorf("Check(%q): %s", bad, d)
		}
		// No names, no command.
		if got, err := f.as(ours).Check(context.Background(), nil); err != nil || len(got) != 0 {
			t.Errorf("Check(nil) = %v, %v; want nothing", got, err)
		}

		wantLog := []sandbox.LogEntry{
			entry(theirs, "create", "theirs.com", ok1000, "cl-theirs.com"),
			entry(ours, "create", "pending-example.com", ok1001, "cl-pending-example.com"),
			entry(ours, "check", "free.com,theirs.com,theirs.com,taken-example.com,premium-example.com,reject-example.com,pending-example.com,slow-example.com", ok1000, ""),
			entry(ours, "check", "ok.com,not a name", `2005 Parameter value syntax error: invalid domain name "not a name"`, ""),
		}
		if diff := cmp.Diff(wantLog, mustLog(t, f.engine()), ignoreLogVolatile); diff != "" {
			t.Errorf("Log() mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestInfo(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{Delay: time.Hour})
		t0 := f.clock.Now().Truncate(time.Microsecond)
		mustCreate(t, f.as(ours), "example.com")
		mustCreate(t, f.as(ours), "pending-example.com")
		mustCreate(t, f.as(theirs), "theirs.com")
		if err := f.as(ours).Update(context.Background(), registrar.DomainUpdate{Name: "example.com", AddStatuses: []string{"clientTransferProhibited", "clientDeleteProhibited"}}); err != nil {
			t.Fatalf("Update = %v", err)
		}
		before := len(mustLog(t, f.engine()))

		tests := []struct {
			client, name string
			want         registrar.DomainInfo
			wantErr      *registrar.Error
		}{
			{ours, "example.com", registrar.DomainInfo{Name: "example.com", Sponsored: true, AuthInfo: "auth-example.com",
				Statuses: []string{"clientDeleteProhibited", "clientTransferProhibited"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
			{theirs, "example.com", registrar.DomainInfo{Name: "example.com",
				Statuses: []string{"clientDeleteProhibited", "clientTransferProhibited"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
			{ours, "pending-example.com", registrar.DomainInfo{Name: "pending-example.com", Sponsored: true, AuthInfo: "auth-pending-example.com",
				Pending: true, Statuses: []string{"pendingCreate"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
			{ours, "theirs.com", registrar.DomainInfo{Name: "theirs.com", Statuses: []string{"ok"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
			{theirs, "theirs.com", registrar.DomainInfo{Name: "theirs.com", Sponsored: true, AuthInfo: "auth-theirs.com", Statuses: []string{"ok"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
			{ours, "taken-example.com", registrar.DomainInfo{Name: "taken-example.com", Statuses: []string{"ok"}, CreatedAt: t0.AddDate(-1, 0, 0), ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
			{ours, "missing.com", registrar.DomainInfo{}, rerr(registrar.KindNotFound, err2303)},
			{ours, "premium-example.com", registrar.DomainInfo{}, rerr(registrar.KindNotFound, err2303)},
		}
		var wantLog []sandbox.LogEntry
		for _, tt := range tests {
			got, err := f.as(tt.client).Info(context.Background(), tt.name)
			if d := errDiff(err, tt.wantErr); d != "" {
				t.Errorf("Info(%q) as %s: %s", tt.name, tt.client, d)
			}
			if diff := cmp.Diff(tt.want, got, ignoreLifecycle); diff != "" {
				t.Errorf("Info(%q) as %s mismatch (-want +got):\n%s", tt.name, tt.client, diff)
			}
			result := ok1000
			if tt.wantErr != nil {
				result = tt.wantErr.Message
			}
			wantLog = append(wantLog, entry(tt.client, "info", tt.name, result, ""))
		}
		if diff := cmp.Diff(wantLog, mustLog(t, f.engine())[before:], ignoreLogVolatile); diff != "" {
			t.Errorf("Log() mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestTakenIsStable(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{})
		r := f.as(ours)
		first, err := r.Info(context.Background(), "taken-example.com")
		if err != nil {
			t.Fatalf("Info = %v", err)
		}
		f.clock.Advance(48 * time.Hour)
		second, err := r.Info(context.Background(), "taken-example.com")
		if err != nil {
			t.Fatalf("Info = %v", err)
		}
		if diff := cmp.Diff(first, second); diff != "" {
			t.Errorf("Info(taken-example.com) changed over time (-first +second):\n%s", diff)
		}
		// 2201 is not one of the codes a registrar expects: eppregistry calls
		// it internal (a configuration problem).
		err = r.Update(context.Background(), registrar.DomainUpdate{Name: "taken-example.com", AddStatuses: []string{"clientHold"}})
		if d := errDiff(err, rerr(registrar.KindInternal, err2201)); d != "" {
			t.Errorf("Update(taken-example.com): %s", d)
		}
		info, err := f.as(sandbox.OtherRegistrar).Info(context.Background(), "taken-example.com")
		if err != nil || !info.Sponsored || info.AuthInfo == "" {
			t.Errorf("Info(taken-example.com) as %s = %+v, %v; want sponsored with auth info", sandbox.OtherRegistrar, info, err)
		}
	})
}

// createLogged is a slog.Handler that closes its channel at the first
// "sandbox command" record of a domain create.
type createLogged struct {
	once *sync.Once
	ch   chan struct{}
}

func (h createLogged) Enabled(context.Context, slog.Level) bool { return true }
func (h createLogged) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if r.Message == "sandbox command" && a.Key == "command" && a.Value.String() == "create" {
			h.once.Do(func() { close(h.ch) })
		}
		return true
	})
	return nil
}
func (h createLogged) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h createLogged) WithGroup(string) slog.Handler      { return h }

func TestSlowCreateCancelled(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		created := make(chan struct{})
		f := start(t, backend, sandbox.Config{Delay: time.Hour, Logger: slog.New(createLogged{&sync.Once{}, created})})
		r := f.as(ours)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := r.Create(ctx, createReq("slow-example.com"))
			done <- err
		}()
		<-created
		cancel() // the create has committed and waits out the delay
		err := <-done
		if d := errDiff(err, rerr(registrar.KindUnavailable, "no answer from the registry in time (the outcome is unknown)")); d != "" {
			t.Fatalf("Create(slow-example.com) with a cancelled context: %s", d)
		}
		info, err := r.Info(context.Background(), "slow-example.com")
		if err != nil {
			t.Fatalf("Info(slow-example.com) = %v", err)
		}
		if !info.Sponsored || info.AuthInfo != "auth-slow-example.com" || info.Pending {
			t.Errorf("Info(slow-example.com) = %+v, want sponsored, not pending, AuthInfo %q", info, "auth-slow-example.com")
		}
		wantLog := []sandbox.LogEntry{
			entry(ours, "create", "slow-example.com", ok1000, "cl-slow-example.com"),
			entry(ours, "info", "slow-example.com", ok1000, ""),
		}
		if diff := cmp.Diff(wantLog, mustLog(t, f.engine()), ignoreLogVolatile); diff != "" {
			t.Errorf("Log() mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestCancelledBeforeSending(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := f.as(ours).Create(ctx, createReq("example.com"))
		if d := errDiff(err, rerr(registrar.KindUnavailable, "registry unreachable")); d != "" {
			t.Errorf("Create with a cancelled context: %s", d)
		}
		if l, _ := f.engine().Log(context.Background()); len(l) != 0 {
			t.Errorf("Log() = %+v, want empty", l)
		}
	})
}

func TestPending(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		const delay = 3 * time.Second
		f := start(t, backend, sandbox.Config{Delay: delay})
		ctx := context.Background()
		us, them := f.as(ours), f.as(theirs)
		t0 := f.clock.Now().Truncate(time.Microsecond)

		res := mustCreate(t, us, "pending-example.com")
		if !res.Pending {
			t.Fatalf("Create(pending-example.com) = %+v, want pending", res)
		}
		msg, err := us.Poll(ctx)
		if err != nil || msg != nil {
			t.Fatalf("Poll() before due = %+v, %v; want nil, nil", msg, err)
		}
		f.clock.Advance(delay - time.Microsecond)
		if msg, err := us.Poll(ctx); err != nil || msg != nil {
			t.Fatalf("Poll() just before due = %+v, %v; want nil, nil", msg, err)
		}
		f.clock.Advance(time.Microsecond)
		msg, err = us.Poll(ctx)
		if err != nil {
			t.Fatalf("Poll() after due = %v", err)
		}
		want := &registrar.PollMessage{ID: "1", Domain: "pending-example.com", Success: true, TransactionID: "cl-pending-example.com",
			Message: "Pending create of pending-example.com approved", Date: t0.Add(delay)}
		if diff := cmp.Diff(want, msg); diff != "" {
			t.Fatalf("Poll() after due mismatch (-want +got):\n%s", diff)
		}
		if m, err := them.Poll(ctx); err != nil || m != nil {
			t.Errorf("Poll() as another client = %+v, %v; want nil, nil", m, err)
		}
		info, err := us.Info(ctx, "pending-example.com")
		if err != nil || info.Pending || !cmp.Equal(info.Statuses, []string{"ok"}) {
			t.Errorf("Info(pending-example.com) after due = %+v, %v; want not pending, status ok", info, err)
		}
		again, err := us.Poll(ctx)
		if err != nil || !cmp.Equal(again, want) {
			t.Errorf("Poll() again before Ack = %+v, %v; want the same message", again, err)
		}
		if err := them.Ack(ctx, msg.ID); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("Ack(%q) as another client = %v, want not found", msg.ID, err)
		}
		if err := us.Ack(ctx, msg.ID); err != nil {
			t.Fatalf("Ack(%q) = %v", msg.ID, err)
		}
		if m, err := us.Poll(ctx); err != nil || m != nil {
			t.Errorf("Poll() after Ack = %+v, %v; want nil, nil", m, err)
		}
		for _, id := range []string{msg.ID, "42", "bogus"} {
			err := us.Ack(ctx, id)
			if d := errDiff(err, rerr(registrar.KindNotFound, fmt.Sprintf("2303 Object does not exist: no message %q", id))); d != "" {
				t.Errorf("Ack(%q): %s", id, d)
			}
		}

		wantLog := []sandbox.LogEntry{
			entry(ours, "create", "pending-example.com", ok1001, "cl-pending-example.com"),
			entry(ours, "poll", "pending-example.com", ok1301, ""),
			entry(ours, "info", "pending-example.com", ok1000, ""),
			entry(ours, "poll", "pending-example.com", ok1301, ""),
			entry(theirs, "ack", "", `2303 Object does not exist: no message "1"`, ""),
			entry(ours, "ack", "pending-example.com", ok1000, ""),
			entry(ours, "ack", "", `2303 Object does not exist: no message "1"`, ""),
			entry(ours, "ack", "", `2303 Object does not exist: no message "42"`, ""),
			entry(ours, "ack", "", `2303 Object does not exist: no message "bogus"`, ""),
		}
		if diff := cmp.Diff(wantLog, mustLog(t, f.engine()), ignoreLogVolatile); diff != "" {
			t.Errorf("Log() mismatch (-want +got):\n%s", diff)
		}
	})
}

// TestPendingSettledByAnyCommand checks that a due pending create is
// approved by whatever command comes first, not only by a poll.
func TestPendingSettledByAnyCommand(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{})
		us := f.as(ours)
		mustCreate(t, us, "pending-a.com")
		f.clock.Advance(testDelay)
		info, err := f.as(theirs).Info(context.Background(), "pending-a.com")
		if err != nil || info.Pending {
			t.Fatalf("Info(pending-a.com) after due = %+v, %v; want not pending", info, err)
		}
		msg, err := us.Poll(context.Background())
		if err != nil || msg == nil || msg.Domain != "pending-a.com" || !msg.Success {
			t.Errorf("Poll() = %+v, %v; want the approval of pending-a.com", msg, err)
		}
	})
}

func TestOutage(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		const delay = 3 * time.Second
		f := start(t, backend, sandbox.Config{Delay: delay})
		ctx := context.Background()

		calls := []struct {
			desc string
			call func() error
		}{
			{"Check", func() error { _, err := f.as(ours).Check(ctx, []string{"fine.com", "outage-example.com"}); return err }},
			{"Create", func() error { _, err := f.as(ours).Create(ctx, createReq("outage-example.com")); return err }},
			{"Info", func() error { _, err := f.as(ours).Info(ctx, "outage-example.com"); return err }},
			{"Renew", func() error { _, err := f.as(ours).Renew(ctx, "outage-example.com", time.Now(), 1); return err }},
			{"Update", func() error {
				return f.as(ours).Update(ctx, registrar.DomainUpdate{Name: "outage-example.com", AddStatuses: []string{"clientHold"}})
			}},
		}
		for _, c := range calls {
			if d := errDiff(c.call(), unreachable); d != "" {
				t.Errorf("%s(outage-example.com) during the outage: %s", c.desc, d)
			}
		}
		// The window is the first Delay after the first sighting, also after
		// a restart.
		f.clock.Advance(delay - time.Microsecond)
		f.restart()
		if d := errDiff(calls[1].call(), unreachable); d != "" {
			t.Errorf("Create(outage-example.com) at the end of the outage, after a restart: %s", d)
		}
		if l := mustLog(t, f.engine()); len(l) != 0 {
			t.Errorf("Log() during the outage = %+v, want empty", l)
		}
		// Poll mentions no name and is not affected.
		if _, err := f.as(ours).Poll(ctx); err != nil {
			t.Errorf("Poll() during the outage = %v", err)
		}

		f.clock.Advance(time.Microsecond)
		if _, err := f.as(ours).Create(ctx, createReq("outage-example.com")); err != nil {
			t.Fatalf("Create(outage-example.com) after the outage = %v", err)
		}
		if info, err := f.as(ours).Info(ctx, "outage-example.com"); err != nil || !info.Sponsored {
			t.Errorf("Info(outage-example.com) after the outage = %+v, %v", info, err)
		}
		wantLog := []sandbox.LogEntry{
			entry(ours, "create", "outage-example.com", ok1000, "cl-outage-example.com"),
			entry(ours, "info", "outage-example.com", ok1000, ""),
		}
		if diff := cmp.Diff(wantLog, mustLog(t, f.engine()), ignoreLogVolatile); diff != "" {
			t.Errorf("Log() mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestRenew(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		tests := []struct {
			desc      string
			name      string
			client    string
			curExpiry func(exp time.Time) time.Time
			years     int
			setup     func(t *testing.T, r registrar.Registry)
			wantAdd   int // years added to the expiry, on success
			wantErr   *registrar.Error
		}{
			{desc: "one year", years: 1, wantAdd: 1},
			{desc: "nine years to ten", years: 9, wantAdd: 9},
			{desc: "other time same date", years: 1, wantAdd: 1,
				curExpiry: func(exp time.Time) time.Time {
					return time.Date(exp.Year(), exp.Month(), exp.Day(), 0, 0, 0, 0, time.UTC)
				}},
			{desc: "beyond ten years", years: 10,
				wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: registration period may not exceed 10 years")},
			{desc: "wrong date", years: 1, curExpiry: func(exp time.Time) time.Time { return exp.AddDate(0, 0, 1) },
				wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: curExpDate does not match")},
			{desc: "eleven years", years: 11,
				wantErr: rerr(registrar.KindRejected, "2004 Parameter value range error: period must be 1 to 10 years")},
			{desc: "not sponsor", client: theirs, years: 1, wantErr: rerr(registrar.KindInternal, err2201)},
			{desc: "taken", name: "taken-example.com", years: 1, wantErr: rerr(registrar.KindInternal, err2201)},
			{desc: "missing", name: "missing.com", years: 1, wantErr: rerr(registrar.KindNotFound, err2303)},
			{desc: "pending", name: "pending-example.com", years: 1,
				wantErr: rerr(registrar.KindRejected, "2304 Object status prohibits operation: pendingCreate")},
			{desc: "renew prohibited", years: 1,
				setup: func(t *testing.T, r registrar.Registry) {
					if err := r.Update(context.Background(), registrar.DomainUpdate{Name: "example.com", AddStatuses: []string{"clientRenewProhibited"}}); err != nil {
						t.Fatal(err)
					}
				},
				wantErr: rerr(registrar.KindRejected, "2304 Object status prohibits operation: clientRenewProhibited")},
		}
		for _, tt := range tests {
			t.Run(tt.desc, func(t *testing.T) {
				t.Parallel()
				f := start(t, backend, sandbox.Config{Delay: time.Hour})
				us := f.as(ours)
				mustCreate(t, us, "example.com")
				mustCreate(t, us, "pending-example.com")
				if tt.setup != nil {
					tt.setup(t, us)
				}
				name, client := tt.name, tt.client
				if name == "" {
					name = "example.com"
				}
				if client == "" {
					client = ours
				}
				t0 := f.clock.Now().Truncate(time.Microsecond)
				exp := t0.AddDate(1, 0, 0) // also taken- names' expiry
				cur := exp
				if tt.curExpiry != nil {
					cur = tt.curExpiry(exp)
				}
				got, err := f.as(client).Renew(context.Background(), name, cur, tt.years)
				if d := errDiff(err, tt.wantErr); d != "" {
					t.Fatalf("Renew(%q, %v, %d): %s", name, cur, tt.years, d)
				}
				wantExp := exp
				if tt.wantErr == nil {
					wantExp = exp.AddDate(tt.wantAdd, 0, 0)
					if !got.Equal(wantExp) {
						t.Errorf("Renew(%q, %v, %d) = %v, want %v", name, cur, tt.years, got, wantExp)
					}
				}
				if info, err := us.Info(context.Background(), name); err == nil && !info.ExpiresAt.Equal(wantExp) {
					t.Errorf("Info(%q).ExpiresAt after Renew = %v, want %v", name, info.ExpiresAt, wantExp)
				}
				result := ok1000
				if tt.wantErr != nil {
					result = tt.wantErr.Message
				}
				var renews []sandbox.LogEntry
				for _, le := range mustLog(t, f.engine()) {
					if le.Command == "renew" {
						renews = append(renews, le)
					}
				}
				if diff := cmp.Diff([]sandbox.LogEntry{entry(client, "renew", name, result, "")}, renews, ignoreLogVolatile); diff != "" {
					t.Errorf("renews in Log() mismatch (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		tests := []struct {
			desc         string
			client       string
			name         string
			initial      []string
			add, remove  []string
			wantStatuses []string
			wantErr      *registrar.Error
		}{
			{desc: "add", add: []string{"clientTransferProhibited"}, wantStatuses: []string{"clientTransferProhibited"}},
			{desc: "add all", add: []string{"clientHold", "clientUpdateProhibited", "clientDeleteProhibited", "clientRenewProhibited", "clientTransferProhibited"},
				wantStatuses: []string{"clientDeleteProhibited", "clientHold", "clientRenewProhibited", "clientTransferProhibited", "clientUpdateProhibited"}},
			{desc: "remove", initial: []string{"clientHold", "clientDeleteProhibited"}, remove: []string{"clientHold"}, wantStatuses: []string{"clientDeleteProhibited"}},
			{desc: "remove last", initial: []string{"clientHold"}, remove: []string{"clientHold"}, wantStatuses: []string{"ok"}},
			{desc: "add present and remove absent", initial: []string{"clientHold"}, add: []string{"clientHold"}, remove: []string{"clientDeleteProhibited"},
				wantStatuses: []string{"clientHold"}},
			{desc: "remove update prohibited", initial: []string{"clientUpdateProhibited"}, remove: []string{"clientUpdateProhibited"}, add: []string{"clientHold"},
				wantStatuses: []string{"clientHold"}},
			{desc: "update prohibited", initial: []string{"clientUpdateProhibited"}, add: []string{"clientHold"},
				wantStatuses: []string{"clientUpdateProhibited"},
				wantErr:      rerr(registrar.KindRejected, "2304 Object status prohibits operation: clientUpdateProhibited")},
			{desc: "server status", add: []string{"serverHold"}, wantStatuses: []string{"ok"},
				wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: status serverHold cannot be set by a client")},
			{desc: "remove ok", remove: []string{"ok"}, wantStatuses: []string{"ok"},
				wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: status ok cannot be set by a client")},
			{desc: "add and remove", add: []string{"clientHold"}, remove: []string{"clientHold"}, wantStatuses: []string{"ok"},
				wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: status clientHold both added and removed")},
			{desc: "not sponsor", client: theirs, add: []string{"clientHold"}, wantStatuses: []string{"ok"},
				wantErr: rerr(registrar.KindInternal, err2201)},
			{desc: "missing", name: "missing.com", add: []string{"clientHold"},
				wantErr: rerr(registrar.KindNotFound, err2303)},
			{desc: "pending", name: "pending-example.com", add: []string{"clientHold"}, wantStatuses: []string{"pendingCreate"},
				wantErr: rerr(registrar.KindRejected, "2304 Object status prohibits operation: pendingCreate")},
		}
		for _, tt := range tests {
			t.Run(tt.desc, func(t *testing.T) {
				t.Parallel()
				f := start(t, backend, sandbox.Config{Delay: time.Hour})
				us := f.as(ours)
				ctx := context.Background()
				mustCreate(t, us, "example.com")
				mustCreate(t, us, "pending-example.com")
				if tt.initial != nil {
					if err := us.Update(ctx, registrar.DomainUpdate{Name: "example.com", AddStatuses: tt.initial}); err != nil {
						t.Fatalf("Update(initial) = %v", err)
					}
				}
				name, client := tt.name, tt.client
				if name == "" {
					name = "example.com"
				}
				if client == "" {
					client = ours
				}
				req := registrar.DomainUpdate{Name: name, AddStatuses: tt.add, RemoveStatuses: tt.remove}
				err := f.as(client).Update(ctx, req)
				if d := errDiff(err, tt.wantErr); d != "" {
					t.Fatalf("Update(%+v): %s", req, d)
				}
				if tt.wantStatuses != nil {
					info, err := us.Info(ctx, name)
					if err != nil {
						t.Fatalf("Info(%q) = %v", name, err)
					}
					if diff := cmp.Diff(tt.wantStatuses, info.Statuses); diff != "" {
						t.Errorf("Info(%q).Statuses after Update(%+v) mismatch (-want +got):\n%s", name, req, diff)
					}
				}
				result := ok1000
				if tt.wantErr != nil {
					result = tt.wantErr.Message
				}
				l := mustLog(t, f.engine())
				i := 2
				if tt.initial != nil {
					i = 3
				}
				if diff := cmp.Diff(entry(client, "update", name, result, ""), l[i], ignoreLogVolatile); diff != "" {
					t.Errorf("Log()[%d] mismatch (-want +got):\n%s", i, diff)
				}
			})
		}
	})
}

// TestLogEntries checks whole log entries, and that a create's server
// transaction ID is the one the registry answered with.
func TestLogEntries(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{})
		ctx := context.Background()
		t0 := f.clock.Now().Truncate(time.Microsecond)
		req := createReq("example.com")
		req.TransactionID = "ABC-1"
		res, err := f.as(ours).Create(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if res.ServerTransactionID != "SANDBOX-2" {
			t.Errorf("Create: svTRID %q, want SANDBOX-2 (after the contact create)", res.ServerTransactionID)
		}
		f.clock.Advance(time.Second)
		req.TransactionID, req.AuthInfo = "XYZ-9", "auth-theirs"
		if _, err := f.as(theirs).Create(ctx, req); !registrar.IsKind(err, registrar.KindConflict) {
			t.Errorf("second Create = %v, want conflict", err)
		}
		l, err := f.engine().Log(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []sandbox.LogEntry{
			{Seq: 1, Time: t0, ClientID: ours, Domain: l[0].Domain, Command: "contact:create", Result: ok1000, ClientTRID: l[0].ClientTRID, ServerTRID: "SANDBOX-1"},
			{Seq: 2, Time: t0, ClientID: ours, Domain: "example.com", Command: "create", Result: ok1000, ClientTRID: "ABC-1", ServerTRID: "SANDBOX-2"},
			{Seq: 3, Time: t0.Add(time.Second), ClientID: theirs, Domain: l[2].Domain, Command: "contact:create", Result: ok1000, ClientTRID: l[2].ClientTRID, ServerTRID: "SANDBOX-3"},
			{Seq: 4, Time: t0.Add(time.Second), ClientID: theirs, Domain: "example.com", Command: "create", Result: err2302, ClientTRID: "XYZ-9", ServerTRID: "SANDBOX-4"},
		}
		if diff := cmp.Diff(want, l); diff != "" {
			t.Errorf("Log() mismatch (-want +got):\n%s", diff)
		}
		for _, i := range []int{0, 2} {
			if !strings.HasPrefix(l[i].ClientTRID, "OR-") || !strings.HasPrefix(l[i].Domain, "or") {
				t.Errorf("Log()[%d] = %+v, want the contact ID eppregistry derives and a generated clTRID", i, l[i])
			}
		}
	})
}

func TestPersistence(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{Delay: time.Hour})
		ctx := context.Background()
		mustCreate(t, f.as(ours), "example.com")
		mustCreate(t, f.as(ours), "pending-example.com")
		if err := f.as(ours).Update(ctx, registrar.DomainUpdate{Name: "example.com", AddStatuses: []string{"clientHold"}}); err != nil {
			t.Fatal(err)
		}
		before, err := f.as(ours).Info(ctx, "example.com")
		if err != nil {
			t.Fatal(err)
		}
		logBefore := mustLog(t, f.engine())

		f.restart()
		if diff := cmp.Diff(logBefore, mustLog(t, f.engine())); diff != "" {
			t.Errorf("Log() after a restart mismatch (-before +after):\n%s", diff)
		}
		after, err := f.as(ours).Info(ctx, "example.com")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("Info(example.com) after a restart mismatch (-before +after):\n%s", diff)
		}
		// The pending create keeps its due time and clTRID across the restart.
		f.clock.Advance(time.Hour)
		msg, err := f.as(ours).Poll(ctx)
		if err != nil || msg == nil || msg.TransactionID != "cl-pending-example.com" {
			t.Errorf("Poll() after a restart and due = %+v, %v; want the pending create's message", msg, err)
		}
		l, err := f.engine().Log(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if last := l[len(l)-1]; last.Seq != int64(len(l)) || last.ServerTRID != fmt.Sprintf("SANDBOX-%d", len(l)) {
			t.Errorf("last Log() entry = %+v, want seq and svtrid %d", last, len(l))
		}
	})
}

func TestReadLog(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{})
		ctx := context.Background()
		mustCreate(t, f.as(ours), "example.com")
		if _, err := f.as(ours).Info(ctx, "example.com"); err != nil {
			t.Fatal(err)
		}
		full := func() []sandbox.LogEntry {
			l, err := f.engine().Log(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		got, err := f.store.readLog(ctx)
		if err != nil {
			t.Fatalf("ReadLog() while open = %v", err)
		}
		if diff := cmp.Diff(full(), got); diff != "" {
			t.Errorf("ReadLog() while open mismatch (-Log +ReadLog):\n%s", diff)
		}
		// Writes go on while a reader has read.
		mustCreate(t, f.as(ours), "example.net")
		want := full()
		if len(want) != 5 {
			t.Fatalf("Log() has %d entries, want 5 (contact, create, info, contact, create)", len(want))
		}
		if err := f.srv.Close(); err != nil {
			t.Fatal(err)
		}
		got, err = f.store.readLog(ctx)
		if err != nil {
			t.Fatalf("ReadLog() after Close = %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ReadLog() after Close mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		const n = 50
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("client-%d", i)
		}
		srv := sandboxtest.Start(t, sandboxtest.Options{Engine: sandbox.Config{Clock: sandbox.NewFakeClock()}, Open: newStore(t, backend).open,
			ClientIDs: ids, PoolSize: 1})
		regs := make([]registrar.Registry, n)
		for i, id := range ids {
			regs[i] = srv.Registry(t, id)
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				req := createReq("example.com")
				req.AuthInfo = fmt.Sprintf("auth-%d", i)
				_, errs[i] = regs[i].Create(context.Background(), req)
			})
		}
		wg.Wait()
		winners := 0
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
			case !registrar.IsKind(err, registrar.KindConflict):
				t.Errorf("Create(example.com) as client-%d = %v, want success or conflict", i, err)
			}
		}
		if winners != 1 {
			t.Errorf("%d of %d concurrent creates succeeded, want 1", winners, n)
		}
		l := mustLog(t, srv.Engine)
		if len(l) != n {
			t.Errorf("Log() has %d domain creates, want %d", len(l), n)
		}
		svtrids := make(map[string]bool)
		for _, le := range l {
			svtrids[le.ServerTRID] = true
		}
		if len(svtrids) != n {
			t.Errorf("Log() has %d distinct svTRIDs, want %d", len(svtrids), n)
		}
	})
}

// TestClosed checks that a registry whose engine is closed answers 2400
// while its EPP server still runs.
func TestClosed(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{})
		r := f.as(ours)
		f.engine().Close()
		_, err := r.Info(context.Background(), "example.com")
		if d := errDiff(err, unreachable); d != "" {
			t.Errorf("Info after the engine closed: %s", d)
		}
	})
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	r, e := sandboxtest.Registry(t, sandbox.Config{})
	if e.Delay() != sandbox.DefaultDelay {
		t.Errorf("Delay() = %v, want %v", e.Delay(), sandbox.DefaultDelay)
	}
	before := time.Now().UTC().Add(-time.Second)
	res, err := r.Create(context.Background(), createReq("example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if res.CreatedAt.Location() != time.UTC || res.CreatedAt.Before(before) {
		t.Errorf("CreatedAt = %v, want the current UTC time", res.CreatedAt)
	}
}

// A poll that finds no message is not logged (a registrar polling an idle
// registry would fill the log), yet it has its own svTRID: no svTRID is
// given twice, also across a restart.
func TestEmptyPollsAreNotLogged(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		f := start(t, backend, sandbox.Config{})
		ctx := context.Background()
		for range 3 {
			if m, err := f.as(ours).Poll(ctx); err != nil || m != nil {
				t.Fatalf("Poll() = %+v, %v; want nil, nil", m, err)
			}
		}
		if l := mustLog(t, f.engine()); len(l) != 0 {
			t.Fatalf("Log() after empty polls = %+v, want empty", l)
		}
		if _, err := f.as(ours).Create(ctx, createReq("example.com")); err != nil {
			t.Fatal(err)
		}
		f.restart()
		for range 2 {
			if _, err := f.as(ours).Poll(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.as(ours).Info(ctx, "example.com"); err != nil {
			t.Fatal(err)
		}
		l, err := f.engine().Log(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The three empty polls took seq 1 to 3, the two after the restart
		// the two before the info.
		for i, le := range l {
			want := int64(4)
			switch {
			case i == len(l)-1:
				want = l[i-1].Seq + 3
			case i > 0:
				want = l[i-1].Seq + 1
			}
			if le.Command == "poll" || le.Seq != want || le.ServerTRID != fmt.Sprintf("SANDBOX-%d", want) {
				t.Errorf("Log()[%d] = %+v, want a command other than poll with seq and svtrid %d", i, le, want)
			}
		}
	})
}

// The log keeps its entries for LogRetention (30 days by default): a
// command deletes the older ones, at most once an hour.
func TestLogRetention(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ctx := context.Background()
		for _, keep := range []time.Duration{0, 48 * time.Hour} {
			t.Run(keep.String(), func(t *testing.T) {
				t.Parallel()
				f := start(t, backend, sandbox.Config{LogRetention: keep})
				if keep == 0 {
					keep = 30 * 24 * time.Hour
				}
				if _, err := f.as(ours).Create(ctx, createReq("old.com")); err != nil {
					t.Fatal(err)
				}
				f.clock.Advance(keep - time.Hour)
				if _, err := f.as(ours).Info(ctx, "old.com"); err != nil {
					t.Fatal(err)
				}
				want := []sandbox.LogEntry{
					entry(ours, "create", "old.com", ok1000, "cl-old.com"),
					entry(ours, "info", "old.com", ok1000, ""),
				}
				if diff := cmp.Diff(want, mustLog(t, f.engine()), ignoreLogVolatile); diff != "" {
					t.Errorf("Log() within the retention mismatch (-want +got):\n%s", diff)
				}
				f.clock.Advance(2 * time.Hour)
				if _, err := f.as(ours).Info(ctx, "old.com"); err != nil {
					t.Fatal(err)
				}
				want = []sandbox.LogEntry{
					entry(ours, "info", "old.com", ok1000, ""),
					entry(ours, "info", "old.com", ok1000, ""),
				}
				if diff := cmp.Diff(want, mustLog(t, f.engine()), ignoreLogVolatile); diff != "" {
					t.Errorf("Log() past the retention of the create mismatch (-want +got):\n%s", diff)
				}
			})
		}
		if _, err := sandbox.Open(filepath.Join(t.TempDir(), "sandbox.db"), sandbox.Config{LogRetention: -time.Hour}); err == nil {
			t.Error("Open() with a negative log retention succeeded")
		}
	})
}
