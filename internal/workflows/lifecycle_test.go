package workflows

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// lifeRegistry is a registry with a domain's life: it keeps each name's
// expiry and RGP statuses, and implements renew, delete and restore as a
// registry does (renew checks curExpDate). Check and Create are the
// scripted fakeRegistry's, for registering first.
type lifeRegistry struct {
	*fakeRegistry
	mu       sync.Mutex
	exp      map[string]time.Time
	rgp      map[string][]string
	renews   []string // "name cur years"
	deletes  []string
	restores []string
	// renewErr, deleteErr and restoreErr answer the next calls; acts
	// makes a call act before it answers with its error (the answer was
	// lost).
	renewErr, deleteErr, restoreErr []error
	acts                            bool
	infoErr                         []error
}

func (r *lifeRegistry) pop(q *[]error) error {
	if len(*q) == 0 {
		return nil
	}
	err := (*q)[0]
	*q = (*q)[1:]
	return err
}

func (r *lifeRegistry) Info(ctx context.Context, name string) (registrar.DomainInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fakeRegistry.mu.Lock()
	r.fakeRegistry.calls = append(r.fakeRegistry.calls, "Info "+name)
	r.fakeRegistry.mu.Unlock()
	if err := r.pop(&r.infoErr); err != nil {
		return registrar.DomainInfo{}, err
	}
	exp, ok := r.exp[name]
	if !ok {
		return registrar.DomainInfo{}, errNotFound
	}
	return registrar.DomainInfo{Name: name, Sponsored: true, ExpiresAt: exp, RGPStatuses: r.rgp[name]}, nil
}

func (r *lifeRegistry) Renew(ctx context.Context, name string, cur time.Time, years int) (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.renews = append(r.renews, name+" "+cur.Format("2006-01-02")+" "+string(rune('0'+years)))
	err := r.pop(&r.renewErr)
	if err != nil && !r.acts {
		return time.Time{}, err
	}
	if utcDay(r.exp[name]) != utcDay(cur) {
		return time.Time{}, registrar.Errorf(registrar.KindRejected, "fake.Renew", "curExpDate does not match")
	}
	r.exp[name] = r.exp[name].AddDate(years, 0, 0)
	return r.exp[name], err
}

func (r *lifeRegistry) Delete(ctx context.Context, name, trid string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deletes = append(r.deletes, name)
	err := r.pop(&r.deleteErr)
	if err != nil && !r.acts {
		return err
	}
	r.rgp[name] = []string{registrar.RGPRedemption}
	return err
}

func (r *lifeRegistry) Restore(ctx context.Context, req registrar.RestoreRequest) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.restores = append(r.restores, req.Name)
	if err := r.pop(&r.restoreErr); err != nil {
		return err
	}
	if req.Reason == "" || req.PreData == "" || req.PostData == "" || req.DeletedAt.IsZero() {
		return registrar.Errorf(registrar.KindInvalid, "fake.Restore", "incomplete report %+v", req)
	}
	r.rgp[req.Name] = nil
	return nil
}

func (r *lifeRegistry) counts() (renews, deletes, restores int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.renews), len(r.deletes), len(r.restores)
}

var (
	_ registrar.Registry   = (*lifeRegistry)(nil)
	_ registrar.Lifecycler = (*lifeRegistry)(nil)
)

// lifeBundle is a bundle whose registry is a lifeRegistry and whose live
// environment runs on a shifted clock, starting at t0.
type lifeBundle struct {
	*bundle
	lr    *lifeRegistry
	shift *registrar.ShiftClock
}

func newLifeBundle(t *testing.T, lc registrar.Lifecycle) *lifeBundle {
	b := newBundle(t)
	lr := &lifeRegistry{fakeRegistry: b.reg, exp: map[string]time.Time{}, rgp: map[string][]string{}}
	ext := testExt
	ext.Lifecycle = lc
	b.router.add(registrar.EnvLive, ext, lr)
	b.router.add(registrar.EnvSandbox, ext, lr)
	shift := &registrar.ShiftClock{}
	shift.Advance(time.Until(t0))
	b.e.Clocks = map[registrar.Env]registrar.Clock{registrar.EnvLive: shift}
	return &lifeBundle{bundle: b, lr: lr, shift: shift}
}

