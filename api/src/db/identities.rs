//! Queries on linked identities and on sign-ins at identity providers in progress.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{identities, sso_flows, sso_pending};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = identities, check_for_backend(diesel::pg::Pg))]
pub struct IdentityRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub provider: String,
    pub subject: String,
    pub email: Option<String>,
    pub username: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = identities)]
pub struct NewIdentity<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub provider: &'a str,
    pub subject: &'a str,
    pub email: Option<&'a str>,
    pub username: Option<&'a str>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Links an identity; `None` when the provider's subject or the account's slot for this
/// provider is taken.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewIdentity<'_>,
) -> QueryResult<Option<IdentityRow>> {
    diesel::insert_into(identities::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(IdentityRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The identity a provider's subject is linked as, marked used now with what the provider
/// says today.
pub async fn sign_in(
    conn: &mut AsyncPgConnection,
    provider: &str,
    subject: &str,
    email: Option<&str>,
    username: Option<&str>,
    now: DateTime<Utc>,
) -> QueryResult<Option<IdentityRow>> {
    diesel::update(
        identities::table
            .filter(identities::provider.eq(provider))
            .filter(identities::subject.eq(subject)),
    )
    .set((
        identities::last_used_at.eq(now),
        identities::email.eq(email),
        identities::username.eq(username),
    ))
    .returning(IdentityRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    provider: &str,
    subject: &str,
) -> QueryResult<Option<IdentityRow>> {
    identities::table
        .filter(identities::provider.eq(provider))
        .filter(identities::subject.eq(subject))
        .select(IdentityRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// An account's identities, oldest first.
pub async fn of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<Vec<IdentityRow>> {
    identities::table
        .filter(identities::user_id.eq(user_id))
        .order((identities::created_at.asc(), identities::id.asc()))
        .select(IdentityRow::as_select())
        .load(conn)
        .await
}

/// Unlinks one of `user_id`'s identities; `None` when it has none with this id.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<IdentityRow>> {
    diesel::delete(
        identities::table
            .filter(identities::id.eq(id))
            .filter(identities::user_id.eq(user_id)),
    )
    .returning(IdentityRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn delete_all_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<usize> {
    diesel::delete(identities::table.filter(identities::user_id.eq(user_id)))
        .execute(conn)
        .await
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sso_flows, check_for_backend(diesel::pg::Pg))]
pub struct FlowRow {
    pub id: Uuid,
    pub state_hash: Vec<u8>,
    pub browser_hash: Vec<u8>,
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub user_id: Option<Uuid>,
    pub invitation: Option<String>,
    pub return_to: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// The session that asked to connect a provider (with `user_id`).
    pub session_id: Option<Uuid>,
}

pub async fn insert_flow(conn: &mut AsyncPgConnection, flow: &FlowRow) -> QueryResult<()> {
    diesel::insert_into(sso_flows::table)
        .values(flow)
        .execute(conn)
        .await
        .map(drop)
}

/// Takes the flow with this `state` (each works once), if it has not expired at `now`.
pub async fn take_flow(
    conn: &mut AsyncPgConnection,
    state_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<FlowRow>> {
    let taken: Option<FlowRow> =
        diesel::delete(sso_flows::table.filter(sso_flows::state_hash.eq(state_hash)))
            .returning(FlowRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
    Ok(taken.filter(|f| f.expires_at > now))
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sso_pending, check_for_backend(diesel::pg::Pg))]
pub struct PendingRow {
    pub token_hash: Vec<u8>,
    pub purpose: String,
    pub provider: String,
    pub subject: String,
    pub email: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub user_id: Option<Uuid>,
    pub invitation: Option<String>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_pending(conn: &mut AsyncPgConnection, row: &PendingRow) -> QueryResult<()> {
    diesel::insert_into(sso_pending::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// The offer with this token, if it is for `purpose` and open at `now`.
pub async fn pending(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    purpose: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<PendingRow>> {
    sso_pending::table
        .filter(sso_pending::token_hash.eq(token_hash))
        .filter(sso_pending::purpose.eq(purpose))
        .filter(sso_pending::expires_at.gt(now))
        .select(PendingRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Takes the offer (each works once).
pub async fn take_pending(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    purpose: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<PendingRow>> {
    let taken: Option<PendingRow> = diesel::delete(
        sso_pending::table
            .filter(sso_pending::token_hash.eq(token_hash))
            .filter(sso_pending::purpose.eq(purpose)),
    )
    .returning(PendingRow::as_returning())
    .get_result(conn)
    .await
    .optional()?;
    Ok(taken.filter(|p| p.expires_at > now))
}

/// Forgets flows and offers that ended before `now`.
pub async fn delete_expired(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let flows = diesel::delete(sso_flows::table.filter(sso_flows::expires_at.le(now)))
        .execute(conn)
        .await?;
    let offers = diesel::delete(sso_pending::table.filter(sso_pending::expires_at.le(now)))
        .execute(conn)
        .await?;
    Ok(flows + offers)
}
