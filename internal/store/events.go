package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// eventsLock is the PostgreSQL advisory lock (transaction-scoped) that
// event inserts take, so that events commit in the order of their IDs: a
// reader that has seen ID n never later finds a smaller one committed.
// SQLite has one writer, so its order is the commit order already.
const eventsLock = 0x6576656e7473 // "events"

// InsertEvent appends e to the event feed in tx, the transaction of the
// change it describes, and sets e.ID.
func (tx *Tx) InsertEvent(ctx context.Context, e *registrar.Event) error {
	const op = "store.InsertEvent"
	if tx.db.dialect == postgres {
		if _, err := tx.q.exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(eventsLock)); err != nil {
			return dbErr(op, err)
		}
	}
	data := string(e.Data)
	if data == "" {
		data = "null"
	}
	err := tx.q.queryRow(ctx, `INSERT INTO events (account_id, env, type, domain, created_at, data) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		e.AccountID, string(e.Env), e.Type, e.Domain, micros(e.CreatedAt), data).Scan(&e.ID)
	return dbErr(op, err)
}

const eventColumns = `id, account_id, env, type, domain, created_at, data`

func scanEvent(r row) (registrar.Event, error) {
	var e registrar.Event
	var env, data string
	var created int64
	if err := r.Scan(&e.ID, &e.AccountID, &env, &e.Type, &e.Domain, &created, &data); err != nil {
		return e, err
	}
	e.Env, e.CreatedAt, e.Data = registrar.Env(env), fromMicros(created), []byte(data)
	return e, nil
}

// EventsAfter returns up to limit events of every account with an ID
// above after, oldest first: the webhook dispatcher's read.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) ([]registrar.Event, error) {
	const op = "store.EventsAfter"
	rs, err := db.read.query(ctx, `SELECT `+eventColumns+` FROM events WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	var out []registrar.Event
	for rs.Next() {
		e, err := scanEvent(rs)
		if err != nil {
			return nil, dbErr(op, err)
		}
		out = append(out, e)
	}
	return out, dbErr(op, rs.Err())
}

// lockEvents queues, on PostgreSQL, the transaction-scoped advisory lock
// that orders event IDs as commits (see eventsLock); SQLite has one
// writer already.
func (tx *Tx) lockEvents(ctx context.Context, op string) error {
	if tx.db.dialect != postgres || tx.eventsLocked {
		return nil
	}
	tx.eventsLocked = true
	return tx.deferExec(ctx, `SELECT pg_advisory_xact_lock($1)`, []any{int64(eventsLock)}, func(_ int64, err error) error {
		return dbErr(op, err)
	})
}

