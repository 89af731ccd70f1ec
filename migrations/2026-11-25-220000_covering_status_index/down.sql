DROP INDEX IF EXISTS sessions_status_created_idx;
CREATE INDEX sessions_status_created_idx ON sessions (status, created_at DESC, id DESC);
