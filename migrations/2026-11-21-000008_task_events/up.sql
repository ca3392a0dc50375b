-- Live status: every change of a task's status (and each 5 % of progress) becomes an event that
-- Server-Sent Event streams deliver, resumable with Last-Event-ID.
--
-- Events are read in (tx, id) order and only once no transaction that could still add an earlier
-- one is running (tx below the snapshot's xmin), so a stream never skips or repeats an event even
-- when transactions commit out of order.
CREATE TABLE task_events (
    id         bigserial PRIMARY KEY,
    tx         bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    task_id    uuid NOT NULL,
    status     text NOT NULL,
    progress   real,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX task_events_user_idx ON task_events (user_id, tx, id);
CREATE INDEX task_events_task_idx ON task_events (task_id, tx, id);
CREATE INDEX task_events_created_idx ON task_events (created_at);

CREATE FUNCTION zimage_task_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.status IS DISTINCT FROM OLD.status
       OR (NEW.progress IS DISTINCT FROM OLD.progress
           AND (OLD.progress IS NULL OR NEW.progress IS NULL
                OR abs(NEW.progress - OLD.progress) >= 0.05)) THEN
        INSERT INTO task_events (user_id, task_id, status, progress)
        VALUES (NEW.user_id, NEW.id, NEW.status, NEW.progress);
        -- Delivered at commit; wakes this user's streams on every replica.
        PERFORM pg_notify('zimage_task_events', NEW.user_id::text);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ai_tasks_events AFTER INSERT OR UPDATE ON ai_tasks
    FOR EACH ROW EXECUTE FUNCTION zimage_task_event();
