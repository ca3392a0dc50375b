-- Recording a finished generation in one round trip. The worker used to run about sixteen
-- statements for it (lock the task, take the stored files off the unowned list, insert the
-- images, six for settling the hold, mark the task and its job done), each a round trip; the
-- pipeline's profile showed the time going to those round trips, not to the work in them.

-- Spends a hold (the task succeeded): the only implementation of settling; `credits::settle`
-- calls it too. Returns 'settled' when it did so now, 'already settled' when an earlier call
-- did, 'missing' when there is no such hold, or the hold's other status ('released').
CREATE FUNCTION settle_hold(p_hold uuid, p_reason text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    h credit_holds;
BEGIN
    SELECT * INTO h FROM credit_holds WHERE id = p_hold;
    IF NOT FOUND THEN
        RETURN 'missing';
    END IF;
    -- The account row is the lock every change of a balance takes first.
    INSERT INTO credit_accounts (user_id) VALUES (h.user_id) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM credit_accounts WHERE user_id = h.user_id FOR UPDATE;
    UPDATE credit_holds SET status = 'settled', resolved_at = now()
    WHERE id = p_hold AND status = 'held';
    IF NOT FOUND THEN
        SELECT * INTO h FROM credit_holds WHERE id = p_hold;
        RETURN CASE WHEN h.status = 'settled' THEN 'already settled' ELSE h.status END;
    END IF;
    INSERT INTO credit_ledger (id, user_id, kind, delta_available, delta_held, reason, reference,
                               hold_id, created_at)
    VALUES (gen_random_uuid(), h.user_id, 'settle', 0, -h.amount, p_reason,
            'task:' || h.task_id, h.id, now());
    UPDATE credit_accounts SET held = held - h.amount, updated_at = now()
    WHERE user_id = h.user_id;
    RETURN 'settled';
END
$$;

-- Records a task's stored images and settles its hold, marking the task succeeded and its job
-- done. The files named in p_keys must still be on the unowned list (the sweep deletes what
-- stays there too long); if any is gone, nothing is recorded and an error is raised. Returns
-- the credits charged, or NULL when the task is gone or already final (canceled meanwhile):
-- then nothing is recorded and the caller discards the files.
CREATE FUNCTION complete_generation(
    p_task uuid, p_user uuid, p_keys text[],
    p_ids uuid[], p_storage_keys text[], p_thumbnail_keys text[], p_widths integer[],
    p_heights integer[], p_formats text[], p_bytes bigint[], p_sha256 bytea[]
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    t ai_tasks;
    listed integer;
    settled text;
BEGIN
    SELECT * INTO t FROM ai_tasks WHERE id = p_task AND user_id = p_user FOR UPDATE;
    IF NOT FOUND OR t.status IN ('succeeded', 'failed', 'canceled') THEN
        RETURN NULL;
    END IF;
    DELETE FROM pending_objects WHERE storage_key = ANY (p_keys);
    GET DIAGNOSTICS listed = ROW_COUNT;
    IF listed <> cardinality(p_keys) THEN
        RAISE EXCEPTION 'stored images were swept before they could be recorded';
    END IF;
    INSERT INTO images (id, user_id, task_id, position, storage_key, thumbnail_key, width, height,
                        format, bytes, sha256, favorite, created_at)
    SELECT i.id, p_user, p_task, (i.n - 1)::integer, i.storage_key, i.thumbnail_key, i.width,
           i.height, i.format, i.bytes, i.sha256, false, now()
    FROM unnest(p_ids, p_storage_keys, p_thumbnail_keys, p_widths, p_heights, p_formats, p_bytes,
                p_sha256) WITH ORDINALITY
         AS i (id, storage_key, thumbnail_key, width, height, format, bytes, sha256, n);
    IF t.hold_id IS NOT NULL THEN
        settled := settle_hold(t.hold_id, 'spent on a generation task');
        IF settled NOT IN ('settled', 'already settled') THEN
            RAISE EXCEPTION 'the task''s credit hold is %', settled;
        END IF;
    END IF;
    UPDATE ai_tasks SET status = 'succeeded', charged = t.cost, progress = 1,
                        finished_at = now(), updated_at = now()
    WHERE id = p_task;
    UPDATE jobs SET status = 'done', lease_until = NULL, last_error = NULL, updated_at = now()
    WHERE task_id = p_task;
    RETURN t.cost;
END
$$;
