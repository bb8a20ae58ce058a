package workflows

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/time/rate"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// Reconciliation: the registry is checked, not trusted to agree.
//
// A periodic job (leader-elected, like every River periodic job) runs
// every reconcile tick, min(1m, ReconcileEvery/24). Each run checks its
// share of the registrations the registry holds for us: those never
// checked, then those checked longest ago, as long as their check is
// older than ReconcileEvery, at most ceil(held × tick / ReconcileEvery)
// of them, so that the whole set is checked once per period and spread
// over it. It walks them in keyset pages (never loading them whole),
// infos each at its registry through a token bucket per registry
// (ReconcileRate commands a second, at most rate × tick a run), compares,
// acts, and records each page's results in one transaction.

// ReconcileRateDefault is Config.ReconcileRate's default: infos a second
// per registry, a small fraction of a registry's command limits.
const ReconcileRateDefault = 5

// reconcilePage is how many registrations a page reads and records in
// one transaction.
const reconcilePage = 200

// reconcileParallel is how many infos a run keeps in flight per registry
// (the token bucket, not this, sets the pace).
const reconcileParallel = 4

// reconcileTick returns how often the reconciliation job runs.
func (c *Config) reconcileTick() time.Duration {
	return max(time.Second, min(time.Minute, c.ReconcileEvery/24))
}

// reconcileArgs is the periodic reconciliation job.
type reconcileArgs struct{}

func (reconcileArgs) Kind() string { return "registry_reconcile" }

// InsertOpts makes runs unique while one is waiting, so a slow run does
// not pile up others.
func (reconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

func (e *Engine) reconcileJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(e.cfg.reconcileTick()),
		func() (river.JobArgs, *river.InsertOpts) { return reconcileArgs{}, nil },
		&river.PeriodicJobOpts{ID: "registry_reconcile"})
}

type reconcileWorker struct {
	river.WorkerDefaults[reconcileArgs]
	e *Engine
}

// Work runs one reconciliation: the run's share of the registrations.
func (w *reconcileWorker) Work(ctx context.Context, job *river.Job[reconcileArgs]) error {
	st, err := w.e.Reconcile(ctx, 0)
	if st.Checked > 0 {
		w.e.Logger.Info("reconciled registrations with their registries", "checked", st.Checked, "differences", st.Differences)
	}
	return err
}

// ReconcileStats reports one Reconcile run.
type ReconcileStats struct {
	// Checked counts the registrations infoed and recorded.
	Checked int
	// Differences counts the differences newly found (reported).
	Differences int
	// Skipped counts the due registrations left for a later run: their
	// registry did not answer, or its share of the run was spent.
	Skipped int
}

// reconcileState is the engine's memory between runs: a token bucket
// per registry.
type reconcileState struct {
	mu       sync.Mutex
	limiters map[registrar.Registry]*rate.Limiter
}

func (e *Engine) limiter(reg registrar.Registry) *rate.Limiter {
	s := &e.reconciler
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limiters == nil {
		s.limiters = map[registrar.Registry]*rate.Limiter{}
	}
	l, ok := s.limiters[reg]
	if !ok {
		limit := rate.Inf
		if e.cfg.ReconcileRate > 0 {
			limit = rate.Limit(e.cfg.ReconcileRate)
		}
		// A bucket of one second's commands.
		l = rate.NewLimiter(limit, max(1, int(math.Ceil(e.cfg.ReconcileRate))))
		s.limiters[reg] = l
	}
	return l
}

