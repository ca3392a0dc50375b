-- Changing an account's e-mail address: confirmed from the new address, then undoable from the
-- old one for 24 hours (a notice with a link goes there).

CREATE TABLE email_changes (
    id                uuid PRIMARY KEY,
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    old_email         text        NOT NULL,
    new_email         text        NOT NULL,
    -- SHA-256 of the link mailed to the new address; NULL once used.
    confirm_hash      bytea UNIQUE,
    confirm_expires_at timestamptz NOT NULL,
    confirmed_at      timestamptz,
    -- SHA-256 of the link mailed to the old address once confirmed; NULL once used.
    revert_hash       bytea UNIQUE,
    revert_expires_at timestamptz,
    reverted_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX email_changes_user ON email_changes (user_id, created_at DESC);
-- At most one change waits for confirmation per account.
CREATE UNIQUE INDEX email_changes_one_waiting ON email_changes (user_id) WHERE confirmed_at IS NULL;
-- Old addresses held for their owner while their undo link works.
CREATE INDEX email_changes_old_email ON email_changes (old_email) WHERE revert_hash IS NOT NULL;
