-- Session Desk core schema: every table of SPEC section 2, with every status and kind
-- constrained by Postgres itself, and the indexes the review queue needs.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is STABLE because its dictionary can change; wrapping it with the dictionary
-- named makes it usable in an index expression and a trigger alike.
CREATE FUNCTION sd_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username       text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    display_name   text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
    role           text NOT NULL CHECK (role IN ('reviewer', 'manager', 'admin')),
    password_hash  text NOT NULL,
    disabled       boolean NOT NULL DEFAULT false,
    session_epoch  integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz
);
CREATE UNIQUE INDEX users_username_key ON users (username);

CREATE TABLE accounts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id  text CHECK (char_length(external_id) BETWEEN 1 AND 255),
    status       text NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'pending', 'inactive', 'suspended')),
    entity_type  text NOT NULL DEFAULT 'person' CHECK (entity_type IN ('person')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    redacted_at  timestamptz
);
CREATE UNIQUE INDEX accounts_external_id_key ON accounts (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX accounts_created_idx ON accounts (created_at DESC, id DESC);

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    prefix        text NOT NULL,
    secret_hash   bytea NOT NULL,
    permissions   text[] NOT NULL DEFAULT '{}' CHECK (permissions <@ ARRAY[
                      'accounts:read', 'accounts:write', 'sessions:read', 'sessions:write',
                      'sessions:decide', 'sessions:redact', 'documents:write',
                      'verifications:write']::text[]),
    created_by    uuid REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    revoked_by    uuid REFERENCES users (id)
);
CREATE UNIQUE INDEX api_keys_secret_hash_key ON api_keys (secret_hash);

CREATE TABLE sessions (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id             uuid NOT NULL REFERENCES accounts (id),
    status                 text NOT NULL DEFAULT 'created' CHECK (status IN (
                               'created', 'started', 'pending', 'completed', 'failed',
                               'marked_for_review', 'approved', 'declined', 'expired')),
    -- The status before the latest transition, written by the same conditional UPDATE
    -- (`SET previous_status = status`) so the audit event knows where the session came from.
    previous_status        text CHECK (previous_status IN (
                               'created', 'started', 'pending', 'completed', 'failed',
                               'marked_for_review', 'approved', 'declined', 'expired')),
    entity_type            text NOT NULL DEFAULT 'person' CHECK (entity_type IN ('person')),
    creator_type           text NOT NULL CHECK (creator_type IN ('api_key', 'user', 'system')),
    creator_id             uuid,
    required_verifications text[] NOT NULL DEFAULT ARRAY['verification/idv']::text[]
                           CHECK (cardinality(required_verifications) >= 1
                                  AND required_verifications <@ ARRAY['verification/idv', 'verification/address']::text[]),
    first_name             text CHECK (char_length(first_name) <= 100),
    middle_name            text CHECK (char_length(middle_name) <= 100),
    last_name              text CHECK (char_length(last_name) <= 100),
    birth_date             date CHECK (birth_date >= DATE '1900-01-01'),
    email                  text CHECK (char_length(email) <= 254),
    phone                  text CHECK (phone ~ '^\+[0-9]{7,15}$'),
    address_line1          text CHECK (char_length(address_line1) <= 200),
    address_line2          text CHECK (char_length(address_line2) <= 200),
    address_sublocality    text CHECK (char_length(address_sublocality) <= 100),
    address_locality       text CHECK (char_length(address_locality) <= 100),
    address_administrative_area text CHECK (char_length(address_administrative_area) <= 100),
    address_postal_code    text CHECK (char_length(address_postal_code) <= 20),
    address_country_code   text CHECK (address_country_code ~ '^[A-Z]{2}$'),
    identity_number        text CHECK (char_length(identity_number) <= 64),
    identity_number_issuing_country_code text CHECK (identity_number_issuing_country_code ~ '^[A-Z]{2}$'),
    identity_number_class  text CHECK (identity_number_class IN (
                               'passport', 'drivers_license', 'national_id', 'residence_permit',
                               'tax_id', 'social_security', 'other')),
    assigned_to            uuid REFERENCES users (id),
    assigned_at            timestamptz,
    decision               text CHECK (decision IN ('approved', 'declined')),
    decision_reason        text CHECK (decision_reason IN (
                               'document_unreadable', 'document_expired', 'document_suspected_fraud',
                               'data_mismatch', 'underage', 'duplicate', 'sanctions_or_watchlist', 'other')),
    decision_comment       text CHECK (char_length(decision_comment) <= 2000),
    decided_by_type        text CHECK (decided_by_type IN ('api_key', 'user', 'system')),
    decided_by             uuid,
    last_activity          text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    started_at             timestamptz,
    submitted_at           timestamptz,
    completed_at           timestamptz,
    failed_at              timestamptz,
    marked_for_review_at   timestamptz,
    decisioned_at          timestamptz,
    expired_at             timestamptz,
    expires_at             timestamptz NOT NULL DEFAULT now() + interval '7 days',
    redacted_at            timestamptz,
    redacted_by_type       text CHECK (redacted_by_type IN ('api_key', 'user', 'system')),
    redacted_by            uuid,
    -- Folded names, email and account external id for the queue's search, kept current by
    -- the triggers below; never written by the application.
    search_text            text,
    CONSTRAINT sessions_decision_consistent CHECK (
        (status = 'approved' AND decision = 'approved' AND decision_reason IS NULL)
        OR (status = 'declined' AND decision = 'declined' AND decision_reason IS NOT NULL)
        OR (status NOT IN ('approved', 'declined') AND decision IS NULL)
    )
);
CREATE INDEX sessions_status_created_idx ON sessions (status, created_at DESC, id DESC);
CREATE INDEX sessions_account_created_idx ON sessions (account_id, created_at DESC, id DESC);
CREATE INDEX sessions_assignee_status_created_idx ON sessions (assigned_to, status, created_at DESC);
CREATE INDEX sessions_created_idx ON sessions (created_at DESC, id DESC);
CREATE INDEX sessions_search_trgm_idx ON sessions USING gin (search_text gin_trgm_ops);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at)
    WHERE status IN ('created', 'started', 'pending') AND redacted_at IS NULL;
