-- The claim, cheaper (pg_stat_statements and pgbench, 1,000 queued jobs of one user: the claim
-- function took 0.78 ms a call, a plain SKIP LOCKED claim 0.20 ms). Two causes:
--
-- * PostgreSQL planned the candidate query again on every call. plpgsql keeps a generic plan
--   only when its estimate is not much worse than the custom plans it has made; for this query
--   (a LIMIT taken from an argument, a recursive CTE) the estimate always was, so every claim
--   paid about half a millisecond of planning, with the claim lock held. The function now uses
--   the generic plan, made once per connection (0.78 -> 0.43 ms a call).
-- * The recursive skip-scan over waiting users ends with a NULL row, and the per-user look-up
--   for that row found no index to use and read every ready job, matching none. Skipping it
--   leaves one index probe per waiting user (0.43 -> 0.29 ms a call).
--
-- Same order and the same per-user cap as 000019.
CREATE OR REPLACE FUNCTION claim_jobs(p_lock bigint, p_worker text, p_lease_secs bigint, p_per_user bigint,
                           p_limit integer)
RETURNS TABLE (o_id uuid, o_task_id uuid, o_attempts integer, o_max_attempts integer)
-- A batch is a few jobs (one per idle worker), not the default estimate of 1,000 rows, which
-- made the planner scan the whole task table to join the claimed jobs to their tasks.
LANGUAGE plpgsql ROWS 4
-- One plan, made once per connection: see above.
SET plan_cache_mode = force_generic_plan
AS $$
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
            -- The recursion ends on a NULL user, who has no jobs to look up.
            WHERE w.user_id IS NOT NULL
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

-- Announcements on `zimage_jobs` name their queue ('generation', 'webhook', 'privacy'), so a
-- worker process wakes only the runner that has work; queued webhooks say 'webhook'.
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
