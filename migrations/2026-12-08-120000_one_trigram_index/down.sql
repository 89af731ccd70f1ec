CREATE INDEX sessions_search_trgm_idx ON sessions USING gin (search_text gin_trgm_ops);
ALTER INDEX sessions_search_trgm_idx SET (fastupdate = off);
