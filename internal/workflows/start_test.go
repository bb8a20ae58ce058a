package workflows

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// succeedRegistration registers domain for the bundle's account through a
// create answered 1000.
func (b *bundle) succeedRegistration(env registrar.Env, name string) *registrar.Workflow {
	b.t.Helper()
	b.reg.on("check", available(name)).on("create", created)
	wf := b.register(env, name, "ada@example.com")
	b.step()
	if got := b.workflow(wf.ID); got.State != registrar.StateSucceeded {
		b.t.Fatalf("registration of %s: %s %s", name, got.State, got.ErrorMessage)
	}
	return wf
}

// otherAccount creates a second account.
func (b *bundle) otherAccount() registrar.Principal {
	b.t.Helper()
	acct, _, err := b.db.CreateAccount(b.ctx, "grace", contact("grace@example.com"), t0)
	if err != nil {
		b.t.Fatal(err)
	}
	return registrar.Principal{AccountID: acct.ID}
}

func TestStartRegistrationIsIdempotentPerDomain(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	first := b.register(registrar.EnvLive, domain, "ada@example.com")
	again := b.register(registrar.EnvLive, domain, "someone@example.com")
	if again.ID != first.ID || again.State != registrar.StatePending {
		t.Errorf("the same domain again started %s (%s), want workflow %s", again.ID, again.State, first.ID)
	}
	if first.Existing || !again.Existing {
		t.Errorf("Existing = %t, then %t; want false for the new workflow, true for the repeat", first.Existing, again.Existing)
	}
	if q := b.queuedSteps(); len(q) != 1 {
		t.Errorf("%d step jobs queued, want one", len(q))
	}
	if n := b.slots(registrar.EnvLive); n != 1 {
		t.Errorf("%d domain slots taken, want one", n)
	}
	if d := b.data(first.ID); d.Contacts.Registrant.Email != "ada@example.com" {
		t.Errorf("the repeated request changed the registrant to %s", d.Contacts.Registrant.Email)
	}
	// The same name in the other environment is another registration.
	if sbx := b.register(registrar.EnvSandbox, domain, "ada@example.com"); sbx.ID == first.ID {
		t.Error("the sandbox registration reused the live workflow")
	}
	if b.jobs.wakes != 3 {
		t.Errorf("%d wakes after three requests, want three", b.jobs.wakes)
	}
}

func TestStartRegistrationAfterSuccessReturnsIt(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	wf := b.succeedRegistration(registrar.EnvLive, domain)
	again := b.register(registrar.EnvLive, domain, "ada@example.com")
	if again.ID != wf.ID || again.State != registrar.StateSucceeded || !again.Existing {
		t.Errorf("registering a held domain again gave %s (%s, Existing %t), want the succeeded workflow %s, Existing", again.ID, again.State, again.Existing, wf.ID)
	}
	if n := len(b.charges()); n != 1 {
		t.Errorf("%d charges, want one", n)
	}
	if q := b.queuedSteps(); len(q) != 0 {
		t.Errorf("jobs queued for a held domain: %+v", q)
	}
}

// A registration that failed gave the name back: asking again starts a
// new workflow, which asks the registry again.
func TestStartRegistrationAfterFailureStartsAgain(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	b.reg.on("check", answer{err: errPolicy}, available(domain)).on("create", created)
	first := b.register(registrar.EnvLive, domain, "ada@example.com")
	b.step()
	b.clock.Advance(time.Second) // the newest workflow is the status: by created_at
	again := b.register(registrar.EnvLive, domain, "ada@example.com")
	if again.ID == first.ID || again.State != registrar.StatePending {
		t.Fatalf("after a failure: workflow %s (%s), want a new pending one", again.ID, again.State)
	}
	b.step()
	if got := b.workflow(again.ID); got.State != registrar.StateSucceeded {
		t.Errorf("second registration %s", got.State)
	}
	if got := b.workflow(first.ID); got.State != registrar.StateFailed {
		t.Errorf("first registration became %s", got.State)
	}
	st, err := b.db.RegistrationStatus(b.ctx, b.acct.ID, registrar.EnvLive, domain)
	if err != nil || st.ID != again.ID {
		t.Errorf("the status shows %v (%v), want the new workflow", st, err)
	}
}

