package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// MigrationsPending returns how many of the embedded migrations the
// database has not applied: 0 when its schema is current (readiness).
// A failure to read means the database is out of reach.
func (db *DB) MigrationsPending(ctx context.Context) (int, error) {
	entries, err := fs.ReadDir(migrationFS, path.Join("migrations", db.dialect.String()))
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	var applied int
	if err := db.read.queryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		return 0, dbErr("store.MigrationsPending", err)
	}
	want := 0
	for _, e := range entries {
		if num, _, ok := strings.Cut(e.Name(), "_"); ok {
			if _, err := strconv.Atoi(num); err == nil {
				want++
			}
		}
	}
	return max(want-applied, 0), nil
}

// Count is a number of rows by two labels, for metrics read at scrape
// time.
type Count struct {
	A, B string
	N    int64
}

// ActiveWorkflows counts the workflows not yet finished (pending,
// in_progress, blocked, action_required) by kind and state: a bounded set,
// read when metrics are scraped.
func (db *DB) ActiveWorkflows(ctx context.Context) ([]Count, error) {
	return db.counts(ctx, "store.ActiveWorkflows", `SELECT kind, state, count(*) FROM workflows
		WHERE state IN ('pending', 'in_progress', 'blocked', 'action_required') GROUP BY kind, state`)
}

// JobStates are the states of the job engine's jobs that QueuedJobs
// counts: waiting to run, or running.
var JobStates = []string{"available", "scheduled", "retryable", "running"}

// QueuedJobs counts the job engine's jobs waiting or running by state:
// each of JobStates, zero included.
func (db *DB) QueuedJobs(ctx context.Context) (map[string]int64, error) {
	got, err := db.counts(ctx, "store.QueuedJobs", `SELECT '', state, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running') GROUP BY state`)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(JobStates))
	for _, st := range JobStates {
		out[st] = 0
	}
	for _, c := range got {
		out[c.B] = c.N
	}
	return out, nil
}

func (db *DB) counts(ctx context.Context, op, q string) ([]Count, error) {
	rs, err := db.read.query(ctx, q)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	var out []Count
	for rs.Next() {
		var c Count
		if err := rs.Scan(&c.A, &c.B, &c.N); err != nil {
			return nil, dbErr(op, err)
		}
		out = append(out, c)
	}
	if err := rs.Err(); err != nil {
		return nil, dbErr(op, err)
	}
	return out, nil
}
