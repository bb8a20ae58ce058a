package store

import (
	"context"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// OutboxMessage is an email the registrar sent, or is sending.
type OutboxMessage struct {
	ID         int64      `json:"id"`
	WorkflowID string     `json:"workflow_id,omitempty"`
	To         string     `json:"to"`
	Subject    string     `json:"subject"`
	Body       string     `json:"body"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at"`
	Attempts   int        `json:"attempts"`
	LastError  string     `json:"last_error,omitempty"`
}

// InsertOutbox records an email in the outbox and returns its ID. Every
// email goes through the outbox, in the same transaction as the change
// that caused it; delivery over SMTP happens afterwards, from a job. The
// message's Secret is kept until MarkOutboxSent records the delivery,
// which redacts it from the body; without it (no SMTP: the outbox stands in
// for the recipient's inbox) the body stays as it is.
func (tx *Tx) InsertOutbox(ctx context.Context, workflowID string, m registrar.Message, now time.Time) (int64, error) {
	var id int64
	err := tx.q.queryRow(ctx, `INSERT INTO outbox (workflow_id, to_addr, subject, body, created_at, secret) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		nullString(workflowID), m.To, m.Subject, m.Body, micros(now), nullString(m.Secret)).Scan(&id)
	if err != nil {
		return 0, dbErr("store.InsertOutbox", err)
	}
	return id, nil
}

const outboxColumns = `id, workflow_id, to_addr, subject, body, created_at, sent_at, attempts, last_error`

func scanOutbox(r row) (OutboxMessage, error) {
	var m OutboxMessage
	var wf *string
	var created int64
	var sent *int64
	if err := r.Scan(&m.ID, &wf, &m.To, &m.Subject, &m.Body, &created, &sent, &m.Attempts, &m.LastError); err != nil {
		return m, err
	}
	if wf != nil {
		m.WorkflowID = *wf
	}
	m.CreatedAt = fromMicros(created)
	if sent != nil {
		t := fromMicros(*sent)
		m.SentAt = &t
	}
	return m, nil
}

// OutboxMessage returns one outbox message.
func (tx *Tx) OutboxMessage(ctx context.Context, id int64) (OutboxMessage, error) {
	m, err := scanOutbox(tx.q.queryRow(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id))
	return m, notFound("store.OutboxMessage", "outbox message", err)
}

// MarkOutboxSent records a delivery attempt: sent when errMsg is "". A
// sent message keeps no clear copy of its secret: the body keeps
// registrar.SecretRedacted in its place, for the operator.
func (tx *Tx) MarkOutboxSent(ctx context.Context, id int64, now time.Time, errMsg string) error {
	if errMsg != "" {
		_, err := tx.q.exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2`, errMsg, id)
		return dbErr("store.MarkOutboxSent", err)
	}
	_, err := tx.q.exec(ctx, `UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = '',
		body = CASE WHEN secret IS NULL OR secret = '' THEN body ELSE replace(body, secret, $2) END, secret = NULL WHERE id = $3`,
		micros(now), registrar.SecretRedacted, id)
	return dbErr("store.MarkOutboxSent", err)
}

