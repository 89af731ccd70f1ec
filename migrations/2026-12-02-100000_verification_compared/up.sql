-- What a verification compared with the session's entered data, as keyed fingerprints
-- (HMAC-SHA256 per field, never the value): {"person.name.last": "<hex>", ...}. Reading it
-- again tells whether the entered data changed since the verification ran (stale).
-- Null for verifications stored before this column, by the demo, and after redaction.
ALTER TABLE verifications ADD COLUMN compared jsonb;
