package store

import (
	"context"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// CreateSession records a dashboard session (internal/web) opened with the
// token p authenticated with. idHash is the hash of the session ID
// (registrar.HashSecret): the ID itself is never stored.
func (db *DB) CreateSession(ctx context.Context, idHash string, p registrar.Principal, now, expires time.Time) error {
	_, err := db.write.exec(ctx, `INSERT INTO sessions (id_hash, account_id, token_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		idHash, p.AccountID, p.TokenID, now.UnixMicro(), expires.UnixMicro())
	if err != nil {
		return dbErr("store.CreateSession", err)
	}
	return nil
}

// Session returns the principal of a live session: not expired at now,
// not revoked, and opened with a token that is still valid: not revoked
// and not expired (revoking the token ends its sessions at once, on every
// replica, since nothing of this is cached). Otherwise KindUnauthorized.
func (db *DB) Session(ctx context.Context, idHash string, now time.Time) (registrar.Principal, error) {
	var p registrar.Principal
	var scopes string
	var tokenExpires int64
	err := db.read.queryRow(ctx, `SELECT s.account_id, s.token_id, t.scopes, t.sandbox_only, t.expires_at FROM sessions s JOIN tokens t ON t.id = s.token_id AND t.account_id = s.account_id
		WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2
		AND t.revoked_at = 0 AND (t.expires_at = 0 OR t.expires_at > $2)`, idHash, now.UnixMicro()).Scan(&p.AccountID, &p.TokenID, &scopes, &p.SandboxOnly, &tokenExpires)
	if isNoRows(err) {
		return p, registrar.Errorf(registrar.KindUnauthorized, "store.Session", "no live session")
	}
	if err != nil {
		return p, dbErr("store.Session", err)
	}
	for _, s := range strings.Fields(scopes) {
		p.Scopes = append(p.Scopes, registrar.Scope(s))
	}
	if tokenExpires != 0 {
		p.ExpiresAt = time.UnixMicro(tokenExpires).UTC()
	}
	return p, nil
}

// RevokeSession ends a session (sign-out). Revoking a session that does
// not exist or has ended is not an error.
func (db *DB) RevokeSession(ctx context.Context, idHash string, now time.Time) error {
	_, err := db.write.exec(ctx, `UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL`, idHash, now.UnixMicro())
	if err != nil {
		return dbErr("store.RevokeSession", err)
	}
	return nil
}
