-- The queue shows each row's account by the integrator's id for it, read per instance by
-- account id (`app::external_ids`). An account's id changes when it is redacted or renamed:
-- those statements notify every instance, as the other cached tables do
-- (2026-12-08-100000_change_notices). A new account is not in any cache, so an insert says
-- nothing.
CREATE TRIGGER accounts_notify_update
    AFTER UPDATE OF external_id ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION sd_notify_change();
CREATE TRIGGER accounts_notify_change
    AFTER DELETE OR TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION sd_notify_change();