func TestStartRegistrationOfAnotherAccountsDomain(t *testing.T) {
	t.Parallel()
	t.Run("(none)→failed: domain_unavailable (another account holds it)", testAnotherAccountsDomain)
}

func testAnotherAccountsDomain(t *testing.T) {
	b := newBundle(t)
	mine := b.register(registrar.EnvLive, domain, "ada@example.com")
	other := b.otherAccount()
	wf, err := b.e.StartRegistration(b.ctx, other, registrar.EnvLive, registrar.RegistrationRequest{DomainName: domain, Extension: "com"})
	if err != nil {
		t.Fatal(err)
	}
	if wf.ID == mine.ID || wf.AccountID != other.AccountID {
		t.Fatalf("another account got workflow %s of account %s", wf.ID, wf.AccountID)
	}
	stored := b.workflow(wf.ID)
	if stored.State != registrar.StateFailed || stored.ErrorCode != registrar.CodeDomainUnavailable ||
		stored.ErrorMessage != "example.com is not available for registration" || !stored.Deadline.IsZero() {
		t.Errorf("other account's workflow: %s %q %q deadline %v, want failed domain_unavailable", stored.State, stored.ErrorCode, stored.ErrorMessage, stored.Deadline)
	}
	if diff := cmp.Diff([]string{"failed/start"}, b.history(wf.ID)); diff != "" {
		t.Errorf("stored states (-want +got):\n%s", diff)
	}
	if n := b.slots(registrar.EnvLive); n != 1 {
		t.Errorf("%d domain slots taken, want only the holder's", n)
	}
	if g := b.registration(registrar.EnvLive, domain); g == nil || g.WorkflowID != mine.ID {
		t.Errorf("the holder's registration changed: %+v", g)
	}
	if q := b.queuedSteps(); len(q) != 1 {
		t.Errorf("%d step jobs, want only the holder's", len(q))
	}
	if calls := b.reg.Calls(); len(calls) != 0 {
		t.Errorf("the registry was asked: %q", calls)
	}
}

func TestStartRegistrationMaxDomains(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.MaxDomains = 2
	b := newBundle(t, bundleOpts{cfg: cfg})
	b.register(registrar.EnvLive, "one.com", "ada@example.com")
	b.register(registrar.EnvLive, "two.com", "ada@example.com")
	_, err := b.e.StartRegistration(b.ctx, b.p, registrar.EnvLive, registrar.RegistrationRequest{DomainName: "three.com", Extension: "com"})
	if !registrar.IsKind(err, registrar.KindQuota) {
		t.Fatalf("third domain: %v, want a quota error", err)
	}
	if g := b.registration(registrar.EnvLive, "three.com"); g != nil {
		t.Errorf("the refused domain is held: %+v", g)
	}
	// The limit is per environment.
	b.register(registrar.EnvSandbox, "three.com", "ada@example.com")

	// A failed registration gives its slot back.
	b.reg.on("check", taken("one.com", ""))
	b.step()
	if n := b.slots(registrar.EnvLive); n != 1 {
		t.Fatalf("%d live slots after a failure, want 1", n)
	}
	if wf := b.register(registrar.EnvLive, "three.com", "ada@example.com"); wf.State != registrar.StatePending {
		t.Errorf("after a slot came back: %s", wf.State)
	}
}

func TestStartRegistrationRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		req         registrar.RegistrationRequest
		noDefault   bool // the account has no default contact
		wantPointer string
		// on success:
		years   int
		price   int64
		privacy registrar.PrivacyMode
		email   string
	}{
		{name: "unsupported extension", req: registrar.RegistrationRequest{DomainName: "example.org", Extension: "org"}, wantPointer: "/domain_name"},
		{name: "no registrant and no default contact", req: registrar.RegistrationRequest{DomainName: domain, Extension: "com"}, noDefault: true,
			wantPointer: "/contacts/registrant"},
		{name: "defaults: minimum years, redaction, the account's contact", req: registrar.RegistrationRequest{DomainName: domain, Extension: "com"},
			years: 1, price: 1099, privacy: registrar.PrivacyRedaction, email: "ada@example.com"},
		{name: "three years, privacy off, own registrant", req: registrar.RegistrationRequest{DomainName: domain, Extension: "com", Years: 3,
			PrivacyMode: registrar.PrivacyOff, AutoRenew: true, Contacts: registrar.Contacts{Registrant: contact("own@example.com")}},
			years: 3, price: 3297, privacy: registrar.PrivacyOff, email: "own@example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			p := b.p
			if c.noDefault {
				acct, _, err := b.db.CreateAccount(b.ctx, "nodefault", nil, t0)
				if err != nil {
					t.Fatal(err)
				}
				p = registrar.Principal{AccountID: acct.ID}
			}
			wf, err := b.e.StartRegistration(b.ctx, p, registrar.EnvLive, c.req)
			if c.wantPointer != "" {
				e := registrar.AsError(err)
				if e == nil || e.Kind != registrar.KindInvalid || len(e.Fields) != 1 || e.Fields[0].Pointer != c.wantPointer {
					t.Fatalf("error %v, want invalid at %s", err, c.wantPointer)
				}
				if b.registration(registrar.EnvLive, c.req.DomainName) != nil || len(b.queuedSteps()) != 0 {
					t.Error("a refused request claimed the domain or queued a job")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d := b.data(wf.ID)
			if d.Years != c.years || d.PriceCents != c.price || d.Currency != "USD" || d.PrivacyMode != c.privacy ||
				d.Contacts.Registrant.Email != c.email || d.AutoRenew != c.req.AutoRenew {
				t.Errorf("stored request: %+v", d)
			}
			if len(d.AuthInfo) < 16 || d.CreateAttempts != 0 {
				t.Errorf("auth code %q, %d attempts", d.AuthInfo, d.CreateAttempts)
			}
			g := b.registration(registrar.EnvLive, domain)
			if g == nil || g.PrivacyMode != c.privacy || g.AutoRenew != c.req.AutoRenew || !g.Locked || g.ExpiresAt != nil {
				t.Errorf("claimed registration: %+v", g)
			}
		})
	}
}

