-- Back to 000022: no provider on jobs; 000021's claim (repeated: a down step restores what the
-- up step replaced).
DROP FUNCTION claim_jobs(bigint, text, bigint, bigint, integer, text[], text[], bigint[]);
CREATE FUNCTION claim_jobs(p_lock bigint, p_worker text, p_lease_secs bigint, p_per_user bigint,
                           p_limit integer)
RETURNS TABLE (o_id uuid, o_task_id uuid, o_attempts integer, o_max_attempts integer)
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
        candidates AS (
            SELECT oldest.id, oldest.user_id, oldest.run_at
            FROM waiting w CROSS JOIN LATERAL (
                SELECT j.id, j.user_id, j.run_at FROM jobs j
                WHERE j.status = 'queued' AND j.user_id = w.user_id AND j.run_at <= now()
                ORDER BY j.run_at LIMIT p_limit
            ) oldest
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
DROP INDEX jobs_in_flight_provider_idx;
ALTER TABLE jobs DROP COLUMN provider;