// workflowEvents queues the events of w's write, in tx: workflow.state_changed
// with w's status (as registrar.StatusView renders it, after the write),
// and for a new outbound transfer, transfer_out.requested. For a save
// (prevVersion > 0, the version the write replaces) the events are
// written only when the row at prevVersion differs from w in what a
// status shows (state, context, error): a save that changes nothing
// visible announces nothing. Queued before the write, the comparison sees
// the row as it was; a write that then fails its version check fails the
// transaction, events included. (On PostgreSQL SaveWorkflow writes its
// event inside the update's statement instead.)
func (tx *Tx) workflowEvents(ctx context.Context, op string, w *registrar.Workflow, prevVersion int64) error {
	data, err := registrar.StatusJSON(w)
	if err != nil {
		return registrar.Wrap(registrar.KindInternal, op, err, "")
	}
	types := []string{registrar.EventWorkflowChanged}
	if prevVersion == 0 && w.Kind == registrar.WorkflowTransferOut {
		types = append(types, registrar.EventTransferOutRequested)
	}
	for _, typ := range types {
		e := registrar.Event{AccountID: w.AccountID, Env: w.Env, Type: typ, Domain: w.Domain, CreatedAt: w.UpdatedAt, Data: data}
		var err error
		if prevVersion > 0 {
			err = tx.queueEvent(ctx, op, e, `EXISTS (SELECT 1 FROM workflows WHERE id = $7 AND version = $8
				AND (state <> $9 OR context <> $10 OR error_code <> $11 OR error_message <> $12))`,
				w.ID, prevVersion, string(w.State), string(w.Context), w.ErrorCode, w.ErrorMessage)
		} else {
			err = tx.queueEvent(ctx, op, e, "")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Events implements registrar.Reader: up to limit events of an account in
// env with an ID above after, oldest first, and how far the feed was
// pruned.
func (db *DB) Events(ctx context.Context, accountID string, env registrar.Env, after int64, limit int) (registrar.EventPage, error) {
	const op = "store.Events"
	var page registrar.EventPage
	err := db.read.queryRow(ctx, `SELECT COALESCE(MAX(through_id), 0) FROM events_pruned`).Scan(&page.PrunedThrough)
	if err != nil {
		return page, dbErr(op, err)
	}
	rs, err := db.read.query(ctx, `SELECT `+eventColumns+` FROM events WHERE account_id = $1 AND env = $2 AND id > $3 ORDER BY id LIMIT $4`,
		accountID, env, after, limit)
	if err != nil {
		return page, dbErr(op, err)
	}
	defer rs.Close()
	for rs.Next() {
		e, err := scanEvent(rs)
		if err != nil {
			return page, dbErr(op, err)
		}
		page.Events = append(page.Events, e)
	}
	return page, dbErr(op, rs.Err())
}

// PruneEvents deletes the events created before before (every account's)
// and records the highest ID deleted, so that a reader resuming below it
// learns that it missed some. It returns how many it deleted.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	const op = "store.PruneEvents"
	var n int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var through *int64
		if err := tx.q.queryRow(ctx, `SELECT MAX(id) FROM events WHERE created_at < $1`, micros(before)).Scan(&through); err != nil {
			return dbErr(op, err)
		}
		if through == nil {
			return nil
		}
		// Everything up to the newest expired event goes: the feed loses
		// a prefix, never events in its middle.
		var err error
		if n, err = tx.q.exec(ctx, `DELETE FROM events WHERE id <= $1`, *through); err != nil {
			return dbErr(op, err)
		}
		_, err = tx.q.exec(ctx, `INSERT INTO events_pruned (singleton, through_id) VALUES (1, $1)
			ON CONFLICT (singleton) DO UPDATE SET through_id = excluded.through_id WHERE events_pruned.through_id < excluded.through_id`, *through)
		return dbErr(op, err)
	})
	return n, err
}

// queueEvent queues an event insert in tx (no round trip on PostgreSQL),
// when cond (SQL over the arguments after the event's six, or "") holds
// as the statement runs.
func (tx *Tx) queueEvent(ctx context.Context, op string, e registrar.Event, cond string, condArgs ...any) error {
	if err := tx.lockEvents(ctx, op); err != nil {
		return err
	}
	data := string(e.Data)
	if data == "" {
		data = "null"
	}
	args := append([]any{e.AccountID, string(e.Env), e.Type, e.Domain, micros(e.CreatedAt), data}, condArgs...)
	stmt := `INSERT INTO events (account_id, env, type, domain, created_at, data) VALUES ($1, $2, $3, $4, $5, $6)`
	if cond != "" {
		stmt = `INSERT INTO events (account_id, env, type, domain, created_at, data)
			SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($5 AS BIGINT), CAST($6 AS TEXT) WHERE ` + cond
	}
	return tx.deferExec(ctx, stmt, args, func(_ int64, err error) error { return dbErr(op, err) })
}

// registrationEvent queues registration.status_changed for g, rendered
// as GET registrations/{domain} renders it, at time at; cond as for
// queueEvent.
func (tx *Tx) registrationEvent(ctx context.Context, op string, g *registrar.Registration, at time.Time, cond string, condArgs ...any) error {
	data, err := json.Marshal(g)
	if err != nil {
		return registrar.Wrap(registrar.KindInternal, op, err, "")
	}
	return tx.queueEvent(ctx, op, registrar.Event{AccountID: g.AccountID, Env: g.Env, Type: registrar.EventRegistrationChanged,
		Domain: g.DomainName, CreatedAt: at, Data: data}, cond, condArgs...)
}

// driftData is the data of a registration.drift_found event: what
// reconciliation found differing from the registry, and what it did.
type driftData struct {
	DomainName  string                     `json:"domain_name"`
	CheckedAt   time.Time                  `json:"checked_at"`
	Differences []registrar.SyncDifference `json:"differences"`
}
