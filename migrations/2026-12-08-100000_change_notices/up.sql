-- Every instance keeps caches (the queue's counts, the signed-in users) that must not
-- outlive a write made anywhere: each commit that changes what they read sends a notice
-- on `sessiondesk_changes`, its payload the table's name. Statement-level, so a batch of a
-- thousand rows is one notice, and Postgres folds identical notices of one transaction
-- into one. Updates notify only when they set a column a cache depends on: a case page
-- view refreshing its holder's claim (`claimed_at`) or a delivery stamping its endpoint
-- must not empty every instance's caches.
CREATE FUNCTION sd_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sessiondesk_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

-- The counts: by status, assignee, account, creation time, waiting time (service levels)
-- and redaction.
CREATE TRIGGER sessions_notify_change
    AFTER INSERT OR DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION sd_notify_change();
CREATE TRIGGER sessions_notify_update
    AFTER UPDATE OF status, assigned_to, account_id, created_at, waiting_since, redacted_at
    ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION sd_notify_change();
-- The signed-in users and who may be given cases: any change.
CREATE TRIGGER users_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION sd_notify_change();
-- The admins' banner: endpoints the system disabled.
CREATE TRIGGER webhook_endpoints_notify_change
    AFTER INSERT OR DELETE OR TRUNCATE ON webhook_endpoints
    FOR EACH STATEMENT EXECUTE FUNCTION sd_notify_change();
CREATE TRIGGER webhook_endpoints_notify_update
    AFTER UPDATE OF disabled_reason ON webhook_endpoints
    FOR EACH STATEMENT EXECUTE FUNCTION sd_notify_change();
