-- OAuth 2.1 for third-party and mobile apps. A user registers apps; other users authorize
-- them (a grant: scopes and an optional monthly credit cap); apps trade codes for tokens.
-- Every secret (client secrets, codes, tokens, device codes) is stored as its SHA-256 hash.
CREATE TABLE oauth_apps (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    client_id text NOT NULL UNIQUE,
    -- Confidential apps authenticate with a secret; public ones (mobile, single-page, CLI) cannot
    -- keep one and rely on PKCE alone.
    client_type text NOT NULL CHECK (client_type IN ('public', 'confidential')),
    secret_hash bytea,
    redirect_uris text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((client_type = 'confidential') = (secret_hash IS NOT NULL))
);
CREATE INDEX oauth_apps_by_owner ON oauth_apps (user_id, created_at);

-- One user's authorization of one app: every scope the user has allowed it (each sign-in's
-- tokens act with what was allowed for that sign-in), and the cap of the latest consent.
-- Revoking ends every token issued under it.
CREATE TABLE oauth_grants (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes text[] NOT NULL,
    monthly_credit_limit bigint CHECK (monthly_credit_limit > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE UNIQUE INDEX oauth_grants_live ON oauth_grants (user_id, app_id) WHERE revoked_at IS NULL;
CREATE INDEX oauth_grants_by_app ON oauth_grants (app_id);

-- Authorization codes: single use, a minute long, bound to the redirect URI and the PKCE
-- challenge. `family` names the tokens the code was exchanged for, so presenting it again
-- ends them.
CREATE TABLE oauth_codes (
    hash bytea PRIMARY KEY,
    grant_id uuid NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    redirect_uri text NOT NULL,
    code_challenge text NOT NULL,
    scopes text[] NOT NULL,
    family uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX oauth_codes_by_grant ON oauth_codes (grant_id);

-- Access and refresh tokens. A family is one sign-in of the app (one code or device exchange)
-- and its refreshes, with the scopes allowed for that sign-in; a refresh token presented again
-- after its reuse grace ends the family.
CREATE TABLE oauth_tokens (
    hash bytea PRIMARY KEY,
    grant_id uuid NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    family uuid NOT NULL,
    scopes text[] NOT NULL,
    kind text NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    successor_sealed text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_tokens_by_grant ON oauth_tokens (grant_id);
CREATE INDEX oauth_tokens_by_family ON oauth_tokens (family);
CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at);

-- The device authorization grant (RFC 8628): a device shows `user_code`, the user approves it
-- in a signed-in browser, the device polls with `device_code`.
CREATE TABLE oauth_device_codes (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    device_hash bytea NOT NULL UNIQUE,
    user_code text NOT NULL UNIQUE,
    scopes text[] NOT NULL,
    expires_at timestamptz NOT NULL,
    interval_secs integer NOT NULL,
    last_polled_at timestamptz,
    grant_id uuid REFERENCES oauth_grants (id) ON DELETE CASCADE,
    denied_at timestamptz,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_device_codes_by_app ON oauth_device_codes (app_id);
CREATE INDEX oauth_device_codes_by_grant ON oauth_device_codes (grant_id);
CREATE INDEX oauth_device_codes_expiry ON oauth_device_codes (expires_at);

-- Which grant started a task, for the grant's credit cap and usage.
CREATE TABLE oauth_grant_tasks (
    task_id uuid PRIMARY KEY REFERENCES ai_tasks (id) ON DELETE CASCADE,
    grant_id uuid NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_grant_tasks_by_grant ON oauth_grant_tasks (grant_id, created_at);
