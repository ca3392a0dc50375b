//! The broker's statements for tasks waiting on providers: recording a submission, the process
//! heartbeat and take-overs, the claim of a finished task, and the batched writes of a round of
//! checks. Claiming queued jobs and recording a finished task stay in `generation`.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Float4, Integer, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::generation::{ClaimedJob, TaskRow};
use super::prepared::prepared;

/// Which claim of which job: enough to put it back in the queue.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    pub job_id: Uuid,
    pub task_id: Uuid,
    pub attempts: i32,
    pub max_attempts: i32,
}

impl From<&ClaimedJob> for Attempt {
    fn from(job: &ClaimedJob) -> Self {
        Self {
            job_id: job.job_id,
            task_id: job.task_id,
            attempts: job.attempts,
            max_attempts: job.max_attempts,
        }
    }
}

/// Records what a leased job submitted: the backend that accepted it (`provider`, on the task and
/// the job) and its id there on the task (marked running if the claim could not), and the job
/// waiting, owned by `worker` with no lease; `keys` (a finish plan, may be empty) are listed as
/// unowned until `delete_after` in the same statement. False when the job is no longer this
/// worker's or the task ended meanwhile (canceled, deleted): nothing is written.
///
/// Like every statement that writes both, it locks the task before the job, as a cancel does;
/// the other order deadlocks with a cancel arriving at the same moment.
pub async fn to_waiting(
    conn: &mut AsyncPgConnection,
    job: Attempt,
    worker: &str,
    provider: &str,
    provider_task_id: &str,
    keys: &[String],
    delete_after: DateTime<Utc>,
) -> diesel::QueryResult<bool> {
    let updated = prepared(
        "WITH task_lock AS (SELECT id FROM ai_tasks WHERE id = $5 FOR NO KEY UPDATE), \
              mine AS (SELECT j.id FROM jobs j \
                       WHERE j.id = $1 AND j.locked_by = $2 AND j.attempts = $3 \
                         AND j.status = 'running' AND EXISTS (SELECT 1 FROM task_lock) FOR UPDATE), \
              task AS (UPDATE ai_tasks SET provider_task_id = $4, provider = $8, status = 'running', \
                              started_at = COALESCE(started_at, now()), updated_at = now() \
                       WHERE id = $5 AND status IN ('queued', 'running') \
                         AND EXISTS (SELECT 1 FROM mine) RETURNING id), \
              listed AS (INSERT INTO pending_objects (storage_key, task_id, delete_after) \
                         SELECT k, $5, $7 FROM unnest($6::text[]) AS k \
                         WHERE EXISTS (SELECT 1 FROM task) \
                         ON CONFLICT (storage_key) DO UPDATE SET delete_after = EXCLUDED.delete_after) \
         UPDATE jobs SET status = 'waiting', provider = $8, lease_until = NULL, updated_at = now() \
         WHERE id IN (SELECT id FROM mine) AND EXISTS (SELECT 1 FROM task)",
    )
    .bind::<SqlUuid, _>(job.job_id)
    .bind::<Text, _>(worker)
    .bind::<Integer, _>(job.attempts)
    .bind::<Text, _>(provider_task_id)
    .bind::<SqlUuid, _>(job.task_id)
    .bind::<Array<Text>, _>(keys)
    .bind::<Timestamptz, _>(delete_after)
    .bind::<Text, _>(provider)
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Puts a claimed job back in the queue for `delay_ms`, its attempt not counted, and its task
/// back to queued (its deadline then counts from when it really starts): its provider's circuit
/// breaker is open. Nothing happens when the job is no longer this worker's.
pub async fn postpone(
    conn: &mut AsyncPgConnection,
    job: Attempt,
    worker: &str,
    delay_ms: i64,
    reason: &str,
) -> diesel::QueryResult<()> {
    prepared(
        "WITH task_lock AS (SELECT id FROM ai_tasks WHERE id = $6 FOR NO KEY UPDATE), \
              j AS (UPDATE jobs SET status = 'queued', locked_by = NULL, lease_until = NULL, \
                           run_at = now() + make_interval(secs => $4::double precision / 1000), \
                           attempts = GREATEST(attempts - 1, 0), last_error = $5, \
                           updated_at = now() \
                    WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND status = 'running' \
                      AND EXISTS (SELECT 1 FROM task_lock) \
                    RETURNING task_id) \
         UPDATE ai_tasks SET status = 'queued', started_at = NULL, updated_at = now() \
         WHERE id IN (SELECT task_id FROM j) AND status = 'running' AND provider_task_id IS NULL",
    )
    .bind::<SqlUuid, _>(job.job_id)
    .bind::<Text, _>(worker)
    .bind::<Integer, _>(job.attempts)
    .bind::<BigInt, _>(delay_ms)
    .bind::<Text, _>(reason)
    .bind::<SqlUuid, _>(job.task_id)
    .execute(conn)
    .await
    .map(drop)
}

/// Says `worker` (a process) is alive. One row per process, however many tasks it waits on.
pub async fn heartbeat(conn: &mut AsyncPgConnection, worker: &str) -> diesel::QueryResult<()> {
    prepared(
        "INSERT INTO worker_processes (id) VALUES ($1) \
         ON CONFLICT (id) DO UPDATE SET seen_at = now()",
    )
    .bind::<Text, _>(worker)
    .execute(conn)
    .await
    .map(drop)
}

/// Forgets processes not seen for a day (their jobs were taken over long ago).
pub async fn forget_old_processes(conn: &mut AsyncPgConnection) -> diesel::QueryResult<usize> {
    prepared("DELETE FROM worker_processes WHERE seen_at < now() - interval '1 day'")
        .execute(conn)
        .await
}

/// A waiting job taken over from a process that stopped saying it is alive.
#[derive(Debug, Clone, QueryableByName)]
pub struct TakenOver {
    #[diesel(sql_type = SqlUuid)]
    pub job_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// `waiting`: now this process's to check; `queued`: its provider's ids die with their
    /// process, so the task is submitted again.
    #[diesel(sql_type = Text)]
    pub job_status: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub traceparent: Option<String>,
    #[diesel(embed)]
    pub task: TaskRow,
}

/// Takes up to `limit` waiting jobs whose owner has not been seen for `lease_secs` (or that no
/// one owns). Jobs of `local_providers` (ids that live in one process) go back to the queue;
/// those of `routed_models` then wait for any of their backends again.
pub async fn take_over(
    conn: &mut AsyncPgConnection,
    worker: &str,
    lease_secs: i64,
    limit: usize,
    local_providers: &[&str],
    routed_models: &[&str],
) -> diesel::QueryResult<Vec<TakenOver>> {
    prepared(
        "WITH orphans AS ( \
             SELECT j.id FROM jobs j \
             WHERE j.status = 'waiting' AND j.locked_by IS DISTINCT FROM $1 \
               AND NOT EXISTS (SELECT 1 FROM worker_processes p WHERE p.id = j.locked_by \
                               AND p.seen_at > now() - make_interval(secs => $2)) \
             ORDER BY j.updated_at LIMIT $3 FOR UPDATE OF j SKIP LOCKED), \
         taken AS ( \
             UPDATE jobs j SET \
                 status = CASE WHEN t.provider = ANY($4) THEN 'queued' ELSE 'waiting' END, \
                 locked_by = CASE WHEN t.provider = ANY($4) THEN NULL ELSE $1 END, \
                 provider = CASE WHEN t.provider = ANY($4) AND t.model = ANY($5) \
                                 THEN 'routed' ELSE j.provider END, \
                 run_at = now(), updated_at = now() \
             FROM orphans o, ai_tasks t WHERE j.id = o.id AND t.id = j.task_id \
             RETURNING j.id AS job_id, j.attempts, j.status AS job_status, j.traceparent, t.id) \
         SELECT taken.job_id, taken.attempts, taken.job_status, taken.traceparent, t.* \
         FROM taken JOIN ai_tasks t ON t.id = taken.id",
    )
    .bind::<Text, _>(worker)
    .bind::<BigInt, _>(lease_secs)
    .bind::<Integer, _>(i32::try_from(limit).unwrap_or(i32::MAX))
    .bind::<Array<Text>, _>(local_providers)
    .bind::<Array<Text>, _>(routed_models)
    .load(conn)
    .await
}

/// The lease on a finished task's job, taken from `waiting` by whoever saw it finish first (the
/// owner's check or a provider's webhook on any replica): only the winner fetches and stores
/// the result. `None` when someone else has it or the job ended.
#[derive(Debug, Clone, QueryableByName)]
pub struct Finishing {
    #[diesel(sql_type = SqlUuid)]
    pub job_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Integer)]
    pub max_attempts: i32,
    #[diesel(embed)]
    pub task: TaskRow,
}

