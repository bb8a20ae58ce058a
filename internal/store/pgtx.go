package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openregistrar/registrar/internal/registrar"
)

// pgTx is a PostgreSQL transaction that waits on the server as few times
// as it can: with client, server and registry on one machine, round trips
// were most of what the registrar added to a registration
// (docs/BENCHMARKS.md, "End-to-end registrations").
//
//   - BEGIN is not sent on its own: it goes out with the transaction's
//     first statement, in one pgx batch (pgx.Batch.BeginTx).
//   - A statement whose answer nothing waits for (Tx.deferExec,
//     Tx.deferQueryRow) is queued, and goes out in the same batch as the
//     next statement that needs an answer, River's included, or at COMMIT.
//     Its result is read, and checked, before that statement's.
//   - A transaction of one queued statement and nothing else runs as that
//     statement alone, which PostgreSQL makes a transaction of its own: no
//     BEGIN and no COMMIT.
//
// Statements run in the order they were issued; what moves is when a
// queued one's failure is seen: at the next round trip. That failure fails
// the transaction (InTx returns it, and rolls back), which is why only
// statements whose every failure fails the transaction are queued, and why
// one whose check fails must have written nothing (a version check that
// matched no row): a lone statement's failure is seen after it ran.
//
// pgTx is the pgx.Tx River's InsertTx and JobCompleteTx run on
// (Tx.PgxTx), so that the store's queued statements go out with River's.
// Everything but Exec, Query and QueryRow (all River v0.51.2 uses there)
// sends the queue first and then goes to pgx's own transaction.
type pgTx struct {
	pool  *pgxpool.Pool
	tx    pgx.Tx     // pgx's transaction, once BEGIN was sent
	done  bool       // committed or rolled back
	queue []deferred // statements not sent yet
	err   error      // the first failure of a queued statement
}

// deferred is a queued statement: exec reads its command tag, or scan
// its one row.
type deferred struct {
	sql  string
	args []any
	exec func(tag pgconn.CommandTag, err error) error
	scan func(r row) error
}

var _ pgx.Tx = (*pgTx)(nil)

// read reads the statement's result from br and checks it.
func (d deferred) read(br pgx.BatchResults) error {
	if d.exec != nil {
		tag, err := br.Exec()
		return d.exec(tag, err)
	}
	return d.scan(br.QueryRow())
}

// push queues a statement.
func (t *pgTx) push(d deferred) { t.queue = append(t.queue, d) }

// ready reports whether a statement can go straight to pgx's transaction:
// BEGIN was sent, and nothing is queued.
func (t *pgTx) ready() bool { return t.tx != nil && len(t.queue) == 0 }

// send sends BEGIN (unless sent before), the queue and then last's
// statements, in one batch, and reads the results of all but last's; the
// caller reads those and closes the batch. A failure of BEGIN or of a
// queued statement is recorded in t.err.
func (t *pgTx) send(ctx context.Context, last func(b *pgx.Batch)) pgx.BatchResults {
	b := &pgx.Batch{}
	begin := t.tx == nil
	if begin {
		b.BeginTx(pgx.TxOptions{})
	}
	for _, d := range t.queue {
		b.Queue(d.sql, d.args...)
	}
	if last != nil {
		last(b)
	}
	var br pgx.BatchResults
	if begin {
		br = t.pool.SendBatch(ctx, b)
		t.tx = br.Tx()
		if _, err := br.Exec(); err != nil && t.err == nil {
			t.err = registrar.Wrap(registrar.KindUnavailable, "store.Begin", err, "the database is unavailable")
		}
	} else {
		br = t.tx.SendBatch(ctx, b)
	}
	queue := t.queue
	t.queue = nil
	for _, d := range queue {
		if err := d.read(br); err != nil && t.err == nil {
			t.err = err
		}
	}
	return br
}

// flush sends what is queued (and BEGIN, unless sent before).
func (t *pgTx) flush(ctx context.Context) error {
	if t.err != nil {
		return t.err
	}
	if t.ready() {
		return nil
	}
	err := t.send(ctx, nil).Close()
	if t.err != nil {
		return t.err
	}
	return err
}

