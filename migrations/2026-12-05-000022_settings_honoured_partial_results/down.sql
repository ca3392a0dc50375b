-- Back to 000021: every task records a seed again, and a hold is settled whole.
UPDATE ai_tasks SET seed = 0 WHERE seed IS NULL;
ALTER TABLE ai_tasks ALTER COLUMN seed SET NOT NULL;

-- 000019's completion (repeated: a down step restores what the up step replaced).
CREATE OR REPLACE FUNCTION complete_generation(
    p_task uuid, p_user uuid, p_keys text[],
    p_ids uuid[], p_storage_keys text[], p_thumbnail_keys text[], p_widths integer[],
    p_heights integer[], p_formats text[], p_bytes bigint[], p_sha256 bytea[], p_event jsonb
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
    UPDATE ai_tasks SET status = 'succeeded', charged = t.cost, progress = 1,
                        finished_at = now(), updated_at = now()
    WHERE id = p_task;
    UPDATE jobs SET status = 'done', lease_until = NULL, last_error = NULL, updated_at = now()
    WHERE task_id = p_task;
    IF p_event IS NOT NULL THEN
        PERFORM enqueue_webhook(p_user, p_event ->> 'type', p_event);
    END IF;
    IF t.hold_id IS NOT NULL THEN
        settled := settle_hold(t.hold_id, 'spent on a generation task');
        IF settled NOT IN ('settled', 'already settled') THEN
            RAISE EXCEPTION 'the task''s credit hold is %', settled;
        END IF;
    END IF;
    RETURN t.cost;
END
$$;
DROP FUNCTION settle_hold_part(uuid, bigint, text, text);
