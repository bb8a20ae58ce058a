package workflows

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// pruneEventsInterval is how often the event feed is pruned: retention
// is counted in days, so an hour late costs little.
const pruneEventsInterval = time.Hour

// pruneEventsArgs is the periodic job that deletes the events older than
// Config.EventRetention. Like every River periodic job it runs on the
// elected leader only.
type pruneEventsArgs struct{}

func (pruneEventsArgs) Kind() string { return "event_prune" }

func (pruneEventsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

type pruneEventsWorker struct {
	river.WorkerDefaults[pruneEventsArgs]
	e *Engine
}

// Work prunes the feed.
func (w *pruneEventsWorker) Work(ctx context.Context, job *river.Job[pruneEventsArgs]) error {
	return w.e.PruneEvents(ctx)
}

// PruneEvents deletes the events older than the retention on the wall
// clock: retention is about storage, not a domain's life, so a sandbox
// clock shifted ahead does not shorten it.
func (e *Engine) PruneEvents(ctx context.Context) error {
	n, err := e.DB.PruneEvents(ctx, e.Clock.Now().Add(-e.cfg.EventRetention))
	if err == nil && n > 0 {
		e.Logger.Info("pruned the event feed", "events", n, "retention", e.cfg.EventRetention.String())
	}
	return err
}
