package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

const registrationColumns = `env, domain, account_id, workflow_id, status, auto_renew, locked, privacy_mode, created_at, expires_at, renewal, registry_sync, nameservers, dnssec`

// scanRegistration scans registrationColumns, then extra.
func scanRegistration(r row, extra ...any) (*registrar.Registration, error) {
	var g registrar.Registration
	if err := r.Scan(append(registrationDest(&g), extra...)...); err != nil {
		return nil, err
	}
	return &g, nil
}

// registrationDest returns the scan destinations of registrationColumns
// into g; the times and the renewal are set from their columns when the
// scan is done (see the returned values' Scan methods).
func registrationDest(g *registrar.Registration) []any {
	return []any{&g.Env, &g.DomainName, &g.AccountID, &g.WorkflowID, &g.Status, &g.AutoRenew, &g.Locked, &g.PrivacyMode,
		microsInto{&g.CreatedAt}, nullMicrosInto{&g.ExpiresAt}, jsonInto[registrar.RenewalState]{&g.Renewal},
		jsonInto[registrar.RegistrySync]{&g.RegistrySync}, jsonListInto{&g.Nameservers}, jsonInto[registrar.DNSSEC]{&g.DNSSEC}}
}

// microsInto scans a unix-micros column into a time.
type microsInto struct{ t *time.Time }

func (m microsInto) Scan(v any) error {
	us, ok := asInt64(v)
	if !ok {
		return fmt.Errorf("store: cannot scan %T as unix micros", v)
	}
	*m.t = fromMicros(us)
	return nil
}

// nullMicrosInto scans a nullable unix-micros column into a *time.Time.
type nullMicrosInto struct{ t **time.Time }

func (m nullMicrosInto) Scan(v any) error {
	if v == nil {
		*m.t = nil
		return nil
	}
	us, ok := asInt64(v)
	if !ok {
		return fmt.Errorf("store: cannot scan %T as unix micros", v)
	}
	t := fromMicros(us)
	*m.t = &t
	return nil
}

// jsonInto scans a nullable JSON column (renewal, registry_sync).
type jsonInto[T any] struct{ r **T }

func (m jsonInto[T]) Scan(v any) error {
	*m.r = nil
	var b []byte
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("store: cannot scan %T as %T", v, m.r)
	}
	if len(b) == 0 {
		return nil
	}
	var r T
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	*m.r = &r
	return nil
}

func asInt64(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case int32:
		return int64(v), true
	case int:
		return int64(v), true
	}
	return 0, false
}

// renewalJSON is the renewal column's value of g.
func renewalJSON(g *registrar.Registration) *string {
	if g.Renewal == nil {
		return nil
	}
	b, _ := json.Marshal(g.Renewal)
	s := string(b)
	return &s
}

// ClaimDomain inserts g unless the domain is already held (or being
// registered) in g.Env. It returns the holder's registration when it is:
// the caller decides between "the same request again" and "taken".
func (tx *Tx) ClaimDomain(ctx context.Context, g *registrar.Registration, years int) (existing *registrar.Registration, err error) {
	const op = "store.ClaimDomain"
	n, err := tx.q.exec(ctx, `INSERT INTO registrations (env, domain, account_id, workflow_id, status, years, auto_renew, locked, privacy_mode, created_at, expires_at, status_since)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10) ON CONFLICT (env, domain) DO NOTHING`,
		g.Env, g.DomainName, g.AccountID, g.WorkflowID, g.Status, years, g.AutoRenew, g.Locked, g.PrivacyMode, micros(g.CreatedAt), expiresMicros(g))
	if err != nil {
		return nil, dbErr(op, err)
	}
	if n == 1 {
		// A new registration is visible in GET registrations.
		return nil, tx.registrationEvent(ctx, op, g, g.CreatedAt, "")
	}
	existing, err = scanRegistration(tx.q.queryRow(ctx, `SELECT `+registrationColumns+` FROM registrations WHERE env = $1 AND domain = $2`, g.Env, g.DomainName))
	if err != nil {
		return nil, dbErr(op, err)
	}
	return existing, nil
}

func expiresMicros(g *registrar.Registration) *int64 {
	if g.ExpiresAt == nil {
		return nil
	}
	us := micros(*g.ExpiresAt)
	return &us
}

