//! `pending_objects`: uploads not yet owned by a committed row, and their clean-up.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Integer, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::prepared::prepared;
use uuid::Uuid;

use diesel::result::QueryResult;

/// Records `keys` as about to be uploaded for `task_id`; they are deleted after `delete_after`
/// unless [`commit`] removes them first.
pub async fn add(
    conn: &mut AsyncPgConnection,
    task_id: Uuid,
    keys: &[String],
    delete_after: DateTime<Utc>,
) -> QueryResult<()> {
    prepared(
        "INSERT INTO pending_objects (storage_key, task_id, delete_after) \
         SELECT k, $2, $3 FROM unnest($1::text[]) AS k \
         ON CONFLICT (storage_key) DO UPDATE SET delete_after = EXCLUDED.delete_after",
    )
    .bind::<Array<Text>, _>(keys)
    .bind::<SqlUuid, _>(task_id)
    .bind::<Timestamptz, _>(delete_after)
    .execute(conn)
    .await
    .map(drop)
}

/// Takes `keys` off the list because a committed row owns them now; returns how many were still
/// listed (fewer than `keys` means the sweep got to some first and they are gone).
pub async fn commit(conn: &mut AsyncPgConnection, keys: &[String]) -> QueryResult<usize> {
    prepared("DELETE FROM pending_objects WHERE storage_key = ANY($1)")
        .bind::<Array<Text>, _>(keys)
        .execute(conn)
        .await
}

/// Sets aside keys no row will own: `due` (something may have been stored under them) become due
/// for deletion now, `unused` (nothing was ever sent under them) come off the list.
pub async fn set_aside(
    conn: &mut AsyncPgConnection,
    due: &[String],
    unused: &[String],
) -> QueryResult<()> {
    prepared(
        "WITH unused AS (DELETE FROM pending_objects WHERE storage_key = ANY($2)) \
         UPDATE pending_objects SET delete_after = now() WHERE storage_key = ANY($1)",
    )
    .bind::<Array<Text>, _>(due)
    .bind::<Array<Text>, _>(unused)
    .execute(conn)
    .await
    .map(drop)
}

#[derive(QueryableByName)]
pub struct Due {
    #[diesel(sql_type = Text)]
    pub storage_key: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
}

/// Claims up to `limit` due keys for this transaction (others skip them).
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Due>> {
    prepared(
        "SELECT storage_key, attempts FROM pending_objects WHERE delete_after <= $1 \
         ORDER BY delete_after LIMIT $2 FOR UPDATE SKIP LOCKED",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await
}

/// The object is gone: forget the key.
pub async fn remove(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<()> {
    prepared("DELETE FROM pending_objects WHERE storage_key = $1")
        .bind::<Text, _>(key)
        .execute(conn)
        .await
        .map(drop)
}

/// Deleting failed (storage down): try again at `retry_at`.
pub async fn postpone(
    conn: &mut AsyncPgConnection,
    key: &str,
    retry_at: DateTime<Utc>,
) -> QueryResult<()> {
    prepared(
        "UPDATE pending_objects SET attempts = attempts + 1, delete_after = $2 WHERE storage_key = $1",
    )
    .bind::<Text, _>(key)
    .bind::<Timestamptz, _>(retry_at)
    .execute(conn)
    .await
    .map(drop)
}
