package workflows

import (
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// TestPruneEvents: the prune job deletes the events older than the
// retention on the engine's clock, and keeps the rest.
func TestPruneEvents(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.EventRetention = 24 * time.Hour
	b := newBundle(t, bundleOpts{cfg: cfg})
	insert := func(domain string) {
		t.Helper()
		now := b.clock.Now()
		wf := &registrar.Workflow{ID: registrar.NewID(), AccountID: b.acct.ID, Env: registrar.EnvLive, Kind: registrar.WorkflowRegistration,
			Domain: domain, State: registrar.StatePending, Step: "start", Context: []byte(`{}`), Data: []byte(`{}`), CreatedAt: now, UpdatedAt: now}
		if err := b.db.InTx(b.ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(b.ctx, wf) }); err != nil {
			t.Fatal(err)
		}
	}
	insert("old.com")
	b.clock.Advance(23 * time.Hour)
	insert("recent.com")
	b.clock.Advance(2 * time.Hour) // old.com's event is 25h old, recent.com's 2h
	if err := b.e.PruneEvents(b.ctx); err != nil {
		t.Fatal(err)
	}
	page, err := b.db.Events(b.ctx, b.acct.ID, registrar.EnvLive, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 || page.Events[0].Domain != "recent.com" || page.PrunedThrough == 0 {
		t.Errorf("after pruning: %d events (%+v), pruned through %d; want recent.com's alone, and a mark", len(page.Events), page.Events, page.PrunedThrough)
	}
}