// TestUpdateTransitions covers the update workflow's one step.
func TestUpdateTransitions(t *testing.T) {
	t.Parallel()
	on := true
	cases := []struct {
		name string
		// between runs after StartUpdate, before its step.
		between  func(b *bundle)
		sweep    bool // the sweeper runs an hour later instead of the step
		path     []string
		code     string
		msg      string
		ctx      func(g *registrar.Registration) registrar.StatusContext
		autoRenw bool // the registration's auto_renew afterwards (when it exists)
	}{
		{
			name: "pending→succeeded: auto_renew changed",
			path: []string{"pending/apply", "succeeded/apply"},
			ctx: func(g *registrar.Registration) registrar.StatusContext {
				return registrar.StatusContext{FieldsUpdated: []string{"auto_renew"}, Changes: map[string]any{"auto_renew": true}, Registration: g}
			},
			autoRenw: true,
		},
		{
			name: "pending→failed: registration_not_found (the registration went away)",
			between: func(b *bundle) {
				wf, err := b.db.RegistrationStatus(b.ctx, b.acct.ID, registrar.EnvLive, domain)
				if err != nil {
					b.t.Fatal(err)
				}
				if err := b.db.InTx(b.ctx, func(tx *store.Tx) error { return tx.DeleteRegistration(b.ctx, registrar.EnvLive, domain, wf.ID) }); err != nil {
					b.t.Fatal(err)
				}
			},
			path: []string{"pending/apply", "failed/apply"}, code: "registration_not_found", msg: "the registration no longer exists",
			ctx: func(*registrar.Registration) registrar.StatusContext {
				return registrar.StatusContext{FieldsUpdated: []string{"auto_renew"}, Changes: map[string]any{"auto_renew": true}}
			},
		},
		{
			name: "pending→failed: registration_not_found (another account holds the name now)",
			between: func(b *bundle) {
				wf, err := b.db.RegistrationStatus(b.ctx, b.acct.ID, registrar.EnvLive, domain)
				if err != nil {
					b.t.Fatal(err)
				}
				if err := b.db.InTx(b.ctx, func(tx *store.Tx) error { return tx.DeleteRegistration(b.ctx, registrar.EnvLive, domain, wf.ID) }); err != nil {
					b.t.Fatal(err)
				}
				if _, err := b.e.StartRegistration(b.ctx, b.otherAccount(), registrar.EnvLive, registrar.RegistrationRequest{DomainName: domain, Extension: "com"}); err != nil {
					b.t.Fatal(err)
				}
			},
			path: []string{"pending/apply", "failed/apply"}, code: "registration_not_found", msg: "the registration no longer exists",
			ctx: func(*registrar.Registration) registrar.StatusContext {
				return registrar.StatusContext{FieldsUpdated: []string{"auto_renew"}, Changes: map[string]any{"auto_renew": true}}
			},
		},
		{
			name:  "pending→failed: deadline_exceeded (sweeper) keeps the registration",
			sweep: true,
			path:  []string{"pending/apply", "failed/apply"}, code: registrar.CodeDeadlineExceeded, msg: "the workflow did not finish in time (it was pending)",
			ctx: func(*registrar.Registration) registrar.StatusContext {
				return registrar.StatusContext{FieldsUpdated: []string{"auto_renew"}, Changes: map[string]any{"auto_renew": true}}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			b.succeedRegistration(registrar.EnvLive, domain)
			calls := len(b.reg.Calls())
			wf, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{AutoRenew: &on})
			if err != nil {
				t.Fatal(err)
			}
			if wf.State != registrar.StatePending || !wf.Deadline.Equal(t0.Add(time.Hour)) {
				t.Errorf("started %s, deadline %v", wf.State, wf.Deadline)
			}
			pending := registrar.StatusContext{DomainName: domain, FieldsUpdated: []string{"auto_renew"},
				PendingRegistryConfirmation: true, Changes: map[string]any{"auto_renew": true}}
			if diff := cmp.Diff(pending, statusContext(t, wf)); diff != "" {
				t.Errorf("public context while pending (-want +got):\n%s", diff)
			}
			if c.between != nil {
				c.between(b)
			}
			if c.sweep {
				b.clock.Advance(time.Hour + time.Second)
				b.sweep()
				if g := b.registration(registrar.EnvLive, domain); g == nil {
					t.Error("a failed update deleted the registration")
				}
			} else {
				b.step()
			}
			got := b.workflow(wf.ID)
			if diff := cmp.Diff(c.path, b.history(wf.ID)); diff != "" {
				t.Errorf("stored states (-want +got):\n%s", diff)
			}
			if got.ErrorCode != c.code || got.ErrorMessage != c.msg || !got.Deadline.IsZero() {
				t.Errorf("error %q %q deadline %v, want %q %q and none", got.ErrorCode, got.ErrorMessage, got.Deadline, c.code, c.msg)
			}
			g := b.registration(registrar.EnvLive, domain)
			var inCtx *registrar.Registration
			if g != nil && g.AccountID == b.acct.ID {
				if g.AutoRenew != c.autoRenw {
					t.Errorf("registration auto_renew %v, want %v", g.AutoRenew, c.autoRenw)
				}
				cp := *g
				cp.AccountID, cp.Env, cp.WorkflowID = "", "", "" // not part of the JSON
				inCtx = &cp
			}
			want := c.ctx(inCtx)
			want.DomainName = domain
			if diff := cmp.Diff(want, statusContext(t, got)); diff != "" {
				t.Errorf("public context (-want +got):\n%s", diff)
			}
			if n := len(b.reg.Calls()); n != calls {
				t.Errorf("an update called the registry: %q", b.reg.Calls()[calls:])
			}
		})
	}
}

func TestStartUpdateRefuses(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	b.succeedRegistration(registrar.EnvLive, domain)
	on := true
	cases := []struct {
		name   string
		p      registrar.Principal
		domain string
		req    registrar.UpdateRequest
		kind   registrar.Kind
	}{
		{"no registration", b.p, "other.com", registrar.UpdateRequest{AutoRenew: &on}, registrar.KindNotFound},
		{"another account's registration", b.otherAccount(), domain, registrar.UpdateRequest{AutoRenew: &on}, registrar.KindNotFound},
		{"no change, no registration", b.p, "other.com", registrar.UpdateRequest{}, registrar.KindNotFound},
		{"no change, another account's registration", b.otherAccount(), domain, registrar.UpdateRequest{}, registrar.KindNotFound},
	}
	for _, c := range cases {
		if _, err := b.e.StartUpdate(b.ctx, c.p, registrar.EnvLive, c.domain, c.req); !registrar.IsKind(err, c.kind) {
			t.Errorf("%s: %v, want %s", c.name, err, c.kind)
		}
	}
	if q := b.queuedSteps(); len(q) != 0 {
		t.Errorf("refused updates queued jobs: %+v", q)
	}
}

