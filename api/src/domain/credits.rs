//! The credit ledger: grants, holds for tasks, settlement, release, expiry and corrections.
//!
//! Every movement locks the user's `credit_accounts` row, changes grants/holds, appends one
//! ledger entry per effect and updates the cached totals in the same transaction, so
//! `available = Σ grant.remaining = Σ entry.delta_available` and
//! `held = Σ open hold.amount = Σ entry.delta_held` at every commit.
//! Functions take a connection so callers can include them in a larger transaction
//! (a generation request holds credits in the same transaction that creates the task).

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;
use zimage_shared::credits::{CreditBalance, CreditGrant, GrantSource, LedgerEntry, LedgerKind};
use zimage_shared::{ErrorCode, Page};

use crate::db::credits::{self as db, GrantRow, LedgerRow};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};

/// Identifies a hold placed for a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldId(pub Uuid);

/// A grant to make.
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub source: GrantSource,
    pub amount: i64,
    pub expires_at: Option<DateTime<Utc>>,
    /// Makes the grant idempotent: a second grant with the same source and reference is skipped.
    pub reference: Option<String>,
    pub reason: String,
    pub actor: Option<Uuid>,
}

struct Entry<'a> {
    user_id: Uuid,
    kind: LedgerKind,
    available: i64,
    held: i64,
    reason: &'a str,
    reference: Option<String>,
    grant_id: Option<Uuid>,
    hold_id: Option<Uuid>,
    actor_id: Option<Uuid>,
}

/// Appends the entry and applies it to the cached totals.
async fn record(conn: &mut AsyncPgConnection, e: Entry<'_>) -> ApiResult<()> {
    db::insert_entry(
        conn,
        &LedgerRow {
            id: Uuid::new_v4(),
            user_id: e.user_id,
            kind: e.kind.as_str().to_string(),
            delta_available: e.available,
            delta_held: e.held,
            reason: e.reason.to_string(),
            reference: e.reference,
            grant_id: e.grant_id,
            hold_id: e.hold_id,
            actor_id: e.actor_id,
            created_at: Utc::now(),
        },
    )
    .await?;
    db::adjust_account(conn, e.user_id, e.available, e.held).await?;
    Ok(())
}

/// Adds credits. Returns `None` when a grant with this source and reference already exists.
pub async fn grant(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    new: NewGrant,
) -> ApiResult<Option<GrantRow>> {
    if new.amount <= 0 {
        return Err(ApiError::field("amount", "must be positive"));
    }
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::lock_account(conn, user_id).await?;
        let row = GrantRow {
            id: Uuid::new_v4(),
            user_id,
            source: new.source.as_str().to_string(),
            amount: new.amount,
            remaining: new.amount,
            expires_at: new.expires_at,
            reference: new.reference.clone(),
            reason: new.reason.clone(),
            expiry_warned_at: None,
            created_at: Utc::now(),
        };
        let Some(inserted) = db::insert_grant(conn, &row).await? else {
            return Ok(None);
        };
        record(
            conn,
            Entry {
                user_id,
                kind: LedgerKind::Grant,
                available: new.amount,
                held: 0,
                reason: &new.reason,
                reference: new.reference.clone(),
                grant_id: Some(inserted.id),
                hold_id: None,
                actor_id: new.actor,
            },
        )
        .await?;
        Ok(Some(inserted))
    })
    .await
}

/// Writes off credits whose grants have expired. Caller holds the account lock.
async fn expire_due_locked(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<i64> {
    let mut total = 0;
    for grant in db::due_grants(conn, user_id, now).await? {
        db::add_to_grant(conn, grant.id, -grant.remaining).await?;
        record(
            conn,
            Entry {
                user_id,
                kind: LedgerKind::Expire,
                available: -grant.remaining,
                held: 0,
                reason: "credits reached their expiry date",
                reference: Some(format!("grant:{}", grant.id)),
                grant_id: Some(grant.id),
                hold_id: None,
                actor_id: None,
            },
        )
        .await?;
        total += grant.remaining;
    }
    Ok(total)
}

/// Expires whatever of this user's credits is past its date; returns the credits written off.
pub async fn expire_due(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<i64> {
    // Most reads find nothing due; only then is the account locked.
    if db::due_grants(conn, user_id, now).await?.is_empty() {
        return Ok(0);
    }
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::lock_account(conn, user_id).await?;
        expire_due_locked(conn, user_id, now).await
    })
    .await
}

fn insufficient(available: i64, amount: i64) -> ApiError {
    ApiError::new(
        ErrorCode::InsufficientCredits,
        format!("this needs {amount} credits but {available} are available; nothing was charged"),
    )
}

