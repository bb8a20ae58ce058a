package daemon_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestRenewalCrashRecovery SIGKILLs the registrar binary while an
// explicit renewal's renew is at the registry: the registry has
// committed it (a renewslow- name, answered only after the delay) and
// the registrar has not stored the answer. After a restart the renewal
// must succeed with the registry's new expiry, the registry must have
// logged exactly one renew for the name, and where the live environment
// is billed the account must have exactly one renewal charge. demo: the
// live API in demo mode, the built-in demo registry, no charges. billed:
// a registries file, a standalone sandbox registry, charges.
func TestRenewalCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the registrar binary as a child process and SIGKILLs it")
	}
	t.Parallel()
	bin := buildRegistrar(t)
	for _, mode := range []string{"demo", "billed"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, b storetest.Backend) {
				t.Parallel()
				const delay = 4 * time.Second
				flags := []string{"--sandbox-delay", delay.String(), "--job-timeout", "10s", "--rescue-after", "12s",
					"--poll-interval", "200ms", "--rate-limit", "-1"}
				var reg *registry
				if mode == "billed" {
					reg = startRegistry(t, delay)
					// The registries file's transform timeout (1s) would
					// end the wait for the answer before the kill: let
					// the renew wait out the registry's delay.
					raw, err := os.ReadFile(reg.file)
					if err != nil {
						t.Fatal(err)
					}
					file := filepath.Join(t.TempDir(), "registries.yaml")
					if err := os.WriteFile(file, []byte(strings.Replace(string(raw), "transform_timeout: 1s", "transform_timeout: 30s", 1)), 0o600); err != nil {
						t.Fatal(err)
					}
					flags = append(flags, "--registries", file)
				}
				h := newHarness(t, bin, b, flags...)
				renewalCrash(t, h, reg, delay)
			})
		})
	}
}

