-- The queue's status counts read only the index: the redaction mark and the assignee ride
-- along in it, so "how many completed, unredacted sessions" never touches the table.
DROP INDEX IF EXISTS sessions_status_created_idx;
CREATE INDEX sessions_status_created_idx ON sessions (status, created_at DESC, id DESC) INCLUDE (redacted_at, assigned_to);