CREATE INDEX sessions_decided_idx ON sessions (decisioned_at) WHERE decisioned_at IS NOT NULL;

CREATE FUNCTION sd_session_search_text(s sessions) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT nullif(sd_fold(concat_ws(' ',
        s.first_name, s.middle_name, s.last_name, s.email,
        (SELECT a.external_id FROM accounts a WHERE a.id = s.account_id))), '')
    $$;

CREATE FUNCTION sd_sessions_search_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        NEW.search_text := sd_session_search_text(NEW);
        RETURN NEW;
    END
    $$;

CREATE TRIGGER sessions_search_text
    BEFORE INSERT OR UPDATE OF first_name, middle_name, last_name, email, account_id, search_text
    ON sessions FOR EACH ROW EXECUTE FUNCTION sd_sessions_search_trigger();

CREATE FUNCTION sd_accounts_search_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        -- Touching search_text fires the sessions trigger, which recomputes it.
        UPDATE sessions SET search_text = NULL WHERE account_id = NEW.id;
        RETURN NEW;
    END
    $$;

CREATE TRIGGER accounts_search_text
    AFTER UPDATE OF external_id ON accounts
    FOR EACH ROW WHEN (OLD.external_id IS DISTINCT FROM NEW.external_id)
    EXECUTE FUNCTION sd_accounts_search_trigger();

CREATE TABLE session_devices (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id   uuid NOT NULL REFERENCES sessions (id),
    ip           text CHECK (char_length(ip) <= 45),
    user_agent   text CHECK (char_length(user_agent) <= 1000),
    platform     text CHECK (platform IN ('web', 'ios', 'android', 'other')),
    browser      text CHECK (char_length(browser) <= 100),
    os           text CHECK (char_length(os) <= 100),
    device_type  text CHECK (device_type IN ('desktop', 'mobile', 'tablet', 'other')),
    language     text CHECK (char_length(language) <= 35),
    screen       text CHECK (char_length(screen) <= 20),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_devices_session_idx ON session_devices (session_id);

CREATE TABLE documents (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id     uuid NOT NULL REFERENCES sessions (id),
    kind           text NOT NULL CHECK (kind IN ('document/idv', 'document/address')),
    document_type  text NOT NULL,
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'submitted', 'processing', 'processed', 'failed')),
    mrz            text CHECK (char_length(mrz) <= 200),
    reported       jsonb,
    extracted      jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT documents_type_matches_kind CHECK (
        (kind = 'document/idv' AND document_type IN ('passport', 'drivers_license', 'national_id', 'residence_permit'))
        OR (kind = 'document/address' AND document_type IN ('utility_bill', 'bank_statement', 'tax_document', 'government_letter'))
    ),
    CONSTRAINT documents_mrz_only_on_idv CHECK (mrz IS NULL OR kind = 'document/idv'),
    CONSTRAINT documents_reported_only_on_address CHECK (reported IS NULL OR kind = 'document/address')
);
CREATE INDEX documents_session_idx ON documents (session_id, created_at);