// registered registers domain in live (expiring at regExpires) and
// returns its registration.
func (b *lifeBundle) registered(domain string, autoRenew bool) *registrar.Registration {
	b.t.Helper()
	b.reg.on("check", available(domain)).on("create", created)
	if _, err := b.e.StartRegistration(b.ctx, b.p, registrar.EnvLive, registrar.RegistrationRequest{
		DomainName: domain, Extension: "com", AutoRenew: autoRenew, Contacts: registrar.Contacts{Registrant: contact("ada@example.com")},
	}); err != nil {
		b.t.Fatal(err)
	}
	b.step()
	b.lr.mu.Lock()
	b.lr.exp[domain] = regExpires
	b.lr.mu.Unlock()
	g := b.registration(registrar.EnvLive, domain)
	if g == nil || g.Status != registrar.RegistrationActive {
		b.t.Fatalf("registration %+v, want active", g)
	}
	return g
}

// at moves the live clock to t.
func (b *lifeBundle) at(t time.Time) { b.shift.Advance(t.Sub(b.shift.Now())) }

func (b *lifeBundle) lifecycle() {
	b.t.Helper()
	if err := b.e.runLifecycle(b.ctx); err != nil {
		b.t.Fatalf("lifecycle: %v", err)
	}
}

// drain runs queued steps until none is left.
func (b *lifeBundle) drain() {
	b.t.Helper()
	for range 20 {
		if len(b.queuedSteps()) == 0 {
			return
		}
		b.step()
	}
	b.t.Fatal("steps never ran out")
}

func (b *lifeBundle) events(domain string) []string {
	b.t.Helper()
	evs, err := b.db.RegistrationHistory(b.ctx, b.acct.ID, registrar.EnvLive, domain)
	if err != nil {
		b.t.Fatalf("history: %v", err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type+":"+string(ev.Status))
	}
	return out
}

func (b *lifeBundle) workflowsOf(kind registrar.WorkflowKind) []string {
	b.t.Helper()
	rows, err := b.db.SQLite().QueryContext(b.ctx, `SELECT state FROM workflows WHERE kind = ? ORDER BY created_at`, kind)
	if err != nil {
		b.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func TestRenewalConcurrentRequestsAreOne(t *testing.T) {
	t.Parallel()
	b := newLifeBundle(t, registrar.Lifecycle{})
	b.registered(domain, false)
	var wg sync.WaitGroup
	ids := make([]string, 6)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wf, err := b.e.StartRenewal(b.ctx, b.p, registrar.EnvLive, domain, registrar.RenewalRequest{Years: 2})
			if err != nil {
				t.Errorf("StartRenewal: %v", err)
				return
			}
			ids[i] = wf.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("renewal workflows %q, want one", ids)
		}
	}
	b.drain()
	if wf := b.workflow(ids[0]); wf.State != registrar.StateSucceeded {
		t.Fatalf("renewal %s (%s), want succeeded", wf.State, wf.ErrorMessage)
	}
	// The same request again, naming the term it renewed, is the same
	// renewal; a repeat with no term renews the next one.
	cur := regExpires
	again, err := b.e.StartRenewal(b.ctx, b.p, registrar.EnvLive, domain, registrar.RenewalRequest{Years: 2, CurrentExpiresAt: &cur})
	if err != nil || again.ID != ids[0] || !again.Existing {
		t.Errorf("repeat = %v, %v; want the first renewal, marked Existing", again, err)
	}
	if n, _, _ := b.lr.counts(); n != 1 {
		t.Errorf("%d renews at the registry, want 1: %q", n, b.lr.renews)
	}
	if c := b.charges(); len(c) != 2 || c[1].AmountCents != 2*testExt.RenewalCents || c[1].Years != 2 {
		t.Errorf("charges %+v, want the registration's and one renewal of 2 years", c)
	}
	g := b.registration(registrar.EnvLive, domain)
	if !g.ExpiresAt.Equal(regExpires.AddDate(2, 0, 0)) || g.Renewal == nil || g.Renewal.State != registrar.StateSucceeded {
		t.Errorf("registration expires %s, renewal %+v; want +2 years, succeeded", g.ExpiresAt, g.Renewal)
	}
	if got := b.events(domain); strings.Join(got, " ") != "registered:active renewed:active" {
		t.Errorf("history %q", got)
	}
}

