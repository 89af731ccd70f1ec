ALTER TABLE users DROP COLUMN shortcuts_enabled;
