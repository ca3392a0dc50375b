//! Queries on generation tasks, the job queue and images.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::built_once::BuildOnce;
use super::prepared::prepared;
use super::schema::{ai_tasks, images, jobs};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = ai_tasks, check_for_backend(diesel::pg::Pg))]
pub struct TaskRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub model: String,
    pub provider: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub aspect_ratio: Option<String>,
    pub width: i32,
    pub height: i32,
    pub quality: String,
    pub output_format: String,
    pub seed: Option<i64>,
    pub num_images: i32,
    pub status: String,
    pub provider_task_id: Option<String>,
    pub failure_reason: Option<String>,
    pub failure_message: Option<String>,
    pub progress: Option<f32>,
    pub cost: i64,
    pub charged: i64,
    pub refunded: i64,
    pub hold_id: Option<Uuid>,
    pub idempotency_key: Option<String>,
    pub request_hash: Option<Vec<u8>>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub reference_upload_id: Option<Uuid>,
    pub strength: Option<f32>,
    /// The per-request endpoint of the task's `webhook_url`, if it named one.
    pub webhook_endpoint_id: Option<Uuid>,
    /// The caller's `metadata`, echoed in the task and its webhook events.
    pub metadata: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = images, check_for_backend(diesel::pg::Pg))]
pub struct ImageRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub task_id: Option<Uuid>,
    pub position: i32,
    pub storage_key: String,
    pub thumbnail_key: String,
    pub width: i32,
    pub height: i32,
    pub format: String,
    pub bytes: i64,
    pub sha256: Vec<u8>,
    pub favorite: bool,
    pub created_at: DateTime<Utc>,
}

/// A claimed job and its task as of the claim.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedJob {
    #[diesel(sql_type = SqlUuid)]
    pub job_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub task_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Integer)]
    pub max_attempts: i32,
    /// The claim marked the task running (it could not when someone held the task's row).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub started: bool,
    /// The `traceparent` of the request that queued the job (when traces were exported).
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub traceparent: Option<String>,
    /// The job's provider as queued: its task's, or `routed` when a backend is chosen at sending.
    /// `None` when the claiming statement could not see the job's row (queued while the claim
    /// waited for its lock; see `claim_jobs`).
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub job_provider: Option<String>,
    #[diesel(embed)]
    pub task: TaskRow,
}

pub async fn insert_task(conn: &mut AsyncPgConnection, task: &TaskRow) -> QueryResult<()> {
    diesel::insert_into(ai_tasks::table)
        .values(task)
        .execute(conn)
        .await
        .map(drop)
}

/// Queues the task's job and announces it to idle workers (delivered at commit), in one statement.
/// The job's `created_at` is the moment it was queued, not the start of the submitting
/// transaction (the hold and the task row come first), so queue latency is measured from there.
pub async fn insert_job(
    conn: &mut AsyncPgConnection,
    task_id: Uuid,
    user_id: Uuid,
    provider: &str,
    max_attempts: i32,
    traceparent: Option<&str>,
) -> QueryResult<()> {
    prepared(
        "WITH job AS (INSERT INTO jobs (id, task_id, user_id, max_attempts, provider, traceparent, \
                                        created_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp()) RETURNING id) \
         SELECT pg_notify('zimage_jobs', 'generation') FROM job",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(task_id)
    .bind::<SqlUuid, _>(user_id)
    .bind::<Integer, _>(max_attempts)
    .bind::<Text, _>(provider)
    .bind::<diesel::sql_types::Nullable<Text>, _>(traceparent)
    .execute(conn)
    .await
    .map(drop)
}

/// The queues announced on the `zimage_jobs` channel; the payload names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Generation,
    Webhooks,
    Privacy,
}

impl Queue {
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Generation => "generation",
            // The payload `enqueue_webhook` (SQL) sends.
            Queue::Webhooks => "webhook",
            Queue::Privacy => "privacy",
        }
    }

    pub fn parse(payload: &str) -> Option<Self> {
        [Queue::Generation, Queue::Webhooks, Queue::Privacy]
            .into_iter()
            .find(|q| q.as_str() == payload)
    }
}

