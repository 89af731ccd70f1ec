-- A claim: the assignee of a waiting case is reviewing it. `claimed_at` is the holder's last
-- sign of work on it (pulling it, opening it); a claim idle past CLAIM_IDLE_MINUTES may be
-- pulled by someone else.
ALTER TABLE sessions ADD COLUMN claimed_at timestamptz;
