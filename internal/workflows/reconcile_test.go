package workflows

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// syncRegistry is a registry that holds domains, which a test changes
// behind the registrar's back; it counts infos and records updates.
type syncRegistry struct {
	mu      sync.Mutex
	domains map[string]registrar.DomainInfo
	infos   int
	updates []string
}

func newSyncRegistry() *syncRegistry {
	return &syncRegistry{domains: map[string]registrar.DomainInfo{}}
}

func (r *syncRegistry) set(name string, f func(d *registrar.DomainInfo)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.domains[name]
	f(&d)
	r.domains[name] = d
}

func (r *syncRegistry) remove(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.domains, name)
}

func (r *syncRegistry) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.infos
}

func (r *syncRegistry) Info(ctx context.Context, name string) (registrar.DomainInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.infos++
	d, ok := r.domains[name]
	if !ok {
		return d, registrar.Errorf(registrar.KindNotFound, "sync.Info", "%s does not exist", name)
	}
	return d, nil
}

func (r *syncRegistry) Update(ctx context.Context, u registrar.DomainUpdate) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, fmt.Sprintf("%s +%v -%v", u.Name, u.AddStatuses, u.RemoveStatuses))
	d := r.domains[u.Name]
	d.Statuses = append(slices.DeleteFunc(d.Statuses, func(s string) bool { return slices.Contains(u.RemoveStatuses, s) }), u.AddStatuses...)
	r.domains[u.Name] = d
	return nil
}

func (r *syncRegistry) Check(context.Context, []string) ([]registrar.Availability, error) {
	return nil, registrar.Errorf(registrar.KindInternal, "sync", "unexpected Check")
}
func (r *syncRegistry) Create(context.Context, registrar.CreateRequest) (registrar.CreateResult, error) {
	return registrar.CreateResult{}, registrar.Errorf(registrar.KindInternal, "sync", "unexpected Create")
}
func (r *syncRegistry) Renew(context.Context, string, time.Time, int) (time.Time, error) {
	return time.Time{}, registrar.Errorf(registrar.KindInternal, "sync", "unexpected Renew")
}
func (r *syncRegistry) Poll(context.Context) (*registrar.PollMessage, error) { return nil, nil }
func (r *syncRegistry) Ack(context.Context, string) error                    { return nil }

// syncBundle is an engine on a real database of backend b (its River
// client never started: the jobs it queues stay queued), a syncRegistry
// per extension, and a fixed clock.
type syncBundle struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	e     *Engine
	clock *fixedClock
	acct  registrar.Account
	regs  map[string]*syncRegistry
}

