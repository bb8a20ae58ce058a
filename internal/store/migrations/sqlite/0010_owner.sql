-- A registration's contacts as last changed through PATCH contacts, and
-- the lock against transfers out that a material change of registrant
-- sets for 60 days (ICANN Transfer Policy II.C.2; issue 14). This is our
-- record, not the EPP lock (clientTransferProhibited): the outbound
-- transfer workflow reads it and rejects a transfer out while it holds.
-- A registration without a row has the contacts its registration or
-- transfer in was made with.
CREATE TABLE registration_contacts (
    env                 TEXT NOT NULL,
    domain              TEXT NOT NULL,
    account_id          TEXT NOT NULL,
    contacts            TEXT NOT NULL,
    transfer_lock_until BIGINT,
    changed_at          BIGINT NOT NULL,
    workflow_id         TEXT NOT NULL,
    PRIMARY KEY (env, domain)
);
