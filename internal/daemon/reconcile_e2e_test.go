package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/cli"
	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestReconcileEndToEnd: on a running server, names registered in the
// sandbox environment are changed at the built-in sandbox registry
// behind our back (a new expiry, a serverHold, the transfer lock
// removed, a transfer away, a purge); a reconciliation run finds each
// difference, records it on the registration (registry_sync), in the
// history and in `registrar reconcile report`, corrects ours where the
// registry is the truth (expiry; the foreign and the missing suspended)
// and re-applies the account's lock at the registry with an update. A
// second run finds nothing new and sends no second update.
func TestReconcileEndToEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		s := startServer(t, b, nil)
		const env = "registrar-sandbox"
		reg := s.builtin(env)
		names := []string{"reconsame.com", "reconexpiry.com", "reconhold.com", "reconunlock.com", "reconaway.com", "recongone.com"}
		before := map[string]registrar.Registration{}
		for _, name := range names {
			if r := s.register(env, name); r.Status != http.StatusCreated {
				t.Fatalf("POST registration of %s = %d %s", name, r.Status, r.Body)
			}
			before[name] = s.registration(env, name)
		}
		if !before["reconunlock.com"].Locked {
			t.Fatalf("reconunlock.com registered unlocked; the test removes the registry's lock behind our back")
		}

		// Every registration is due at once (a day on, past the default
		// --reconcile-every), whatever the periodic job did meanwhile.
		advance := func() {
			t.Helper()
			off, _, err := s.d.DB().ClockOffset(ctx, registrar.EnvSandbox)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.d.DB().AdvanceClock(ctx, registrar.EnvSandbox, 25*time.Hour); err != nil {
				t.Fatal(err)
			}
			waitClock(t, s.d, registrar.EnvSandbox, off+25*time.Hour)
		}
		// locked waits until every name has the account's transfer lock at
		// the registry.
		locked := func(names ...string) {
			t.Helper()
			deadline := time.Now().Add(20 * time.Second)
			for _, name := range names {
				for !slices.Contains(s.registryStatuses(reg, name), registrar.StatusTransferLocked) {
					if time.Now().After(deadline) {
						t.Fatalf("the registry's %s never got %s; log %v", name, registrar.StatusTransferLocked, s.registryCommands(reg, name))
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}
		// A first run agrees with the registry: the names are created
		// without client statuses at the registry, so it re-applies the
		// lock the account has (by default) where the create left none.
		advance()
		if st, err := s.d.Engine().Reconcile(ctx, 1000); err != nil {
			t.Fatalf("baseline Reconcile: %v", err)
		} else {
			t.Logf("baseline run: %+v", st)
		}
		locked(names...)
		baseline := len(s.reconcileReport(t))
		updates := countOf(s.registryCommands(reg, "reconunlock.com"), "update")
		advance()
		if st, err := s.d.Engine().Reconcile(ctx, 1000); err != nil || st.Differences != 0 {
			t.Fatalf("Reconcile after the baseline: %+v, %v; want nothing new", st, err)
		}

		newExpiry := before["reconexpiry.com"].ExpiresAt.AddDate(1, 0, 0).UTC().Truncate(time.Second)
		for name, a := range map[string]sandbox.Alteration{
			"reconexpiry.com": {ExpiresAt: newExpiry},
			"reconhold.com":   {AddStatuses: []string{"serverHold"}},
			"reconunlock.com": {RemoveStatuses: []string{registrar.StatusTransferLocked}},
			"reconaway.com":   {Sponsor: "otherreg"},
			"recongone.com":   {Purge: true},
		} {
			if err := reg.Alter(ctx, name, a); err != nil {
				t.Fatalf("Alter(%s): %v", name, err)
			}
		}

		advance()
		st, err := s.d.Engine().Reconcile(ctx, 1000)
		if err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		t.Logf("first run: %+v", st)

		type want struct {
			state  string
			status registrar.RegistrationStatus
			fields []string
			events []string
		}
		wants := map[string]want{
			"reconsame.com":   {registrar.SyncInSync, registrar.RegistrationActive, nil, nil},
			"reconexpiry.com": {registrar.SyncDiffers, registrar.RegistrationActive, []string{"expires_at"}, []string{registrar.EventReconciled}},
			"reconhold.com":   {registrar.SyncDiffers, registrar.RegistrationActive, []string{"status:serverHold"}, nil},
			"reconunlock.com": {registrar.SyncDiffers, registrar.RegistrationActive, []string{"status:" + registrar.StatusTransferLocked}, nil},
			"reconaway.com":   {registrar.SyncForeign, registrar.RegistrationSuspended, []string{"sponsor"}, []string{registrar.EventRegistryMissing}},
			"recongone.com":   {registrar.SyncMissing, registrar.RegistrationSuspended, []string{"existence"}, []string{registrar.EventRegistryMissing}},
		}
		for name, w := range wants {
			g := s.registration(env, name)
			if g.RegistrySync == nil {
				t.Errorf("%s: no registry_sync after the run", name)
				continue
			}
			var fields []string
			for _, d := range g.RegistrySync.Differences {
				fields = append(fields, d.Field)
			}
			if g.RegistrySync.State != w.state || g.Status != w.status || !slices.Equal(fields, w.fields) {
				t.Errorf("%s: registry_sync %s %v, status %s; want %s %v, %s", name, g.RegistrySync.State, g.RegistrySync.Differences, g.Status, w.state, w.fields, w.status)
			}
			var events []string
			for _, ev := range s.history(env, name) {
				if ev.Type != registrar.EventRegistered {
					events = append(events, ev.Type)
				}
			}
			if !slices.Equal(events, w.events) {
				t.Errorf("%s: history after registration %q, want %q", name, events, w.events)
			}
		}
		if g := s.registration(env, "reconexpiry.com"); g.ExpiresAt == nil || !g.ExpiresAt.Equal(newExpiry) {
			t.Errorf("reconexpiry.com expires_at = %v, want the registry's %v", g.ExpiresAt, newExpiry)
		}
		if evs := s.history(env, "reconaway.com"); !strings.Contains(evs[len(evs)-1].Detail, "otherreg") {
			t.Errorf("reconaway.com's event says %q, want the other sponsor named", evs[len(evs)-1].Detail)
		}

		// The lock is re-applied at the registry by one update.
		locked("reconunlock.com")
		if n := countOf(s.registryCommands(reg, "reconunlock.com"), "update"); n != updates+1 {
			t.Errorf("updates of reconunlock.com at the registry = %d, want %d", n, updates+1)
		}

		report := s.reconcileReport(t)
		if len(report) != baseline+5 {
			t.Errorf("reconcile report has %d rows, want %d + 5: %v", len(report), baseline, report)
		}
		for name, w := range wants {
			for _, f := range w.fields {
				if !slices.ContainsFunc(report, func(r map[string]any) bool { return r["domain"] == name && r["field"] == f }) {
					t.Errorf("reconcile report lacks %s %s: %v", name, f, report)
				}
			}
		}

		// A second run finds the same registry: nothing new to report, no
		// new event, no second update.
		advance()
		st, err = s.d.Engine().Reconcile(ctx, 1000)
		if err != nil {
			t.Fatalf("second Reconcile: %v", err)
		}
		if st.Differences != 0 {
			t.Errorf("second run: %+v, want no new differences", st)
		}
		time.Sleep(500 * time.Millisecond) // time for an update to have started, if one had
		if n := countOf(s.registryCommands(reg, "reconunlock.com"), "update"); n != updates+1 {
			t.Errorf("updates of reconunlock.com after the second run = %d, want still %d", n, updates+1)
		}
		if again := s.reconcileReport(t); len(again) != len(report) {
			t.Errorf("reconcile report after the second run has %d rows, want %d", len(again), len(report))
		}
		for name, w := range wants {
			g := s.registration(env, name)
			if name == "reconunlock.com" || name == "reconexpiry.com" {
				w.state, w.fields = registrar.SyncInSync, nil // the lock re-applied, the expiry corrected: they agree now
			}
			var fields []string
			for _, d := range g.RegistrySync.Differences {
				fields = append(fields, d.Field)
			}
			if g.RegistrySync.State != w.state || g.Status != w.status || !slices.Equal(fields, w.fields) {
				t.Errorf("%s after the second run: %s %v, %s; want %s %v, %s", name, g.RegistrySync.State, fields, g.Status, w.state, w.fields, w.status)
			}
			n := 0
			for _, ev := range s.history(env, name) {
				if ev.Type != registrar.EventRegistered {
					n++
				}
			}
			if n != len(w.events) {
				t.Errorf("%s: %d events after the second run, want still %d", name, n, len(w.events))
			}
		}
	})
}

