-- `sessiondesk seed` bulk loads drop the secondary indexes of `sessions` and `accounts`,
-- write the rows on several connections and build the indexes again on several. Each step
-- commits on its own, so each dropped index's definition waits here until it is built
-- again: a load that was killed midway leaves them for the next `seed`, which builds them
-- first. Empty outside a load.
CREATE TABLE seed_pending_indexes (
    name text PRIMARY KEY,
    definition text NOT NULL,
    dropped_at timestamptz NOT NULL DEFAULT now()
);
