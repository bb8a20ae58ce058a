package daemon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/rdap"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store/storetest"
	"github.com/openregistrar/registrar/internal/tlsca"
)

// TestLifecycleEndToEnd runs a domain's whole life (issue 13) on a
// running server, with the clock shifted the way a user shifts it: the
// store's AdvanceClock, which `registrar sandbox clock advance` calls,
// then the server's own clock refresh (every second), which kicks the
// lifecycle job. The lifecycle job's interval is an hour, so every step
// here happens because the clock moved. It runs in the sandbox
// environment and in the live environment in demo mode (the two
// shiftable clocks, each with its built-in registry over EPP), neither
// of which charges; TestLifecycleBilled proves the charges.
func TestLifecycleEndToEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, func(c *daemon.Config) {
			c.Workflows.LifecycleInterval = time.Hour
			// A blocked renewal retries after 2s, long enough to be seen.
			c.Workflows.RetryMin, c.Workflows.RetryMax = 2*time.Second, 2*time.Second
		})
		for _, env := range []string{"registrar-sandbox", "registrar"} {
			t.Run(env, func(t *testing.T) {
				t.Parallel()
				lifecycleEndToEnd(t, s, env)
			})
		}
	})
}

// life drives one environment of a server through the test.
type life struct {
	t   *testing.T
	s   *server
	env string // registrar or registrar-sandbox
	tag string // in every name, so the environments' mails differ
}

func (l *life) renv() registrar.Env {
	if l.env == "registrar-sandbox" {
		return registrar.EnvSandbox
	}
	return registrar.EnvLive
}

func (l *life) url(path string) string { return l.s.base(l.env) + path }

// register registers domain with auto_renew set as asked and waits for
// its success.
func (l *life) register(domain string, autoRenew bool) registrar.Registration {
	l.t.Helper()
	body := map[string]any{"domain_name": domain, "auto_renew": autoRenew}
	if l.env == "registrar-sandbox" {
		body["contacts"] = map[string]any{"registrant": daemon.SampleContact()}
	}
	r := l.s.do("POST", l.url("/registrations"), l.s.token, body)
	// 201, or 202 when a loaded machine made the registration outlast
	// the sync window: either way it must succeed.
	if r.Status != http.StatusCreated && r.Status != http.StatusAccepted {
		l.t.Fatalf("POST registration of %s = %d %s, want 201 or 202", domain, r.Status, r.Body)
	}
	if st := l.s.waitState(l.env, domain, time.Minute, completed); st.State != registrar.StateSucceeded {
		l.t.Fatalf("the registration of %s ended %s %+v", domain, st.State, st.Error)
	}
	g, code := l.get(domain)
	if code != http.StatusOK || g.Status != registrar.RegistrationActive || g.AutoRenew != autoRenew || g.ExpiresAt == nil {
		l.t.Fatalf("%s after its registration: %d %+v", domain, code, g)
	}
	return g
}

// get GETs a registration.
func (l *life) get(domain string) (registrar.Registration, int) {
	l.t.Helper()
	r := l.s.do("GET", l.url("/registrations/"+domain), l.s.token, nil)
	var g registrar.Registration
	if r.Status == http.StatusOK {
		if err := json.Unmarshal(r.Env.Result, &g); err != nil {
			l.t.Fatalf("decode registration %s: %v", r.Body, err)
		}
	}
	return g, r.Status
}

// workflowStatus GETs .../{domain}/{which}-status (renewal, restore); a
// zero status while there is none.
func (l *life) workflowStatus(domain, which string) status {
	l.t.Helper()
	r := l.s.do("GET", l.url("/registrations/"+domain+"/"+which+"-status"), l.s.token, nil)
	switch r.Status {
	case http.StatusOK:
		return r.status(l.t)
	case http.StatusNotFound:
		return status{} // none yet
	}
	l.t.Fatalf("GET %s-status of %s = %d %s", which, domain, r.Status, r.Body)
	return status{}
}