/// `keys` (the winner's finish plan) are listed as unowned until `delete_after` in the same
/// statement, when the claim is won.
pub async fn claim_finishing(
    conn: &mut AsyncPgConnection,
    task_id: Uuid,
    worker: &str,
    lease_secs: i64,
    keys: &[String],
    delete_after: DateTime<Utc>,
) -> diesel::QueryResult<Option<Finishing>> {
    let mut rows: Vec<Finishing> = prepared(
        "WITH task_lock AS (SELECT id FROM ai_tasks WHERE id = $1 FOR NO KEY UPDATE), \
              j AS (UPDATE jobs SET status = 'running', locked_by = $2, \
                           lease_until = now() + make_interval(secs => $3), updated_at = now() \
                    WHERE task_id = $1 AND status = 'waiting' AND EXISTS (SELECT 1 FROM task_lock) \
                    RETURNING id, attempts, max_attempts), \
              listed AS (INSERT INTO pending_objects (storage_key, task_id, delete_after) \
                         SELECT k, $1, $5 FROM unnest($4::text[]) AS k \
                         WHERE EXISTS (SELECT 1 FROM j) \
                         ON CONFLICT (storage_key) DO UPDATE SET delete_after = EXCLUDED.delete_after) \
         SELECT j.id AS job_id, j.attempts, j.max_attempts, t.* \
         FROM j JOIN ai_tasks t ON t.id = $1",
    )
    .bind::<SqlUuid, _>(task_id)
    .bind::<Text, _>(worker)
    .bind::<BigInt, _>(lease_secs)
    .bind::<Array<Text>, _>(keys)
    .bind::<Timestamptz, _>(delete_after)
    .load(conn)
    .await?;
    Ok(rows.pop())
}

