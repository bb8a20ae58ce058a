-- The per-account cap on registrations in flight counts these (store.CountInFlight).
CREATE INDEX workflows_in_flight ON workflows (account_id, env) WHERE kind = 'registration' AND state IN ('pending', 'in_progress');
