//! Queries on uploaded reference images.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::uploads;
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = uploads, check_for_backend(diesel::pg::Pg))]
pub struct UploadRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub storage_key: String,
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub sha256: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &UploadRow) -> QueryResult<()> {
    diesel::insert_into(uploads::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Holds the user's row until the transaction ends: one upload of theirs is checked against the
/// limits and inserted at a time.
pub async fn lock_owner(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<()> {
    use super::schema::users;
    users::table
        .find(user_id)
        .select(users::id)
        .for_update()
        .first::<Uuid>(conn)
        .await
        .optional()
        .map(drop)
}

/// How many uploads the user keeps, and their bytes.
pub async fn usage(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<(i64, u64)> {
    let (count, bytes): (i64, i64) = uploads::table
        .filter(uploads::user_id.eq(user_id))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::sql::<diesel::sql_types::BigInt>("coalesce(sum(bytes), 0)::bigint"),
        ))
        .get_result(conn)
        .await?;
    Ok((count, bytes.unsigned_abs()))
}

/// The user's upload.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<UploadRow>> {
    uploads::table
        .find(id)
        .filter(uploads::user_id.eq(user_id))
        .select(UploadRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Any upload by id (signed URLs carry no user).
pub async fn find_any(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<UploadRow>> {
    uploads::table
        .find(id)
        .select(UploadRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<UploadRow>> {
    let mut query = uploads::table
        .filter(uploads::user_id.eq(user_id))
        .select(UploadRow::as_select())
        .order((uploads::created_at.desc(), uploads::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            uploads::created_at
                .lt(after.created_at)
                .or(uploads::created_at
                    .eq(after.created_at)
                    .and(uploads::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// Deletes the user's upload and returns it.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<UploadRow>> {
    diesel::delete(uploads::table.find(id).filter(uploads::user_id.eq(user_id)))
        .returning(UploadRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}
