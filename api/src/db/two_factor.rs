//! Queries on `totp_authenticators`, `recovery_codes`, `sign_in_challenges` and the sessions'
//! `second_factor_at`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::models::UserRow;
use super::schema::{recovery_codes, sessions, sign_in_challenges, totp_authenticators, users};

/// An account's authenticator as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = totp_authenticators)]
pub struct AuthenticatorRow {
    pub secret: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_step: i64,
}

/// The account of `email` for signing in, with whether it has two-factor authentication on
/// (one query, so a sign-in holds a connection once before hashing the password).
pub async fn user_for_sign_in(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<(UserRow, bool)>> {
    let second_factor = diesel::dsl::exists(
        totp_authenticators::table
            .filter(totp_authenticators::user_id.eq(users::id))
            .filter(totp_authenticators::confirmed_at.is_not_null()),
    );
    users::table
        .filter(users::email.eq(email))
        .select((UserRow::as_select(), second_factor))
        .first(conn)
        .await
        .optional()
}

pub async fn authenticator(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<AuthenticatorRow>> {
    totp_authenticators::table
        .find(user_id)
        .select(AuthenticatorRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Starts setting an authenticator up, replacing one not confirmed yet; false when the account
/// has a confirmed one (it must be turned off first).
pub async fn begin_authenticator(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    sealed_secret: &str,
) -> QueryResult<bool> {
    diesel::sql_query(
        "INSERT INTO totp_authenticators (user_id, secret) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0, \
         created_at = now() WHERE totp_authenticators.confirmed_at IS NULL",
    )
    .bind::<diesel::sql_types::Uuid, _>(user_id)
    .bind::<diesel::sql_types::Text, _>(sealed_secret)
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Records that the code of `step` was accepted, turning the authenticator on if it was being
/// set up; false when that step (or a later one) was used already, by a concurrent request.
pub async fn use_step(conn: &mut AsyncPgConnection, user_id: Uuid, step: i64) -> QueryResult<bool> {
    diesel::update(
        totp_authenticators::table
            .find(user_id)
            .filter(totp_authenticators::last_step.lt(step)),
    )
    .set((
        totp_authenticators::last_step.eq(step),
        totp_authenticators::confirmed_at.eq(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
        >("coalesce(confirmed_at, now())")),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Removes an authenticator (and the recovery codes) added after `at`; true when there was one.
pub async fn delete_if_added_after(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<bool> {
    let removed = diesel::delete(
        totp_authenticators::table
            .filter(totp_authenticators::user_id.eq(user_id))
            .filter(totp_authenticators::created_at.gt(at)),
    )
    .execute(conn)
    .await?;
    if removed > 0 {
        delete_recovery_codes(conn, user_id).await?;
    }
    Ok(removed > 0)
}

pub async fn delete_authenticator(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<()> {
    diesel::delete(totp_authenticators::table.find(user_id))
        .execute(conn)
        .await
        .map(drop)
}

/// Replaces the account's recovery codes with these (by their hashes).
pub async fn replace_recovery_codes(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    hashes: &[Vec<u8>],
) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = hashes
        .iter()
        .map(|hash| {
            (
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(hash),
            )
        })
        .collect();
    diesel::insert_into(recovery_codes::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// Uses the unused recovery code with this hash; false when there is none.
pub async fn use_recovery_code(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    hash: &[u8],
) -> QueryResult<bool> {
    diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Recovery codes not used yet.
pub async fn recovery_codes_left(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
        .await
}

pub async fn delete_recovery_codes(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn insert_challenge(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    user_id: Uuid,
    keep_account: bool,
    now: DateTime<Utc>,
    lasts: chrono::Duration,
) -> QueryResult<()> {
    // Expired challenges go as new ones come.
    diesel::delete(sign_in_challenges::table.filter(sign_in_challenges::expires_at.lt(now)))
        .execute(conn)
        .await?;
    diesel::insert_into(sign_in_challenges::table)
        .values((
            sign_in_challenges::token_hash.eq(hash),
            sign_in_challenges::user_id.eq(user_id),
            sign_in_challenges::keep_account.eq(keep_account),
            sign_in_challenges::expires_at.eq(now + lasts),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// A live sign-in challenge.
#[derive(Debug, Clone, Queryable)]
pub struct ChallengeRow {
    pub user_id: Uuid,
    pub failures: i32,
    pub keep_account: bool,
}

/// The live challenge with this hash, locked until the transaction ends (one answer at a time).
pub async fn challenge_owner(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<Uuid>> {
    sign_in_challenges::table
        .find(hash)
        .filter(sign_in_challenges::expires_at.gt(now))
        .select(sign_in_challenges::user_id)
        .first(conn)
        .await
        .optional()
}

/// The live challenge of `hash`, locked until the transaction ends.
pub async fn lock_challenge(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<ChallengeRow>> {
    sign_in_challenges::table
        .find(hash)
        .filter(sign_in_challenges::expires_at.gt(now))
        .select((
            sign_in_challenges::user_id,
            sign_in_challenges::failures,
            sign_in_challenges::keep_account,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Counts a wrong code against the challenge.
pub async fn fail_challenge(conn: &mut AsyncPgConnection, hash: &[u8]) -> QueryResult<()> {
    diesel::update(sign_in_challenges::table.find(hash))
        .set(sign_in_challenges::failures.eq(sign_in_challenges::failures + 1))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn delete_challenge(conn: &mut AsyncPgConnection, hash: &[u8]) -> QueryResult<()> {
    diesel::delete(sign_in_challenges::table.find(hash))
        .execute(conn)
        .await
        .map(drop)
}

/// When the session last proved a second factor.
pub async fn second_factor_at(
    conn: &mut AsyncPgConnection,
    session_id: Uuid,
) -> QueryResult<Option<DateTime<Utc>>> {
    sessions::table
        .find(session_id)
        .select(sessions::second_factor_at)
        .first(conn)
        .await
        .optional()
        .map(Option::flatten)
}

pub async fn set_second_factor_at(
    conn: &mut AsyncPgConnection,
    session_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::second_factor_at.eq(at))
        .execute(conn)
        .await
        .map(drop)
}
