DROP INDEX sessions_surname_key_idx;
DROP INDEX sessions_name_key_idx;
DROP FUNCTION sd_name_key(text, text);
