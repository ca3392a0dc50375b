//! Deletions the retention schedule calls for; each returns how many rows went.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

async fn delete_before(
    conn: &mut AsyncPgConnection,
    sql: &str,
    cutoff: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(sql)
        .bind::<Timestamptz, _>(cutoff)
        .execute(conn)
        .await
}

/// Security and access logs older than `cutoff`: the security log, ended sessions (with their
/// refresh tokens), finished webhook deliveries, moderation hits, revoked app authorizations
/// and expired app tokens, codes and device requests, e-mail changes that can no longer be
/// confirmed or undone, and invitations that ended.
pub async fn delete_logs(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
) -> QueryResult<usize> {
    let mut n = 0;
    for sql in [
        "DELETE FROM security_events WHERE created_at < $1",
        "DELETE FROM sessions WHERE coalesce(revoked_at, expires_at) < $1",
        "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < $1",
        "DELETE FROM moderation_events WHERE created_at < $1",
        "DELETE FROM oauth_grants WHERE revoked_at < $1",
        "DELETE FROM oauth_tokens WHERE expires_at < $1",
        "DELETE FROM oauth_codes WHERE expires_at < $1",
        "DELETE FROM oauth_device_codes WHERE expires_at < $1",
        "DELETE FROM email_changes WHERE coalesce(revert_expires_at, confirm_expires_at) < $1",
        "DELETE FROM invitations WHERE least(revoked_at, expires_at) < $1",
    ] {
        n += delete_before(conn, sql, cutoff).await?;
    }
    Ok(n)
}

/// Support tickets closed before `cutoff`, with their messages.
pub async fn delete_closed_tickets(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
) -> QueryResult<usize> {
    delete_before(
        conn,
        "DELETE FROM support_tickets WHERE status = 'closed' AND closed_at < $1",
        cutoff,
    )
    .await
}

/// Payment records older than `cutoff`: orders, and subscriptions that ended.
pub async fn delete_payment_records(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
) -> QueryResult<usize> {
    let mut n = 0;
    for sql in [
        "DELETE FROM orders WHERE created_at < $1",
        "DELETE FROM stripe_invoices WHERE created_at < $1",
        "DELETE FROM subscriptions WHERE status IN ('canceled', 'incomplete_expired') AND updated_at < $1",
        "DELETE FROM stripe_pending_refunds WHERE received_at < $1",
    ] {
        n += delete_before(conn, sql, cutoff).await?;
    }
    Ok(n)
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Accounts that never verified their address and signed up before `cutoff` (administrators
/// excepted).
pub async fn unverified_accounts(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
) -> QueryResult<Vec<Uuid>> {
    let rows: Vec<Id> = diesel::sql_query(
        "SELECT id FROM users WHERE email_verified_at IS NULL AND role <> $2 AND created_at < $1",
    )
    .bind::<Timestamptz, _>(cutoff)
    .bind::<Text, _>("admin")
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}
