//! Queries on data-rights requests and the account flags they set.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::prepared::prepared;
use super::schema::{privacy_requests, users};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = privacy_requests, check_for_backend(diesel::pg::Pg))]
pub struct PrivacyRequestRow {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub subject_ref: String,
    pub kind: String,
    pub status: String,
    pub note: Option<String>,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub confirm_token_hash: Option<Vec<u8>>,
    pub confirm_expires_at: Option<DateTime<Utc>>,
    pub purge_after: Option<DateTime<Utc>>,
    pub archive_key: Option<String>,
    pub archive_bytes: Option<i64>,
    pub archive_expires_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub claimed_until: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &PrivacyRequestRow) -> QueryResult<()> {
    diesel::insert_into(privacy_requests::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn list_for_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<PrivacyRequestRow>> {
    let mut query = privacy_requests::table
        .filter(privacy_requests::user_id.eq(user_id))
        .select(PrivacyRequestRow::as_select())
        .order((
            privacy_requests::received_at.desc(),
            privacy_requests::id.desc(),
        ))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            privacy_requests::received_at
                .lt(after.created_at)
                .or(privacy_requests::received_at
                    .eq(after.created_at)
                    .and(privacy_requests::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<PrivacyRequestRow>> {
    privacy_requests::table
        .find(id)
        .select(PrivacyRequestRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks the request for the rest of the transaction.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<PrivacyRequestRow>> {
    privacy_requests::table
        .find(id)
        .select(PrivacyRequestRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// How many requests of `kind` the user made since `since`.
pub async fn count_since(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    kind: &str,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    privacy_requests::table
        .filter(privacy_requests::user_id.eq(user_id))
        .filter(privacy_requests::kind.eq(kind))
        .filter(privacy_requests::received_at.ge(since))
        .count()
        .get_result(conn)
        .await
}

/// Sets a request's status (and when it completed, if it did).
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: &str,
    completed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(privacy_requests::table.find(id))
        .set((
            privacy_requests::status.eq(status),
            privacy_requests::completed_at.eq(completed_at),
            privacy_requests::confirm_token_hash.eq(None::<Vec<u8>>),
            privacy_requests::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The confirmed erasure: the account goes off now and is purged after `purge_after`.
pub async fn schedule_erasure(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    purge_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(privacy_requests::table.find(id))
        .set((
            privacy_requests::status.eq("scheduled"),
            privacy_requests::purge_after.eq(purge_after),
            privacy_requests::confirm_token_hash.eq(None::<Vec<u8>>),
            privacy_requests::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The user's confirmed erasure still in its grace period, if any.
pub async fn scheduled_erasure(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<PrivacyRequestRow>> {
    privacy_requests::table
        .filter(privacy_requests::user_id.eq(user_id))
        .filter(privacy_requests::kind.eq("erasure"))
        .filter(privacy_requests::status.eq("scheduled"))
        .select(PrivacyRequestRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Takes the oldest export waiting to be built (or one whose builder died), for `lease`.
pub async fn claim_export(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> QueryResult<Option<PrivacyRequestRow>> {
    prepared(
        "UPDATE privacy_requests SET status = 'processing', attempts = attempts + 1, \
             claimed_until = $2, updated_at = $1 \
         WHERE id = (SELECT id FROM privacy_requests \
                     WHERE kind = 'export' AND (status = 'pending' \
                         OR (status = 'processing' AND claimed_until < $1)) \
                     ORDER BY received_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING *",
    )
    .bind::<sql_types::Timestamptz, _>(now)
    .bind::<sql_types::Timestamptz, _>(lease_until)
    .get_result(conn)
    .await
    .optional()
}

/// Records a built archive.
pub async fn complete_export(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    key: &str,
    bytes: i64,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(
        privacy_requests::table
            .find(id)
            .filter(privacy_requests::status.eq("processing")),
    )
    .set((
        privacy_requests::status.eq("completed"),
        privacy_requests::completed_at.eq(now),
        privacy_requests::archive_key.eq(key),
        privacy_requests::archive_bytes.eq(bytes),
        privacy_requests::archive_expires_at.eq(expires_at),
        privacy_requests::claimed_until.eq(None::<DateTime<Utc>>),
        privacy_requests::error.eq(None::<String>),
        privacy_requests::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Hands a failed build back to the queue, or marks it failed after the last attempt.
pub async fn export_failed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    error: &str,
    give_up: bool,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(privacy_requests::table.find(id))
        .set((
            privacy_requests::status.eq(if give_up { "failed" } else { "pending" }),
            privacy_requests::error.eq(error),
            privacy_requests::claimed_until.eq(None::<DateTime<Utc>>),
            privacy_requests::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Completed exports whose archive is past its download window.
pub async fn expired_archives(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<Vec<PrivacyRequestRow>> {
    privacy_requests::table
        .filter(privacy_requests::archive_key.is_not_null())
        .filter(privacy_requests::archive_expires_at.le(now))
        .select(PrivacyRequestRow::as_select())
        .load(conn)
        .await
}

/// Forgets an archive once its file is gone.
pub async fn archive_removed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(privacy_requests::table.find(id))
        .set((
            privacy_requests::status.eq("expired"),
            privacy_requests::archive_key.eq(None::<String>),
            privacy_requests::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Confirmed erasures whose grace period has passed.
pub async fn due_erasures(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<Vec<PrivacyRequestRow>> {
    privacy_requests::table
        .filter(privacy_requests::kind.eq("erasure"))
        .filter(privacy_requests::status.eq("scheduled"))
        .filter(privacy_requests::purge_after.le(now))
        .select(PrivacyRequestRow::as_select())
        .load(conn)
        .await
}

/// Open requests of every user, the most urgent first (the administrators' queue).
/// One page of the open requests, the soonest due first. The page's cursor names a position by
/// `(due_at, id)`.
pub async fn open_queue(
    conn: &mut AsyncPgConnection,
    page: PageRequest,
) -> QueryResult<Vec<(PrivacyRequestRow, Option<String>)>> {
    let mut query = privacy_requests::table
        .left_join(users::table)
        .filter(privacy_requests::status.eq_any([
            "awaiting_confirmation",
            "pending",
            "processing",
            "scheduled",
        ]))
        .select((PrivacyRequestRow::as_select(), users::email.nullable()))
        .order((privacy_requests::due_at.asc(), privacy_requests::id.asc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            privacy_requests::due_at
                .gt(after.created_at)
                .or(privacy_requests::due_at
                    .eq(after.created_at)
                    .and(privacy_requests::id.gt(after.id))),
        );
    }
    query.load(conn).await
}

/// Sets or clears the restriction or objection flag.
pub async fn set_flag(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    kind: &str,
    at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    let target = users::table.find(user_id);
    let query = match kind {
        "restriction" => {
            diesel::update(target)
                .set(users::restricted_at.eq(at))
                .execute(conn)
                .await
        }
        _ => {
            diesel::update(target)
                .set(users::objected_at.eq(at))
                .execute(conn)
                .await
        }
    };
    query.map(drop)
}

/// Switches an account off (`reason` is `admin` or `erasure`) or back on (`None`).
pub async fn set_disabled(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    disabled: Option<(DateTime<Utc>, &str)>,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::disabled_at.eq(disabled.map(|d| d.0)),
            users::disabled_reason.eq(disabled.map(|d| d.1)),
        ))
        .execute(conn)
        .await
        .map(drop)
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = sql_types::Text)]
    key: String,
}

/// Every stored object that belongs to the user: originals, thumbnails, uploads, archives.
pub async fn stored_object_keys(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Vec<String>> {
    let rows: Vec<Key> = diesel::sql_query(
        "SELECT storage_key AS key FROM images WHERE user_id = $1 \
         UNION ALL SELECT thumbnail_key FROM images \
             WHERE user_id = $1 AND thumbnail_key <> storage_key \
         UNION ALL SELECT storage_key FROM uploads WHERE user_id = $1 \
         UNION ALL SELECT archive_key FROM privacy_requests \
             WHERE user_id = $1 AND archive_key IS NOT NULL \
         UNION ALL SELECT 'users/' || id || '/avatar/' || avatar_id || '.webp' FROM users \
             WHERE id = $1 AND avatar_id IS NOT NULL",
    )
    .bind::<sql_types::Uuid, _>(user_id)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.key).collect())
}

/// Deletes the account row (every table holding the person's data follows by cascade) after
/// pseudonymising what must be kept: payment records, the privacy requests, the audit log.
/// Runs inside the caller's transaction.
pub async fn purge_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    pseudonym: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    for sql in [
        "UPDATE orders SET customer_ref = $2 WHERE user_id = $1",
        "UPDATE subscriptions SET customer_ref = $2 WHERE user_id = $1",
        "UPDATE stripe_invoices SET customer_ref = $2 WHERE user_id = $1",
        // Requests are kept as the record that they were answered; free text goes.
        "UPDATE privacy_requests SET note = NULL, subject_ref = $2 WHERE user_id = $1",
    ] {
        diesel::sql_query(sql)
            .bind::<sql_types::Uuid, _>(user_id)
            .bind::<sql_types::Text, _>(pseudonym)
            .execute(conn)
            .await?;
    }
    // Invitations bound to the person's address keep their count, not the address.
    diesel::sql_query(
        "UPDATE invitations SET email = NULL, revoked_at = coalesce(revoked_at, now()) \
         WHERE email = (SELECT email FROM users WHERE id = $1)",
    )
    .bind::<sql_types::Uuid, _>(user_id)
    .execute(conn)
    .await?;
    // The audit log refuses changes except this one substitution, enabled for this
    // transaction only.
    diesel::sql_query("SELECT set_config('zimage.erasing', $1, true)")
        .bind::<sql_types::Text, _>(format!("{user_id}={pseudonym}"))
        .execute(conn)
        .await?;
    diesel::sql_query(
        "UPDATE audit_log SET \
             actor_id = CASE WHEN actor_id = $1 THEN $2 ELSE actor_id END, \
             target_id = CASE WHEN target_id = $1 THEN $2 ELSE target_id END \
         WHERE actor_id = $1 OR target_id = $1",
    )
    .bind::<sql_types::Text, _>(user_id.to_string())
    .bind::<sql_types::Text, _>(pseudonym)
    .execute(conn)
    .await?;
    diesel::sql_query("SELECT set_config('zimage.erasing', '', true)")
        .execute(conn)
        .await?;
    diesel::update(
        privacy_requests::table
            .filter(privacy_requests::user_id.eq(user_id))
            .filter(privacy_requests::kind.eq("erasure"))
            .filter(privacy_requests::status.eq("scheduled")),
    )
    .set((
        privacy_requests::status.eq("completed"),
        privacy_requests::completed_at.eq(now),
        privacy_requests::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    diesel::delete(users::table.find(user_id))
        .execute(conn)
        .await
        .map(drop)
}
