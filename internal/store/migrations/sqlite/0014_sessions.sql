-- Dashboard sessions (internal/web): a signed-in browser. The session ID is
-- stored as its SHA-256 hash only; a session lives while it is neither
-- expired nor revoked AND the token it was opened with still exists (a
-- session of a deleted token no longer joins tokens).
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    token_id   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX sessions_token ON sessions (token_id);
