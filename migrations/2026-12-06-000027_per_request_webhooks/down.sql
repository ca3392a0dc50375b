-- The functions as in 000022, then the columns.
CREATE OR REPLACE FUNCTION enqueue_webhook(p_user uuid, p_event text, p_payload jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    queued integer;
BEGIN
    INSERT INTO webhook_deliveries (id, endpoint_id, user_id, message_id, event_type, payload,
                                    status, attempts, next_attempt_at, created_at, updated_at)
    SELECT gen_random_uuid(), e.id, e.user_id, 'msg_' || replace(gen_random_uuid()::text, '-', ''),
           p_event, p_payload, 'pending', 0, now(), now(), now()
    FROM webhook_endpoints e
    WHERE e.user_id = p_user AND e.enabled AND e.events @> ARRAY[p_event];
    GET DIAGNOSTICS queued = ROW_COUNT;
    IF queued > 0 THEN
        PERFORM pg_notify('zimage_jobs', 'webhook');
    END IF;
    RETURN queued;
END
$$;
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
    delivered integer := cardinality(p_ids);
    spent bigint;
BEGIN
    SELECT * INTO t FROM ai_tasks WHERE id = p_task AND user_id = p_user FOR UPDATE;
    IF NOT FOUND OR t.status IN ('succeeded', 'failed', 'canceled') THEN
        RETURN NULL;
    END IF;
    IF delivered < 1 THEN
        RAISE EXCEPTION 'a task cannot succeed without images';
    END IF;
    spent := CASE WHEN delivered >= t.num_images THEN t.cost
                  ELSE t.cost / t.num_images * delivered END;
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
    UPDATE ai_tasks SET status = 'succeeded', charged = spent, refunded = t.cost - spent,
                        progress = 1, finished_at = now(), updated_at = now()
    WHERE id = p_task;
    UPDATE jobs SET status = 'done', lease_until = NULL, last_error = NULL, updated_at = now()
    WHERE task_id = p_task;
    IF p_event IS NOT NULL THEN
        PERFORM enqueue_webhook(p_user, p_event ->> 'type', p_event);
    END IF;
    IF t.hold_id IS NOT NULL THEN
        settled := settle_hold_part(t.hold_id, spent, 'spent on a generation task',
                                    format('returned: %s of %s images delivered', delivered,
                                           t.num_images));
        IF settled NOT IN ('settled', 'already settled') THEN
            RAISE EXCEPTION 'the task''s credit hold is %', settled;
        END IF;
    END IF;
    RETURN spent;
END
$$;
DROP FUNCTION enqueue_webhook(uuid, text, jsonb, uuid);
DROP INDEX ai_tasks_webhook_endpoint;
ALTER TABLE ai_tasks DROP COLUMN metadata, DROP COLUMN webhook_endpoint_id;
ALTER TABLE users DROP COLUMN webhook_secret;
DROP INDEX webhook_endpoints_per_request_url;
DELETE FROM webhook_endpoints WHERE per_request;
ALTER TABLE webhook_endpoints DROP COLUMN per_request;
