-- Bulk changes: one action (assign, unassign, mark for review, expire, add a note) asked for
-- once and applied to many sessions, each through the same service as a single change, with
-- its own event. The sessions are listed in `bulk_change_items` in queue order, either as
-- chosen on the queue or, for "all matching", read from `filter` (the queue's filter as
-- JSON) by the worker that takes the job up. `done` counts the items settled so far: the
-- items from position `done` on are the ones left, so a job survives a restart and resumes
-- where it stopped. A worker holds a job by its lease (`lease_token` until `lease_until`);
-- workers on several instances take different jobs (`FOR UPDATE SKIP LOCKED`).
CREATE TABLE bulk_changes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    requested_by uuid NOT NULL REFERENCES users (id),
    action text NOT NULL
        CHECK (action IN ('assign', 'unassign', 'mark_for_review', 'expire', 'note')),
    assignee uuid REFERENCES users (id),
    -- A note's text, kept only until the job ends (each session's note is its own row).
    note text CHECK (char_length(note) <= 4000),
    -- The queue's query string the change was asked from, for the way back.
    query text NOT NULL DEFAULT '' CHECK (char_length(query) <= 2000),
    filter jsonb,
    total integer CHECK (total >= 0),
    done integer NOT NULL DEFAULT 0 CHECK (done >= 0),
    changed integer NOT NULL DEFAULT 0,
    unchanged integer NOT NULL DEFAULT 0,
    refused integer NOT NULL DEFAULT 0,
    lease_token uuid,
    lease_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    cancelled_at timestamptz,
    cancelled_by uuid REFERENCES users (id),
    CONSTRAINT bulk_changes_assign_names_assignee CHECK ((action = 'assign') = (assignee IS NOT NULL)),
    CONSTRAINT bulk_changes_note_has_text CHECK (action <> 'note' OR note IS NOT NULL OR finished_at IS NOT NULL),
    CONSTRAINT bulk_changes_items_or_filter CHECK (filter IS NOT NULL OR total IS NOT NULL),
    CONSTRAINT bulk_changes_done_within_total CHECK (total IS NULL OR done <= total)
);

-- The workers look for unfinished jobs; the lists show a user's own, newest first.
CREATE INDEX bulk_changes_open_idx ON bulk_changes (created_at) WHERE finished_at IS NULL;
CREATE INDEX bulk_changes_requester_idx ON bulk_changes (requested_by, created_at DESC);
CREATE INDEX bulk_changes_created_idx ON bulk_changes (created_at DESC);

CREATE TABLE bulk_change_items (
    change_id uuid NOT NULL REFERENCES bulk_changes (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position >= 0),
    -- No foreign key: an id ticked on a stale page, or typed, that names no session is
    -- settled as refused ("no such session") like any other refusal.
    session_id uuid NOT NULL,
    outcome text CHECK (outcome IN ('changed', 'unchanged', 'refused')),
    -- Why a session was refused or left unchanged, in words (no personal data).
    reason text CHECK (char_length(reason) <= 500),
    PRIMARY KEY (change_id, position)
);

-- The result page lists refusals.
CREATE INDEX bulk_change_items_refused_idx ON bulk_change_items (change_id, position)
    WHERE outcome = 'refused';
