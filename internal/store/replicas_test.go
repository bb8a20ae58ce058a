package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestJoinReplicas: replicas of one PostgreSQL database with the same
// registry configuration start side by side; one with another
// configuration is refused with a message naming the running replica,
// until that one is gone; and a configuration that gets in while a
// replica's connection is down makes that replica give up.
func TestJoinReplicas(t *testing.T) {
	t.Parallel()
	url := storetest.NewPostgresDatabase(t)
	ctx := context.Background()
	dbA, dbB, dbC := openReplica(t, url), openReplica(t, url), openReplica(t, url)

	a, err := dbA.JoinReplicas(ctx, "live=demo", nil)
	if err != nil {
		t.Fatalf("first replica: %v", err)
	}
	b, err := dbB.JoinReplicas(ctx, "live=demo", nil)
	if err != nil {
		t.Fatalf("second replica, same configuration: %v", err)
	}
	_, err = dbC.JoinReplicas(ctx, "live=file:abc", nil)
	if !errors.Is(err, store.ErrReplicaConflict) {
		t.Fatalf("replica with another configuration: err = %v, want ErrReplicaConflict", err)
	}
	for _, want := range []string{"live=demo", "live=file:abc", "--registries"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("conflict message %q does not mention %q", err, want)
		}
	}
	a.Close()
	if _, err := dbC.JoinReplicas(ctx, "live=file:abc", nil); !errors.Is(err, store.ErrReplicaConflict) {
		t.Fatalf("with one old replica left: err = %v, want ErrReplicaConflict", err)
	}
	b.Close()
	c, err := dbC.JoinReplicas(ctx, "live=file:abc", nil)
	if err != nil {
		t.Fatalf("after every old replica left: %v", err)
	}
	c.Close()

	// A database restart drops every connection: a replica reconnects and
	// declares itself again.
	lost := make(chan error, 1)
	d, err := store.JoinReplicasBackoff(dbA, ctx, "live=demo", func(err error) { lost <- err }, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// terminate ends every replica connection and returns their backends'
	// pids: a terminated backend keeps its locks until it has exited, so
	// the wait below must not mistake it for the reconnected one.
	terminate := func() []int32 {
		var pids []int32
		if err := admin.QueryRow(ctx, `SELECT coalesce(array_agg(pid), '{}') FROM pg_stat_activity
			WHERE datname = current_database() AND application_name LIKE 'registrar replica:%'
			AND pg_terminate_backend(pid)`).Scan(&pids); err != nil {
			t.Fatal(err)
		}
		return pids
	}
	gone := terminate()
	if len(gone) != 1 {
		t.Fatalf("terminated %d replica connections, want 1", len(gone))
	}
	waitFor(t, "the replica to declare itself again", func() bool {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND classid::bigint = 7303785 AND objsubid = 2 AND objid::bigint <> 0 AND pid <> ALL($1)
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, gone).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
	if _, err := dbC.JoinReplicas(ctx, "live=file:abc", nil); !errors.Is(err, store.ErrReplicaConflict) {
		t.Fatalf("after the replica reconnected: err = %v, want ErrReplicaConflict", err)
	}

	// Another configuration gets in while the connection is down: the
	// replica is told, and stops declaring itself.
	e, err := store.JoinReplicasBackoff(dbB, ctx, "live=demo", func(err error) { lost <- err }, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	d.Close()
	if n := len(terminate()); n < 1 { // d's backend may still be on its way out
		t.Fatalf("terminated %d replica connections, want e's", n)
	}
	waitFor(t, "the terminated backends to exit", func() bool {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND classid::bigint = 7303785 AND objsubid = 2 AND objid::bigint <> 0
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
	intruder, err := dbC.JoinReplicas(ctx, "live=file:abc", nil)
	if err != nil {
		t.Fatalf("join while the only replica is reconnecting: %v", err)
	}
	defer intruder.Close()
	select {
	case err := <-lost:
		if !errors.Is(err, store.ErrReplicaConflict) {
			t.Errorf("onLost(%v), want ErrReplicaConflict", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the replica was not told that another configuration got in")
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openReplica opens the PostgreSQL database at url as one more replica
// would: a store with its own pool, closed when the test ends.
func openReplica(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
