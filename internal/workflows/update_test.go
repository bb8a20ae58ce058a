package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
)

// lockedInfo is an Info answer of our domain with the lock set.
var lockedInfo = answer{ours: true, info: registrar.DomainInfo{Statuses: []string{registrar.StatusTransferLocked}}}

// unlockedInfo is an Info answer of our domain without the lock.
var unlockedInfo = answer{ours: true, info: registrar.DomainInfo{Statuses: []string{"ok"}}}

// TestLockTransitions covers PATCH locked: the update workflow asks the
// registry what it holds, sends the add or rem of clientTransferProhibited
// that is missing, and records locked on the registration once the
// registry has it; an unknown outcome is settled by the next attempt's
// info, never by a second update.
func TestLockTransitions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		lock    bool
		script  func(r *fakeRegistry)
		steps   int
		path    []string
		calls   []string
		code    string
		locked  bool // the registration's locked afterwards
		blocked bool // the context after the first step is blocked
	}{
		{
			name: "pending→succeeded: lock sends add", lock: true,
			script: func(r *fakeRegistry) { r.on("info", unlockedInfo).on("update", answer{}) },
			steps:  1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"Info example.com", "Update example.com +clientTransferProhibited"}, locked: true,
		},
		{
			name: "pending→succeeded: unlock sends rem", lock: false,
			script: func(r *fakeRegistry) { r.on("info", lockedInfo).on("update", answer{}) },
			steps:  1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"Info example.com", "Update example.com -clientTransferProhibited"}, locked: false,
		},
		{
			name: "pending→succeeded: already locked at the registry, no update", lock: true,
			script: func(r *fakeRegistry) { r.on("info", lockedInfo) },
			steps:  1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"Info example.com"}, locked: true,
		},
		{
			name: "pending→blocked→succeeded: the update's answer was lost; the info of the retry finds it made", lock: false,
			script: func(r *fakeRegistry) {
				r.on("info", lockedInfo, unlockedInfo).on("update", answer{err: registrar.Errorf(registrar.KindUnavailable, "fake", "the registry is unreachable")})
			},
			steps: 2, path: []string{"pending/apply", "blocked/apply", "succeeded/apply"},
			calls: []string{"Info example.com", "Update example.com -clientTransferProhibited", "Info example.com"}, locked: false, blocked: true,
		},
		{
			name: "pending→blocked→succeeded: the registry did not answer the info in time", lock: true,
			script: func(r *fakeRegistry) {
				r.on("info", answer{err: registrar.Errorf(registrar.KindUnavailable, "fake", "the registry is unreachable")}, unlockedInfo).on("update", answer{})
			},
			steps: 2, path: []string{"pending/apply", "blocked/apply", "succeeded/apply"},
			calls: []string{"Info example.com", "Info example.com", "Update example.com +clientTransferProhibited"}, locked: true, blocked: true,
		},
		{
			name: "pending→failed: registry_rejected (clientUpdateProhibited)", lock: false,
			script: func(r *fakeRegistry) {
				r.on("info", lockedInfo).on("update", answer{err: registrar.Errorf(registrar.KindRejected, "fake", "2304 Object status prohibits operation: clientUpdateProhibited")})
			},
			steps: 1, path: []string{"pending/apply", "failed/apply"}, code: registrar.CodeRegistryRejected,
			calls: []string{"Info example.com", "Update example.com -clientTransferProhibited"}, locked: true,
		},
		{
			name: "pending→failed: registration_not_found (another registrar sponsors it)", lock: true,
			script: func(r *fakeRegistry) { r.on("info", answer{info: registrar.DomainInfo{Statuses: []string{"ok"}}}) },
			steps:  1, path: []string{"pending/apply", "failed/apply"}, code: codeRegistrationMissing,
			calls: []string{"Info example.com"}, locked: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			b.succeedRegistration(registrar.EnvLive, domain)
			calls := len(b.reg.Calls())
			c.script(b.reg)
			wf, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{Locked: &c.lock})
			if err != nil {
				t.Fatal(err)
			}
			pending := registrar.StatusContext{DomainName: domain, FieldsUpdated: []string{"locked"},
				PendingRegistryConfirmation: true, Changes: map[string]any{"locked": c.lock}}
			if diff := cmp.Diff(pending, statusContext(t, wf)); diff != "" {
				t.Errorf("public context while pending (-want +got):\n%s", diff)
			}
			for i := range c.steps {
				b.step()
				if i == 0 && c.blocked {
					got := statusContext(t, b.workflow(wf.ID))
					if got.BlockedBy != registrar.BlockedByRegistry || !got.PendingRegistryConfirmation ||
						!cmp.Equal(got.FieldsUpdated, []string{"locked"}) || got.Changes["locked"] != c.lock {
						t.Errorf("blocked context = %+v, want blocked by the registry with the change pending", got)
					}
				}
			}
			got := b.workflow(wf.ID)
			if diff := cmp.Diff(c.path, b.history(wf.ID)); diff != "" {
				t.Errorf("stored states (-want +got):\n%s", diff)
			}
			if got.ErrorCode != c.code {
				t.Errorf("error %q %q, want %q", got.ErrorCode, got.ErrorMessage, c.code)
			}
			if diff := cmp.Diff(c.calls, b.reg.Calls()[calls:]); diff != "" {
				t.Errorf("registry calls (-want +got):\n%s", diff)
			}
			g := b.registration(registrar.EnvLive, domain)
			if g.Locked != c.locked {
				t.Errorf("registration locked = %v, want %v", g.Locked, c.locked)
			}
			ctx := statusContext(t, got)
			if ctx.PendingRegistryConfirmation || !cmp.Equal(ctx.FieldsUpdated, []string{"locked"}) {
				t.Errorf("final context = %+v, want fields_updated [locked], confirmed", ctx)
			}
			if got.State == registrar.StateSucceeded && (ctx.Registration == nil || ctx.Registration.Locked != c.locked) {
				t.Errorf("final context's registration = %+v, want locked %v", ctx.Registration, c.locked)
			}
		})
	}
}

