package store

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// API tokens (issue 17): stored as the hash of their secret, with scopes,
// an optional limit to the sandbox, an optional expiry, the time of their
// last use (to registrar.TokenLastUsedGranularity) and the time they were
// revoked (0 while they are not). A revoked token stays as a record and is
// never found again.

// Token lookups are cached: every API request authenticates, and the
// lookup was a third of the cost of a status read. A revocation purges the
// cache of every replica through the change notifications (a NOTIFY on
// PostgreSQL, delivered at commit; in-process on SQLite), and on
// PostgreSQL the cache is off while the listener is not connected, as the
// status cache is. Entries also expire after tokenCacheTTL, and only
// successful lookups are cached, so an unknown token always reaches the
// database.
const (
	tokenCacheTTL  = 30 * time.Second
	tokenCacheSize = 10000
	// tokenPayload prefixes the NOTIFY payload of a revocation; workflow
	// changes' payloads start with a workflow ID, which never has a tab.
	tokenPayload = "token\t"
)

const tokenColumns = `id, account_id, name, scopes, sandbox_only, created_at, last_used_at, expires_at`

func scanToken(r row) (registrar.Token, error) {
	var t registrar.Token
	var scopes string
	var created, used, expires int64
	if err := r.Scan(&t.ID, &t.AccountID, &t.Name, &scopes, &t.SandboxOnly, &created, &used, &expires); err != nil {
		return t, err
	}
	for _, s := range strings.Fields(scopes) {
		t.Scopes = append(t.Scopes, registrar.Scope(s))
	}
	t.CreatedAt = fromMicros(created)
	if used != 0 {
		t.LastUsedAt = fromMicros(used)
	}
	if expires != 0 {
		t.ExpiresAt = fromMicros(expires)
	}
	return t, nil
}

func microsOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// insertToken stores t under a new secret and returns the secret.
func (tx *Tx) insertToken(ctx context.Context, t registrar.Token) (string, error) {
	secret, hash := registrar.NewToken()
	ss := make([]string, len(t.Scopes))
	for i, s := range t.Scopes {
		ss[i] = string(s)
	}
	if _, err := tx.q.exec(ctx, `INSERT INTO tokens (id, account_id, name, hash, scopes, sandbox_only, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.ID, t.AccountID, t.Name, hash, strings.Join(ss, " "), t.SandboxOnly, microsOrZero(t.ExpiresAt), micros(t.CreatedAt)); err != nil {
		return "", dbErr("store.CreateToken", err)
	}
	return secret, nil
}

// CreateToken implements registrar.Tokens.
func (db *DB) CreateToken(ctx context.Context, p registrar.Principal, req registrar.TokenRequest, now time.Time) (registrar.Token, string, error) {
	t, err := registrar.NewTokenFor(p, req, now)
	if err != nil {
		return t, "", err
	}
	var secret string
	err = db.InTx(ctx, func(tx *Tx) error {
		secret, err = tx.insertToken(ctx, t)
		return err
	})
	return t, secret, err
}

// Tokens implements registrar.Tokens.
func (db *DB) Tokens(ctx context.Context, p registrar.Principal) ([]registrar.Token, error) {
	const op = "store.Tokens"
	rs, err := db.read.query(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE account_id = $1 AND revoked_at = 0 ORDER BY created_at, id`, p.AccountID)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	ts := []registrar.Token{}
	for rs.Next() {
		t, err := scanToken(rs)
		if err != nil {
			return nil, dbErr(op, err)
		}
		ts = append(ts, t)
	}
	if err := rs.Err(); err != nil {
		return nil, dbErr(op, err)
	}
	return ts, nil
}

// Token implements registrar.Tokens.
func (db *DB) Token(ctx context.Context, p registrar.Principal, id string) (registrar.Token, error) {
	return token(ctx, db.read, p.AccountID, id)
}

