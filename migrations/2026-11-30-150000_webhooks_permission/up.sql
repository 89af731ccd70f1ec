-- API keys may hold `webhooks:manage`: the permission of `/v1/identity/webhook-endpoints`.

ALTER TABLE api_keys DROP CONSTRAINT api_keys_permissions_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_permissions_check CHECK (permissions <@ ARRAY[
    'accounts:read', 'accounts:write', 'sessions:read', 'sessions:write',
    'sessions:decide', 'sessions:redact', 'documents:write',
    'verifications:write', 'webhooks:manage']::text[]);
