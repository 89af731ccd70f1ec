UPDATE api_keys SET permissions = array_remove(permissions, 'webhooks:manage');
ALTER TABLE api_keys DROP CONSTRAINT api_keys_permissions_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_permissions_check CHECK (permissions <@ ARRAY[
    'accounts:read', 'accounts:write', 'sessions:read', 'sessions:write',
    'sessions:decide', 'sessions:redact', 'documents:write',
    'verifications:write']::text[]);
