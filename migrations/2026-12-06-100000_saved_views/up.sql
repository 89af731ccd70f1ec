-- Saved views: a queue's filters and sort under a name, private to its owner or shared with
-- the team; a shared view a manager pins shows first for everyone. `query` is the queue's
-- canonical query string without paging and without a search for a person (see the store).
CREATE TABLE saved_views (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id uuid NOT NULL REFERENCES users (id),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    query text NOT NULL CHECK (char_length(query) <= 1000),
    shared boolean NOT NULL DEFAULT false,
    pinned boolean NOT NULL DEFAULT false,
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT saved_views_pinned_are_shared CHECK (shared OR NOT pinned)
);

-- One name per owner, whatever the case.
CREATE UNIQUE INDEX saved_views_owner_name_idx ON saved_views (owner_id, lower(name));
-- Everyone's navigation reads the shared ones.
CREATE INDEX saved_views_shared_idx ON saved_views (owner_id) WHERE shared;
