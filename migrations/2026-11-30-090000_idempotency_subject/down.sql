CREATE INDEX idempotency_keys_resource_idx ON idempotency_keys ((response_body #>> '{data,id}'));
DROP INDEX idempotency_keys_account_idx;
DROP INDEX idempotency_keys_session_idx;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_erased_empty;
ALTER TABLE idempotency_keys
    DROP COLUMN erased_at,
    DROP COLUMN account_id,
    DROP COLUMN session_id;
