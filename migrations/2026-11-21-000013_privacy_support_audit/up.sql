-- Data-rights requests, account flags, support tickets and the administrators' audit log.

ALTER TABLE users
    ADD COLUMN disabled_at     timestamptz,
    -- 'admin' (an administrator switched the account off) or 'erasure' (deletion confirmed).
    ADD COLUMN disabled_reason text,
    -- Art. 18 restriction and Art. 21 objection: the account's data stays out of analytics and
    -- marketing while set.
    ADD COLUMN restricted_at   timestamptz,
    ADD COLUMN objected_at     timestamptz,
    ADD CONSTRAINT users_disabled_reason_check
        CHECK (disabled_reason IS NULL OR disabled_reason IN ('admin', 'erasure'));

-- Kept for payment records whose person was erased: a keyed hash, not the account id.
ALTER TABLE orders ADD COLUMN customer_ref text;
ALTER TABLE subscriptions ADD COLUMN customer_ref text;

CREATE TABLE privacy_requests (
    id                  uuid PRIMARY KEY,
    -- NULL once the account is erased; subject_ref still ties the request to its (erased) person.
    user_id             uuid REFERENCES users (id) ON DELETE SET NULL,
    subject_ref         text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('export', 'erasure', 'restriction', 'objection')),
    status              text NOT NULL CHECK (status IN (
                            'awaiting_confirmation', 'pending', 'processing', 'scheduled',
                            'completed', 'canceled', 'failed', 'expired')),
    note                text,
    received_at         timestamptz NOT NULL,
    due_at              timestamptz NOT NULL,
    completed_at        timestamptz,
    confirm_token_hash  bytea,
    confirm_expires_at  timestamptz,
    purge_after         timestamptz,
    archive_key         text,
    archive_bytes       bigint,
    archive_expires_at  timestamptz,
    attempts            integer NOT NULL DEFAULT 0,
    claimed_until       timestamptz,
    error               text,
    updated_at          timestamptz NOT NULL
);

CREATE INDEX privacy_requests_user_idx ON privacy_requests (user_id, received_at DESC, id DESC);
CREATE INDEX privacy_requests_open_idx ON privacy_requests (due_at)
    WHERE status IN ('awaiting_confirmation', 'pending', 'processing', 'scheduled');
CREATE UNIQUE INDEX privacy_requests_one_open_idx ON privacy_requests (user_id, kind)
    WHERE status IN ('awaiting_confirmation', 'pending', 'processing', 'scheduled');

CREATE TABLE support_tickets (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number      text NOT NULL UNIQUE,
    subject     text NOT NULL,
    -- open: waiting for support; answered: waiting for the customer; closed.
    status      text NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
    task_id     uuid REFERENCES ai_tasks (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    closed_at   timestamptz
);

CREATE INDEX support_tickets_user_idx ON support_tickets (user_id, updated_at DESC, id DESC);
CREATE INDEX support_tickets_queue_idx ON support_tickets (status, updated_at);

CREATE TABLE support_messages (
    id         uuid PRIMARY KEY,
    ticket_id  uuid NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    author_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    from_staff boolean NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX support_messages_ticket_idx ON support_messages (ticket_id, created_at, id);

-- What administrators did. Rows can be added and read, never changed or removed, except that
-- erasing a person replaces their id with their pseudonym (the purge sets zimage.erasing).
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    actor_id    text NOT NULL,
    action      text NOT NULL,
    target_type text NOT NULL,
    target_id   text,
    detail      jsonb NOT NULL DEFAULT '{}',
    ip          text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);

CREATE FUNCTION audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    erasing  text := coalesce(current_setting('zimage.erasing', true), '');
    erased   text := split_part(erasing, '=', 1);
    stand_in text := split_part(erasing, '=', 2);
BEGIN
    IF TG_OP = 'UPDATE' AND erased <> '' AND stand_in <> ''
       AND NEW.id = OLD.id AND NEW.action = OLD.action AND NEW.detail = OLD.detail
       AND NEW.created_at = OLD.created_at AND NEW.target_type = OLD.target_type
       AND NEW.ip IS NOT DISTINCT FROM OLD.ip
       AND (NEW.actor_id = OLD.actor_id OR (OLD.actor_id = erased AND NEW.actor_id = stand_in))
       AND (NEW.target_id IS NOT DISTINCT FROM OLD.target_id
            OR (OLD.target_id = erased AND NEW.target_id = stand_in)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();
