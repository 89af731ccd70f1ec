DROP TABLE seed_pending_indexes;
