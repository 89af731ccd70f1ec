-- How many sessions each API key read, per day (UTC): reads of personal data are
-- accountable (ASVS 16.3) without an event for every read of an integration that polls.
CREATE TABLE api_key_reads (
    api_key_id uuid NOT NULL REFERENCES api_keys (id),
    day        date NOT NULL,
    reads      bigint NOT NULL DEFAULT 0 CHECK (reads >= 0),
    PRIMARY KEY (api_key_id, day)
);

-- Events written at most once per interval (a case page viewed, a refused API call) look
-- for the same event within the last minutes: a range of this index, whatever the age of
-- the log or the number of events of the actor.
CREATE INDEX events_action_time_idx ON events (action, created_at);
