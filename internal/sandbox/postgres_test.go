package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ?`, `SELECT a FROM t WHERE b = $1`},
		{`INSERT INTO t (a, b, c) VALUES (?, '{}', ?)`, `INSERT INTO t (a, b, c) VALUES ($1, '{}', $2)`},
		{`?,?,?,?,?,?,?,?,?,?,?`, `$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11`},
	}
	for _, tt := range tests {
		if got := rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPostgresCommandWaitsForTheLock holds the schema's advisory lock in
// another transaction, which creates a domain behind the engine's back: a
// command waits for the lock, and then sees what the holder committed, as
// a command on SQLite waits for the write lock.
func TestPostgresCommandWaitsForTheLock(t *testing.T) {
	t.Parallel()
	storetest.RequirePostgres(t)
	db := openPostgres(t)
	e, err := OpenPostgres(db, "sandbox_registry", Config{Clock: newFakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()

	holder, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKeyOf("sandbox_registry")); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, `
		INSERT INTO sandbox_registry.domains (name, sponsor, auth_info, registrant, contacts, created_at, expires_at, updated_at, create_cltrid, create_svtrid)
		VALUES ('example.com', 'theirs', 'x', '{}', '{}', 0, 0, 0, '', '')`); err != nil {
		t.Fatal(err)
	}

	type result struct {
		avail []registrar.Availability
		err   error
	}
	done := make(chan result, 1)
	go func() {
		avail, _, err := e.Check(ctx, "ours", "", []string{"example.com"})
		done <- result{avail, err}
	}()
	// Wait until the command waits for the advisory lock.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("Check while another transaction holds the lock = %+v, %v; want it to wait", r.avail, r.err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("Check did not wait for the advisory lock")
		}
	}
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || len(r.avail) != 1 || r.avail[0].Available || r.avail[0].Reason != "In use" {
		t.Errorf("Check after the holder committed = %+v, %v; want example.com in use", r.avail, r.err)
	}
}
