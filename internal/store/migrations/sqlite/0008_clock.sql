-- Each environment's business clock (issue 13, "The clock"): the offset
-- ahead of real time that `registrar sandbox clock advance` adds, kept
-- here so that it survives restarts and every replica runs on the same
-- time. shiftable is written by the daemon at start: the sandbox always,
-- the live environment only in demo mode; an offset of an environment
-- that is not shiftable is ignored.
CREATE TABLE clocks (
    env        TEXT PRIMARY KEY,
    offset_us  BIGINT NOT NULL DEFAULT 0,
    shiftable  BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL
);