/// Wakes the idle runners of `queue` in every process listening on the queue channel (at
/// commit, when called in a transaction).
pub async fn notify_workers(conn: &mut AsyncPgConnection, queue: Queue) -> QueryResult<()> {
    prepared("SELECT pg_notify('zimage_jobs', $1)")
        .bind::<Text, _>(queue.as_str())
        .execute(conn)
        .await
        .map(drop)
}

pub async fn find_task(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<TaskRow>> {
    ai_tasks::table
        .find(id)
        .select(TaskRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The user's task, locked for the rest of the transaction.
pub async fn lock_task(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<TaskRow>> {
    ai_tasks::table
        .find(id)
        .filter(ai_tasks::user_id.eq(user_id))
        .select(TaskRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The task a provider knows by one of `provider_task_ids`.
pub async fn find_by_provider_id(
    conn: &mut AsyncPgConnection,
    provider: &str,
    provider_task_ids: &[String],
) -> QueryResult<Option<TaskRow>> {
    ai_tasks::table
        .filter(ai_tasks::provider.eq(provider))
        .filter(ai_tasks::provider_task_id.eq_any(provider_task_ids))
        .select(TaskRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_idempotency_key(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    key: &str,
) -> QueryResult<Option<TaskRow>> {
    ai_tasks::table
        .filter(ai_tasks::user_id.eq(user_id))
        .filter(ai_tasks::idempotency_key.eq(key))
        .select(TaskRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Changes to a task; `None` keeps a column.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = ai_tasks)]
pub struct TaskChanges {
    pub status: Option<String>,
    pub provider_task_id: Option<String>,
    pub failure_reason: Option<String>,
    pub failure_message: Option<String>,
    pub progress: Option<f32>,
    pub charged: Option<i64>,
    pub refunded: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn update_task(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &TaskChanges,
) -> QueryResult<()> {
    diesel::update(ai_tasks::table.find(id))
        .set(changes)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn list_tasks(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    status: Option<&str>,
    model: Option<&str>,
    page: PageRequest,
) -> QueryResult<Vec<TaskRow>> {
    let mut query = ai_tasks::table
        .filter(ai_tasks::user_id.eq(user_id))
        .select(TaskRow::as_select())
        .order((ai_tasks::created_at.desc(), ai_tasks::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(ai_tasks::status.eq(status.to_string()));
    }
    if let Some(model) = model {
        query = query.filter(ai_tasks::model.eq(model.to_string()));
    }
    if let Some(after) = page.after {
        query = query.filter(
            ai_tasks::created_at
                .lt(after.created_at)
                .or(ai_tasks::created_at
                    .eq(after.created_at)
                    .and(ai_tasks::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

pub async fn delete_task(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(ai_tasks::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}

/// Advisory lock key that serialises job claims across every worker and process.
pub const CLAIM_LOCK: i64 = 0x007a_696d_6763_6c6d; // "zimgclm"

/// Claims the next runnable job: queued and due, or running with a lapsed lease (dead worker).
///
/// Fair share: users with fewer running jobs go first, and a user already running
/// `per_user_running` jobs waits, so one user's long queue never starves everybody else. Claims
/// take a transaction-scoped advisory lock, so two workers claiming at once see each other's
/// claim and the cap holds exactly; claims are short, so this costs little.
/// Claims up to `limit` ready jobs (fair share between users: fewest running first, then oldest)
/// and marks their tasks running, in one statement that is its own transaction. Jobs of the
/// `providers.resting` are passed over, and each provider in `providers.caps` keeps at most its
/// cap of tasks in flight (migration 000023).
pub async fn claim_jobs(
    conn: &mut AsyncPgConnection,
    worker: &str,
    lease_secs: i64,
    per_user_running: i64,
    limit: usize,
    providers: &ProviderLimits<'_>,
) -> QueryResult<Vec<ClaimedJob>> {
    // The function takes the claim lock, claims, marks each task running as of this moment and
    // returns its row (migration 000023). A task row is only taken if no one holds it (a cancel
    // in progress locks the task before the job; waiting here could deadlock): the worker then
    // marks it running itself once it has submitted.
    prepared(
        "SELECT c.o_id AS job_id, c.o_task_id AS task_id, c.o_attempts AS attempts, \
                c.o_max_attempts AS max_attempts, c.o_started AS started, \
                (SELECT j.traceparent FROM jobs j WHERE j.id = c.o_id) AS traceparent, \
                (SELECT j.provider FROM jobs j WHERE j.id = c.o_id) AS job_provider, (c.o_task).* \
         FROM claim_jobs($1, $2, $3, $4, $5, $6, $7, $8) c",
    )
    .bind::<BigInt, _>(CLAIM_LOCK)
    .bind::<Text, _>(worker)
    .bind::<BigInt, _>(lease_secs)
    .bind::<BigInt, _>(per_user_running)
    .bind::<Integer, _>(i32::try_from(limit).unwrap_or(i32::MAX))
    .bind::<Array<Text>, _>(&providers.resting)
    .bind::<Array<Text>, _>(providers.capped)
    .bind::<Array<BigInt>, _>(providers.caps)
    .load::<ClaimedJob>(conn)
    .await
}

/// What a claim must respect per provider.
#[derive(Debug, Clone, Default)]
pub struct ProviderLimits<'a> {
    /// Providers whose circuit breaker is open in the claiming process.
    pub resting: Vec<String>,
    /// Providers with a cap on tasks in flight, and (in the same order) their caps.
    pub capped: &'a [String],
    pub caps: &'a [i64],
}

pub async fn finish_job(
    conn: &mut AsyncPgConnection,
    task_id: Uuid,
    status: &str,
    error: Option<&str>,
) -> QueryResult<()> {
    diesel::update(jobs::table.filter(jobs::task_id.eq(task_id)))
        .set((
            jobs::status.eq(status),
            jobs::lease_until.eq(None::<DateTime<Utc>>),
            jobs::last_error.eq(error),
            jobs::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Puts a job back in the queue after a transient failure.
pub async fn retry_job(
    conn: &mut AsyncPgConnection,
    job_id: Uuid,
    delay_secs: i64,
    error: &str,
) -> QueryResult<()> {
    prepared(
        "UPDATE jobs SET status = 'queued', run_at = now() + make_interval(secs => $2), \
                locked_by = NULL, lease_until = NULL, last_error = $3, updated_at = now() WHERE id = $1",
    )
    .bind::<SqlUuid, _>(job_id)
    .bind::<BigInt, _>(delay_secs)
    .bind::<Text, _>(error)
    .execute(conn)
    .await
    .map(drop)
}

#[derive(QueryableByName)]
struct Charged {
    #[diesel(sql_type = Nullable<BigInt>)]
    charged: Option<i64>,
}

/// Records a finished task's images (their files stored and listed under `keys` as unowned),
/// marks the task succeeded and its job done, queues its webhook `event` (a whole payload, see
/// `webhooks::enqueue`) and settles its hold, in one statement that is its own transaction unless
/// the caller opened one (migration 000019). Returns the credits charged, or `None` when the task
/// is gone or already final and nothing was recorded. Fails, recording nothing, when some of
/// `keys` were swept meanwhile.
pub async fn complete_generation(
    conn: &mut AsyncPgConnection,
    task_id: Uuid,
    user_id: Uuid,
    keys: &[String],
    images: &[ImageRow],
    event: Option<&serde_json::Value>,
) -> QueryResult<Option<i64>> {
    let row: Charged = prepared(
        "SELECT complete_generation($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) AS charged",
    )
    .bind::<SqlUuid, _>(task_id)
    .bind::<SqlUuid, _>(user_id)
    .bind::<Array<Text>, _>(keys)
    .bind::<Array<SqlUuid>, _>(images.iter().map(|i| i.id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(images.iter().map(|i| &i.storage_key).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(images.iter().map(|i| &i.thumbnail_key).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(images.iter().map(|i| i.width).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(images.iter().map(|i| i.height).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(images.iter().map(|i| &i.format).collect::<Vec<_>>())
    .bind::<Array<BigInt>, _>(images.iter().map(|i| i.bytes).collect::<Vec<_>>())
    .bind::<Array<Bytea>, _>(images.iter().map(|i| &i.sha256).collect::<Vec<_>>())
    .bind::<Nullable<diesel::sql_types::Jsonb>, _>(event)
    .get_result(conn)
    .await?;
    Ok(row.charged)
}

pub async fn images_of_tasks(
    conn: &mut AsyncPgConnection,
    task_ids: &[Uuid],
) -> QueryResult<Vec<ImageRow>> {
    images::table
        .filter(images::task_id.eq_any(task_ids))
        .order((images::task_id, images::position))
        .select(ImageRow::as_select())
        .load(conn)
        .await
}

/// The user's task and its images, asked for together: both queries go out before either
/// answer is read (pipelined on the one connection), so a read costs one round trip, not two.
pub async fn task_with_images(
    shared: &AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<(TaskRow, Vec<ImageRow>)>> {
    let task = ai_tasks::table
        .find(id)
        .filter(ai_tasks::user_id.eq(user_id))
        .select(TaskRow::as_select())
        .limit(1)
        .built_once()
        .get_result(&mut { shared });
    let images = images::table
        .filter(images::task_id.eq(id))
        .filter(images::user_id.eq(user_id))
        .order(images::position)
        .select(ImageRow::as_select())
        .built_once()
        .load(&mut { shared });
    let (task, images) = futures_util::future::join(task, images).await;
    match task.optional()? {
        Some(task) => Ok(Some((task, images?))),
        None => Ok(None),
    }
}

pub async fn image_owner(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    images::table
        .find(id)
        .select(images::user_id)
        .first(conn)
        .await
        .optional()
}

pub async fn find_image(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<ImageRow>> {
    images::table
        .find(id)
        .filter(images::user_id.eq(user_id))
        .select(ImageRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The user's images among `ids`, newest first (ids of others' images are left out).
pub async fn find_images(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<ImageRow>> {
    images::table
        .filter(images::id.eq_any(ids))
        .filter(images::user_id.eq(user_id))
        .order((images::created_at.desc(), images::id.desc()))
        .select(ImageRow::as_select())
        .load(conn)
        .await
}

/// Deletes the user's images among `ids`; the rows deleted.
pub async fn delete_images(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<ImageRow>> {
    diesel::delete(
        images::table
            .filter(images::id.eq_any(ids))
            .filter(images::user_id.eq(user_id)),
    )
    .returning(ImageRow::as_returning())
    .get_results(conn)
    .await
}

pub async fn delete_images_of_task(
    conn: &mut AsyncPgConnection,
    task_id: Uuid,
) -> QueryResult<Vec<ImageRow>> {
    diesel::delete(images::table.filter(images::task_id.eq(task_id)))
        .returning(ImageRow::as_returning())
        .get_results(conn)
        .await
}

/// The user's images with their task's model and prompt, newest first.
/// What the gallery shows: all of the user's images, or those matching every filter given.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImageFilter<'a> {
    pub favorite: Option<bool>,
    pub model: Option<&'a str>,
    /// Text the prompt contains (any case).
    pub text: Option<&'a str>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub collection: Option<Uuid>,
    pub shape: Option<zimage_shared::collections::ImageShape>,
    pub oldest_first: bool,
}

pub async fn list_images(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    filter: ImageFilter<'_>,
    page: PageRequest,
) -> QueryResult<Vec<(ImageRow, Option<String>, Option<String>)>> {
    use super::schema::collection_images;
    use zimage_shared::collections::ImageShape;
    let mut query = images::table
        .left_join(ai_tasks::table)
        .filter(images::user_id.eq(user_id))
        .select((
            ImageRow::as_select(),
            ai_tasks::model.nullable(),
            ai_tasks::prompt.nullable(),
        ))
        .limit(page.fetch())
        .into_boxed();
    query = if filter.oldest_first {
        query.order((images::created_at.asc(), images::id.asc()))
    } else {
        query.order((images::created_at.desc(), images::id.desc()))
    };
    if let Some(favorite) = filter.favorite {
        query = query.filter(images::favorite.eq(favorite));
    }
    if let Some(model) = filter.model {
        query = query.filter(ai_tasks::model.eq(model.to_string()));
    }
    if let Some(text) = filter.text {
        query = query.filter(ai_tasks::prompt.ilike(super::contains_pattern(text)));
    }
    if let Some(from) = filter.from {
        query = query.filter(images::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(images::created_at.lt(to));
    }
    if let Some(collection) = filter.collection {
        query = query.filter(
            images::id.eq_any(
                collection_images::table
                    .filter(collection_images::collection_id.eq(collection))
                    .select(collection_images::image_id),
            ),
        );
    }
    match filter.shape {
        Some(ImageShape::Landscape) => query = query.filter(images::width.gt(images::height)),
        Some(ImageShape::Portrait) => query = query.filter(images::width.lt(images::height)),
        Some(ImageShape::Square) => query = query.filter(images::width.eq(images::height)),
        None => {}
    }
    if let Some(after) = page.after {
        query = if filter.oldest_first {
            query.filter(
                images::created_at
                    .gt(after.created_at)
                    .or(images::created_at
                        .eq(after.created_at)
                        .and(images::id.gt(after.id))),
            )
        } else {
            query.filter(
                images::created_at
                    .lt(after.created_at)
                    .or(images::created_at
                        .eq(after.created_at)
                        .and(images::id.lt(after.id))),
            )
        };
    }
    query.load(conn).await
}

pub async fn image_with_task(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<(ImageRow, Option<String>, Option<String>)>> {
    images::table
        .left_join(ai_tasks::table)
        .filter(images::id.eq(id))
        .filter(images::user_id.eq(user_id))
        .select((
            ImageRow::as_select(),
            ai_tasks::model.nullable(),
            ai_tasks::prompt.nullable(),
        ))
        .first(conn)
        .await
        .optional()
}

/// Sets the favourite flag of the user's image; false when there is no such image.
pub async fn set_favorite(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    favorite: bool,
) -> QueryResult<bool> {
    let updated = diesel::update(images::table.find(id).filter(images::user_id.eq(user_id)))
        .set(images::favorite.eq(favorite))
        .execute(conn)
        .await?;
    Ok(updated == 1)
}

pub async fn delete_image(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<ImageRow>> {
    diesel::delete(images::table.find(id).filter(images::user_id.eq(user_id)))
        .returning(ImageRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Tasks of the user still queued or running.
pub async fn count_active(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    ai_tasks::table
        .filter(ai_tasks::user_id.eq(user_id))
        .filter(ai_tasks::status.eq_any(["queued", "running"]))
        .count()
        .get_result(conn)
        .await
}

/// Forgets idempotency keys older than `before`, so the same key may start a new task.
pub async fn expire_idempotency_keys(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        ai_tasks::table
            .filter(ai_tasks::idempotency_key.is_not_null())
            .filter(ai_tasks::created_at.lt(before)),
    )
    .set((
        ai_tasks::idempotency_key.eq(None::<String>),
        ai_tasks::request_hash.eq(None::<Vec<u8>>),
    ))
    .execute(conn)
    .await
}

pub async fn record_download(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    image_id: Uuid,
) -> QueryResult<()> {
    record_downloads(conn, user_id, &[image_id]).await
}

/// Records downloads of these images by the user, one row each, in one statement.
pub async fn record_downloads(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    image_ids: &[Uuid],
) -> QueryResult<()> {
    use super::schema::downloads;
    let rows: Vec<_> = image_ids
        .iter()
        .map(|image_id| {
            (
                downloads::id.eq(Uuid::new_v4()),
                downloads::user_id.eq(user_id),
                downloads::image_id.eq(*image_id),
            )
        })
        .collect();
    diesel::insert_into(downloads::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// The user's downloads, newest first: (id, image id, when).
pub async fn list_downloads(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<(Uuid, Option<Uuid>, DateTime<Utc>)>> {
    use super::schema::downloads;
    let mut query = downloads::table
        .filter(downloads::user_id.eq(user_id))
        .select((downloads::id, downloads::image_id, downloads::created_at))
        .order((downloads::created_at.desc(), downloads::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            downloads::created_at
                .lt(after.created_at)
                .or(downloads::created_at
                    .eq(after.created_at)
                    .and(downloads::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// Ids of the user's queued and running tasks.
pub async fn active_task_ids(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Vec<Uuid>> {
    ai_tasks::table
        .filter(ai_tasks::user_id.eq(user_id))
        .filter(ai_tasks::status.eq_any(["queued", "running"]))
        .select(ai_tasks::id)
        .load(conn)
        .await
}

#[cfg(test)]
mod filter_tests {
    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(crate::db::contains_pattern("cat"), "%cat%");
        assert_eq!(
            crate::db::contains_pattern("100%_a\\b"),
            "%100\\%\\_a\\\\b%"
        );
    }
}
