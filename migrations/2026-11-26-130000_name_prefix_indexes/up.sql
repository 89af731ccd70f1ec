-- A queue search that starts a name ("Arjun Iy", "Fernánd") is answered from two btree
-- indexes in byte order, which carry what the search needs to order its matches (an
-- index-only scan), instead of from the trigram index, whose cost grows with every session
-- sharing the name's trigrams and which must then read each match's row. They lead with the
-- status: a search within a status (the work queue's, or a status chip's) reads only that
-- status's matches; a search over every status reads one range per status.

-- The folded "first last" of a session; NULL when it has no name (or was redacted).
CREATE FUNCTION sd_name_key(first text, last text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nullif(sd_fold(btrim(coalesce(first, '') || ' ' || coalesce(last, ''))), '') $$;

CREATE INDEX sessions_name_key_idx
    ON sessions (status, (sd_name_key(first_name, last_name)) COLLATE "C")
    INCLUDE (first_name, last_name, created_at, id);

CREATE INDEX sessions_surname_key_idx
    ON sessions (status, (sd_fold(last_name)) COLLATE "C")
    INCLUDE (last_name, created_at, id);
