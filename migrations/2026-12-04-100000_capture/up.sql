-- The applicant's side: one-time capture links, and reviewers' requests for a better photo.

-- The applicant, acting through a capture link, is an actor of events (its id is the link's).
ALTER TABLE events DROP CONSTRAINT events_actor_type_check;
ALTER TABLE events ADD CONSTRAINT events_actor_type_check
    CHECK (actor_type IN ('user', 'api_key', 'system', 'applicant'));

-- A reviewer asks the applicant to replace one document's photos. The message is for the
-- applicant and is kept apart from internal notes; redaction clears it.
CREATE TABLE resubmission_requests (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id         uuid NOT NULL REFERENCES sessions (id),
    document_id        uuid NOT NULL REFERENCES documents (id),
    reason             text NOT NULL CHECK (reason IN (
                           'blurry', 'glare', 'cut_off', 'wrong_document',
                           'expired_document', 'other')),
    message            text CHECK (char_length(message) <= 1000),
    requested_by_type  text NOT NULL CHECK (requested_by_type IN ('user', 'api_key')),
    requested_by_id    uuid NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    -- When the applicant submitted the replacement.
    fulfilled_at       timestamptz
);
CREATE INDEX resubmission_requests_session_idx ON resubmission_requests (session_id, created_at);

-- A link an applicant follows to complete their session. Only the SHA-256 of its token is
-- kept; the token itself is shown once, to whoever asked for the link.
CREATE TABLE capture_links (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id           uuid NOT NULL REFERENCES sessions (id),
    token_hash           bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    -- Set when the link asks for one document again rather than for the whole session.
    resubmission_id      uuid REFERENCES resubmission_requests (id),
    created_by_type      text NOT NULL CHECK (created_by_type IN ('user', 'api_key', 'system')),
    created_by_id        uuid,
    created_at           timestamptz NOT NULL DEFAULT now(),
    expires_at           timestamptz NOT NULL,
    -- A newer link for the same session revokes this one.
    revoked_at           timestamptz,
    consented_at         timestamptz,
    consent_version      text CHECK (char_length(consent_version) <= 64),
    -- What the applicant did through this link, so that its pages show only that.
    entered_fields       text[] NOT NULL DEFAULT '{}',
    -- The ID document type the applicant chose; the document is created with its first photo.
    idv_document_type    text CHECK (idv_document_type IN (
                             'passport', 'drivers_license', 'national_id', 'residence_permit')),
    idv_document_id      uuid REFERENCES documents (id),
    address_document_id  uuid REFERENCES documents (id),
    submitted_at         timestamptz
);
CREATE INDEX capture_links_session_idx ON capture_links (session_id, created_at);
-- At most one live link a session: issuing one revokes the last in the same transaction.
CREATE UNIQUE INDEX capture_links_one_open_idx ON capture_links (session_id)
    WHERE revoked_at IS NULL AND submitted_at IS NULL;
