-- Invitations for installations whose sign-up is invite-only (`ZIMAGE_SIGNUP=invite`): links an
-- administrator makes, with an expiry, a number of uses and optionally the one address that may
-- use them.

CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    -- SHA-256 of the token in the link; the token itself is shown once, to its creator.
    token_hash  bytea       NOT NULL UNIQUE,
    -- Only this address may sign up with it (normalized), when set.
    email       text,
    note        text,
    max_uses    integer     NOT NULL CHECK (max_uses BETWEEN 1 AND 1000),
    uses        integer     NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX invitations_created ON invitations (created_at DESC, id DESC);
CREATE INDEX invitations_expires ON invitations (expires_at);
