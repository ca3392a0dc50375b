//! Queries on credit accounts, grants, holds and the ledger. Rules live in `domain::credits`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::prepared::prepared;
use super::schema::{
    credit_accounts, credit_grants, credit_hold_allocations, credit_holds, credit_ledger, users,
};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = credit_accounts, check_for_backend(diesel::pg::Pg))]
pub struct AccountRow {
    pub user_id: Uuid,
    pub available: i64,
    pub held: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credit_grants, check_for_backend(diesel::pg::Pg))]
pub struct GrantRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub source: String,
    pub amount: i64,
    pub remaining: i64,
    pub expires_at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
    pub reason: String,
    pub expiry_warned_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = credit_holds, check_for_backend(diesel::pg::Pg))]
pub struct HoldRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub task_id: Uuid,
    pub amount: i64,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credit_ledger, check_for_backend(diesel::pg::Pg))]
pub struct LedgerRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub delta_available: i64,
    pub delta_held: i64,
    pub reason: String,
    pub reference: Option<String>,
    pub grant_id: Option<Uuid>,
    pub hold_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// Locks (creating if needed) the user's account row: every movement for a user goes through it.
pub async fn lock_account(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<AccountRow> {
    diesel::insert_into(credit_accounts::table)
        .values(credit_accounts::user_id.eq(user_id))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    credit_accounts::table
        .find(user_id)
        .select(AccountRow::as_select())
        .for_update()
        .first(conn)
        .await
}

pub async fn find_account(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<AccountRow>> {
    credit_accounts::table
        .find(user_id)
        .select(AccountRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn adjust_account(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    available: i64,
    held: i64,
) -> QueryResult<()> {
    diesel::update(credit_accounts::table.find(user_id))
        .set((
            credit_accounts::available.eq(credit_accounts::available + available),
            credit_accounts::held.eq(credit_accounts::held + held),
            credit_accounts::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Inserts a grant; `None` when one with the same source and reference exists.
pub async fn insert_grant(
    conn: &mut AsyncPgConnection,
    grant: &GrantRow,
) -> QueryResult<Option<GrantRow>> {
    diesel::insert_into(credit_grants::table)
        .values(grant)
        .on_conflict((credit_grants::source, credit_grants::reference))
        .do_nothing()
        .returning(GrantRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Grants with credits left and not expired at `now`, in spending order:
/// soonest expiry first, grants that never expire last, older before newer.
pub async fn spendable_grants(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Vec<GrantRow>> {
    credit_grants::table
        .filter(credit_grants::user_id.eq(user_id))
        .filter(credit_grants::remaining.gt(0))
        .filter(
            credit_grants::expires_at
                .is_null()
                .or(credit_grants::expires_at.gt(now)),
        )
        .order((
            credit_grants::expires_at.asc().nulls_last(),
            credit_grants::created_at.asc(),
            credit_grants::id.asc(),
        ))
        .select(GrantRow::as_select())
        .load(conn)
        .await
}

/// Grants of the user whose expiry has passed with credits left.
pub async fn due_grants(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Vec<GrantRow>> {
    credit_grants::table
        .filter(credit_grants::user_id.eq(user_id))
        .filter(credit_grants::remaining.gt(0))
        .filter(credit_grants::expires_at.le(now))
        .select(GrantRow::as_select())
        .load(conn)
        .await
}

/// Users holding at least one grant that is due to expire.
pub async fn users_with_due_grants(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<Vec<Uuid>> {
    credit_grants::table
        .filter(credit_grants::remaining.gt(0))
        .filter(credit_grants::expires_at.le(now))
        .select(credit_grants::user_id)
        .distinct()
        .load(conn)
        .await
}

/// Unwarned grants with credits left that expire before `until`, with the owner's e-mail and locale.
pub async fn grants_to_warn(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> QueryResult<Vec<(GrantRow, String, String)>> {
    credit_grants::table
        .inner_join(users::table)
        .filter(credit_grants::remaining.gt(0))
        .filter(credit_grants::expires_at.gt(now))
        .filter(credit_grants::expires_at.le(until))
        .filter(credit_grants::expiry_warned_at.is_null())
        .select((GrantRow::as_select(), users::email, users::locale))
        .load(conn)
        .await
}

pub async fn mark_warned(conn: &mut AsyncPgConnection, grant_id: Uuid) -> QueryResult<bool> {
    let updated = diesel::update(
        credit_grants::table
            .find(grant_id)
            .filter(credit_grants::expiry_warned_at.is_null()),
    )
    .set(credit_grants::expiry_warned_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

pub async fn add_to_grant(
    conn: &mut AsyncPgConnection,
    grant_id: Uuid,
    delta: i64,
) -> QueryResult<()> {
    diesel::update(credit_grants::table.find(grant_id))
        .set(credit_grants::remaining.eq(credit_grants::remaining + delta))
        .execute(conn)
        .await
        .map(drop)
}

/// Whether the grant's purchase was fully refunded.
pub async fn grant_revoked(conn: &mut AsyncPgConnection, grant_id: Uuid) -> QueryResult<bool> {
    credit_grants::table
        .find(grant_id)
        .select(credit_grants::revoked_at.is_not_null())
        .first(conn)
        .await
}

/// Marks the grant's purchase as fully refunded (once; the first time is kept).
pub async fn revoke_grant(conn: &mut AsyncPgConnection, grant_id: Uuid) -> QueryResult<()> {
    diesel::update(
        credit_grants::table
            .find(grant_id)
            .filter(credit_grants::revoked_at.is_null()),
    )
    .set(credit_grants::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(drop)
}

pub async fn insert_hold(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    task_id: Uuid,
    amount: i64,
) -> QueryResult<()> {
    diesel::insert_into(credit_holds::table)
        .values((
            credit_holds::id.eq(id),
            credit_holds::user_id.eq(user_id),
            credit_holds::task_id.eq(task_id),
            credit_holds::amount.eq(amount),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn insert_allocation(
    conn: &mut AsyncPgConnection,
    hold_id: Uuid,
    grant_id: Uuid,
    amount: i64,
) -> QueryResult<()> {
    diesel::insert_into(credit_hold_allocations::table)
        .values((
            credit_hold_allocations::hold_id.eq(hold_id),
            credit_hold_allocations::grant_id.eq(grant_id),
            credit_hold_allocations::amount.eq(amount),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn allocations(
    conn: &mut AsyncPgConnection,
    hold_id: Uuid,
) -> QueryResult<Vec<(Uuid, i64)>> {
    credit_hold_allocations::table
        .filter(credit_hold_allocations::hold_id.eq(hold_id))
        .select((
            credit_hold_allocations::grant_id,
            credit_hold_allocations::amount,
        ))
        .load(conn)
        .await
}

pub async fn find_hold_by_task(
    conn: &mut AsyncPgConnection,
    task_id: Uuid,
) -> QueryResult<Option<HoldRow>> {
    credit_holds::table
        .filter(credit_holds::task_id.eq(task_id))
        .select(HoldRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_hold(
    conn: &mut AsyncPgConnection,
    hold_id: Uuid,
) -> QueryResult<Option<HoldRow>> {
    credit_holds::table
        .find(hold_id)
        .select(HoldRow::as_select())
        .first(conn)
        .await
        .optional()
}

#[derive(diesel::QueryableByName)]
struct Settled {
    #[diesel(sql_type = diesel::sql_types::Text)]
    outcome: String,
}

/// Settles a hold (the `settle_hold` function): "settled", "already settled", "missing", or
/// the status the hold ended with instead.
pub async fn settle_hold(
    conn: &mut AsyncPgConnection,
    hold_id: Uuid,
    reason: &str,
) -> QueryResult<String> {
    let row: Settled = prepared("SELECT settle_hold($1, $2) AS outcome")
        .bind::<diesel::sql_types::Uuid, _>(hold_id)
        .bind::<diesel::sql_types::Text, _>(reason)
        .get_result(conn)
        .await?;
    Ok(row.outcome)
}

/// Moves a hold from `held` to `status`; false when it was no longer held.
pub async fn resolve_hold(
    conn: &mut AsyncPgConnection,
    hold_id: Uuid,
    status: &str,
) -> QueryResult<bool> {
    let updated = diesel::update(
        credit_holds::table
            .find(hold_id)
            .filter(credit_holds::status.eq("held")),
    )
    .set((
        credit_holds::status.eq(status),
        credit_holds::resolved_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

pub async fn insert_entry(conn: &mut AsyncPgConnection, entry: &LedgerRow) -> QueryResult<()> {
    diesel::insert_into(credit_ledger::table)
        .values(entry)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn ledger_page(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<(LedgerRow, Option<String>)>> {
    let mut query = credit_ledger::table
        .left_join(credit_grants::table)
        .filter(credit_ledger::user_id.eq(user_id))
        .select((LedgerRow::as_select(), credit_grants::source.nullable()))
        .order((credit_ledger::created_at.desc(), credit_ledger::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            credit_ledger::created_at
                .lt(after.created_at)
                .or(credit_ledger::created_at
                    .eq(after.created_at)
                    .and(credit_ledger::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

#[derive(QueryableByName)]
struct Sums {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    available: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    held: i64,
}

/// (sum of delta_available, sum of delta_held) over the user's whole ledger: the audit of the
/// cached totals in `credit_accounts`.
pub async fn ledger_sums(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<(i64, i64)> {
    let sums: Sums = diesel::sql_query(
        "SELECT COALESCE(SUM(delta_available), 0)::bigint AS available, \
                COALESCE(SUM(delta_held), 0)::bigint AS held \
         FROM credit_ledger WHERE user_id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(user_id)
    .get_result(conn)
    .await?;
    Ok((sums.available, sums.held))
}

/// Sum of `remaining` over grants and of `amount` over open holds: what the totals must equal.
pub async fn grant_and_hold_sums(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<(i64, i64)> {
    let sums: Sums = diesel::sql_query(
        "SELECT (SELECT COALESCE(SUM(remaining), 0) FROM credit_grants WHERE user_id = $1)::bigint AS available, \
                (SELECT COALESCE(SUM(amount), 0) FROM credit_holds WHERE user_id = $1 AND status = 'held')::bigint AS held",
    )
    .bind::<diesel::sql_types::Uuid, _>(user_id)
    .get_result(conn)
    .await?;
    Ok((sums.available, sums.held))
}

pub async fn find_grant(
    conn: &mut AsyncPgConnection,
    grant_id: Uuid,
) -> QueryResult<Option<GrantRow>> {
    credit_grants::table
        .find(grant_id)
        .select(GrantRow::as_select())
        .first(conn)
        .await
        .optional()
}
