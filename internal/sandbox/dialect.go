package sandbox

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// This file holds the one difference between the engine's two backends
// that the engine's statements see: placeholders. Every statement is
// written once, with SQLite's ? placeholders; on PostgreSQL txn rewrites
// them to $1, $2, ... (rebind). The schema DDL is per dialect (schema.go,
// postgres.go), and so is what starts a transaction (Engine.begin).

// txn is a command's transaction, on either backend. Engine code runs its
// statements through it, never through the *sql.Tx.
type txn struct {
	tx *sql.Tx
	pg bool // rewrite placeholders for PostgreSQL
}

func (t *txn) query(q string) string {
	if t.pg {
		return rebind(q)
	}
	return q
}

// ExecContext is (*sql.Tx).ExecContext with the statement rebound.
func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.query(q), args...)
}

// QueryContext is (*sql.Tx).QueryContext with the statement rebound.
func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.query(q), args...)
}

// QueryRowContext is (*sql.Tx).QueryRowContext with the statement
// rebound.
func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.query(q), args...)
}

// rebind rewrites the ? placeholders of a statement to PostgreSQL's $n.
// The engine's statements have no ? inside a literal or an identifier.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
