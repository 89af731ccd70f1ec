DROP INDEX sessions_name_key_idx;
DROP INDEX sessions_surname_key_idx;

CREATE INDEX sessions_name_key_idx
    ON sessions ((sd_name_key(first_name, last_name)) COLLATE "C")
    INCLUDE (first_name, last_name, status, created_at, id);

CREATE INDEX sessions_surname_key_idx
    ON sessions ((sd_fold(last_name)) COLLATE "C")
    INCLUDE (last_name, status, created_at, id);
