//! Queries on invitations (invite-only sign-up).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{invitations, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations, check_for_backend(diesel::pg::Pg))]
pub struct InvitationRow {
    pub id: Uuid,
    pub email: Option<String>,
    pub note: Option<String>,
    pub max_uses: i32,
    pub uses: i32,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = invitations)]
pub struct NewInvitation<'a> {
    pub id: Uuid,
    pub token_hash: &'a [u8],
    pub email: Option<&'a str>,
    pub note: Option<&'a str>,
    pub max_uses: i32,
    pub expires_at: DateTime<Utc>,
    pub created_by: Uuid,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewInvitation<'_>,
) -> QueryResult<InvitationRow> {
    diesel::insert_into(invitations::table)
        .values(new)
        .returning(InvitationRow::as_returning())
        .get_result(conn)
        .await
}

/// One page of invitations, newest first, with their creator's address.
pub async fn page(
    conn: &mut AsyncPgConnection,
    page: crate::pagination::PageRequest,
) -> QueryResult<Vec<(InvitationRow, Option<String>)>> {
    let mut query = invitations::table
        .left_join(users::table)
        .select((InvitationRow::as_select(), users::email.nullable()))
        .order((invitations::created_at.desc(), invitations::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            invitations::created_at
                .lt(after.created_at)
                .or(invitations::created_at
                    .eq(after.created_at)
                    .and(invitations::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// The invitation with this token if it can still be used at `now`.
pub async fn usable(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .filter(invitations::uses.lt(invitations::max_uses))
        .select(InvitationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Counts one sign-up against the invitation, if it can still be used at `now` (and, when it
/// is bound to an address, by `email`). One statement, so two sign-ups racing for the last use
/// cannot both have it.
pub async fn take_one(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<InvitationRow>> {
    diesel::update(
        invitations::table
            .filter(invitations::token_hash.eq(token_hash))
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(now))
            .filter(invitations::uses.lt(invitations::max_uses))
            .filter(
                invitations::email
                    .is_null()
                    .or(invitations::email.eq(email)),
            ),
    )
    .set(invitations::uses.eq(invitations::uses + 1))
    .returning(InvitationRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Withdraws an invitation (kept, for the record); false when there is no such invitation or
/// it was withdrawn already.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    Ok(diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::revoked_at.is_null()),
    )
    .set(invitations::revoked_at.eq(now))
    .execute(conn)
    .await?
        == 1)
}

/// One invitation with its creator's address.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(InvitationRow, Option<String>)>> {
    invitations::table
        .find(id)
        .left_join(users::table)
        .select((InvitationRow::as_select(), users::email.nullable()))
        .first(conn)
        .await
        .optional()
}
