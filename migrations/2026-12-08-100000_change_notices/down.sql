DROP TRIGGER webhook_endpoints_notify_update ON webhook_endpoints;
DROP TRIGGER webhook_endpoints_notify_change ON webhook_endpoints;
DROP TRIGGER users_notify_change ON users;
DROP TRIGGER sessions_notify_update ON sessions;
DROP TRIGGER sessions_notify_change ON sessions;
DROP FUNCTION sd_notify_change();