CREATE TABLE document_files (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id   uuid NOT NULL REFERENCES documents (id),
    side          text NOT NULL CHECK (side IN ('front', 'back', 'portrait', 'page')),
    filename      text CHECK (char_length(filename) <= 255),
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
    byte_size     integer NOT NULL CHECK (byte_size BETWEEN 1 AND 10485760),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- NULL once redacted: the bytes live here so that redaction is one transaction.
    content       bytea,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_files_document_idx ON document_files (document_id, created_at);

CREATE TABLE verifications (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id           uuid NOT NULL REFERENCES sessions (id),
    document_id          uuid NOT NULL REFERENCES documents (id),
    kind                 text NOT NULL CHECK (kind IN ('verification/idv', 'verification/address')),
    status               text NOT NULL DEFAULT 'initiated'
                         CHECK (status IN ('initiated', 'passed', 'failed', 'requires_retry', 'canceled')),
    extracted            jsonb,
    auto_update_session  boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    completed_at         timestamptz
);
CREATE INDEX verifications_session_idx ON verifications (session_id, kind, created_at DESC);
CREATE INDEX verifications_created_idx ON verifications (created_at DESC, id DESC);

CREATE TABLE verification_checks (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    verification_id  uuid NOT NULL REFERENCES verifications (id),
    position         smallint NOT NULL,
    name             text NOT NULL CHECK (name IN (
                         'mrz_format', 'mrz_check_digits', 'document_not_expired', 'minimum_age',
                         'data_consistency', 'image_readable', 'document_recent',
                         'name_matches_session', 'address_present')),
    status           text NOT NULL CHECK (status IN ('passed', 'failed', 'not_applicable')),
    requirement      text NOT NULL CHECK (requirement IN ('required', 'not_required')),
    reasons          text[] NOT NULL DEFAULT '{}',
    metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
    UNIQUE (verification_id, position)
);

CREATE TABLE notes (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id   uuid NOT NULL REFERENCES sessions (id),
    author_id    uuid NOT NULL REFERENCES users (id),
    -- NULL once the session is redacted.
    body         text CHECK (char_length(body) BETWEEN 1 AND 4000),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_session_idx ON notes (session_id, created_at);

CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id   uuid REFERENCES sessions (id),
    actor_type   text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
    actor_id     uuid,
    action       text NOT NULL CHECK (action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'),
    from_status  text CHECK (from_status IN (
                     'created', 'started', 'pending', 'completed', 'failed',
                     'marked_for_review', 'approved', 'declined', 'expired')),
    to_status    text CHECK (to_status IN (
                     'created', 'started', 'pending', 'completed', 'failed',
                     'marked_for_review', 'approved', 'declined', 'expired')),
    -- Field names, ids, statuses and codes only: never applicant data.
    details      jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- The network address of a dashboard or API client (a reviewer's or integrator's,
    -- never an applicant's), for sign-in audit.
    ip           text CHECK (char_length(ip) <= 45),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_session_idx ON events (session_id, id) WHERE session_id IS NOT NULL;
CREATE INDEX events_actor_idx ON events (actor_id, id);
CREATE INDEX events_action_idx ON events (action, id);
CREATE INDEX events_decisions_idx ON events (created_at)
    WHERE action IN ('session.approved', 'session.declined');

-- The audit log is append-only: Postgres itself refuses to change or delete an event.
CREATE FUNCTION sd_events_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only';
    END
    $$;
CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION sd_events_append_only();

-- Failed and successful sign-ins, for throttling per username and per address across
-- every app instance.
CREATE TABLE login_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username    text NOT NULL,
    ip          text NOT NULL,
    succeeded   boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_username_idx ON login_attempts (username, created_at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, created_at);

-- Responses to POSTs that carried an Idempotency-Key, kept 24 hours.
CREATE TABLE idempotency_keys (
    api_key_id       uuid NOT NULL REFERENCES api_keys (id),
    key              text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash     text NOT NULL,
    response_status  smallint NOT NULL,
    response_body    jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