func newSyncBundle(t *testing.T, b storetest.Backend, cfg Config, exts ...string) *syncBundle {
	t.Helper()
	s := &syncBundle{t: t, ctx: t.Context(), db: storetest.Open(t, b), clock: &fixedClock{now: t0}, regs: map[string]*syncRegistry{}}
	router := &fakeRouter{}
	for _, ext := range exts {
		s.regs[ext] = newSyncRegistry()
		router.add(registrar.EnvLive, registrar.Extension{Name: ext, MinYears: 1, MaxYears: 10}, s.regs[ext])
	}
	var err error
	s.e, err = New(Deps{DB: s.db, Registries: router, Clock: s.clock, Logger: slog.New(slog.DiscardHandler)}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.acct, _, err = s.db.CreateAccount(s.ctx, "ada", nil, t0); err != nil {
		t.Fatal(err)
	}
	return s
}

var syncExpiry = t0.AddDate(1, 0, 0)

// hold stores a registration of domain in status and puts the domain at
// its registry, in agreement.
func (s *syncBundle) hold(domain string, status registrar.RegistrationStatus, locked bool) {
	s.t.Helper()
	exp := syncExpiry
	g := &registrar.Registration{AccountID: s.acct.ID, Env: registrar.EnvLive, DomainName: domain, WorkflowID: "wf-" + domain,
		Status: status, CreatedAt: t0, ExpiresAt: &exp, Locked: locked, PrivacyMode: registrar.PrivacyRedaction}
	if err := s.db.InTx(s.ctx, func(tx *store.Tx) error {
		if err := tx.ReserveDomainSlot(s.ctx, s.acct.ID, registrar.EnvLive, 1000); err != nil {
			return err
		}
		_, err := tx.ClaimDomain(s.ctx, g, 1)
		return err
	}); err != nil {
		s.t.Fatal(err)
	}
	_, ext, _ := strings.Cut(domain, ".")
	s.regs[ext].set(domain, func(d *registrar.DomainInfo) {
		*d = registrar.DomainInfo{Name: domain, Sponsored: true, Sponsor: "openregistrar", CreatedAt: t0, ExpiresAt: exp, Statuses: []string{"ok"}}
		if locked {
			d.Statuses = []string{registrar.StatusTransferLocked}
		}
	})
}

func (s *syncBundle) registration(domain string) *registrar.Registration {
	s.t.Helper()
	g, err := s.db.Registration(s.ctx, s.acct.ID, registrar.EnvLive, domain)
	if registrar.IsKind(err, registrar.KindNotFound) {
		return nil
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return g
}

func (s *syncBundle) reconcile(limit int) ReconcileStats {
	s.t.Helper()
	st, err := s.e.Reconcile(s.ctx, limit)
	if err != nil {
		s.t.Fatalf("Reconcile: %v", err)
	}
	return st
}

func (s *syncBundle) report() []string {
	s.t.Helper()
	diffs, err := s.db.SyncDifferences(s.ctx, registrar.EnvLive, 100)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, d := range diffs {
		out = append(out, fmt.Sprintf("%s %s ours=%s registry=%s %s", d.Domain, d.Field, d.Ours, d.Registry, d.Action))
	}
	slices.Sort(out)
	return out
}

// update returns the newest update workflow of domain, or nil.
func (s *syncBundle) update(domain string) *registrar.Workflow {
	s.t.Helper()
	var wf *registrar.Workflow
	err := s.db.InTx(s.ctx, func(tx *store.Tx) error {
		var err error
		wf, err = tx.LatestWorkflow(s.ctx, s.acct.ID, registrar.EnvLive, registrar.WorkflowUpdate, domain)
		return err
	})
	if registrar.IsKind(err, registrar.KindNotFound) {
		return nil
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return wf
}

// TestReconcileFindsRecordsAndActs changes the registry behind our back
// (an expiry, a hold, a transfer away, deletions, a lock removed) and
// shows each difference found, recorded and acted on, and a second run
// changing nothing more.
func TestReconcileFindsRecordsAndActs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newSyncBundle(t, b, testConfig(), "com")
		reg := s.regs["com"]
		for _, d := range []string{"fine.com", "expiry.com", "hold.com", "away.com", "gone.com"} {
			s.hold(d, registrar.RegistrationActive, false)
		}
		s.hold("lock.com", registrar.RegistrationActive, true)
		s.hold("purged.com", registrar.RegistrationRedemptionPeriod, false)

		renewed := syncExpiry.AddDate(1, 0, 0)
		reg.set("expiry.com", func(d *registrar.DomainInfo) { d.ExpiresAt = renewed })
		reg.set("hold.com", func(d *registrar.DomainInfo) { d.Statuses = []string{"serverHold"} })
		reg.set("away.com", func(d *registrar.DomainInfo) { d.Sponsored, d.Sponsor, d.AuthInfo = false, "otherreg", "" })
		reg.remove("gone.com")
		reg.remove("purged.com")
		reg.set("lock.com", func(d *registrar.DomainInfo) { d.Statuses = []string{"ok"} })
		heldBefore := s.held()

		st := s.reconcile(100)
		if st.Checked != 7 || st.Differences != 6 {
			t.Errorf("first run: %+v, want 7 checked, 6 differences", st)
		}
		want := []string{
			"away.com sponsor ours=us registry=otherreg ours_corrected",
			"expiry.com expires_at ours=2027-03-01T12:00:00Z registry=2028-03-01T12:00:00Z ours_corrected",
			"gone.com existence ours=active registry=not found ours_corrected",
			"hold.com status:serverHold ours=absent registry=present recorded",
			"lock.com status:clientTransferProhibited ours=present registry=absent reapplied",
			"purged.com existence ours=redemption_period registry=not found ours_corrected",
		}
		if diff := cmp.Diff(want, s.report()); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}

		type view struct {
			Status  registrar.RegistrationStatus
			Expires time.Time
			Sync    string
		}
		see := func(domain string) view {
			g := s.registration(domain)
			if g == nil {
				return view{}
			}
			v := view{Status: g.Status, Expires: *g.ExpiresAt}
			if g.RegistrySync != nil {
				v.Sync = g.RegistrySync.State
				if !g.RegistrySync.CheckedAt.Equal(s.clock.Now()) {
					t.Errorf("%s: checked_at %v, want %v", domain, g.RegistrySync.CheckedAt, s.clock.Now())
				}
			}
			return v
		}
		wantViews := map[string]view{
			"fine.com":   {registrar.RegistrationActive, syncExpiry, registrar.SyncInSync},
			"expiry.com": {registrar.RegistrationActive, renewed, registrar.SyncDiffers},
			"hold.com":   {registrar.RegistrationActive, syncExpiry, registrar.SyncDiffers},
			"away.com":   {registrar.RegistrationSuspended, syncExpiry, registrar.SyncForeign},
			"gone.com":   {registrar.RegistrationSuspended, syncExpiry, registrar.SyncMissing},
			"lock.com":   {registrar.RegistrationActive, syncExpiry, registrar.SyncDiffers},
			"purged.com": {}, // deleted, its slot released
		}
		check := func(when string) {
			for d, w := range wantViews {
				if got := see(d); got != w {
					t.Errorf("%s: %s = %+v, want %+v", when, d, got, w)
				}
			}
		}
		check("after the first run")
		if got := s.held(); got != heldBefore-1 {
			t.Errorf("registrations held = %d, want %d (purged.com deleted)", got, heldBefore-1)
		}
		wf := s.update("lock.com")
		if wf == nil || wf.State != registrar.StatePending {
			t.Fatalf("lock.com: update workflow %+v, want one pending", wf)
		}

		// A second run, a period later, before the update has run: the
		// same findings, nothing reported or started twice.
		s.clock.Advance(24*time.Hour + time.Minute)
		wantViews["expiry.com"] = view{registrar.RegistrationActive, renewed, registrar.SyncInSync}
		st = s.reconcile(100)
		if st.Checked != 6 || st.Differences != 0 {
			t.Errorf("second run: %+v, want 6 checked, no new differences", st)
		}
		if diff := cmp.Diff(want, s.report()); diff != "" {
			t.Errorf("report after the second run (-want +got):\n%s", diff)
		}
		if again := s.update("lock.com"); again.ID != wf.ID {
			t.Errorf("second run started another update %s", again.ID)
		}

		// The update re-applies the lock; the next run finds lock.com in sync.
		tr, err := s.e.step(s.ctx, wf, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.e.commit(s.ctx, nil, wf, tr); err != nil {
			t.Fatal(err)
		}
		if got, want := reg.updates, []string{"lock.com +[clientTransferProhibited] -[]"}; !cmp.Equal(got, want) {
			t.Errorf("registry updates = %q, want %q", got, want)
		}
		s.clock.Advance(24*time.Hour + time.Minute)
		s.reconcile(100)
		wantViews["lock.com"] = view{registrar.RegistrationActive, syncExpiry, registrar.SyncInSync}
		check("after the update")
		if got := s.registration("hold.com").RegistrySync.Differences; len(got) != 1 {
			t.Errorf("hold.com: differences %+v, want the hold again", got)
		}
	})
}

