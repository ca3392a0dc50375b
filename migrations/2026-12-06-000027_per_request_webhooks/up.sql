-- Per-request webhooks (`webhook_url` on `POST /v1/generations`) and request metadata.
--
-- A task's `webhook_url` is kept as an endpoint of its own (`per_request`, one per user and URL),
-- so its deliveries are signed, retried, paced and logged like a registered endpoint's. Its
-- events go only to the tasks that named it. Their signing secret is the account's request
-- secret (`users.webhook_secret`, sealed to the user), the same for every such URL.
ALTER TABLE webhook_endpoints ADD COLUMN per_request boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX webhook_endpoints_per_request_url
    ON webhook_endpoints (user_id, url) WHERE per_request;
ALTER TABLE users ADD COLUMN webhook_secret text;
ALTER TABLE ai_tasks
    ADD COLUMN webhook_endpoint_id uuid REFERENCES webhook_endpoints (id) ON DELETE SET NULL,
    ADD COLUMN metadata jsonb;
CREATE INDEX ai_tasks_webhook_endpoint ON ai_tasks (webhook_endpoint_id)
    WHERE webhook_endpoint_id IS NOT NULL;

-- Queues an event for the user's registered endpoints subscribed to it and, when given, the
-- task's own per-request endpoint.
CREATE FUNCTION enqueue_webhook(p_user uuid, p_event text, p_payload jsonb, p_endpoint uuid)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    queued integer;
BEGIN
    INSERT INTO webhook_deliveries (id, endpoint_id, user_id, message_id, event_type, payload,
                                    status, attempts, next_attempt_at, created_at, updated_at)
    SELECT gen_random_uuid(), e.id, e.user_id, 'msg_' || replace(gen_random_uuid()::text, '-', ''),
           p_event, p_payload, 'pending', 0, now(), now(), now()
    FROM webhook_endpoints e
    WHERE e.user_id = p_user AND e.enabled AND e.events @> ARRAY[p_event]
      AND (NOT e.per_request OR e.id = p_endpoint);
    GET DIAGNOSTICS queued = ROW_COUNT;
    IF queued > 0 THEN
        PERFORM pg_notify('zimage_jobs', 'webhook');
    END IF;
    RETURN queued;
END
$$;

-- Events not about one task (`credits.low`) go to registered endpoints only.
CREATE OR REPLACE FUNCTION enqueue_webhook(p_user uuid, p_event text, p_payload jsonb) RETURNS integer
LANGUAGE sql AS $$
    SELECT enqueue_webhook(p_user, p_event, p_payload, NULL::uuid)
$$;

-- As in 000022, with the task's per-request endpoint among the receivers.
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
        PERFORM enqueue_webhook(p_user, p_event ->> 'type', p_event, t.webhook_endpoint_id);
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
