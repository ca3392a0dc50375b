-- Two-factor authentication: a TOTP authenticator per account, single-use recovery codes, the
-- sign-in challenges between the password and the second factor, and when each session last
-- proved a second factor (sensitive actions ask for a fresh one).

CREATE TABLE totp_authenticators (
    user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- The shared secret in base32, sealed (AES-256-GCM) for this row.
    secret       text        NOT NULL,
    -- NULL while being set up: the first correct code turns it on.
    confirmed_at timestamptz,
    -- The last 30-second step whose code was accepted: no code works twice.
    last_step    bigint      NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recovery_codes (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- HMAC-SHA-256 of the code under a key derived from the server secret.
    code_hash  bytea       NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sign_in_challenges (
    token_hash   bytea PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Wrong codes given for this challenge; it ends at the limit.
    failures     integer     NOT NULL DEFAULT 0,
    -- The sign-in asked to cancel the account's scheduled deletion: done once the second
    -- factor is proved, not on the password alone.
    keep_account boolean     NOT NULL DEFAULT false,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_challenges_user ON sign_in_challenges (user_id);
CREATE INDEX sign_in_challenges_expiry ON sign_in_challenges (expires_at);

ALTER TABLE sessions ADD COLUMN second_factor_at timestamptz;