// TestStartUpdateNoChange: an update that changes nothing (`{}`, which
// both SDKs send when auto_renew is not set) is a workflow that has
// succeeded when StartUpdate returns, with the registration as it was; it
// queues no job, changes nothing and calls no registry, and it is the
// newest update, so update-status shows it.
func TestStartUpdateNoChange(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	b.succeedRegistration(registrar.EnvLive, domain)
	before := b.registration(registrar.EnvLive, domain)
	calls := len(b.reg.Calls())
	wf, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if wf.State != registrar.StateSucceeded || !wf.Completed() || !wf.Deadline.IsZero() || wf.ErrorCode != "" {
		t.Errorf("StartUpdate({}) = %s (deadline %v, error %q), want succeeded at once", wf.State, wf.Deadline, wf.ErrorCode)
	}
	if q := b.queuedSteps(); len(q) != 0 {
		t.Errorf("a no-op update queued jobs: %+v", q)
	}
	if diff := cmp.Diff([]string{"succeeded/apply"}, b.history(wf.ID)); diff != "" {
		t.Errorf("stored states (-want +got):\n%s", diff)
	}
	after := b.registration(registrar.EnvLive, domain)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a no-op update changed the registration (-before +after):\n%s", diff)
	}
	cp := *after
	cp.AccountID, cp.Env, cp.WorkflowID = "", "", ""
	if diff := cmp.Diff(registrar.StatusContext{DomainName: domain, Registration: &cp}, statusContext(t, b.workflow(wf.ID))); diff != "" {
		t.Errorf("public context (-want +got):\n%s", diff)
	}
	latest, err := b.db.UpdateStatus(b.ctx, b.acct.ID, registrar.EnvLive, domain)
	if err != nil || latest.ID != wf.ID {
		t.Errorf("UpdateStatus = %v, %v; want the no-op workflow %s", latest, err, wf.ID)
	}
	if n := len(b.reg.Calls()); n != calls {
		t.Errorf("a no-op update called the registry: %q", b.reg.Calls()[calls:])
	}
}

