-- The event feed (issue 16): what happened to an account's resources,
-- written in the same transaction as the change it describes. IDs grow in
-- commit order (on PostgreSQL, inserts take a transaction-scoped advisory
-- lock, so that no event with a smaller ID commits after a reader has
-- read past it). Pruned after --event-retention.
CREATE TABLE events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  TEXT NOT NULL,
    env         TEXT NOT NULL,
    type        TEXT NOT NULL,
    domain      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX events_account ON events (account_id, env, id);
CREATE INDEX events_created ON events (created_at);

-- How far the feed was pruned: the highest event ID deleted (one row,
-- once something was). A reader resuming after an ID below it may have
-- missed events, and is told to resync (410).
CREATE TABLE events_pruned (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    through_id  BIGINT NOT NULL
);