// ReserveDomainSlot counts one more domain against the account's limit in
// env, or fails with KindQuota when it already holds max. The conditional
// update is atomic on both databases, so concurrent requests cannot
// overshoot. On PostgreSQL the update goes out with the transaction's next
// statement (see pgTx), and KindQuota comes back from there or from InTx.
func (tx *Tx) ReserveDomainSlot(ctx context.Context, accountID string, env registrar.Env, max int) error {
	const op = "store.ReserveDomainSlot"
	if max < 1 {
		return registrar.Errorf(registrar.KindQuota, op, "the account may hold no domains")
	}
	// One statement: the first slot creates the row; later ones count up
	// while below max, and write nothing at max.
	return tx.deferExec(ctx, `INSERT INTO account_domains (account_id, env, count) VALUES ($1, $2, 1)
		ON CONFLICT (account_id, env) DO UPDATE SET count = account_domains.count + 1 WHERE account_domains.count < $3`,
		[]any{accountID, env, max}, func(n int64, err error) error {
			if err != nil {
				return dbErr(op, err)
			}
			if n == 0 {
				return registrar.Errorf(registrar.KindQuota, op, "the account already holds its maximum of %d domains", max)
			}
			return nil
		})
}

// CountInFlight counts the account's registration and transfer-in workflows in env that
// are pending or in progress: the ones that hold, or wait for, a worker
// and a registry session. check gets the count, and an error it returns
// fails the transaction. On PostgreSQL the count goes out with the
// transaction's next statement (see pgTx), and check runs then. Called
// after ReserveDomainSlot, whose row lock on PostgreSQL serialises an
// account's concurrent starts in env, the count is exact.
func (tx *Tx) CountInFlight(ctx context.Context, accountID string, env registrar.Env, check func(n int) error) error {
	return tx.deferQueryRow(ctx, `SELECT count(*) FROM workflows WHERE account_id = $1 AND env = $2 AND kind IN ($3, $6)
		AND state IN ($4, $5)`, []any{accountID, string(env), string(registrar.WorkflowRegistration), string(registrar.StatePending), string(registrar.StateInProgress),
		string(registrar.WorkflowTransferIn)},
		func(r row) error {
			var n int
			if err := r.Scan(&n); err != nil {
				return dbErr("store.CountInFlight", err)
			}
			return check(n)
		})
}

// ReleaseDomainSlot gives back a slot taken by ReserveDomainSlot. On
// PostgreSQL the update goes out with the transaction's next statement
// (see pgTx).
func (tx *Tx) ReleaseDomainSlot(ctx context.Context, accountID string, env registrar.Env) error {
	return tx.deferExec(ctx, `UPDATE account_domains SET count = count - 1 WHERE account_id = $1 AND env = $2 AND count > 0`,
		[]any{accountID, env}, func(_ int64, err error) error { return dbErr("store.ReleaseDomainSlot", err) })
}

// Registration returns the registration of domain in env, inside the
// transaction, whoever holds it.
func (tx *Tx) Registration(ctx context.Context, env registrar.Env, domain string) (*registrar.Registration, error) {
	g, err := scanRegistration(tx.q.queryRow(ctx, `SELECT `+registrationColumns+` FROM registrations WHERE env = $1 AND domain = $2`, env, domain))
	return g, notFound("store.Registration", "registration of "+domain, err)
}

// SaveRegistration writes g's mutable fields (its renewal state
// included). On PostgreSQL the update goes out with the transaction's
// next statement (see pgTx), and a failure comes back from there or from
// InTx.
func (tx *Tx) SaveRegistration(ctx context.Context, g *registrar.Registration) error {
	return tx.saveRegistration(ctx, g, nil)
}

// SaveRegistrationStatus is SaveRegistration for a change of status: it
// also records since as when the status began, which the redemption and
// pending-delete periods run from.
func (tx *Tx) SaveRegistrationStatus(ctx context.Context, g *registrar.Registration, since time.Time) error {
	us := micros(since)
	return tx.saveRegistration(ctx, g, &us)
}

func (tx *Tx) saveRegistration(ctx context.Context, g *registrar.Registration, since *int64) error {
	const op = "store.SaveRegistration"
	// A new status is an event, written before the update so that the
	// condition sees the status it replaces.
	at := time.Now()
	if since != nil {
		at = fromMicros(*since)
	}
	if err := tx.registrationEvent(ctx, op, g, at, `EXISTS (SELECT 1 FROM registrations WHERE env = $7 AND domain = $8 AND account_id = $9 AND status <> $10)`,
		string(g.Env), g.DomainName, g.AccountID, string(g.Status)); err != nil {
		return err
	}
	return tx.deferExec(ctx, `UPDATE registrations SET status = $1, auto_renew = $2, locked = $3, privacy_mode = $4, created_at = $5, expires_at = $6,
		renewal = $10, status_since = COALESCE($11, status_since)
		WHERE env = $7 AND domain = $8 AND account_id = $9`,
		[]any{g.Status, g.AutoRenew, g.Locked, g.PrivacyMode, micros(g.CreatedAt), expiresMicros(g), g.Env, g.DomainName, g.AccountID,
			renewalJSON(g), since},
		func(n int64, err error) error {
			if err != nil {
				return dbErr(op, err)
			}
			if n == 0 {
				return registrar.Errorf(registrar.KindNotFound, op, "registration of %s not found", g.DomainName)
			}
			return nil
		})
}

