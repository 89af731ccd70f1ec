-- Four eyes (FOUR_EYES): a redaction or a decline asked for by one person and carried out
-- only when a second approves it. A request is pending until approved, rejected, withdrawn
-- by its requester, or expired (after 7 days); one pending request per session and kind.
CREATE TABLE approval_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind IN ('redaction', 'decline')),
    session_id uuid NOT NULL REFERENCES sessions (id),
    requested_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    -- A decline's reason code and comment (the comment may quote the applicant: redaction
    -- erases it).
    reason text,
    comment text,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn', 'expired')),
    decided_by uuid REFERENCES users (id),
    decided_at timestamptz
);

CREATE UNIQUE INDEX approval_requests_one_pending_idx ON approval_requests (session_id, kind)
    WHERE status = 'pending';
CREATE INDEX approval_requests_pending_idx ON approval_requests (created_at)
    WHERE status = 'pending';
