package workflows

// The SQLite wake-up: how a step committed on SQLite reaches a worker at
// once. It leans on how River behaves inside, not on a documented API, so
// all of it lives in this file.
//
// Checked against River v0.51.2 (github.com/riverqueue/river and
// riverdriver/riversqlite, both v0.51.2 in go.mod). Re-check it on every
// River upgrade; TestWakeRunsStepsWithoutFetchPoll fails if what it relies
// on changes:
//
//  1. riversqlite's driver reports a listener, which emulates LISTEN/NOTIFY
//     with a river_notification table that every process polls every 50 ms
//     (notificationPollIntervalDefault, not configurable). A job inserted
//     with InsertTx is announced only there, so a step committed now waited
//     up to 50 ms to be fetched: most of a registration's time.
//  2. For a driver that reports no listener (SupportsListener false),
//     River's Client.Insert, outside a transaction, triggers its own
//     producers' fetch in-process (notifyProducerWithoutListenerJobFetch,
//     from River PR #928), and InsertTx writes no notification row
//     (SupportsListenNotify false).
//
// So the driver is declared listener-less (localSQLite), and after every
// commit that queues a step due now the engine inserts a no-op job outside
// the transaction (wake): the fetch it triggers picks up the step too. The
// fetch poll (Config.fetchPoll, 1 s) finds the rest: periodic jobs,
// retries and scheduled steps (which River's scheduler promotes only every
// 5 s anyway), snoozed registry polls, and a step whose wake was lost to a
// crash. Each idle fetch is a query on the one write connection: at 50 ms
// they were most of an idle server's CPU (docs/BENCHMARKS.md).
//
// No public River mechanism in v0.51.2 does this:
//   - Config.PollOnly skips the notifier, but the in-process trigger is
//     gated on the driver's SupportsListener, not on PollOnly: a committed
//     job still waits for the fetch poll, and every insert still writes a
//     notification row that nobody reads.
//   - Client.Notify sends only leadership resignations.
//   - QueuePause, QueueResume and QueueUpdate reach the producers
//     in-process only on listener-less drivers too, and a resume fetches
//     only if the queue was paused.
//   - A shorter FetchPollInterval makes every idle fetch a query on the one
//     write connection; 50 ms was already twenty a second.

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/openregistrar/registrar/internal/store"
)

// localSQLite is River's SQLite driver without its listener (see the top
// of this file).
type localSQLite struct{ *riversqlite.Driver }

func (localSQLite) SupportsListener() bool     { return false }
func (localSQLite) SupportsListenNotify() bool { return false }

// The two methods above must override riverdriver.Driver's: if River
// renames them, this stops compiling instead of silently bringing the
// polled listener back.
var _ interface {
	SupportsListener() bool
	SupportsListenNotify() bool
} = riverdriver.Driver[*sql.Tx](nil)

// newSQLiteJobs is River on SQLite with the wake-up: cfg gets the wake
// worker and the fetch settings; fetchPoll is the safety net's interval.
func newSQLiteJobs(db *sql.DB, cfg *river.Config, fetchPoll time.Duration) (*riverJobs[*sql.Tx], error) {
	river.AddWorker(cfg.Workers, river.WorkFunc(func(context.Context, *river.Job[wakeArgs]) error { return nil }))
	// Every fetch is a short query on the one write connection.
	cfg.FetchPollInterval = fetchPoll
	rj, err := newRiverJobs[*sql.Tx](localSQLite{riversqlite.New(db)}, cfg, (*store.Tx).SQLTx,
		river.JobCompleteTx[*riversqlite.Driver, *sql.Tx, stepArgs])
	if err != nil {
		return nil, err
	}
	rj.wakes = true
	return rj, nil
}

// wake inserts a no-op job outside any transaction: River then triggers
// its own fetch at once, which picks up the jobs committed before. The
// wake-up job is unique while queued, so a burst of requests adds one.
// It does nothing where the database announces jobs (PostgreSQL).
func (r *riverJobs[TTx]) wake(ctx context.Context) {
	if !r.wakes {
		return
	}
	r.client.Insert(ctx, wakeArgs{}, nil)
}

// wakeArgs is the wake-up job; its worker does nothing.
type wakeArgs struct{}

func (wakeArgs) Kind() string { return "wake" }

func (wakeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
}
