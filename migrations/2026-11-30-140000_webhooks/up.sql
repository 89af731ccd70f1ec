-- Webhooks: endpoints an integrator registers, and the outbox of deliveries to them.
-- A delivery row is written in the same transaction as the audit event it reports, so a
-- committed change always yields its deliveries and a rolled-back one never does.

CREATE TABLE webhook_endpoints (
    id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    url                        text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2048),
    description                text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
    -- The event types it wants; NULL means every event.
    events                     text[],
    enabled                    boolean NOT NULL DEFAULT true,
    -- Why it is disabled: 'admin' (by hand), 'gone' (it answered 410), 'failing' (5 days
    -- of failures). NULL while enabled.
    disabled_reason            text CHECK (disabled_reason IN ('admin', 'gone', 'failing')),
    -- `whsec_` + base64 of 32 random bytes.
    secret                     text NOT NULL,
    -- After a rotation the old secret signs alongside the new one until this time.
    previous_secret            text,
    previous_secret_expires_at timestamptz,
    -- Start of the current unbroken run of failed attempts; NULL after any success.
    failing_since              timestamptz,
    created_by_type            text NOT NULL CHECK (created_by_type IN ('user', 'api_key', 'system')),
    created_by                 uuid,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    CHECK (enabled = (disabled_reason IS NULL))
);

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    -- The `webhook-id` header and the body's `id`: one per event, the same for every
    -- endpoint and every attempt, so a receiver can drop duplicates.
    event_id        text NOT NULL,
    event_type      text NOT NULL,
    -- The exact body sent: ids and statuses only, never personal data.
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- When it is next due. A worker that claims a delivery moves this a minute ahead
    -- while it sends, so no other worker takes it, and a crashed worker's claim runs out.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_status     integer,
    last_error      text,
    last_latency_ms integer,
    -- The start of the last answer, capped.
    last_response   text,
    -- A redelivery (by hand, or a replay after an outage) is a new row for the same event;
    -- it names the delivery it repeats, and that one records when it was repeated.
    redelivery_of   uuid REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
    redelivered_at  timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz
);

-- Workers look for due pending deliveries, oldest due first.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
-- An endpoint's page lists its recent deliveries.
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id);

-- Every attempt of every delivery, for the admin page's history.
CREATE TABLE webhook_attempts (
    id          bigserial PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     integer NOT NULL CHECK (attempt >= 1),
    status      integer,
    error       text,
    latency_ms  integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (delivery_id, attempt)
);
