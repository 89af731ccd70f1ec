DROP INDEX sessions_sla_pending_idx;
ALTER TABLE sessions DROP COLUMN sla_breached_at;
