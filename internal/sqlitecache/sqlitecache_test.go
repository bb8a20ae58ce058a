package sqlitecache_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/openregistrar/registrar/internal/sqlitecache"
)

func TestCachedStatements(t *testing.T) {
	t.Parallel()
	db := sqlitecache.Open("file:" + filepath.Join(t.TempDir(), "t.db") + "?_pragma=journal_mode(WAL)")
	defer db.Close()
	ctx := context.Background()
	// A script of several statements still runs whole.
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'one'); INSERT INTO t VALUES (2, 'two')`); err != nil {
		t.Fatal(err)
	}
	for i := 3; i <= 50; i++ {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (k, v) VALUES ($1, $2)`, i, "n"); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k > $1`, 0).Scan(&n); err != nil || n != 50 {
		t.Fatalf("count = %d, %v; want 50", n, err)
	}
	// The same query nested inside its own open rows, in one transaction.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	const q = `SELECT k, v FROM t WHERE k <= $1 ORDER BY k`
	outer, err := tx.QueryContext(ctx, q, 3)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for outer.Next() {
		var k int
		var v string
		outer.Scan(&k, &v)
		inner, err := tx.QueryContext(ctx, q, 2)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			got++
		}
		inner.Close()
	}
	outer.Close()
	tx.Commit()
	if got != 6 {
		t.Errorf("nested same-query rows: %d inner rows in all, want 6", got)
	}
	// Concurrent use through the pool.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				var v string
				if err := db.QueryRowContext(ctx, `SELECT v FROM t WHERE k = $1`, 2).Scan(&v); err != nil || v != "two" {
					t.Errorf("concurrent read = %q, %v", v, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkQuery(b *testing.B) {
	ctx := context.Background()
	dsn := "file:" + filepath.Join(b.TempDir(), "b.db") + "?_pragma=journal_mode(WAL)"
	db := sqlitecache.Open(dsn)
	defer db.Close()
	db.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT, b TEXT, c TEXT, d INTEGER)`)
	db.ExecContext(ctx, `INSERT INTO t VALUES (1, 'a', 'b', 'c', 4)`)
	const q = `SELECT k, a, b, c, d FROM t WHERE k = $1 AND a = $2 AND b = $3 ORDER BY d DESC LIMIT 1`
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			var k, d int
			var x, y, z string
			db.QueryRowContext(ctx, q, 1, "a", "b").Scan(&k, &x, &y, &z, &d)
		}
	})
}