/// Takes `amount` from the spendable grants in spending order. Caller holds the account lock
/// and has checked that enough is available. Returns (grant, amount taken) pairs.
async fn draw(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    amount: i64,
    now: DateTime<Utc>,
) -> ApiResult<Vec<(Uuid, i64)>> {
    let mut need = amount;
    let mut taken = Vec::new();
    for grant in db::spendable_grants(conn, user_id, now).await? {
        if need == 0 {
            break;
        }
        let take = grant.remaining.min(need);
        db::add_to_grant(conn, grant.id, -take).await?;
        taken.push((grant.id, take));
        need -= take;
    }
    if need > 0 {
        return Err(ApiError::internal(anyhow::anyhow!(
            "credit account {user_id} claims more available credits than its grants hold"
        )));
    }
    Ok(taken)
}

/// Reserves `amount` credits for `task_id`. Holding again for the same task returns the same hold.
/// Fails with 402 `insufficient_credits` and changes nothing when the balance does not cover it.
pub async fn hold(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    amount: i64,
    task_id: Uuid,
) -> ApiResult<HoldId> {
    if amount <= 0 {
        return Err(ApiError::internal(anyhow::anyhow!(
            "hold of non-positive amount {amount}"
        )));
    }
    // Expiry written before an insufficient-credits refusal rolls back with it; the scheduled
    // job writes it again, so the refusal changes nothing and nothing is lost.
    conn.transaction::<_, ApiError, _>(async |conn| {
        let now = Utc::now();
        db::lock_account(conn, user_id).await?;
        if let Some(existing) = db::find_hold_by_task(conn, task_id).await? {
            if existing.user_id != user_id || existing.amount != amount {
                return Err(ApiError::internal(anyhow::anyhow!(
                    "task {task_id} already holds a different amount"
                )));
            }
            return Ok(HoldId(existing.id));
        }
        expire_due_locked(conn, user_id, now).await?;
        let account = db::lock_account(conn, user_id).await?;
        if account.available < amount {
            return Err(insufficient(account.available, amount));
        }
        let hold_id = Uuid::new_v4();
        db::insert_hold(conn, hold_id, user_id, task_id, amount).await?;
        for (grant_id, taken) in draw(conn, user_id, amount, now).await? {
            db::insert_allocation(conn, hold_id, grant_id, taken).await?;
        }
        record(
            conn,
            Entry {
                user_id,
                kind: LedgerKind::Hold,
                available: -amount,
                held: amount,
                reason: "reserved for a generation task",
                reference: Some(format!("task:{task_id}")),
                grant_id: None,
                hold_id: Some(hold_id),
                actor_id: None,
            },
        )
        .await?;
        Ok(HoldId(hold_id))
    })
    .await
}

/// Returns held credits to the grants they came from (the task failed or was canceled). Idempotent.
pub async fn release(conn: &mut AsyncPgConnection, hold_id: HoldId, reason: &str) -> ApiResult<()> {
    conn.transaction::<_, ApiError, _>(async |conn| {
        let hold = db::find_hold(conn, hold_id.0)
            .await?
            .ok_or_else(|| ApiError::not_found("credit hold"))?;
        db::lock_account(conn, hold.user_id).await?;
        if !db::resolve_hold(conn, hold.id, "released").await? {
            // Already resolved (a retry, or a concurrent call that won): fine if it went the same way.
            let current = db::find_hold(conn, hold.id)
                .await?
                .map(|h| h.status)
                .unwrap_or_default();
            return if current == "released" {
                Ok(())
            } else {
                Err(already_resolved(&current))
            };
        }
        let mut withheld = Vec::new();
        for (grant_id, amount) in db::allocations(conn, hold.id).await? {
            if db::grant_revoked(conn, grant_id).await? {
                withheld.push((grant_id, amount));
            } else {
                db::add_to_grant(conn, grant_id, amount).await?;
            }
        }
        record(
            conn,
            Entry {
                user_id: hold.user_id,
                kind: LedgerKind::Release,
                available: hold.amount,
                held: -hold.amount,
                reason,
                reference: Some(format!("task:{}", hold.task_id)),
                grant_id: None,
                hold_id: Some(hold.id),
                actor_id: None,
            },
        )
        .await?;
        // Credits of a refunded purchase go nowhere (as `settle_hold_part` does, migration 000025).
        for (grant_id, amount) in withheld {
            record(
                conn,
                Entry {
                    user_id: hold.user_id,
                    kind: LedgerKind::Clawback,
                    available: -amount,
                    held: 0,
                    reason: "held credits of a refunded purchase",
                    reference: Some(format!("task:{}", hold.task_id)),
                    grant_id: Some(grant_id),
                    hold_id: Some(hold.id),
                    actor_id: None,
                },
            )
            .await?;
        }
        Ok(())
    })
    .await
}

