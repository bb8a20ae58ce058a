package store

import (
	"context"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// Webhook endpoints, their deliveries and attempts, and the dispatcher's
// cursor in the event feed (issue 16, migration 0012).

const webhookColumns = `id, account_id, env, url, event_types, description, enabled, secret, old_secret, old_secret_expires, failing_since, created_at, updated_at`

func scanWebhook(r row) (registrar.WebhookEndpoint, error) {
	var w registrar.WebhookEndpoint
	var env, types string
	var oldExp, failing, created, updated int64
	if err := r.Scan(&w.ID, &w.AccountID, &env, &w.URL, &types, &w.Description, &w.Enabled, &w.Secret, &w.OldSecret,
		&oldExp, &failing, &created, &updated); err != nil {
		return w, err
	}
	w.Env, w.CreatedAt, w.UpdatedAt = registrar.Env(env), fromMicros(created), fromMicros(updated)
	if types != "" {
		w.EventTypes = strings.Split(types, ",")
	}
	if oldExp != 0 {
		w.OldSecretExpires = fromMicros(oldExp)
	}
	if failing != 0 {
		w.FailingSince = fromMicros(failing)
	}
	return w, nil
}

func zeroMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// InsertWebhook stores a new endpoint.
func (tx *Tx) InsertWebhook(ctx context.Context, w *registrar.WebhookEndpoint) error {
	_, err := tx.q.exec(ctx, `INSERT INTO webhook_endpoints (`+webhookColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		w.ID, w.AccountID, string(w.Env), w.URL, strings.Join(w.EventTypes, ","), w.Description, w.Enabled, w.Secret, w.OldSecret,
		zeroMicros(w.OldSecretExpires), zeroMicros(w.FailingSince), micros(w.CreatedAt), micros(w.UpdatedAt))
	return dbErr("store.InsertWebhook", err)
}

// UpdateWebhook writes every field of an endpoint but its owner and
// creation time.
func (tx *Tx) UpdateWebhook(ctx context.Context, w *registrar.WebhookEndpoint) error {
	const op = "store.UpdateWebhook"
	n, err := tx.q.exec(ctx, `UPDATE webhook_endpoints SET url = $1, event_types = $2, description = $3, enabled = $4, secret = $5,
		old_secret = $6, old_secret_expires = $7, failing_since = $8, updated_at = $9 WHERE id = $10`,
		w.URL, strings.Join(w.EventTypes, ","), w.Description, w.Enabled, w.Secret, w.OldSecret,
		zeroMicros(w.OldSecretExpires), zeroMicros(w.FailingSince), micros(w.UpdatedAt), w.ID)
	if err == nil && n == 0 {
		return registrar.Errorf(registrar.KindNotFound, op, "webhook %s not found", w.ID)
	}
	return dbErr(op, err)
}

// Webhook returns an endpoint of the account in env, for update.
func (tx *Tx) Webhook(ctx context.Context, accountID string, env registrar.Env, id string) (registrar.WebhookEndpoint, error) {
	w, err := scanWebhook(tx.q.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE id = $1 AND account_id = $2 AND env = $3`,
		id, accountID, string(env)))
	return w, notFound("store.Webhook", "webhook "+id, err)
}

// WebhookByID returns an endpoint whoever owns it: the delivery job's
// read.
func (tx *Tx) WebhookByID(ctx context.Context, id string) (registrar.WebhookEndpoint, error) {
	w, err := scanWebhook(tx.q.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE id = $1`, id))
	return w, notFound("store.WebhookByID", "webhook "+id, err)
}

// Webhooks lists the account's endpoints in env, oldest first.
func (db *DB) Webhooks(ctx context.Context, accountID string, env registrar.Env) ([]registrar.WebhookEndpoint, error) {
	return queryWebhooks(ctx, db.read, "store.Webhooks", `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE account_id = $1 AND env = $2 ORDER BY created_at, id`,
		accountID, string(env))
}

// EnabledWebhooks lists the enabled endpoints of the account in env: the
// candidates for one of its events.
func (tx *Tx) EnabledWebhooks(ctx context.Context, accountID string, env registrar.Env) ([]registrar.WebhookEndpoint, error) {
	return queryWebhooks(ctx, tx.q, "store.EnabledWebhooks", `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE account_id = $1 AND env = $2 AND enabled ORDER BY id`,
		accountID, string(env))
}

func queryWebhooks(ctx context.Context, q querier, op, query string, args ...any) ([]registrar.WebhookEndpoint, error) {
	rs, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	var out []registrar.WebhookEndpoint
	for rs.Next() {
		w, err := scanWebhook(rs)
		if err != nil {
			return nil, dbErr(op, err)
		}
		out = append(out, w)
	}
	return out, dbErr(op, rs.Err())
}

