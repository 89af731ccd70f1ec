-- Search within a status (the work queue's "find this applicant") intersects both in one
-- GIN scan instead of fetching every name match and filtering; a typed email address is
-- looked up exactly.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX sessions_status_search_idx ON sessions USING gin (status, search_text gin_trgm_ops);
CREATE INDEX sessions_email_lower_idx ON sessions (lower(email)) WHERE email IS NOT NULL;
