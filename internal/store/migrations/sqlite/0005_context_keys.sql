-- Workflows waiting for the registrant's email confirmation take the
-- context keys of Cloudflare's API reference: action
-- registrant_email_confirmation_pending (was verify_registrant_email) and
-- confirmation_sent_to masked as a***@example.com (was the full address,
-- which must appear in no API response). New workflows write them so
-- (registrar.MaskEmail); other states' contexts are rewritten by their
-- next transition.
UPDATE workflows
SET context = json_set(context,
    '$.action', 'registrant_email_confirmation_pending',
    '$.confirmation_sent_to',
    substr(json_extract(context, '$.confirmation_sent_to'), 1, 1) || '***' ||
    substr(json_extract(context, '$.confirmation_sent_to'), instr(json_extract(context, '$.confirmation_sent_to'), '@')))
WHERE json_extract(context, '$.action') = 'verify_registrant_email'
  AND instr(json_extract(context, '$.confirmation_sent_to'), '@') > 0;
