-- Signed webhooks (issue 16): an account's endpoints per environment, the
-- deliveries of events to them and each attempt, and the dispatcher's
-- cursor in the event feed.
--
-- The signing secrets are stored usable (HMAC needs the key itself): the
-- database's own protection (file mode 0600, secure_delete; PostgreSQL's
-- access control) is theirs. See docs/SECURITY.md.
CREATE TABLE webhook_endpoints (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL,
    env                TEXT NOT NULL,
    url                TEXT NOT NULL,
    event_types        TEXT NOT NULL,
    description        TEXT NOT NULL,
    enabled            BOOLEAN NOT NULL,
    secret             TEXT NOT NULL,
    old_secret         TEXT NOT NULL DEFAULT '',
    old_secret_expires BIGINT NOT NULL DEFAULT 0,
    failing_since      BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, env);

-- One row per event and endpoint: the dispatcher inserts it with its
-- delivery job and the cursor's advance, in one transaction, and the
-- unique key makes a second insert of the same pair a no-op.
CREATE TABLE webhook_deliveries (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id    BIGINT NOT NULL,
    event_type  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);

CREATE TABLE webhook_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    latency_us  BIGINT NOT NULL,
    error       TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- The last event the dispatcher has handed out (one row).
CREATE TABLE webhook_cursor (
    name     TEXT PRIMARY KEY,
    event_id BIGINT NOT NULL
);
INSERT INTO webhook_cursor (name, event_id) SELECT 'dispatcher', COALESCE(MAX(id), 0) FROM events;
