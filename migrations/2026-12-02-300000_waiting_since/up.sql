-- When a session started waiting for a reviewer: set when it enters completed or failed,
-- kept when it moves on to marked_for_review (still waiting), cleared when it leaves the
-- waiting statuses (kept after, as history). The queue's "longest waiting" order and its overdue mark read it, so
-- a session that waited in pending for days is not overdue the minute it completes.
ALTER TABLE sessions ADD COLUMN waiting_since timestamptz;

-- Backfill from the stamps the transitions already wrote: a marked session started waiting
-- when it completed or failed, whichever came last.
-- Decided sessions keep theirs as history (see the transitions).
UPDATE sessions SET waiting_since = CASE
        WHEN status IN ('completed', 'failed', 'marked_for_review')
            THEN coalesce(greatest(completed_at, failed_at), marked_for_review_at, updated_at)
        ELSE greatest(completed_at, failed_at)
    END
    WHERE status IN ('completed', 'failed', 'marked_for_review')
       OR completed_at IS NOT NULL OR failed_at IS NOT NULL;

-- "Longest waiting first", per status, as one range of one index from its cursor; the
-- redaction mark and the assignee ride along as in sessions_status_created_idx. Only the
-- waiting statuses are indexed; the queue names them as literals so the planner can use it.
CREATE INDEX sessions_status_waiting_idx ON sessions (status, waiting_since, id)
    INCLUDE (redacted_at, assigned_to)
    WHERE status IN ('completed', 'failed', 'marked_for_review');
