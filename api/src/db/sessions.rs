//! Queries on `sessions` and `refresh_tokens`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::built_once::BuildOnce;
use super::models::SessionRow;
use super::schema::{refresh_tokens, sessions};
use crate::pagination::PageRequest;

pub struct NewSession<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub expires_at: DateTime<Utc>,
    /// When the sign-in proved a second factor, if it did.
    pub second_factor_at: Option<DateTime<Utc>>,
}

pub async fn insert(conn: &mut AsyncPgConnection, session: &NewSession<'_>) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(session.id),
            sessions::user_id.eq(session.user_id),
            sessions::user_agent.eq(session.user_agent),
            sessions::ip.eq(session.ip),
            sessions::expires_at.eq(session.expires_at),
            sessions::second_factor_at.eq(session.second_factor_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn insert_refresh_token(
    conn: &mut AsyncPgConnection,
    session_id: Uuid,
    hash: &[u8],
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(hash),
            refresh_tokens::session_id.eq(session_id),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// A refresh token as stored: when it was used, and (within the reuse grace) the sealed token
/// that replaced it.
#[derive(Debug, Clone, Queryable)]
pub struct RefreshTokenRow {
    pub used_at: Option<DateTime<Utc>>,
    pub successor_sealed: Option<String>,
}

/// The refresh token with this hash and its session.
pub async fn find_by_refresh_token(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<(RefreshTokenRow, SessionRow)>> {
    refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(hash))
        .select((
            (refresh_tokens::used_at, refresh_tokens::successor_sealed),
            SessionRow::as_select(),
        ))
        .first(conn)
        .await
        .optional()
}

/// Marks a refresh token used, keeping its sealed successor for the reuse grace; false when
/// it already was used (a concurrent or replayed use). The session's earlier successors are
/// forgotten: only the token just replaced may be presented again.
pub async fn consume_refresh_token(
    conn: &mut AsyncPgConnection,
    session_id: Uuid,
    hash: &[u8],
    successor_sealed: &str,
) -> QueryResult<bool> {
    let updated = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(hash))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set((
        refresh_tokens::used_at.eq(diesel::dsl::now),
        refresh_tokens::successor_sealed.eq(successor_sealed),
    ))
    .execute(conn)
    .await?;
    if updated != 1 {
        return Ok(false);
    }
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::session_id.eq(session_id))
            .filter(refresh_tokens::token_hash.ne(hash))
            .filter(refresh_tokens::successor_sealed.is_not_null()),
    )
    .set(refresh_tokens::successor_sealed.eq(None::<String>))
    .execute(conn)
    .await?;
    Ok(true)
}

/// The user of a live (not revoked, not expired) session, in one statement: every authenticated
/// request asks this, pipelined with its own reads where it can (hence the shared connection).
pub async fn find_active_user(
    conn: &AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<crate::db::models::UserRow>> {
    use super::schema::users;
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(diesel::dsl::now))
        .select(crate::db::models::UserRow::as_select())
        .limit(1)
        .built_once()
        .get_result(&mut { conn })
        .await
        .optional()
}

pub async fn touch(conn: &mut AsyncPgConnection, id: Uuid, ip: Option<&str>) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set((
            sessions::last_used_at.eq(diesel::dsl::now),
            sessions::ip.eq(ip),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Revokes one session of this user; false when there is no such live session.
pub async fn revoke(conn: &mut AsyncPgConnection, id: Uuid, user_id: Uuid) -> QueryResult<bool> {
    let updated = diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Revokes every live session of the user, except `keep` if given.
pub async fn revoke_all(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> QueryResult<usize> {
    let keep = keep.unwrap_or(Uuid::nil());
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep)),
    )
    .set(sessions::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}

/// Live sessions of a user, newest first.
pub async fn list_active(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<SessionRow>> {
    let mut query = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(diesel::dsl::now))
        .select(SessionRow::as_select())
        .order((sessions::created_at.desc(), sessions::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            sessions::created_at
                .lt(after.created_at)
                .or(sessions::created_at
                    .eq(after.created_at)
                    .and(sessions::id.lt(after.id))),
        );
    }
    query.load(conn).await
}
