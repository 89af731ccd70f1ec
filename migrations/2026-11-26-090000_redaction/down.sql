DROP INDEX IF EXISTS idempotency_keys_resource_idx;
DROP INDEX IF EXISTS sessions_retention_idx;
ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_redacted_without_personal_data;

DROP TRIGGER sessions_search_text ON sessions;
CREATE TRIGGER sessions_search_text
    BEFORE INSERT OR UPDATE OF first_name, middle_name, last_name, email, account_id, search_text
    ON sessions FOR EACH ROW EXECUTE FUNCTION sd_sessions_search_trigger();

CREATE OR REPLACE FUNCTION sd_session_search_text(s sessions) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT nullif(sd_fold(concat_ws(' ',
        s.first_name, s.middle_name, s.last_name, s.email,
        (SELECT a.external_id FROM accounts a WHERE a.id = s.account_id))), '')
    $$;