func TestRenewalUnknownOutcomeRenewsOnce(t *testing.T) {
	t.Parallel()
	b := newLifeBundle(t, registrar.Lifecycle{})
	b.registered(domain, false)
	// The registry renews, and its answer is lost.
	b.lr.acts, b.lr.renewErr = true, []error{errUnreachable}
	wf, err := b.e.StartRenewal(b.ctx, b.p, registrar.EnvLive, domain, registrar.RenewalRequest{})
	if err != nil {
		t.Fatal(err)
	}
	b.step()
	if got := b.workflow(wf.ID); got.State != registrar.StateBlocked {
		t.Fatalf("after a lost answer: %s, want blocked", got.State)
	}
	b.step()
	if got := b.workflow(wf.ID); got.State != registrar.StateSucceeded {
		t.Fatalf("after the retry: %s (%s), want succeeded", got.State, got.ErrorMessage)
	}
	if n, _, _ := b.lr.counts(); n != 1 {
		t.Errorf("renews %q, want one", b.lr.renews)
	}
	if c := b.charges(); len(c) != 2 {
		t.Errorf("charges %+v, want the registration's and one renewal", c)
	}
	if g := b.registration(registrar.EnvLive, domain); !g.ExpiresAt.Equal(regExpires.AddDate(1, 0, 0)) {
		t.Errorf("expires %s, want a year on", g.ExpiresAt)
	}
}

func TestLifecycleRefusals(t *testing.T) {
	t.Parallel()
	b := newLifeBundle(t, registrar.Lifecycle{})
	b.registered(domain, false)
	other, _, err := b.db.CreateAccount(b.ctx, "eve", contact("eve@example.com"), t0)
	if err != nil {
		t.Fatal(err)
	}
	eve := registrar.Principal{AccountID: other.ID}
	cases := []struct {
		name   string
		do     func() error
		kind   registrar.Kind
		reason string
	}{
		{"a term past the maximum", func() error {
			_, err := b.e.StartRenewal(b.ctx, b.p, registrar.EnvLive, domain, registrar.RenewalRequest{Years: 10})
			return err
		}, registrar.KindInvalid, registrar.CodeDomainMaxTerm},
		{"more years than any term", func() error {
			_, err := b.e.StartRenewal(b.ctx, b.p, registrar.EnvLive, domain, registrar.RenewalRequest{Years: 11})
			return err
		}, registrar.KindInvalid, ""},
		{"another account's domain", func() error {
			_, err := b.e.StartRenewal(b.ctx, eve, registrar.EnvLive, domain, registrar.RenewalRequest{})
			return err
		}, registrar.KindNotFound, ""},
		{"an unknown domain", func() error {
			_, err := b.e.StartRenewal(b.ctx, b.p, registrar.EnvLive, "nothing.com", registrar.RenewalRequest{})
			return err
		}, registrar.KindNotFound, ""},
		{"restore of an active registration", func() error {
			_, err := b.e.StartRestore(b.ctx, b.p, registrar.EnvLive, domain)
			return err
		}, registrar.KindConflict, registrar.CodeNotRestorable},
		{"restore of another account's domain", func() error {
			_, err := b.e.StartRestore(b.ctx, eve, registrar.EnvLive, domain)
			return err
		}, registrar.KindNotFound, ""},
	}
	for _, c := range cases {
		err := c.do()
		if !registrar.IsKind(err, c.kind) || (c.reason != "" && registrar.AsError(err).Reason != c.reason) {
			t.Errorf("%s: %v, want %s %s", c.name, err, c.kind, c.reason)
		}
		if c.reason == registrar.CodeDomainMaxTerm {
			if f := registrar.AsError(err).Fields; len(f) != 1 || f[0].Pointer != "/years" {
				t.Errorf("%s: fields %+v, want /years", c.name, f)
			}
		}
	}
	if len(b.queuedSteps()) != 0 {
		t.Errorf("a refused request queued a step")
	}
}