// Exec implements pgx.Tx.
func (t *pgTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if t.err != nil {
		return pgconn.CommandTag{}, t.err
	}
	if t.ready() {
		return t.tx.Exec(ctx, sql, args...)
	}
	br := t.send(ctx, func(b *pgx.Batch) { b.Queue(sql, args...) })
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if t.err != nil {
		return pgconn.CommandTag{}, t.err
	}
	return tag, err
}

// Query implements pgx.Tx.
func (t *pgTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if t.err != nil {
		return nil, t.err
	}
	if t.ready() {
		return t.tx.Query(ctx, sql, args...)
	}
	br := t.send(ctx, func(b *pgx.Batch) { b.Queue(sql, args...) })
	rows, err := br.Query()
	if t.err == nil && err == nil {
		return &batchRows{Rows: rows, br: br}, nil
	}
	if rows != nil {
		rows.Close()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if t.err != nil {
		return nil, t.err
	}
	return nil, err
}

// QueryRow implements pgx.Tx.
func (t *pgTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if t.err == nil && t.ready() {
		return t.tx.QueryRow(ctx, sql, args...)
	}
	rows, err := t.Query(ctx, sql, args...)
	return &batchRow{rows: rows, err: err}
}

// SendBatch implements pgx.Tx.
func (t *pgTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if err := t.flush(ctx); err != nil {
		return pgx.FailedBatchResults(b, err)
	}
	return t.tx.SendBatch(ctx, b)
}

// CopyFrom implements pgx.Tx.
func (t *pgTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.flush(ctx); err != nil {
		return 0, err
	}
	return t.tx.CopyFrom(ctx, table, columns, src)
}

// Prepare implements pgx.Tx.
func (t *pgTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.tx.Prepare(ctx, name, sql)
}

// Begin implements pgx.Tx: a savepoint of pgx's transaction.
func (t *pgTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.tx.Begin(ctx)
}

// LargeObjects implements pgx.Tx. The queue must have been sent (any
// statement does that).
func (t *pgTx) LargeObjects() pgx.LargeObjects { return t.tx.LargeObjects() }

// Conn implements pgx.Tx: nil until a statement has been sent.
func (t *pgTx) Conn() *pgx.Conn {
	if t.tx == nil {
		return nil
	}
	return t.tx.Conn()
}

// Config is the pool's configuration. River's pgx driver (v0.51.2) reads
// the query mode from here, or else from Conn, to encode JSON arguments;
// before the first statement Conn has no answer.
func (t *pgTx) Config() *pgxpool.Config { return t.pool.Config() }

// Commit implements pgx.Tx. A failure of a queued statement comes back as
// it is (see InTx), and the transaction is rolled back.
func (t *pgTx) Commit(ctx context.Context) error {
	if t.done {
		return pgx.ErrTxClosed
	}
	if t.err == nil && t.tx == nil && len(t.queue) == 1 {
		// One statement and nothing else: a transaction of its own.
		t.done = true
		d := t.queue[0]
		t.queue = nil
		b := &pgx.Batch{}
		b.Queue(d.sql, d.args...)
		br := t.pool.SendBatch(ctx, b)
		t.err = d.read(br)
		err := br.Close()
		if t.err != nil {
			return t.err
		}
		return err
	}
	if err := t.flush(ctx); err != nil {
		t.Rollback(context.WithoutCancel(ctx))
		return err
	}
	t.done = true
	if t.tx == nil {
		return nil // nothing was ever sent
	}
	return t.tx.Commit(ctx)
}

// Rollback implements pgx.Tx. It may be called more than once.
func (t *pgTx) Rollback(ctx context.Context) error {
	if t.done {
		return pgx.ErrTxClosed
	}
	t.done = true
	t.queue = nil
	if t.tx == nil {
		return nil
	}
	return t.tx.Rollback(ctx)
}

// batchRows are a batch's last result: closing them closes the batch.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r *batchRows) Close() {
	r.Rows.Close()
	r.br.Close()
}

// batchRow is QueryRow over Query, as pgx's own.
type batchRow struct {
	rows pgx.Rows
	err  error
}

func (r *batchRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
