-- The claim without sorting the whole queue. The first version ordered every ready job by its
-- user's running count and age on each claim, so a claim cost grew with the queue: with 2,000
-- queued it took 2.4 ms of database time, and claims run one at a time (the fair-share lock),
-- which capped claim-and-complete near 400 jobs/s whatever the workers did (pgbench, 4 clients,
-- 3,000 queued: 230–440/s before, 540–1,000/s after).
--
-- Same order, less work: a user's oldest ready job is the only one of theirs that can come first
-- (their running count is the same for all of them), so the claim looks at one job per waiting
-- user (found by skipping through an index, one probe per user) plus any job whose lease lapsed,
-- and orders those.
CREATE INDEX jobs_queued_user_idx ON jobs (user_id, run_at) WHERE status = 'queued';
CREATE INDEX jobs_running_user_idx ON jobs (user_id) WHERE status = 'running';

CREATE OR REPLACE FUNCTION claim_job(p_lock bigint, p_worker text, p_lease_secs bigint,
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