// held counts the account's registrations.
func (s *syncBundle) held() int {
	s.t.Helper()
	page, err := s.db.ListRegistrations(s.ctx, s.acct.ID, registrar.EnvLive, registrar.ListOptions{PerPage: 50})
	if err != nil {
		s.t.Fatal(err)
	}
	return len(page.Items)
}

// TestReconcileSpreadsAndLimits: a run checks only its share of the
// period, and each registry at most its rate for a tick.
func TestReconcileSpreadsAndLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		cfg := testConfig()
		cfg.ReconcileEvery = 24 * time.Minute // a tick of a minute: 1/24 of the period a run
		cfg.ReconcileRate = -1
		s := newSyncBundle(t, b, cfg, "com")
		for i := range 48 {
			s.hold(fmt.Sprintf("d%02d.com", i), registrar.RegistrationActive, false)
		}
		reg := s.regs["com"]
		for run := 1; run <= 24; run++ {
			st := s.reconcile(0)
			if st.Checked != 2 || reg.count() != 2*run {
				t.Fatalf("run %d: %+v, %d infos in all; want 2 checked a run", run, st, reg.count())
			}
			s.clock.Advance(time.Minute)
		}
		// The period is over: every registration was checked once, and
		// the oldest are due again.
		s.clock.Advance(time.Minute)
		if st := s.reconcile(0); st.Checked != 2 || s.registration("d00.com").RegistrySync.CheckedAt.Equal(t0) {
			t.Errorf("next period: %+v, d00.com not checked again", st)
		}

		// The rate: 3 infos a second per registry, a run of a second's
		// tick takes at most 3 from each.
		cfg.ReconcileEvery, cfg.ReconcileRate = 24*time.Second, 3
		s = newSyncBundle(t, b, cfg, "com", "net")
		for i := range 10 {
			s.hold(fmt.Sprintf("d%02d.com", i), registrar.RegistrationActive, false)
			s.hold(fmt.Sprintf("d%02d.net", i), registrar.RegistrationActive, false)
		}
		st := s.reconcile(100)
		if st.Checked != 6 || st.Skipped != 14 || s.regs["com"].count() != 3 || s.regs["net"].count() != 3 {
			t.Errorf("rate-limited run: %+v, infos com %d net %d; want 3 each", st, s.regs["com"].count(), s.regs["net"].count())
		}
	})
}
