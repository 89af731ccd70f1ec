ALTER TABLE verifications DROP COLUMN compared;
