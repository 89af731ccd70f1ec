ALTER INDEX sessions_search_trgm_idx RESET (fastupdate);
ALTER INDEX sessions_status_search_idx RESET (fastupdate);
