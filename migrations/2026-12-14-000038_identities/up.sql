-- Sign-in with an outside identity provider (OpenID Connect, GitHub). An account made that way
-- has no password until its owner sets one.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

-- The outside identities an account signs in with: one per provider and account, and a
-- provider's subject belongs to one account at most.
CREATE TABLE identities (
    id           uuid PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The operator's name for the provider (`google`, `github`, `corp`…).
    provider     text        NOT NULL,
    -- The provider's stable id for the person (`sub`; GitHub's numeric user id).
    subject      text        NOT NULL,
    -- What the provider said at the last sign-in, shown to the owner.
    email        text,
    username     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    UNIQUE (provider, subject),
    UNIQUE (user_id, provider)
);

-- A sign-in started at a provider, between the redirect there and the way back. `state` and
-- the browser's cookie are stored hashed; `nonce` and the PKCE verifier only matter with a code
-- the provider issues to this client, and the row lives ten minutes.
CREATE TABLE sso_flows (
    id            uuid PRIMARY KEY,
    state_hash    bytea       NOT NULL UNIQUE,
    browser_hash  bytea       NOT NULL,
    provider      text        NOT NULL,
    nonce         text        NOT NULL,
    pkce_verifier text        NOT NULL,
    -- Set when a signed-in user connects a provider to their account.
    user_id       uuid REFERENCES users (id) ON DELETE CASCADE,
    invitation    text,
    return_to     text,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sso_flows_expires ON sso_flows (expires_at);

-- What the way back left for a second step: a new account waiting for age and terms
-- (`signup`), or an existing account waiting for its owner to confirm from their mailbox
-- (`link`). Found by a token that went to the browser (`signup`) or the mailbox (`link`).
CREATE TABLE sso_pending (
    token_hash   bytea PRIMARY KEY,
    purpose      text        NOT NULL CHECK (purpose IN ('signup', 'link')),
    provider     text        NOT NULL,
    subject      text        NOT NULL,
    email        text        NOT NULL,
    username     text,
    display_name text,
    user_id      uuid REFERENCES users (id) ON DELETE CASCADE,
    invitation   text,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sso_pending_expires ON sso_pending (expires_at);