// Reconcile runs one reconciliation: it checks at most limit due
// registrations (limit ≤ 0: the run's share of the period), each
// registry at most ReconcileRate × tick of them (no cap when the rate is
// negative). The periodic job calls it; so do benchmarks, with a limit.
func (e *Engine) Reconcile(ctx context.Context, limit int) (ReconcileStats, error) {
	var st ReconcileStats
	if limit <= 0 {
		held, err := e.DB.CountSyncHeld(ctx)
		if err != nil {
			return st, err
		}
		limit = int(math.Ceil(float64(held) * float64(e.cfg.reconcileTick()) / float64(e.cfg.ReconcileEvery)))
	}
	perRegistry := math.MaxInt
	if e.cfg.ReconcileRate > 0 {
		perRegistry = int(math.Ceil(e.cfg.ReconcileRate * e.cfg.reconcileTick().Seconds()))
	}
	// Leave the end of the job's time to record what was found.
	stopAt := time.Time{}
	if dl, ok := ctx.Deadline(); ok {
		stopAt = dl.Add(-time.Until(dl) / 5)
	}
	used := map[registrar.Registry]int{}
	for _, env := range []registrar.Env{registrar.EnvLive, registrar.EnvSandbox} {
		now := e.clock(env).Now()
		var cur store.SyncCursor
		for limit > 0 && (stopAt.IsZero() || time.Now().Before(stopAt)) {
			page, next, err := e.DB.RegistrationsDueForSync(ctx, env, now.Add(-e.cfg.ReconcileEvery), cur, min(reconcilePage, limit))
			if err != nil {
				return st, err
			}
			cur = next
			n, err := e.reconcilePage(ctx, env, page, now.Add(-e.cfg.ReconcileEvery), used, perRegistry, &st)
			if err != nil {
				return st, err
			}
			limit -= n
			if len(page) < reconcilePage {
				break
			}
		}
	}
	return st, nil
}

// checked is one registration and its registry's answer.
type checked struct {
	g    registrar.Registration
	info registrar.DomainInfo
	err  error
}

