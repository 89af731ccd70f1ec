DROP INDEX documents_created_idx;
