package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite" // the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/openregistrar/registrar/internal/registrar"
)

// This file holds everything that differs between SQLite and PostgreSQL,
// apart from the DDL in migrations/: the two query APIs (database/sql and
// pgx) behind one small interface, and how a change is announced.

type dialect int

const (
	sqlite dialect = iota + 1
	postgres
)

func (d dialect) String() string {
	if d == postgres {
		return "postgres"
	}
	return "sqlite"
}

// querier is what every query in this package runs on: a pool or a
// transaction, of either database.
type querier interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rows, error)
	queryRow(ctx context.Context, q string, args ...any) row
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type row interface {
	Scan(dest ...any) error
}

// sqlQuerier runs queries through database/sql (SQLite).
type sqlQuerier struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
}

func (s sqlQuerier) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := s.q.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s sqlQuerier) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (s sqlQuerier) queryRow(ctx context.Context, q string, args ...any) row {
	return s.q.QueryRowContext(ctx, q, args...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// pgxQuerier runs queries through pgx (PostgreSQL).
type pgxQuerier struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
}

func (p pgxQuerier) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := p.q.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (p pgxQuerier) query(ctx context.Context, q string, args ...any) (rows, error) {
	return p.q.Query(ctx, q, args...)
}

func (p pgxQuerier) queryRow(ctx context.Context, q string, args ...any) row {
	return p.q.QueryRow(ctx, q, args...)
}

// isNoRows reports whether err means a single-row query found nothing.
func isNoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows)
}

// notifyChannel is the PostgreSQL channel that carries workflow changes.
const notifyChannel = "registrar_workflow"

// deferExec runs a statement whose result nothing in the transaction waits
// for; result gets its rows affected (or its failure), and an error it
// returns fails the transaction. On PostgreSQL the statement is queued and
// goes out with the next one (see pgTx), so deferExec returns nil and the
// failure comes back from a later statement or from InTx; on SQLite it
// runs at once (there is no round trip to save) and deferExec returns what
// result returns. Only a statement whose every failure fails the
// transaction may be deferred, and one whose check fails must have
// written nothing.
func (tx *Tx) deferExec(ctx context.Context, q string, args []any, result func(n int64, err error) error) error {
	if tx.pg == nil {
		return result(tx.q.exec(ctx, q, args...))
	}
	tx.pg.push(deferred{sql: q, args: args, exec: func(tag pgconn.CommandTag, err error) error {
		return result(tag.RowsAffected(), err)
	}})
	return nil
}

// deferQueryRow is deferExec for a query of one row, which result scans.
func (tx *Tx) deferQueryRow(ctx context.Context, q string, args []any, result func(r row) error) error {
	if tx.pg == nil {
		return result(tx.q.queryRow(ctx, q, args...))
	}
	tx.pg.push(deferred{sql: q, args: args, scan: result})
	return nil
}

// writeWorkflow runs stmt, an INSERT or UPDATE of one workflow row whose
// state after the write c describes, as deferExec does, and announces the
// change to every replica once tx commits: its waiters wake, and its
// cached status is dropped. check, if not nil, gets the rows written; with
// none, nothing is announced. A failure of the statement is op's.
//
// On PostgreSQL the announcement is a NOTIFY, delivered at commit to every
// listening replica (this one included). It rides in the write itself,
// WITH written AS (stmt RETURNING 1) SELECT pg_notify(...) FROM written,
// which notifies once per row written and saves a round trip per
// transition. On SQLite there is only one server process, so the change is
// published directly after commit.
//
// with, on PostgreSQL, adds statements to the WITH clause after written
// (which they may read: the rows written); its placeholders are given as
// %[1]d, %[2]d, … for withArgs in order.
func (tx *Tx) writeWorkflow(ctx context.Context, c change, op string, check func(n int64) error, with string, withArgs []any, stmt string, args ...any) error {
	announce := func() { tx.db.publish(c) }
	if tx.db.dialect == postgres {
		next := len(args) + 1
		if with != "" {
			nums := make([]any, len(withArgs))
			for i := range withArgs {
				nums[i] = next + i
			}
			with = ", " + fmt.Sprintf(with, nums...)
			args = append(args, withArgs...)
			next += len(withArgs)
		}
		stmt = fmt.Sprintf("WITH written AS (%s RETURNING 1)%s SELECT pg_notify($%d, $%d) FROM written", stmt, with, next, next+1)
		args = append(args, notifyChannel, c.encode())
		// This replica drops its cached status at once, so that whoever
		// made the change reads it back; the NOTIFY follows for everyone.
		announce = func() { tx.db.statuses.invalidate(c.key, c.stamp) }
	}
	return tx.deferExec(ctx, stmt, args, func(n int64, err error) error {
		if err != nil {
			return dbErr(op, err)
		}
		if n > 0 {
			tx.afterCommit = append(tx.afterCommit, announce)
		}
		if check != nil {
			return check(n)
		}
		return nil
	})
}

// dbErr wraps a database failure (nil stays nil). Cancellation stays
// recognisable; the database being out of reach (see [unavailable]) is
// KindUnavailable, which the API answers with 503 and Retry-After; anything
// else is an internal error whose details only reach the log.
func dbErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return registrar.Wrap(registrar.KindUnavailable, op, err, "the request was cancelled")
	}
	if unavailable(err) {
		return registrar.Wrap(registrar.KindUnavailable, op, err, errUnavailableMessage)
	}
	return registrar.Wrap(registrar.KindInternal, op, err, "")
}

const errUnavailableMessage = "the database is unavailable; try again shortly"

// unavailable reports whether err says the database cannot be reached or
// cannot take the work now, rather than that the statement is wrong: an
// outage, not a bug. On SQLite: busy or locked past busy_timeout, a file
// that cannot be opened, read or written (I/O error, disk full, read-only),
// or a closed pool. On PostgreSQL: a failed connect, a network error or
// timeout, a connection lost mid-statement, a closed pool, and the server's
// connection-exception, shutdown and too-many-connections codes.
func unavailable(err error) bool {
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PROTOCOL:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, cannot connect now
			pe.Code == "53300": // too many connections
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, sql.ErrConnDone), errors.Is(err, driver.ErrBadConn):
		return true
	}
	// database/sql and pgxpool say "closed" with unexported errors.
	msg := err.Error()
	return strings.Contains(msg, "sql: database is closed") || strings.Contains(msg, "closed pool") ||
		strings.Contains(msg, "conn closed")
}
