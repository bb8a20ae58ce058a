package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openregistrar/registrar/internal/registrar"
)

// SQLite busy past busy_timeout is an outage (503), not a bug (500): here
// another process holds the write lock and the timeout is zero.
func TestSQLiteBusyIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := "file:" + filepath.Join(t.TempDir(), "busy.db") + "?_pragma=busy_timeout(0)&_pragma=journal_mode(wal)"
	open := func() *sql.Conn {
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	holder, other := open(), open()
	if _, err := holder.ExecContext(ctx, "CREATE TABLE t (x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, err := other.ExecContext(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		t.Fatal("a second writer got the lock")
	}
	if got := dbErr("test", err); !registrar.IsKind(got, registrar.KindUnavailable) {
		t.Errorf("dbErr(%v) = %v, want unavailable", err, got)
	}
	holder.ExecContext(ctx, "COMMIT")
}

// Which database errors are outages: the table of unavailable.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "08006"}, true},  // connection failure
		{&pgconn.PgError{Code: "57P01"}, true},  // admin shutdown
		{&pgconn.PgError{Code: "57P03"}, true},  // cannot connect now
		{&pgconn.PgError{Code: "53300"}, true},  // too many connections
		{&pgconn.PgError{Code: "23505"}, false}, // unique violation: a bug or a conflict
		{&pgconn.PgError{Code: "42P01"}, false}, // undefined table: a bug
		{sql.ErrConnDone, true},
		{errors.New("sql: database is closed"), true},
		{errors.New("closed pool"), true},
		{errors.New("syntax error"), false},
	} {
		if got := unavailable(c.err); got != c.want {
			t.Errorf("unavailable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