func TestAutoRenewOncePerTerm(t *testing.T) {
	t.Parallel()
	b := newLifeBundle(t, registrar.Lifecycle{})
	b.registered(domain, true)
	b.at(regExpires.Add(-31 * 24 * time.Hour))
	b.lifecycle()
	if got := b.workflowsOf(registrar.WorkflowRenewal); len(got) != 0 {
		t.Fatalf("renewals before the window: %q", got)
	}
	b.at(regExpires.Add(-29 * 24 * time.Hour))
	b.lifecycle()
	b.lifecycle()
	b.drain()
	b.lifecycle()
	if got := b.workflowsOf(registrar.WorkflowRenewal); strings.Join(got, ",") != "succeeded" {
		t.Errorf("renewals %q, want one succeeded", got)
	}
	if n, _, _ := b.lr.counts(); n != 1 {
		t.Errorf("renews %q, want one", b.lr.renews)
	}
	if c := b.charges(); len(c) != 2 {
		t.Errorf("charges %+v, want two", c)
	}
	if len(b.outbox()) != 0 {
		t.Errorf("mail %+v for a domain renewing automatically", b.outbox())
	}
}

func TestAutoRenewFailureTellsTheRegistrant(t *testing.T) {
	t.Parallel()
	b := newLifeBundle(t, registrar.Lifecycle{})
	b.registered(domain, true)
	b.lr.renewErr = []error{errPolicy}
	b.at(regExpires.Add(-10 * 24 * time.Hour))
	b.lifecycle()
	b.drain()
	b.lifecycle() // no second renewal of the term
	if got := b.workflowsOf(registrar.WorkflowRenewal); strings.Join(got, ",") != "failed" {
		t.Fatalf("renewals %q, want one failed", got)
	}
	g := b.registration(registrar.EnvLive, domain)
	if g.Status != registrar.RegistrationActive || g.Renewal == nil || g.Renewal.State != registrar.StateFailed ||
		g.Renewal.ErrorCode != registrar.CodeRegistryRejected || !g.Renewal.Automatic {
		t.Errorf("registration %s, renewal %+v; want active with a failed automatic renewal", g.Status, g.Renewal)
	}
	mail := b.outbox()
	if len(mail) != 1 || mail[0].To != "ada@example.com" || !strings.Contains(mail[0].Body, "registrar renew "+domain) ||
		!strings.Contains(mail[0].Body, "/registrations/"+domain+"/renew") {
		t.Errorf("mail %+v, want one to the registrant with the command and the API path", mail)
	}
	// An explicit renewal afterwards is a new attempt.
	b.lr.renewErr = nil
	wf, err := b.e.StartRenewal(b.ctx, b.p, registrar.EnvLive, domain, registrar.RenewalRequest{})
	if err != nil || wf.State != registrar.StatePending {
		t.Fatalf("explicit renewal after a failure: %v, %v", wf, err)
	}
	b.drain()
	if got := b.workflow(wf.ID); got.State != registrar.StateSucceeded {
		t.Errorf("explicit renewal %s", got.State)
	}
	if got := strings.Join(b.events(domain), " "); got != "registered:active renewal_failed:active renewed:active" {
		t.Errorf("history %q", got)
	}
}

func TestExpiryNoticesOnceEach(t *testing.T) {
	t.Parallel()
	b := newLifeBundle(t, registrar.Lifecycle{})
	b.registered(domain, false)
	for _, at := range []time.Duration{-40 * 24 * time.Hour, -29 * 24 * time.Hour, -20 * 24 * time.Hour, -6 * 24 * time.Hour, -time.Hour,
		time.Hour, 3 * 24 * time.Hour, 6 * 24 * time.Hour} {
		b.at(regExpires.Add(at))
		b.lifecycle()
		b.lifecycle()
	}
	mail := b.outbox()
	var subjects []string
	for _, m := range mail {
		subjects = append(subjects, m.Subject)
		if !strings.Contains(m.Body, "registrar renew "+domain) {
			t.Errorf("notice %q does not say how to renew", m.Body)
		}
	}
	want := "example.com expires on 1 March 2027|example.com expires on 1 March 2027|example.com has expired"
	if strings.Join(subjects, "|") != want {
		t.Errorf("notices %q, want %q", subjects, want)
	}
	if got := strings.Join(b.events(domain), " "); got != "registered:active expiry_notice:active expiry_notice:active expired:expired expiry_notice:expired" {
		t.Errorf("history %q", got)
	}
}

