-- The saved views each user sees are kept per instance beside the counts (every queue page
-- shows them): any change to them notifies every instance, as the other cached tables do
-- (2026-12-08-100000_change_notices).
CREATE TRIGGER saved_views_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON saved_views
    FOR EACH STATEMENT EXECUTE FUNCTION sd_notify_change();
