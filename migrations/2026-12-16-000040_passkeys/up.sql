-- Passkeys (WebAuthn credentials) an account signs in with. Only public data is stored: the
-- credential's id, its public key, signature counter and backup flags.
CREATE TABLE passkeys (
    id            uuid PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    -- The authenticator's id for the credential; one account at most may hold it.
    credential_id bytea       NOT NULL UNIQUE,
    -- webauthn-rs's `Passkey` as JSON: the public key, counter and flags it checks against.
    credential    jsonb       NOT NULL,
    backed_up     boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz
);

CREATE INDEX passkeys_user ON passkeys (user_id, created_at);

-- A WebAuthn ceremony between its options and the authenticator's answer: the challenge state,
-- taken once, within five minutes. `register` belongs to the account and session that asked;
-- `second_factor` to the password sign-in challenge it answers (stored hashed); `sign_in`
-- (a passkey alone) to nobody until the answer names its account.
CREATE TABLE passkey_ceremonies (
    id             uuid PRIMARY KEY,
    purpose        text        NOT NULL CHECK (purpose IN ('register', 'sign_in', 'second_factor')),
    user_id        uuid REFERENCES users (id) ON DELETE CASCADE,
    session_id     uuid,
    challenge_hash bytea,
    state          jsonb       NOT NULL,
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX passkey_ceremonies_expires ON passkey_ceremonies (expires_at);
