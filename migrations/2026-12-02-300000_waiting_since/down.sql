DROP INDEX IF EXISTS sessions_status_waiting_idx;
ALTER TABLE sessions DROP COLUMN IF EXISTS waiting_since;
