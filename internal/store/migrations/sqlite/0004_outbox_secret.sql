-- The one-time secret (a verification code) an outbox message carries, kept
-- only until the message is delivered over SMTP: delivery replaces it in
-- the body with a redaction mark and clears this column.
ALTER TABLE outbox ADD COLUMN secret TEXT;
