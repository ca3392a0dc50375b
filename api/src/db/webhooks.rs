//! Queries on webhook endpoints and their deliveries (which double as the delivery queue).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::prepared::prepared;
use super::schema::{webhook_deliveries, webhook_endpoints};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints, check_for_backend(diesel::pg::Pg))]
pub struct EndpointRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<Option<String>>,
    pub secret: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct DeliveryRow {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub user_id: Uuid,
    pub message_id: String,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub events: Option<Vec<Option<String>>>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn insert_endpoint(conn: &mut AsyncPgConnection, row: &EndpointRow) -> QueryResult<()> {
    diesel::insert_into(webhook_endpoints::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn count_endpoints(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    webhook_endpoints::table
        .filter(webhook_endpoints::user_id.eq(user_id))
        .filter(webhook_endpoints::per_request.eq(false))
        .count()
        .get_result(conn)
        .await
}

pub async fn find_endpoint(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .find(id)
        .filter(webhook_endpoints::user_id.eq(user_id))
        .filter(webhook_endpoints::per_request.eq(false))
        .select(EndpointRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn list_endpoints(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<EndpointRow>> {
    let mut query = webhook_endpoints::table
        .filter(webhook_endpoints::user_id.eq(user_id))
        .filter(webhook_endpoints::per_request.eq(false))
        .select(EndpointRow::as_select())
        .order((
            webhook_endpoints::created_at.desc(),
            webhook_endpoints::id.desc(),
        ))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            webhook_endpoints::created_at
                .lt(after.created_at)
                .or(webhook_endpoints::created_at
                    .eq(after.created_at)
                    .and(webhook_endpoints::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

pub async fn update_endpoint(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    changes: &EndpointChanges,
) -> QueryResult<Option<EndpointRow>> {
    diesel::update(
        webhook_endpoints::table
            .find(id)
            .filter(webhook_endpoints::user_id.eq(user_id))
            .filter(webhook_endpoints::per_request.eq(false)),
    )
    .set(changes)
    .returning(EndpointRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn delete_endpoint(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        webhook_endpoints::table
            .find(id)
            .filter(webhook_endpoints::user_id.eq(user_id))
            .filter(webhook_endpoints::per_request.eq(false)),
    )
    .execute(conn)
    .await?;
    Ok(deleted == 1)
}

/// The user's endpoint for tasks that name `url` as their `webhook_url`: made on first use,
/// switched on again when a task names it after it was switched off (a new request is a new
/// wish), signed with the account's request secret (`sealed_secret` is sealed to the new row's
/// `id`, used only when it is made).
pub async fn per_request_endpoint(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    url: &str,
    id: Uuid,
    sealed_secret: &str,
    events: &[&str],
) -> QueryResult<Uuid> {
    diesel::sql_query(
        "INSERT INTO webhook_endpoints (id, user_id, url, description, events, secret, enabled, \
                                        created_at, updated_at, per_request) \
         VALUES ($1, $2, $3, NULL, $4, $5, true, now(), now(), true) \
         ON CONFLICT (user_id, url) WHERE per_request \
         DO UPDATE SET enabled = true, disabled_reason = NULL, updated_at = now() \
         RETURNING id",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(user_id)
    .bind::<Text, _>(url)
    .bind::<diesel::sql_types::Array<Text>, _>(events)
    .bind::<Text, _>(sealed_secret)
    .get_result::<EndpointId>(conn)
    .await
    .map(|row| row.id)
}

#[derive(QueryableByName)]
struct EndpointId {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The account's sealed request secret (signing per-request webhooks), if it has one.
pub async fn request_secret(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<String>> {
    use super::schema::users;
    users::table
        .find(user_id)
        .select(users::webhook_secret)
        .first::<Option<String>>(conn)
        .await
        .optional()
        .map(Option::flatten)
}

/// Gives the account a request secret unless it has one; returns the one it has.
pub async fn ensure_request_secret(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    sealed: &str,
) -> QueryResult<String> {
    use super::schema::users;
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::webhook_secret.is_null()),
    )
    .set(users::webhook_secret.eq(sealed))
    .execute(conn)
    .await?;
    users::table
        .find(user_id)
        .select(users::webhook_secret.assume_not_null())
        .first(conn)
        .await
}

/// The ids of the user's per-request endpoints (to seal a new request secret for each).
pub async fn per_request_ids(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Vec<Uuid>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::user_id.eq(user_id))
        .filter(webhook_endpoints::per_request.eq(true))
        .select(webhook_endpoints::id)
        .load(conn)
        .await
}

/// Replaces the account's sealed request secret.
pub async fn set_request_secret(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    sealed: &str,
) -> QueryResult<()> {
    use super::schema::users;
    diesel::update(users::table.find(user_id))
        .set(users::webhook_secret.eq(sealed))
        .execute(conn)
        .await
        .map(drop)
}

/// Replaces one endpoint's sealed signing secret.
pub async fn set_endpoint_secret(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    sealed: &str,
) -> QueryResult<()> {
    diesel::update(webhook_endpoints::table.find(id))
        .set(webhook_endpoints::secret.eq(sealed))
        .execute(conn)
        .await
        .map(drop)
}

/// Queues `payload` for every enabled registered endpoint of the user subscribed to `event` and,
/// with `task_endpoint`, the task's per-request endpoint, and wakes the senders at commit (the
/// SQL function `enqueue_webhook`, migrations 000019 and 000027); returns how many.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    event: &str,
    payload: &serde_json::Value,
    task_endpoint: Option<Uuid>,
) -> QueryResult<i32> {
    #[derive(QueryableByName)]
    struct Queued {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        queued: i32,
    }
    let row: Queued = prepared("SELECT enqueue_webhook($1, $2, $3, $4) AS queued")
        .bind::<diesel::sql_types::Uuid, _>(user_id)
        .bind::<diesel::sql_types::Text, _>(event)
        .bind::<diesel::sql_types::Jsonb, _>(payload)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>, _>(task_endpoint)
        .get_result(conn)
        .await?;
    Ok(row.queued)
}

pub async fn insert_delivery(conn: &mut AsyncPgConnection, row: &DeliveryRow) -> QueryResult<()> {
    diesel::insert_into(webhook_deliveries::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn list_deliveries(
    conn: &mut AsyncPgConnection,
    endpoint_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .select(DeliveryRow::as_select())
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            webhook_deliveries::created_at
                .lt(after.created_at)
                .or(webhook_deliveries::created_at
                    .eq(after.created_at)
                    .and(webhook_deliveries::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// Claims the next due delivery for `lease_secs` (its `next_attempt_at` moves past the lease,
/// so a sender that dies leaves it to be tried again).
pub async fn claim_delivery(
    conn: &mut AsyncPgConnection,
    lease_secs: i64,
) -> QueryResult<Option<DeliveryRow>> {
    // The oldest due delivery whose endpoint has nothing in flight; its endpoint is marked busy
    // for the lease (until the attempt is recorded), so other senders take other endpoints'.
    prepared(
        "WITH picked AS ( \
             SELECT d.id, d.endpoint_id FROM webhook_deliveries d \
             JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= now() \
               AND (e.sending_until IS NULL OR e.sending_until <= now()) \
             ORDER BY d.next_attempt_at FOR UPDATE OF d, e SKIP LOCKED LIMIT 1), \
         busy AS ( \
             UPDATE webhook_endpoints SET sending_until = now() + make_interval(secs => $1) \
             WHERE id = (SELECT endpoint_id FROM picked)) \
         UPDATE webhook_deliveries SET attempts = attempts + 1, \
                next_attempt_at = now() + make_interval(secs => $1), updated_at = now() \
         WHERE id = (SELECT id FROM picked) \
         RETURNING webhook_deliveries.*",
    )
    .bind::<BigInt, _>(lease_secs)
    .get_result(conn)
    .await
    .optional()
}

pub async fn endpoint_by_id(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records an attempt's outcome; the endpoint is free for its next delivery.
pub async fn finish_attempt(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: &str,
    next_in_secs: Option<i64>,
    http_status: Option<i32>,
    error: Option<&str>,
) -> QueryResult<()> {
    prepared(
        "WITH done AS ( \
             UPDATE webhook_deliveries SET status = $2, \
                    next_attempt_at = now() + make_interval(secs => COALESCE($3, 0)), \
                    last_status = $4, last_error = $5, \
                    delivered_at = CASE WHEN $2 = 'succeeded' THEN now() ELSE delivered_at END, \
                    updated_at = now() WHERE id = $1 RETURNING endpoint_id) \
         UPDATE webhook_endpoints SET sending_until = NULL \
         WHERE id = (SELECT endpoint_id FROM done)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(status)
    .bind::<diesel::sql_types::Nullable<BigInt>, _>(next_in_secs)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Integer>, _>(http_status)
    .bind::<diesel::sql_types::Nullable<Text>, _>(error)
    .execute(conn)
    .await
    .map(drop)
}

/// Gives up on every pending delivery of an endpoint (it was disabled).
pub async fn fail_pending(
    conn: &mut AsyncPgConnection,
    endpoint_id: Uuid,
    why: &str,
) -> QueryResult<()> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
            .filter(webhook_deliveries::status.eq("pending")),
    )
    .set((
        webhook_deliveries::status.eq("failed"),
        webhook_deliveries::last_error.eq(why),
        webhook_deliveries::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(drop)
}

/// Endpoints whose signing secret is stored in plain text (not yet sealed).
pub async fn plain_secrets(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(Uuid, String)>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::secret.not_like("sealed:%"))
        .select((webhook_endpoints::id, webhook_endpoints::secret))
        .load(conn)
        .await
}

/// Replaces a plain secret by its sealed form (unless it changed meanwhile).
pub async fn replace_secret(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    plain: &str,
    sealed: &str,
) -> QueryResult<usize> {
    diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::secret.eq(plain)),
    )
    .set(webhook_endpoints::secret.eq(sealed))
    .execute(conn)
    .await
}

/// Switches off every endpoint of the user, with the reason shown on each.
pub async fn disable_all(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    reason: &str,
) -> QueryResult<usize> {
    diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::user_id.eq(user_id))
            .filter(webhook_endpoints::enabled.eq(true)),
    )
    .set((
        webhook_endpoints::enabled.eq(false),
        webhook_endpoints::disabled_reason.eq(reason),
        webhook_endpoints::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
}
