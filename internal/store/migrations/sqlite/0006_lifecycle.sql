-- A domain's life after registration (issue 13): renewals, expiry, restore.
-- Times are unix microseconds (UTC).

-- renewal: the newest renewal of the current term (registrar.RenewalState
-- as JSON), null before the first. status_since: when the status last
-- changed; the redemption and pending-delete periods run from it.
ALTER TABLE registrations ADD COLUMN renewal TEXT;
ALTER TABLE registrations ADD COLUMN status_since INTEGER;
UPDATE registrations SET status_since = created_at;
-- The lifecycle job's scans: by status and expiry, keyset by domain.
CREATE INDEX registrations_lifecycle ON registrations (env, status, expires_at, domain);

-- A registration's history. account_id is kept on each event (no foreign
-- key to registrations) so the history outlives the deleted registration.
CREATE TABLE registration_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    env         TEXT NOT NULL,
    domain      TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    at          INTEGER NOT NULL,
    type        TEXT NOT NULL,
    status      TEXT NOT NULL,
    expires_at  INTEGER,
    workflow_id TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX registration_events_history ON registration_events (account_id, env, domain, at);

-- One row per renewal term: the key (env, domain, the expiry the renewal
-- extends) makes repeated and concurrent requests, and the automatic
-- renewal of the same term, one workflow.
CREATE TABLE renewals (
    env         TEXT NOT NULL,
    domain      TEXT NOT NULL,
    cur_expiry  INTEGER NOT NULL,
    workflow_id TEXT NOT NULL,
    PRIMARY KEY (env, domain, cur_expiry)
);

-- Each expiry notice (ICANN ERRP) is sent once per term: the row is
-- written in the transaction that queues the mail.
CREATE TABLE expiry_notices (
    env        TEXT NOT NULL,
    domain     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    notice     TEXT NOT NULL,
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (env, domain, expires_at, notice)
);
