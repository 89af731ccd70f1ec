-- The name-key indexes lead with the status: a search within a status (the work queue's,
-- or a status chip's) reads only that status's matches. A surname shared by 9,261 sessions
-- of which 418 are waiting was read whole and filtered; now only the 418 are. A search over
-- every status reads one range per status.
DROP INDEX sessions_name_key_idx;
DROP INDEX sessions_surname_key_idx;

CREATE INDEX sessions_name_key_idx
    ON sessions (status, (sd_name_key(first_name, last_name)) COLLATE "C")
    INCLUDE (first_name, last_name, created_at, id);

CREATE INDEX sessions_surname_key_idx
    ON sessions (status, (sd_fold(last_name)) COLLATE "C")
    INCLUDE (last_name, created_at, id);
