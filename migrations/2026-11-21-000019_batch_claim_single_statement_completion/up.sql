-- A worker process claims for all its idle workers at once, and a finished task is recorded in
-- one statement that is its own transaction.
--
-- Profile of the pipeline (pg_stat_statements, 1,000 tasks of one user): the claim took 1.8 ms
-- per job, a third of it waiting for the fair-share lock that every claim takes; recording a
-- finished task took 2.3 ms, of which about 1 ms was waiting for the user's credit account row,
-- which the settle locked early and held through two more round trips (the webhook look-up and
-- COMMIT) while the other workers' completions queued behind it.

-- Up to p_limit jobs in one call, in the fair-share order of claim_job (fewest running first,
-- then oldest): a user's n-th job in this batch counts as if the n - 1 before it were already
-- running, so a batch never takes a user past p_per_user nor ahead of a user with fewer.
CREATE FUNCTION claim_jobs(p_lock bigint, p_worker text, p_lease_secs bigint, p_per_user bigint,
                           p_limit integer)
RETURNS TABLE (o_id uuid, o_task_id uuid, o_attempts integer, o_max_attempts integer)
-- A batch is a few jobs (one per idle worker), not the default estimate of 1,000 rows, which
-- made the planner scan the whole task table to join the claimed jobs to their tasks.
LANGUAGE plpgsql ROWS 4 AS $$
DECLARE
    candidate uuid;
    taken integer := 0;
BEGIN
    IF p_limit < 1 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(p_lock);
    FOR candidate IN
        WITH RECURSIVE waiting (user_id) AS (
            (SELECT j.user_id FROM jobs j WHERE j.status = 'queued' ORDER BY j.user_id LIMIT 1)
            UNION ALL
            SELECT (SELECT j.user_id FROM jobs j
                    WHERE j.status = 'queued' AND j.user_id > w.user_id
                    ORDER BY j.user_id LIMIT 1)
            FROM waiting w WHERE w.user_id IS NOT NULL
        ),
        busy AS (
            SELECT b.user_id, count(*) AS running FROM jobs b
            WHERE b.status = 'running' AND b.lease_until >= now() GROUP BY b.user_id
        ),
        candidates AS (
            SELECT oldest.id, oldest.user_id, oldest.run_at
            FROM waiting w CROSS JOIN LATERAL (
                SELECT j.id, j.user_id, j.run_at FROM jobs j
                WHERE j.status = 'queued' AND j.user_id = w.user_id AND j.run_at <= now()
                ORDER BY j.run_at LIMIT p_limit
            ) oldest
            UNION ALL
            SELECT j.id, j.user_id, j.run_at FROM jobs j
            WHERE j.status = 'running' AND j.lease_until < now()
        ),
        ranked AS (
            SELECT c.id, c.run_at,
                   COALESCE(busy.running, 0)
                     + row_number() OVER (PARTITION BY c.user_id ORDER BY c.run_at) - 1 AS load
            FROM candidates c LEFT JOIN busy ON busy.user_id = c.user_id
        )
        SELECT r.id FROM ranked r WHERE r.load < p_per_user ORDER BY r.load, r.run_at
    LOOP
        -- One someone holds (a cancel in progress) is skipped.
        RETURN QUERY
        UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, locked_by = p_worker,
                        lease_until = now() + make_interval(secs => p_lease_secs),
                        updated_at = now()
        WHERE jobs.id = (
            SELECT j.id FROM jobs j
            WHERE j.id = candidate
              AND ((j.status = 'queued' AND j.run_at <= now())
                   OR (j.status = 'running' AND j.lease_until < now()))
            FOR UPDATE SKIP LOCKED
        )
        RETURNING jobs.id, jobs.task_id, jobs.attempts, jobs.max_attempts;
        IF FOUND THEN
            taken := taken + 1;
            EXIT WHEN taken >= p_limit;
        END IF;
    END LOOP;
END
$$;

DROP FUNCTION claim_job(bigint, text, bigint, bigint);

-- Queues a webhook event for every enabled endpoint of the user subscribed to it and wakes the
-- senders (at commit); returns how many deliveries were queued. The only implementation: the
-- application calls it, and so does complete_generation.
CREATE FUNCTION enqueue_webhook(p_user uuid, p_event text, p_payload jsonb) RETURNS integer
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
        PERFORM pg_notify('zimage_jobs', '');
    END IF;
    RETURN queued;
END
$$;

-- As in 000017, and also queues the task's webhook event (p_event, when not NULL), with the hold
-- settled last: the user's account row is then locked only for the end of the call and its
-- commit, not while the rest is written.
DROP FUNCTION complete_generation(uuid, uuid, text[], uuid[], text[], text[], integer[],
                                  integer[], text[], bigint[], bytea[]);
CREATE FUNCTION complete_generation(
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
