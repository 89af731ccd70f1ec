-- Each attempt keeps the start of its own answer (up to 4 KiB), so an outage's attempts can
-- be told apart on the admin page, not only the last one.
ALTER TABLE webhook_attempts ADD COLUMN response text;
