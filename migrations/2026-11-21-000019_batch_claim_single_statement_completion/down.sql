-- Back to 000018's one-job claim and 000017's completion (definitions repeated: a down step
-- must restore what the up step replaced).
DROP FUNCTION complete_generation(uuid, uuid, text[], uuid[], text[], text[], integer[],
                                  integer[], text[], bigint[], bytea[], jsonb);
DROP FUNCTION enqueue_webhook(uuid, text, jsonb);
DROP FUNCTION claim_jobs(bigint, text, bigint, bigint, integer);

CREATE FUNCTION claim_job(p_lock bigint, p_worker text, p_lease_secs bigint,
                                     p_per_user bigint)
RETURNS TABLE (o_id uuid, o_task_id uuid, o_attempts integer, o_max_attempts integer)
LANGUAGE plpgsql AS $$
DECLARE
    candidate uuid;
BEGIN
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
                ORDER BY j.run_at LIMIT 1
            ) oldest
            UNION ALL
            SELECT j.id, j.user_id, j.run_at FROM jobs j
            WHERE j.status = 'running' AND j.lease_until < now()
        )
        SELECT c.id FROM candidates c LEFT JOIN busy ON busy.user_id = c.user_id
        WHERE COALESCE(busy.running, 0) < p_per_user
        ORDER BY COALESCE(busy.running, 0), c.run_at
    LOOP
        -- Normally the first candidate; one someone holds (a cancel in progress) is skipped.
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
            RETURN;
        END IF;
    END LOOP;
END
$$;

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
