-- Accounts, tokens, registrations and workflows. Times are unix microseconds (UTC).
CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    default_contact TEXT,
    created_at      BIGINT NOT NULL
);

-- Domains held per account and environment, kept in step with registrations
-- so that the quota check is one atomic conditional update.
CREATE TABLE account_domains (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    env        TEXT NOT NULL,
    count      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, env)
);

CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    scopes     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE workflows (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    env           TEXT NOT NULL,
    kind          TEXT NOT NULL,
    domain        TEXT NOT NULL,
    state         TEXT NOT NULL,
    step          TEXT NOT NULL,
    version       BIGINT NOT NULL,
    context       TEXT NOT NULL,
    data          TEXT NOT NULL,
    error_code    TEXT NOT NULL DEFAULT '',
    error_message TEXT NOT NULL DEFAULT '',
    pending_trid  TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    deadline      BIGINT
);
CREATE INDEX workflows_subject ON workflows (account_id, env, domain, kind, created_at);
CREATE INDEX workflows_deadline ON workflows (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX workflows_pending_trid ON workflows (pending_trid) WHERE pending_trid IS NOT NULL;

-- One row per domain and environment while a registration is pending or
-- held; the primary key is what makes a domain registrable once.
CREATE TABLE registrations (
    env          TEXT NOT NULL,
    domain       TEXT NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    workflow_id  TEXT NOT NULL, -- no foreign key: the claim comes before its workflow row
    status       TEXT NOT NULL,
    years        BIGINT NOT NULL,
    auto_renew   BOOLEAN NOT NULL,
    locked       BOOLEAN NOT NULL,
    privacy_mode TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    PRIMARY KEY (env, domain)
);
CREATE INDEX registrations_account_created ON registrations (account_id, env, created_at, domain);
CREATE INDEX registrations_account_domain ON registrations (account_id, env, domain);

CREATE TABLE verifications (
    code_hash    TEXT PRIMARY KEY,
    workflow_id  TEXT NOT NULL REFERENCES workflows (id),
    email        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    confirmed_at BIGINT
);
CREATE INDEX verifications_workflow ON verifications (workflow_id);

CREATE TABLE outbox (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workflow_id TEXT,
    to_addr     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT,
    attempts    BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT ''
);

-- The ledger: at most one charge per workflow, taken when the registry has
-- confirmed the domain.
CREATE TABLE charges (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    workflow_id  TEXT NOT NULL UNIQUE REFERENCES workflows (id),
    domain       TEXT NOT NULL,
    years        BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