// TestAuthCode: the auth-code workflow sets the code StartAuthCode
// returned at the registry, keeps it in its private data only until it
// ends (succeeded, failed or swept), never in its context or a log line,
// and settles an unknown outcome with an info before it would update
// again.
func TestAuthCode(t *testing.T) {
	t.Parallel()
	unreachable := answer{err: registrar.Errorf(registrar.KindUnavailable, "fake", "the registry is unreachable")}
	cases := []struct {
		name   string
		script func(r *fakeRegistry)
		steps  int
		sweep  bool // the sweeper runs after the steps, past the deadline
		path   []string
		calls  []string
		state  registrar.State
		set    bool // the registry holds the new code afterwards
	}{
		{
			name:   "pending→succeeded",
			script: func(r *fakeRegistry) { r.on("info", unlockedInfo).on("update", answer{}) },
			steps:  1, path: []string{"pending/apply", "succeeded/apply"},
			calls: []string{"Info example.com", "Update example.com auth code"}, state: registrar.StateSucceeded, set: true,
		},
		{
			name:   "pending→blocked→succeeded: the update's answer was lost; the retry's info shows the code set",
			script: func(r *fakeRegistry) { r.on("info", unlockedInfo, unlockedInfo).on("update", unreachable) },
			steps:  2, path: []string{"pending/apply", "blocked/apply", "succeeded/apply"},
			calls: []string{"Info example.com", "Update example.com auth code", "Info example.com"}, state: registrar.StateSucceeded, set: true,
		},
		{
			name: "pending→blocked→succeeded: the update failed before the registry; the retry sends it again",
			script: func(r *fakeRegistry) {
				// The fake registry records a code before it answers: undo it.
				undo := func() { r.mu.Lock(); r.authInfo[domain] = "Old-Code#1"; r.mu.Unlock() }
				r.on("info", unlockedInfo, unlockedInfo).on("update", answer{err: unreachable.err, before: undo}, answer{})
			},
			steps: 2, path: []string{"pending/apply", "blocked/apply", "succeeded/apply"},
			calls: []string{"Info example.com", "Update example.com auth code", "Info example.com", "Update example.com auth code"},
			state: registrar.StateSucceeded, set: true,
		},
		{
			name: "pending→failed: registry_rejected",
			script: func(r *fakeRegistry) {
				r.on("info", unlockedInfo).on("update", answer{err: registrar.Errorf(registrar.KindRejected, "fake", "2304 Object status prohibits operation: clientUpdateProhibited")})
			},
			steps: 1, path: []string{"pending/apply", "failed/apply"},
			calls: []string{"Info example.com", "Update example.com auth code"}, state: registrar.StateFailed, set: true, // the fake sets it before it answers
		},
		{
			name:   "pending→blocked→failed: deadline_exceeded (sweeper) while the registry is unreachable",
			script: func(r *fakeRegistry) { r.on("info", unreachable) },
			steps:  1, sweep: true, path: []string{"pending/apply", "blocked/apply", "failed/apply"},
			calls: []string{"Info example.com"}, state: registrar.StateFailed,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t)
			b.succeedRegistration(registrar.EnvLive, domain)
			calls := len(b.reg.Calls())
			c.script(b.reg)
			wf, code, err := b.e.StartAuthCode(b.ctx, b.p, registrar.EnvLive, domain)
			if err != nil {
				t.Fatal(err)
			}
			if len(code) != registrar.AuthCodeLength {
				t.Errorf("StartAuthCode gave %d characters, want %d", len(code), registrar.AuthCodeLength)
			}
			if d := b.updateData(wf.ID); d.AuthInfo != code || !d.NewAuthCode {
				t.Errorf("private data while pending: new_auth_code %v, code kept %v; want both", d.NewAuthCode, d.AuthInfo == code)
			}
			for range c.steps {
				b.step()
				if got := b.workflow(wf.ID); !got.Completed() && b.updateData(wf.ID).AuthInfo != code {
					t.Errorf("a %s workflow lost its code: it could not retry", got.State)
				}
			}
			if c.sweep {
				b.clock.Advance(b.e.cfg.BlockedTimeout + time.Second)
				b.sweep()
			}
			got := b.workflow(wf.ID)
			if got.State != c.state {
				t.Errorf("state %s (%s %s), want %s", got.State, got.ErrorCode, got.ErrorMessage, c.state)
			}
			if diff := cmp.Diff(c.path, b.history(wf.ID)); diff != "" {
				t.Errorf("stored states (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.calls, b.reg.Calls()[calls:]); diff != "" {
				t.Errorf("registry calls (-want +got):\n%s", diff)
			}
			b.reg.mu.Lock()
			set := b.reg.authInfo[domain] == code
			b.reg.mu.Unlock()
			if set != c.set {
				t.Errorf("the registry holds the new code: %v, want %v", set, c.set)
			}
			if d := b.updateData(wf.ID); d.AuthInfo != "" || !d.NewAuthCode {
				t.Errorf("private data after the end: code kept %v, new_auth_code %v; want the code redacted", d.AuthInfo != "", d.NewAuthCode)
			}
			for what, s := range map[string]string{"data": string(got.Data), "context": string(got.Context), "error": got.ErrorMessage} {
				if strings.Contains(s, code) {
					t.Errorf("the workflow's %s holds the code", what)
				}
			}
			if b.logs.contains(code) {
				t.Error("the code was logged")
			}
			if ctx := statusContext(t, got); !cmp.Equal(ctx.FieldsUpdated, []string{"auth_code"}) || len(ctx.Changes) != 0 {
				t.Errorf("context fields_updated %v, changes %v; want [auth_code] and none", ctx.FieldsUpdated, ctx.Changes)
			}
		})
	}
}