func TestConfirmEmail(t *testing.T) {
	t.Parallel()
	// verifying starts a registration that waits for its registrant.
	verifying := func(t *testing.T) (*bundle, *registrar.Workflow, string) {
		b := newBundle(t)
		b.reg.on("check", available(domain))
		wf := b.register(registrar.EnvLive, domain, "verify.ada@example.com")
		b.step()
		return b, wf, b.verificationCode()
	}
	t.Run("twice: the second click changes nothing", func(t *testing.T) {
		t.Parallel()
		b, wf, code := verifying(t)
		if _, err := b.e.ConfirmEmail(b.ctx, code); err != nil {
			t.Fatal(err)
		}
		again, err := b.e.ConfirmEmail(b.ctx, code)
		if err != nil || again.State != registrar.StateInProgress {
			t.Fatalf("second click: %v, %v", again, err)
		}
		if n := len(b.queuedSteps()); n != 1 {
			t.Errorf("%d step jobs after two clicks, want one", n)
		}
		if h := b.history(wf.ID); len(h) != 3 {
			t.Errorf("stored states %q, want three", h)
		}
	})
	t.Run("after success, even past expiry, the link still answers", func(t *testing.T) {
		t.Parallel()
		b, wf, code := verifying(t)
		if _, err := b.e.ConfirmEmail(b.ctx, code); err != nil {
			t.Fatal(err)
		}
		b.reg.on("create", created)
		b.step()
		b.clock.Advance(16 * day)
		got, err := b.e.ConfirmEmail(b.ctx, code)
		if err != nil || got.ID != wf.ID || got.State != registrar.StateSucceeded {
			t.Fatalf("click after success: %v, %v", got, err)
		}
	})
	t.Run("expired link", func(t *testing.T) {
		t.Parallel()
		b, wf, code := verifying(t)
		b.clock.Advance(15*day + time.Second) // before the sweeper ran
		if _, err := b.e.ConfirmEmail(b.ctx, code); !registrar.IsKind(err, registrar.KindConflict) {
			t.Fatalf("expired link: %v, want a conflict", err)
		}
		if got := b.workflow(wf.ID); got.State != registrar.StateActionRequired || len(b.queuedSteps()) != 0 {
			t.Errorf("an expired link moved the workflow to %s", got.State)
		}
	})
	t.Run("ended registration", func(t *testing.T) {
		t.Parallel()
		b, wf, code := verifying(t)
		cur := b.workflow(wf.ID)
		if _, err := b.e.commit(b.ctx, nil, cur, b.e.fail(cur, registrar.CodeDeadlineExceeded, "ended")); err != nil {
			t.Fatal(err)
		}
		if _, err := b.e.ConfirmEmail(b.ctx, code); !registrar.IsKind(err, registrar.KindConflict) {
			t.Fatalf("link of a failed registration: %v, want a conflict", err)
		}
		if len(b.queuedSteps()) != 0 {
			t.Error("a job was queued for a failed registration")
		}
	})
	t.Run("unknown code", func(t *testing.T) {
		t.Parallel()
		b, _, _ := verifying(t)
		if _, err := b.e.ConfirmEmail(b.ctx, "not-a-code"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Fatalf("unknown code: %v, want not found", err)
		}
	})
	t.Run("unknown code while the writer is busy: answered without the write lock", func(t *testing.T) {
		t.Parallel()
		b, _, _ := verifying(t)
		held, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- b.db.InTx(b.ctx, func(tx *store.Tx) error {
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		// Before the look-up on the read path, this waited for the write
		// lock until the context ended (a generous bound, not a timing).
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		_, err := b.e.ConfirmEmail(ctx, "not-a-code")
		cancel()
		close(release)
		if !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("unknown code behind a held write lock: %v, want not found", err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestResendVerification: a registration waiting on its registrant's
// email gets the email again with a new link, which verifies as the first
// did; the first keeps working; the deadline does not move; resends are
// limited in rate and number; only the account's own registration, while
// it waits, with a token that may write.
func TestResendVerification(t *testing.T) {
	t.Parallel()
	writer := func(p registrar.Principal) registrar.Principal {
		p.Scopes = []registrar.Scope{registrar.ScopeRead, registrar.ScopeWrite}
		return p
	}
	// waiting starts a registration that waits for its registrant.
	waiting := func(t *testing.T) (*bundle, *registrar.Workflow, string) {
		b := newBundle(t)
		b.reg.on("check", available(domain))
		wf := b.register(registrar.EnvLive, domain, "verify.ada@example.com")
		b.step()
		return b, b.workflow(wf.ID), b.verificationCode()
	}
	t.Run("a new link in the same email, which verifies", func(t *testing.T) {
		t.Parallel()
		b, before, first := waiting(t)
		b.clock.Advance(time.Hour)
		got, err := b.e.ResendVerification(b.ctx, writer(b.p), registrar.EnvLive, domain)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != before.ID || got.State != registrar.StateActionRequired || !got.Deadline.Equal(before.Deadline) {
			t.Errorf("resend answered %s %s deadline %v; want %s still action_required, deadline %v", got.ID, got.State, got.Deadline, before.ID, before.Deadline)
		}
		if c := statusContext(t, got); c.ConfirmationSentTo != "v***@example.com" || !c.ActionExpiresAt.Equal(before.Deadline) {
			t.Errorf("context after resend %+v", c)
		}
		mail := b.outbox()
		second := b.verificationCode()
		if len(mail) != 2 || second == first || mail[1].To != "verify.ada@example.com" || mail[1].Subject != mail[0].Subject ||
			mail[1].Body != strings.Replace(mail[0].Body, first, second, 1) {
			t.Fatalf("outbox after resend: %+v; want the same email again with a new link", mail)
		}
		if n := len(b.queuedSteps()); n != 0 {
			t.Errorf("a resend queued %d steps", n)
		}
		if _, err := b.e.ConfirmEmail(b.ctx, second); err != nil {
			t.Fatal(err)
		}
		if wf := b.workflow(before.ID); wf.State != registrar.StateInProgress || wf.Step != stepCreate {
			t.Errorf("after the new link: %s at %s, want in_progress at %s", wf.State, wf.Step, stepCreate)
		}
		// Confirmed: nothing to send again.
		if _, err := b.e.ResendVerification(b.ctx, writer(b.p), registrar.EnvLive, domain); !registrar.IsKind(err, registrar.KindConflict) {
			t.Errorf("resend after the confirmation: %v, want a conflict", err)
		}
	})
	t.Run("the first link still works, until the deadline", func(t *testing.T) {
		t.Parallel()
		b, wf, first := waiting(t)
		if _, err := b.e.ResendVerification(b.ctx, writer(b.p), registrar.EnvLive, domain); err != nil {
			t.Fatal(err)
		}
		second := b.verificationCode()
		b.clock.Advance(15*day + time.Second) // past the deadline, before the sweep
		if _, err := b.e.ConfirmEmail(b.ctx, second); !registrar.IsKind(err, registrar.KindConflict) {
			t.Errorf("the new link past the deadline: %v, want a conflict (expired)", err)
		}
		if _, err := b.e.ResendVerification(b.ctx, writer(b.p), registrar.EnvLive, domain); !registrar.IsKind(err, registrar.KindConflict) {
			t.Errorf("resend past the deadline: %v, want a conflict", err)
		}
		b.clock.Advance(-2 * time.Second)
		if _, err := b.e.ConfirmEmail(b.ctx, first); err != nil {
			t.Fatalf("the first link after a resend: %v", err)
		}
		if got := b.workflow(wf.ID); got.State != registrar.StateInProgress {
			t.Errorf("after the first link: %s, want in_progress", got.State)
		}
	})
	t.Run("one a minute, five in all", func(t *testing.T) {
		t.Parallel()
		b, _, _ := waiting(t)
		p := writer(b.p)
		for i := range registrar.MaxVerificationResends {
			if _, err := b.e.ResendVerification(b.ctx, p, registrar.EnvLive, domain); err != nil {
				t.Fatalf("resend #%d: %v", i+1, err)
			}
			b.clock.Advance(59 * time.Second)
			_, err := b.e.ResendVerification(b.ctx, p, registrar.EnvLive, domain)
			if e := registrar.AsError(err); i+1 < registrar.MaxVerificationResends &&
				(e == nil || e.Kind != registrar.KindRateLimited || e.RetryAfterSeconds != 1 || !strings.Contains(e.Message, "retry in 1 second")) {
				t.Fatalf("resend 59 s after resend #%d: %v, want rate limited, retry in 1 s", i+1, err)
			}
			b.clock.Advance(time.Second)
		}
		_, err := b.e.ResendVerification(b.ctx, p, registrar.EnvLive, domain)
		if !registrar.IsKind(err, registrar.KindConflict) || !strings.Contains(err.Error(), "5 times") {
			t.Errorf("resend #6: %v, want a conflict naming the limit", err)
		}
		if n := len(b.outbox()); n != 1+registrar.MaxVerificationResends {
			t.Errorf("%d emails, want %d", n, 1+registrar.MaxVerificationResends)
		}
	})
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		b, _, _ := waiting(t)
		if _, err := b.e.ResendVerification(b.ctx, b.p, registrar.EnvLive, domain); !registrar.IsKind(err, registrar.KindForbidden) {
			t.Errorf("read-only principal: %v, want forbidden", err)
		}
		if _, err := b.e.ResendVerification(b.ctx, writer(b.otherAccount()), registrar.EnvLive, domain); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("another account: %v, want not found", err)
		}
		if _, err := b.e.ResendVerification(b.ctx, writer(b.p), registrar.EnvSandbox, domain); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("the other environment: %v, want not found", err)
		}
		b.register(registrar.EnvLive, "plain.com", "ada@example.com") // pending
		if _, err := b.e.ResendVerification(b.ctx, writer(b.p), registrar.EnvLive, "plain.com"); !registrar.IsKind(err, registrar.KindConflict) {
			t.Errorf("a registration that waits on no one: %v, want a conflict", err)
		}
		if n := len(b.outbox()); n != 1 {
			t.Errorf("%d emails after refusals, want the first alone", n)
		}
	})
}

// The verification mail names the link the registrant must open, and
// when it expires.
func TestVerificationMail(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	b.reg.on("check", available(domain))
	wf := b.register(registrar.EnvLive, domain, "verify.ada@example.com")
	b.step()
	m := b.outbox()[0]
	code := b.verificationCode()
	var c registrar.StatusContext
	if err := json.Unmarshal(b.workflow(wf.ID).Context, &c); err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Verify your email address to register example.com" || !strings.Contains(m.Body, "Hello Ada Lovelace,") ||
		!strings.Contains(m.Body, c.ActionExpiresAt.Format(time.RFC1123)) || len(code) < 32 {
		t.Errorf("mail %q / %q", m.Subject, m.Body)
	}
	if m.SentAt != nil {
		t.Error("marked sent with no mailer")
	}
}