/// Puts a job whose finish could not be completed (a result fetch or storage failed for now)
/// back to waiting, owned by `worker`, which checks it again later.
pub async fn back_to_waiting(
    conn: &mut AsyncPgConnection,
    job_id: Uuid,
    worker: &str,
    error: &str,
) -> diesel::QueryResult<bool> {
    let updated = prepared(
        "UPDATE jobs SET status = 'waiting', locked_by = $2, lease_until = NULL, \
                last_error = $3, updated_at = now() \
         WHERE id = $1 AND status = 'running'",
    )
    .bind::<SqlUuid, _>(job_id)
    .bind::<Text, _>(worker)
    .bind::<Text, _>(error)
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

#[derive(QueryableByName)]
struct Lost {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The writes of one round of checks, in one statement: the progress that changed enough to
/// tell (`tasks`, `progress`), and which of `checked` jobs are no longer this worker's to wait
/// on (ended, canceled, taken over), returned so the worker drops them.
pub async fn record_round(
    conn: &mut AsyncPgConnection,
    worker: &str,
    checked: &[Uuid],
    tasks: &[Uuid],
    progress: &[f32],
) -> diesel::QueryResult<Vec<Uuid>> {
    let lost: Vec<Lost> = prepared(
        "WITH p AS (SELECT * FROM unnest($3::uuid[], $4::real[]) AS p (task_id, progress)), \
              written AS (UPDATE ai_tasks t SET progress = p.progress, updated_at = now() \
                          FROM p WHERE t.id = p.task_id AND t.status = 'running' RETURNING t.id) \
         SELECT j.id FROM jobs j WHERE j.id = ANY($2) \
           AND (j.status <> 'waiting' OR j.locked_by IS DISTINCT FROM $1)",
    )
    .bind::<Text, _>(worker)
    .bind::<Array<SqlUuid>, _>(checked)
    .bind::<Array<SqlUuid>, _>(tasks)
    .bind::<Array<Float4>, _>(progress)
    .load(conn)
    .await?;
    Ok(lost.into_iter().map(|l| l.id).collect())
}

/// Hands a stopping process's waiting jobs to others at once: those of `durable` providers stay
/// waiting with no owner (any process takes them over); the others go back to the queue, not
/// counted as an attempt (those in `rerouted` waiting for any of their model's backends), and
/// their process forgets its heartbeat.
pub async fn hand_back(
    conn: &mut AsyncPgConnection,
    worker: &str,
    durable: &[Uuid],
    resubmit: &[Uuid],
    rerouted: &[Uuid],
) -> diesel::QueryResult<()> {
    prepared(
        "WITH keep AS (UPDATE jobs SET locked_by = NULL, updated_at = now() \
                       WHERE id = ANY($2) AND status = 'waiting' AND locked_by = $1), \
              again AS (UPDATE jobs SET status = 'queued', locked_by = NULL, run_at = now(), \
                               attempts = GREATEST(attempts - 1, 0), updated_at = now(), \
                               provider = CASE WHEN id = ANY($4) THEN 'routed' \
                                               ELSE provider END \
                        WHERE id = ANY($3) AND status = 'waiting' AND locked_by = $1) \
         DELETE FROM worker_processes WHERE id = $1",
    )
    .bind::<Text, _>(worker)
    .bind::<Array<SqlUuid>, _>(durable)
    .bind::<Array<SqlUuid>, _>(resubmit)
    .bind::<Array<SqlUuid>, _>(rerouted)
    .execute(conn)
    .await
    .map(drop)
}