func token(ctx context.Context, q querier, accountID, id string) (registrar.Token, error) {
	const op = "store.Token"
	t, err := scanToken(q.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1 AND account_id = $2 AND revoked_at = 0`, id, accountID))
	if isNoRows(err) {
		return t, registrar.Errorf(registrar.KindNotFound, op, "API token not found")
	}
	if err != nil {
		return t, dbErr(op, err)
	}
	return t, nil
}

// RevokeToken implements registrar.Tokens. The token is gone from this
// replica's cache when RevokeToken returns, and from every other
// replica's when the NOTIFY reaches it (at commit).
func (db *DB) RevokeToken(ctx context.Context, p registrar.Principal, id string, now time.Time) error {
	const op = "store.RevokeToken"
	return db.InTx(ctx, func(tx *Tx) error {
		if db.dialect == postgres {
			// Two revocations at once must not both see the other's
			// token as the one that remains.
			if _, err := tx.q.exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "tokens\t"+p.AccountID); err != nil {
				return dbErr(op, err)
			}
		}
		t, err := token(ctx, tx.q, p.AccountID, id)
		if err != nil {
			return err
		}
		if err := p.MayRevoke(t); err != nil {
			return err
		}
		var others int
		if err := tx.q.queryRow(ctx, `SELECT count(*) FROM tokens WHERE account_id = $1 AND id <> $2 AND revoked_at = 0
			AND scopes LIKE '%registrar:write%' AND NOT sandbox_only AND (expires_at = 0 OR expires_at > $3)`,
			p.AccountID, id, micros(now)).Scan(&others); err != nil {
			return dbErr(op, err)
		}
		if others == 0 && registrar.AccessOf(t.Scopes) == registrar.AccessReadWrite && !t.SandboxOnly && !t.Expired(now) {
			return registrar.Errorf(registrar.KindConflict, op,
				"this is the account's last API token that can read and write in both environments; create another before revoking it")
		}
		var hash string
		if err := tx.q.queryRow(ctx, `UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at = 0 RETURNING hash`, micros(now), id).Scan(&hash); err != nil {
			return dbErr(op, err)
		}
		if db.dialect == postgres {
			if _, err := tx.q.exec(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, tokenPayload+hash); err != nil {
				return dbErr(op, err)
			}
		}
		tx.afterCommit = append(tx.afterCommit, db.tokens.purge)
		return nil
	})
}

// Authenticate implements registrar.Reader: the principal of an
// unrevoked, unexpired token. It records the token's use at most once per
// registrar.TokenLastUsedGranularity per replica.
func (db *DB) Authenticate(ctx context.Context, tokenHash string) (registrar.Principal, error) {
	const op = "store.Authenticate"
	now := time.Now()
	e, ok := db.tokens.get(tokenHash, now)
	if !ok {
		epoch := db.tokens.begin()
		var err error
		e.Token, err = scanToken(db.read.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1 AND revoked_at = 0`, tokenHash))
		if isNoRows(err) {
			return registrar.Principal{}, registrar.Errorf(registrar.KindUnauthorized, op, "invalid API token")
		}
		if err != nil {
			return registrar.Principal{}, dbErr(op, err)
		}
		e.at = now
		defer func() { db.tokens.put(tokenHash, e, epoch) }()
	}
	if e.Expired(now) {
		return registrar.Principal{}, registrar.Errorf(registrar.KindUnauthorized, op, "invalid API token")
	}
	if now.Sub(e.LastUsedAt) >= registrar.TokenLastUsedGranularity {
		// A failed write loses one use's time, not the request.
		if _, err := db.write.exec(ctx, `UPDATE tokens SET last_used_at = $1 WHERE id = $2 AND last_used_at < $3`,
			micros(now), e.ID, micros(now.Add(-registrar.TokenLastUsedGranularity))); err != nil {
			db.log.Warn("recording an API token's use", "token_id", e.ID, "error", err)
		}
		e.LastUsedAt = now
		if ok {
			db.tokens.touch(tokenHash, now)
		}
	}
	return e.Principal(), nil
}

// tokenCache holds looked-up tokens by hash. epoch counts purges, so that
// a lookup that raced a revocation does not cache what it read before.
type tokenCache struct {
	mu    sync.Mutex
	on    bool
	epoch uint64
	m     map[string]tokenEntry
}

type tokenEntry struct {
	registrar.Token
	at time.Time // when it was read
}

func newTokenCache(on bool) *tokenCache {
	return &tokenCache{on: on, m: make(map[string]tokenEntry)}
}

func (c *tokenCache) get(hash string, now time.Time) (tokenEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.Sub(e.at) >= tokenCacheTTL {
		return tokenEntry{}, false
	}
	return e, true
}

func (c *tokenCache) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

func (c *tokenCache) put(hash string, e tokenEntry, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.on || epoch != c.epoch {
		return
	}
	if len(c.m) >= tokenCacheSize {
		for k, old := range c.m {
			if e.at.Sub(old.at) >= tokenCacheTTL {
				delete(c.m, k)
			}
		}
		if len(c.m) >= tokenCacheSize {
			clear(c.m)
		}
	}
	c.m[hash] = e
}

// touch records a use written to the database in the cached entry.
func (c *tokenCache) touch(hash string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[hash]; ok {
		e.LastUsedAt = now
		c.m[hash] = e
	}
}

// purge empties the cache: a token was revoked.
func (c *tokenCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	clear(c.m)
}

// enable turns the cache on, empty; disable turns it off, empty.
func (c *tokenCache) enable()  { c.set(true) }
func (c *tokenCache) disable() { c.set(false) }

func (c *tokenCache) set(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = on
	c.epoch++
	clear(c.m)
}