// DeleteRegistration removes the registration that workflowID created, if
// it is still the one held, and gives back its domain slot.
func (tx *Tx) DeleteRegistration(ctx context.Context, env registrar.Env, domain, workflowID string) error {
	var accountID string
	err := tx.q.queryRow(ctx, `DELETE FROM registrations WHERE env = $1 AND domain = $2 AND workflow_id = $3 RETURNING account_id`,
		env, domain, workflowID).Scan(&accountID)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return dbErr("store.DeleteRegistration", err)
	}
	return tx.ReleaseDomainSlot(ctx, accountID, env)
}

// Registration implements registrar.Reader.
func (db *DB) Registration(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Registration, error) {
	g, err := scanRegistration(db.read.queryRow(ctx, `SELECT `+registrationColumns+` FROM registrations WHERE env = $1 AND domain = $2 AND account_id = $3`,
		env, domain, accountID))
	return g, notFound("store.Registration", "registration of "+domain, err)
}

// listCursor is the position after the last item of a page. It is opaque to
// clients (base64 JSON) and bound to the sort order it was made for.
type listCursor struct {
	SortBy string `json:"s"`
	Desc   bool   `json:"d"`
	Key    int64  `json:"k,omitempty"`
	Domain string `json:"n"`
}

func (c listCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pendingExpiry sorts registrations without an expiry (still pending) after
// every real one.
const pendingExpiry = math.MaxInt64

// ListRegistrations implements registrar.Reader with keyset pagination on
// (sort key, domain), so pages stay stable while registrations are added.
func (db *DB) ListRegistrations(ctx context.Context, accountID string, env registrar.Env, opts registrar.ListOptions) (registrar.Page[registrar.Registration], error) {
	const op = "store.ListRegistrations"
	var page registrar.Page[registrar.Registration]
	sortBy := opts.SortBy
	if sortBy == "" {
		sortBy = registrar.SortCreatedAt
	}
	var key string
	switch sortBy {
	case registrar.SortCreatedAt:
		key = "created_at"
	case registrar.SortExpiresAt:
		key = fmt.Sprintf("COALESCE(expires_at, %d)", int64(pendingExpiry))
	case registrar.SortName:
		key = ""
	default:
		return page, registrar.Invalid(op, "?sort_by", "sort_by must be one of registry_created_at, registry_expires_at, name")
	}
	perPage := opts.PerPage
	if perPage == 0 {
		perPage = registrar.DefaultPerPage
	}
	if perPage < 1 || perPage > registrar.MaxPerPage {
		return page, registrar.Invalid(op, "?per_page", "per_page must be between 1 and %d", registrar.MaxPerPage)
	}
	cmp, dir := ">", "ASC"
	if opts.Descending {
		cmp, dir = "<", "DESC"
	}
	args := []any{accountID, env}
	where := `account_id = $1 AND env = $2`
	if opts.Cursor != "" {
		c, err := decodeCursor(opts.Cursor)
		if err != nil || c.SortBy != sortBy || c.Desc != opts.Descending {
			return page, registrar.Invalid(op, "?cursor", "cursor is not valid for this sort order; start again without it")
		}
		if key == "" {
			where += ` AND domain ` + cmp + ` $3`
			args = append(args, c.Domain)
		} else {
			where += ` AND (` + key + `, domain) ` + cmp + ` ($3, $4)`
			args = append(args, c.Key, c.Domain)
		}
	}
	order := "domain " + dir
	sel := registrationColumns + `, 0`
	if key != "" {
		order = key + " " + dir + ", " + order
		sel = registrationColumns + `, ` + key
	}
	args = append(args, perPage+1)
	rs, err := db.read.query(ctx, `SELECT `+sel+` FROM registrations WHERE `+where+` ORDER BY `+order+
		fmt.Sprintf(` LIMIT $%d`, len(args)), args...)
	if err != nil {
		return page, dbErr(op, err)
	}
	defer rs.Close()
	var last listCursor
	for rs.Next() {
		if len(page.Items) == perPage {
			page.Next = last.encode()
			break
		}
		var g registrar.Registration
		var sortKey int64
		if err := rs.Scan(append(registrationDest(&g), &sortKey)...); err != nil {
			return page, dbErr(op, err)
		}
		page.Items = append(page.Items, g)
		last = listCursor{SortBy: sortBy, Desc: opts.Descending, Key: sortKey, Domain: g.DomainName}
	}
	if err := rs.Err(); err != nil {
		return page, dbErr(op, err)
	}
	return page, nil
}

func decodeCursor(s string) (listCursor, error) {
	var c listCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(b, &c)
	return c, err
}
