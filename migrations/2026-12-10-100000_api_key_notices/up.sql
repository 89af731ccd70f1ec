-- API keys are read per instance (each API request's key, and the names pages show): any
-- change to them (a key created, revoked, used) notifies every instance, as the other
-- cached tables do (2026-12-08-100000_change_notices).
CREATE TRIGGER api_keys_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION sd_notify_change();