func TestExpiryToDeletion(t *testing.T) {
	t.Parallel()
	for _, model := range []registrar.ExpiryModel{registrar.ExpiryAutoRenew, registrar.ExpiryDelete} {
		t.Run(string(model), func(t *testing.T) {
			t.Parallel()
			b := newLifeBundle(t, registrar.Lifecycle{Model: model})
			b.registered(domain, false)
			slots := b.slots(registrar.EnvLive)
			b.at(regExpires.Add(time.Minute))
			b.lifecycle()
			if g := b.registration(registrar.EnvLive, domain); g.Status != registrar.RegistrationExpired {
				t.Fatalf("after expiry: %s", g.Status)
			}
			b.at(regExpires.Add(registrar.GraceDefault + time.Minute))
			b.lifecycle()
			b.lifecycle()
			b.drain()
			if g := b.registration(registrar.EnvLive, domain); g.Status != registrar.RegistrationRedemptionPeriod {
				t.Fatalf("after the grace period: %s", g.Status)
			}
			_, deletes, _ := b.lr.counts()
			if want := map[registrar.ExpiryModel]int{registrar.ExpiryAutoRenew: 1}[model]; deletes != want {
				t.Errorf("%d deletes, want %d", deletes, want)
			}
			b.at(b.shift.Now().Add(registrar.RedemptionDefault))
			b.lifecycle()
			if g := b.registration(registrar.EnvLive, domain); g.Status != registrar.RegistrationPendingDelete {
				t.Fatalf("after redemption: %s", g.Status)
			}
			b.at(b.shift.Now().Add(registrar.PendingDeleteDefault))
			b.lifecycle()
			if g := b.registration(registrar.EnvLive, domain); g != nil {
				t.Fatalf("after pending delete: %+v, want deleted", g)
			}
			if got := b.slots(registrar.EnvLive); got != slots-1 {
				t.Errorf("slots %d, want %d", got, slots-1)
			}
			want := "registered:active expiry_notice:expired expired:expired redemption_period:redemption_period pending_delete:pending_delete deleted:deleted"
			got := b.events(domain)
			// The after-expiry notice went out in the same pass as the expiry.
			if strings.Join(got, " ") != strings.Replace(want, "expiry_notice:expired expired:expired", "expired:expired expiry_notice:expired", 1) {
				t.Errorf("history %q", got)
			}
			other, _, _ := b.db.CreateAccount(b.ctx, "eve", nil, t0)
			if _, err := b.db.RegistrationHistory(b.ctx, other.ID, registrar.EnvLive, domain); !registrar.IsKind(err, registrar.KindNotFound) {
				t.Errorf("another account's history: %v, want not found", err)
			}
		})
	}
}

func TestRestoreInRedemption(t *testing.T) {
	t.Parallel()
	b := newLifeBundle(t, registrar.Lifecycle{})
	b.registered(domain, false)
	b.at(regExpires.Add(time.Minute))
	b.lifecycle()
	b.at(regExpires.Add(registrar.GraceDefault + time.Minute))
	b.lifecycle()
	b.drain()
	b.lr.restoreErr = []error{errUnreachable}
	wf, err := b.e.StartRestore(b.ctx, b.p, registrar.EnvLive, domain)
	if err != nil {
		t.Fatal(err)
	}
	if wf.Existing {
		t.Error("the first restore is marked Existing")
	}
	if again, err := b.e.StartRestore(b.ctx, b.p, registrar.EnvLive, domain); err != nil || again.ID != wf.ID || !again.Existing {
		t.Errorf("a second restore: %v, %v; want the running one, marked Existing", again, err)
	}
	b.step()
	if got := b.workflow(wf.ID); got.State != registrar.StateBlocked {
		t.Fatalf("restore with the registry down: %s", got.State)
	}
	// Redemption ends while the restore runs: the registration waits for it.
	b.at(b.shift.Now().Add(registrar.RedemptionDefault))
	b.lifecycle()
	b.step()
	if got := b.workflow(wf.ID); got.State != registrar.StateSucceeded {
		t.Fatalf("restore %s (%s)", got.State, got.ErrorMessage)
	}
	g := b.registration(registrar.EnvLive, domain)
	if g.Status != registrar.RegistrationActive || !g.ExpiresAt.Equal(regExpires) {
		t.Errorf("restored registration %s expiring %s", g.Status, g.ExpiresAt)
	}
	c := b.charges()
	if len(c) != 2 || c[1].AmountCents != 4*testExt.RenewalCents {
		t.Errorf("charges %+v, want the restore fee once", c)
	}
	if _, _, restores := b.lr.counts(); restores != 2 {
		t.Errorf("%d restore calls, want 2 (one unanswered)", restores)
	}
}
