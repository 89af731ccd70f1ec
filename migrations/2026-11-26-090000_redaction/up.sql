-- Redaction and retention.
--
-- A redacted session keeps no search text, and Postgres itself refuses any write that would
-- put personal data back into its row. The retention job finds closed, unredacted sessions
-- by the time they closed, and redaction finds the stored idempotent responses that quote a
-- session, document or account by the resource id they carry.

CREATE OR REPLACE FUNCTION sd_session_search_text(s sessions) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN s.redacted_at IS NOT NULL THEN NULL
        ELSE nullif(sd_fold(concat_ws(' ',
            s.first_name, s.middle_name, s.last_name, s.email,
            (SELECT a.external_id FROM accounts a WHERE a.id = s.account_id))), '')
        END
    $$;

DROP TRIGGER sessions_search_text ON sessions;
CREATE TRIGGER sessions_search_text
    BEFORE INSERT OR UPDATE OF first_name, middle_name, last_name, email, account_id, search_text,
        redacted_at
    ON sessions FOR EACH ROW EXECUTE FUNCTION sd_sessions_search_trigger();

-- Nothing could redact before this migration, but a row marked by hand must not stop it.
UPDATE sessions SET
    first_name = NULL, middle_name = NULL, last_name = NULL, birth_date = NULL,
    email = NULL, phone = NULL,
    address_line1 = NULL, address_line2 = NULL, address_sublocality = NULL,
    address_locality = NULL, address_administrative_area = NULL, address_postal_code = NULL,
    address_country_code = NULL,
    identity_number = NULL, identity_number_issuing_country_code = NULL,
    identity_number_class = NULL, decision_comment = NULL, search_text = NULL
WHERE redacted_at IS NOT NULL;

ALTER TABLE sessions ADD CONSTRAINT sessions_redacted_without_personal_data CHECK (
    redacted_at IS NULL OR (
        first_name IS NULL AND middle_name IS NULL AND last_name IS NULL
        AND birth_date IS NULL AND email IS NULL AND phone IS NULL
        AND address_line1 IS NULL AND address_line2 IS NULL AND address_sublocality IS NULL
        AND address_locality IS NULL AND address_administrative_area IS NULL
        AND address_postal_code IS NULL AND address_country_code IS NULL
        AND identity_number IS NULL AND identity_number_issuing_country_code IS NULL
        AND identity_number_class IS NULL AND decision_comment IS NULL
        AND search_text IS NULL));

-- The moment a session closed: decided, expired, or failed and left so.
CREATE INDEX sessions_retention_idx ON sessions ((coalesce(decisioned_at, expired_at, failed_at)))
    WHERE redacted_at IS NULL AND status IN ('approved', 'declined', 'expired', 'failed');

CREATE INDEX idempotency_keys_resource_idx ON idempotency_keys ((response_body #>> '{data,id}'));
