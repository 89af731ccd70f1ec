-- Two trigram indexes held the same search text: `sessions_search_trgm_idx` on the text
-- alone and `sessions_status_search_idx` on (status, text). A multicolumn GIN index serves
-- a condition on any of its columns as well as one on all of them (a search without a
-- status reads the same trigram entries), so the first only cost: every session write
-- that is not a HOT update (an assignment, a decision) added some forty trigram entries to
-- each of them, and a bulk load spent a third of its index time building it.
DROP INDEX sessions_search_trgm_idx;