// Outbox lists every message in the outbox, oldest first.
func (db *DB) Outbox(ctx context.Context) ([]OutboxMessage, error) {
	const op = "store.Outbox"
	rs, err := db.read.query(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY id`)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	out := []OutboxMessage{}
	for rs.Next() {
		m, err := scanOutbox(rs)
		if err != nil {
			return nil, dbErr(op, err)
		}
		out = append(out, m)
	}
	return out, dbErr(op, rs.Err())
}

// InsertVerification stores the hash of an email verification code.
func (tx *Tx) InsertVerification(ctx context.Context, codeHash, workflowID, email string, now, expires time.Time) error {
	_, err := tx.q.exec(ctx, `INSERT INTO verifications (code_hash, workflow_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		codeHash, workflowID, email, micros(now), micros(expires))
	return dbErr("store.InsertVerification", err)
}

// VerificationsSent returns how many verification codes the workflow
// has been sent (each email is one row) and when the newest was made:
// what limits sending the email again.
func (tx *Tx) VerificationsSent(ctx context.Context, workflowID string) (int, time.Time, error) {
	var n int
	var newest int64
	err := tx.q.queryRow(ctx, `SELECT count(*), COALESCE(max(created_at), 0) FROM verifications WHERE workflow_id = $1`, workflowID).
		Scan(&n, &newest)
	if err != nil {
		return 0, time.Time{}, dbErr("store.VerificationsSent", err)
	}
	return n, fromMicros(newest), nil
}

// Verification is a pending or used email verification.
type Verification struct {
	WorkflowID  string
	Email       string
	ExpiresAt   time.Time
	ConfirmedAt time.Time
}

// Verification returns the verification with codeHash from the read pool,
// without taking the write lock: the verification link is unauthenticated,
// so an unknown code must cost a read, never a write transaction.
func (db *DB) Verification(ctx context.Context, codeHash string) (Verification, error) {
	return verification(ctx, db.read, "store.Verification", codeHash)
}

// ConfirmVerification marks the verification with codeHash confirmed and
// returns it. Confirming twice is harmless: the first time is kept.
func (tx *Tx) ConfirmVerification(ctx context.Context, codeHash string, now time.Time) (Verification, error) {
	const op = "store.ConfirmVerification"
	v, err := verification(ctx, tx.q, op, codeHash)
	if err != nil || !v.ConfirmedAt.IsZero() {
		return v, err
	}
	if _, err := tx.q.exec(ctx, `UPDATE verifications SET confirmed_at = $1 WHERE code_hash = $2`, micros(now), codeHash); err != nil {
		return v, dbErr(op, err)
	}
	v.ConfirmedAt = now
	return v, nil
}

// verification reads the verification with codeHash through q.
func verification(ctx context.Context, q querier, op, codeHash string) (Verification, error) {
	var v Verification
	var expires int64
	var confirmed *int64
	err := q.queryRow(ctx, `SELECT workflow_id, email, expires_at, confirmed_at FROM verifications WHERE code_hash = $1`, codeHash).
		Scan(&v.WorkflowID, &v.Email, &expires, &confirmed)
	if err != nil {
		return v, notFound(op, "verification link", err)
	}
	v.ExpiresAt = fromMicros(expires)
	if confirmed != nil {
		v.ConfirmedAt = fromMicros(*confirmed)
	}
	return v, nil
}

// EmailVerified reports whether the account has verified email (in any
// case) before in env: a confirmed verification of one of its workflows.
func (db *DB) EmailVerified(ctx context.Context, accountID string, env registrar.Env, email string) (bool, error) {
	var n int
	err := db.read.queryRow(ctx, `SELECT count(*) FROM verifications v JOIN workflows w ON w.id = v.workflow_id
		WHERE lower(v.email) = lower($1) AND v.confirmed_at IS NOT NULL AND w.account_id = $2 AND w.env = $3`,
		email, accountID, string(env)).Scan(&n)
	if err != nil {
		return false, dbErr("store.EmailVerified", err)
	}
	return n > 0, nil
}

// Charge is a ledger entry: what an account paid for a registration.
type Charge struct {
	ID          string    `json:"id"`
	AccountID   string    `json:"account_id"`
	WorkflowID  string    `json:"workflow_id"`
	Domain      string    `json:"domain"`
	Years       int       `json:"years"`
	AmountCents int64     `json:"amount_cents"`
	Currency    string    `json:"currency"`
	CreatedAt   time.Time `json:"created_at"`
}

// InsertCharge records a charge, at most one per workflow: a second insert
// for the same workflow changes nothing and reports false.
func (tx *Tx) InsertCharge(ctx context.Context, c Charge) (bool, error) {
	n, err := tx.q.exec(ctx, `INSERT INTO charges (id, account_id, workflow_id, domain, years, amount_cents, currency, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (workflow_id) DO NOTHING`,
		c.ID, c.AccountID, c.WorkflowID, c.Domain, c.Years, c.AmountCents, c.Currency, micros(c.CreatedAt))
	if err != nil {
		return false, dbErr("store.InsertCharge", err)
	}
	return n == 1, nil
}

// Charges lists an account's charges, oldest first.
func (db *DB) Charges(ctx context.Context, accountID string) ([]Charge, error) {
	const op = "store.Charges"
	rs, err := db.read.query(ctx, `SELECT id, account_id, workflow_id, domain, years, amount_cents, currency, created_at FROM charges
		WHERE account_id = $1 ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	out := []Charge{}
	for rs.Next() {
		var c Charge
		var created int64
		if err := rs.Scan(&c.ID, &c.AccountID, &c.WorkflowID, &c.Domain, &c.Years, &c.AmountCents, &c.Currency, &created); err != nil {
			return nil, dbErr(op, err)
		}
		c.CreatedAt = fromMicros(created)
		out = append(out, c)
	}
	return out, dbErr(op, rs.Err())
}