// registration GETs the registration of domain.
func (s *server) registration(env, domain string) registrar.Registration {
	s.t.Helper()
	r := s.do("GET", s.base(env)+"/registrations/"+domain, s.token, nil)
	var g registrar.Registration
	if r.Status != http.StatusOK || json.Unmarshal(r.Env.Result, &g) != nil {
		s.t.Fatalf("GET registration of %s = %d %s", domain, r.Status, r.Body)
	}
	return g
}

// history GETs the history of domain.
func (s *server) history(env, domain string) []registrar.RegistrationEvent {
	s.t.Helper()
	r := s.do("GET", s.base(env)+"/registrations/"+domain+"/history", s.token, nil)
	var evs []registrar.RegistrationEvent
	if r.Status != http.StatusOK || json.Unmarshal(r.Env.Result, &evs) != nil {
		s.t.Fatalf("GET history of %s = %d %s", domain, r.Status, r.Body)
	}
	return evs
}

// registryStatuses are domain's EPP statuses at the built-in registry.
func (s *server) registryStatuses(reg *sandbox.Engine, domain string) []string {
	s.t.Helper()
	d, _, err := reg.DomainInfo(context.Background(), daemon.SandboxClientID, "test-info", domain, "")
	if err != nil {
		s.t.Fatalf("sandbox info %s: %v", domain, err)
	}
	return d.Statuses
}

// registryCommands are the commands the built-in registry logged for
// domain, as "command result".
func (s *server) registryCommands(reg *sandbox.Engine, domain string) []string {
	s.t.Helper()
	log, err := reg.Log(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, l := range log {
		if l.Domain == domain {
			out = append(out, l.Command+" "+l.Result)
		}
	}
	return out
}

// countOf counts the successful commands named command in cmds.
func countOf(cmds []string, command string) int {
	n := 0
	for _, c := range cmds {
		if strings.HasPrefix(c, command+" 1") {
			n++
		}
	}
	return n
}

// reconcileReport runs `registrar reconcile report --env sandbox
// --output json` on the server's data dir or database, in process.
func (s *server) reconcileReport(t *testing.T) []map[string]any {
	t.Helper()
	args := []string{"reconcile", "report", "--env", "sandbox", "--output", "json", "--data-dir", s.cfg.DataDir}
	if s.cfg.DatabaseURL != "" {
		args = append(args, "--database", s.cfg.DatabaseURL)
	}
	var out, errOut bytes.Buffer
	if code := cli.Main(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("registrar %s = %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	var rows []map[string]any
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatalf("reconcile report printed %q: %v", out.String(), err)
	}
	return rows
}
