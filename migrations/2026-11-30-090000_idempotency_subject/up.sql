-- A stored idempotent response is tied by column to the session and the account it
-- concerns, so that redaction finds every one of them by an index instead of probing the
-- JSON for a resource id (a verification's response names the verification, yet quotes the
-- applicant). Rows live 24 hours; those of today are tied by what their body names.
ALTER TABLE idempotency_keys
    ADD COLUMN session_id uuid REFERENCES sessions (id) ON DELETE CASCADE,
    ADD COLUMN account_id uuid REFERENCES accounts (id) ON DELETE CASCADE,
    -- Set when redaction erased the stored response: the key stays claimed, so that a
    -- replay is refused instead of creating again.
    ADD COLUMN erased_at timestamptz;

UPDATE idempotency_keys k SET session_id = coalesce(
        (SELECT s.id FROM sessions s WHERE s.id::text = k.response_body #>> '{data,id}'),
        (SELECT d.session_id FROM documents d WHERE d.id::text = k.response_body #>> '{data,id}'),
        (SELECT v.session_id FROM verifications v WHERE v.id::text = k.response_body #>> '{data,id}')),
    account_id = coalesce(
        (SELECT a.id FROM accounts a WHERE a.id::text = k.response_body #>> '{data,id}'),
        (SELECT s.account_id FROM sessions s WHERE s.id::text = k.response_body #>> '{data,id}'));

-- An erased response holds nothing.
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_erased_empty
    CHECK (erased_at IS NULL OR response_body = 'null'::jsonb);

CREATE INDEX idempotency_keys_session_idx ON idempotency_keys (session_id)
    WHERE session_id IS NOT NULL;
CREATE INDEX idempotency_keys_account_idx ON idempotency_keys (account_id)
    WHERE account_id IS NOT NULL;
DROP INDEX idempotency_keys_resource_idx;
