-- `GET /v1/identity/documents` pages every document newest first, like the verifications
-- list: an index range scan from the cursor rather than a sort of the whole table.
CREATE INDEX documents_created_idx ON documents (created_at DESC, id DESC);
