-- When a case breached its service level in its current wait (see domain::sla): set once
-- per breach by the background job, which writes one `session.sla_breached` event with it;
-- cleared when a new wait starts; kept after a decision, as history.
ALTER TABLE sessions ADD COLUMN sla_breached_at timestamptz;

-- Cases that already waited past the default target (24 hours) when service levels came
-- in are marked breached at their due time, without an event: the job reports breaches
-- from now on rather than a backlog at once.
UPDATE sessions SET sla_breached_at = waiting_since + interval '24 hours'
    WHERE status IN ('completed', 'failed', 'marked_for_review')
      AND waiting_since <= now() - interval '24 hours'
      AND redacted_at IS NULL;

-- The job's scan: waiting cases not yet reported, per status, oldest wait first.
CREATE INDEX sessions_sla_pending_idx ON sessions (status, waiting_since)
    WHERE sla_breached_at IS NULL AND redacted_at IS NULL
      AND status IN ('completed', 'failed', 'marked_for_review');
