-- The background jobs' ticks, shared by every instance on this database: an instance runs
-- a tick only when it moves `last_started_at` forward by a whole interval (one conditional
-- upsert), so with several instances each tick runs once, not once per instance. `runs`
-- counts the ticks run; `instance` names the last to run one.
CREATE TABLE job_ticks (
    name text PRIMARY KEY,
    last_started_at timestamptz NOT NULL,
    runs bigint NOT NULL DEFAULT 1,
    instance text NOT NULL DEFAULT ''
);
