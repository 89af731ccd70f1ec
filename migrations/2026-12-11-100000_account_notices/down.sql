DROP TRIGGER IF EXISTS accounts_notify_change ON accounts;
DROP TRIGGER IF EXISTS accounts_notify_update ON accounts;
