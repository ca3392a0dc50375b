-- Back to the claim of migration 000016.
CREATE OR REPLACE FUNCTION claim_job(p_lock bigint, p_worker text, p_lease_secs bigint, p_per_user bigint)
RETURNS TABLE (o_id uuid, o_task_id uuid, o_attempts integer, o_max_attempts integer)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    RETURN QUERY
    WITH busy AS (
        SELECT b.user_id, count(*) AS running FROM jobs b
        WHERE b.status = 'running' AND b.lease_until >= now() GROUP BY b.user_id
    )
    UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, locked_by = p_worker,
                    lease_until = now() + make_interval(secs => p_lease_secs), updated_at = now()
    WHERE jobs.id = (
        SELECT j.id FROM jobs j LEFT JOIN busy ON busy.user_id = j.user_id
        WHERE ((j.status = 'queued' AND j.run_at <= now())
               OR (j.status = 'running' AND j.lease_until < now()))
          AND COALESCE(busy.running, 0) < p_per_user
        ORDER BY COALESCE(busy.running, 0), j.run_at
        FOR UPDATE OF j SKIP LOCKED LIMIT 1
    )
    RETURNING jobs.id, jobs.task_id, jobs.attempts, jobs.max_attempts;
END
$$;

DROP INDEX jobs_running_user_idx;
DROP INDEX jobs_queued_user_idx;
