//! Queries on `users`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::models::{NewUser, UserRow};
use super::schema::users;

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The user row, locked until the transaction ends.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Sets (or with `None` clears) the uploaded profile picture; either way the linked one goes.
pub async fn set_avatar(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    avatar_id: Option<Uuid>,
) -> QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set((
            users::avatar_id.eq(avatar_id),
            // An upload replaces a linked picture; removing removes either.
            users::avatar_url.eq(None::<String>),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// Whose profile picture this is.
pub async fn avatar_owner(
    conn: &mut AsyncPgConnection,
    avatar_id: Uuid,
) -> QueryResult<Option<Uuid>> {
    users::table
        .filter(users::avatar_id.eq(avatar_id))
        .select(users::id)
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_referral_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<Uuid>> {
    users::table
        .filter(users::referral_code.eq(code))
        .select(users::id)
        .first(conn)
        .await
        .optional()
}

/// Inserts a user; `Ok(None)` when the e-mail is already registered.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    user: &NewUser<'_>,
) -> QueryResult<Option<UserRow>> {
    diesel::insert_into(users::table)
        .values(user)
        .on_conflict(users::email)
        .do_nothing()
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn mark_verified(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set((users::email_verified_at.eq(at), users::updated_at.eq(at)))
    .execute(conn)
    .await
    .map(drop)
}

pub async fn set_password(conn: &mut AsyncPgConnection, id: Uuid, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Profile fields to change; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct ProfileChanges {
    pub display_name: Option<Option<String>>,
    pub locale: Option<String>,
    pub theme: Option<String>,
    pub organization: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    /// The uploaded picture; set to `Some(None)` when a linked one replaces it.
    pub avatar_id: Option<Option<Uuid>>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn update_profile(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &ProfileChanges,
) -> QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set(changes)
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn set_role(conn: &mut AsyncPgConnection, id: Uuid, role: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::role.eq(role))
        .execute(conn)
        .await
        .map(drop)
}

/// Users newest first, optionally only those whose e-mail contains `email_like`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    email_like: Option<&str>,
    page: crate::pagination::PageRequest,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order((users::created_at.desc(), users::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(fragment) = email_like {
        query = query.filter(users::email.like(super::contains_pattern(fragment)));
    }
    if let Some(after) = page.after {
        query = query.filter(
            users::created_at.lt(after.created_at).or(users::created_at
                .eq(after.created_at)
                .and(users::id.lt(after.id))),
        );
    }
    query.load(conn).await
}
