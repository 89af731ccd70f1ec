DROP TABLE capture_links;
DROP TABLE resubmission_requests;
DELETE FROM events WHERE actor_type = 'applicant';
ALTER TABLE events DROP CONSTRAINT events_actor_type_check;
ALTER TABLE events ADD CONSTRAINT events_actor_type_check
    CHECK (actor_type IN ('user', 'api_key', 'system'));
