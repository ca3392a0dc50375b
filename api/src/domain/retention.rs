//! The published retention schedule and the job that enforces it. Every period here is both
//! what `GET /v1/legal/retention` promises and what [`enforce`] deletes by, so the two cannot
//! drift apart.

use chrono::{DateTime, Duration, Utc};
use zimage_shared::privacy::{RetentionRule, RetentionSchedule};

use crate::config::Config;
use crate::db::{privacy, retention as db};
use crate::domain::privacy::{EXPORT_TTL_DAYS, purge_account};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::storage::ObjectStore;

/// Security and access logs.
pub const LOG_DAYS: i64 = 90;
/// Support correspondence, counted from when the ticket closed.
pub const SUPPORT_DAYS: i64 = 2 * 365;
/// Payment records (orders, subscriptions), as tax law requires.
pub const PAYMENT_DAYS: i64 = 7 * 365 + 2;
/// Refunds Stripe reported that never matched a payment here (shown to administrators meanwhile).
pub const UNMATCHED_REFUND_DAYS: i64 = 90;
/// Erased accounts are purged within this many days of the confirmed request.
pub const CLOSED_ACCOUNT_DAYS: i64 = 30;

/// The schedule as published.
pub fn schedule(config: &Config) -> RetentionSchedule {
    let rule = |id: &str, data: &str, days: Option<i64>, from: &str, then: &str| RetentionRule {
        id: id.into(),
        data: data.into(),
        days,
        counted_from: from.into(),
        then: then.into(),
    };
    let mut rules = vec![
        rule(
            "account_content",
            "Profile, images, uploads, prompts, tasks, download history, credits",
            None,
            "while the account exists",
            "deleted with the account",
        ),
        rule(
            "security_logs",
            "Security log (sign-ins, IP addresses, devices), ended sessions, webhook delivery logs, moderation hits, records of e-mail address changes, ended invitations; sign-ins left unfinished at an identity provider as soon as they expire",
            Some(LOG_DAYS),
            "the event",
            "deleted",
        ),
        rule(
            "support",
            "Support tickets and their messages",
            Some(SUPPORT_DAYS),
            "the ticket's closing",
            "deleted",
        ),
        rule(
            "closed_accounts",
            "Accounts whose deletion was confirmed",
            Some(CLOSED_ACCOUNT_DAYS),
            "the confirmation",
            &format!(
                "purged after a {}-day grace period (sign in to cancel), at the latest within 30 days",
                config.erasure_grace_days
            ),
        ),
        rule(
            "export_archives",
            "Data export archives",
            Some(EXPORT_TTL_DAYS),
            "the archive's creation",
            "deleted",
        ),
        rule(
            "payment_records",
            "Orders, payments and subscriptions",
            Some(PAYMENT_DAYS),
            "the payment",
            "deleted; if the account is erased earlier they are kept with the person replaced by a pseudonym",
        ),
        rule(
            "idempotency_keys",
            "Idempotency keys of generation requests",
            Some(1),
            "the request",
            "forgotten",
        ),
    ];
    if config.unverified_account_days > 0 {
        rules.push(rule(
            "unverified_accounts",
            "Accounts whose e-mail address was never confirmed",
            Some(config.unverified_account_days),
            "sign-up",
            "deleted with everything in them",
        ));
    }
    RetentionSchedule { rules }
}

/// What one enforcement run removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RetentionReport {
    pub log_rows: usize,
    pub tickets: usize,
    pub payment_records: usize,
    /// Stripe refunds that matched no payment for `UNMATCHED_REFUND_DAYS`.
    pub unmatched_refunds: usize,
    pub archives: usize,
    pub accounts_purged: usize,
}

/// Applies every rule as of `now`. Each step is idempotent; a failure in one (say, storage down
/// while purging) leaves it for the next run and does not stop the others.
pub async fn enforce(state: &AppState, now: DateTime<Utc>) -> ApiResult<RetentionReport> {
    let mut report = RetentionReport::default();
    let mut conn = state.db.get().await?;
    report.log_rows = db::delete_logs(&mut conn, now - Duration::days(LOG_DAYS)).await?;
    // Sign-ins left at an identity provider, and offers nobody took up, as soon as they end.
    report.log_rows += crate::db::identities::delete_expired(&mut conn, now).await?;
    report.tickets =
        db::delete_closed_tickets(&mut conn, now - Duration::days(SUPPORT_DAYS)).await?;
    report.payment_records =
        db::delete_payment_records(&mut conn, now - Duration::days(PAYMENT_DAYS)).await?;
    report.unmatched_refunds = crate::db::billing::drop_unmatched_refunds(
        &mut conn,
        now - Duration::days(UNMATCHED_REFUND_DAYS),
    )
    .await?;
    if report.unmatched_refunds > 0 {
        tracing::warn!(
            count = report.unmatched_refunds,
            "Stripe refunds that never matched a payment dropped"
        );
    }
    for request in privacy::expired_archives(&mut conn, now).await? {
        let Some(key) = &request.archive_key else {
            continue;
        };
        match state.storage.delete(key).await {
            Ok(()) => {
                privacy::archive_removed(&mut conn, request.id, now).await?;
                report.archives += 1;
            }
            Err(err) => {
                tracing::error!(key = %key, error = %err, "could not delete an expired export")
            }
        }
    }
    let mut doomed: Vec<uuid::Uuid> = privacy::due_erasures(&mut conn, now)
        .await?
        .into_iter()
        .filter_map(|r| r.user_id)
        .collect();
    if state.config.unverified_account_days > 0 {
        let cutoff = now - Duration::days(state.config.unverified_account_days);
        doomed.extend(db::unverified_accounts(&mut conn, cutoff).await?);
    }
    drop(conn);
    for user_id in doomed {
        match purge_account(state, user_id).await {
            Ok(()) => report.accounts_purged += 1,
            Err(err) => {
                tracing::error!(user_id = %user_id, error = ?err, "purge failed; retrying next run")
            }
        }
    }
    Ok(report)
}
