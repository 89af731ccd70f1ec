-- A second factor for dashboard users: a TOTP secret (RFC 6238), pending until confirmed
-- with a code, the last time step accepted (so a code cannot be used twice), and single-use
-- recovery codes kept only as SHA-256 hashes.

ALTER TABLE users
    ADD COLUMN totp_secret     text,
    ADD COLUMN totp_enabled_at timestamptz,
    ADD COLUMN totp_last_step  bigint,
    ADD CONSTRAINT users_totp_enabled_has_secret
        CHECK (totp_enabled_at IS NULL OR totp_secret IS NOT NULL);

CREATE TABLE recovery_codes (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  text NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX recovery_codes_user_code_key ON recovery_codes (user_id, code_hash);