// history GETs a registration's history.
func (l *life) history(domain string) []registrar.RegistrationEvent {
	l.t.Helper()
	r := l.s.do("GET", l.url("/registrations/"+domain+"/history"), l.s.token, nil)
	if r.Status != http.StatusOK {
		l.t.Fatalf("GET history of %s = %d %s", domain, r.Status, r.Body)
	}
	var evs []registrar.RegistrationEvent
	if err := json.Unmarshal(r.Env.Result, &evs); err != nil {
		l.t.Fatalf("decode history %s: %v", r.Body, err)
	}
	return evs
}

// events counts the history events of a type.
func (l *life) events(domain, typ string) int {
	l.t.Helper()
	n := 0
	for _, ev := range l.history(domain) {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// commands counts the registry's log entries of command for domain: ok
// those answered 1000 (or 1001), failed the others.
func (l *life) commands(command, domain string) (ok, failed int) {
	l.t.Helper()
	entries, err := l.s.builtin(l.env).Log(context.Background())
	if err != nil {
		l.t.Fatal(err)
	}
	for _, e := range entries {
		if e.Command != command || e.Domain != domain {
			continue
		}
		if strings.HasPrefix(e.Result, "1000 ") || strings.HasPrefix(e.Result, "1001 ") {
			ok++
		} else {
			failed++
		}
	}
	return ok, failed
}

// mails counts the outbox messages whose subject starts with prefix.
func (l *life) mails(prefix string) int {
	l.t.Helper()
	msgs, err := l.s.d.DB().Outbox(context.Background())
	if err != nil {
		l.t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if strings.HasPrefix(m.Subject, prefix) {
			n++
		}
	}
	return n
}

// now is the environment's clock as the server reads it.
func (l *life) now() time.Time { return l.s.d.Clock(l.renv()).Now() }

// advanceTo moves the environment's clock to at (forward only), as
// `registrar sandbox clock advance` does, and waits until the server has
// read the new offset.
func (l *life) advanceTo(at time.Time) {
	l.t.Helper()
	d := at.Sub(l.now())
	if d <= 0 {
		l.t.Fatalf("advanceTo %v: the clock is at %v already", at, l.now())
	}
	if _, err := l.s.d.DB().AdvanceClock(context.Background(), l.renv(), d); err != nil {
		l.t.Fatalf("AdvanceClock(%s, %v): %v", l.renv(), d, err)
	}
	l.eventually(10*time.Second, func() error {
		if now := l.now(); now.Before(at.Add(-time.Minute)) {
			return fmt.Errorf("the server's clock reads %v, want %v", now, at)
		}
		return nil
	})
}

// eventually retries check until it returns nil, for at most limit.
func (l *life) eventually(limit time.Duration, check func() error) {
	l.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("after %v: %v", limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantStatus waits until domain's registration has the status.
func (l *life) wantStatus(domain string, want registrar.RegistrationStatus) registrar.Registration {
	l.t.Helper()
	var g registrar.Registration
	l.eventually(30*time.Second, func() error {
		var code int
		g, code = l.get(domain)
		if code != http.StatusOK || g.Status != want {
			return fmt.Errorf("%s: %d, status %q, want %q", domain, code, g.Status, want)
		}
		return nil
	})
	return g
}

// quiet moves the clock an hour on, which runs another lifecycle pass,
// and gives it time to run.
func (l *life) quiet() {
	l.t.Helper()
	l.advanceTo(l.now().Add(time.Hour))
	time.Sleep(3 * time.Second)
}

func lifecycleEndToEnd(t *testing.T, s *server, env string) {
	l := &life{t: t, s: s, env: env, tag: map[string]string{"registrar": "live", "registrar-sandbox": "sbx"}[env]}
	name := func(prefix string) string { return prefix + "-" + l.tag + ".com" }
	var (
		auto     = name("auto")
		fail     = name("renewfail-auto")
		flaky    = name("renewflaky-auto")
		noticed  = name("noticed")
		gone     = name("gone")
		explicit = name("explicit")
	)
	for _, n := range []string{auto, fail, flaky} {
		l.register(n, true)
	}
	for _, n := range []string{noticed, gone, explicit} {
		l.register(n, false)
	}
	// gone has its own glue, serving as its name server: its expiry must
	// remove both before the registry lets the domain be deleted.
	dns := dnsClient{t: t, s: s, env: env, engine: s.builtin(env), defaults: sandbox.DefaultNameservers()}
	glue := "ns1." + gone
	dns.succeeded("glue of "+gone, dns.change("POST", "/registrations/"+gone+"/hosts/"+glue, map[string]any{"ipv4": []string{"192.0.2.53"}}), "hosts")
	dns.succeeded("name servers of "+gone, dns.change("PATCH", "/registrations/"+gone, map[string]any{"nameservers": []string{glue, dns.defaults[1]}}), "nameservers")
	g, _ := l.get(auto)
	exp := *g.ExpiresAt // every name's expiry, within the seconds the POSTs took

	// Explicit renewal: concurrent POSTs start one workflow, which renews
	// once at the registry.
	g, _ = l.get(explicit)
	explicitExp := *g.ExpiresAt
	const posts = 5
	answers := make([]*response, posts)
	var wg sync.WaitGroup
	for i := range posts {
		wg.Go(func() {
			// Each names the term it renews (current_expires_at), as
			// docs/API.md tells a client that retries: a POST that arrives
			// after the first renewal succeeded then gets it back. Without
			// it, a POST after the first one ended renews the new term
			// (failed 1 of 4 CI runs when the first finished that fast).
			answers[i] = s.do("POST", l.url("/registrations/"+explicit+"/renew"), s.token,
				map[string]any{"years": 2, "current_expires_at": explicitExp.Format(time.RFC3339)})
		})
	}
	wg.Wait()
	var created time.Time
	fresh := 0 // answers that started the renewal: no message 1101
	for i, r := range answers {
		repeat := strings.Contains(string(r.Body), `"code":1101`)
		if !repeat {
			fresh++
		}
		// A repeat that found the renewal done is 200, never 201.
		if r.Status != http.StatusAccepted && r.Status != map[bool]int{true: http.StatusOK, false: http.StatusCreated}[repeat] {
			t.Fatalf("concurrent POST renew %d of %s = %d %s, want 201 or 202 (200 or 202 for a repeat, with message 1101)", i, explicit, r.Status, r.Body)
		}
		st := r.status(t)
		if !strings.HasSuffix(st.Links.Self, "/registrations/"+explicit+"/renewal-status") {
			t.Errorf("POST renew answered links.self %q", st.Links.Self)
		}
		c := st.CreatedAt.Truncate(time.Microsecond)
		if i == 0 {
			created = c
		} else if !c.Equal(created) {
			t.Errorf("concurrent POSTs renew of %s answered workflows created at %v and %v, want one workflow", explicit, created, c)
		}
	}
	if fresh != 1 {
		t.Errorf("%d of the concurrent POSTs renew of %s were answered as the one that started it, want 1", fresh, explicit)
	}
	l.eventually(30*time.Second, func() error {
		if st := l.workflowStatus(explicit, "renewal"); st.State != registrar.StateSucceeded {
			return fmt.Errorf("renewal of %s is %s %+v, want succeeded", explicit, st.State, st.Error)
		}
		return nil
	})
	g, _ = l.get(explicit)
	if utcDate(*g.ExpiresAt) != utcDate(explicitExp.AddDate(2, 0, 0)) || g.Status != registrar.RegistrationActive {
		t.Errorf("%s after a 2-year renewal: %s, expires %v, want active, %s", explicit, g.Status, g.ExpiresAt, utcDate(explicitExp.AddDate(2, 0, 0)))
	}
	if ok, _ := l.commands("renew", explicit); ok != 1 {
		t.Errorf("the registry renewed %s %d times for %d concurrent POSTs, want 1", explicit, ok, posts)
	}
	if n := l.events(explicit, registrar.EventRenewed); n != 1 {
		t.Errorf("history of %s has %d renewed events, want 1", explicit, n)
	}

	// Bad input.
	maxTerm := func(years int) {
		t.Helper()
		r := s.do("POST", l.url("/registrations/"+explicit+"/renew"), s.token, map[string]any{"years": years})
		if r.Status != http.StatusBadRequest || len(r.Env.Errors) != 1 || !strings.HasPrefix(r.Env.Errors[0].Message, "domain_max_term: ") ||
			r.Env.Errors[0].Source == nil || r.Env.Errors[0].Source.Pointer != "/years" {
			t.Errorf("POST renew {years: %d} of %s (expiring in 3 years) = %d %s, want 400 domain_max_term at /years", years, explicit, r.Status, r.Body)
		}
	}
	maxTerm(11) // beyond any registration
	maxTerm(8)  // 3 + 8 years ahead
	if r := s.do("POST", l.url("/registrations/"+explicit+"/restore"), s.token, nil); r.Status != http.StatusConflict ||
		len(r.Env.Errors) != 1 || !strings.HasPrefix(r.Env.Errors[0].Message, "not_restorable: ") {
		t.Errorf("POST restore of the active %s = %d %s, want 409 not_restorable", explicit, r.Status, r.Body)
	}
	otherAcct, otherToken := s.newAccount("other", daemon.SampleContact())
	otherBase := strings.Replace(l.url(""), "/accounts/"+s.account+"/", "/accounts/"+otherAcct+"/", 1)
	if r := s.do("POST", otherBase+"/registrations/"+explicit+"/renew", otherToken, map[string]any{"years": 1}); r.Status != http.StatusNotFound {
		t.Errorf("another account's POST renew of %s = %d %s, want 404", explicit, r.Status, r.Body)
	}
	if r := s.do("POST", l.url("/registrations/never-held-"+l.tag+".com/renew"), s.token, nil); r.Status != http.StatusNotFound {
		t.Errorf("POST renew of a name never held = %d %s, want 404", r.Status, r.Body)
	}

	// Inside the renewal window (and a month before expiry).
	l.advanceTo(exp.Add(-29 * 24 * time.Hour))
	flakyBlocked := false
	l.eventually(60*time.Second, func() error {
		if st := l.workflowStatus(flaky, "renewal"); st.State == registrar.StateBlocked {
			flakyBlocked = true
			return fmt.Errorf("renewal of %s is blocked", flaky)
		} else if st.State != registrar.StateSucceeded {
			return fmt.Errorf("renewal of %s is %s %+v, want succeeded", flaky, st.State, st.Error)
		}
		if st := l.workflowStatus(auto, "renewal"); st.State != registrar.StateSucceeded {
			return fmt.Errorf("renewal of %s is %s %+v, want succeeded", auto, st.State, st.Error)
		}
		if g, _ := l.get(fail); g.Renewal == nil || g.Renewal.State != registrar.StateFailed {
			return fmt.Errorf("%s: renewal %+v, want failed", fail, g.Renewal)
		}
		if n := l.mails(noticed + " expires on "); n != 1 {
			return fmt.Errorf("%d month notices about %s, want 1", n, noticed)
		}
		return nil
	})
	// The automatic renewal: one renew at the registry, a year more.
	g, _ = l.get(auto)
	if g.Status != registrar.RegistrationActive || utcDate(*g.ExpiresAt) != utcDate(exp.AddDate(1, 0, 0)) ||
		g.Renewal == nil || !g.Renewal.Automatic || g.Renewal.State != registrar.StateSucceeded {
		t.Errorf("%s after its auto-renewal: %s, expires %v, renewal %+v; want active, %s, an automatic renewal succeeded",
			auto, g.Status, g.ExpiresAt, g.Renewal, utcDate(exp.AddDate(1, 0, 0)))
	}
	if ok, _ := l.commands("renew", auto); ok != 1 {
		t.Errorf("the registry renewed %s %d times, want 1", auto, ok)
	}
	if n := l.events(auto, registrar.EventRenewed); n != 1 {
		t.Errorf("history of %s has %d renewed events, want 1", auto, n)
	}
	// The failed one: visible on the registration, mailed, still active.
	g, _ = l.get(fail)
	if g.Status != registrar.RegistrationActive || g.Renewal.ErrorCode != registrar.CodeRegistryRejected || !g.Renewal.Automatic {
		t.Errorf("%s after its auto-renewal failed: %s, renewal %+v; want active, an automatic renewal failed registry_rejected", fail, g.Status, g.Renewal)
	}
	if n := l.mails("The automatic renewal of " + fail + " failed"); n != 1 {
		t.Errorf("%d emails about the failed renewal of %s, want 1", n, fail)
	}
	if n := l.events(fail, registrar.EventRenewalFailed); n != 1 {
		t.Errorf("history of %s has %d renewal_failed events, want 1", fail, n)
	}
	// The flaky one: refused once (blocked), then renewed once.
	if ok, failed := l.commands("renew", flaky); ok != 1 || failed != 1 {
		t.Errorf("the registry logged %d renews of %s that succeeded and %d that failed, want 1 and 1", ok, flaky, failed)
	}
	if !flakyBlocked {
		t.Errorf("the renewal of %s was never seen blocked", flaky)
	}
	if g, _ := l.get(flaky); utcDate(*g.ExpiresAt) != utcDate(exp.AddDate(1, 0, 0)) {
		t.Errorf("%s expires %v after its renewal, want %s", flaky, g.ExpiresAt, utcDate(exp.AddDate(1, 0, 0)))
	}
	// Another pass changes nothing.
	_, failedBefore := l.commands("renew", fail)
	l.quiet()
	if ok, _ := l.commands("renew", auto); ok != 1 {
		t.Errorf("after another pass the registry renewed %s %d times, want 1", auto, ok)
	}
	if _, failed := l.commands("renew", fail); failed != failedBefore {
		t.Errorf("another pass sent %s %d more renews after its renewal failed", fail, failed-failedBefore)
	}
	if ok, _ := l.commands("renew", flaky); ok != 1 {
		t.Errorf("after another pass the registry renewed %s %d times, want 1", flaky, ok)
	}
	if g, _ := l.get(auto); utcDate(*g.ExpiresAt) != utcDate(exp.AddDate(1, 0, 0)) {
		t.Errorf("%s expires %v after another pass, want %s", auto, g.ExpiresAt, utcDate(exp.AddDate(1, 0, 0)))
	}

	// A week before expiry, then a day after: the other notices.
	l.advanceTo(exp.Add(-6 * 24 * time.Hour))
	l.eventually(30*time.Second, func() error {
		for _, n := range []string{noticed, gone} {
			if c := l.mails(n + " expires on "); c != 2 {
				return fmt.Errorf("%d notices before the expiry of %s, want 2", c, n)
			}
		}
		return nil
	})
	l.advanceTo(exp.Add(24 * time.Hour))
	for _, n := range []string{noticed, gone} {
		l.wantStatus(n, registrar.RegistrationExpired)
	}
	l.eventually(30*time.Second, func() error {
		for _, n := range []string{noticed, gone} {
			if c := l.mails(n + " has expired"); c != 1 {
				return fmt.Errorf("%d after-expiry notices about %s, want 1", c, n)
			}
		}
		return nil
	})
	l.quiet()
	for _, n := range []string{noticed, gone} {
		if before, after := l.mails(n+" expires on "), l.mails(n+" has expired"); before != 2 || after != 1 {
			t.Errorf("after another pass: %d notices before the expiry of %s and %d after, want 2 and 1", before, n, after)
		}
		if c := l.events(n, registrar.EventNotice); c != 3 {
			t.Errorf("history of %s has %d expiry_notice events, want 3", n, c)
		}
		if c := l.events(n, registrar.EventExpired); c != 1 {
			t.Errorf("history of %s has %d expired events, want 1", n, c)
		}
	}
	if n := l.mails(auto + " "); n != 0 {
		t.Errorf("%d notices about %s, which renews automatically, want none", n, auto)
	}

	// Past the grace period: deleted at the registry, in redemption.
	l.advanceTo(exp.Add(31 * 24 * time.Hour))
	for _, n := range []string{noticed, gone} {
		l.wantStatus(n, registrar.RegistrationRedemptionPeriod)
		if ok, _ := l.commands("delete", n); ok != 1 {
			t.Errorf("the registry logged %d deletes of %s, want 1", ok, n)
		}
		if n == gone {
			if ok, _ := l.commands("host:delete", glue); ok != 1 {
				t.Errorf("the registry logged %d deletes of %s's glue %s, want 1 before the domain's", ok, gone, glue)
			}
			if l.env == "registrar" { // RDAP publishes the live names: this one is in redemption
				code, body := rdapGet(t, "http://"+s.d.Addr()+"/rdap/domain/"+gone)
				var d rdap.Domain
				if err := json.Unmarshal(body, &d); code != http.StatusOK || err != nil || !slices.Contains(d.Status, "redemption period") {
					t.Errorf("RDAP %s in redemption = %d %s, want status redemption period", gone, code, body)
				}
			}
			if h := dns.holding(gone); slices.ContainsFunc(h.Hosts, func(d sandbox.HostDetails) bool { return d.Name == glue }) || slices.Contains(h.Nameservers, glue) {
				t.Errorf("the registry holds %s with hosts %+v, name servers %v; want its glue gone", gone, h.Hosts, h.Nameservers)
			}
		}
		info, _, err := l.s.builtin(env).DomainInfo(context.Background(), daemon.SandboxClientID, "test-info", n, "")
		if err != nil || !slices.Contains(info.RGPStatuses, registrar.RGPRedemption) {
			t.Errorf("the registry's info of %s: %v, RGP statuses %v; want redemptionPeriod", n, err, info.RGPStatuses)
		}
	}

	// Restore.
	r := s.do("POST", l.url("/registrations/"+noticed+"/restore"), s.token, nil)
	if r.Status != http.StatusCreated && r.Status != http.StatusAccepted {
		t.Fatalf("POST restore of %s = %d %s, want 201 or 202", noticed, r.Status, r.Body)
	}
	l.eventually(30*time.Second, func() error {
		if st := l.workflowStatus(noticed, "restore"); st.State != registrar.StateSucceeded {
			return fmt.Errorf("restore of %s is %s %+v, want succeeded", noticed, st.State, st.Error)
		}
		return nil
	})
	g = l.wantStatus(noticed, registrar.RegistrationActive)
	if g.ExpiresAt == nil || !g.ExpiresAt.After(l.now()) {
		t.Errorf("%s restored with expires_at %v, want after now (%v)", noticed, g.ExpiresAt, l.now())
	}
	if n := l.events(noticed, registrar.EventRestored); n != 1 {
		t.Errorf("history of %s has %d restored events, want 1", noticed, n)
	}
	if ok, _ := l.commands("restore:report", noticed); ok != 1 {
		t.Errorf("the registry logged %d restore reports of %s, want 1", ok, noticed)
	}

	// Past redemption, then past pending delete: released.
	l.advanceTo(exp.Add(62 * 24 * time.Hour))
	l.wantStatus(gone, registrar.RegistrationPendingDelete)
	l.advanceTo(exp.Add(68 * 24 * time.Hour))
	l.eventually(30*time.Second, func() error {
		if _, code := l.get(gone); code != http.StatusNotFound {
			return fmt.Errorf("GET registration of %s = %d, want 404 once released", gone, code)
		}
		return nil
	})
	r = s.do("POST", l.url("/domain-check"), s.token, map[string]any{"domains": []string{gone}})
	var check struct {
		Domains []struct {
			Name        string `json:"name"`
			Registrable bool   `json:"registrable"`
		} `json:"domains"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Env.Result, &check) != nil || len(check.Domains) != 1 || !check.Domains[0].Registrable {
		t.Errorf("domain-check of the released %s = %d %s, want registrable", gone, r.Status, r.Body)
	}
	if r := s.do("POST", l.url("/registrations/"+gone+"/renew"), s.token, nil); r.Status != http.StatusNotFound {
		t.Errorf("POST renew of the deleted %s = %d %s, want 404", gone, r.Status, r.Body)
	}
	if r := s.do("POST", l.url("/registrations/"+gone+"/restore"), s.token, nil); r.Status != http.StatusNotFound {
		t.Errorf("POST restore of the deleted %s = %d %s, want 404", gone, r.Status, r.Body)
	}
	// The restored one lived on.
	if g, code := l.get(noticed); code != http.StatusOK || g.Status != registrar.RegistrationActive {
		t.Errorf("the restored %s at the end: %d %s, want active", noticed, code, g.Status)
	}
}

// TestLifecycleBilled proves the charges of a domain's life where the
// live environment is billed: a registries file and a standalone sandbox
// registry. Its clock cannot be shifted the user's way (AdvanceClock
// refuses the live clock with real registries, which this checks), so the
// test moves the registrar's base clock and the registry's together, as
// the other daemon tests move deadlines, with a lifecycle job running
// every half second: one charge per renewal (explicit, concurrent and
// repeated POSTs, and automatic), one restore fee.
func TestLifecycleBilled(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		clock := &registrar.ShiftClock{}
		reg := startClockedRegistry(t, clock)
		s := startServer(t, b, func(c *daemon.Config) {
			c.Registries = reg.file
			c.Clock = clock
			c.Workflows.LifecycleInterval = 500 * time.Millisecond
		})
		s.verifyRegistrant()
		lifecycleBilled(t, s, reg, clock)
	})
}

func lifecycleBilled(t *testing.T, s *server, reg *registry, clock *registrar.ShiftClock) {
	l := &life{t: t, s: s, env: "registrar", tag: "billed"}
	const (
		auto     = "auto-billed.com"
		explicit = "explicit-billed.com"
		restored = "restored-billed.com"
	)
	if _, err := s.d.DB().AdvanceClock(context.Background(), registrar.EnvLive, time.Hour); !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("AdvanceClock of the live clock with real registries = %v, want a conflict", err)
	}
	l.register(auto, true)
	explicitExp := *l.register(explicit, false).ExpiresAt
	g := l.register(restored, false)
	exp := *g.ExpiresAt

	renews := func(domain string) int {
		t.Helper()
		entries, err := reg.engine.Log(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Command == "renew" && e.Domain == domain && strings.HasPrefix(e.Result, "1000 ") {
				n++
			}
		}
		return n
	}
	// charges returns the domain's charges other than its registration's.
	charges := func(domain string) []int64 {
		t.Helper()
		cs, err := s.d.DB().Charges(context.Background(), s.account)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, c := range cs {
			if c.Domain == domain {
				out = append(out, c.AmountCents)
			}
		}
		return out
	}
	wantCharges := func(domain string, want ...int64) {
		t.Helper()
		// The first is the registration's.
		if got := charges(domain); len(got) != len(want)+1 || !slices.Equal(got[1:], want) {
			t.Errorf("charges of %s: %v, want the registration's and then %v", domain, got, want)
		}
	}

	// Explicit: concurrent POSTs, one renewal, one charge; a repeated POST
	// for the same term gets the same renewal back. Each names the term it
	// renews, as docs/API.md tells clients that retry to: one without it
	// that a loaded machine delays until the renewal has extended the
	// expiry renews the new term, by contract (CI saw that happen).
	const posts = 4
	answers := make([]*response, posts)
	var wg sync.WaitGroup
	for i := range posts {
		wg.Go(func() {
			answers[i] = s.do("POST", l.url("/registrations/"+explicit+"/renew"), s.token,
				map[string]any{"years": 1, "current_expires_at": explicitExp.Format(time.RFC3339Nano)})
		})
	}
	wg.Wait()
	for i, r := range answers {
		if r.Status != http.StatusCreated && r.Status != http.StatusAccepted && r.Status != http.StatusOK {
			t.Fatalf("concurrent POST renew %d of %s = %d %s", i, explicit, r.Status, r.Body)
		}
	}
	l.eventually(30*time.Second, func() error {
		if st := l.workflowStatus(explicit, "renewal"); st.State != registrar.StateSucceeded {
			return fmt.Errorf("renewal of %s is %s %+v", explicit, st.State, st.Error)
		}
		return nil
	})
	first := l.workflowStatus(explicit, "renewal").CreatedAt.Truncate(time.Microsecond)
	// As the API gives the expiry, and to the second as the command line
	// shows it (registries keep dates).
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339} {
		r := s.do("POST", l.url("/registrations/"+explicit+"/renew"), s.token,
			map[string]any{"years": 1, "current_expires_at": explicitExp.Format(layout)})
		if r.Status != http.StatusOK || !r.status(t).CreatedAt.Truncate(time.Microsecond).Equal(first) || !strings.Contains(string(r.Body), `"code":1101`) {
			t.Errorf("repeated POST renew of %s for the term renewed (current_expires_at %s) = %d %s, want 200 with the first renewal and message 1101",
				explicit, explicitExp.Format(layout), r.Status, r.Body)
		}
	}
	if n := renews(explicit); n != 1 {
		t.Errorf("the registry renewed %s %d times, want 1", explicit, n)
	}
	wantCharges(explicit, 1044)

	// Automatic, in the renewal window.
	clock.Advance(exp.Add(-29 * 24 * time.Hour).Sub(clock.Now()))
	l.eventually(30*time.Second, func() error {
		if st := l.workflowStatus(auto, "renewal"); st.State != registrar.StateSucceeded {
			return fmt.Errorf("renewal of %s is %s %+v", auto, st.State, st.Error)
		}
		return nil
	})
	time.Sleep(2 * time.Second) // a few more lifecycle passes
	if n := renews(auto); n != 1 {
		t.Errorf("the registry renewed %s %d times, want 1", auto, n)
	}
	wantCharges(auto, 1044)

	// Past the grace period, then a restore: the restore fee, once.
	clock.Advance(exp.Add(31 * 24 * time.Hour).Sub(clock.Now()))
	l.wantStatus(restored, registrar.RegistrationRedemptionPeriod)
	r := s.do("POST", l.url("/registrations/"+restored+"/restore"), s.token, nil)
	if r.Status != http.StatusCreated && r.Status != http.StatusAccepted {
		t.Fatalf("POST restore of %s = %d %s", restored, r.Status, r.Body)
	}
	l.wantStatus(restored, registrar.RegistrationActive)
	if r := s.do("POST", l.url("/registrations/"+restored+"/restore"), s.token, nil); r.Status != http.StatusConflict {
		t.Errorf("a second POST restore of the restored %s = %d %s, want 409", restored, r.Status, r.Body)
	}
	time.Sleep(2 * time.Second)
	wantCharges(restored, 4*1044)
	wantCharges(explicit, 1044)
	wantCharges(auto, 1044)
}

// startClockedRegistry starts a standalone sandbox registry, as
// startRegistry does, on clock.
func startClockedRegistry(t *testing.T, clock registrar.Clock) *registry {
	t.Helper()
	dir := t.TempDir()
	files, err := tlsca.Ensure(filepath.Join(dir, "tls"), "billed")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := sandbox.Open(filepath.Join(dir, "sandbox.db"), sandbox.Config{Delay: 300 * time.Millisecond, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	srvTLS, _ := files.ServerConfig(true)
	srv := sandbox.NewServer(engine, sandbox.ServerConfig{TLS: srvTLS, Accounts: map[string]string{"billed": "billed-pw1"}})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close()
		engine.Close()
	})
	file := filepath.Join(dir, "registries.yaml")
	if err := os.WriteFile(file, []byte(fmt.Sprintf(`registries:
  - name: billed
    address: %s
    server_name: localhost
    client_id: billed
    password: billed-pw1
    client_cert: %s
    client_key: %s
    ca: %s
    pool_size: 4
    rate_limit: 1000
    extensions:
      - {name: com, currency: USD, registration_price: "10.44", renewal_price: "10.44"}
`, srv.Addr(), files.ClientCert, files.ClientKey, files.CACert)), 0o600); err != nil {
		t.Fatal(err)
	}
	return &registry{engine: engine, file: file}
}