// reconcilePage infos a page of registrations, at most perRegistry per
// registry in the run (used counts them), records what it finds in one
// transaction, then starts the updates that re-apply what the account
// asked for. It returns how many it took from the run's share.
func (e *Engine) reconcilePage(ctx context.Context, env registrar.Env, page []registrar.Registration, due time.Time, used map[registrar.Registry]int, perRegistry int, st *ReconcileStats) (int, error) {
	groups := map[registrar.Registry][]registrar.Registration{}
	var order []registrar.Registry
	for _, g := range page {
		_, ext, _ := strings.Cut(g.DomainName, ".")
		reg, _, err := e.Registries.Lookup(env, ext)
		if err != nil {
			e.Logger.Warn("reconciliation: no registry serves the registration", "env", env, "domain", g.DomainName, "error", err)
			st.Skipped++
			continue
		}
		if used[reg] >= perRegistry {
			st.Skipped++
			continue
		}
		used[reg]++
		if _, ok := groups[reg]; !ok {
			order = append(order, reg)
		}
		groups[reg] = append(groups[reg], g)
	}

	// Each registry's infos run at its own pace, the registries at once.
	var results []checked
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, reg := range order {
		work := make(chan registrar.Registration)
		for range reconcileParallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for g := range work {
					c := checked{g: g}
					if c.err = e.limiter(reg).Wait(ctx); c.err == nil {
						c.info, c.err = reg.Info(ctx, g.DomainName)
					}
					mu.Lock()
					results = append(results, c)
					mu.Unlock()
				}
			}()
		}
		go func() {
			defer close(work)
			for _, g := range groups[reg] {
				work <- g
			}
		}()
	}
	wg.Wait()

	taken := 0
	var reapply []registrar.Registration
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		taken, reapply = 0, nil
		for _, c := range results {
			taken++
			r, again, ok := e.compare(c)
			if !ok {
				st.Skipped++
				continue
			}
			r.DueBefore = due // a concurrent run that checked it first wins
			recorded, err := tx.RecordSync(ctx, r)
			if err != nil {
				return err
			}
			if !recorded {
				continue
			}
			st.Checked++
			st.Differences += len(r.Report)
			if again {
				reapply = append(reapply, c.g)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, g := range reapply {
		e.reapplyLock(ctx, g)
	}
	return taken, nil
}

// The values of a difference's ours and registry.
const (
	valuePresent  = "present"
	valueAbsent   = "absent"
	valueNotFound = "not found"
	valueUs       = "us"
)

// compare compares our registration with the registry's answer and says
// what to record and change; again asks for the account's lock to be
// re-applied. ok is false when the registry did not answer: the
// registration stays due.
func (e *Engine) compare(c checked) (r store.SyncResult, again, ok bool) {
	g := c.g
	now := e.clock(g.Env).Now()
	r = store.SyncResult{Env: g.Env, Domain: g.DomainName, AccountID: g.AccountID, WorkflowID: g.WorkflowID, Status: g.Status,
		Sync: registrar.RegistrySync{State: registrar.SyncInSync, CheckedAt: now, Differences: []registrar.SyncDifference{}}}
	found := func(field, ours, registry, action string) {
		r.Sync.Differences = append(r.Sync.Differences, registrar.SyncDifference{Field: field, Ours: ours, Registry: registry, Action: action})
	}
	switch {
	case registrar.IsKind(c.err, registrar.KindNotFound):
		r.Sync.State = registrar.SyncMissing
		ours := string(g.Status)
		if g.Status == registrar.RegistrationSuspended {
			ours = string(registrar.RegistrationActive) // suspended by an earlier check: the same finding
		}
		found("existence", ours, valueNotFound, registrar.SyncOursCorrected)
		switch g.Status {
		case registrar.RegistrationPendingDelete, registrar.RegistrationRedemptionPeriod:
			r.Delete = true // purged at the end of redemption: the name is released
		case registrar.RegistrationSuspended:
		default:
			r.NewStatus = registrar.RegistrationSuspended
		}
	case c.err != nil:
		e.Logger.Warn("reconciliation: the registry did not answer an info", "env", g.Env, "domain", g.DomainName, "error", c.err)
		return r, false, false
	case !c.info.Sponsored:
		r.Sync.State = registrar.SyncForeign
		sponsor := c.info.Sponsor
		if sponsor == "" {
			sponsor = "another registrar"
		}
		found("sponsor", valueUs, sponsor, registrar.SyncOursCorrected)
		if g.Status != registrar.RegistrationSuspended {
			r.NewStatus = registrar.RegistrationSuspended
		}
	default:
		info := c.info
		if g.Status == registrar.RegistrationSuspended {
			// Back with us (a transfer undone, a name restored by the
			// registry): the registry is the truth for existence.
			found("sponsor", string(registrar.RegistrationSuspended), valueUs, registrar.SyncOursCorrected)
			r.NewStatus = registrar.RegistrationActive
		}
		// Past expiry the registries differ by model (an auto-renewing
		// registry moves its expiry ahead at once): expiry is compared on
		// active registrations only.
		if (g.Status == registrar.RegistrationActive || r.NewStatus == registrar.RegistrationActive) && !info.ExpiresAt.IsZero() &&
			(g.ExpiresAt == nil || !g.ExpiresAt.Truncate(time.Second).Equal(info.ExpiresAt.Truncate(time.Second))) {
			ours := ""
			if g.ExpiresAt != nil {
				ours = g.ExpiresAt.UTC().Format(time.RFC3339)
			}
			found("expires_at", ours, info.ExpiresAt.UTC().Format(time.RFC3339), registrar.SyncOursCorrected)
			exp := info.ExpiresAt.UTC()
			r.NewExpiresAt = &exp
		}
		if g.Status == registrar.RegistrationActive {
			locked := slices.Contains(info.Statuses, registrar.StatusTransferLocked)
			if locked != g.Locked {
				found("status:"+registrar.StatusTransferLocked, presence(g.Locked), presence(locked), registrar.SyncReapplied)
				again = true
			}
		}
		for _, hold := range []string{"clientHold", "serverHold"} {
			if slices.Contains(info.Statuses, hold) {
				found("status:"+hold, valueAbsent, valuePresent, registrar.SyncRecorded)
			}
		}
		if len(r.Sync.Differences) > 0 {
			r.Sync.State = registrar.SyncDiffers
		}
	}
	// A finding the previous check recorded is not reported again.
	for _, d := range r.Sync.Differences {
		if g.RegistrySync == nil || !slices.ContainsFunc(g.RegistrySync.Differences, func(p registrar.SyncDifference) bool {
			return p.Field == d.Field && p.Ours == d.Ours && p.Registry == d.Registry
		}) {
			r.Report = append(r.Report, d)
		}
	}
	return r, again, true
}

func presence(b bool) string {
	if b {
		return valuePresent
	}
	return valueAbsent
}

// reapplyLock starts an update workflow that sets the registry's transfer
// lock to what the account asked for. An update already running (the
// account's, or the one an earlier run started) settles it instead.
func (e *Engine) reapplyLock(ctx context.Context, g registrar.Registration) {
	locked := g.Locked
	_, err := e.startUpdate(ctx, registrar.Principal{AccountID: g.AccountID}, g.Env, g.DomainName,
		updateData{UpdateRequest: registrar.UpdateRequest{Locked: &locked}})
	if err != nil && !registrar.IsKind(err, registrar.KindConflict) {
		e.Logger.Warn("reconciliation: could not start the update that re-applies the lock", "env", g.Env, "domain", g.DomainName, "error", err)
	}
}
