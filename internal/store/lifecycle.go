package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// A domain's life after its registration (migration 0006): its history,
// the renewal of each term once, each expiry notice once, and the scans
// of the lifecycle job.

// AddRegistrationEvent appends ev to the history of the registration of
// domain in env held by accountID. Call it in the transaction of the
// change it records. On PostgreSQL the insert goes out with the
// transaction's next statement (see pgTx).
func (tx *Tx) AddRegistrationEvent(ctx context.Context, env registrar.Env, domain, accountID string, ev registrar.RegistrationEvent) error {
	var expires *int64
	if ev.ExpiresAt != nil {
		us := micros(*ev.ExpiresAt)
		expires = &us
	}
	return tx.deferExec(ctx, `INSERT INTO registration_events (env, domain, account_id, at, type, status, expires_at, workflow_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		[]any{env, domain, accountID, micros(ev.At), ev.Type, ev.Status, expires, ev.WorkflowID, ev.Detail},
		func(_ int64, err error) error { return dbErr("store.AddRegistrationEvent", err) })
}

// MaxHistory is how many events RegistrationHistory returns at most: the
// newest ones.
const MaxHistory = 1000

// RegistrationHistory implements registrar.Reader: the account's events
// for domain in env, oldest first, at most the newest MaxHistory. The
// history outlives the registration; a domain the account never held
// here is KindNotFound.
func (db *DB) RegistrationHistory(ctx context.Context, accountID string, env registrar.Env, domain string) ([]registrar.RegistrationEvent, error) {
	const op = "store.RegistrationHistory"
	rs, err := db.read.query(ctx, `SELECT at, type, status, expires_at, workflow_id, detail FROM (
		SELECT id, at, type, status, expires_at, workflow_id, detail FROM registration_events
		WHERE account_id = $1 AND env = $2 AND domain = $3 ORDER BY at DESC, id DESC LIMIT $4) AS e
		ORDER BY at, id`, accountID, env, domain, MaxHistory)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	out := []registrar.RegistrationEvent{}
	for rs.Next() {
		var ev registrar.RegistrationEvent
		if err := rs.Scan(microsInto{&ev.At}, &ev.Type, &ev.Status, nullMicrosInto{&ev.ExpiresAt}, &ev.WorkflowID, &ev.Detail); err != nil {
			return nil, dbErr(op, err)
		}
		out = append(out, ev)
	}
	if err := rs.Err(); err != nil {
		return nil, dbErr(op, err)
	}
	if len(out) == 0 {
		// A registration from before histories were kept has none yet.
		if _, err := db.Registration(ctx, accountID, env, domain); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ClaimRenewal makes workflowID the renewal of the term of domain in env
// that ends at cur, unless the term already has one: then it returns
// that one's workflow ID, and claims nothing.
func (tx *Tx) ClaimRenewal(ctx context.Context, env registrar.Env, domain string, cur time.Time, workflowID string) (existing string, err error) {
	const op = "store.ClaimRenewal"
	n, err := tx.q.exec(ctx, `INSERT INTO renewals (env, domain, cur_expiry, workflow_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (env, domain, cur_expiry) DO NOTHING`, env, domain, micros(cur), workflowID)
	if err != nil {
		return "", dbErr(op, err)
	}
	if n == 1 {
		return "", nil
	}
	err = tx.q.queryRow(ctx, `SELECT workflow_id FROM renewals WHERE env = $1 AND domain = $2 AND cur_expiry = $3`,
		env, domain, micros(cur)).Scan(&existing)
	return existing, dbErr(op, err)
}

// RenewalTermOn returns the term of domain in env that has a renewal and
// ends on the UTC date of day, if any: a client names a term by the
// expiry it read, which registries keep as a date and the command line
// shows to the second.
func (tx *Tx) RenewalTermOn(ctx context.Context, env registrar.Env, domain string, day time.Time) (time.Time, bool, error) {
	y, m, d := day.UTC().Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	var us int64
	err := tx.q.queryRow(ctx, `SELECT cur_expiry FROM renewals WHERE env = $1 AND domain = $2 AND cur_expiry >= $3 AND cur_expiry < $4
		ORDER BY cur_expiry LIMIT 1`, env, domain, micros(from), micros(from.AddDate(0, 0, 1))).Scan(&us)
	if isNoRows(err) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, dbErr("store.RenewalTermOn", err)
	}
	return time.UnixMicro(us).UTC(), true, nil
}

// ReplaceRenewal makes workflowID the renewal of a term whose renewal
// was old (a failed one), unless someone replaced it first: it reports
// whether it did.
func (tx *Tx) ReplaceRenewal(ctx context.Context, env registrar.Env, domain string, cur time.Time, old, workflowID string) (bool, error) {
	n, err := tx.q.exec(ctx, `UPDATE renewals SET workflow_id = $1 WHERE env = $2 AND domain = $3 AND cur_expiry = $4 AND workflow_id = $5`,
		workflowID, env, domain, micros(cur), old)
	return n == 1, dbErr("store.ReplaceRenewal", err)
}

// HasRenewal reports whether the term of domain in env ending at cur has
// a renewal. It reads from the read pool: the lifecycle job asks it of
// every auto-renew registration in its window on every pass, and must not
// take the writer for that.
func (db *DB) HasRenewal(ctx context.Context, env registrar.Env, domain string, cur time.Time) (bool, error) {
	var n int
	err := db.read.queryRow(ctx, `SELECT count(*) FROM renewals WHERE env = $1 AND domain = $2 AND cur_expiry = $3`,
		env, domain, micros(cur)).Scan(&n)
	return n > 0, dbErr("store.HasRenewal", err)
}

// NoticeSent reports whether notice was sent for the term of domain in
// env ending at expires, from the read pool (see HasRenewal); ClaimNotice
// is the authority, in the transaction that sends it.
func (db *DB) NoticeSent(ctx context.Context, env registrar.Env, domain string, expires time.Time, notice string) (bool, error) {
	var n int
	err := db.read.queryRow(ctx, `SELECT count(*) FROM expiry_notices WHERE env = $1 AND domain = $2 AND expires_at = $3 AND notice = $4`,
		env, domain, micros(expires), notice).Scan(&n)
	return n > 0, dbErr("store.NoticeSent", err)
}

// ClaimNotice records that notice is sent now for the term of domain in
// env ending at expires, unless it was before: it reports whether it is
// the first time. Call it in the transaction that queues the mail.
func (tx *Tx) ClaimNotice(ctx context.Context, env registrar.Env, domain string, expires time.Time, notice string, at time.Time) (bool, error) {
	n, err := tx.q.exec(ctx, `INSERT INTO expiry_notices (env, domain, expires_at, notice, sent_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (env, domain, expires_at, notice) DO NOTHING`, env, domain, micros(expires), notice, micros(at))
	return n == 1, dbErr("store.ClaimNotice", err)
}

// ForgetDomain removes what the lifecycle kept of domain in env (its
// renewals and notices), when its registration is deleted for good. The
// history stays.
func (tx *Tx) ForgetDomain(ctx context.Context, env registrar.Env, domain string) error {
	for _, table := range []string{"renewals", "expiry_notices"} {
		if _, err := tx.q.exec(ctx, `DELETE FROM `+table+` WHERE env = $1 AND domain = $2`, env, domain); err != nil {
			return dbErr("store.ForgetDomain", err)
		}
	}
	return nil
}

// LockRegistration locks the registration of domain in env until the
// transaction ends (a no-op update, which takes PostgreSQL's row lock;
// SQLite's one writer is a lock already), so that concurrent starts of
// a workflow on it take turns.
func (tx *Tx) LockRegistration(ctx context.Context, env registrar.Env, domain string) error {
	_, err := tx.q.exec(ctx, `UPDATE registrations SET status = status WHERE env = $1 AND domain = $2`, env, domain)
	return dbErr("store.LockRegistration", err)
}

// LifecycleRegistration is a registration with when its status began.
type LifecycleRegistration struct {
	registrar.Registration
	StatusSince time.Time
}

const lifecycleColumns = registrationColumns + `, COALESCE(status_since, created_at)`

func scanLifecycle(r row) (*LifecycleRegistration, error) {
	var g LifecycleRegistration
	if err := r.Scan(append(registrationDest(&g.Registration), microsInto{&g.StatusSince})...); err != nil {
		return nil, err
	}
	return &g, nil
}

// LifecycleRegistration returns the registration of domain in env, with
// when its status began, inside the transaction.
func (tx *Tx) LifecycleRegistration(ctx context.Context, env registrar.Env, domain string) (*LifecycleRegistration, error) {
	g, err := scanLifecycle(tx.q.queryRow(ctx, `SELECT `+lifecycleColumns+` FROM registrations WHERE env = $1 AND domain = $2`, env, domain))
	return g, notFound("store.LifecycleRegistration", "registration of "+domain, err)
}

// LifecycleCursor is a position in a lifecycle scan: after the
// registration expiring at Expires named Domain. The zero cursor is the
// start.
type LifecycleCursor struct {
	Expires time.Time
	Domain  string
}

// ScanLifecycle returns the next page (up to limit) of the registrations
// of env in one of statuses whose expiry is before `before` (zero: any),
// in order of expiry then name, after the cursor. Registrations without
// an expiry are never returned. Scans go page by page, so memory stays
// flat in the number of registrations.
func (db *DB) ScanLifecycle(ctx context.Context, env registrar.Env, statuses []registrar.RegistrationStatus, before time.Time,
	after LifecycleCursor, limit int) ([]LifecycleRegistration, error) {
	const op = "store.ScanLifecycle"
	args := []any{env}
	var in []string
	for _, s := range statuses {
		args = append(args, string(s))
		in = append(in, fmt.Sprintf("$%d", len(args)))
	}
	where := `env = $1 AND status IN (` + strings.Join(in, ", ") + `) AND expires_at IS NOT NULL`
	if !before.IsZero() {
		args = append(args, micros(before))
		where += fmt.Sprintf(` AND expires_at < $%d`, len(args))
	}
	if after.Domain != "" {
		args = append(args, micros(after.Expires), after.Domain)
		where += fmt.Sprintf(` AND (expires_at > $%d OR (expires_at = $%d AND domain > $%d))`, len(args)-1, len(args)-1, len(args))
	}
	args = append(args, limit)
	rs, err := db.read.query(ctx, `SELECT `+lifecycleColumns+` FROM registrations WHERE `+where+
		fmt.Sprintf(` ORDER BY expires_at, domain LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	var out []LifecycleRegistration
	for rs.Next() {
		g, err := scanLifecycle(rs)
		if err != nil {
			return nil, dbErr(op, err)
		}
		out = append(out, *g)
	}
	if err := rs.Err(); err != nil {
		return nil, dbErr(op, err)
	}
	return out, nil
}
