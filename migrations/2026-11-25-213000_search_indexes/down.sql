DROP INDEX IF EXISTS sessions_email_lower_idx;
DROP INDEX IF EXISTS sessions_status_search_idx;
