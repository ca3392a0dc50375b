//! Queries on `email_changes`: an address change waiting for its confirmation from the new
//! address, then undoable from the old one for a while.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{email_changes, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_changes)]
pub struct EmailChangeRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub old_email: String,
    pub new_email: String,
    pub confirm_expires_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub revert_expires_at: Option<DateTime<Utc>>,
    pub reverted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A new change waiting for confirmation, in place of any earlier one still waiting.
pub async fn replace_pending(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    old_email: &str,
    new_email: &str,
    confirm_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(
        email_changes::table
            .filter(email_changes::user_id.eq(user_id))
            .filter(email_changes::confirmed_at.is_null()),
    )
    .execute(conn)
    .await?;
    diesel::insert_into(email_changes::table)
        .values((
            email_changes::id.eq(Uuid::new_v4()),
            email_changes::user_id.eq(user_id),
            email_changes::old_email.eq(old_email),
            email_changes::new_email.eq(new_email),
            email_changes::confirm_hash.eq(confirm_hash),
            email_changes::confirm_expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The change waiting for the confirmation link `hash`, locked, while the link works.
pub async fn lock_by_confirm(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<EmailChangeRow>> {
    email_changes::table
        .filter(email_changes::confirm_hash.eq(hash))
        .filter(email_changes::confirmed_at.is_null())
        .filter(email_changes::confirm_expires_at.gt(now))
        .select(EmailChangeRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The confirmed change the undo link `hash` belongs to, locked, while the link works.
pub async fn lock_by_revert(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<EmailChangeRow>> {
    email_changes::table
        .filter(email_changes::revert_hash.eq(hash))
        .filter(email_changes::reverted_at.is_null())
        .filter(email_changes::revert_expires_at.gt(now))
        .select(EmailChangeRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Marks the change confirmed, with the undo link for the old address.
pub async fn confirm(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
    revert_hash: &[u8],
    revert_expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(email_changes::table.find(id))
        .set((
            email_changes::confirm_hash.eq(None::<Vec<u8>>),
            email_changes::confirmed_at.eq(now),
            email_changes::revert_hash.eq(revert_hash),
            email_changes::revert_expires_at.eq(revert_expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn mark_reverted(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(email_changes::table.find(id))
        .set((
            email_changes::revert_hash.eq(None::<Vec<u8>>),
            email_changes::reverted_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Whether the account has a confirmed change whose undo link still works.
pub async fn undoable(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        email_changes::table
            .filter(email_changes::user_id.eq(user_id))
            .filter(email_changes::revert_hash.is_not_null())
            .filter(email_changes::revert_expires_at.gt(now)),
    ))
    .get_result(conn)
    .await
}

/// Whether `email` is an old address held for its owner while their undo link works: nobody
/// may take it meanwhile.
pub async fn held(
    conn: &mut AsyncPgConnection,
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        email_changes::table
            .filter(email_changes::old_email.eq(email))
            .filter(email_changes::revert_hash.is_not_null())
            .filter(email_changes::revert_expires_at.gt(now)),
    ))
    .get_result(conn)
    .await
}

/// The account's address, its row locked until the transaction ends (changes of address are
/// made one at a time).
pub async fn lock_user_email(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<String>> {
    users::table
        .find(user_id)
        .select(users::email)
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Ends every link of the account's changes: the one waiting for confirmation goes, and no undo
/// link works any more.
pub async fn end_all(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<()> {
    diesel::delete(
        email_changes::table
            .filter(email_changes::user_id.eq(user_id))
            .filter(email_changes::confirmed_at.is_null()),
    )
    .execute(conn)
    .await?;
    diesel::update(
        email_changes::table
            .filter(email_changes::user_id.eq(user_id))
            .filter(email_changes::revert_hash.is_not_null()),
    )
    .set(email_changes::revert_hash.eq(None::<Vec<u8>>))
    .execute(conn)
    .await
    .map(drop)
}

/// Moves the account from `current` to `email`; false when another account has `email` (or the
/// account's address is not `current` any more).
pub async fn set_email(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    current: &str,
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let taken = users::table
        .filter(users::email.eq(email))
        .filter(users::id.ne(user_id))
        .select(users::id)
        .first::<Uuid>(conn)
        .await
        .optional()?
        .is_some();
    if taken {
        return Ok(false);
    }
    let moved = diesel::update(users::table.find(user_id).filter(users::email.eq(current)))
        .set((
            users::email.eq(email),
            users::email_verified_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .await;
    match moved {
        Ok(rows) => Ok(rows == 1),
        // Another account took it a moment ago.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(err) => Err(err),
    }
}
