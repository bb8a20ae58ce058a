-- API tokens as a resource (issue 17): a token may be read-only (its
-- scopes), limited to the sandbox, expire, and be revoked; the time it was
-- last used is kept to the minute. Existing tokens keep their name and
-- scopes (read and write) and are not limited to the sandbox. Times are
-- unix microseconds (UTC); 0 is "never".
ALTER TABLE tokens ADD COLUMN sandbox_only BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN revoked_at BIGINT NOT NULL DEFAULT 0;

CREATE INDEX tokens_account ON tokens (account_id, created_at);