/// Spends held credits (the task succeeded). Idempotent. Settling is one SQL function
/// (`settle_hold`, migration 000017), so the worker can settle inside the single statement that
/// records a finished task; this calls the same function.
pub async fn settle(conn: &mut AsyncPgConnection, hold_id: HoldId) -> ApiResult<()> {
    match db::settle_hold(conn, hold_id.0, "spent on a generation task")
        .await?
        .as_str()
    {
        "settled" | "already settled" => Ok(()),
        "missing" => Err(ApiError::not_found("credit hold")),
        other => Err(already_resolved(other)),
    }
}

fn already_resolved(status: &str) -> ApiError {
    ApiError::new(
        ErrorCode::HoldResolved,
        format!("the hold is already {status}"),
    )
}

/// Removes `amount` available credits (an administrator's correction), soonest-expiring first.
pub async fn admin_debit(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    amount: i64,
    reason: &str,
    actor: Uuid,
) -> ApiResult<()> {
    conn.transaction::<_, ApiError, _>(async |conn| {
        let now = Utc::now();
        db::lock_account(conn, user_id).await?;
        expire_due_locked(conn, user_id, now).await?;
        let account = db::lock_account(conn, user_id).await?;
        if account.available < amount {
            return Err(insufficient(account.available, amount));
        }
        draw(conn, user_id, amount, now).await?;
        record(
            conn,
            Entry {
                user_id,
                kind: LedgerKind::AdminAdjust,
                available: -amount,
                held: 0,
                reason,
                reference: Some(format!("admin:{actor}")),
                grant_id: None,
                hold_id: None,
                actor_id: Some(actor),
            },
        )
        .await
    })
    .await
}

fn grant_dto(row: &GrantRow) -> CreditGrant {
    CreditGrant {
        id: row.id,
        source: GrantSource::parse(&row.source).unwrap_or(GrantSource::Admin),
        amount: row.amount,
        remaining: row.remaining,
        expires_at: row.expires_at,
        created_at: row.created_at,
    }
}

fn entry_dto(row: &LedgerRow, source: Option<GrantSource>) -> LedgerEntry {
    LedgerEntry {
        source,
        id: row.id,
        kind: LedgerKind::parse(&row.kind).unwrap_or(LedgerKind::AdminAdjust),
        amount: row.delta_available + row.delta_held,
        delta_available: row.delta_available,
        delta_held: row.delta_held,
        reason: row.reason.clone(),
        reference: row.reference.clone(),
        created_at: row.created_at,
    }
}

/// The user's balance with its spendable grants. Expired credits are written off first.
pub async fn balance(conn: &mut AsyncPgConnection, user_id: Uuid) -> ApiResult<CreditBalance> {
    let now = Utc::now();
    expire_due(conn, user_id, now).await?;
    let account = db::find_account(conn, user_id).await?;
    let (available, held) = account.map_or((0, 0), |a| (a.available, a.held));
    let grants = db::spendable_grants(conn, user_id, now).await?;
    Ok(CreditBalance {
        balance: available + held,
        available,
        held,
        grants: grants.iter().map(grant_dto).collect(),
    })
}

/// The user's ledger, newest first.
pub async fn ledger(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<LedgerEntry>> {
    let rows = db::ledger_page(conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |(r, _)| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |(r, source)| entry_dto(r, source.as_deref().and_then(GrantSource::parse)),
    ))
}

/// Takes back up to `max` of what is left of one grant (a refunded purchase). Credits already
/// spent stay spent; with `revoke` (a full refund) credits held from the grant are taken back
/// too when their task releases them. Returns the credits taken now.
pub async fn clawback_grant(
    conn: &mut AsyncPgConnection,
    grant_id: Uuid,
    max: i64,
    revoke: bool,
    reason: &str,
    reference: Option<String>,
) -> ApiResult<i64> {
    conn.transaction::<_, ApiError, _>(async |conn| {
        let Some(grant) = db::find_grant(conn, grant_id).await? else {
            return Ok(0);
        };
        db::lock_account(conn, grant.user_id).await?;
        let grant = db::find_grant(conn, grant_id)
            .await?
            .ok_or_else(|| ApiError::not_found("grant"))?;
        if revoke {
            db::revoke_grant(conn, grant.id).await?;
        }
        let take = grant.remaining.min(max).max(0);
        if take == 0 {
            return Ok(0);
        }
        db::add_to_grant(conn, grant.id, -take).await?;
        record(
            conn,
            Entry {
                user_id: grant.user_id,
                kind: LedgerKind::Clawback,
                available: -take,
                held: 0,
                reason,
                reference,
                grant_id: Some(grant.id),
                hold_id: None,
                actor_id: None,
            },
        )
        .await?;
        Ok(take)
    })
    .await
}
