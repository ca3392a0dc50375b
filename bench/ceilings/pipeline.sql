-- Ceiling for the pipeline: the least a queue worker can do per job — claim the oldest ready job
-- with SKIP LOCKED under a lease, then mark it done — on a copy of the jobs table (`bench_jobs`,
-- same columns and indexes) filled before the run.
UPDATE bench_jobs SET status = 'running', attempts = attempts + 1, locked_by = 'bench', lease_until = now() + interval '60 seconds', updated_at = now() WHERE id = (SELECT id FROM bench_jobs WHERE status = 'queued' AND run_at <= now() ORDER BY run_at FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id AS job \gset
UPDATE bench_jobs SET status = 'done', lease_until = NULL, locked_by = NULL, updated_at = now() WHERE id = :job;
