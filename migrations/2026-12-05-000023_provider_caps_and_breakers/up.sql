-- Jobs carry their task's provider, so a claim can keep each provider within its cap of tasks in
-- flight and pass over providers whose circuit breaker is open.
ALTER TABLE jobs ADD COLUMN provider text;
UPDATE jobs j SET provider = t.provider FROM ai_tasks t WHERE t.id = j.task_id;
UPDATE jobs SET provider = 'local' WHERE provider IS NULL;
ALTER TABLE jobs ALTER COLUMN provider SET NOT NULL;
CREATE INDEX jobs_in_flight_provider_idx ON jobs (provider) WHERE status IN ('running', 'waiting');

-- As in 000021, and also: jobs of the providers in p_skip are not claimed (their breaker is
-- open in the claiming process), and a provider named in p_cap_providers has at most the
-- matching p_cap_limits tasks in flight (running or waiting) across all processes; jobs over a
-- cap stay queued, in fair-share order, until tasks of that provider end.
--
-- The claim now also marks each claimed task running (unless someone holds its row: a cancel
-- in progress) and returns the task row itself. The caller used to join the task rows in the
-- statement around the call, whose snapshot is taken before the claim lock is granted: a job
-- inserted while the claim waited for the lock was claimed inside, yet its task was invisible
-- outside, so the job was claimed without its worker ever hearing of it (stuck until its lease
-- lapsed). Here each statement sees what committed before it.
DROP FUNCTION claim_jobs(bigint, text, bigint, bigint, integer);
CREATE FUNCTION claim_jobs(p_lock bigint, p_worker text, p_lease_secs bigint, p_per_user bigint,
                           p_limit integer, p_skip text[], p_cap_providers text[],
                           p_cap_limits bigint[])
RETURNS TABLE (o_id uuid, o_task_id uuid, o_attempts integer, o_max_attempts integer,
               o_started boolean, o_task ai_tasks)
LANGUAGE plpgsql ROWS 4
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
            WHERE (b.status = 'running' AND b.lease_until >= now()) OR b.status = 'waiting'
            GROUP BY b.user_id
        ),
        -- Only the capped providers are counted (no cap, no count).
        provider_busy AS (
            SELECT b.provider, count(*) AS in_flight FROM jobs b
            WHERE b.status IN ('running', 'waiting') AND b.provider = ANY (p_cap_providers)
              AND (b.status = 'waiting' OR b.lease_until >= now())
            GROUP BY b.provider
        ),
        candidates AS (
            SELECT oldest.id, oldest.user_id, oldest.provider, oldest.run_at
            FROM waiting w CROSS JOIN LATERAL (
                SELECT j.id, j.user_id, j.provider, j.run_at FROM jobs j
                WHERE j.status = 'queued' AND j.user_id = w.user_id AND j.run_at <= now()
                  AND j.provider <> ALL (p_skip)
                ORDER BY j.run_at LIMIT p_limit
            ) oldest
            WHERE w.user_id IS NOT NULL
            UNION ALL
            SELECT j.id, j.user_id, j.provider, j.run_at FROM jobs j
            WHERE j.status = 'running' AND j.lease_until < now() AND j.provider <> ALL (p_skip)
        ),
        ranked AS (
            SELECT c.id, c.provider, c.run_at,
                   COALESCE(busy.running, 0)
                     + row_number() OVER (PARTITION BY c.user_id ORDER BY c.run_at) - 1 AS load
            FROM candidates c LEFT JOIN busy ON busy.user_id = c.user_id
        ),
        fair AS (
            SELECT r.id, r.provider, r.load, r.run_at FROM ranked r WHERE r.load < p_per_user
        ),
        placed AS (
            SELECT f.id, f.load, f.run_at,
                   p_cap_limits[array_position(p_cap_providers, f.provider)] AS cap,
                   COALESCE(pb.in_flight, 0)
                     + row_number() OVER (PARTITION BY f.provider ORDER BY f.load, f.run_at) - 1
                     AS provider_load
            FROM fair f LEFT JOIN provider_busy pb ON pb.provider = f.provider
        )
        SELECT p.id FROM placed p WHERE p.cap IS NULL OR p.provider_load < p.cap
        ORDER BY p.load, p.run_at
    LOOP
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
        RETURNING jobs.id, jobs.task_id, jobs.attempts, jobs.max_attempts
        INTO o_id, o_task_id, o_attempts, o_max_attempts;
        CONTINUE WHEN NOT FOUND;
        UPDATE ai_tasks SET status = 'running', updated_at = clock_timestamp(),
                            started_at = COALESCE(ai_tasks.started_at, clock_timestamp())
        WHERE ai_tasks.id = (
            SELECT t.id FROM ai_tasks t
            WHERE t.id = o_task_id AND t.status IN ('queued', 'running')
            FOR UPDATE SKIP LOCKED
        )
        RETURNING * INTO o_task;
        o_started := FOUND;
        IF NOT o_started THEN
            SELECT * INTO o_task FROM ai_tasks WHERE ai_tasks.id = o_task_id;
            CONTINUE WHEN NOT FOUND;
        END IF;
        RETURN NEXT;
        taken := taken + 1;
        EXIT WHEN taken >= p_limit;
    END LOOP;
END
$$;
