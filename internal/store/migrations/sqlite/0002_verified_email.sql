-- Registrant verification looks up an account's confirmed addresses by email
-- (workflows: the live environment's rule asks only new addresses).
CREATE INDEX verifications_email ON verifications (lower(email)) WHERE confirmed_at IS NOT NULL;