func renewalCrash(t *testing.T, h *harness, reg *registry, delay time.Duration) {
	const name = "renewslow-crash.com"
	p := h.start()
	if reg != nil {
		// The live rule asks the registrant to verify the address once.
		r, err := h.call("POST", h.base(p)+"/registrations", map[string]any{"domain_name": "verify-first.com"})
		if err != nil || r.Status != http.StatusAccepted {
			t.Fatalf("first live POST: %s, want 202 action_required", describe(r, err))
		}
		h.openLink("verify-first.com")
		if st, err := h.waitStatus(p, "verify-first.com", 30*time.Second, completed); err != nil || st.State != registrar.StateSucceeded {
			t.Fatalf("verify-first.com: %v %s %+v", err, st.State, st.Error)
		}
	}
	r, err := h.call("POST", h.base(p)+"/registrations", map[string]any{"domain_name": name})
	if err != nil || r.Status != http.StatusCreated {
		t.Fatalf("POST registration of %s: %s, want 201", name, describe(r, err))
	}
	g := h.registration(p, name)
	if g.ExpiresAt == nil {
		t.Fatalf("%s has no expires_at: %+v", name, g)
	}
	want := g.ExpiresAt.AddDate(1, 0, 0)

	r, err = h.call("POST", h.base(p)+"/registrations/"+name+"/renew", map[string]any{"years": 1}, "Prefer", "respond-async")
	if err != nil || r.Status != http.StatusAccepted {
		t.Fatalf("POST renew of %s: %s, want 202", name, describe(r, err))
	}
	created := r.status(t).CreatedAt

	// Kill once the registry has committed the renew, while its answer is
	// held back.
	deadline := time.Now().Add(delay / 2)
	for h.renews(reg)[name] == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no renew of %s at the registry within %v of the POST", name, delay/2)
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.kill()
	t.Log("killed the server with the renew committed at the registry and its answer pending")

	p = h.start()
	restarted := time.Now()
	var st status
	for {
		r, err := h.call("GET", h.base(p)+"/registrations/"+name+"/renewal-status", nil)
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("GET renewal-status of %s: %s", name, describe(r, err))
		}
		st = r.status(t)
		if st.Completed || time.Since(restarted) > 90*time.Second {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st.State != registrar.StateSucceeded {
		t.Fatalf("renewal of %s after the restart: %s %+v, want succeeded", name, st.State, st.Error)
	}
	if !st.CreatedAt.Truncate(time.Microsecond).Equal(created.Truncate(time.Microsecond)) {
		t.Errorf("renewal-status answers a workflow created at %v, want the POSTed one, created at %v", st.CreatedAt, created)
	}
	t.Logf("the renewal succeeded %v after the restart", time.Since(restarted).Round(time.Millisecond))

	g = h.registration(p, name)
	if g.Status != registrar.RegistrationActive || g.ExpiresAt == nil || utcDate(*g.ExpiresAt) != utcDate(want) {
		t.Errorf("%s after the renewal: status %q, expires_at %v, want active and %s", name, g.Status, g.ExpiresAt, utcDate(want))
	}
	if g.Renewal == nil || g.Renewal.State != registrar.StateSucceeded {
		t.Errorf("%s after the renewal: renewal %+v, want succeeded", name, g.Renewal)
	}
	if n := h.renews(reg)[name]; n != 1 {
		t.Errorf("the registry logged %d renews of %s, want exactly 1", n, name)
	}

	// Billed: one charge for the registration and one for the renewal.
	db := h.openStore()
	charges, err := db.Charges(context.Background(), h.account)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range charges {
		if c.Domain == name {
			n++
		}
	}
	if want := map[bool]int{true: 2, false: 0}[reg != nil]; n != want {
		t.Errorf("%d charges for %s (its registration and its renewal), want %d: %+v", n, name, want, charges)
	}
}

// utcDate is t's date in UTC: registries keep expiry dates.
func utcDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// registration GETs one registration of the live environment.
func (h *harness) registration(p *proc, domain string) registrar.Registration {
	h.t.Helper()
	r, err := h.call("GET", h.base(p)+"/registrations/"+domain, nil)
	if err != nil || r.Status != http.StatusOK {
		h.t.Fatalf("GET registration %s: %s", domain, describe(r, err))
	}
	var g registrar.Registration
	if err := json.Unmarshal(r.Env.Result, &g); err != nil {
		h.t.Fatalf("decode registration %s: %v", r.Body, err)
	}
	return g
}

// renews counts the successful renews the live environment's registry
// logged, by domain: the standalone registry when reg is set, else the
// demo registry.
func (h *harness) renews(reg *registry) map[string]int {
	h.t.Helper()
	n := map[string]int{}
	if reg == nil {
		for d, c := range h.commandsOK("renew") {
			n[d] = c
		}
		return n
	}
	entries, err := reg.engine.Log(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, e := range entries {
		if e.Command == "renew" && strings.HasPrefix(e.Result, "1000 ") {
			n[e.Domain]++
		}
	}
	return n
}

// commandsOK counts the commands named command that the demo registry
// completed (1000), by domain.
func (h *harness) commandsOK(command string) map[string]int {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log, err := daemon.ReadBuiltinLog(ctx, h.dataDir, h.dbURL, true)
	if err != nil {
		h.t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range log {
		if e.Command == command && strings.HasPrefix(e.Result, "1000 ") {
			n[e.Domain]++
		}
	}
	return n
}

// openStore opens the harness's database read-only, for the test's
// lifetime.
func (h *harness) openStore() *store.DB {
	h.t.Helper()
	db, err := store.Open(context.Background(), store.Config{DatabaseURL: h.dbURL, SQLitePath: daemon.SQLitePath(h.dataDir), ReadOnly: true})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { db.Close() })
	return db
}

// openLink opens the verification link about domain from the outbox, as
// the registrant would.
func (h *harness) openLink(domain string) {
	h.t.Helper()
	db := h.openStore()
	deadline := time.Now().Add(30 * time.Second)
	for {
		msgs, err := db.Outbox(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		for _, m := range msgs {
			if link := linkRE.FindString(m.Body); link != "" && strings.Contains(m.Subject, domain) {
				res, err := http.Get(link)
				if err != nil {
					h.t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					h.t.Fatalf("GET %s = %d", link, res.StatusCode)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no verification email about %s in the outbox", domain)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
