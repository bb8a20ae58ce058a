-- Workflows waiting for the registrant's email confirmation take the
-- context keys of Cloudflare's API reference: action
-- registrant_email_confirmation_pending (was verify_registrant_email) and
-- confirmation_sent_to masked as a***@example.com (was the full address,
-- which must appear in no API response). New workflows write them so
-- (registrar.MaskEmail); other states' contexts are rewritten by their
-- next transition.
UPDATE workflows
SET context = (context::jsonb || jsonb_build_object(
    'action', 'registrant_email_confirmation_pending',
    'confirmation_sent_to',
    left(context::jsonb->>'confirmation_sent_to', 1) || '***' ||
    substring(context::jsonb->>'confirmation_sent_to' from '@[^@]*$')))::text
WHERE context::jsonb->>'action' = 'verify_registrant_email'
  AND context::jsonb->>'confirmation_sent_to' LIKE '%@%';
