DROP INDEX events_action_time_idx;
DROP TABLE api_key_reads;
