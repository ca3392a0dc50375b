//! Queries on passkeys and on WebAuthn ceremonies in progress.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{passkey_ceremonies, passkeys};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = passkeys, check_for_backend(diesel::pg::Pg))]
pub struct PasskeyRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub credential_id: Vec<u8>,
    pub credential: serde_json::Value,
    pub backed_up: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = passkeys)]
pub struct NewPasskey<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: &'a str,
    pub credential_id: &'a [u8],
    pub credential: &'a serde_json::Value,
    pub backed_up: bool,
}

/// Adds a passkey; `None` when its credential id is held already (by this account or another).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewPasskey<'_>,
) -> QueryResult<Option<PasskeyRow>> {
    diesel::insert_into(passkeys::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(PasskeyRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The account's passkeys, oldest first.
pub async fn of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<Vec<PasskeyRow>> {
    passkeys::table
        .filter(passkeys::user_id.eq(user_id))
        .order((passkeys::created_at.asc(), passkeys::id.asc()))
        .select(PasskeyRow::as_select())
        .load(conn)
        .await
}

pub async fn count_of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    passkeys::table
        .filter(passkeys::user_id.eq(user_id))
        .count()
        .get_result(conn)
        .await
}

/// The passkey with this credential id, locked until the transaction ends (one sign-in at a
/// time moves its signature counter).
pub async fn lock_by_credential(
    conn: &mut AsyncPgConnection,
    credential_id: &[u8],
) -> QueryResult<Option<PasskeyRow>> {
    passkeys::table
        .filter(passkeys::credential_id.eq(credential_id))
        .select(PasskeyRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Stores what a sign-in changed (counter, backup state) and marks the passkey used.
pub async fn used(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    credential: &serde_json::Value,
    backed_up: bool,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(passkeys::table.find(id))
        .set((
            passkeys::credential.eq(credential),
            passkeys::backed_up.eq(backed_up),
            passkeys::last_used_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn rename(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    id: Uuid,
    name: &str,
) -> QueryResult<Option<PasskeyRow>> {
    diesel::update(
        passkeys::table
            .filter(passkeys::id.eq(id))
            .filter(passkeys::user_id.eq(user_id)),
    )
    .set(passkeys::name.eq(name))
    .returning(PasskeyRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<PasskeyRow>> {
    diesel::delete(
        passkeys::table
            .filter(passkeys::id.eq(id))
            .filter(passkeys::user_id.eq(user_id)),
    )
    .returning(PasskeyRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Removes every passkey of the account (a password reset's lock-down); how many went.
pub async fn delete_all(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<usize> {
    diesel::delete(passkeys::table.filter(passkeys::user_id.eq(user_id)))
        .execute(conn)
        .await
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = passkey_ceremonies, check_for_backend(diesel::pg::Pg))]
pub struct CeremonyRow {
    pub id: Uuid,
    pub purpose: String,
    pub user_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub challenge_hash: Option<Vec<u8>>,
    pub state: serde_json::Value,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = passkey_ceremonies)]
pub struct NewCeremony<'a> {
    pub id: Uuid,
    pub purpose: &'a str,
    pub user_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub challenge_hash: Option<&'a [u8]>,
    pub state: &'a serde_json::Value,
    pub expires_at: DateTime<Utc>,
}

/// Opens a ceremony, clearing those that expired before `now` on the way.
pub async fn insert_ceremony(
    conn: &mut AsyncPgConnection,
    new: &NewCeremony<'_>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(passkey_ceremonies::table.filter(passkey_ceremonies::expires_at.lt(now)))
        .execute(conn)
        .await?;
    diesel::insert_into(passkey_ceremonies::table)
        .values(new)
        .execute(conn)
        .await
        .map(drop)
}

/// Takes a ceremony for `purpose` that has not expired: it is gone afterwards, whatever the
/// answer turns out to be, so a challenge is answered at most once.
pub async fn take_ceremony(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    purpose: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<CeremonyRow>> {
    diesel::delete(
        passkey_ceremonies::table
            .filter(passkey_ceremonies::id.eq(id))
            .filter(passkey_ceremonies::purpose.eq(purpose))
            .filter(passkey_ceremonies::expires_at.gt(now)),
    )
    .returning(CeremonyRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}