// DeleteWebhook deletes an endpoint of the account in env, with its
// deliveries and their log.
func (tx *Tx) DeleteWebhook(ctx context.Context, accountID string, env registrar.Env, id string) error {
	const op = "store.DeleteWebhook"
	n, err := tx.q.exec(ctx, `DELETE FROM webhook_endpoints WHERE id = $1 AND account_id = $2 AND env = $3`, id, accountID, string(env))
	if err == nil && n == 0 {
		return registrar.Errorf(registrar.KindNotFound, op, "webhook %s not found", id)
	}
	return dbErr(op, err)
}

// WebhookCursor returns the ID of the last event the dispatcher handed
// out. It reads from the read pool: the dispatcher looks every second,
// and on SQLite a look that finds nothing new takes no write lock
// (AdvanceWebhookCursor checks the position it read).
func (db *DB) WebhookCursor(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.queryRow(ctx, `SELECT event_id FROM webhook_cursor WHERE name = 'dispatcher'`).Scan(&id)
	return id, dbErr("store.WebhookCursor", err)
}

// AdvanceWebhookCursor moves the cursor from from to to, and reports
// false if it no longer stood at from (another dispatcher moved it: the
// caller rolls back).
func (tx *Tx) AdvanceWebhookCursor(ctx context.Context, from, to int64) (bool, error) {
	n, err := tx.q.exec(ctx, `UPDATE webhook_cursor SET event_id = $1 WHERE name = 'dispatcher' AND event_id = $2`, to, from)
	return n == 1, dbErr("store.AdvanceWebhookCursor", err)
}

// WebhookDelivery is an event to deliver to an endpoint.
type WebhookDelivery struct {
	ID         int64
	EndpointID string
	EventID    int64
	EventType  string
	Attempts   int
}

// InsertWebhookDelivery records that event e goes to endpoint, and
// returns the delivery's ID; ok is false when the pair was recorded
// already (nothing is inserted twice).
func (tx *Tx) InsertWebhookDelivery(ctx context.Context, endpoint string, e *registrar.Event, now time.Time) (id int64, ok bool, err error) {
	err = tx.q.queryRow(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`, endpoint, e.ID, e.Type, micros(now)).Scan(&id)
	if isNoRows(err) {
		return 0, false, nil
	}
	return id, err == nil, dbErr("store.InsertWebhookDelivery", err)
}

// WebhookDelivery returns a delivery; endpoint, when not empty, must be
// its endpoint.
func (tx *Tx) WebhookDelivery(ctx context.Context, id int64, endpoint string) (WebhookDelivery, error) {
	var d WebhookDelivery
	err := tx.q.queryRow(ctx, `SELECT id, endpoint_id, event_id, event_type, attempts FROM webhook_deliveries WHERE id = $1 AND ($2 = '' OR endpoint_id = $2)`,
		id, endpoint).Scan(&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.Attempts)
	return d, notFound("store.WebhookDelivery", "delivery", err)
}

// RecordWebhookAttempt appends an attempt to a delivery's log; a.Attempt
// is set to its number.
func (tx *Tx) RecordWebhookAttempt(ctx context.Context, a *registrar.WebhookAttempt) error {
	const op = "store.RecordWebhookAttempt"
	if err := tx.q.queryRow(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts`, a.DeliveryID).Scan(&a.Attempt); err != nil {
		return notFound(op, "delivery", err)
	}
	_, err := tx.q.exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, status_code, latency_us, error, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		a.DeliveryID, a.Attempt, a.StatusCode, a.Latency.Microseconds(), a.Error, micros(a.At))
	return dbErr(op, err)
}

// WebhookAttempts is an endpoint's delivery log, newest first.
func (db *DB) WebhookAttempts(ctx context.Context, endpoint string, limit int) ([]registrar.WebhookAttempt, error) {
	const op = "store.WebhookAttempts"
	rs, err := db.read.query(ctx, `SELECT a.delivery_id, d.event_id, d.event_type, a.attempt, a.status_code, a.latency_us, a.error, a.at
		FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1 ORDER BY a.id DESC LIMIT $2`, endpoint, limit)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	var out []registrar.WebhookAttempt
	for rs.Next() {
		var a registrar.WebhookAttempt
		var latency, at int64
		if err := rs.Scan(&a.DeliveryID, &a.EventID, &a.EventType, &a.Attempt, &a.StatusCode, &latency, &a.Error, &at); err != nil {
			return nil, dbErr(op, err)
		}
		a.Latency, a.At = time.Duration(latency)*time.Microsecond, fromMicros(at)
		out = append(out, a)
	}
	return out, dbErr(op, rs.Err())
}
