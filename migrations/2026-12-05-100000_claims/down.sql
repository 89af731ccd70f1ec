ALTER TABLE sessions DROP COLUMN claimed_at;
