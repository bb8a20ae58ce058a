-- Reconciliation with the registry (docs/ARCHITECTURE.md, "Reconciliation").
-- sync_checked_at is when the registry was last asked about the
-- registration, 0 until it first is: NOT NULL so that the due scan is a
-- plain keyset walk of one index, never-checked rows first (a constant
-- default adds the column without rewriting the table).
-- registry_sync is what that check found, the registration's
-- registry_sync (registrar.RegistrySync as JSON), NULL until checked.
ALTER TABLE registrations ADD COLUMN sync_checked_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE registrations ADD COLUMN registry_sync TEXT;
CREATE INDEX registrations_sync_due ON registrations (env, sync_checked_at, domain);

-- Every difference reconciliation found, and what it did about it; read
-- newest first by `registrar reconcile report`.
CREATE TABLE reconcile_differences (
    id         BIGSERIAL PRIMARY KEY,
    env        TEXT NOT NULL,
    domain     TEXT NOT NULL,
    account_id TEXT NOT NULL,
    at         BIGINT NOT NULL,
    field      TEXT NOT NULL,
    ours       TEXT NOT NULL,
    registry   TEXT NOT NULL,
    action     TEXT NOT NULL
);
CREATE INDEX reconcile_differences_report ON reconcile_differences (env, at, id);