// TestStartUpdateRegistryRefuses: a registry update waits for no other
// update of the domain and needs an active registration.
func TestStartUpdateRegistryRefuses(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	b.succeedRegistration(registrar.EnvLive, domain)
	on := true
	if _, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{Locked: &on}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.e.StartAuthCode(b.ctx, b.p, registrar.EnvLive, domain); !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("auth code while a lock runs: %v, want conflict", err)
	}
	if _, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{Locked: &on}); !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("lock while a lock runs: %v, want conflict", err)
	}
	if _, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, registrar.UpdateRequest{AutoRenew: &on}); err != nil {
		t.Errorf("auto_renew while a lock runs: %v, want it started (it touches no registry)", err)
	}
	b.register(registrar.EnvLive, "pending.com", "ada@example.com")
	if _, _, err := b.e.StartAuthCode(b.ctx, b.p, registrar.EnvLive, "pending.com"); !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("auth code of a registration not yet active: %v, want conflict", err)
	}
	if _, _, err := b.e.StartAuthCode(b.ctx, b.otherAccount(), registrar.EnvLive, domain); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("auth code of another account's registration: %v, want not found", err)
	}
}

// updateData reads an update workflow's private data back.
func (b *bundle) updateData(id string) updateData {
	b.t.Helper()
	d, err := decode[updateData](b.workflow(id))
	if err != nil {
		b.t.Fatal(err)
	}
	return d
}
